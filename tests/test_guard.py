"""The leak guard trips (and nothing is written), and ordinary words do not trip it."""

from __future__ import annotations

import json

import pytest

from pipeline.anonymise.guard import build_guard, leak_guard
from pipeline.errors import LeakError
from pipeline.settings import load_study
from pipeline.store import atomic_write_text

SETTINGS = """\
name: Vakt
groups: [stayed]
anonymisation:
  known_identifiers: ["Hilde Strand", "Saupstad Vest borettslag", "Lade"]
"""


def make(make_study):
    return load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"},
                                 informants="id,file,group,name\n1,a.txt,stayed,Hamid Rahimi\n", settings=SETTINGS))


@pytest.mark.parametrize("text", [
    "Vi snakket med Hilde Strand i går.", "HILDE STRAND", "hilde  strand", "Hamids kone", "hamid rahimi",
    "Saupstad Vest borettslag", "Han bodde på Lade.", "Lade var fint."])
def test_guard_trips_on_known_identifiers_and_names(make_study, tmp_path, text):
    study = make(make_study)
    target = study.coded_dir / "segments.csv"
    with pytest.raises(LeakError) as error:
        atomic_write_text(target, text, guard=leak_guard(study))
    assert not target.exists()
    message = str(error.value)
    assert "segments.csv" in message and "\n" not in message
    assert text.strip().split()[0].lower() not in message.lower()  # never prints the identifier


@pytest.mark.parametrize("text", ["Jeg må lade telefonen.", "Hildegard kom", "Ladestasjon", "boligkjøper 1 sa ja"])
def test_guard_lets_ordinary_words_through(make_study, text):
    study = make(make_study)
    leak_guard(study)(text, study.coded_dir / "x.csv")


def test_guard_checks_key_originals_and_digit_forms(make_study):
    study = make(make_study)
    key = {"entities": [{"id": "TELEFON_1", "type": "TELEFON", "originals": ["92418337"]},
                        {"id": "PERSON_1", "type": "PERSON", "originals": ["Farzana"]}]}
    study.private_dir.mkdir(parents=True, exist_ok=True)
    (study.private_dir / "anonymisation_key.json").write_text(json.dumps(key), encoding="utf-8")
    guard = leak_guard(study)
    for text in ("ring +47 924 18 337", "92 41 83 37", "Farzanas bil", "farzana"):
        with pytest.raises(LeakError, match="TELEFON|PERSON"):
            guard(text, study.coded_dir / "x.csv")
    guard("ring 92 41 83 38", study.coded_dir / "x.csv")


def test_guard_ignores_originals_inside_keep_terms():
    guard = build_guard([("Finn", type("T", (), {"type": "PERSON"})())], keep=["finn.no"])
    guard("jeg så på finn.no", None)
    with pytest.raises(LeakError):
        guard("Finn kom", None)


def test_encrypted_key_without_passphrase_fails_closed(make_study, monkeypatch):
    from pipeline.anonymise.keystore import write_key_data
    from pipeline.errors import QualpipeError

    study = make(make_study)
    monkeypatch.setenv("QUALPIPE_KEY_PASSPHRASE", "hemmelig")
    write_key_data(study, {"entities": []})
    monkeypatch.delenv("QUALPIPE_KEY_PASSPHRASE")
    with pytest.raises(QualpipeError, match="encrypted"):
        leak_guard(study)
