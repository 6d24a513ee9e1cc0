"""The coding stage: human files, rules + classifier, provenance, re-runs, aggregation."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.coding.effective import effective_codes
from pipeline.coding.human import HumanDecision, human_file_text, import_human_files, read_human_file
from pipeline.coding.rules import RULE_CONFIDENCE
from pipeline.coding.stage import code_stage
from pipeline.coding.units import build_units, informant_codes, turn_codes, turn_counts_by_informant
from pipeline.errors import QualpipeError
from pipeline.records import Segment
from pipeline.settings import load_study
from pipeline.store import StudyStore
from conftest import DEMO_CODEBOOK
from test_coding_corpus import CODES, build_corpus, write_human

FEW = "  min_examples_per_code: 3\n"


@pytest.fixture
def corpus(make_study):
    root, truth = build_corpus(make_study, settings_extra=FEW)
    return root, truth


def test_stage_without_segments_says_what_to_do(make_study):
    root = make_study({"a.txt": "I: Hei?\nIP: Hei.\n"}, codebook=DEMO_CODEBOOK)
    assert "anonymiser" in code_stage(load_study(root))


def test_rules_alone_when_no_human_examples(corpus):
    root, truth = corpus
    summary = code_stage(load_study(root))
    assert "bare regler for: stability (0 menneskelige eksempler)" in summary
    with StudyStore(load_study(root).store_path) as store:
        codings = store.codings()
        assert codings and {c.source for c in codings} == {"rule"}
        assert {c.coder for c in codings} == {"rules"}
        assert {c.confidence for c in codings} == {RULE_CONFIDENCE}
        assert {c.codebook_version for c in codings} == {"1.0"}
        assert {c.status for c in codings} == {"suggested"}
        stored_codes = {row["id"] for row in store.conn.execute("SELECT id FROM codes")}
    assert stored_codes == set(CODES)
    # The keyword rules find most of the synthetic codes by themselves.
    found = {c.segment_id for c in codings if c.code == "discount"}
    true = {sid for sid, codes in truth.items() if "discount" in codes}
    assert len(found & true) >= 0.7 * len(true)


def test_model_serves_codes_with_enough_examples_and_stores_probabilities(corpus):
    root, truth = corpus
    # Every second informant segment in transcript order: each transcript on both sides of the split.
    training = {sid: truth[sid] for sid in list(truth)[::2]}
    write_human(root, "forsker1", training)
    study = load_study(root)
    summary = code_stage(study)
    assert "modell (trent på nytt) for:" in summary
    with StudyStore(study.store_path) as store:
        model = store.codings(source="model")
        assert model and {c.coder for c in model} == {"model"}
        assert all(0 < c.confidence <= 1 for c in model)
        effective = effective_codes(store, "forsker1")
    # Held-out segments (no human decision) get machine codes that are mostly right.
    held_out = [sid for sid in truth if sid not in training]
    correct = sum(1 for sid in held_out if effective.get(sid, frozenset()) == frozenset(truth[sid]))
    assert correct >= 0.75 * len(held_out)


def test_rerun_never_overwrites_a_human_coding(corpus):
    root, truth = corpus
    decisions = dict(truth)
    # The human disagrees with the keywords on one segment: no code applies.
    discount_segment = next(sid for sid in sorted(truth) if "discount" in truth[sid])
    decisions[discount_segment] = set()
    write_human(root, "forsker1", decisions)
    human_file = root / "data" / "coded" / "human" / "forsker1.csv"
    before = human_file.read_bytes()
    study = load_study(root)
    code_stage(study)
    code_stage(study, retrain=True)
    assert human_file.read_bytes() == before
    with StudyStore(study.store_path) as store:
        assert discount_segment not in effective_codes(store, "forsker1")
        human = {(c.segment_id, c.code) for c in store.codings(source="human")}
        assert human == {(sid, code) for sid, codes in decisions.items() for code in codes}
        assert all(c.status == "accepted" for c in store.codings(source="human"))


def test_model_reused_until_human_decisions_change(corpus):
    root, truth = corpus
    write_human(root, "forsker1", truth)
    study = load_study(root)
    assert "trent på nytt" in code_stage(study)
    exported = (root / "data" / "coded" / "codings.csv").read_text()
    assert "gjenbrukt" in code_stage(study)
    assert (root / "data" / "coded" / "codings.csv").read_text() == exported  # deterministic
    assert "trent på nytt" in code_stage(study, retrain=True)
    assert (root / "data" / "coded" / "codings.csv").read_text() == exported
    changed = dict(truth)
    first = sorted(truth)[0]
    changed[first] = {"standard"} if truth[first] != {"standard"} else {"discount"}
    write_human(root, "forsker1", changed)
    assert "trent på nytt" in code_stage(study)


def test_human_file_round_trip(corpus):
    root, truth = corpus
    write_human(root, "forsker2", {sid: truth[sid] for sid in sorted(truth)[:10]})
    study = load_study(root)
    path = study.human_dir / "forsker2.csv"
    with StudyStore(study.store_path) as store:
        segment_ids = {s.segment_id for s in store.segments(speaker="informant")}
        parsed = read_human_file(path, segment_ids, set(CODES))
        assert human_file_text(parsed) == path.read_text()
        assert import_human_files(study, store, CODES) == {"forsker2": 10}
        assert set(store.human_reviews(coder="forsker2")) == set(parsed)
    assert parsed[sorted(truth)[0]] == HumanDecision(frozenset(truth[sorted(truth)[0]]), "1.0")


def test_removed_human_file_leaves_the_store(corpus):
    root, truth = corpus
    write_human(root, "forsker2", {sid: truth[sid] for sid in sorted(truth)[:5]})
    study = load_study(root)
    code_stage(study)
    (study.human_dir / "forsker2.csv").unlink()
    code_stage(study)
    with StudyStore(study.store_path) as store:
        assert store.human_coders() == []


@pytest.mark.parametrize("row,message", [
    ("{sid},stabilty,1.0", "row 2: unknown code 'stabilty'"),
    ("{sid},stability,", "row 2: codebook_version is empty"),
    ("{sid},stability,1.0\n{sid},,1.0", "row 3: segment id '{sid}' appears twice"),
])
def test_bad_human_file_rejected_naming_file_and_row(corpus, row, message):
    root, truth = corpus
    sid = sorted(truth)[0]
    folder = root / "data" / "coded" / "human"
    folder.mkdir(parents=True)
    (folder / "forsker1.csv").write_text("segment_id,codes,codebook_version\n" + row.format(sid=sid) + "\n")
    with pytest.raises(QualpipeError) as error:
        code_stage(load_study(root))
    assert "forsker1.csv" in str(error.value)
    assert message.format(sid=sid) in str(error.value)


def test_human_file_with_wrong_header_rejected(corpus):
    root, _ = corpus
    folder = root / "data" / "coded" / "human"
    folder.mkdir(parents=True)
    (folder / "forsker1.csv").write_text("segment,codes\n")
    with pytest.raises(QualpipeError, match="expected the header"):
        code_stage(load_study(root))


def test_machine_coder_names_are_not_human_coders(corpus):
    root, truth = corpus
    write_human(root, "model", {sorted(truth)[0]: set()})
    with pytest.raises(QualpipeError, match="not a valid human coder id"):
        code_stage(load_study(root))


def test_units_carry_the_preceding_question_and_aggregate():
    def seg(sid, turn, speaker, text, file="a.txt", informant="1"):
        return Segment(sid, informant, file, turn, speaker, 0, len(text), text)

    segments = [seg("q1", 0, "interviewer", "Hva med prisen?"), seg("a1", 1, "informant", "Den var grei."),
                seg("a2", 1, "informant", "Rabatten hjalp."), seg("q2", 2, "interviewer", "Og huset?"),
                seg("b1", 3, "informant", "Badet var slitt."),
                seg("c1", 1, "informant", "Ja.", file="b.txt", informant="2")]
    units = build_units(segments)
    assert [(u.segment_id, u.question, u.previous) for u in units] == [
        ("a1", "Hva med prisen?", ""), ("a2", "Hva med prisen?", "Den var grei."),
        ("b1", "Og huset?", ""), ("c1", "", "")]
    codes = {"a2": {"discount"}, "b1": {"standard"}, "c1": {"stability"}}
    informant = [s for s in segments if s.speaker == "informant"]
    assert turn_codes(codes, informant) == {("a.txt", 1): {"discount"}, ("a.txt", 3): {"standard"},
                                            ("b.txt", 1): {"stability"}}
    assert informant_codes(codes, informant) == {"1": {"discount", "standard"}, "2": {"stability"}}
    assert turn_counts_by_informant(codes, informant)["1"] == {"discount": 1, "standard": 1}


def test_cli_code_and_agreement(corpus):
    root, truth = corpus
    write_human(root, "forsker1", truth)
    write_human(root, "forsker2", {sid: truth[sid] for sid in sorted(truth)[:40]})
    runner = CliRunner()
    result = runner.invoke(app, ["--study", str(root), "code"])
    assert result.exit_code == 0, result.output
    assert "modell" in result.output
    result = runner.invoke(app, ["--study", str(root), "agreement", "forsker1", "forsker2"])
    assert result.exit_code == 0, result.output
    assert "segmentnivå (n = 40" in result.output and "turnivå" in result.output
    assert "1,00" in result.output  # forsker2 copied forsker1: perfect agreement (decimal comma)
    result = runner.invoke(app, ["--study", str(root), "agreement", "forsker1", "rules"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--study", str(root), "agreement", "forsker1", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.output


def test_new_interview_round_is_coded_with_the_saved_model(corpus):
    from pipeline.coding.heldout import heldout_path
    from pipeline.ingest import ingest_study
    from test_coding_corpus import simulate_anonymisation, transcript

    root, truth = corpus
    write_human(root, "forsker1", truth)
    study = load_study(root)
    assert "trent på nytt" in code_stage(study)
    text, new_truth = transcript(seed=99)
    (root / "data" / "raw" / "transcripts" / "k99.txt").write_text(text, encoding="utf-8")
    informants = root / "data" / "raw" / "informants.csv"
    informants.write_text(informants.read_text() + "99,k99.txt,stayed\n", encoding="utf-8")
    ingest_study(study)
    simulate_anonymisation(study)
    heldout_before = heldout_path(study).read_bytes()
    summary = code_stage(study)
    # No human decision changed and nothing the model or the held-out figure read: both are reused.
    assert "modell (uendret, gjenbrukt)" in summary
    assert "samsvar på holdt-ut informanter: uendret, gjenbrukt" in summary
    assert heldout_path(study).read_bytes() == heldout_before
    with StudyStore(study.store_path) as store:
        new = store.segments(speaker="informant", file="k99.txt")
        effective = effective_codes(store, "forsker1")
    code_of = dict(new_truth)
    right = sum(1 for s in new if effective.get(s.segment_id, frozenset()) == ({code_of[s.text]} - {""}))
    assert right >= 0.7 * len(new)


def test_leak_guard_stops_the_exports(make_study):
    pytest.importorskip("pipeline.anonymise.guard")
    from pipeline.errors import LeakError
    from pipeline.ingest import ingest_study
    from test_coding_corpus import simulate_anonymisation

    # Simulated anonymisation copies raw text, so the informant's name reaches the store.
    root = make_study({"a.txt": "I: Hva heter du?\nIP: Jeg heter Kari Nordmann. Vi fikk rabatt.\n"},
                      informants="id,file,group,name\n1,a.txt,stayed,Kari Nordmann\n", codebook=DEMO_CODEBOOK)
    study = load_study(root)
    ingest_study(study)
    simulate_anonymisation(study)
    with pytest.raises(LeakError):
        code_stage(study)
    assert not (root / "data" / "coded" / "codings.csv").exists()


def test_turn_as_coding_unit(make_study):
    from pipeline.ingest import ingest_study
    from test_coding_corpus import simulate_anonymisation

    settings = "name: T\ncoding:\n  unit: turn\n"
    root = make_study({"a.txt": "I: Og prisen?\nIP: Vi fikk rabatt. Det var fast pris.\nI: Og huset?\n"
                                "IP: Badet var slitt. Vi pusset opp.\n"}, settings=settings, codebook=DEMO_CODEBOOK)
    study = load_study(root)
    ingest_study(study)
    simulate_anonymisation(study)
    code_stage(study)
    with StudyStore(study.store_path) as store:
        segments = store.segments(speaker="informant")
        codes = effective_codes(store)
    assert [s.text for s in segments] == ["Vi fikk rabatt. Det var fast pris.", "Badet var slitt. Vi pusset opp."]
    assert [codes.get(s.segment_id) for s in segments] == [{"discount"}, {"standard"}]
    assert list(turn_codes(codes, segments).values()) == [{"discount"}, {"standard"}]


def test_row_of_an_unknown_segment_is_kept_and_reported_not_an_error(corpus):
    """A decision on a segment the study does not have now (a held-back transcript, a changed
    turn) stops nothing: it is listed once per transcript turn, left in the file, and kept
    when the coder's file is rewritten by an import."""
    from pipeline.coding.human import apply_human_decisions, unplaced_notes

    root, truth = corpus
    sid = sorted(truth)[0]
    folder = root / "data" / "coded" / "human"
    folder.mkdir(parents=True)
    header = "segment_id,codes,codebook_version,file,turn_index,start,end,text_hash\n"
    gone = ["sgone1,stability,1.0,later.txt,4,0,12,0123456789ab", "sgone2,,1.0,later.txt,4,13,30,0123456789ab"]
    (folder / "forsker1.csv").write_text(header + "\n".join(gone) + "\n")
    (folder / "forsker2.csv").write_text(header + "sgone3,discount,1.0,later.txt,4,0,12,0123456789ab\n")
    study = load_study(root)
    summary = code_stage(study)
    notes = [line for line in summary.splitlines() if line.startswith("Merk:")]
    assert len(notes) == 1  # one turn, however many rows and coders
    assert notes[0].startswith("Merk: later.txt: 3 menneskelige kodebeslutninger venter")
    assert "forsker1.csv rader 2, 3" in notes[0] and "forsker2.csv rad 2" in notes[0]
    with StudyStore(study.store_path) as store:
        assert len(unplaced_notes(store)) == 1
        assert store.human_reviews(coder="forsker1") == {}
        apply_human_decisions(study, store, "forsker1", {sid: {"stability"}}, "1.0", CODES)
    rewritten = (folder / "forsker1.csv").read_text()
    assert all(row in rewritten for row in gone) and rewritten.startswith(f"segment_id,codes")
    assert sid in rewritten


