"""Held-out agreement with intervals, the review queue, and evaluation against a turn-level gold folder."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.coding.agreement import ALL_CODES, binary_alpha, interval_rows, krippendorff_alpha
from pipeline.coding.heldout import heldout_path, read_heldout
from pipeline.coding.evaluation import curve_sizes
from pipeline.coding.queue import Candidate, most_uncertain_code, next_segments
from pipeline.coding.review import review_table
from pipeline.coding.stage import code_stage
from pipeline.settings import load_study
from test_coding_corpus import build_corpus, write_human

BLIND = Path(__file__).parent / "data" / "coding_blind"


@pytest.mark.parametrize("seed", range(5))
def test_closed_form_alpha_equals_the_krippendorff_package(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, 40)
    y = np.where(rng.random(40) < 0.8, x, 1 - x)
    assert binary_alpha(x, y) == pytest.approx(krippendorff_alpha([x, y]))


def test_intervals_contain_the_estimate_and_narrow_with_more_units():
    rng = np.random.default_rng(1)
    def pair(n):
        truth = {i: {"a"} if rng.random() < 0.4 else set() for i in range(n)}
        other = {i: (truth[i] if rng.random() < 0.9 else ({"a"} - truth[i])) for i in range(n)}
        return interval_rows(truth, other, ["a"], "turn", "x – y")
    small, large = pair(40)[0], pair(2000)[0]
    for row in (small, large):
        assert row.kappa_low <= row.kappa <= row.kappa_high and row.alpha_low <= row.alpha <= row.alpha_high
    assert (large.kappa_high - large.kappa_low) < (small.kappa_high - small.kappa_low)
    assert pair(10)[-1].code == ALL_CODES


def test_undefined_agreement_has_no_interval():
    rows = interval_rows({1: set(), 2: set()}, {1: set(), 2: set()}, ["a"], "turn", "x – y")
    assert math.isnan(rows[0].kappa) and math.isnan(rows[0].kappa_low) and not rows[0].trusted


def test_queue_spreads_over_informants_and_codes():
    many = [Candidate(key=i, informant="i1", code="a", uncertainty=0.99 - i / 1000) for i in range(10)]
    others = [Candidate(key=100, informant="i2", code="b", uncertainty=0.6),
              Candidate(key=101, informant="i3", code="a", uncertainty=0.5)]
    picked = [c.key for c in next_segments(many + others, 3)]
    assert picked[0] == 0 and 100 in picked and 101 in picked
    assert [c.key for c in next_segments(many, 3)] == [0, 1, 2]  # nothing to spread over: by uncertainty
    assert most_uncertain_code({"a": 0.5, "b": 0.95}, {"a": 0.5, "b": 0.5}) == ("a", 1.0)


def test_stage_persists_heldout_agreement_and_review_next(make_study, monkeypatch):
    root, truth = build_corpus(make_study, n_informants=5, settings_extra="  min_examples_per_code: 3\n")
    decided = {sid: truth[sid] for sid in sorted(truth)[: 2 * len(truth) // 3]}
    write_human(root, "forsker1", decided)
    write_human(root, "forsker2", {sid: truth[sid] for sid in sorted(truth)[:40]})
    study = load_study(root)
    summary = code_stage(study)
    assert "minst 0,80" in summary or "kappa 0,80 eller mer" in summary or "når ingen kode" in summary
    saved, current = read_heldout(study)
    data = json.loads(heldout_path(study).read_text(encoding="utf-8"))
    assert current and saved.coder == "forsker1" and data["statement"] == saved.statement
    # the figure names its folds' method and the features' version: either changed, it is stale
    from pipeline.coding import classifier, evaluation

    with monkeypatch.context() as patch:
        patch.setattr(evaluation, "HELDOUT_GROUPS", evaluation.HELDOUT_GROUPS + 1)
        assert read_heldout(study)[1] is False
    with monkeypatch.context() as patch:
        patch.setattr(classifier, "FEATURE_VERSION", classifier.FEATURE_VERSION + "x")
        assert read_heldout(study)[1] is False
    assert read_heldout(study)[1] is True
    machine_turns = [r for r in saved.intervals if r.level == "turn"]
    assert {r.code for r in machine_turns} == {"stability", "information", "standard", "discount", ALL_CODES}
    assert all(r.n > 0 and r.kappa_low <= r.kappa <= r.kappa_high for r in machine_turns if r.kappa == r.kappa)
    # Held out: the machine's rows cover exactly the segments the reference coder decided.
    assert {r.n for r in saved.intervals if r.level == "segment"} == {len(decided)}
    assert {r.pair for r in saved.humans} == {"forsker1 – forsker2"}
    assert set(saved.trusted) | set(saved.needs_review) == {"stability", "information", "standard", "discount"}
    assert all(r.trusted for r in machine_turns if r.code in saved.trusted)
    header, rows = review_table(study, next_n=5)
    assert len(rows) == 5
    informants = {row[header.index("informant_id")] for row in rows}
    assert len(informants) >= 2  # spread, not the five most uncertain sentences of one interview
    result = CliRunner().invoke(app, ["--study", str(root), "agreement"])
    assert result.exit_code == 0, result.output
    assert "95 % KI" in result.output and "forsker1 – forsker2" in result.output
    assert " ".join(saved.statement.split()) in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["--study", str(root), "agreement", "model", "forsker2"])
    assert result.exit_code == 1 and "forsker1" in result.output
    result = CliRunner().invoke(app, ["--study", str(root), "review", "export", "--next", "3"])
    assert result.exit_code == 0 and "3 segmenter til gjennomgang" in result.output and "Merk" not in result.output
    # Every segment decided: nothing to suggest, and the summary says why instead of an unexplained empty sheet.
    write_human(root, "forsker1", truth)
    code_stage(load_study(root))
    result = CliRunner().invoke(app, ["--study", str(root), "review", "export", "--next", "3"])
    assert result.exit_code == 0 and "0 segmenter" in result.output
    assert "alle informantsegmenter er avgjort" in " ".join(result.output.split())


def test_curve_sizes():
    assert curve_sizes(8) == [0, 1, 2, 4, 7]
    assert curve_sizes(2) == [0, 1]


def test_blind_gold_file_matches_the_transcripts():
    """Every informant turn of the blind transcripts has exactly one gold row, with its text start."""
    import csv

    rows = list(csv.DictReader(open(BLIND / "gold" / "turns.csv", encoding="utf-8")))
    assert len(rows) == 152
    for name in sorted({r["file"] for r in rows}):
        lines = [line for line in (BLIND / "transcripts" / name).read_text(encoding="utf-8").splitlines()
                 if line.startswith(("IP:", "Ansatt:"))]
        gold = [r for r in rows if r["file"] == name]
        assert len(lines) == len(gold)
        for line, row in zip(lines, gold):
            assert "{{" not in line and line.split(":", 1)[1].strip().startswith(row["text_start"])
