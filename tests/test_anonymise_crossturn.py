"""The transcript recognizers (crossturn.py): declared components of the registry, switched off
by study.yaml like any other, part of the detection cache key."""

from __future__ import annotations

import pytest

from pipeline.anonymise.analyzer import detect
from pipeline.anonymise.detection import TranscriptRecognizer
from pipeline.anonymise.registry import default_registry
from pipeline.settings import AnonymisationSettings

TRANSCRIPT_RECOGNIZERS = ("phone_split", "checked_split", "case_split", "number_continued", "number_echo", "name_clipped",
                          "street_repeat", "split_join")

# One transcript with each form once: a phone number said over two turns, an account number
# resumed after a pause in a later turn, a case number's digits said again in the next turn, a
# fødselsnummer over two turns, a person's clipped name, a case number cut at its slash, a street
# said again alone.
TURNS = [
    "Du kan ringe mobilen min, åtti sju, tre tre –",
    "Augneblink, eg finn ein penn.",
    "fire fem, null ein.",
    "Kontonummeret mitt, vent, det er tolv null fire, tjueto…",
    "Ta den tid du treng.",
    "…fem seks sju åtte ni, ja.",
    "Saka har saksnummer 2019/5521 hos dei.",
    "Ja, fem fem to ein, det var den.",
    # A fødselsnummer read out over two turns (invented; its control digits hold).
    "Fødselsnummeret hans er 120385 …",
    "Ja, 123 56.",
    # A clipped name, an ordinary word, given after the name in another turn (invented).
    "Sønnen min heter Rasmus.",
    "Ja, alle sier ras.",
    # A case number cut at its slash, its rest in the next turn but one (invented).
    "Vedtaket hadde nummer tjueein stryk",
    "Mhm.",
    "fire fire sju sju, står det.",
    # A street said again alone after its address (invented; "skogsveg" is a dictionary word).
    "Vi bur i Skogsvegen 14 B no.",
    "Skogsvegen, ja.",
]


def settings(**recognizers) -> AnonymisationSettings:
    return AnonymisationSettings.model_validate({"recognizers": recognizers})


def found(registry) -> set[tuple[int, int, int, str, str]]:
    return {(i, d.start, d.end, d.type, d.recognizer) for i, dets in enumerate(detect(TURNS, registry)) for d in dets}


@pytest.fixture(scope="module")
def everything():
    # The model is not needed for these forms: the registry without the recognizers that read the Doc.
    return found(_without_doc(default_registry(settings())))


def _without_doc(registry):
    for r in list(registry):
        if r.needs_doc:
            registry.remove(r.name)
    return registry


def test_they_are_registered_components_that_run_after_the_per_turn_ones():
    registry = default_registry(settings())
    names = registry.names
    for name in TRANSCRIPT_RECOGNIZERS:
        recognizer = next(r for r in registry if r.name == name)
        assert isinstance(recognizer, TranscriptRecognizer) and recognizer.version
        assert recognizer.supported_entities
    per_turn = [n for n in names if n not in TRANSCRIPT_RECOGNIZERS]
    assert names == per_turn + list(TRANSCRIPT_RECOGNIZERS)


def test_each_finds_its_form(everything):
    by = {name: [(i, TURNS[i][s:e], k) for i, s, e, k, r in sorted(everything) if r == name]
          for name in TRANSCRIPT_RECOGNIZERS}
    assert by["phone_split"] == [(0, "åtti sju, tre tre", "TELEFON"), (2, "fire fem, null ein", "TELEFON")]
    # The first piece alone is six digits, a NUMMER (no account number yet): the piece takes its type.
    assert by["number_continued"] == [(5, "fem seks sju åtte ni", "NUMMER")]
    assert by["number_echo"] == [(7, "fem fem to ein", "SAKSNUMMER")]
    assert by["case_split"] == [(12, "tjueein stryk", "SAKSNUMMER"), (14, "fire fire sju sju", "SAKSNUMMER")]
    assert by["street_repeat"] == [(16, "Skogsvegen", "STED")]


# split_join acts only in a transcript without capitals, which these turns are not; its switch is
# tested on one in tests/test_anonymise_split_names.py.
@pytest.mark.parametrize("name", [n for n in TRANSCRIPT_RECOGNIZERS if n != "split_join"])
def test_switching_one_off_removes_exactly_its_detections(everything, name):
    off = default_registry(settings(**{name: {"enabled": False}}))
    assert name not in off
    without = found(_without_doc(off))
    assert without == {f for f in everything if f[4] != name}
    assert without != everything


def test_an_allow_list_applies_to_them():
    allowed = _without_doc(default_registry(settings(number_echo={"allow": ["fem fem to ein"]})))
    assert not any(f[4] == "number_echo" for f in found(allowed))


def test_a_single_text_is_a_transcript_of_one_turn():
    echo = next(r for r in default_registry(settings()) if r.name == "number_echo")
    text = "Avtalen har nr. KV-5521, lett å hugse: fem fem to ein, som hytta."
    from pipeline.anonymise.detection import Detection

    given = [Detection(16, 23, "SAKSNUMMER", 0.9, "case_number", "KV-5521")]
    assert [(d.text, d.type, d.score) for d in echo.analyze(text, None, given)] == [("fem fem to ein", "SAKSNUMMER", 0.7)]
    assert echo.analyze(text) == []


@pytest.mark.parametrize("name", TRANSCRIPT_RECOGNIZERS)
def test_the_cache_key_changes_with_the_switch(make_study, name):
    from pipeline.anonymise.stage import detection_config
    from pipeline.settings import load_study

    study = load_study(make_study({"a.txt": "I: Hei\nIP: Hei\n"}))
    base = detection_config(study, default_registry(study.settings.anonymisation))
    off = detection_config(study, default_registry(settings(**{name: {"enabled": False}})))
    allowed = detection_config(study, default_registry(settings(**{name: {"allow": ["tolv"]}})))
    assert len({base, off, allowed}) == 3
