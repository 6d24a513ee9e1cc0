"""The leak guard trips (and nothing is written), and ordinary words do not trip it."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.anonymise.guard import Guard, require_guard
from pipeline.errors import LeakError
from pipeline.settings import load_study
from pipeline.store import write_shareable

SETTINGS = """\
name: Vakt
groups: [stayed]
anonymisation:
  known_identifiers: ["Hilde Strand", "Saupstad Vest borettslag", "Lade"]
"""


def make(make_study):
    return load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"},
                                 informants="id,file,group,name\n1,a.txt,stayed,Hamid Rahimi\n", settings=SETTINGS))


def guard_with_key(study, **originals):
    """The study's guard over a key holding one entity per type: ``PERSON="Farzana"``."""
    key = {"entities": [{"id": f"{kind}_1", "type": kind, "originals": [original]}
                        for kind, original in originals.items()]}
    study.private_dir.mkdir(parents=True, exist_ok=True)
    (study.private_dir / "anonymisation_key.json").write_text(json.dumps(key), encoding="utf-8")
    return require_guard(study)


@pytest.mark.parametrize("text", [
    "Vi snakket med Hilde Strand i går.", "HILDE STRAND", "hilde  strand", "Hamids kone", "hamid rahimi",
    "Saupstad Vest borettslag", "Han bodde på Lade.", "Lade var fint."])
def test_guard_trips_on_known_identifiers_and_names(make_study, tmp_path, text):
    study = make(make_study)
    target = study.coded_dir / "segments.csv"
    with pytest.raises(LeakError) as error:
        write_shareable(study.root, {target: text}, require_guard(study))
    assert not target.exists()
    message = str(error.value)
    assert "segments.csv" in message and "\n" not in message
    for word in ("hilde", "strand", "hamid", "rahimi", "saupstad", "lade"):  # never prints the identifier
        assert not re.search(rf"\b{word}", message.lower())


@pytest.mark.parametrize("text", ["Jeg må lade telefonen.", "Hildegard kom", "Ladestasjon", "boligkjøper 1 sa ja"])
def test_guard_lets_ordinary_words_through(make_study, text):
    study = make(make_study)
    require_guard(study).check(text, study.coded_dir / "x.csv")


def test_guard_checks_key_originals_and_digit_forms(make_study):
    study = make(make_study)
    guard = guard_with_key(study, TELEFON="92418337", PERSON="Farzana")
    for text in ("ring +47 924 18 337", "92 41 83 37", "Farzanas bil", "farzana"):
        with pytest.raises(LeakError, match="TELEFON|PERSON"):
            guard.check(text, study.coded_dir / "x.csv")
    guard.check("ring 92 41 83 38", study.coded_dir / "x.csv")


def test_guard_does_not_refuse_the_tools_own_type_names(make_study):
    # A lower-case "epost" taken for an organisation must not make the guard refuse the tool's own
    # wording ("[EPOST_1]", an audit column "EPOST"); a detected name still trips it.
    study = make(make_study)
    guard = guard_with_key(study, ORGANISASJON="epost", PERSON="Farzana")
    guard.check("en lang adresse [EPOST_1] og så\ntype,antall\nEPOST,3", study.coded_dir / "x.csv")
    with pytest.raises(LeakError, match="PERSON"):
        guard.check("[EPOST_1] til Farzana", study.coded_dir / "x.csv")


def test_guard_ignores_originals_inside_keep_terms():
    guard = Guard([("Finn", type("T", (), {"type": "PERSON"})())], keep=["finn.no"])
    guard.check("jeg så på finn.no", None)
    with pytest.raises(LeakError):
        guard.check("Finn kom", None)


def test_encrypted_key_without_passphrase_fails_closed(make_study, monkeypatch):
    from pipeline.anonymise.keystore import write_key_data
    from pipeline.errors import QualpipeError

    study = make(make_study)
    monkeypatch.setenv("QUALPIPE_KEY_PASSPHRASE", "hemmelig")
    write_key_data(study, {"entities": []})
    monkeypatch.delenv("QUALPIPE_KEY_PASSPHRASE")
    with pytest.raises(QualpipeError, match="encrypted"):
        require_guard(study)


PERSON = type("T", (), {"type": "PERSON"})()
NUMBER = type("T", (), {"type": "FØDSELSNUMMER"})()


@pytest.mark.parametrize("text", ["Hamid_Rahimi.txt", "HAMID-RAHIMI", "hamid.rahimi@example.no", "Rahimi_Hamid",
                                  "intervju_Hamid_Rahimi_2019"])
def test_guard_matches_names_across_separators_and_case(text):
    guard = Guard([("Hamid Rahimi", PERSON), ("Rahimi", PERSON)])
    with pytest.raises(LeakError, match="PERSON"):
        guard.check(text, None)


