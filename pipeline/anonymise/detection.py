"""What every recognizer shares: the entity types, a :class:`Detection`, the :class:`Recognizer` interface.

As in Presidio's ``EntityRecognizer``, a recognizer declares its ``name``, ``version`` and the
entity types it can report (``supported_entities``), and its settings are its ``__init__``
arguments, listed by :meth:`Recognizer.params`. The registry (``registry.py``) keys the detection
cache on exactly these, so a changed recognizer or setting redoes detection by itself.

Scores mean: 1.0 validated or known; >= ``review_below`` (0.75) replaced without review;
>= ``min_score`` (``MIN_SCORE``, 0.5, unless the study sets another) replaced and listed for review;
lower: listed for review only (``Detection.replaced_at``).
"""

from __future__ import annotations

from dataclasses import dataclass


def _latin(upper: bool) -> str:
    """Every Latin letter of one case (Latin-1, Extended-A/B, Extended Additional), for character
    classes: names bring letters the Norwegian alphabet lacks (Sámi "Ánde", Icelandic "Sigrún",
    Polish "Łukasz", Vietnamese "Nguyễn"), and a class of A-Z and ÆØÅ cuts them in two."""
    ranges = (range(0xC0, 0x250), range(0x1E00, 0x1F00))
    letters = "".join(chr(c) for r in ranges for c in r
                      if chr(c).isalpha() and (chr(c).isupper() if upper else chr(c).islower()))
    return ("A-Z" if upper else "a-z") + letters


# Inside a character class: ``rf"[{UPPER}]"``.
UPPER = _latin(True)
LOWER = _latin(False)



# Words a per-word memo holds before it starts again (its memory bound).
WORD_MEMO_LIMIT = 1 << 17


class WordMemo(dict):
    """A recognizer's answers by word, where the answer depends only on the word and the
    recognizer's settings (``key``): kept across turns, since a study repeats its words. Pickled
    empty, so a worker (``--workers N``) builds its own rather than receive the client's."""

    def __init__(self, key=None):
        super().__init__()
        self.key = key

    def __reduce__(self):
        return (WordMemo, ())


def word_memo(owner, key) -> WordMemo:
    """``owner``'s :class:`WordMemo` for the settings ``key``: a new one where ``key`` changed or
    the memo reached ``WORD_MEMO_LIMIT`` words."""
    memo = owner.__dict__.get("_word_memo")
    if memo is None or memo.key != key or len(memo) >= WORD_MEMO_LIMIT:
        memo = owner.__dict__["_word_memo"] = WordMemo(key)
    return memo


def literals(alternation: str) -> tuple[str, ...]:
    """The words of a regular expression's plain alternation ("sjømat|fiskeri|..."), for :func:`may_hold`."""
    words = tuple(alternation.split("|"))
    if any(not w or not w.isalpha() or w != w.lower() for w in words):
        raise ValueError(f"not an alternation of lower-case words: {alternation[:40]}")
    return words


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """False only where no case-insensitive match of any of ``words`` (lower-case, :func:`literals`)
    can be in ``text``: a cheap necessary condition checked before an expression that needs one of
    them. ``str.lower`` agrees with the ``re`` module's case folding on every character but the few
    it folds otherwise (dotless i and long s match "i" and "s"; İ lowers to two characters): a text
    with one of those is passed on to the expression."""
    global _LAST_LOWERED
    last = _LAST_LOWERED  # read once: the tuple is replaced whole, never changed
    if last[0] is text:
        low = last[1]
    else:
        low = text.lower()
        if len(low) != len(text) or "ı" in low or "ſ" in low:
            low = None  # the re module may fold it otherwise: always "maybe"
        _LAST_LOWERED = (text, low)
    if low is None:
        return True
    for w in words:  # a plain loop: a generator's resumption costs more than most of the searches
        if w in low:
            return True
    return False


# The last text ``may_hold`` lowered and its lower case (None: passed on whatever the words): the
# recognizers ask it of one turn several times in a row, and lowering the turn cost as much as the
# searches. It holds the text itself, so an identity test cannot meet another text.
_LAST_LOWERED: tuple = (None, None)


