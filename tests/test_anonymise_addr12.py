"""Address forms the address recognizer did not take at the start of the twelfth session
(docs/anonymisation.md, "Twelfth session: addr12"), by class. Every street, name and number here
is invented (none is a gold set's), each class with near misses that must stay unmasked."""

from __future__ import annotations

import pytest

from pipeline.anonymise.recognizers import AddressRecognizer


def addresses(text):
    return [d.text for d in AddressRecognizer().analyze(text) if d.type == "ADRESSE"]


# ------------------------------------------------------------------ Sami street nouns
@pytest.mark.parametrize("text,address", [
    ("Vi fikk en treroms i Guolbanluodda 7 C, rett ved butikken", "Guolbanluodda 7 C"),
    ("kontoret hennes er i Čáhppesgeaidnu 21, andre etasje", "Čáhppesgeaidnu 21, andre etasje"),
    ("han bor i Sieiddabálggis 9 nå", "Sieiddabálggis 9"),
    ("de flytta til Vuollegáhta 3 B i fjor", "Vuollegáhta 3 B"),
    ("møtet var på Márkanšillju 2", "Márkanšillju 2"),
    # written apart after a name, as a street named after a person is
    ("brevet kom fra Ánte Joná geaidnu 5 i Kárášjohka", "Ánte Joná geaidnu 5"),
    # in lower case, as a caption writes it, the number in words; and without the Sami letters
    ("vi bor i biekkaluodda tolv b nå", "biekkaluodda tolv b"),
    ("adressa er Cuoppogeaidnu 14, leilighet 2", "Cuoppogeaidnu 14, leilighet 2"),
])
def test_sami_street_nouns(text, address):
    assert address in addresses(text)


@pytest.mark.parametrize("text", [
    "vi bodde i Guovdageaidnu i ti år",  # a place ending in a Sami street noun, without a number
    "det var i Guovdageaidnu 2019, tror jeg",  # ... and a year after it
    "Ráidalas 4 var bratt",  # "ráidalas" (a stair) is no street noun
])
def test_sami_street_near_misses(text):
    assert addresses(text) == []


# ------------------------------------------------------------------ a written-apart noun capitalised by truecasing
@pytest.mark.parametrize("text,address", [
    # a caption's "kvitmyr haugen sju" as truecasing gives it: both words capitalised
    ("før det bodde vi i Kvitmyr Haugen sju, nede ved elva", "Kvitmyr Haugen sju"),
    ("de leide i Lerstad Sletta tolv b i tre år", "Lerstad Sletta tolv b"),
    ("adressa var Ospholt Bakken 14", "Ospholt Bakken 14"),
])
def test_apart_street_noun_capitalised(text, address):
    assert address in addresses(text)


@pytest.mark.parametrize("text", [
    "jeg ringte Ingrid Haugen to ganger",  # a first name and a surname that is a street noun; counted
    "så kom Ingrid Haugen fire minutter for seint",
    "jeg snakket med Marte Sletta 4 dager etter",
    "vi gikk ned Bakken to ganger",  # a stop word before the noun
    "Jeg møtte Tore Bakken 12 mai",  # a first name before it
])
def test_apart_street_noun_capitalised_near_misses(text):
    assert addresses(text) == []


# ------------------------------------------------------------------ an indefinite street noun written apart
@pytest.mark.parametrize("text,address", [
    ("vi bor i fjellsrud ring 3 nå", "fjellsrud ring 3"),
    ("han bor i Vestby park 12 B", "Vestby park 12 B"),
    ("de bodde i grønnli vei sju før de kjøpte", "grønnli vei sju"),
    # the name itself cut in two pieces by the caption, the second a dictionary word
    ("i en blokk i hessel moen torg ni og der var det kaldt", "hessel moen torg ni"),
    ("Kvams lia ring fem var den første", "Kvams lia ring fem"),
])
def test_apart_indefinite_street_noun(text, address):
    assert address in addresses(text)


@pytest.mark.parametrize("text", [
    "så sa kari ring to av dem",  # a first name before the verb "ring"
    "kari sa ring to ganger",
    "dama sa at vi må ring fem",  # a stop word before it
    "det var en stor park to kilometer unna",
    "gikk over plass fire",
    "vi hadde god plass fire stykker",  # dictionary words before the noun
    "hjemme gate to var stengt",
])
def test_apart_indefinite_street_noun_near_misses(text):
    assert addresses(text) == []


# ------------------------------------------------------------------ a place, a house number and a letter where someone lives
@pytest.mark.parametrize("text,address", [
    ("Dei bur no i Ospeneset 14 C, like ved sjøen", "Ospeneset 14 C"),
    ("hun bor fortsatt på tveitaneset 7 b med ungene", "tveitaneset 7 b"),
    ("de flytta til Storskjæret tre B i fjor", "Storskjæret tre B"),
    ("leiligheten i Kvitholmen 22 D var for liten", "Kvitholmen 22 D"),
    # the floor and the flat after it, as after a street
    ("hun bor på Ospeneset 14 C, 2. etasje, leilighet 3 nå", "Ospeneset 14 C, 2. etasje, leilighet 3"),
])
def test_place_with_house_number_and_letter_after_residence_cue(text, address):
    assert address in addresses(text)


@pytest.mark.parametrize("text", [
    "vi bodde i Bodø 2 år",  # a count, no letter
    "han bor i Storskjæret to a sa hun",  # a lower-case letter after a number word: a pronoun in dialect
    "vi bor i byen 2 a",  # a Norwegian word in lower case
    "Ospeneset 14 C var fint",  # no residence cue (no street noun either)
    "bor i Oslo, 2 A",
])
def test_place_with_house_number_and_letter_near_misses(text):
    assert addresses(text) == []


def test_residence_cue_before_a_street_adds_no_second_address():
    text = "vi budde i Lyngtuvegen 9 C, tredje etasje, og det"
    assert addresses(text) == ["Lyngtuvegen 9 C, tredje etasje"]
