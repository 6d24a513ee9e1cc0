"""Session 16 (privD16): association and firm names with a place. An association named by an
adjective of origin or a compound kind takes its place after the kind as part of its name ("Tamilsk
forening Brattvik", "Eritreisk kvinneforening i Ulvøy", "Pensjonistforeningen i Sørvåg",
"leieboerforeningen Lyngbø og omegn"); a kept place before two trade words joined by "og" is a firm's
name ("Brattvik Fisk og Sjømat"); the fishing and building trades close a firm's name. Places,
associations and firms invented here, none taken from a gold set."""

from __future__ import annotations

import pytest

from pipeline.anonymise.analyzer import apply_keep
from pipeline.anonymise.detection import ORG, Detection
from pipeline.anonymise.gazetteer import load_gazetteer
from pipeline.anonymise.matcher import KeepTerms
from pipeline.anonymise.recognizers import InstitutionRecognizer, names_more_than_kept


def found(text, keep_terms=frozenset()):
    return [(d.text, d.type) for d in InstitutionRecognizer(keep_terms=set(keep_terms)).analyze(text)
            if d.type == ORG]


@pytest.mark.parametrize("text, name", [
    ("Vi møtes i Tamilsk forening Brattvik kvar veke.", "Tamilsk forening Brattvik"),
    ("Ho er med i Eritreisk kvinneforening i Ulvøy.", "Eritreisk kvinneforening i Ulvøy"),
    ("Han leiar Litauiske foreining på Sørvåg no.", "Litauiske foreining på Sørvåg"),
    ("Vi har Polsk forening Nord-Ulvøy her.", "Polsk forening Nord-Ulvøy"),  # a hyphenated place
    ("Ho er i Tamilsk forening i Nordre Brattvik.", "Tamilsk forening i Nordre Brattvik"),  # two words
    ("Dei gjekk til Pensjonistforeningen i Sørvåg.", "Pensjonistforeningen i Sørvåg"),
    ("Pensjonistforeningen i Sørvåg hjelper oss.", "Pensjonistforeningen i Sørvåg"),  # a compound, opening
    ("og så er det leieboerforeningen Lyngbø og omegn som hjelper", "leieboerforeningen Lyngbø og omegn"),
])
def test_an_associations_place_after_its_kind_is_part_of_its_name(text, name):
    assert (name, ORG) in found(text)


def test_a_kept_place_after_the_kind_stays_in_the_name():
    # The study keeps its municipality; the association named by it is still the identifier.
    assert ("Tamilsk forening Brattvik", ORG) in found("Også fra Tamilsk forening Brattvik: spør kommunen.",
                                                       {"Brattvik"})
    g = load_gazetteer()
    keep = KeepTerms(["Brattvik"], g)
    text = "Også fra Tamilsk forening Brattvik: spør kommunen."
    s = text.index("Tamilsk")
    d = Detection(s, s + len("Tamilsk forening Brattvik"), ORG, 0.9, "institution", "Tamilsk forening Brattvik")
    assert [x.text for x in apply_keep(text, [d], keep, g)] == ["Tamilsk forening Brattvik"]


@pytest.mark.parametrize("text", [
    "vi har ein tamilsk forening i byen",  # lower-case speech: a description
    "Det finst ein tamilsk forening i Brattvik.",  # a lower-case adjective: a description, not a name
    "Vi har en kurdisk forening her.",
    "foreningen i Sarpsborg er bra",  # the kind alone is the common noun
    "Foreningen i Sarpsborg er bra.",
    "Velforeningen på Brattvik er aktiv.",  # a kind of the list alone, not a compound naming members
    "vi er med i pensjonistforeningen i Sørvåg",  # after "i" the compound is written as a name
    "foreningane i Brattvik samarbeider",  # the plural names no one association
])
def test_a_kind_and_a_place_without_a_name_are_no_name(text):
    assert found(text) == []


