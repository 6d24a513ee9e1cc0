"""Sixteenth session, privE16 (issue 10): separators in the key matcher; two classes of false finds.

1. The key matcher and the guard read a separator alike: an underscore, a dot or a hyphen between a
   name's words, in any case ("Hamid_Rahimi", "hamid.rahimi", "HAMID-RAHIMI"), is the name for both,
   so the anonymiser replaces it from the key itself (not in the guard's after-round) and one person
   keeps one pseudonym.
2. A pronoun or form of address alone ("De", "Dere") and a speaker label ("Deltaker A", "Informant 3",
   "Intervjuer", "Tolk") are no names.

Invented names and sentences only (no gold set's text)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.anonymise.detection import Detection
from pipeline.anonymise.guard import Guard, guard_for_key
from pipeline.anonymise.matcher import StringMatcher, tokens_of
from pipeline.anonymise.operators import normalise
from pipeline.anonymise.stage import Anonymiser, fresh_key
from pipeline.settings import load_study

# Persons and places with two or three words, none of them an ordinary word (the ordinary-word
# rule, capitalised only, is the same for both and not what is tested here).
_NAMES = ["Hamid Rahimi", "Kari Nordmann", "Ingvild Halvorsrud", "Anne-Lise Dahle", "Mohammed Al Karimi",
          "Sigrid Bjørnstad", "Tor Erik Kvamme"]
_SEPARATORS = ["_", ".", "-", "__", "_-"]


def _joined(name: str, sep: str, case: str) -> str:
    text = sep.join(name.replace("-", " ").split())
    return {"title": text, "upper": text.upper(), "lower": text.lower()}[case]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("prive16") / "study"
    folder = root / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    for name in "ab":
        (folder / f"{name}.txt").write_text("I: Hei.\nIP: Hei.\n", encoding="utf-8")
    (root / "data" / "raw" / "informants.csv").write_text("id,file,group\n1,a.txt,a\n2,b.txt,a\n", encoding="utf-8")
    (root / "study.yaml").write_text("name: Teststudie\n", encoding="utf-8")
    from tests.conftest import NEUTRAL_CODEBOOK

    (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")
    return load_study(root)


def _run(study, name: str, turn: str, turn_dets: list[Detection] = ()):
    """Steps 2 and 3 over two transcripts: one that says ``name`` (detected), one with ``turn``
    (and ``turn_dets``, its detections)."""
    said = f"Vi snakket med {name} i går."
    start = said.index(name)
    files = {"a.txt": [(said, [Detection(start, start + len(name), "PERSON", 0.9, "ner", name)])],
             "b.txt": [(turn, list(turn_dets))]}
    anon = Anonymiser(study, fresh_key(study), {})
    outputs = anon.anonymise_study_texts(files, set())
    return anon, outputs, guard_for_key(study, anon.key.to_json())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(name=st.sampled_from(_NAMES), sep=st.sampled_from(_SEPARATORS),
       case=st.sampled_from(["title", "upper", "lower"]),
       before=st.sampled_from(["Filen het ", "Brukernavnet er ", "", "Se ", "jeg skrev "]),
       after=st.sampled_from([".docx", "_intervju.txt", " i chatten.", "", ", ikke sant?", "s kontor."]))
def test_a_key_name_joined_by_a_separator_is_replaced_by_the_key(study, name, sep, case, before, after):
    """The property: after steps 2 and 3 the guard finds nothing in the turn, and the key itself
    replaced the joined name (no replacement of the guard's after-round, ``GUARD_RECOGNIZER``)."""
    turn = before + _joined(name, sep, case) + after
    anon, outputs, guard = _run(study, name, turn)
    rendered = outputs["b.txt"][0]
    assert guard.leaks(rendered.text) == []
    assert [item for item in rendered.review if item["recognizer"] == "guard"] == []
    person = [e for e in anon.key.entities.values() if e.type == "PERSON"]
    assert len(person) == 1  # one person, one pseudonym, whatever the separators
    assert rendered.text.startswith(before) and rendered.text.endswith(after)  # only the name replaced


@pytest.mark.parametrize("form", ["Hamid_Rahimi", "HAMID-RAHIMI", "hamid.rahimi", "Hamid__Rahimi", "hamid_rahimi_"])
def test_the_matcher_finds_a_name_wherever_the_guard_does(form):
    entries = [("Hamid Rahimi", "PERSON")]
    text = f"Han skrev {form} på lappen."
    found = [(m.start, m.end) for m in StringMatcher(entries).find(text)]
    assert found == [(m.start, m.end) for m in Guard(entries).leaks(text)]
    start = text.index(form)
    assert found == [(start, start + len(form.rstrip("_")))]  # offsets of the raw text


def test_an_original_written_with_an_underscore_is_the_same_name():
    assert tokens_of("Hamid_Rahimi") == tokens_of("Hamid Rahimi") == ("hamid", "rahimi")
    assert normalise("PERSON", "Hamid_Rahimi") == normalise("PERSON", "Hamid Rahimi")
    # The guard reads a text's "_" as a space; an original holding one is read so too.
    assert [m.original for m in Guard([("Hamid_Rahimi", "PERSON")]).leaks("Hamid Rahimi kom.")] == ["Hamid_Rahimi"]


def test_a_spelled_name_with_underscores_is_found_like_one_with_hyphens():
    entries = [("Minh", "PERSON")]
    for text in ("Det staves M_I_N_H.", "Det staves M-I-N-H."):
        found = StringMatcher(entries).find(text)
        assert [text[m.start:m.end] for m in found] == [text[11:18]]
        assert [(m.start, m.end) for m in found] == [(m.start, m.end) for m in Guard(entries).leaks(text)]


def test_an_email_address_is_replaced_whole_where_a_name_of_the_key_is_in_it(study):
    name = "Hamid Rahimi"
    from pipeline.anonymise.recognizers import EmailRecognizer

    turn = "Skriv til hamid_rahimi@example.no eller til Hamid_Rahimi på Teams."
    email = EmailRecognizer().analyze(turn)
    assert [d.text for d in email] == ["hamid_rahimi@example.no"]
    anon, outputs, guard = _run(study, name, turn, email)
    rendered = outputs["b.txt"][0]
    kinds = [kind for _s, _e, kind, _id, _new in rendered.replaced]
    assert kinds[:2] == ["EPOST", "PERSON"]
    start, end = rendered.replaced[0][:2]
    assert turn[start:end] == "hamid_rahimi@example.no"
    assert "hamid" not in rendered.text.lower() and guard.leaks(rendered.text) == []


def _stage_texts(make_study, transcript: str, informants: str) -> tuple[str, dict]:
    """The anonymise stage's first run over one transcript: its segments' text and the key."""
    from pipeline.anonymise import anonymise_stage
    from pipeline.anonymise.keystore import read_key_data
    from pipeline.ingest import ingest_study
    from pipeline.store import StudyStore

    study = load_study(make_study({"a.txt": transcript}, informants=informants))
    ingest_study(study)
    anonymise_stage(study)  # raises LeakError where the guard refuses what the anonymiser wrote
    with StudyStore(study.store_path) as store:
        return " | ".join(s.text for s in store.segments()), read_key_data(study)


def test_first_run_replaces_an_informant_name_joined_by_separators_as_the_informant(make_study):
    # Before (main at f15b7fb): "Filen het [PERSON_1].docx, og a 1 sto på den." — the joined form
    # was a detected person of its own (key entity "Hamid_Rahimi"), a second pseudonym for the informant.
    text, key = _stage_texts(make_study, "I: Hva het filen?\nIP: Filen het Hamid_Rahimi.docx, og HAMID-RAHIMI sto på den.\n",
                             "id,file,group,name\n1,a.txt,a,Hamid Rahimi\n")
    assert "hamid" not in text.lower() and "rahimi" not in text.lower()
    assert text.count("a 1") == 2 and ".docx" in text  # the informant's pseudonym both times; the rest kept
    assert [e["originals"][0] for e in key["entities"] if e["type"] == "PERSON"] == ["Hamid Rahimi"]


def test_first_run_keeps_the_rest_of_a_file_name_that_joins_a_name(make_study):
    # Before: the model's span "Hamid_Rahimi_intervju" was one token and one person: "[PERSON_1].docx".
    text, key = _stage_texts(make_study, "I: Hvem var med?\nIP: Jeg heter Hamid Rahimi. Filen het Hamid_Rahimi_intervju.docx.\n",
                             "id,file,group,name\n1,a.txt,a,Hamid Rahimi\n")
    assert "Filen het a 1_intervju.docx." in text
    assert len([e for e in key["entities"] if e["type"] == "PERSON"]) == 1



@pytest.mark.parametrize("text,found,grown", [
    ("Naboen min Hamid_Rahimi kom i går.", "Hamid", "Hamid_Rahimi"),
    ("Filen het Hamid_Rahimi_intervju.docx.", "Hamid", "Hamid_Rahimi"),  # "intervju": a word, in lower case
    ("Filen het Intervju_Hamid_Rahimi.docx.", "Rahimi", "Hamid_Rahimi"),  # "Intervju": an ordinary word
    ("Mappa Kari_Nordmann_CV ligger her.", "Kari", "Kari_Nordmann"),  # "CV": an ordinary word
    ("Han het Hamid Rahimi.", "Hamid", "Hamid"),  # a space: the recognizers' own reading
])
def test_a_name_detected_in_part_of_an_underscore_join_takes_the_rest(text, found, grown):
    from pipeline.anonymise.analyzer import over_joined_parts

    start = text.index(found)
    d = Detection(start, start + len(found), "PERSON", 0.75, "context", found)
    assert [x.text for x in over_joined_parts(text, [d])] == [grown]


def test_a_joined_name_is_not_grown_into_another_replaced_span():
    from pipeline.anonymise.analyzer import over_joined_parts

    text = "Se Hamid_Rahimi her."
    first, last = Detection(3, 8, "PERSON", 0.75, "context", "Hamid"), Detection(9, 15, "PERSON", 0.9, "ner", "Rahimi")
    assert [x.text for x in over_joined_parts(text, [first, last])] == ["Hamid", "Rahimi"]


def test_first_run_replaces_the_whole_of_a_joined_name_a_cue_found_part_of(make_study):
    # Before: "Naboen min [PERSON_1]_Rahimi kom i går." — the cue "naboen min" took "Hamid" alone.
    text, key = _stage_texts(make_study, "I: Hvem kom?\nIP: Naboen min Hamid_Rahimi kom i går.\n",
                             "id,file,group\n1,a.txt,a\n")
    assert "Rahimi" not in text and "Hamid" not in text
    (person,) = [e for e in key["entities"] if e["type"] == "PERSON"]
    assert {"Hamid", "Rahimi"} <= set(person["originals"])  # its parts known, as a spaced name's are


# 2. False finds: a pronoun or form of address alone, a speaker label.

@pytest.mark.parametrize("word", ["Dere", "De", "Dykk", "Dei", "Deg", "Dokker", "Ho", "Me"])
def test_a_pronoun_or_form_of_address_is_never_a_name_alone(study, word):
    from pipeline.anonymise.dialect import closed_class_word

    assert closed_class_word(word)
    turn = f"{word} må gjerne fortelle litt om bakgrunnen."
    anon = Anonymiser(study, fresh_key(study), {})
    outputs = anon.anonymise_study_texts({"a.txt": [(turn, [Detection(0, len(word), "PERSON", 0.85, "ner", word)])]}, set())
    assert outputs["a.txt"][0].text == turn  # listed for review, not replaced
    assert not [e for e in anon.key.entities.values() if e.type == "PERSON"]


def test_a_name_on_the_pronoun_lists_stays_a_name():
    from pipeline.anonymise.dialect import closed_class_word

    assert not closed_class_word("Hans") and not closed_class_word("Dag")  # on the name lists


def _speaker_study(make_study, settings: str = "name: Teststudie\n", informants: str | None = None):
    root = make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, informants=informants, settings=settings)
    return load_study(root)