def test_anchor_wins_over_an_id_that_now_names_another_place(make_study):
    """Segment ids count repeats of the same text ("Ja." twice); when another pipeline cuts a
    new "Ja." before, an old id names a different "Ja.", and the anchor finds the right one."""
    from pipeline.anonymise.guard import require_guard
    from pipeline.coding.human import HumanDecision, SegmentAnchors, read_human_rows, write_human_file
    from pipeline.ingest import ingest_study

    transcript = "I: Var det bra?\nIP: Ja. Det var bra.\nI: Og rabatten?\nIP: Ja. Den var stor.\n"
    root = make_study({"a.txt": transcript})
    study = load_study(root)
    ingest_study(study)
    anchors = SegmentAnchors.load(study)
    from pipeline.store import PrivateStore

    with PrivateStore(study.private_store_path) as private:
        yes = [s for s in private.segments() if s.speaker == "informant" and s.text == "Ja."]
    assert len(yes) == 2 and yes[0].segment_id != yes[1].segment_id
    first, second = yes
    path = root / "data" / "coded" / "human" / "forsker1.csv"
    write_human_file(study, path, {second.segment_id: HumanDecision(frozenset({"discount"}), "1.0")},
                     require_guard(study), anchors=anchors)
    # Pretend the ids were made by another segmentation: the row's id now names the *first* "Ja.".
    text = path.read_text().replace(second.segment_id, first.segment_id)
    path.write_text(text)
    ids = {s.segment_id for s in yes}
    read = read_human_rows(path, ids, set(CODES), anchors)
    assert read.decisions == {second.segment_id: HumanDecision(frozenset({"discount"}), "1.0")}
    assert read.relocated == 1 and read.unplaced == []


