"""A month with its year said in two bare digits ("i januar 21, og da ..."): a date (number_form)."""

from __future__ import annotations

import pytest

from pipeline.anonymise.unexplained import NumberFormRecognizer


def dates(text: str) -> list[str]:
    return [d.text for d in NumberFormRecognizer().analyze(text) if d.type == "DATO"]


@pytest.mark.parametrize("text, date", [
    ("Ja, så vart veslejenta fødd, i januar 21, og da vart det for trongt.", "januar 21"),
    ("vi gikk fra hverandre i mars 19 og da måtte eg betale alt", "mars 19"),
    ("Vi flytta inn til oktober 23.", "oktober 23"),
    ("Det var sidan sept. 18", "sept. 18"),
])
def test_a_month_and_a_two_digit_year_after_a_preposition_of_time(text, date):
    assert date in dates(text)


@pytest.mark.parametrize("text", [
    "vi var i januar 21 dagar på hytta",       # a count before its noun
    "i mars 12.30 kom han",                    # a time
    "fra mai 20 prosent av lønna",             # an amount
    "januar 21, og da vart det trongt",        # no preposition of time before the month
    "i januar 2021 og 21 ganger til",          # the year in four digits: the other rule; 21 counts
])
def test_two_digits_that_count_or_tell_the_time_are_no_year(text):
    assert not any(d.endswith((" 21", " 12", " 20")) for d in dates(text))