# The study's ``anonymisation.min_score`` when it sets none (pipeline/settings.py takes its default
# from here): detections scoring at least this are replaced.
MIN_SCORE = 0.5

PERSON, ADRESSE, TELEFON, FNR, EPOST, KONTO, STED, ORG, DATO, SAK, NUMMER = (
    "PERSON", "ADRESSE", "TELEFON", "FØDSELSNUMMER", "EPOST", "KONTONUMMER", "STED", "ORGANISASJON", "DATO",
    "SAKSNUMMER", "NUMMER")
TYPES = (PERSON, FNR, TELEFON, EPOST, ADRESSE, KONTO, STED, ORG, DATO, SAK, NUMMER)
# Identifiers that alone point to one person (the direct-recall target).
DIRECT_TYPES = (PERSON, FNR, TELEFON, EPOST, ADRESSE, KONTO)


@dataclass(frozen=True)
class Detection:
    start: int
    end: int
    type: str
    score: float
    recognizer: str
    text: str

    def replaced_at(self, min_score: float) -> bool:
        """Whether the stage replaces it at the study's ``min_score`` (``analyzer.merge``'s cut): the
        one test by which the recognizers that read the others' detections (``reads_detections``)
        take a span as found, each given the study's ``min_score`` by the registry; a span the study
        only lists for review is no detected neighbour, part or slot to build on."""
        return self.score >= min_score


class Recognizer:
    """Finds spans of its ``supported_entities`` in a text; never changes the text.

    ``needs_doc``: it reads the spaCy ``Doc`` (the model runs only when an enabled recognizer
    needs it). ``reads_detections``: it runs after the others and is given what they found
    (``analyze(text, doc, found)``). ``always_review``: every replacement it causes is listed on
    the review sheet whatever its score and the study's ``review_below`` (a recognizer that masks
    on weak evidence by design). ``reads_transcript``: it reads all turns of a transcript at once
    (:class:`TranscriptRecognizer`). ``enabled_by_default``: see below.
    """

    name = "recognizer"
    version = "1"
    supported_entities: tuple[str, ...] = ()
    needs_doc = False
    reads_detections = False
    reads_transcript = False
    always_review = False
    # False: registered, but runs only where study.yaml switches it on (``NAME: {enabled: true}``).
    enabled_by_default = True

    def analyze(self, text: str, doc=None) -> list[Detection]:
        raise NotImplementedError

    def params(self) -> dict:
        """The settings that change what it finds (part of the detection cache key)."""
        return {}

    def config(self) -> dict:
        return {"name": self.name, "version": self.version, "entities": sorted(self.supported_entities),
                "params": self.params()}

    def _d(self, text: str, start: int, end: int, kind: str, score: float) -> Detection:
        return Detection(start, end, kind, round(score, 3), self.name, text[start:end])


class DetectionReader(Recognizer):
    """A recognizer that builds on the others' detections and takes one as found only where the
    stage replaces it at the study's ``min_score`` (``Detection.replaced_at``); the registry gives
    it the setting, which keys the detection cache."""

    reads_detections = True

    def __init__(self, min_score: float = MIN_SCORE):
        self.min_score = min_score

    def params(self) -> dict:
        return {"min_score": self.min_score}


class TranscriptRecognizer(Recognizer):
    """A recognizer that reads all turns of one transcript at once, with what every per-turn
    recognizer found in them (and the transcript recognizers registered before it): an identifier
    said over two turns, resumed after a pause or said again in the next turn is in no one turn.

    The registry runs these after all per-turn recognizers, in its order
    (``RecognizerRegistry.analyze_transcript``); each returns (turn index, detection) pairs.
    ``analyze`` reads one text as a transcript of one turn, so a caller that has a single text
    (the guard's pattern check) gets the same rule."""

    reads_transcript = True

    def analyze_transcript(self, texts: list[str], found: list[list[Detection]]) -> list[tuple[int, Detection]]:
        raise NotImplementedError

    def analyze(self, text: str, doc=None, found: list[Detection] = ()) -> list[Detection]:
        return [d for _i, d in self.analyze_transcript([text], [list(found)])]
