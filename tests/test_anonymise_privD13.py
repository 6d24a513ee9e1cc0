"""Session 13 (privD13): a keep term protects the word it is, not a longer name made of it — a kept
place before an institution or firm word is part of that name (recognizers.names_more_than_kept, read
by the institution recognizer and by analyzer.apply_keep). Places, institutions and firms invented
here (Brattvik, Ulvøy), none taken from a gold set."""

from __future__ import annotations

import pytest

from pipeline.anonymise.analyzer import apply_keep, merge
from pipeline.anonymise.detection import ORG, PERSON, STED, Detection
from pipeline.anonymise.gazetteer import load_gazetteer
from pipeline.anonymise.matcher import StringMatcher
from pipeline.anonymise.recognizers import InstitutionRecognizer, names_more_than_kept


@pytest.mark.parametrize("rest", [
    " sjukeheim", " omsorgssenter", " barneskule", " ungdomsskole", " barnehage", " mottak", " asylmottak",
    " Rådhus", " rådhus",  # nouns in any case: captions capitalise at random
    " Sparebank", " Eigedom", " Eiendom", " Elektro", " IL", " AS", " Bygg og Anlegg", " idrettslag"])
def test_a_kept_place_before_an_institution_or_firm_word_names_more_than_the_place(rest):
    assert names_more_than_kept("Brattvik", rest)


@pytest.mark.parametrize("term, rest", [
    ("Brattvik", " kommune"), ("Brattvik", " kommunes"), ("Brattvik", " fylkeskommune"),  # the kept place itself
    ("NAV", " Heimdal"), ("NAV", " mottak"),  # an acronym is an organisation: the word after it says which part
    ("Brattvik", " bygg"), ("Brattvik", " service"),  # the trade words in lower case are the nouns
    ("Brattvik", " heile tida"), ("Brattvik", " skulen"),  # no institution word ("skulen" is the noun)
])
def test_what_stays_the_kept_term(term, rest):
    assert not names_more_than_kept(term, rest)


def found(recognizer, text):
    return [d.text for d in recognizer.analyze(text)]


def test_the_institution_recognizer_finds_a_name_made_of_a_kept_place():
    rec = InstitutionRecognizer(keep_terms={"Brattvik", "Ulvøy"})
    assert found(rec, "Dei går på Brattvik barneskule no.") == ["Brattvik barneskule"]
    assert found(rec, "Eg har lån i Ulvøy Sparebank.") == ["Ulvøy Sparebank"]
    assert found(rec, "Han jobbar i Brattvik Eigedom.") == ["Brattvik Eigedom"]
    # The kept place's own administration stays kept, as before.
    assert found(rec, "Eg jobbar i Brattvik kommune.") == []
    assert found(InstitutionRecognizer(), "Eg jobbar i Brattvik kommune.") == ["Brattvik kommune"]


def test_apply_keep_leaves_a_name_made_of_a_kept_term_whole_and_still_cuts_an_office_or_a_person():
    g = load_gazetteer()
    keep = StringMatcher([(k, "KEEP") for k in ("Brattvik", "NAV", "Brattvik kommune")], g, strict_common=False,
                         digit_types=set())
    text = "Mor bur på Brattvik sjukeheim, og eg var på NAV Heimdal og i Brattvik kommune."
    def at(words, kind, rec="ner"):
        s = text.index(words)
        return Detection(s, s + len(words), kind, 0.75, rec, words)
    dets = [at("Brattvik sjukeheim", ORG), at("NAV Heimdal", ORG), at("Brattvik kommune", ORG, "institution")]
    kept = apply_keep(text, dets, keep, g)
    assert [(d.text, d.type) for d in kept] == [("Brattvik sjukeheim", ORG), ("Heimdal", STED)]
    # A kept place that no list knows, before a capitalised word that is no institution word: cut, as before.
    text = "Eg snakka med Brattvik Hansen."
    s = text.index("Brattvik")
    kept = apply_keep(text, [Detection(s, s + 15, PERSON, 0.85, "ner", "Brattvik Hansen")], keep, g)
    assert [d.text for d in kept] == ["Hansen"]


def test_the_key_re_applies_a_name_made_of_a_kept_term_whole():
    # The key's own detection of the name elsewhere is not cut to its head word either.
    g = load_gazetteer()
    keep = StringMatcher([("Brattvik", "KEEP")], g, strict_common=False, digit_types=set())
    text = "Ho budde på Brattvik omsorgssenter."
    s = text.index("Brattvik")
    d = Detection(s, s + len("Brattvik omsorgssenter"), ORG, 1.0, "key", "Brattvik omsorgssenter")
    assert [x.text for x in apply_keep(text, [d], keep, g)] == ["Brattvik omsorgssenter"]
    replaced, _weak = merge(text, [d], 0.5)
    assert [x.text for x in replaced] == ["Brattvik omsorgssenter"]