def test_human_file_survives_resegmentation_by_its_anchors(make_study):
    """Another spaCy pipeline splits sentences differently; anchored human rows are re-found."""
    from pipeline.anonymise.stage import anonymise_stage
    from pipeline.anonymise.guard import require_guard
    from pipeline.coding.human import SegmentAnchors, read_human_file, write_human_file
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    from pipeline.store import StudyStore

    transcript = ("I: Hvordan var det?\nIP: Rabatten var fin. Vi ble boende. Huset var gammelt.\n"
                  "I: Noe mer?\nIP: Nei.\n")
    root = make_study({"a.txt": transcript}, codebook=DEMO_CODEBOOK)
    study = load_study(root)
    ingest_study(study)
    anonymise_stage(study)
    with StudyStore(study.store_path) as store:
        sentences = {s.text: s.segment_id for s in store.segments(speaker="informant")}
    anchors = SegmentAnchors.load(study)
    decisions = {sentences["Rabatten var fin."]: HumanDecision(frozenset({"discount"}), "1.0"),
                 sentences["Vi ble boende."]: HumanDecision(frozenset({"stability"}), "1.0"),
                 sentences["Huset var gammelt."]: HumanDecision(frozenset({"standard"}), "1.0"),
                 sentences["Nei."]: HumanDecision(frozenset(), "1.0")}
    path = root / "data" / "coded" / "human" / "forsker1.csv"
    write_human_file(study, path, decisions, require_guard(study), anchors=anchors)
    assert "text_hash" in path.read_text(encoding="utf-8").splitlines()[0]

    # Re-segment: whole turns instead of sentences (as a different model would cut differently).
    (root / "study.yaml").write_text((root / "study.yaml").read_text() + "coding:\n  unit: turn\n", encoding="utf-8")
    study = load_study(root)
    ingest_study(study)
    anonymise_stage(study)
    with StudyStore(study.store_path) as store:
        turns = {s.text: s.segment_id for s in store.segments(speaker="informant")}
    assert set(turns) == {"Rabatten var fin. Vi ble boende. Huset var gammelt.", "Nei."}
    found = read_human_file(path, set(turns.values()), set(CODES), SegmentAnchors.load(study))
    assert found[turns["Rabatten var fin. Vi ble boende. Huset var gammelt."]].codes == {"discount", "stability", "standard"}
    assert found[turns["Nei."]].codes == frozenset()
    # Without anchors (or with the anchored text changed) a row is not placed, but kept and reported.
    from pipeline.coding.human import read_human_rows

    read = read_human_rows(path, set(turns.values()), set(CODES))
    assert list(read.decisions) == [turns["Nei."]]  # the same segment under both cuts
    assert len(read.unplaced) == 3 and {u.turn_index for u in read.unplaced} == {1}