@pytest.mark.parametrize("text", ["dattera m i n h", "det skrives M-I-N-H", "M.I.N.H.", "i m i n h i fjor",
                                  "kazla us kiene er det riktig", "hun het kazlaus kiene"])
def test_guard_matches_a_name_spelled_letter_by_letter_or_split_into_other_words(text):
    # Interviews spell names and automatic transcription cuts a name it does not know into words
    # it knows; both forms are the name.
    guard = Guard([("Minh", PERSON), ("Kazlauskiene", PERSON)])
    with pytest.raises(LeakError, match="PERSON"):
        guard.check(text, None)


@pytest.mark.parametrize("text", ["a b c d", "m i n", "mi nh", "vi så et berg en gang", "m-i-n-e"])
def test_a_spelling_or_a_split_is_the_name_only_when_it_spells_the_whole_name(text):
    place = type("T", (), {"type": "STED"})()
    Guard([("Minh", PERSON), ("Bergen", place), ("Lykke", PERSON)]).check(text, None)


@pytest.mark.parametrize("text", ["Jeg jobbet der t.o.m. 2019.", "m.a.o. var det greit", "det skrives t o m",
                                  "De kjøpte en ny gård i fjor.", "sola og sol berg"])
def test_an_abbreviation_an_ordinary_word_spelled_or_words_that_join_to_a_name_are_not_the_name(text):
    # "t.o.m." is an abbreviation, "tom" an ordinary word, and "ny gård" two words that happen to
    # join to a surname: matching them would replace them wherever the study writes them.
    Guard([("Tom", PERSON), ("Mao", PERSON), ("Nygård", PERSON), ("Solberg", PERSON)]).check(text, None)


def test_a_split_never_makes_an_ordinary_word_a_name():
    # "Lykke" is a word: the ordinary-word rule keeps "lyk ke" as it keeps "lykke".
    Guard([("Lykke", PERSON)]).check("det var lyk ke til", None)


@pytest.mark.parametrize("text", ["14086327164", "140863 27164", "14 08 63 271 64", "1408.6327/164", "14-08-63-27164",
                                  "fnr_14086327164", "14,08,63,271,64"])
def test_guard_matches_numbers_across_any_grouping(text):
    guard = Guard([("140863 27164", NUMBER)])
    with pytest.raises(LeakError, match="FØDSELSNUMMER"):
        guard.check(text, None)


def test_numbers_need_every_digit_and_short_ones_no_commas():
    guard = Guard([("92418337", type("T", (), {"type": "TELEFON"})()), ("123456", NUMBER)])
    guard.check("9241833", None)  # one digit short
    guard.check("92418338", None)
    guard.check("12,34,56", None)  # CSV columns, not a number of 6 digits
    with pytest.raises(LeakError):
        guard.check("12 34 56", None)


def test_a_refusal_names_the_setting_and_the_fix_never_the_identifier(make_study):
    settings = SETTINGS + 'report:\n  title: "Samtaler med Hilde Strand"\n'
    study = load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, informants="id,file,group\n1,a.txt,stayed\n",
                                  settings=settings))
    with pytest.raises(LeakError) as error:
        require_guard(study)
    message = str(error.value)
    assert "report.title" in message and "study.yaml" in message and "keep_terms" in message
    assert "hilde" not in message.lower() and "strand" not in message.lower()


def test_informant_attributes_pass_the_guard_and_detection_before_ingest_writes(make_study):
    from pipeline.ingest import ingest_study

    informants = "id,file,group,name,note\n1,a.txt,stayed,Hamid Rahimi,ring 924 18 337\n"
    study = load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, informants=informants, settings=SETTINGS))
    with pytest.raises(LeakError) as error:
        ingest_study(study)
    assert "column 'note', row 2" in str(error.value) and "TELEFON" in str(error.value)
    assert "924" not in str(error.value) and not study.store_path.exists() and not study.private_store_path.exists()


def test_a_number_is_found_between_group_boundaries_only():
    guard = Guard([("92418337", type("T", (), {"type": "TELEFON"})()), ("140863 27164", NUMBER)])
    for text in ("+47 924 18 337", "14086327164 92418337", "tlf: 0047-92418337"):
        with pytest.raises(LeakError):
            guard.check(text, None)
    short = Guard([("250 311", type("T", (), {"type": "NUMMER"})())])
    with pytest.raises(LeakError):
        short.check("beløpet 250.311 kroner", None)
    short.check("s92503118f", None)  # inside a longer id
    short.check("0.12503114", None)  # the middle digits of a decimal


