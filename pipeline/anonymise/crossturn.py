"""The recognizers that read a whole transcript: number identifiers said over more than one turn,
and a person's clipped name given as what everyone calls them.

Each reads all turns of one transcript and what the per-turn recognizers found there
(``detection.TranscriptRecognizer``); the registry runs them last, in this order, so the echo also
reads the pieces the first two found. The rules are ``numbers.split_phones``,
``numbers.split_checked``, ``numbers.continuations`` and ``numbers.echoes``, and
``ClippedNameRecognizer``'s; each detection is its type at ``score`` (0.7: replaced and listed for
review at the default ``review_below``).
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .detection import (ADRESSE, FNR, KONTO, NUMMER, PERSON, SAK, STED, TELEFON, Detection, TranscriptRecognizer,
                        literals, may_hold)
from .numbers import continuations, echoes, number_runs, split_cases, split_checked, split_phones
from .recognizers import _SUFFIX_ALT as _STREET_ALT

# What the piece rules take as found: a detection the stage replaces without doubt of its span
# (the per-turn number recognizers score 0.7 and more; a weaker guess is no identifier to go on with).
FOUND_AT = 0.7
SCORE = 0.7
# Eleven digits over two turns whose control digits hold: replaced without review, like a phone.
CHECKED_SCORE = 0.9


class _Scored(TranscriptRecognizer):
    """A rule that reads the words alone: ``score``, the score given."""

    def __init__(self, score: float = SCORE):
        self.score = score

    def params(self) -> dict:
        return {"score": self.score}


class _FromFound(TranscriptRecognizer):
    """A rule that goes on from a found identifier: ``found_at``, the score a detection needs to
    be built on; ``score``, the score given."""

    def __init__(self, found_at: float = FOUND_AT, score: float = SCORE):
        self.found_at = found_at
        self.score = score

    def params(self) -> dict:
        return {"found_at": self.found_at, "score": self.score}

    def _spans(self, found: list[list[Detection]]) -> list[list[tuple[int, int, str]]]:
        return [[(d.start, d.end, d.type) for d in dets if d.score >= self.found_at] for dets in found]


class PhoneSplitRecognizer(_Scored):
    """The two pieces of a phone number dictated over two turns or caption cues
    (``numbers.split_phones``, which reads the words, not the other detections), each TELEFON."""

    name = "phone_split"
    version = "1"
    supported_entities = (TELEFON,)

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, TELEFON, self.score))
                for i, start, end, _digits in split_phones(texts)]


class CheckedSplitRecognizer(_Scored):
    """The two pieces of a fødselsnummer or account number said over two turns whose eleven digits
    together pass the control digits (``numbers.split_checked``, which reads the words, not the
    other detections), each as that type. The check is the evidence, so the score is that of a
    per-turn number the checks accept less the doubt that the two pieces belong together."""

    name = "checked_split"
    version = "1"
    supported_entities = (FNR, KONTO)

    def __init__(self, score: float = CHECKED_SCORE):
        super().__init__(score)

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, kind, self.score))
                for i, start, end, kind in split_checked(texts)]


class CaseSplitRecognizer(_Scored):
    """The two pieces of a case number cut at its separator over two lines or turns ("det va
    tjuetre stryk" / "fire fem seks sju trur æ"; ``numbers.split_cases``, which reads the words,
    not the other detections), each SAKSNUMMER for review."""

    name = "case_split"
    version = "1"
    supported_entities = (SAK,)

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, SAK, self.score)) for i, start, end in split_cases(texts)]


class NumberContinuedRecognizer(_FromFound):
    """The piece of a found identifier resumed after a pause mark in one of the next two turns,
    and the rest of a fødselsnummer said as a date after its cue (``numbers.continuations``), as
    the identifier's type."""

    name = "number_continued"
    version = "1"
    supported_entities = (FNR, KONTO, TELEFON, SAK, NUMMER)

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, kind, self.score))
                for i, start, end, kind in continuations(texts, self._spans(found))]


class NumberEchoRecognizer(_FromFound):
    """A found identifier's digits (four or more: its whole number or its last groups) said again
    in the same turn or the next (``numbers.echoes``), as the identifier's type."""

    name = "number_echo"
    version = "1"
    supported_entities = (FNR, KONTO, TELEFON, SAK, NUMMER)

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, kind, self.score))
                for i, start, end, kind in echoes(texts, self._spans(found))]


# A street's name, the words of an address before its number: a street noun written apart after them
# ("Kong Oscars gate"), or a compound that ends in one ("Tømmerveien", "hånesveien").
_STREET_NAME = re.compile(rf"(?i:[^\W\d_][\w'’.-]*[^\S\n]+(?:[^\W\d_][\w'’.-]*[^\S\n]+)*[^\W\d_]*(?:{_STREET_ALT})"
                          rf"|[^\W\d_]+(?:{_STREET_ALT}))")