def test_rewrite_under_another_segmentation_keeps_every_decision_as_made(make_study):
    """A coder's file written under one pipeline and updated under another (here: sentences, then
    whole turns, as two models cut differently) keeps the rows it re-found by anchor as written:
    read again under the first segmentation, every decision is the one the coder made, not a row
    merged on the other pipeline's segments. A new decision on a segment replaces the rows it
    covers whole, under both segmentations."""
    from pipeline.anonymise.guard import require_guard
    from pipeline.anonymise.stage import anonymise_stage
    from pipeline.coding.human import SegmentAnchors, apply_human_decisions, read_human_rows, write_human_file
    from pipeline.ingest import ingest_study

    transcript = ("I: Hvordan var det?\nIP: Rabatten var fin. Vi ble boende.\n"
                  "I: Og huset?\nIP: Huset var gammelt. Badet var slitt.\nI: Noe mer?\nIP: Nei.\n")
    root = make_study({"a.txt": transcript}, codebook=DEMO_CODEBOOK)
    settings = (root / "study.yaml").read_text()

    def segmented(unit: str):
        (root / "study.yaml").write_text(settings + f"coding:\n  unit: {unit}\n", encoding="utf-8")
        study = load_study(root)
        ingest_study(study)
        anonymise_stage(study)
        with StudyStore(study.store_path) as store:
            return study, {s.text: s.segment_id for s in store.segments(speaker="informant")}

    study, sentences = segmented("segment")
    made = {"Rabatten var fin.": {"discount"}, "Vi ble boende.": {"stability"},
            "Huset var gammelt.": {"standard"}, "Badet var slitt.": set(), "Nei.": set()}
    path = root / "data" / "coded" / "human" / "forsker1.csv"
    write_human_file(study, path, {sentences[t]: HumanDecision(frozenset(c), "1.0") for t, c in made.items()},
                     require_guard(study), anchors=SegmentAnchors.load(study))
    written = path.read_text(encoding="utf-8").splitlines()

    study, turns = segmented("turn")
    with StudyStore(study.store_path) as store:
        apply_human_decisions(study, store, "forsker1", {turns["Nei."]: {"standard"},
                                                         turns["Huset var gammelt. Badet var slitt."]: {"discount"}},
                              "1.0", CODES)
    rewritten = path.read_text(encoding="utf-8").splitlines()
    # The first turn's two rows are kept as written; the other rows are replaced by the new decisions.
    first_turn = [row for row in written[1:] if row.split(",")[0] in
                  (sentences["Rabatten var fin."], sentences["Vi ble boende."])]
    assert len(first_turn) == 2 and set(first_turn) <= set(rewritten)
    assert len(rewritten) == 1 + 2 + 2
    read = read_human_rows(path, set(turns.values()), set(CODES), SegmentAnchors.load(study))
    assert read.unplaced == [] and read.decisions[turns["Rabatten var fin. Vi ble boende."]].codes == \
        {"discount", "stability"}

    study, again = segmented("segment")
    read = read_human_rows(path, set(again.values()), set(CODES), SegmentAnchors.load(study))
    assert read.unplaced == []
    assert {text: set(read.decisions[sid].codes) for text, sid in again.items()} == {
        "Rabatten var fin.": {"discount"}, "Vi ble boende.": {"stability"},  # as the coder made them
        "Huset var gammelt.": {"discount"}, "Badet var slitt.": {"discount"}, "Nei.": {"standard"}}  # the newer


