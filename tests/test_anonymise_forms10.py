"""Forms of addresses, numbers and e-mail that sets 9-16 showed the session-start code missing
(docs/anonymisation.md, "Tenth session: forms10"), by class. Every form here is written anew
(other streets, numbers and names than the sets'), each with near misses that must stay unmasked."""

from __future__ import annotations

import pytest

from pipeline.anonymise.numbers import findings
from pipeline.anonymise.recognizers import AddressRecognizer, CaseNumberRecognizer, EmailRecognizer
from pipeline.anonymise.unexplained import NumberFormRecognizer
from pipeline.anonymise.recognizers import IdNumberRecognizer, NumberRecognizer, PhoneRecognizer


def spans(recognizer, text, kind):
    return [d.text for d in recognizer.analyze(text) if d.type == kind]


def structured(text):
    base = [IdNumberRecognizer(), PhoneRecognizer(), EmailRecognizer(), AddressRecognizer(), CaseNumberRecognizer(),
            NumberRecognizer()]
    found = [d for r in base for d in r.analyze(text)]
    return found + NumberFormRecognizer().analyze(text, None, found)


# ------------------------------------------------------------------ addresses
@pytest.mark.parametrize("text,address", [
    # the street noun written apart from its name, in lower case
    ("før det budde vi i hestnes bakken sju, rett ved skolen", "hestnes bakken sju"),
    ("dei flytta til kaldheim terrasse nummer elleve i fjor", "kaldheim terrasse nummer elleve"),
    # a street noun the list lacked, in lower case, with its letter
    ("leiligheten lå i tuvebrekka 17 b, en fireroms", "tuvebrekka 17 b"),
    # the house number read digit by digit: "en" is a digit there, not the article
    ("Vi bor i Ospeveien en to B nå", "Ospeveien en to B"),
    # "nummer" before the house number, and an entrance after it
    ("i Granlivegen nummer tre og førti, oppgang C, tredje etasje", "Granlivegen nummer tre og førti, oppgang C"),
    # the flat by its cue word, also without a space, and its digits spaced as a caption writes them
    ("de kjøpte i Furubrekka 8 A, leil.412 i fjor", "Furubrekka 8 A, leil.412"),
    ("på Nordlia 6 C, bolig U0102. Hun", "Nordlia 6 C, bolig U0102"),
    ("i tjernhaugen terrasse nummer fem, leilighet h 0 3 0 2. det", "tjernhaugen terrasse nummer fem, leilighet h 0 3 0 2"),
])
def test_address_forms(text, address):
    assert address in spans(AddressRecognizer(), text, "ADRESSE")


@pytest.mark.parametrize("text", [
    "vi gikk ned bakken to ganger",  # a stop word before the noun
    "han syklet opp den bakken fem ganger",
    "det var en stor terrasse to meter bred",  # a dictionary word before the noun
    "han bodde i gata en stund",  # the article after a street noun
])
def test_address_near_misses(text):
    assert spans(AddressRecognizer(), text, "ADRESSE") == []


# ------------------------------------------------------------------ e-mail read aloud with pauses
def test_spoken_email_with_commas_for_pauses():
    text = "det er morten punktum aas, krøllalfa, bydel punktum no, med to s"
    assert spans(EmailRecognizer(), text, "EPOST") == ["morten punktum aas, krøllalfa, bydel punktum no"]
    # a comma elsewhere still ends the local part; an at-word without a domain is no address
    assert spans(EmailRecognizer(), "skriv til meg, krøllalfa er vanskelig å si", "EPOST") == []


# ------------------------------------------------------------------ a self-correction with dashes
def test_fnr_corrected_with_dashes_for_pauses():
    # 14086327164, valid; the wrong digits and "nei" are masked with it
    text = "det var fjorten null åtte seks tre to- nei- seks tre, to sju en seks fire, ok"
    [found] = findings(text)
    assert found.type == "FØDSELSNUMMER" and found.digits == "14086327164"
    assert text[found.start:found.end].startswith("fjorten") and text[found.start:found.end].endswith("fire")
    assert findings("det var vel to- nei- tre ganger") == []


# ------------------------------------------------------------------ case numbers
@pytest.mark.parametrize("text,case", [
    ("på brevet stod saksnummer nitten strek tre hundre og åtte, trur eg", "saksnummer nitten strek tre hundre og åtte"),
    ("eg fekk referanse KRV 5530 i posten", "referanse KRV 5530"),
])
def test_case_number_cued(text, case):
    assert case in spans(CaseNumberRecognizer(), text, "SAKSNUMMER")


@pytest.mark.parametrize("text", [
    "saksnummer på fire hundre og tolv tusen kroner",  # an amount after the cue: no separator said
    "referanse i 2015 var grei",
])
def test_case_number_cue_near_misses(text):
    assert spans(CaseNumberRecognizer(), text, "SAKSNUMMER") == []


def test_lower_case_letter_code_joins_its_number():
    text = "dei hadde eit eige nummer, kv 2020 00 3318 eller noko"
    assert "kv 2020 00 3318" in [d.text for d in structured(text) if d.type == "SAKSNUMMER"]
    # a lower-case word before a number is no letter code
    text = "det var på 2020 00 3318 da"
    assert not any(d.text.startswith("på") for d in structured(text))


# ------------------------------------------------------------------ a switchboard number and its extension
def test_extension_joins_the_phone_number():
    text = "ring sentralbordet, 55 12 40 00, lokal 2284, så får du meg"
    assert "55 12 40 00, lokal 2284" in [d.text for d in structured(text) if d.type == "TELEFON"]


def test_extension_before_a_phone_number_stays_its_own():
    text = "jeg sitter på internnummer 5102 via sentralbordet, 55 12 40 00"
    phones = [d.text for d in structured(text) if d.type == "TELEFON"]
    assert "5102" in phones and "55 12 40 00" in phones


def test_street_written_apart_after_truecasing():
    # truecasing capitalises a listed place before the street noun ("Storås bakken"); a capitalised
    # stop word before it stays none ("Ned bakken to ganger")
    assert "Kvisvik bakken tre" in spans(AddressRecognizer(), "vi bodde i Kvisvik bakken tre før", "ADRESSE")
    assert spans(AddressRecognizer(), "Ned bakken to ganger", "ADRESSE") == []


def test_extension_span_survives_the_merge():
    # the joined span keeps the sure phone number's score, so the merge does not cut the cue word out
    from pipeline.anonymise.analyzer import merge

    text = "ring sentralbordet, 55 12 40 00, lokal 2284, så får du meg"
    replaced, _weak = merge(text, structured(text), 0.5)
    assert [(d.text, d.type) for d in replaced] == [("55 12 40 00, lokal 2284", "TELEFON")]


def test_a_place_before_siden_and_a_year_is_no_street():
    assert spans(AddressRecognizer(), "og jeg har bodd i Halden siden 2011. Jeg", "ADRESSE") == []
    assert spans(AddressRecognizer(), "bodde i Kvisvik bakken 2014 og", "ADRESSE") == []