def street_of(address: str) -> str | None:
    """The street's name of an address said with its number ("Tømmerveien 8 A, leilighet 3" ->
    "Tømmerveien"), or None where the address does not open with a street and its number."""
    digit = re.search(r"\d", address)
    starts = [r.start for r in number_runs(address)] + ([digit.start()] if digit else [])
    if not starts or min(starts) == 0:
        return None  # "nummer sju oppi bøvegen": the number first
    head = address[:min(starts)].strip(" ,")
    head = re.sub(r"(?i)[^\S\n]+(?:nummer|nr\.?)$", "", head)
    while head.split(maxsplit=1)[0].lower() in STOP_WORDS and " " in head:
        head = head.split(maxsplit=1)[1]  # "i Tømmerveien 8": a preposition the address took with it
    return head if _STREET_NAME.fullmatch(head) and len(head) >= 6 else None


class StreetRepeatRecognizer(_FromFound):
    """The street of an address found in the transcript said again alone, in any turn ("Tømmerveien
    8 A, leilighet 3" ... "Da, da. Tømmerveien."), as STED: a street's name without its number is a
    place, and one that is a dictionary word ("tømmervei") opening a sentence is no name to the
    per-turn rules, but the transcript has said which street it is."""

    name = "street_repeat"
    version = "1"
    supported_entities = (STED,)

    def analyze_transcript(self, texts, found):
        streets = {street.lower() for dets in found for d in dets
                   if d.type == ADRESSE and d.score >= self.found_at and (street := street_of(d.text))}
        if not streets:
            return []
        said = re.compile(r"(?<![\w'’-])(?:" + "|".join(re.escape(s) for s in sorted(streets, key=len, reverse=True))
                          + r")(?![\w'’-])", re.IGNORECASE)
        out = []
        for i, text in enumerate(texts):
            taken = [(d.start, d.end) for d in found[i] if d.score >= self.found_at]
            for m in said.finditer(text):
                if not any(s < m.end() and m.start() < e for s, e in taken):
                    out.append((i, self._d(text, m.start(), m.end(), STED, self.score)))
        return out


# What everyone calls a person, with or without "bare" ("alle sier maks", "folk kaller ham bare tesfa",
# "kaller alle meg petra"): the frame names the word that follows.
_CALLED = re.compile(
    r"(?<![\w'’-])(?:(?:alle|folk|mange|de|dei|vi|me|noen|nokon|gutta|jentene|vennene|kollegaene)\s+"
    r"(?:sier|seier|sei|kaller|kallar|kalte|kalla)|(?:kaller|kallar|sier|seier)\s+(?:alle|folk))"
    r"(?:\s+(?:meg|mæ|me|deg|han|ham|henne|ho|oss))?(?:\s+(?:bare|berre|alltid|for))?"
    r"\s+(?P<w>[^\W\d_][\w'’-]*)(?![\w'’-])", re.IGNORECASE)
_CALLED_WORDS = literals("sier|seier|sei|kaller|kallar|kalte|kalla")  # the verb of either frame of _CALLED
# A clipped name keeps this many letters of the name at least, and drops two or more.
_CLIP_MIN, _CLIP_DROPS = 3, 2


def clipped_from(word: str, names: set[str]) -> bool:
    """``word`` is a clipped form of one of ``names`` (lower-case name parts): its start, three
    letters or more, with two or more letters cut off ("maks" of "maksym", "tesfa" of "tesfalem")."""
    low = word.lower()
    return (len(low) >= _CLIP_MIN and low.isalpha() and low not in STOP_WORDS
            and any(n.startswith(low) and len(n) - len(low) >= _CLIP_DROPS for n in names))


class ClippedNameRecognizer(_FromFound):
    """A clipped form of a person's name found anywhere in the transcript, in the frame that gives
    what everyone calls someone ("dette er sønnen min maksym" ... "alle sier maks"), as PERSON: a
    clipped name is often an ordinary word ("maks", "bjørn" of "bjørnar"), which no rule reading
    the word alone takes, and the name it is cut from may stand in another speaker's turn."""

    name = "name_clipped"
    version = "1"
    supported_entities = (PERSON,)

    def analyze_transcript(self, texts, found):
        names = {p for dets in found for d in dets if d.type == PERSON and d.score >= self.found_at
                 for p in re.split(r"[^\w]+", d.text.lower()) if p}
        if not names:
            return []
        out = []
        for i, text in enumerate(texts):
            taken = [(d.start, d.end) for d in found[i]]
            for m in (_CALLED.finditer(text) if may_hold(text, _CALLED_WORDS) else ()):
                start, end = m.span("w")
                if clipped_from(m.group("w"), names) and not any(s < end and start < e for s, e in taken):
                    out.append((i, self._d(text, start, end, PERSON, self.score)))
        return out
