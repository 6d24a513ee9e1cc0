"""The rule coder: the codebook's lemma patterns, matched with spaCy's Matcher.

How a pattern word matches a token (see also :mod:`pipeline.codebook`):

* It is compared with the token's lemma *and* its lower-case form, so both
  "flyttet" (lemma "flytte") and a word the lemmatiser got wrong match.
* A word of at least ``COMPOUND_MIN_LENGTH`` letters also matches as the first
  part of a compound ("rabatt" → "rabattordningen", "vedlikehold" →
  "vedlikeholdsbehovet") or as the last part, with a Norwegian inflection
  ending ("rabatt" → "boligrabatten"). Norwegian writes compounds as one word,
  so without this the commonest forms would be missed.
* ``=word`` matches only the word itself (for short or ambiguous stems).
* In a pattern of several words, up to two other words may come between them
  ("slippe å flytte" matches "slapp vi å flytte"; inversion is normal in
  Norwegian), but never across punctuation.

Negation: a negator (ikke, aldri, ingen, ...) within three words before or two
words after a match, inside the same clause, marks it negated. Most patterns
keep negated matches (talking about *not* getting information is talking about
information); ``negation: drop`` discards them and ``negation: require`` keeps
only them ("husker ikke").

A rule coding carries the fixed confidence :data:`RULE_CONFIDENCE`: a keyword
hit is evidence, not certainty, and should sort as uncertain in review.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from ..codebook import COMPOUND_MIN_LENGTH, Codebook, Pattern
from . import text as _text  # noqa: F401  (registers the qp_key extension)

RULE_CONFIDENCE = 0.6
NEGATORS = frozenset({"ikke", "ikkje", "aldri", "ingen", "intet", "ingenting", "inga", "verken", "uten", "nei"})
NEGATION_BEFORE = 3
NEGATION_AFTER = 2
# Inflection endings a compound's last part may carry when the lemmatiser left the word as written.
_ENDINGS = "(?:e|en|et|a|er|ene|ne|s)?"
_CLAUSE_BREAKS = frozenset({",", ".", ";", ":", "!", "?", "–", "-", "…", "...", "(", ")"})


@dataclass(frozen=True)
class RuleHit:
    code: str
    pattern: str
    matched: str  # the words of the segment that matched
    negated: bool


@dataclass(frozen=True)
class RuleResult:
    codes: frozenset[str]
    hits: tuple[RuleHit, ...]


def word_regex(word: str) -> str:
    """Regex over ``qp_key`` ("lemma|lower") for one pattern word."""
    exact = word.startswith("=")
    word = word.lstrip("=")
    escaped = re.escape(word)
    if exact or len(word) < COMPOUND_MIN_LENGTH or not any(ch.isalpha() for ch in word):
        body = escaped
    else:
        body = f"(?:{escaped}[^|]*|[^|]+{escaped}{_ENDINGS})"
    return f"(?:^|\\|){body}(?:\\||$)"


def token_specs(pattern: Pattern) -> list[dict]:
    specs: list[dict] = []
    for index, word in enumerate(pattern.words):
        if index:
            specs.append({"IS_PUNCT": False, "OP": "{0,2}"})
        specs.append({"_": {"qp_key": {"REGEX": word_regex(word)}}})
    return specs


class RuleCoder:
    """Applies every code's patterns to analysed docs (see :func:`pipeline.coding.text.analyse`)."""

    def __init__(self, codebook: Codebook, nlp: Language):
        self.codebook = codebook
        self.matcher = Matcher(nlp.vocab)
        self._patterns: dict[str, tuple[str, Pattern]] = {}
        for code in codebook.codes:
            for index, pattern in enumerate(code.patterns):
                key = f"{code.id}#{index}"
                self._patterns[key] = (code.id, pattern)
                self.matcher.add(key, [token_specs(pattern)])

    def code_doc(self, doc: Doc) -> RuleResult:
        hits: dict[tuple[str, str], RuleHit] = {}
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            code, pattern = self._patterns[key]
            negated = is_negated(doc, start, end)
            if (pattern.negation == "drop" and negated) or (pattern.negation == "require" and not negated):
                continue
            hit = RuleHit(code=code, pattern=pattern.pattern, matched=doc[start:end].text, negated=negated)
            # One hit per (code, pattern): the first, shortest match in the segment.
            previous = hits.get((code, pattern.pattern))
            if previous is None:
                hits[(code, pattern.pattern)] = hit
        ordered = tuple(sorted(hits.values(), key=lambda h: (h.code, h.pattern)))
        return RuleResult(codes=frozenset(h.code for h in ordered), hits=ordered)

    def code_docs(self, docs: Sequence[Doc]) -> list[RuleResult]:
        return [self.code_doc(doc) for doc in docs]


def is_negated(doc: Doc, start: int, end: int) -> bool:
    """A negator near the match, in the same clause."""
    for index in range(start - 1, max(start - 1 - NEGATION_BEFORE, -1), -1):
        token = doc[index]
        if token.text in _CLAUSE_BREAKS:
            break
        if token.lower_ in NEGATORS:
            return True
    for index in range(end, min(end + NEGATION_AFTER, len(doc))):
        token = doc[index]
        if token.text in _CLAUSE_BREAKS:
            break
        if token.lower_ in NEGATORS:
            return True
    return False


def rule_codes(codebook: Codebook, nlp: Language, texts: Sequence[str]) -> list[frozenset[str]]:
    """Convenience: the codes the rules give each text."""
    from .text import analyse

    coder = RuleCoder(codebook, nlp)
    return [result.codes for result in coder.code_docs(analyse(nlp, texts))]
