"""Pattern gaps found by the second blind gold set (tests/data/anon_gold_blind2): hyphenated
fødselsnummer, account numbers read aloud with commas, addresses with a spaced house letter and a
floor in words, and phone numbers read aloud in number words. Each rule also has its near miss."""

from __future__ import annotations

import pytest

from pipeline.anonymise.recognizers import AddressRecognizer, IdNumberRecognizer, PhoneRecognizer


def found(recognizer, text, kind=None):
    return [(d.text, d.type) for d in recognizer.analyze(text) if kind is None or d.type == kind]


# -------------------------------------------------------------- fødselsnummer

def test_hyphenated_fodselsnummer():
    text = "Personnummer, 050262-39992, kontonummer for trygda"
    assert found(IdNumberRecognizer(), text) == [("050262-39992", "FØDSELSNUMMER")]


def test_hyphenated_number_failing_check_digits_is_left_alone():
    assert found(IdNumberRecognizer(), "Personnummer, 050262-39993, sa jeg") == []


# -------------------------------------------------------------- account numbers

@pytest.mark.parametrize("number", ["3179, 41, 98937", "3179,41,98937", "3179 41 98937", "3179.41.98937"])
def test_account_separators(number):
    assert found(IdNumberRecognizer(), f"jeg leste opp fra kortet: {number}. Og så") == [(number, "KONTONUMMER")]


def test_comma_list_failing_mod11_is_no_account():
    assert found(IdNumberRecognizer(), "vi betalte 3179, 41, 98938 kroner") == []


# -------------------------------------------------------------- addresses

@pytest.mark.parametrize("address", [
    "Nymannsveien 41 B, andre etasje", "Nymannsveien 41 b, 2. etasje", "Nymannsveien 41, tredje etasje",
    "Nymannsveien 41 B, 1. etg.",
])
def test_address_with_house_letter_and_floor(address):
    text = f"vi budde i {address}, og det hadde me gjort"
    assert found(AddressRecognizer(), text, "ADRESSE") == [(address, "ADRESSE")]


def test_floor_word_without_comma_is_not_part_of_address():
    text = "Nymannsveien 41 andre etasjer"
    assert found(AddressRecognizer(), text, "ADRESSE") == [("Nymannsveien 41", "ADRESSE")]


# -------------------------------------------------------------- phone numbers read aloud

@pytest.mark.parametrize("text,phone", [
    ("i styret, Per Olav Dahle, nittito, femtitre, null ni, seksti. Han hjalp", "nittito, femtitre, null ni, seksti"),
    ("ringe Tor Egil, fire åtte, to sju, en ni, seks tre, han vet", "fire åtte, to sju, en ni, seks tre"),
    ("nummeret er seksti to, førti fem, tjueen, tolv", "seksti to, førti fem, tjueen, tolv"),
    ("han ringte en, nittito, femtitre, null ni, seksti", "nittito, femtitre, null ni, seksti"),
])
def test_spoken_phone(text, phone):
    assert found(PhoneRecognizer(), text) == [(phone, "TELEFON")]


@pytest.mark.parametrize("text", [
    "det skjedde to, tre ganger i fjor",
    "to, tre, fire, fem, seks, sju, åtte, ni",  # counting, not a number
    "null ni, femti, femti, tjue",  # eight digits, but a first digit 0 is no Norwegian phone number
    "tretti tre, femten ni null seks",  # seven digits
])
def test_number_talk_is_no_phone(text):
    assert found(PhoneRecognizer(), text) == []