def test_stage_persists_the_heldout_agreement_and_recomputes_only_when_its_inputs_change(corpus, monkeypatch):
    from pipeline.coding import heldout
    from pipeline.coding.evaluation import evaluate_coding
    from pipeline.coding.heldout import heldout_path, read_heldout

    root, truth = corpus
    write_human(root, "forsker1", truth)
    study = load_study(root)
    summary = code_stage(study)
    assert "samsvar på holdt-ut informanter (leave-one-informant-out" in summary
    result, current = read_heldout(study)
    assert current and result.coder == "forsker1" and not result.reason
    # The same figure `qualpipe evaluate coding` computes, from the same estimator.
    evaluation = evaluate_coding(study, "forsker1")
    assert result.n_informants == evaluation.n_informants and result.n_segments == evaluation.n_segments
    assert result.score("segment", "micro").kappa == pytest.approx(
        evaluation.score("segment", "modell", "micro").kappa)
    written = heldout_path(study).read_bytes()
    assert "uendret, gjenbrukt" in code_stage(study)
    assert heldout_path(study).read_bytes() == written
    changed = dict(truth)
    first = sorted(truth)[0]
    changed[first] = {"standard"} if truth[first] != {"standard"} else {"discount"}
    write_human(root, "forsker1", changed)
    assert "gjenbrukt" not in code_stage(study).splitlines()[-1]
    assert read_heldout(study)[1]
    # A figure of version 3 (its word vectors learned from every informant, the held-out ones included)
    # is neither read as current nor reused: the stage recomputes it under the current version.
    with monkeypatch.context() as old:
        old.setattr(heldout, "VERSION", 3)
        code_stage(study)
        assert read_heldout(study)[1] and json.loads(heldout_path(study).read_text(encoding="utf-8"))["version"] == 3
    assert read_heldout(study) == (None, False)
    assert "gjenbrukt" not in code_stage(study).splitlines()[-1]
    assert read_heldout(study)[1]
    assert json.loads(heldout_path(study).read_text(encoding="utf-8"))["version"] == heldout.VERSION


