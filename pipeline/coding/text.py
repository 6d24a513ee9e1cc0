"""Lemmatise coding units once, for both the rules and the classifier.

Only the components the lemmatiser needs run (no NER, no sentence splitting):
the texts are already segments. Each token gets a ``qp_key`` extension,
``"<lemma>|<lower-case form>"``, which the rule matcher searches, so a pattern
matches the lemma or, where the lemmatiser guessed wrong, the word as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Token

if not Token.has_extension("qp_key"):
    Token.set_extension("qp_key", default="")

_LEMMA_COMPONENTS = ("tok2vec", "morphologizer", "trainable_lemmatizer", "lemmatizer", "attribute_ruler",
                     "tagger", "transformer")


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
            for token in doc:
                token._.qp_key = f"{token_lemma(token)}|{token.lower_}"
            docs.append(doc)
    return docs


def token_lemma(token: Token) -> str:
    lemma = (token.lemma_ or token.text).lower()
    return lemma if lemma.strip() else token.lower_


def content_lemmas(doc: Doc) -> list[str]:
    """Lower-case lemmas without punctuation and whitespace (features, not rules)."""
    return [token_lemma(t) for t in doc if not (t.is_punct or t.is_space)]


def lemma_lists(docs: Iterable[Doc]) -> list[list[str]]:
    return [content_lemmas(doc) for doc in docs]
