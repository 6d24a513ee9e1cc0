"""Fifteenth session, privA15: dialect number words; one gazetteer test for the two caseless
review rules (issue 10). Invented sentences only (no gold set's text)."""

from __future__ import annotations

import pytest

from pipeline.anonymise.lexicon import in_dictionary
from pipeline.anonymise.numbers import compound_forms, dialect_forms, number_runs
from pipeline.anonymise.recognizers import DateRecognizer


@pytest.mark.parametrize("text, digits", [
    ("han va søttan år da", "17"),          # y before a double consonant lowered: sytten/syttan
    ("det kosta søttifem kroner", "75"),    # read before too ("søtti" was listed): a control
    ("nummeret e kjuetre fire", "234"),     # tj written kj: tjue/kjue
    ("kjugeåtte", "28"),
    ("i nittensøtti", "1970"),              # a year in one word; read before too, a control
    ("det va tjuesøtten", "2017"),          # "søtten" is a dictionary word, but not inside a number
    ("kjuesøtten", "2017"),
])
def test_dialect_forms_of_number_words_are_read_as_numbers(text, digits):
    assert [r.digits for r in number_runs(text)] == [digits]


@pytest.mark.parametrize("word", ["søtten", "kjue"])
def test_a_dialect_form_that_is_an_ordinary_word_is_no_number_alone(word):
    # The form is a word of the dictionary: alone it would join runs it is no part of.
    assert in_dictionary(word)
    assert word not in dialect_forms("sytten") | dialect_forms("tjue")
    assert word in compound_forms("sytten") | compound_forms("tjue")
    assert not number_runs(f"det {word} kom")


@pytest.mark.parametrize("text, date", [
    ("det va første november tjuesøtten trur æ", "første november tjuesøtten"),
    ("fjortende juni nittensøttiåtte", "fjortende juni nittensøttiåtte"),
    ("den tredje mai kjue atten", "den tredje mai kjue atten"),
    ("første mai tjueatten", "første mai tjueatten"),     # the form before stays read
])
def test_a_date_with_its_year_in_dialect_words_is_one_date(text, date):
    assert [text[d.start:d.end] for d in DateRecognizer().analyze(text)] == [date]


@pytest.mark.parametrize("word", ["Tyrkia", "tyrkia", "TYRKIA", "Moen", "moen", "MOEN"])
def test_the_name_and_keep_lists_hold_a_word_in_any_case(word):
    from pipeline.anonymise.gazetteer import load_gazetteer

    assert load_gazetteer().is_listed(word)


def test_both_caseless_review_rules_ask_the_lists_the_same_way(tmp_path, monkeypatch):
    # One helper, one case rule: a word the lists hold (here: every word) is never released by
    # either rule, whatever its case; with the lists holding nothing, both release the word.
    from tests.conftest import NEUTRAL_CODEBOOK
    from pipeline.anonymise.detection import Detection
    from pipeline.anonymise.gazetteer import Gazetteer
    from pipeline.anonymise.stage import Anonymiser, fresh_key
    from pipeline.settings import load_study

    folder = tmp_path / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("I: Hei.\n", encoding="utf-8")
    (tmp_path / "data" / "raw" / "informants.csv").write_text("id,file,group\n1,a.txt,a\n", encoding="utf-8")
    (tmp_path / "study.yaml").write_text("name: Teststudie\n", encoding="utf-8")
    (tmp_path / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")
    study = load_study(tmp_path)
    anon = Anonymiser(study, fresh_key(study), {})
    cased = "Vi fikk huset i fjor, og huset var fint."
    caseless = "æ fikk huset og så Huset igjen"
    anon.start_study({"a.txt": [cased], "b.txt": [caseless]}, lower_files={"b.txt"})
    truecased = Detection(caseless.index("huset"), caseless.index("huset") + 5, "STED", 0.75, "ner", "Huset")
    captioned = Detection(caseless.index("Huset"), caseless.index("Huset") + 5, "STED", 0.75, "ner", "Huset")
    for listed in (False, True):
        monkeypatch.setattr(Gazetteer, "is_listed", lambda self, w, listed=listed: listed)
        assert anon._truecased_study_word(truecased, caseless) is not listed
        assert anon._caption_capital(captioned, caseless) is not listed


@pytest.mark.parametrize("text, found", [
    ("det va rune fossmo eller rune foss mo han", ["rune fossmo", "rune foss mo"]),  # said whole, then in words
    ("kari skjelvåg eh skjel våg nei", ["skjelvåg", "skjel våg"]),
    ("jeg bor på vågs bygd nå", ["vågs bygd"]),      # a place split, not all pieces words
])
def test_a_name_or_place_split_into_words_is_the_name(text, found):
    from pipeline.anonymise.matcher import StringMatcher

    matcher = StringMatcher([("Rune Fossmo", "PERSON"), ("Skjelvåg", "PERSON"), ("Vågsbygd", "STED")])
    assert [text[m.start:m.end] for m in matcher.find(text)] == found


@pytest.mark.parametrize("text", ["rune foss mo kom", "skjel våg", "en ny gård", "eg kjøpte spare banken"])
def test_words_that_spell_a_name_joined_are_words_unless_the_text_says_it_whole(text):
    # Every piece an ordinary word and the name not said whole in the text: the words. A firm's
    # name is matched whole only.
    from pipeline.anonymise.matcher import StringMatcher

    matcher = StringMatcher([("Rune Fossmo", "PERSON"), ("Skjelvåg", "PERSON"), ("Nygård", "PERSON"),
                             ("Sparebanken", "ORGANISASJON")])
    assert not matcher.find(text)
