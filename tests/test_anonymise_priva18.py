"""Session 18 (privA18): firms named by their trade, bank or chain and their region ("Coop Nord",
"SpareBank 1 Nord-Norge", "eigedomsmeklar vest"), a trade firm of two partners ("krogh og vik
eiendom"), a street said again alone after its address, and a case number cut at its slash over two
turns. Firms, streets and numbers invented here, none taken from a gold set."""

from __future__ import annotations

import pytest

from pipeline.anonymise.analyzer import apply_keep
from pipeline.anonymise.crossturn import CaseSplitRecognizer, StreetRepeatRecognizer, street_of
from pipeline.anonymise.detection import ADRESSE, ORG, SAK, STED, Detection
from pipeline.anonymise.gazetteer import load_gazetteer
from pipeline.anonymise.matcher import KeepTerms
from pipeline.anonymise.numbers import split_cases
from pipeline.anonymise.recognizers import names_more_than_kept
from pipeline.anonymise.registry import default_registry
from pipeline.anonymise.slots import OrgFormRecognizer, region_follows, regional_firms
from pipeline.settings import AnonymisationSettings


def firms(text, **switches):
    return [d.text for d in OrgFormRecognizer(load_gazetteer(), **switches).analyze(text) if d.type == ORG]


# ------------------------------------------------------------------ regional firms

@pytest.mark.parametrize("text, name", [
    ("vi selde gjennom eigedomsmeklar vest i fjor", "eigedomsmeklar vest"),
    ("så solgte vi gjennom eiendoms megler nord på torget", "eiendoms megler nord"),  # a compound written apart
    ("litt lån i spare banken sør vest", "spare banken sør vest"),
    ("det kom en rørlegger fra rørkjappen nord i går", "rørkjappen nord"),  # a trade opening an unlisted compound
    ("en kar fra takst og bygg nord sa det", "takst og bygg nord"),
    ("Hun jobber på Coop Nord om sommeren.", "Coop Nord"),
    ("Eg fekk brev frå SpareBank 1 Nord-Noreg i går.", "SpareBank 1 Nord-Noreg"),
    ("Vi brukte Eiendomsmegler 1 Midt-Norge. Det gikk fint.", "Eiendomsmegler 1 Midt-Norge"),
    ("Det var en mann fra Takstfirmaet Sørøst i byen.", "Takstfirmaet Sørøst"),
])
def test_a_trade_bank_or_chain_and_its_region_is_a_firm(text, name):
    assert name in firms(text)
    assert name not in firms(text, regions=False)  # the mechanism, not another rule, finds it


@pytest.mark.parametrize("text", [
    "de kom fra ein liten by nord for grensa",  # a direction
    "vi har to leiligheter midt i sentrum",  # a position
    "det kom et nytt bygg nord i byen",  # a trade noun after an article and an adjective
    "det var Kari Nord som ringte",  # a first name before a surname
    "NAV Vest ringte meg",  # an acronym and its office: the keep list's business
    "Han reiste nord i fjor.",
])
def test_a_direction_a_position_or_a_person_is_no_regional_firm(text):
    assert regional_firms(text, load_gazetteer()) == []


def test_a_listed_place_before_a_compass_word_is_a_part_of_a_town():
    assert regional_firms("vi bor i Trondheim sør nå", load_gazetteer()) == []


def test_region_follows():
    assert region_follows(" Nord, og så")
    assert region_follows(" Nord-Norge om at lånet")  # "om" after a region of the country
    assert not region_follows(" nord for byen")
    assert not region_follows(" midt på natta")
    assert not region_follows(" Extra på torget")


def test_a_kept_chain_before_its_region_stays_in_the_firms_name():
    g = load_gazetteer()
    assert names_more_than_kept("Coop", " Nord")
    assert not names_more_than_kept("Coop", " Extra")  # a chain's format, kept with the chain
    keep = KeepTerms(["Coop", "SpareBank 1", "Nord-Norge"], g)
    for text, name in [("Lønnsslippene kom fra Coop Nord, sa hun.", "Coop Nord"),
                       ("Æ fikk brev fra SpareBank 1 Nord-Norge om lånet.", "SpareBank 1 Nord-Norge")]:
        s = text.index(name)
        d = Detection(s, s + len(name), ORG, 0.85, "org_form", name)
        assert [x.text for x in apply_keep(text, [d], keep, g)] == [name]


# ------------------------------------------------------------------ a trade firm of two partners