def test_heldout_without_human_coding_says_why(corpus):
    from pipeline.coding.heldout import read_heldout

    root, _truth = corpus
    study = load_study(root)
    assert "ikke beregnet (ingen forsker har kodet segmenter)" in code_stage(study)
    result, current = read_heldout(study)
    assert current and result.reason


def test_coding_features_read_a_pseudonym_by_its_type_not_its_number():
    from pipeline.coding.text import coding_text

    assert coding_text("Vi bodde på [STED_12] med [PERSON_3]s mor.") == "Vi bodde på [STED_X] med [PERSON_X]s mor."
    assert coding_text("[FØDSELSNUMMER_1] og [latter]") == "[FØDSELSNUMMER_X] og [latter]"


def test_renumbered_pseudonyms_leave_the_training_fingerprint_unchanged(make_study):
    """A new transcript can renumber every tag of the study (one canonical order): no retrain for that."""
    from pipeline.codebook import load_codebook
    from pipeline.coding.machine import AnalysedUnits, plan_codes, training_fingerprint
    from pipeline.coding.classifier import Example
    from pipeline.coding.text import coding_text
    from pipeline.coding.units import build_units

    def analysed(place: str, neighbour: str) -> AnalysedUnits:
        segments = [Segment("a", "1", "1.txt", 0, "informant", 0, 1, f"Vi flyttet til {place}."),
                    Segment("b", "1", "1.txt", 0, "informant", 0, 1, neighbour)]
        units = build_units(segments)
        examples = [Example(text=coding_text(u.segment.text), lemmas=(), turn=u.turn) for u in units]
        return AnalysedUnits(units=units, rules=[], examples=examples)

    root = make_study({"1.txt": "I: Hei\nB: Hei"}, codebook=DEMO_CODEBOOK)
    codebook = load_codebook(load_study(root).codebook_path)
    labels = {"a": frozenset({"stability"})}
    plan = plan_codes(codebook, list(labels.values()), 1)
    fingerprint = lambda units: training_fingerprint(units, labels, plan, codebook, 0)  # noqa: E731
    assert fingerprint(analysed("[STED_2]", "Det var fint.")) == fingerprint(analysed("[STED_7]", "Det var fint."))
    assert fingerprint(analysed("[STED_2]", "Det var fint.")) != fingerprint(analysed("[PERSON_2]", "Det var fint."))
    # the undecided neighbour is part of the decided segment's turn context: it counts
    assert fingerprint(analysed("[STED_2]", "Det var fint.")) != fingerprint(analysed("[STED_2]", "Det var trist."))


