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
