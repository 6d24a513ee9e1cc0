"""Ordinary words are not names (docs/anonymisation.md, "Tenth session: forms10"): dialect and
older spellings of dictionary words, and a kept firm's second word. Forms written anew, not copied
from a gold set; with names that must stay unexplained."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("word", [
    "kjøbt", "kjøgen",  # the soft consonants of southern and Danish-near writing (kjøpt, kjøkken's -k-)
    "hæst", "frokåst", "stuå", "kjæmpa",  # e written æ, o and a written å
])
def test_dialect_spellings_are_words(word):
    from pipeline.anonymise.dialect import dialect_word
    from pipeline.anonymise.lexicon import in_dictionary

    assert not in_dictionary(word)  # the form itself is not listed: the respelling makes it a word
    assert dialect_word(word), word


@pytest.mark.parametrize("name", ["sølvi", "snorre", "eivind", "sigve", "oksana", "einar", "gunnar", "tjomsland",
                                  "annes", "tores"])  # the last two: a listed name's genitive
def test_names_stay_unexplained_by_respelling(name):
    from pipeline.anonymise.dialect import dialect_word

    assert not dialect_word(name)


def test_truecasing_leaves_respelled_words_lower_case():
    from pipeline.anonymise.casing import truecase

    # (after a place preposition a compound no dictionary lists is still capitalised, dialect-shaped
    # or not: "på holtan" names a place)
    text = "så kjøbte vi leiligheden og kjørte frem og tilbage med hengaren av fættern"
    assert truecase(text) == text


def test_a_firm_s_second_word_is_no_person():
    from pipeline.anonymise.analyzer import apply_keep
    from pipeline.anonymise.detection import Detection
    from pipeline.anonymise.gazetteer import load_gazetteer
    from pipeline.anonymise.matcher import StringMatcher

    g = load_gazetteer()
    keep = StringMatcher([("Kiwi", "KEEP"), ("Vipps", "KEEP")], g, strict_common=False, digit_types=set())
    text = "Hun jobber på Kiwi Super og betaler med Vipps Bedrift, sier Kiwi Hansen"
    dets = [Detection(text.index("Kiwi Super"), text.index("Kiwi Super") + 10, "PERSON", 0.85, "ner", "Kiwi Super"),
            Detection(text.index("Bedrift"), text.index("Bedrift") + 7, "PERSON", 0.7, "unexplained_capital", "Bedrift"),
            Detection(text.index("Kiwi Hansen"), text.index("Kiwi Hansen") + 11, "PERSON", 0.85, "ner", "Kiwi Hansen")]
    assert [d.text for d in apply_keep(text, dets, keep, g)] == ["Hansen"]  # a listed surname stays


def test_replacing_a_dictionary_or_dialect_word_is_reviewed_with_its_count(make_study):
    import csv

    from pipeline.anonymise import anonymise_stage, export_review
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    # A deny-list recognizer replaces them at score 1.0: above review_below, so only the
    # ordinary-word rule can list them. "Sola" is a dictionary word, "Hæst" a respelled one
    # (hest), no dictionary form, "Kvisvik" neither.
    text = ("I: Og så?\nIP: Vi spurte Sola om det, og Sola sa ja.\nIP: Hæst kom også, og Kvisvik.\n")
    settings = ("name: T\nanonymisation:\n  recognizers:\n    mine:\n      entity: PERSON\n"
                "      deny: [Sola, Hæst, Kvisvik]\n")
    study = load_study(make_study({"a.txt": text}, settings=settings))
    ingest_study(study)
    anonymise_stage(study)
    _xlsx, csv_path = export_review(study)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    counts = {r["original"]: r["count"] for r in rows if r["replaced"] == "ja"}
    assert counts.get("Sola") == "2" and counts.get("Hæst") == "1"
    assert "Kvisvik" not in counts


@pytest.mark.parametrize("name", ["Liv Sæter", "Dag Bækken", "Åse Smedar"])
def test_an_informant_s_name_after_a_kept_firm_is_replaced_whatever_its_respelling(make_study, name):
    from pipeline.anonymise.dialect import dialect_word
    from pipeline.anonymise.stage import anonymise_study
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    first, last = name.split()
    assert dialect_word(last.lower())  # one respelling makes the surname an ordinary word (seter, bekken, smeder)
    # Right after a kept firm, with capitals and in a transcript written without them: the firm's
    # second word and the lower-case words after a kept term are rules for what a recognizer
    # guessed, never for a name the informants table gives (the guard would refuse the text).
    text = (f"I: Hei.\nIP: Jeg heter {name}.\nIP: Jeg ringte Husbanken {last} svarte ikke.\n"
            f"I: Og Coop {first} da?\n")
    lower = f"I: hei\nIP: ja det var husbanken {last.lower()} sa hun\n"
    informants = f"id,file,group,name\n1,a.txt,a,{name}\n2,b.txt,a,Kari Nordmann\n"
    root = make_study({"a.txt": text, "b.txt": lower}, informants=informants,
                      settings="name: T\nanonymisation:\n  keep_terms: [Husbanken, Coop]\n")
    study = load_study(root)
    ingest_study(study)
    result = anonymise_study(study)  # the guard fails closed: a name left raises LeakError
    outputs = [t.text for turns in result.outputs.values() for t in turns]
    assert not any(last.lower() in t.lower() for t in outputs), outputs
    assert any("Husbanken" in t for t in outputs) and any("husbanken" in t for t in outputs)


def test_a_listed_surname_after_a_kept_firm_stays_a_person_and_a_key_name_is_never_dropped():
    from pipeline.anonymise.analyzer import apply_keep
    from pipeline.anonymise.detection import Detection
    from pipeline.anonymise.gazetteer import load_gazetteer
    from pipeline.anonymise.matcher import StringMatcher

    g = load_gazetteer()
    keep = StringMatcher([("Husbanken", "KEEP")], g, strict_common=False, digit_types=set())
    text = "ringte husbanken bækken sa det, og Husbanken Smedar, og Husbanken Hansen, og Husbanken Ekstra"
    def at(word, kind="PERSON", score=0.7, rec="unexplained_capital", whole=False):
        i = text.index(word)
        start = text.rindex("usbanken", 0, i) - 1 if whole else i
        return Detection(start, i + len(word), kind, score, rec, text[start:i + len(word)])
    dets = [at("bækken", score=1.0, rec="key", whole=True),  # an informant's surname in lower case after the firm
            at("Smedar", score=1.0, rec="key"),  # the key's name as the firm's "second word"
            at("Hansen", rec="ner"),  # a listed surname: a person
            at("Ekstra", rec="ner")]  # a guess: the firm's second word
    kept = [d.text for d in apply_keep(text, dets, keep, g)]
    assert kept == ["husbanken bækken", "Smedar", "Hansen"]