def test_a_name_that_becomes_an_informant_label_leaves_the_training_fingerprint_unchanged(make_study):
    """When the transcript of a person other interviews name joins the study, the name there becomes its
    informant's label ("ansatt S5" for "[PERSON_1]"): the features read both as [PERSON_X], no retrain."""
    from pipeline.codebook import load_codebook
    from pipeline.coding.classifier import Example
    from pipeline.coding.machine import AnalysedUnits, plan_codes, training_fingerprint
    from pipeline.coding.text import coding_text, people_pattern
    from pipeline.coding.units import build_units

    def analysed(person: str, labels=("ansatt S5",)) -> AnalysedUnits:
        segments = [Segment("q", "1", "1.txt", 0, "interviewer", 0, 1, f"Snakket du med {person}?"),
                    Segment("a", "1", "1.txt", 1, "informant", 0, 1, f"Ja, {person}s bror hjalp oss."),
                    Segment("b", "1", "1.txt", 1, "informant", 1, 2, f"{person} også.")]
        units = build_units(segments)
        people = people_pattern(labels)
        examples = [Example(text=coding_text(u.segment.text, people), lemmas=(), turn=u.turn) for u in units]
        return AnalysedUnits(units=units, rules=[], examples=examples, informant_labels=labels)

    root = make_study({"1.txt": "I: Hei\nB: Hei"}, codebook=DEMO_CODEBOOK)
    codebook = load_codebook(load_study(root).codebook_path)
    labels = {"a": frozenset({"stability"})}
    plan = plan_codes(codebook, list(labels.values()), 1)
    fingerprint = lambda units: training_fingerprint(units, labels, plan, codebook, 0)  # noqa: E731
    assert fingerprint(analysed("[PERSON_1]")) == fingerprint(analysed("ansatt S5"))
    # read as written where the study has no such informant, and a place is not a person
    assert fingerprint(analysed("[PERSON_1]", ())) != fingerprint(analysed("ansatt S5", ()))
    assert fingerprint(analysed("[PERSON_1]")) != fingerprint(analysed("[STED_1]"))