@pytest.mark.parametrize("turn,label", [
    ("Så bruker vi Deltaker A og B i referatet.", "Deltaker A"),
    ("Jeg kaller dere IP1 og IP2 i utskrifta.", "IP1"),
    ("Det sa Informant 3 også.", "Informant 3"),
    ("Som Intervjuer spør jeg om alt.", "Intervjuer"),
    ("Da oversatte Tolk det for oss.", "Tolk"),
])
def test_a_speaker_label_is_no_name(make_study, turn, label):
    study = _speaker_study(make_study)
    start = turn.index(label)
    anon = Anonymiser(study, fresh_key(study), {})
    dets = [Detection(start, start + len(label), "PERSON", 0.85, "ner", label)]
    outputs = anon.anonymise_study_texts({"a.txt": [(turn, dets)]}, set())
    assert outputs["a.txt"][0].text == turn


def test_a_name_after_a_speaker_label_is_still_found(make_study):
    study = _speaker_study(make_study)
    turn = "Deltaker A, Kari, sa at det gikk fint."
    anon = Anonymiser(study, fresh_key(study), {})
    dets = [Detection(0, 16, "PERSON", 0.85, "ner", turn[:16])]  # "Deltaker A, Kari": the model's span
    rendered = anon.anonymise_study_texts({"a.txt": [(turn, dets)]}, set())["a.txt"][0].text
    assert rendered.startswith("Deltaker A, ") and "Kari" not in rendered