def test_codebook_texts_pass_the_guard_before_they_reach_the_store(make_study):
    from pipeline.coding.stage import code_stage

    codebook = ('version: "1"\nname: K\ncodes:\n  - id: help\n    label: Hjelp\n    colour: "#1b9e77"\n'
                '    definition: Hjelp fra saksbehandler Hilde Strand.\n')
    study = load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, informants="id,file,group\n1,a.txt,stayed\n",
                                  settings=SETTINGS, codebook=codebook))
    with pytest.raises(LeakError) as error:
        code_stage(study)
    assert "codebook.yaml (code 1: definition)" in str(error.value) and "Strand" not in str(error.value)
    assert not study.store_path.exists()


def test_the_guards_of_one_key_are_one_guard_and_remember_only_clean_texts(make_study):
    """The stages of a run share the guard of their key, which does not read a text again that it
    found clean; a refused text is refused every time, and another key's guard reads it afresh."""
    from pipeline.anonymise.guard import guard_for_key
    from pipeline.anonymise.keystore import read_key_data

    study = make(make_study)
    guard = guard_with_key(study, PERSON="Farzana")
    assert require_guard(study) is guard
    assert guard_for_key(study, read_key_data(study)) is guard
    clean, leaking = "Vi snakket med Torvald i går.", "Vi snakket med Farzana i går."
    guard.check(clean, study.coded_dir / "x.csv")
    guard.check(clean, study.coded_dir / "x.csv")
    for _ in range(2):
        with pytest.raises(LeakError, match="PERSON"):
            guard.check(leaking, study.coded_dir / "x.csv")
    other = guard_with_key(study, PERSON="Torvald")
    assert other is not guard
    with pytest.raises(LeakError, match="PERSON"):
        other.check(clean, study.coded_dir / "x.csv")
    assert guard_with_key(study, PERSON="Farzana") is guard  # the first key's guard again


SEGMENT_HEADER = ("segment_id", "informant_id", "file", "turn_index", "speaker", "start", "end", "text")


def _counting_scans(guard, monkeypatch) -> list[str]:
    """The texts ``guard`` reads (scans) from now on; a text its memo holds is not among them."""
    scanned: list[str] = []
    payloads = guard._payloads
    monkeypatch.setattr(guard, "_payloads", lambda text: scanned.append(text) or payloads(text))
    return scanned


def test_an_export_cell_equal_to_a_checked_turn_is_not_read_again_and_one_differing_by_a_character_is(
        make_study, monkeypatch):
    from pipeline.store import Table, rows_to_csv

    study = make(make_study)
    guard = guard_with_key(study, PERSON="Farzana")
    turn = "Vi snakket med [PERSON_1] i går."
    guard.check(turn, study.store_path, "the anonymised transcript of informant 1")
    scanned = _counting_scans(guard, monkeypatch)
    rows = ((f"s{i}", "1", "1.txt", i, "informant", 0, len(text), text)
            for i, text in enumerate([turn, turn + " ", "Ja.", "Ja.", "=SUM(A1)"]))
    table = Table(SEGMENT_HEADER, tuple(rows), text_columns=("text",))
    target = study.coded_dir / "segments.csv"
    write_shareable(study.root, {target: table}, guard)
    assert target.read_text(encoding="utf-8") == rows_to_csv(list(SEGMENT_HEADER), table.rows)
    # the frame, the cell one character longer, "Ja." once, the formula as written (escaped)
    assert turn not in scanned and turn + " " in scanned and scanned.count("Ja.") == 1
    assert "'=SUM(A1)" in scanned and len(scanned) == 4
    assert all(s.startswith(",".join(SEGMENT_HEADER)) for s in scanned if "segment_id" in s)
    scanned.clear()
    write_shareable(study.root, {target: table}, guard)  # the coding stage writes the same table again
    assert scanned == []


def test_a_table_cell_or_the_cells_beside_it_holding_an_identifier_are_refused_and_nothing_is_written(
        make_study):
    from pipeline.store import Table

    study = make(make_study)
    guard = guard_with_key(study, PERSON="Farzana")
    target = study.coded_dir / "segments.csv"
    leaking = Table(SEGMENT_HEADER, (("s1", "1", "1.txt", 0, "informant", 0, 3, "Ja."),
                                     ("s2", "1", "1.txt", 1, "informant", 0, 22, "Vi snakket med Farzana.")),
                    text_columns=("text",))
    with pytest.raises(LeakError) as error:
        write_shareable(study.root, {target: leaking}, guard)
    assert "the 'text' column (row 2)" in str(error.value) and "farzana" not in str(error.value).lower()
    assert not target.exists()
    # The other cells are read together, in their rows, as the whole file was: a name across two of them.
    across = Table(("a", "b", "text"), (("Hamid", "Rahimi", "Ja."),), text_columns=("text",))
    with pytest.raises(LeakError, match="without its text columns"):
        write_shareable(study.root, {target: across}, guard)
    assert not target.exists()
