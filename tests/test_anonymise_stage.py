"""The anonymisation stage on small studies: consistency, key file, encryption, review, deanonymise,
and the end-to-end check on the demo study against its planted identifiers."""

from __future__ import annotations

import csv
import json
import re
import shutil
import stat
from pathlib import Path

import pytest

from pipeline.anonymise import anonymise_stage, deanonymise, export_review, import_decisions
from pipeline.anonymise.keystore import key_paths
from pipeline.errors import LeakError, QualpipeError
from pipeline.ingest import ingest_study
from pipeline.ingest.informants import shareable_file_name
from pipeline.settings import load_study
from pipeline.store import PrivateStore, StudyStore

REPO = Path(__file__).resolve().parents[1]

SETTINGS = """\
name: Test
groups: [stayed, staff]
group_labels: {stayed: boligkjøper, staff: ansatt}
anonymisation:
  known_identifiers: ["Solbakken borettslag"]
  keep_terms: [NAV, Husbanken, startlån, Trondheim kommune]
"""

A = """I: Takk for at du kom, Kari.
IP: Ja. Jeg heter Kari Nordmann og bor i Lillegårdsbakken 3 med mannen min, Ingvar Dahle.
IP: Ingvars mor bodde i Solbakken borettslag. Ring meg på 924 18 337. Fødselsnummeret er 14086327164.
IP: Hilde fra NAV hjalp oss med startlån fra Husbanken, og Trondheim kommune var grei.
"""
B = """I: Hvem hjalp deg?
IP: Hilde Strand på NAV Heimdal. Og Ingvar Dahle, naboen, han kjente Karis mann.
IP: Telefonen min er +47 41 22 33 44, og e-post per.olsen@example.no. Per i dag går det fint.
"""
INFORMANTS = "id,file,group,name\n1,a.txt,stayed,Kari Nordmann\nS1,b.txt,staff,Hilde Strand\n"


@pytest.fixture
def small(make_study):
    root = make_study({"a.txt": A, "b.txt": B}, informants=INFORMANTS, settings=SETTINGS)
    study = load_study(root)
    ingest_study(study)
    return study


def texts(study) -> dict[str, str]:
    """Anonymised text per transcript, by its raw file name (the store has the shareable name)."""
    with PrivateStore(study.private_store_path) as private:
        raw_of = {shareable_file_name(i, f): f for f, i in private.informant_ids().items()}
    with StudyStore(study.store_path) as store:
        by_file: dict[str, list[str]] = {}
        for s in store.segments():
            by_file.setdefault(raw_of[s.file], []).append(s.text)
    return {f: "\n".join(t) for f, t in by_file.items()}


def test_stage_replaces_consistently_and_keeps_terms(small):
    line = anonymise_stage(small)
    assert "anonymisert" in line
    a, b = texts(small)["a.txt"], texts(small)["b.txt"]
    for original in ("Kari", "Nordmann", "Ingvar", "Dahle", "Lillegårdsbakken", "924 18 337", "14086327164",
                     "Solbakken", "Hilde", "Strand", "Heimdal", "41 22 33 44", "per.olsen"):
        assert original not in a + b, original
    assert "boligkjøper 1" in a and "boligkjøper 1s" in b  # informant by study id, possessive kept
    assert "ansatt S1" in a and "ansatt S1" in b  # the staff member's first name in another transcript
    ingvar = re.search(r"\[PERSON_\d+\]", a.split("mannen min, ")[1]).group()
    assert ingvar + "s mor" in a and ingvar in b  # same pseudonym across transcripts, possessive kept
    for term in ("NAV", "startlån", "Husbanken", "Trondheim kommune"):
        assert term in a + b
    assert "Per i dag" in b  # an ordinary word is not a name
    # segment ids are those of the private store, and the segments map onto the anonymised turn
    with PrivateStore(small.private_store_path) as private, StudyStore(small.store_path) as store:
        assert [s.segment_id for s in private.segments()] == [s.segment_id for s in store.segments()]
        audit = store.anonymisation_audit()
    assert ("1.txt", "FØDSELSNUMMER", 1, 0) in audit  # the transcript by its shareable name
    exported = (small.coded_dir / "anonymisation_audit.csv").read_text(encoding="utf-8")
    assert exported.startswith("file,type,replaced,for_review\n") and "Kari" not in exported


