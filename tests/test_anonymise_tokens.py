"""The shared token columns (anonymise/tokens.py): the parse's values, whoever asks first."""

import pytest
from spacy.tokens import Doc

from pipeline.anonymise.gazetteer import load_gazetteer
from pipeline.anonymise.learned import _Turn
from pipeline.anonymise.recognizers import GazetteerRecognizer
from pipeline.anonymise.tokens import token_columns
from pipeline.nlp import load_nlp

TURNS = ["Sånn, nå går opptakeren. Takk for at du tok deg tid, Hilde.",
         "Jeg bodde i Mo i Rana  med Kari Nordmann og\n ungene, Ole Petter Vik var nabo.",
         "hun heter anne-lise og bor på heimdal", "", "   ", "NAV ringte 22 33 44 55 ... ja."]


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("auto")


def _attributes(doc):
    toks = [t for t in doc if not t.is_space]
    return ([t.text for t in toks], [t.lower_ for t in toks], [t.pos_ for t in toks], [t.ent_type_ for t in toks],
            [t.idx for t in toks], [t.is_alpha for t in toks], [t.is_punct for t in toks],
            [t.is_sent_start for t in toks])


def _columns(doc):
    c = token_columns(doc)
    return (c.text, c.lower, c.pos, c.ent_type, c.idx, c.is_alpha, c.is_punct, c.is_sent_start)


@pytest.mark.parametrize("text", TURNS)
def test_columns_are_the_tokens_attributes(nlp, text):
    assert _columns(nlp(text)) == _attributes(nlp(text))


def test_sentence_starts_the_parse_did_not_set_are_none_and_the_columns_follow_the_doc_asked_for(nlp):
    # A Doc without a parser's sentence starts: is_sent_start is None past the first token
    # (to_array holds 0 there, -1 as an unsigned number where a token starts none).
    bare = Doc(nlp.vocab, words=["Kari", "kom", ".", "Ole", "gikk"])
    assert _columns(bare) == _attributes(bare)
    assert token_columns(bare).is_sent_start[1] is None
    parsed = nlp("Kari kom. Ole gikk")
    assert _columns(parsed) == _attributes(parsed)
    assert False in token_columns(parsed).is_sent_start
    # a second Doc of the same text, with other tags: its own columns, not the last ones
    other = nlp("Kari kom. Ole gikk")
    other[0].pos_ = "NOUN"
    assert token_columns(other).pos[0] == "NOUN" and token_columns(parsed).pos[0] != "NOUN"


@pytest.mark.parametrize("text", TURNS)
def test_the_recognizers_that_share_them_find_the_same_whoever_read_them_first(nlp, text):
    g = load_gazetteer()
    recognizer = GazetteerRecognizer(g)
    doc = nlp(text)
    token_columns(nlp("Noe annet."))  # another turn's columns are the kept ones
    first = recognizer.analyze(text, doc)
    turn = _Turn(text, doc, first, 0.5)  # the columns kept from the gazetteer's reading
    again = recognizer.analyze(text, nlp(text))  # a fresh Doc of the same text: read again
    assert first == again
    fresh = _Turn(text, nlp(text), first, 0.5)
    assert (turn.words, turn.pos, turn.ents, turn.detected, turn.tokens) == \
           (fresh.words, fresh.pos, fresh.ents, fresh.detected, fresh.tokens)
    if text.strip():
        assert turn.tokens, text


def test_the_gazetteer_recognizer_reads_names_and_places_from_the_columns(nlp):
    text = "Jeg bodde i Mo i Rana med Kari Nordmann."
    found = {(d.text, d.type) for d in GazetteerRecognizer(load_gazetteer()).analyze(text, nlp(text))}
    assert ("Mo i Rana", "STED") in found and ("Kari Nordmann", "PERSON") in found
