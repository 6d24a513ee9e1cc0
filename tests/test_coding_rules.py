"""The rule coder: lemmas, Norwegian compounds, word gaps, negation."""

from __future__ import annotations

import pytest

from pipeline.codebook import load_codebook, parse_codebook
from pipeline.coding.rules import RuleCoder, is_negated, rule_codes, word_regex
from pipeline.coding.text import analyse
from pipeline.nlp import load_nlp
from conftest import REPO

CODEBOOK = """\
version: "t"
codes:
  - id: standard
    label: Standard
    definition: Boligens standard.
    colour: "#000000"
    patterns: [vedlikehold, "=bad", pusse opp, felleskostnad]
  - id: discount
    label: Rabatt
    definition: Pris og rabatt.
    colour: "#111111"
    patterns: [rabatt, fast pris, {pattern: dyr, negation: drop}]
  - id: information
    label: Informasjon
    definition: Informasjon.
    colour: "#222222"
    patterns: [{pattern: huske, negation: require}, informasjon]
"""


@pytest.fixture(scope="module")
def coder():
    nlp = load_nlp()
    return nlp, RuleCoder(parse_codebook(CODEBOOK), nlp)


def codes_of(coder, text: str) -> set[str]:
    nlp, rules = coder
    return set(rules.code_doc(analyse(nlp, [text])[0]).codes)


@pytest.mark.parametrize("text", [
    "Vedlikeholdsbehovet var stort.",  # compound, first part
    "Det var mye vedlikehold.",
    "Borettslaget har en vedlikeholdsplan.",
    "Felleskostnadene økte i fjor.",  # inflected compound
])
def test_compounds_and_inflection_match_standard(coder, text):
    assert "standard" in codes_of(coder, text)


@pytest.mark.parametrize("text", [
    "Rabattordningen var grei.",  # rabatt as first part
    "Boligrabatten hjalp oss.",  # rabatt as last part, inflected
    "Vi fikk rabatt.",
    "Det var fast pris.",
])
def test_compounds_match_discount(coder, text):
    assert "discount" in codes_of(coder, text)


def test_exact_word_does_not_match_inside_other_words(coder):
    assert "standard" in codes_of(coder, "Badet var gammelt.")  # lemma "bad"
    assert "standard" not in codes_of(coder, "Jeg spiller badminton.")


def test_words_of_a_pattern_may_be_separated_but_not_across_punctuation(coder):
    assert "standard" in codes_of(coder, "Vi pusset det opp selv.")
    assert "standard" not in codes_of(coder, "Vi pusset, og så gikk vi opp.")
    assert "discount" not in codes_of(coder, "Jeg har fast jobb. Prisen vet jeg ikke.")


def test_negation_require_and_drop(coder):
    assert "information" in codes_of(coder, "Jeg husker ikke så mye.")
    assert "information" not in codes_of(coder, "Jeg husker det godt.")
    assert "discount" in codes_of(coder, "Det var dyrt.")
    assert "discount" not in codes_of(coder, "Det var ikke dyrt.")


def test_negation_keep_is_the_default(coder):
    # Not getting information is talking about information.
    assert "information" in codes_of(coder, "Vi fikk ingen informasjon.")


def test_negation_window_stops_at_clause_break(coder):
    nlp, _ = coder
    doc = analyse(nlp, ["Nei, rabatten var fin."])[0]
    start = next(t.i for t in doc if t.lower_ == "rabatten")
    assert not is_negated(doc, start, start + 1)
    doc = analyse(nlp, ["Rabatten betydde ikke noe."])[0]
    assert is_negated(doc, 0, 1)


def test_hits_record_pattern_and_words(coder):
    nlp, rules = coder
    result = rules.code_doc(analyse(nlp, ["Boligrabatten og vedlikeholdet."])[0])
    assert [(h.code, h.pattern, h.matched) for h in result.hits] == [
        ("discount", "rabatt", "Boligrabatten"), ("standard", "vedlikehold", "vedlikeholdet")]


def test_short_words_never_match_as_compound_parts():
    assert word_regex("bo") == r"(?:^|\|)bo(?:\||$)"


def test_repository_codebook_rules_on_typical_sentences():
    nlp = load_nlp()
    codebook = load_codebook(REPO / "codebook.yaml")
    found = rule_codes(codebook, nlp, [
        "Vi slapp å flytte, og ungene fikk beholde skolen.",
        "Jeg forsto ikke hva fellesgjeld var.",
        "Vedlikeholdsbehovet i borettslaget var stort.",
        "Rabattordningen ga oss femti tusen.",
        "Jeg jobber på et bakeri om natta.",
    ])
    assert found == [{"stability"}, {"information"}, {"standard"}, {"discount"}, set()]


def test_keys_computed_in_one_pass_give_the_keys_and_lemmas_the_tokens_carry(coder):
    """The coding stage reads the derived segment Docs with keys_and_lemmas instead of writing the
    qp_key extension: the same keys, the same content lemmas, the same rule results."""
    from pipeline.coding.text import content_lemmas, keys_and_lemmas

    nlp, rules = coder
    texts = ["Boligrabatten og vedlikeholdet var ikke dyrt.", "Jeg husker ikke informasjonen , [PERSON_X] !"]
    for keyed, plain in zip(analyse(nlp, texts), (nlp(t) for t in texts)):
        keys, lemmas = keys_and_lemmas(plain)
        assert keys == [t._.qp_key for t in keyed]
        assert lemmas == content_lemmas(keyed)
        assert rules.code_doc(plain, keys) == rules.code_doc(keyed)


def test_a_stored_doc_read_as_columns_gives_the_keys_lemmas_and_rule_results_of_the_doc(coder):
    """The coding stage reads each derived segment Doc's columns (segment_docs.StoredDoc) and builds
    the Doc only for a segment whose keys hold a pattern word: the same keys, lemmas and results."""
    from types import SimpleNamespace

    from pipeline.coding.text import content_lemmas, keys_and_lemmas, stored_keys_and_lemmas
    from pipeline.segment_docs import SegmentDocs, to_bytes

    nlp, rules = coder
    texts = ["Boligrabatten og vedlikeholdet var ikke dyrt.", "Jeg husker ikke informasjonen , [PERSON_X] !",
             "Ja.", "Vi bodde i [STED_X] og  pusset opp kjøkkenet."]
    docs = list(nlp.pipe(texts))
    docs_of = SegmentDocs(SimpleNamespace(), nlp)
    docs_of.stored = lambda file: ([f"s{i}" for i in range(len(docs))], to_bytes(docs))
    stored, lexemes, built, results = docs_of.stored_docs("a.txt"), {}, [], []
    for i, doc in enumerate(docs):
        entry = stored[f"s{i}"]
        assert [(t.text, t.lemma_, t.pos_, t.whitespace_) for t in entry.doc()] == \
            [(t.text, t.lemma_, t.pos_, t.whitespace_) for t in doc]
        keys, lemmas = stored_keys_and_lemmas(*entry.hashes(), nlp.vocab, lexemes)
        assert (keys, lemmas) == keys_and_lemmas(doc) and lemmas == content_lemmas(doc)
        result = rules.code_keys(keys, lambda entry=entry: built.append(1) or entry.doc())
        assert result == rules.code_doc(nlp(texts[i]), keys)
        results.append(result)
    assert any(result.codes for result in results)
    assert len(built) < len(docs)  # "Ja." holds no pattern word: its Doc is never built