def test_rerun_skips_unchanged_and_key_is_private(small):
    anonymise_stage(small)
    line = anonymise_stage(small)
    assert line.startswith("0 transkripsjoner anonymisert, 2 uendret")
    plain, encrypted = key_paths(small)
    assert plain.exists() and not encrypted.exists()
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert small.private_dir in plain.parents
    coded = [p for p in small.coded_dir.rglob("*") if p.is_file()]
    assert not any("key" in p.name for p in coded)
    for p in coded:
        assert "Nordmann" not in p.read_bytes().decode("utf-8", "ignore")


def test_pseudonym_numbers_do_not_depend_on_the_order_of_runs(make_study, tmp_path):
    """Transcripts added in a later round get the numbers a fresh run of the whole study gives."""
    fresh = load_study(make_study({"a.txt": A, "b.txt": B}, informants=INFORMANTS, settings=SETTINGS,
                                  root=tmp_path / "fresh"))
    ingest_study(fresh)
    anonymise_stage(fresh)
    rounds = load_study(make_study({"b.txt": B}, informants="id,file,group,name\nS1,b.txt,staff,Hilde Strand\n",
                                   settings=SETTINGS, root=tmp_path / "rounds"))
    # The same study: the same secret (segment ids are keyed with it).
    rounds.private_dir.mkdir(parents=True)
    shutil.copy(fresh.private_dir / "study_secret.json", rounds.private_dir / "study_secret.json")
    ingest_study(rounds)
    anonymise_stage(rounds)
    first_round = texts(rounds)["b.txt"]
    make_study({"a.txt": A, "b.txt": B}, informants=INFORMANTS, settings=SETTINGS, root=tmp_path / "rounds")
    rounds = load_study(tmp_path / "rounds")
    ingest_study(rounds)
    anonymise_stage(rounds)
    assert texts(rounds) == texts(fresh)
    assert "[PERSON_" in texts(fresh)["b.txt"] and first_round != texts(fresh)["b.txt"]  # b.txt was renumbered
    anonymise_stage(rounds)  # a re-run with nothing changed
    assert texts(rounds) == texts(fresh)
    for name in ("segments.csv", "anonymisation_audit.csv"):
        assert (rounds.coded_dir / name).read_bytes() == (fresh.coded_dir / name).read_bytes()


def test_encrypted_key_round_trip_and_deanonymise(small, monkeypatch):
    monkeypatch.setenv("QUALPIPE_KEY_PASSPHRASE", "et langt passord")
    anonymise_stage(small)
    plain, encrypted = key_paths(small)
    assert encrypted.exists() and not plain.exists()
    assert b"Nordmann" not in encrypted.read_bytes()
    assert stat.S_IMODE(encrypted.stat().st_mode) == 0o600
    with StudyStore(small.store_path) as store:
        segment = next(s for s in store.segments() if "Lillegårdsbakken" not in s.text and "[ADRESSE_" in s.text)
    original, anonymised = deanonymise(small, segment.segment_id)
    assert "Lillegårdsbakken 3" in original and anonymised == segment.text
    assert anonymise_stage(small).startswith("0 transkripsjoner anonymisert")  # decrypts, nothing changed
    monkeypatch.setenv("QUALPIPE_KEY_PASSPHRASE", "feil")
    with pytest.raises(QualpipeError, match="wrong passphrase"):
        deanonymise(small, segment.segment_id)
    monkeypatch.delenv("QUALPIPE_KEY_PASSPHRASE")
    with pytest.raises(QualpipeError, match="encrypted"):
        deanonymise(small, segment.segment_id)


def test_deanonymise_needs_the_key(small):
    anonymise_stage(small)
    seg = texts(small)
    assert seg
    key_paths(small)[0].unlink()
    with PrivateStore(small.private_store_path) as private:
        first = private.segments()[0].segment_id
    with pytest.raises(QualpipeError, match="not authorised"):
        deanonymise(small, first)


