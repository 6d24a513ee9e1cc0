"""Lemmatise coding units once, for both the rules and the classifier.

Only the components the lemmatiser needs run (no NER, no sentence splitting):
the texts are already segments. Each token gets a ``qp_key`` extension,
``"<lemma>|<lower-case form>"``, which the rule matcher searches, so a pattern
matches the lemma or, where the lemmatiser guessed wrong, the word as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Token

if not Token.has_extension("qp_key"):
    Token.set_extension("qp_key", default="")

_LEMMA_COMPONENTS = ("tok2vec", "morphologizer", "trainable_lemmatizer", "lemmatizer", "attribute_ruler",
                     "tagger", "transformer")


_NUMBERED_TAG = re.compile(r"\[([A-ZÆØÅ]+)_\d+\]")
PERSON_TAG = "[PERSON_X]"  # how the features read every reference to a person, detected name or informant


def coding_text(text: str, people: re.Pattern | None = None) -> str:
    """The text the coding features read: every numbered tag ``[STED_7]`` as ``[STED_X]``, and with
    ``people`` (:func:`people_pattern`) every informant's label ("ansatt S5") as ``[PERSON_X]``.

    A pseudonym's number says nothing about what is said, and the numbers follow one
    canonical order over the whole study: a new transcript can renumber every other
    one. Reading the type only, the rules and the classifier see the same text, the
    saved model and the held-out figure stay valid, and no tag becomes a feature of
    its own. An informant's label is a person reference too: a name in one transcript
    is a detected name (``[PERSON_3]``) until the transcript of the person it names
    joins the study, and its informant's label after; read as one token, that change
    changes nothing the features see (and no informant's id becomes a feature).
    (Surrogate names, ``anonymisation.style: surrogates``, are read as written.)
    """
    text = _NUMBERED_TAG.sub(r"[\1_X]", text)
    return people.sub(PERSON_TAG, text) if people is not None else text


@lru_cache(maxsize=64)
def _people_pattern(labels: tuple[str, ...]) -> re.Pattern | None:
    if not labels:
        return None
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=lambda x: (-len(x), x)))
    # A whole label, not the start of a longer word or id ("ansatt S50"); a possessive "s" may follow,
    # as it follows a tag ("[PERSON_X]s").
    return re.compile(rf"(?<!\w)(?:{alternatives})(?=s?(?!\w))")


def people_pattern(labels: Iterable[str]) -> re.Pattern | None:
    """What :func:`coding_text` reads as ``[PERSON_X]``: these informant labels (None when there are none)."""
    return _people_pattern(tuple(sorted({label for label in labels if label.strip()})))


def study_labels(study, store) -> tuple[str, ...]:
    """The labels the anonymiser writes for this study's informants ("ansatt S5"; from
    ``StudyStore.informants``, written at ingest), sorted: what :func:`people_pattern` reads."""
    from ..anonymise.sources import informant_label

    return tuple(sorted({informant_label(study, i) for i in store.informants()}))


def study_people(study, store) -> re.Pattern | None:
    """:func:`people_pattern` of :func:`study_labels`."""
    return people_pattern(study_labels(study, store))


def lemma_components(nlp: Language) -> list[str]:
    wanted = set(_LEMMA_COMPONENTS)
    if "trainable_lemmatizer" in nlp.pipe_names:
        # The edit-tree lemmatiser reads only tok2vec; POS tags (for a rule lemmatiser) are not needed.
        wanted -= {"morphologizer", "tagger", "attribute_ruler"}
    return [name for name in nlp.pipe_names if name in wanted]


def analyse(nlp: Language, texts: Sequence[str], batch_size: int = 256) -> list[Doc]:
    """spaCy docs with lemmas and ``qp_key`` set, one per text, in order."""
    keep = set(lemma_components(nlp))
    disable = [name for name in nlp.pipe_names if name not in keep]
    docs: list[Doc] = []
    with nlp.select_pipes(disable=disable):
        for doc in nlp.pipe(texts, batch_size=batch_size):
            docs.append(with_keys(doc))
    return docs


def with_keys(doc: Doc) -> Doc:
    """The doc with ``qp_key`` set on every token (what the rule matcher reads)."""
    for token in doc:
        token._.qp_key = f"{token_lemma(token)}|{token.lower_}"
    return doc


def token_lemma(token: Token) -> str:
    lemma = (token.lemma_ or token.text).lower()
    return lemma if lemma.strip() else token.lower_


def keys_and_lemmas(doc: Doc) -> tuple[list[str], list[str]]:
    """(the ``qp_key`` of every token, :func:`content_lemmas`) in one pass over ``doc``, without
    writing the extension: what the rules read of a Doc that is read once (the derived segment Docs)."""
    return _keys_and_lemmas((t.text, t.lower_, t.lemma_, t.is_punct or t.is_space) for t in doc)


def stored_keys_and_lemmas(orths: Sequence[int], lemmas: Sequence[int], vocab,
                           tokens: dict[tuple[int, int], tuple[str, str | None]]) -> tuple[list[str], list[str]]:
    """:func:`keys_and_lemmas` of a stored Doc read as its (orth, lemma) hashes (``segment_docs.
    StoredDoc``): each token's text, ``lower_`` and ``is_punct or is_space`` are its lexeme's, its lemma
    the string of its hash. A token's key and content lemma are a function of that pair alone, so
    each distinct pair is read once: ``tokens`` (orth, lemma) -> (key, content lemma or None)."""
    keys: list[str] = []
    found: list[str] = []
    for pair in zip(orths, lemmas):
        known = tokens.get(pair)
        if known is None:
            orth, lemma_key = pair
            lexeme = vocab[orth]
            key, content = _keys_and_lemmas([(lexeme.orth_, lexeme.lower_, vocab.strings[lemma_key],
                                              lexeme.is_punct or lexeme.is_space)])
            known = tokens[pair] = (key[0], content[0] if content else None)
        keys.append(known[0])
        if known[1] is not None:
            found.append(known[1])
    return keys, found


def _keys_and_lemmas(tokens: Iterable[tuple[str, str, str, bool]]) -> tuple[list[str], list[str]]:
    """The rule: a token's key is ``lemma|lower`` (its text where it has no lemma, ``lower`` where the
    lemma is blank); content lemmas leave out punctuation and whitespace. ``tokens`` = (text, lower,
    lemma, punctuation or space)."""
    keys: list[str] = []
    found: list[str] = []
    for text, lower, lemma, punct_or_space in tokens:
        lemma = (lemma or text).lower()
        if not lemma.strip():
            lemma = lower
        keys.append(f"{lemma}|{lower}")
        if not punct_or_space:
            found.append(lemma)
    return keys, found


def content_lemmas(doc: Doc) -> list[str]:
    """Lower-case lemmas without punctuation and whitespace (features, not rules)."""
    return [token_lemma(t) for t in doc if not (t.is_punct or t.is_space)]


def lemma_lists(docs: Iterable[Doc]) -> list[list[str]]:
    return [content_lemmas(doc) for doc in docs]
