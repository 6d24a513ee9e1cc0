"""The recognizers that read a whole transcript: number identifiers said over more than one turn.

Each reads all turns of one transcript and what the per-turn recognizers found there
(``detection.TranscriptRecognizer``); the registry runs them last, in this order, so the echo also
reads the pieces the first two found. The rules are ``numbers.split_phones``,
``numbers.split_checked``, ``numbers.continuations`` and ``numbers.echoes``; each detection is its type at ``score`` (0.7:
replaced and listed for review at the default ``review_below``).
"""

from __future__ import annotations

from .detection import FNR, KONTO, NUMMER, SAK, TELEFON, Detection, TranscriptRecognizer
from .numbers import continuations, echoes, split_checked, split_phones

# What the piece rules take as found: a detection the stage replaces without doubt of its span
# (the per-turn number recognizers score 0.7 and more; a weaker guess is no identifier to go on with).
FOUND_AT = 0.7
SCORE = 0.7
# Eleven digits over two turns whose control digits hold: replaced without review, like a phone.
CHECKED_SCORE = 0.9


class _NumberPieces(TranscriptRecognizer):
    """A rule that goes on from a found identifier: ``found_at``, the score a detection needs to
    be built on; ``score``, the score given."""

    def __init__(self, found_at: float = FOUND_AT, score: float = SCORE):
        self.found_at = found_at
        self.score = score

    def params(self) -> dict:
        return {"found_at": self.found_at, "score": self.score}

    def _spans(self, found: list[list[Detection]]) -> list[list[tuple[int, int, str]]]:
        return [[(d.start, d.end, d.type) for d in dets if d.score >= self.found_at] for dets in found]


class PhoneSplitRecognizer(TranscriptRecognizer):
    """The two pieces of a phone number dictated over two turns or caption cues
    (``numbers.split_phones``, which reads the words, not the other detections), each TELEFON."""

    name = "phone_split"
    version = "1"
    supported_entities = (TELEFON,)

    def __init__(self, score: float = SCORE):
        self.score = score

    def params(self) -> dict:
        return {"score": self.score}

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, TELEFON, self.score))
                for i, start, end, _digits in split_phones(texts)]


class CheckedSplitRecognizer(TranscriptRecognizer):
    """The two pieces of a fødselsnummer or account number said over two turns whose eleven digits
    together pass the control digits (``numbers.split_checked``, which reads the words, not the
    other detections), each as that type. The check is the evidence, so the score is that of a
    per-turn number the checks accept less the doubt that the two pieces belong together."""

    name = "checked_split"
    version = "1"
    supported_entities = (FNR, KONTO)

    def __init__(self, score: float = CHECKED_SCORE):
        self.score = score

    def params(self) -> dict:
        return {"score": self.score}

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, kind, self.score))
                for i, start, end, kind in split_checked(texts)]


class NumberContinuedRecognizer(_NumberPieces):
    """The piece of a found identifier resumed after a pause mark in one of the next two turns,
    and the rest of a fødselsnummer said as a date after its cue (``numbers.continuations``), as
    the identifier's type."""

    name = "number_continued"
    version = "1"
    supported_entities = (FNR, KONTO, TELEFON, SAK, NUMMER)

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, kind, self.score))
                for i, start, end, kind in continuations(texts, self._spans(found))]


class NumberEchoRecognizer(_NumberPieces):
    """A found identifier's digits (four or more: its whole number or its last groups) said again
    in the same turn or the next (``numbers.echoes``), as the identifier's type."""

    name = "number_echo"
    version = "1"
    supported_entities = (FNR, KONTO, TELEFON, SAK, NUMMER)

    def analyze_transcript(self, texts, found):
        return [(i, self._d(texts[i], start, end, kind, self.score))
                for i, start, end, kind in echoes(texts, self._spans(found))]