def test_a_label_that_is_a_name_stays_a_name(make_study):
    # A study that labels its speakers by first name: the label "Ola" is a name (the name lists).
    study = _speaker_study(make_study, settings="name: Teststudie\nspeaker_labels:\n  informant: [Ola, IP]\n")
    turn = "Og Ola sa at det var fint."
    anon = Anonymiser(study, fresh_key(study), {})
    rendered = anon.anonymise_study_texts({"a.txt": [(turn, [Detection(3, 6, "PERSON", 0.85, "ner", "Ola")])]},
                                          set())["a.txt"][0].text
    assert "Ola" not in rendered


def test_labels_of_the_informants_table_are_speaker_labels(make_study):
    from pipeline.anonymise.sources import speaker_labels

    study = _speaker_study(make_study, informants="id,file,group,speaker_label\n1,a.txt,a,Samtalepartner\n")
    assert "Samtalepartner" in speaker_labels(study)


def test_an_informants_table_that_cannot_be_read_stops_the_speaker_labels_naming_the_file(make_study):
    # Read without the table, its labels would not be known as labels, nor its names as names.
    from pipeline.anonymise.sources import speaker_labels
    from pipeline.errors import QualpipeError

    study = _speaker_study(make_study, informants="id,file,group,speaker_label\n1,a.txt,a,Samtalepartner\n")
    table = study.raw_dir / "informants.csv"
    table.write_bytes(b"id;file\n\xff\xfe1;a.txt\n")
    with pytest.raises(QualpipeError, match="informants"):
        speaker_labels(study)


def test_the_guard_finds_an_email_address_of_the_key_that_holds_an_underscore():
    # Before, the original's tokens were ("hamid_rahimi", "example", "no") and the guard read the
    # text with "_" as a space: the address, left in a text, was never found (the guard failed open).
    from pipeline.anonymise.guard import _Typed

    guard = Guard([("hamid_rahimi@example.no", _Typed("EPOST"))])
    text = "Skriv til hamid_rahimi@example.no nå."
    assert [(m.start, m.end) for m in guard.leaks(text)] == [(10, 33)]