def test_the_stage_replaces_the_institution_and_keeps_the_place(make_study):
    from pipeline.anonymise.stage import anonymise_study
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    text = ("I: Kvar bur mora di?\n"
            "IP: Mor mi bur på Brattvik sjukeheim, og ungane går på Brattvik barneskule.\n"
            "I: Og banken?\n"
            "IP: Lånet er i Brattvik Sparebank. Eg har budd i Brattvik heile livet, og Brattvik kommune eig huset.\n")
    study = load_study(make_study({"a.txt": text}, settings="name: T\nanonymisation:\n  keep_terms: [Brattvik]\n"))
    ingest_study(study)
    result = anonymise_study(study)  # the guard fails closed: a name left in the key's text would raise
    out = [t.text for turns in result.outputs.values() for t in turns]
    assert "sjukeheim" not in out[1] and "barneskule" not in out[1], out
    assert "Sparebank" not in out[3], out
    assert "budd i Brattvik heile" in out[3] and "Brattvik kommune eig" in out[3], out


# ------------------------------------------------------------------ a caption's random capitals (set 29's class 2)

def _anonymiser(make_study):
    from pipeline.anonymise.operators import Key
    from pipeline.anonymise.stage import Anonymiser
    from pipeline.settings import load_study

    study = load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}))
    return Anonymiser(study, Key("tags", 1), {})


@pytest.mark.parametrize("text, words, recognizer, expected", [
    # a Nynorsk verb capitalised at random, which the study writes in lower case elsewhere
    ("kan de to Seie kven de er", "Seie", "fallback_capitalised", True),
    ("kan de to Seie kven de er", "Seie", "ner", True),
    ("vi fekk Høg rente", "Høg", "ner", False),  # a listed form the study does not use: no evidence it is the word
    ("korleis er samarbeidet mellom Dykk", "Dykk", "ner", True),  # written in lower case in the treebank
    ("dei har Permanent Opphald no", "Permanent Opphald", "ner", True),  # a compound after the first word
    ("folk skriv det med Dobbel t", "Dobbel t", "ner", True),  # a letter after it
    ("pengar til Oppgradering før sal", "Oppgradering", "learned", True),
    ("eg snakka med Liv i går", "Liv", "ner", False),  # a listed first name: the name list decides
    ("på jobben seier dei Kris", "Kris", "ner", False),  # a rare dictionary form nobody writes as a word
    ("vi budde på Kvitmyrå i ti år", "Kvitmyrå", "ner", False),  # no dictionary word: a name
    ("eg snakka med Sol Hegre", "Sol Hegre", "ner", False),
    ("dei har Permanent Opphald no", "Permanent Opphald", "naming_clause", False),  # a clause rule's evidence
])
def test_a_captions_capital_on_ordinary_words_alone_is_no_name(make_study, text, words, recognizer, expected):
    anonymiser = _anonymiser(make_study)
    anonymiser.lower_vocab = {"seie", "kven"}  # what the study's transcripts with capitals write in lower case
    s = text.index(words)
    d = Detection(s, s + len(words), PERSON, 0.85, recognizer, words)
    assert anonymiser._caption_capital(d, text) is expected


def test_in_a_transcript_with_capitals_the_rule_does_not_apply(make_study):
    anonymiser = _anonymiser(make_study)
    text = "Korleis er samarbeidet mellom Dykk?"
    s = text.index("Dykk")
    d = Detection(s, s + 4, PERSON, 0.85, "ner", "Dykk")
    assert anonymiser._study_evidence(d, lower=False, text=text) == d
    assert anonymiser._study_evidence(d, lower=True, text=text).score < anonymiser.a.min_score


def test_truecasing_takes_no_verb_before_an_institution_word_and_no_decade_after_a_place_preposition():
    from pipeline.anonymise.casing import truecase

    assert truecase("ungane slepp å byte skule no") == "ungane slepp å byte skule no"
    assert truecase("dei måtte bytt skole i fjor") == "dei måtte bytt skole i fjor"
    assert truecase("han går på grim skole") == "han går på Grim skole"  # a school's name stays one
    assert truecase("huset er frå syttitalet") == "huset er frå syttitalet"
    assert truecase("vi flytta til tinnheia") == "vi flytta til Tinnheia"  # a compound place stays one


def test_a_decade_is_no_place_in_a_place_slot():
    from pipeline.anonymise.numbers import DECADE
    from pipeline.anonymise.slots import PlaceSlotRecognizer

    assert all(DECADE.fullmatch(w) for w in ("syttitalet", "nittitallet", "åttitala", "1970-talet"))
    assert not any(DECADE.fullmatch(w) for w in ("talet", "totalt", "Tallaksen"))
    for text in ("leilegheitene er frå Syttitalet", "dei kom frå syttitalet"):
        assert PlaceSlotRecognizer().analyze(text) == []
    assert [d.text for d in PlaceSlotRecognizer().analyze("leilegheitene er frå Kvitmyrå")] == ["Kvitmyrå"]


def test_a_compound_opening_with_a_particle_of_two_letters_is_a_word():
    from pipeline.anonymise.lexicon import is_word

    assert is_word("utleige") and is_word("avleige")  # ut/av + a listed Nynorsk word of five letters or more
    assert not is_word("utvik") and not is_word("omdal")  # a tail of three: no compound reading