def test_a_trade_firm_of_two_partners_takes_both_names():
    text = "vi solgte gjennom brekke og vik eiendom i fjor"
    assert "brekke og vik eiendom" in firms(text)
    assert "brekke og vik eiendom" not in firms(text, partners=False)
    # Truecased (a caseless transcript is read so): the unknown word capitalised, the place not.
    assert "Brekkø og vik eiendom" in firms("vi solgte gjennom Brekkø og vik eiendom i fjor")
    # An ordinary word before "og" is no partner: the firm begins at its name word.
    assert "hus og vik eiendom" not in firms("vi hadde hus og vik eiendom")


# ------------------------------------------------------------------ a street said again alone

def test_the_street_of_an_address():
    assert street_of("Granliveien 8 A, leilighet 3") == "Granliveien"
    assert street_of("Kong Sverres gate 12") == "Kong Sverres gate"
    assert street_of("Lundegata 7B") == "Lundegata"
    assert street_of("nummer sju oppi lundvegen") is None  # the number first


def _found(texts, *spans):
    found = [[] for _ in texts]
    for i, text, kind in spans:
        s = texts[i].index(text)
        found[i].append(Detection(s, s + len(text), kind, 0.95, "address", text))
    return found


def test_a_street_said_again_alone_is_a_place():
    texts = ["Vi fikk en leilighet i Granliveien 8 A, leilighet 3.", "Hvor var det igjen?", "Ja, ja. Granliveien."]
    out = StreetRepeatRecognizer().analyze_transcript(texts, _found(texts, (0, "Granliveien 8 A, leilighet 3", ADRESSE)))
    assert [(i, d.text, d.type) for i, d in out] == [(2, "Granliveien", STED)]
    # Without the address nothing says the word is a street.
    assert StreetRepeatRecognizer().analyze_transcript(texts, [[] for _ in texts]) == []


def test_the_street_repeat_is_registered_and_can_be_switched_off():
    assert "street_repeat" in default_registry(AnonymisationSettings()).names
    settings = AnonymisationSettings(recognizers={"street_repeat": {"enabled": False}})
    assert "street_repeat" not in default_registry(settings).names


# ------------------------------------------------------------------ a case number cut at its slash

def test_a_case_number_cut_at_its_slash_over_two_turns():
    texts = ["ja det sto på brevet det va tjuefire stryk", "mm", "sju åtte ni null trur æ og så kom brevet"]
    pieces = [texts[i][s:e] for i, s, e in split_cases(texts)]
    assert pieces == ["tjuefire stryk", "sju åtte ni null"]
    out = CaseSplitRecognizer().analyze_transcript(texts, [[] for _ in texts])
    assert [(i, d.text, d.type) for i, d in out] == [(0, "tjuefire stryk", SAK), (2, "sju åtte ni null", SAK)]
    written = ["Saksnummeret var 19/\n04412, og det kom i posten."]
    assert [written[i][s:e] for i, s, e in split_cases(written)] == ["19/", "04412"]


@pytest.mark.parametrize("texts", [
    ["vi flytta i mai 05/", "2019 kom vi hit"],  # a month and a year
    ["det va tjuefire", "sju åtte ni null"],  # no slash: two numbers
    ["det va tjuefire stryk", "to hundre kroner"],  # an amount
])
def test_no_case_number_without_its_slash_or_with_an_amount(texts):
    assert split_cases(texts) == []


# ------------------------------------------------------------------ the dot read aloud inside a number

def test_an_account_number_read_with_its_dots_is_one_number():
    from stdnum.no import kontonr

    from pipeline.anonymise.numbers import findings

    digits = "12345678903"  # a made-up number passing the mod 11 check
    assert kontonr.is_valid(digits)
    words = dict(zip("0123456789", "null en to tre fire fem seks sju åtte ni".split()))
    said = " ".join(words[c] for c in digits[:4]) + " punktum " + " ".join(words[c] for c in digits[4:6]) \
        + " punktum " + " ".join(words[c] for c in digits[6:])
    text = f"kontonummeret er {said} sa han"
    found = findings(text)
    assert [(text[f.start:f.end], f.type) for f in found] == [(said, "KONTONUMMER")]


@pytest.mark.parametrize("text", [
    "taksten var to komma en million",  # "komma" is the decimal mark, no separator
    "kanskje ett-to-tre, eh, én komma to, én komma tre",
])
def test_a_decimal_said_with_komma_is_no_identifier(text):
    from pipeline.anonymise.numbers import findings

    assert findings(text) == []
