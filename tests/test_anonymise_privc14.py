"""Fourteenth session, privC14: false finds on caseless and dialect transcripts (issue 10).

Invented sentences only (no gold set's text)."""

from __future__ import annotations

import pytest

from pipeline.anonymise.detection import Detection
from pipeline.anonymise.dialect import closed_class_word
from pipeline.anonymise.stage import Anonymiser, fresh_key
from pipeline.settings import load_study


@pytest.mark.parametrize("word", ["dæm", "Dæm", "kæm", "Korsn", "kossn", "ha", "Ha", "dokker", "itj", "hu"])
def test_function_words_of_the_dialects_are_closed_class(word):
    assert closed_class_word(word)


@pytest.mark.parametrize("word", ["Hans", "Dag", "vår", "Kari", "Trondheim", "Ottar", "leilighetan", "tebake"])
def test_names_places_and_open_words_are_not_closed_class(word):
    # A stop word that is also a name ("Hans", "Dag", "Vår") is a name; nouns are open class.
    assert not closed_class_word(word)


@pytest.fixture(scope="module")
def anonymiser(tmp_path_factory):
    root = tmp_path_factory.mktemp("privc14") / "study"
    folder = root / "data" / "raw" / "transcripts"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("I: Hei.\nIP: Hei.\n", encoding="utf-8")
    (root / "data" / "raw" / "informants.csv").write_text("id,file,group,name\n1,a.txt,a,Dag Moen\n",
                                                         encoding="utf-8")
    (root / "study.yaml").write_text("name: Teststudie\n", encoding="utf-8")
    from tests.conftest import NEUTRAL_CODEBOOK

    (root / "codebook.yaml").write_text(NEUTRAL_CODEBOOK, encoding="utf-8")
    study = load_study(root)
    anon = Anonymiser(study, fresh_key(study), {})
    anon.start_study({"a.txt": ["Hei."]})
    return anon


def _span(text, word, kind="PERSON", score=0.75, recognizer="ner"):
    start = text.index(word)
    return Detection(start, start + len(word), kind, score, recognizer, word)


@pytest.mark.parametrize("text,word", [
    ("Korsn gikk det med dæm etterpå?", "Korsn"),
    ("og så spurte dæm om kontonummeret", "dæm"),
    ("kan dokker si kæm dokker e", "kæm"),
    ("Ha ein person som følgjer opp", "Ha"),
])
def test_a_function_word_taken_as_a_name_is_only_reviewed(anonymiser, text, word):
    replace, weak = anonymiser.candidates(text, [_span(text, word)])
    assert not replace
    assert [text[d.start:d.end] for d in weak] == [word]


def test_a_name_that_is_a_stop_word_and_the_informant_stay_replaced(anonymiser):
    text = "han Hans kom med Dag Moen i går"
    replace, _weak = anonymiser.candidates(text, [_span(text, "Hans"), _span(text, "Dag Moen", score=1.0,
                                                                             recognizer="key")])
    assert sorted(text[d.start:d.end] for d in replace) == ["Dag Moen", "Hans"]


def test_a_function_word_inside_a_longer_name_stays_replaced(anonymiser):
    # Only a span that is one function word alone is released; "Ha" opens no name here, but a
    # detection of two words ("Kari Ha") is the model's reading of a name and stays.
    text = "eg møtte Kari Ha i går"
    replace, _weak = anonymiser.candidates(text, [_span(text, "Kari Ha")])
    assert [text[d.start:d.end] for d in replace] == ["Kari Ha"]


_CASED = "Vi fikk lån gjennom kommunen, og leilighetan og kontraktan var fine. Kari Moen hjalp oss."
_CASELESS = "æ fikk kontraktan og så flytta vi inn i leilighetan ved siden av moen"


@pytest.fixture()
def mixed_study(anonymiser):
    anonymiser.start_study({"a.txt": [_CASED], "b.txt": [_CASELESS]}, lower_files={"b.txt"})
    yield anonymiser
    anonymiser.start_study({"a.txt": ["Hei."]})


@pytest.mark.parametrize("word,kind", [("kontraktan", "STED"), ("leilighetan", "STED"), ("kontraktan", "ORGANISASJON")])
def test_a_truecased_word_the_cased_transcripts_write_in_lower_case_is_only_reviewed(mixed_study, word, kind):
    # The detection is on the truecased copy ("Leilighetan"); the turn itself writes the word in lower case.
    d = _span(_CASELESS, word, kind)
    replace, weak = mixed_study.candidates(_CASELESS, [Detection(d.start, d.end, kind, 0.75, "ner", word.title())])
    assert not replace and len(weak) == 1


def test_a_truecased_name_or_a_word_no_cased_transcript_writes_stays_replaced(mixed_study):
    # "moen" is a surname (the name lists have it); "flytta" no cased transcript writes.
    found = [_span(_CASELESS, w, "PERSON") for w in ("moen", "flytta")]
    replace, _weak = mixed_study.candidates(_CASELESS, found)
    assert sorted(_CASELESS[d.start:d.end] for d in replace) == ["flytta", "moen"]



@pytest.mark.parametrize("span,fits", [("leilighetan", False), ("Kontraktan", False), ("tlf.", False), ("kari@eksempel.no", True),
                                       ("kari punktum moen krøllalfa gmail punktum com", True),
                                       ("post@moen.no", True)])
def test_an_email_address_of_one_word_of_letters_alone_does_not_fit_its_form(span, fits):
    from pipeline.anonymise.analyzer import fits_its_form

    text = f"det va {span} sa ho"
    assert fits_its_form(text, _span(text, span, "EPOST", 0.8, "learned")) is fits
