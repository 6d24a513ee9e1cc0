"""privB14: a local firm named by a place-like word and its trade, in lower case (slots.trade_firm).

Every form is invented (no gold set's text); each class has near misses that stay unmasked."""

from __future__ import annotations

import pytest

from pipeline.anonymise.cues import CASELESS
from pipeline.anonymise.detection import ORG
from pipeline.anonymise.slots import OrgFormRecognizer


@pytest.fixture(scope="module")
def firms():
    rec = OrgFormRecognizer()

    def found(text):
        return {(d.text, d.score) for d in rec.analyze(text) if d.type == ORG}

    return found


def test_a_word_nothing_explains_before_a_trade_is_a_firm_in_any_transcript(firms):
    assert firms("takstmannen kom frå grønnevik byggkontroll og såg på badet") == {("grønnevik byggkontroll", 0.7)}
    assert firms("vi fekk tindvik tre og tak til å leggje nytt tak") == {("tindvik tre og tak", 0.7)}
    assert firms("han jobba på kvitmyrdal sag i mange år") == {("kvitmyrdal sag", 0.7)}
    # The trade in capitals (a caption's emphasis) and a compound split by speech recognition.
    assert firms("så mista han jobben på lindvik Vaktmester og drift") == {("lindvik Vaktmester og drift", 0.7)}
    assert firms("takstmannen fra vest bygg kontroll han sa") == {("vest bygg kontroll", CASELESS)}


def test_a_compound_or_rare_word_before_a_trade_is_a_firm_only_where_case_says_nothing(firms):
    # Words the dictionary explains (a compound, a rare form): the stage raises CASELESS in a
    # transcript written in lower case and drops it elsewhere.
    assert firms("vi solgte gjennom fjellgard eigedom den gongen") == {("fjellgard eigedom", CASELESS)}
    assert firms("litt lån i bryggen kreditt i tillegg") == {("bryggen kreditt", CASELESS)}


def test_a_trade_after_an_adjective_an_owner_or_an_article_is_no_firm(firms):
    for text in ("jeg jobber i bygg og anlegg", "vi måtte bytte rør og bad", "det var et lekk tak",
                 "det var en faglig vurdering", "de kjøpte fast eiendom", "det er kommunal drift",
                 "han er vaktmester og snekker", "kommunens vurdering var at", "det er husbankens vurdering",
                 "leilighetens takst var høy", "legen gjorde en grundig vurdering", "fikk ei ny vurdering",
                 "vi hadde to bad og tre soverom", "det var mye tre og tak", "nav sin vurdering",
                 "han er utdanna innen elektro og maling", "eg jobbar på sag", "studielån og kreditt",
                 "borettslaget skal rehabilitere rør neste år", "dei har renovert bad og kjøkken"):
        assert firms(text) == set(), text


def test_a_generic_noun_alone_ends_no_firm(firms):
    # "bad", "tak", "tre", "drift" end a firm's name only beside another trade.
    for text in ("det var grønnevik bad", "på solbrekk tak", "i kvitmyrdal drift"):
        assert firms(text) == set(), text


def test_without_og_only_a_compound_tail_joins_a_second_trade(firms):
    # "tre" after a trade is the number, not a second trade ("tre og tak" needs the og).
    assert {text for text, _score in firms("lånet i kvitmyrdal sparebank tre prosent")} == {"kvitmyrdal sparebank"}


def test_a_name_word_truecasing_capitalised_is_read_as_its_lower_case(firms):
    # A caseless transcript is read truecased: an unknown word comes capitalised ("Kvitmyrdal sag").
    assert firms("han jobba på Kvitmyrdal sag i mange år") == {("Kvitmyrdal sag", 0.7)}
    # Opening a sentence, or an acronym, the capital says nothing.
    assert firms("Kvitmyrdal sag var stengt.") == set()
    assert firms("han var hos NAV regnskap") == set()
