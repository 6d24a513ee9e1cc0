"""`qualpipe evaluate coding`: leave-one-informant-out against the primary coder."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.coding.evaluation import METHOD_MODEL, METHOD_RULES, MICRO, evaluate_coding, prf, score_sets
from pipeline.errors import QualpipeError
from pipeline.settings import load_study
from test_coding_corpus import CODES, build_corpus, write_human


def test_prf_and_score_sets_by_hand():
    assert prf([1, 1, 0, 0], [1, 0, 1, 0]) == (0.5, 0.5, 0.5)
    truth = {"a": {"x"}, "b": {"x"}, "c": set(), "d": {"y"}}
    predicted = {"a": {"x"}, "b": set(), "c": {"x"}, "d": {"y"}}
    scores = {s.code: s for s in score_sets(truth, predicted, ["x", "y"], "segment", "m")}
    assert (scores["x"].precision, scores["x"].recall, scores["x"].support, scores["x"].predicted) == (0.5, 0.5, 2, 2)
    assert scores["y"].f1 == 1.0
    # micro: tp 2, fp 1, fn 1
    assert scores[MICRO].f1 == pytest.approx(2 / 3)


def test_leave_one_informant_out_on_synthetic_study(make_study):
    root, truth = build_corpus(make_study, n_informants=5, settings_extra="  min_examples_per_code: 3\n")
    write_human(root, "forsker1", truth)
    result = evaluate_coding(load_study(root))
    assert (result.coder, result.n_informants, result.n_segments) == ("forsker1", 5, len(truth))
    levels = {(s.level, s.method) for s in result.scores}
    assert levels == {(level, method) for level in ("segment", "turn") for method in (METHOD_MODEL, METHOD_RULES)}
    model = result.score("segment", METHOD_MODEL, MICRO)
    assert model.support == sum(len(c) for c in truth.values())
    # The synthetic pools are easy: held-out informants are coded well.
    assert model.f1 >= 0.8
    assert result.score("turn", METHOD_MODEL, MICRO).f1 >= 0.8
    assert [t[0] for t in result.targets()][0] == "micro-F1 (tur)"
    assert result.weakest_code in CODES


def test_needs_a_coder_with_decisions(make_study):
    root, truth = build_corpus(make_study, n_informants=2)
    with pytest.raises(QualpipeError, match="has decided no segments"):
        evaluate_coding(load_study(root))
    write_human(root, "forsker1", {sid: truth[sid] for sid in sorted(truth)[:3]})
    runner = CliRunner()
    result = runner.invoke(app, ["--study", str(root), "evaluate", "coding", "--coder", "ingen"])
    assert result.exit_code == 1


def test_cli_prints_tables_and_targets(make_study):
    root, truth = build_corpus(make_study, n_informants=3, settings_extra="  min_examples_per_code: 3\n")
    write_human(root, "forsker1", truth)
    result = CliRunner().invoke(app, ["--study", str(root), "evaluate", "coding"])
    assert result.exit_code == 0, result.output
    assert "turnivå" in result.output and "micro" in result.output and "mål ≥ 0,80" in result.output


@pytest.mark.parametrize("name", ["coding_blind", "coding_blind2", "coding_blind3", "coding_blind4"])
def test_blind_sets_gold_is_the_coders_markers(name):
    """gold/turns.csv and transcripts/ are what build.py makes from the blind coder's marked source/."""
    import csv
    import re
    from pathlib import Path

    folder = Path(__file__).parent / "data" / name
    marker = re.compile(r"\s*\{\{([^{}]*)\}\}\s*$")
    expected = []
    for path in sorted((folder / "source").glob("*.txt")):
        plain = []
        for line in path.read_text(encoding="utf-8").splitlines():
            match = marker.search(line)
            if match:
                expected.append((path.name, ";".join(sorted(c for c in match.group(1).split(";") if c))))
                line = line[:match.start()]
            plain.append(line)
        assert (folder / "transcripts" / path.name).read_text(encoding="utf-8") == "\n".join(plain) + "\n"
    with open(folder / "gold" / "turns.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["file"], r["codes"]) for r in rows] == expected
    assert {c for r in rows for c in r["codes"].split(";") if c} <= set(CODES)
    assert len(rows) == {"coding_blind": 152, "coding_blind2": 167, "coding_blind3": 164, "coding_blind4": 161}[name]  # the counts in each README


def test_pooled_training_marks_only_the_test_material_as_its_current_round(make_study):
    from dataclasses import replace

    from pipeline.coding.evaluation import pooled_training, study_labelled, train_and_predict

    root, truth = build_corpus(make_study, n_informants=3, settings_extra="  min_examples_per_code: 3\n")
    write_human(root, "forsker1", truth)
    data = study_labelled(load_study(root))
    other = replace(data, name="annen")  # the same material as another study's
    in_order = [u.segment_id for u in data.analysed.units if u.segment_id in data.labels]  # transcript order
    first = sorted(data.labels)[:5]
    train = [(other, data.labels), (data, {sid: data.labels[sid] for sid in first})]
    pooled, labels = pooled_training(train, data)
    assert len(pooled.units) == len(data.labels) + len(first) == len(pooled.examples) == len(pooled.rules)
    assert [e.current_round for e in pooled.examples] == [False] * len(data.labels) + [True] * len(first)
    # Each material's rows in transcript order, never in the order of the ids (keyed with the secret).
    assert [u.segment_id for u in pooled.units] == in_order + [sid for sid in in_order if sid in first]
    assert in_order != sorted(in_order)
    assert labels == data.labels
    # Trained on the pooled material, the machine codes every unit of the test material.
    predicted = train_and_predict(train, data, data.codebook, 3, 0)
    assert set(predicted) == {u.segment_id for u in data.analysed.units}


def test_the_model_does_not_depend_on_the_studys_secret(make_study, tmp_path):
    """The same material under two secrets (other segment ids) gets the same machine codes, place by place."""
    from pipeline.coding.evaluation import study_labelled, train_and_predict

    by_place = []
    for k, secret in enumerate(("5e" * 32, "a7" * 32)):
        root, truth = build_corpus(make_study, n_informants=3, settings_extra="  min_examples_per_code: 3\n",
                                   secret=secret, root=tmp_path / f"study{k}")
        write_human(root, "forsker1", {sid: truth[sid] for sid in list(truth)[::2]})
        data = study_labelled(load_study(root))
        predicted = train_and_predict([(data, data.labels)], data, data.codebook, 3, 0)
        place = {s.segment_id: (s.file, s.turn_index, s.start) for s in data.segments}
        by_place.append({place[sid]: codes for sid, codes in predicted.items()})
    assert by_place[0].keys() == by_place[1].keys() and len(by_place[0]) > 20
    assert by_place[0] == by_place[1]
