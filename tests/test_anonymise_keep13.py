"""Session 13 (privA13): what a keep term written in lower case keeps — the ordinary word, not the
capitalised name mid-sentence nor a capitalised word inside a name of several words — in the one
rule the anonymiser, the learned recognizer and the guard share (matcher.KeepTerms). Words and
names invented here (stein, sol, hegre), none taken from a gold set."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.anonymise.guard import Guard, _Typed
from pipeline.anonymise.matcher import KeepTerms, lower_case_term
from pipeline.errors import LeakError


def kept(terms, text):
    return [text[m.start:m.end] for m in KeepTerms(terms).find(text)]


@pytest.mark.parametrize("text, expected", [
    ("han bar ein stein opp", ["stein"]),  # the word, in lower case
    ("steinar og steinen", []),  # word boundaries: another word
    ("Stein er tungt å bere.", ["Stein"]),  # the capital of a sentence's start
    ("Ja. Stein, det er tungt.", ["Stein"]),
    ("Vi snakka med Stein i går.", []),  # the name mid-sentence
    ("Stein Hegre ringte i går.", []),  # opening a sentence, but a name of several words
    ("Eg møtte Stein Hegre.", []),
    ("Stein [PERSON_2] ringte.", []),  # the tag the anonymiser left for the rest of the name
    ("Det sa STEIN.", []),  # in capitals: not the lower-case word
])
def test_a_lower_case_keep_term_keeps_the_ordinary_word_only(text, expected):
    assert kept(["stein"], text) == expected


def test_a_keep_term_written_with_a_capital_keeps_every_case_as_before():
    assert kept(["Stein"], "Vi snakka med Stein, stein og STEIN. Stein Hegre.") == ["Stein", "stein", "STEIN", "Stein"]
    assert kept(["NAV"], "nav, Nav og NAV") == ["nav", "Nav", "NAV"]
    # Both forms listed: each keeps what its rule keeps, together every case.
    assert kept(["sol", "Sol"], "sola og sol, og Sol Hegre") == ["sol", "Sol"]


def test_a_lower_case_term_of_several_words_keeps_its_words_in_lower_case_and_a_sentence_s_capital():
    assert kept(["leie til eie"], "Leie til eie er bra. Vi fekk leie til eie.") == ["Leie til eie", "leie til eie"]
    assert kept(["leie til eie"], "ordninga Leie Til Eie") == []


def test_holds_says_whether_a_whole_string_as_written_is_a_keep_term():
    keep = KeepTerms(["stein", "NAV", "leie til eie"])
    assert keep.holds("stein") and not keep.holds("Stein")  # "Stein" detected as a name is no keep term
    assert keep.holds("Nav") and keep.holds("nav")
    assert keep.holds("leie til eie") and not keep.holds("Leie til eie")
    assert not keep.holds("Stein Hegre")
    assert lower_case_term("startlån") and not lower_case_term("Startlån") and not lower_case_term("2019")


def test_the_guard_refuses_the_capitalised_name_mid_sentence_beside_a_lower_case_keep_term():
    guard = Guard([("Stein", _Typed("PERSON"))], keep=["stein"])
    guard.check("Han bar ein stein. Stein er tungt.", Path("x.csv"), "test")  # the word, and a sentence's capital
    with pytest.raises(LeakError):
        guard.check("Vi snakka med Stein i går.", Path("x.csv"), "test")
    with pytest.raises(LeakError):
        guard.check("Stein [PERSON_2] ringte.", Path("x.csv"), "test")
    # Written with a capital, the term keeps the name too, as before.
    Guard([("Stein", _Typed("PERSON"))], keep=["Stein"]).check("Vi snakka med Stein.", Path("x.csv"), "test")


def test_the_stage_replaces_the_name_and_keeps_the_word(make_study):
    from pipeline.anonymise.stage import anonymise_study
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    # A deny list finds the name wherever it stands (no model needed); the keep term decides.
    text = ("I: Kven hjelpte deg?\n"
            "IP: Eg snakka med Stein på kontoret. Han bar ein stein for meg.\n"
            "I: Og så?\n"
            "IP: Stein er tungt å bere. Stein Hegre kom òg.\n")
    settings = ("name: T\nanonymisation:\n  keep_terms: [stein]\n  recognizers:\n    mine:\n"
                "      entity: PERSON\n      deny: [Stein, Stein Hegre]\n")
    study = load_study(make_study({"a.txt": text}, settings=settings))
    ingest_study(study)
    result = anonymise_study(study)  # the guard fails closed: the name left would raise LeakError
    out = [t.text for turns in result.outputs.values() for t in turns]
    assert "med Stein på" not in out[1] and "ein stein for" in out[1], out
    assert out[3].startswith("Stein er tungt") and "Hegre" not in out[3], out


def test_an_informant_whose_first_name_is_a_lower_case_keep_term_is_replaced_where_it_is_the_name(make_study):
    from pipeline.anonymise.stage import anonymise_study
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    # Before, the keep term "sol" left the informant's "Sol" out of the key and the guard altogether.
    text = ("I: Hei.\nIP: Eg heiter Sol Hegre.\nI: Og vêret?\n"
            "IP: Sola skin, og sol er godt. Dei ringer Sol i morgon.\n")
    informants = "id,file,group,name\n1,a.txt,a,Sol Hegre\n"
    study = load_study(make_study({"a.txt": text}, informants=informants,
                                  settings="name: T\nanonymisation:\n  keep_terms: [sol]\n"))
    ingest_study(study)
    result = anonymise_study(study)
    out = [t.text for turns in result.outputs.values() for t in turns]
    assert "Hegre" not in out[1] and "Sol" not in out[1], out
    assert "ringer Sol" not in out[3] and "og sol er godt" in out[3] and out[3].startswith("Sola skin"), out


def test_the_built_in_list_is_kept_in_any_case_though_it_is_read_in_lower_case():
    # Gazetteer.builtin_keep holds "polen", "kiwi", "finn.no" in lower case: names, kept in any case.
    assert kept(["polen", "kiwi", "finn.no"], "fra Polen, på Kiwi og Finn.no") == ["Polen", "Kiwi", "Finn.no"]
    assert KeepTerms(["polen"]).holds("Polen")


def test_the_guard_reads_the_researcher_s_texts_with_the_same_rule_in_the_folded_spelling_too():
    # study.yaml's texts pass guard.written_words: a keep term spelled as a file name writes it
    # ("startlan") is kept, but a lower-case term keeps only the lower-case word there too.
    guard = Guard([], keep=["startlån", "stein"])
    guard.check_fields([("study.yaml (report.title)", "Om startlan og stein")], Path("study.yaml"))
    with pytest.raises(LeakError):
        guard.check_fields([("study.yaml (report.title)", "Samtale med Stein Strand")], Path("study.yaml"))
    Guard([], keep=["Stein Strand"]).check_fields([("study.yaml (report.title)", "Samtale med Stein Strand")],
                                                Path("study.yaml"))


def test_in_a_turn_without_sentence_punctuation_a_capital_says_nothing_of_a_lower_case_term():
    # Captions capitalise words anywhere ("det var Mitt jeg sydde Stein på"): the word may open a sentence.
    caption = "og så sa hun at det var Mitt og jeg bar Stein opp hele bakken der i går kveld"
    assert kept(["stein"], caption) == ["Stein"]
    assert kept(["stein"], caption.replace("Stein opp", "Stein Hegre opp")) == []  # a name of two words
    assert kept(["stein"], "Vi bar Stein opp bakken.") == []  # a punctuated turn: the name
