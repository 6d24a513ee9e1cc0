"""Recall rules added after the blind gold set (docs/anonymisation.md, "Recall rules"): case numbers,
spoken e-mail and dates, cue and coordination names, lower-case transcripts. Each test also checks
the near miss the rule must leave alone."""

from __future__ import annotations

import pytest

from pipeline.anonymise.recognizers import CaseNumberRecognizer, DateRecognizer, EmailRecognizer


def found(recognizer, text, doc=None):
    return [(d.text, d.type) for d in recognizer.analyze(text, doc)]


# -------------------------------------------------------------- case numbers

@pytest.mark.parametrize("text,number", [
    ("Her står det, saksnummer 14/03318-2, fra Boligkontoret.", "14/03318-2"),
    ("vedtaket hadde nummer 16/11873, tror jeg", "16/11873"),
    ("saksnummer fra Husbanken, 201609871. Alt er her", "201609871"),
    ("referansenr. AB12345 står øverst", "AB12345"),
    ("journalnummer 2019/123456-12", "2019/123456-12"),
])
def test_case_numbers(text, number):
    assert found(CaseNumberRecognizer(), text) == [(number, "SAKSNUMMER")]


@pytest.mark.parametrize("text", ["vi kom i 05/2015", "åpent 24/7", "50/50 sjanse",
                                  "saksnummeret husker jeg ikke. Men i 2015 betalte vi 20000"])
def test_not_case_numbers(text):
    assert found(CaseNumberRecognizer(), text) == []


# -------------------------------------------------------------- spoken e-mail

@pytest.mark.parametrize("text,address", [
    ("ring meg, eller send e-post, krzysiek punktum nowak syttifire krøllalfa gmail punktum com",
     "krzysiek punktum nowak syttifire krøllalfa gmail punktum com"),
    ("e-posten min er kari.hansen alfakrøll online punktum no.", "kari.hansen alfakrøll online punktum no"),
    ("skriv til ola alfakrøll hotmail.com", "ola alfakrøll hotmail.com"),
])
def test_spoken_email(text, address):
    assert found(EmailRecognizer(), text) == [(address, "EPOST")]


def test_at_word_without_domain_is_no_email():
    assert found(EmailRecognizer(), "han sa at krøllalfa er vanskelig å si") == []


# -------------------------------------------------------------- spoken dates

@pytest.mark.parametrize("text,date", [
    ("Æ e født på valentinsdagen, fjortende februar nittenfemtiåtte, så", "fjortende februar nittenfemtiåtte"),
    ("vi flyttet tredje mai to tusen og ni", "tredje mai to tusen og ni"),
    ("den tjueførste juni 2003 kom vi", "den tjueførste juni 2003"),
])
def test_spoken_full_dates(text, date):
    assert found(DateRecognizer(), text) == [(date, "DATO")]


@pytest.mark.parametrize("text", ["andre mars nitten ganger", "andre mai tjue ganger", "første mai var fint"])
def test_ordinal_and_month_without_a_year_are_no_date(text):
    assert found(DateRecognizer(), text) == []


# ---------------------------------------------------------- gazetteer groups

@pytest.fixture(scope="module")
def nlp():
    from pipeline.nlp import load_nlp

    return load_nlp()


def names(recognizer, nlp, text, kind="PERSON"):
    return [d.text for d in recognizer.analyze(text, nlp(text)) if d.type == kind and d.score >= 0.5]


def test_gazetteer_knows_polish_hypocoristics_filipino_sami_and_tamil_names(nlp):
    from pipeline.anonymise.gazetteer import load_gazetteer
    from pipeline.anonymise.recognizers import GazetteerRecognizer

    g = load_gazetteer()
    for first in ("Kasia", "Gosia", "Tomek", "Wojtek", "Maricel", "Rodel", "Máret", "Áslat", "Meena", "Ganesh"):
        assert g.is_first(first), first
    for last in ("Bautista", "Hætta", "Selvarajah", "Huynh", "Kwiatkowski"):
        assert g.is_last(last), last
    # A hypocoristic in a lower-case transcription is found like any other lower-case name.
    assert "tomek" in names(GazetteerRecognizer(), nlp, "ja og tomek kom også, han jobber der")


def test_possessive_after_a_relation_word_is_no_name(nlp):
    from pipeline.anonymise.recognizers import GazetteerRecognizer

    # "Vår" is now a first name; "naboen vår" is still "our neighbour".
    assert names(GazetteerRecognizer(), nlp, "Naboen vår, Gunnar, han er pensjonist.") == ["Gunnar"]
