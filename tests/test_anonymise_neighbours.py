"""A person's name in caption and correction forms next to a detected name (neighbours.py)."""

from __future__ import annotations

import pytest

from pipeline.anonymise.detection import Detection
from pipeline.anonymise.neighbours import NameNeighbourRecognizer
from pipeline.anonymise.registry import builtin_recognizers
from conftest import person_detections as found


@pytest.fixture(scope="module")
def rec():
    return NameNeighbourRecognizer()


def hits(rec, text, *names):
    return {d.text for d in rec.analyze(text, None, found(text, *names))}


def test_the_lower_case_other_half_of_a_detected_name_goes_with_it(rec):
    # A caption capitalises one half: the unexplained word after the detected name is its surname.
    text = "Det var saksbehandler Khaled mansur i kommunen"
    assert hits(rec, text, "Khaled") == {"Khaled mansur"}
    # An ordinary word after the name stays the word.
    assert not hits(rec, "Jeg ringte Khaled etterpå og han svarte", "Khaled")


def test_a_lower_case_surname_set_off_after_a_role_noun_goes_with_the_first_name(rec):
    # An apposition to a role or kin noun, closed by a comma or the sentence's end: the word after
    # the first name is the surname even when it is a word too (a definite noun, a listed surname).
    assert hits(rec, "vi fikk en ny boligkonsulent, Torunn haugen, som kom hit", "Torunn") == {"Torunn haugen"}
    assert hits(rec, "Det var svogeren min Arild bakken.", "Arild") == {"Arild bakken"}
    # A verb or an adverb after the name, no closing comma, or no role noun: the word stays.
    assert not hits(rec, "vi fikk en ny boligkonsulent, Torunn ringte, og sa det", "Torunn")
    assert not hits(rec, "svogeren min, Arild altså, han kom", "Arild")
    assert not hits(rec, "jeg ringte Torunn haugen og fikk svar", "Torunn")
    assert not hits(rec, "boligkonsulenten, Torunn haugen og jeg", "Torunn")


def test_the_one_reached_at_a_detected_phone_number_is_a_person(rec):
    def reached(text, number):
        start = text.index(number)
        phone = Detection(start, start + len(number), "TELEFON", 0.9, "phone", number)
        return {d.text for d in rec.analyze(text, None, [phone])}

    assert reached("du kan ringe Øystein på 924 18 337 etter fire", "924 18 337") == {"Øystein"}
    # A first name that spaCy lists as a function word: the slot says it is the name.
    assert reached("eller ring hans på mobilen ni to fire atten", "ni to fire atten") == {"hans"}
    for text in ("du kan ringe kontoret på 924 18 337", "ring meg på 924 18 337", "ta kontakt på 924 18 337",
                 "ring nav på 924 18 337"):
        assert reached(text, "924 18 337") == set()
    # A number only listed for review is nothing to build on.
    text = "ring hans på 924 18 337"
    weak = Detection(text.index("924"), len(text), "TELEFON", 0.45, "t", "924 18 337")
    assert rec.analyze(text, None, [weak]) == []


def test_a_listed_first_name_before_a_detected_one_is_a_double_first_name(rec):
    assert hits(rec, "Det er en mann fra nav, ole martin kom én gang", "martin") == {"ole martin"}
    # A repeated first name is a repetition, not a double name; a word that is no first name stays.
    assert not hits(rec, "det var ei frå nav hilde Hilde Kvernmo ho var grei", "Hilde Kvernmo")
    assert not hits(rec, "det var bare Martin som kom", "Martin")


def test_a_name_between_commas_before_a_pronoun_is_a_person(rec):
    assert "dilan" in hits(rec, "Den eldste, dilan, han savnet vennene")
    assert "ole martin" in hits(rec, "en mann fra nav, ole martin, han kom")
    assert not hits(rec, "Det var, altså, han som kom")  # an explained word between commas


def test_a_name_corrected_to_a_detected_one_is_a_person_too(rec):
    text = "ein mann frå kommunen tan eller thanh heiter han vel"
    assert "tan" in hits(rec, text, "thanh")
    assert "Grete" in hits(rec, "hun fra NAV. Grete– nei, Gunhild Sæther", "Gunhild Sæther")
    # "eller" between two things: a word that is no name and shares no initial with the name stays.
    assert not hits(rec, "om det var huset eller Thanh som", "Thanh")


def test_the_recognizer_is_registered():
    assert "name_neighbour" in [r.name for r in builtin_recognizers([], set())]


def test_a_name_spelled_letter_by_letter_after_a_spelling_verb(rec):
    assert hits(rec, "Jeg heter Heavy Barzani. Det skrives h e v i, med tak over e og i") == {"h e v i"}
    assert hits(rec, "det staves k-a-s-i-a") == {"k-a-s-i-a"}
    assert not hits(rec, "det skrives med to t-er")  # no run of three single letters


def test_a_name_is_known_without_its_accents_and_never_by_one_letter():
    from pipeline.anonymise.sources import name_variants, without_accents

    # Captions and keyboards drop the accents of an informant's name; å, æ and ø are letters.
    assert {"Hevi Barzani", "Hevi", "Barzani"} <= set(name_variants("Hêvî Barzanî"))
    assert name_variants("Trần") == ["Tran"] and without_accents("Åse Bø") == "Åse Bø"
    # A spelled name's single letters are no forms of it: the key would spread "i" as a person.
    assert name_variants("h e v i") == []


def test_a_name_without_its_accents_keeps_a_decomposed_aa():
    from pipeline.anonymise.sources import without_accents

    assert without_accents("Ha\u030akon Tr\u1ea7n") == "Håkon Tran"
