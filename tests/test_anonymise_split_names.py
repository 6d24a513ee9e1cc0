"""split_join (pipeline/anonymise/split_names.py): a name a speech recogniser wrote as lower-case
pieces, none of them found, joined where the join is a name. Every form here is invented but
"lippestad", a surname of the NorNE list."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.anonymise.detection import PERSON, STED, Detection
from pipeline.anonymise.registry import default_registry
from pipeline.anonymise.split_names import SplitNameRecognizer, norne_surnames
from pipeline.settings import AnonymisationSettings

CASELESS = ["i: hei og velkommen hit", "ip: takk for det", "i: hvor bodde dere først",
            "ip: det husker jeg godt", "i: og hvem hjalp dere", "ip: det var mange"]


def hits(text: str) -> list[tuple[str, str, str]]:
    return [(text[s:e], kind, reason) for s, e, kind, reason in SplitNameRecognizer().turn_hits(text)]


def test_a_join_that_is_a_listed_first_name_in_a_name_frame():
    # "tor" and "geir" are words; joined a listed first name, after "det var" and before "fra".
    assert hits("det var tor geir fra nav han ringte") == [("tor geir", PERSON, "listed")]
    # The same pieces in no frame of a name stay words ("tor geir" then a verb that is no clause opener).
    assert hits("dei tor geir ikkje gjere det") == []


def test_a_join_that_is_a_norne_surname_read_by_the_join_only():
    assert "lippestad" in norne_surnames()
    assert hits("vi snakka med lippe stad hun jobber der") == [("lippe stad", PERSON, "listed")]


def test_a_stem_and_a_farm_element_after_a_first_name_or_a_place_preposition():
    assert hits("ho va flink kari eller lunde voll som det står") == [("lunde voll", PERSON, "farm")]
    assert hits("vi bodde på bjørke sett i mange år") == [("bjørke sett", STED, "farm")]
    assert hits("oppe ved kverne vannet er det fint") == [("kverne vannet", STED, "farm")]


def test_ordinary_phrases_of_an_adjective_or_function_word_and_a_noun_are_no_names():
    for text in ("mange bor i ulike land i dag", "en elg på åpen myr", "i over hundre land",
                 "kom han sen hjem", "det var han sen til", "vi var på by en", "ho går i hall en",
                 # an article or possessive first: its noun follows ("mi" + "kael" joins to a listed name)
                 "og så kom mi kael han var sint"):
        assert hits(text) == [], text


def test_a_name_found_whole_is_left_to_the_others_half_of_one_is_joined():
    r = SplitNameRecognizer()
    text = "det var tor geir fra nav han ringte"
    assert r.turn_hits(text, taken=[(8, 16)]) == []
    # One piece found alone is half the name: the join completes it.
    assert r.turn_hits(text, taken=[(12, 16)]) == [(8, 16, PERSON, "listed")]


def test_the_echo_of_a_name_found_in_another_turn_of_the_transcript():
    texts = CASELESS + ["ip: vi fikk hjelp av sunniva vuoristo på kontoret", "ip: så ringte vuor isto oss igjen"]
    found = [[] for _ in texts]
    name = texts[6].index("sunniva vuoristo")
    found[6] = [Detection(name, name + len("sunniva vuoristo"), PERSON, 0.9, "ner", "sunniva vuoristo")]
    out = SplitNameRecognizer().analyze_transcript(texts, found)
    assert [(i, d.text, d.type, d.recognizer) for i, d in out] == [(7, "vuor isto", PERSON, "split_join_echo")]
    # Nothing found elsewhere: the pieces are no listed name and no farm name, so they stay.
    assert SplitNameRecognizer().analyze_transcript(texts, [[] for _ in texts]) == []


def test_no_echo_of_pieces_that_are_words_one_by_one():
    # A compound some recognizer took for a name in one turn ("startlån") is no evidence that its
    # words said apart in another ("start lån") are one.
    texts = CASELESS + ["ip: vi fikk startlån fra banken", "ip: start lån var greit for oss"]
    found = [[] for _ in texts]
    at = texts[6].index("startlån")
    found[6] = [Detection(at, at + len("startlån"), PERSON, 0.9, "learned", "startlån")]
    assert SplitNameRecognizer().analyze_transcript(texts, found) == []


def test_a_transcript_with_capitals_writes_a_name_whole():
    texts = [t.capitalize() for t in CASELESS] + ["Det var tor geir fra NAV han ringte."]
    assert SplitNameRecognizer().analyze_transcript(texts, [[] for _ in texts]) == []


def test_registered_last_and_switched_off_by_the_study():
    assert default_registry(AnonymisationSettings()).names[-1] == "split_join"
    settings = AnonymisationSettings(recognizers={"split_join": {"enabled": False}})
    assert "split_join" not in default_registry(settings)


TRANSCRIPT = ("I: hei og velkommen hit\nIP: takk det var tor geir fra nav han hjalp oss mye\n"
              "I: og hvor bodde dere da\nIP: vi bodde på bjørke sett i mange år\n"
              "I: hvem andre hjalp dere\nIP: ho va flink kari eller lunde voll som det står på lappen\n"
              "I: takk skal du ha\nIP: bare hyggelig\n")


@pytest.mark.parametrize("enabled", [True, False])
def test_the_stage_replaces_the_split_names_of_a_caseless_transcript_for_review(make_study, enabled):
    from pipeline.anonymise import anonymise_stage
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    from pipeline.store import StudyStore

    settings = "name: Teststudie\n" + ("" if enabled else
                                       "anonymisation:\n  recognizers:\n    split_join: {enabled: false}\n")
    study = load_study(make_study({"a.txt": TRANSCRIPT}, settings=settings))
    ingest_study(study)
    anonymise_stage(study)
    with StudyStore(study.store_path) as store:
        text = " ".join(s.text for s in store.segments())
    # Without the join the other rules take the stem alone and leave the element behind it
    # ("på [STED_1] sett", "eller [PERSON_3] voll"): half a name, which identifies.
    left = [piece for piece in ("] sett i mange", "] voll som") if piece in text]
    assert left == ([] if enabled else ["] sett i mange", "] voll som"])
    assert "tor geir" not in text and "bjørke" not in text and "lunde" not in text


NORNE = Path(__file__).resolve().parents[2] / "shared" / "data" / "norne"


def test_the_norne_surnames_are_no_words_and_no_gazetteer_entries():
    from pipeline.anonymise.gazetteer import load_gazetteer
    from pipeline.anonymise.lexicon import in_dictionary

    names = norne_surnames()
    assert len(names) > 500
    assert [n for n in names if in_dictionary(n)] == []
    assert not load_gazetteer().is_name("lippestad")  # read by the join only, never as a name found alone


@pytest.mark.skipif(not (NORNE / "ndt" / "nob").is_dir(), reason="NorNE not in ../shared/data/norne")
def test_the_build_gives_the_shipped_surnames(tmp_path):
    import importlib.util
    from importlib import resources

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_norne_surnames", root / "tools" / "build_norne_surnames.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.main(str(NORNE), str(tmp_path))
    shipped = resources.files("pipeline.anonymise").joinpath("data", "norne_last.txt").read_text(encoding="utf-8")
    assert (tmp_path / "norne_last.txt").read_text(encoding="utf-8") == shipped
