"""Session 13 (privA13): the pronoun as a name's article (han, hun, ho, hu, hon, hen) before a
lower-case name no list holds, as the subject of a verb or after a preposition, in a transcript
with capitals (fallback_proprial_article). Names invented here (brisolde, vekrumo, taniell,
zerahun: no dictionary, dialect or English word, on no name list), in both directions."""

from __future__ import annotations

import pytest

from pipeline.anonymise.detection import PERSON
from pipeline.anonymise.fallback import FallbackRecognizer
from pipeline.anonymise.gazetteer import load_gazetteer
from pipeline.anonymise.unexplained import explanation


def found(text):
    return [(d.text, d.recognizer, d.score) for d in FallbackRecognizer().analyze(text) if d.type == PERSON]


@pytest.mark.parametrize("text, name", [
    ("Det var fint. Ho brisolde sa det så godt.", "brisolde"),  # a sentence's start, a verb of saying
    ("Og hu vekrumo kom med kaka.", "vekrumo"),  # the dialect pronoun
    ("Eg veit at han taniell jobba der lenge.", "taniell"),  # after a conjunction
    ("Dei ringde, og hon zerahun var glad.", "zerahun"),  # after a comma, a copula
    ("Hen brisolde bur no i byen.", "brisolde"),  # the neutral pronoun
    ("Då kom ho vekrumo inn.", "vekrumo"),  # the subject after its verb
    ("Vi var der med han taniell i fjor.", "taniell"),  # after a preposition, no verb needed
])
def test_an_unlisted_lower_case_name_after_the_pronoun_article_is_a_name_for_review(text, name):
    assert explanation(name, load_gazetteer()) is None and not load_gazetteer().is_name(name)
    assert (name, "fallback_proprial_article", 0.7) in found(text), found(text)  # replaced and reviewed


@pytest.mark.parametrize("text", [
    "Ho berre sa det.",  # an adverb
    "Han itj kom i går.",  # a dialect form of one (dialect.py)
    "Ho bærre sa nei.",  # a respelling of one
    "Ho sjøl sa det.",
    "Dei sa at han brisolde.",  # no verb after the word, none before the pronoun
    "Kona til han vekrumo.",  # "til han" + a word, then nothing: still a name after a preposition
])
def test_an_explained_word_after_the_pronoun_or_no_subject_slot_gives_no_name(text):
    got = [t for t, rec, _s in found(text) if rec == "fallback_proprial_article"]
    if text.startswith("Kona til"):
        assert got == ["vekrumo"]  # the preposition's slot holds only a name
    else:
        assert got == [], got


def test_the_name_in_lower_case_spreads_through_the_key_to_its_capitalised_use(make_study):
    from pipeline.anonymise.stage import anonymise_study
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    # Once the slot finds it, the key replaces the same word opening a sentence, where the study's
    # lower-case use of it had explained it as an ordinary word before.
    text = ("I: Kven hjelpte deg?\nIP: Naboane var gode. Ho brisolde sa at vi skulle kome.\n"
            "I: Og no?\nIP: Brisolde bur no i byen.\n")
    study = load_study(make_study({"a.txt": text}))
    ingest_study(study)
    out = [t.text for turns in anonymise_study(study).outputs.values() for t in turns]
    assert not any("brisolde" in t.lower() for t in out), out
