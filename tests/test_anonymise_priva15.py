"""Fifteenth session, privA15: dialect number words; one gazetteer test for the two caseless
review rules (issue 10). Invented sentences only (no gold set's text)."""

from __future__ import annotations

import pytest

from pipeline.anonymise.lexicon import in_dictionary
from pipeline.anonymise.numbers import compound_forms, dialect_forms, number_runs
from pipeline.anonymise.recognizers import DateRecognizer


@pytest.mark.parametrize("text, digits", [
    ("han va søttan år da", "17"),          # y before a double consonant lowered: sytten/syttan
    ("det kosta søttifem kroner", "75"),
    ("nummeret e kjuetre fire", "234"),     # tj written kj: tjue/kjue
    ("kjugeåtte", "28"),
    ("i nittensøtti", "1970"),              # a year said in one word, its tens in dialect form
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