def test_current_round_decisions_are_weighted_and_named_in_the_summary(make_study):
    root, truth = build_corpus(make_study, settings_extra=FEW + "  current_round:\n    coders: [kari]\n"
                               "  model:\n    round_weight: 3.0\n")
    ids = sorted(truth)
    write_human(root, "forsker1", {sid: truth[sid] for sid in ids[:len(ids) // 2]})
    write_human(root, "kari", {sid: truth[sid] for sid in ids[len(ids) // 2:][:20]})
    summary = code_stage(load_study(root))
    assert "nåværende runde (coding.current_round): 20 avgjørelser, vekt 3,0 hver" in summary
    assert "Merk: coding.current_round" not in summary
    text = (root / "study.yaml").read_text()
    (root / "study.yaml").write_text(text.replace("coders: [kari]", "coders: [kari, per]"))
    assert "Merk: coding.current_round nevner per, men modellen lærer ingen" in code_stage(load_study(root))
    (root / "study.yaml").write_text(text)
    # A different round is another model: the saved one is not reused.
    text = (root / "study.yaml").read_text().replace("coders: [kari]", "coders: [forsker1]")
    (root / "study.yaml").write_text(text)
    assert "trent på nytt" in code_stage(load_study(root))
    (root / "study.yaml").write_text(text.replace("coders: [forsker1]", "informants: [nobody]"))
    with pytest.raises(QualpipeError, match="coding.current_round.informants: no informant segments for nobody"):
        code_stage(load_study(root))


def test_turn_context_carries_every_field_of_each_example_and_shares_its_turn_s():
    """``with_turn_context`` makes each example anew: every field it does not set is the example's own."""
    import dataclasses

    from pipeline.coding.classifier import Example
    from pipeline.coding.machine import with_turn_context
    from pipeline.coding.units import Unit

    segments = [Segment(f"s{i}", "I1", "a.txt", turn, "informant", 0, 3, f"tekst {i}")
                for i, turn in enumerate((1, 1, 2))]
    units = [Unit(segment=s) for s in segments]
    examples = [Example(text=f"tekst {i}", lemmas=(f"l{i}",), question_lemmas=("q",), previous_lemmas=(f"p{i}",),
                        rule_codes=frozenset({f"c{i}"}), current_round=i == 1) for i in range(3)]
    made = with_turn_context(units, examples)
    for position, (example, got) in enumerate(zip(examples, made)):
        expected = dataclasses.replace(example, turn_lemmas=("l0", "l1") if position < 2 else ("l2",),
                                       turn_rule_codes=frozenset({"c0", "c1"}) if position < 2 else frozenset({"c2"}),
                                       turn=("a.txt", 1 if position < 2 else 2), position=position, informant="I1")
        assert got == expected
    assert made[0].turn_lemmas is made[1].turn_lemmas