def test_review_export_and_decisions_applied_on_rerun(make_study):
    text = "I: Og så?\nIP: Vi snakket med fatima om det. Hunden het Balder. Katten sa mjau hele dagen.\n"
    # Every replacement is listed for review here, whatever score this pipeline's NER gives "fatima"
    # (one rule finds a lower-case name, a pipeline trained on lower-cased text finds it as well).
    settings = "name: T\nanonymisation:\n  review_below: 1.01\n"
    study = load_study(make_study({"a.txt": text}, settings=settings))
    ingest_study(study)
    anonymise_stage(study)
    assert "fatima" not in texts(study)["a.txt"]  # a lower-case name (no Norwegian word): replaced, listed for review
    xlsx, csv_path = export_review(study)
    assert xlsx.parent == study.private_dir and csv_path.parent == study.private_dir
    assert stat.S_IMODE(csv_path.stat().st_mode) == 0o600
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert {"original", "context", "type", "score", "decision"} <= set(rows[0])
    row = next(r for r in rows if r["original"] == "fatima")
    assert row["replaced"] == "ja" and "⟦fatima⟧" in row["context"] and row["count"] == "1"
    # Decide: keep "fatima" (say it is a word here), remove "mjau" which nothing detected.
    rows = [{**row, "decision": "keep"}, {**row, "original": "mjau", "type": "PERSON", "decision": "remove"}]
    decisions = study.root / "decisions.csv"
    with decisions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert import_decisions(study, decisions) == (1, 1)
    assert (study.private_dir / "anonymisation_decisions.json").exists()
    anonymise_stage(study)
    out = texts(study)["a.txt"]
    assert "fatima" in out and "mjau" not in out and "Balder" not in out
    # remembered: a run from scratch applies them again
    (study.private_dir / "anonymisation_cache.json").unlink()
    anonymise_stage(study)
    assert texts(study)["a.txt"] == out


def test_bad_decisions_file_is_one_clear_error(small, tmp_path):
    anonymise_stage(small)
    bad = tmp_path / "d.csv"
    bad.write_text("original,type,decision\nKari,PERSON,kanskje\n", encoding="utf-8")
    with pytest.raises(QualpipeError, match="row 2: decision must be keep or remove"):
        import_decisions(small, bad)


def test_guard_refuses_stage_output_with_a_leak(small, monkeypatch):
    """If a known identifier survived anonymisation, nothing shareable is written."""
    from pipeline.anonymise import stage as stage_module

    def leaky(self, text, found):  # an anonymiser that forgets to replace anything
        return stage_module.TurnResult(text, [], [])

    monkeypatch.setattr(stage_module.Anonymiser, "render_turn", leaky)
    with pytest.raises(LeakError):
        anonymise_stage(small)
    assert not (small.coded_dir / "segments.csv").exists()
    with StudyStore(small.store_path) as store:
        assert store.segments() == []


def test_stage_needs_ingest_first(make_study):
    study = load_study(make_study({"a.txt": "I: Hei\nIP: Hei\n"}))
    with pytest.raises(QualpipeError, match="ingest"):
        anonymise_stage(study)


def _planted() -> list[str]:
    found = []
    for path in sorted((REPO / "tests" / "data" / "planted").glob("*.txt")):
        found += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return found


def _holds_word(text: str, item: str) -> bool:
    """``item`` occurs in ``text`` with no word character right before or after it."""
    at = text.find(item)
    while at >= 0:
        end = at + len(item)
        if (at == 0 or not re.match(r"\w", text[at - 1])) and (end == len(text) or not re.match(r"\w", text[end])):
            return True
        at = text.find(item, at + 1)
    return False


@pytest.mark.slow
def test_demo_study_leaves_no_planted_identifier_in_coded(demo_run):
    planted = _planted()
    if not planted:
        pytest.skip("no planted identifier lists yet")
    demo_study = demo_run[0]  # the session's demo run (conftest.demo_run): every stage, read only
    study = load_study(demo_study)
    outputs = {p: p.read_bytes().decode("utf-8", "ignore")
               for p in (demo_study / "data" / "coded").rglob("*") if p.is_file()}
    assert any(p.name == "segments.csv" for p in outputs)
    # data/coded holds the whole run (study.sqlite too): str.find per planted string, then the
    # whole-word check of the regex this replaces ((?<!\w)item(?!\w), case-insensitive) at each hit.
    lowered = {p: text.lower() for p, text in outputs.items()}
    leaks = [(item, p.name) for item in planted for p, text in lowered.items() if _holds_word(text, item.lower())]
    assert leaks == []
    key = json.loads(key_paths(study)[0].read_text(encoding="utf-8"))
    assert key["entities"]
    assert not list((demo_study / "data" / "coded").rglob("*key*"))


def test_surrogate_style_end_to_end(make_study):
    settings = SETTINGS + "  style: surrogates\n  seed: 5\n"
    study = load_study(make_study({"a.txt": A, "b.txt": B}, informants=INFORMANTS, settings=settings))
    ingest_study(study)
    anonymise_stage(study)
    out = "\n".join(texts(study).values())
    for original in ("Ingvar", "Dahle", "Lillegårdsbakken", "924 18 337", "Solbakken"):
        assert original not in out
    assert "[PERSON_" not in out and "[FØDSELSNUMMER_1]" in out and "boligkjøper 1" in out
