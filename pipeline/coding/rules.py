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

import itertools
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


def _specs(labels: Sequence[str]) -> list[dict]:
    """Matcher token specs: one label per pattern word, up to two words between, no punctuation."""
    specs: list[dict] = []
    for index, label in enumerate(labels):
        if index:
            specs.append({"IS_PUNCT": False, "OP": "{0,2}"})
        specs.append({"NORM": label})
    return specs


class RuleCoder:
    """Applies every code's patterns to analysed docs (see :func:`pipeline.coding.text.analyse`).

    Speed: a token is compared with every pattern word once per distinct
    "lemma|form" (cached), and the set of words it matches becomes a label
    written into the token's NORM. The spaCy Matcher then compares labels by
    hash: its patterns are the codebook patterns expanded over the labels seen
    so far (a label joins every pattern word it contains). Running ~150 regular
    expressions on every token inside the Matcher was ten times slower.
    """

    def __init__(self, codebook: Codebook, nlp: Language):
        self.codebook = codebook
        self.matcher = Matcher(nlp.vocab)
        self._patterns: dict[str, tuple[str, Pattern]] = {}
        self._words_of: dict[str, tuple[str, ...]] = {}  # matcher key -> its pattern's words
        self._uses: dict[str, list[str]] = {}  # pattern word -> matcher keys of patterns using it
        for code in codebook.codes:
            for index, pattern in enumerate(code.patterns):
                key = f"{code.id}#{index}"
                self._patterns[key] = (code.id, pattern)
                self._words_of[key] = pattern.words
                for word in dict.fromkeys(pattern.words):
                    self._uses.setdefault(word, []).append(key)
        words = sorted(self._uses)
        self._regex = {word: re.compile(word_regex(word)) for word in words}
        # One alternation of all words first: most tokens match none, and this says so in one call.
        self._any_word = re.compile("|".join(f"(?:{word_regex(w)})" for w in words)) if words else None
        self._labels: dict[str, str] = {}  # qp_key -> label ("" when no word matches)
        self._alternatives: dict[str, list[str]] = {word: [] for word in words}

    def _label(self, key: str) -> str:
        label = self._labels.get(key)
        if label is None:
            matched: list[str] = []
            if self._any_word is not None and self._any_word.search(key):
                matched = [word for word, regex in self._regex.items() if regex.search(key)]
            label = "qp\x1f" + "\x1f".join(matched) if matched else ""
            self._labels[key] = label
            if matched and label not in self._alternatives[matched[0]]:
                self._register(label, matched)
        return label

    def _register(self, label: str, matched: list[str]) -> None:
        for word in matched:
            self._alternatives[word].append(label)
        keys = dict.fromkeys(key for word in matched for key in self._uses[word])
        for key in keys:
            words = self._patterns[key][1].words
            for position, word in enumerate(words):
                if word not in matched:
                    continue
                choices = [[label] if i == position else self._alternatives[w] for i, w in enumerate(words)]
                if all(choices):
                    self.matcher.add(key, [_specs(combo) for combo in itertools.product(*choices)])

    def code_doc(self, doc: Doc, keys: Sequence[str] | None = None) -> RuleResult:
        """The codes the patterns give ``doc``; ``keys``: its tokens' ``qp_key`` when computed
        already (``text.keys_and_lemmas``), else read from the tokens."""
        if keys is None:
            keys = [token._.qp_key for token in doc]
        return self.code_keys(keys, lambda: doc)

    def code_keys(self, keys: Sequence[str], doc_of) -> RuleResult:
        """``code_doc`` of the Doc ``doc_of()`` gives, whose tokens' ``qp_key`` are ``keys``: the Doc
        is asked for only when a key holds a pattern word (most segments hold none)."""
        hits: dict[tuple[str, str], RuleHit] = {}
        known = self._labels
        labels = []
        for index, key in enumerate(keys):
            label = known.get(key)
            if label is None:
                label = self._label(key)
            if label:
                labels.append((index, label))
        if not labels or len(self.matcher) == 0 or not self._complete(labels):
            return RuleResult(codes=frozenset(), hits=())
        doc = doc_of()
        for index, label in labels:
            doc[index].norm_ = label
        for match_id, start, end in sorted(self.matcher(doc), key=lambda m: (m[1], m[2])):
            key = doc.vocab.strings[match_id]
            code, pattern = self._patterns[key]
            negated = is_negated(doc, start, end)
            if (pattern.negation == "drop" and negated) or (pattern.negation == "require" and not negated):
                continue
            # One hit per (code, pattern): the first, shortest match in the segment.
            if (code, pattern.pattern) not in hits:
                hits[(code, pattern.pattern)] = RuleHit(code=code, pattern=pattern.pattern,
                                                        matched=doc[start:end].text, negated=negated)
        ordered = tuple(sorted(hits.values(), key=lambda h: (h.code, h.pattern)))
        return RuleResult(codes=frozenset(h.code for h in ordered), hits=ordered)

    def _complete(self, labels: list[tuple[int, str]]) -> bool:
        """Whether some pattern has each of its words in one of the segment's labels: a match needs
        that, so without it neither the Doc nor the Matcher is needed (most segments with a pattern
        word hold no whole pattern)."""
        present = {word for _index, label in labels for word in label.split("\x1f")[1:]}
        return any(all(w in present for w in self._words_of[key])
                   for word in present for key in self._uses[word])

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