@pytest.mark.parametrize("text, name", [
    ("Vi møtes i Tamilsk forening på Teams.", "Tamilsk forening"),  # an English word is no place
    ("Dei er i Tamilsk forening på Facebook.", "Tamilsk forening"),  # a service kept by default
    ("Han var i Tamilsk forening Ali sa.", "Tamilsk forening"),  # a first name that is no place
    ("Vi budde i Granly borettslag på Ulvøy.", "Granly borettslag"),  # a name word names it alone
    ("Ho spelar i Lyngbø idrettslag i Brattvik.", "Lyngbø idrettslag"),
    ("Tamilsk forening\nBrattvik er fin.", "Tamilsk forening"),  # the next line is not the name
    ("eg var i Tamilsk forening i Brattvik Vi møttes der", "Tamilsk forening i Brattvik"),  # a caption's next clause
])
def test_the_place_is_joined_only_where_it_completes_the_name(text, name):
    assert found(text)[0] == (name, ORG)


@pytest.mark.parametrize("rest, expected", [
    (" Fisk og Sjømat", True), (" Bygg og Anlegg", True), (" Rør og Bad", True),
    (" Fisk", True), (" Sjømat", True), (" Anlegg", True),  # the trade words close a firm's name alone
    (" Per og Kari", False),  # two first names: two people
    (" og Ulvøy", False), (" fisk og sjømat", False),  # lower case: the nouns
])
def test_a_kept_place_before_trade_words_names_the_firm(rest, expected):
    assert names_more_than_kept("Brattvik", rest) is expected


def test_apply_keep_leaves_the_firm_whole():
    g = load_gazetteer()
    keep = KeepTerms(["Brattvik"], g)
    text = "Så mista eg jobben på Brattvik Fisk og Sjømat same hausten."
    s = text.index("Brattvik")
    d = Detection(s, s + len("Brattvik Fisk og Sjømat"), ORG, 0.75, "org_form", "Brattvik Fisk og Sjømat")
    assert [x.text for x in apply_keep(text, [d], keep, g)] == ["Brattvik Fisk og Sjømat"]
    # Two people after the kept place: the place stays kept.
    text = "Eg snakka med Brattvik Per og Kari."
    s = text.index("Brattvik")
    d = Detection(s, s + len("Brattvik Per og Kari"), ORG, 0.75, "org_form", "Brattvik Per og Kari")
    assert [x.text for x in apply_keep(text, [d], keep, g)] == ["Per og Kari"]


@pytest.mark.parametrize("text, name", [
    ("Han jobbar på Ulvøy Sjømat no.", "Ulvøy Sjømat"),
    ("Ho var på Sørvåg Havbruk i ti år.", "Sørvåg Havbruk"),
    ("Vi kjøpte materialar frå Lyngbø Trelast.", "Lyngbø Trelast"),
])
def test_the_fishing_and_building_trades_close_a_firms_name(text, name):
    assert (name, ORG) in found(text)


@pytest.mark.parametrize("text", [
    "vi kjøpte fisk på kaia", "æ et mykje fisk og sjømat", "dei bygde eit nytt anlegg der",
    "han jobba med oppdrett og havbruk", "mannen min er entreprenør", "Fisk og sjømat er bra.",
    "han dreiv med fiskeri heile livet", "ho kjøpte trelast",
])
def test_the_trade_words_in_ordinary_speech_are_no_firm(text):
    assert found(text) == []


def test_the_recognizer_version_is_bumped():
    # The detection cache keys on it: version 5's cached detections lack the places.
    assert InstitutionRecognizer.version == "6"


def test_a_transcript_without_capitals_is_read_truecased():
    # Truecasing capitalises the adjective before the kind (its rule 5) and the place no dictionary
    # holds (rule 2); the recognizer then reads the name as written with capitals.
    from pipeline.anonymise.casing import truecase

    assert ("Tamilsk forening Brattvik", ORG) in found(truecase("vi har tamilsk forening brattvik her"))
    assert found(truecase("vi har en tamilsk forening i byen")) == [("Tamilsk forening", ORG)]


def test_the_new_trades_in_lower_case_are_left_to_the_learned_model():
    # "fjordlys fisk" is a firm, but in lower case "fisk" and "anlegg" are everyday nouns: no rule here.
    assert found("jeg jobber på fjordlys fisk nede ved kaia") == []
    assert found("jeg jobber på fjordlys eiendom nede ved kaia") == [("fjordlys eiendom", ORG)]  # an older trade
