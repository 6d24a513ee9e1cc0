"""The plain text of an exported source, and positions in it.

A source's text is rebuilt from the anonymised segments in the study store
(only anonymised text exists there):

* one line per speaker turn, in turn order: ``Intervjuer: <turn text>`` or
  ``Informant: <turn text>``, each line ending in ``\\n`` (LF, also the last);
* a turn's text is rebuilt from its segments (the store keeps no other
  anonymised turn text): the segments in order of their stored ``start``
  offset, each gap between two segments (whitespace in the anonymised turn)
  filled with as many spaces as the stored offsets leave between them, so
  offsets within a turn are kept. Line breaks inside a turn become spaces of
  the same length: one turn is one paragraph. Should offsets ever overlap, the
  segment follows the previous one after a single space instead (positions are
  always taken from this layout, never from the stored offsets, so they stay
  right either way).

Positions (``startPosition``/``endPosition``) count characters — Unicode code
points — from 0, with the end exclusive: a segment at ``[start, end)`` is
``text[start:end]``. For Norwegian text (all in the Basic Multilingual Plane)
that is also the UTF-16 count some Windows tools use.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..records import Segment

SPEAKER_LABELS = {"interviewer": "Intervjuer", "informant": "Informant"}

# Everything str.splitlines() treats as a line break; replaced one-for-one by
# a space so a turn stays on one line and lengths do not change.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class SourceText:
    file: str
    text: str
    spans: dict[str, tuple[int, int]]  # segment id -> [start, end) in text


def build_source_text(file: str, segments: Iterable[Segment]) -> SourceText:
    """The exported text of one transcript and where each segment lies in it."""
    by_turn: dict[int, list[tuple[int, Segment]]] = {}
    for order, segment in enumerate(segments):
        by_turn.setdefault(segment.turn_index, []).append((order, segment))
    lines: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    offset = 0
    for turn_index in sorted(by_turn):
        turn = sorted(by_turn[turn_index], key=lambda item: (item[1].start, item[0]))
        prefix = SPEAKER_LABELS.get(turn[0][1].speaker, turn[0][1].speaker.capitalize()) + ": "
        parts: list[str] = []
        length = 0  # characters of this turn's text so far
        previous_end: int | None = None  # stored end offset of the previous segment
        for _, segment in turn:
            piece = _LINE_BREAKS.sub(" ", segment.text)
            if previous_end is None:
                gap = 0  # turn text is stripped: it starts with its first segment
            elif segment.start >= previous_end:
                gap = segment.start - previous_end
            else:
                gap = 1  # inconsistent offsets: keep words apart, positions stay ours
            parts.append(" " * gap + piece)
            begin = offset + len(prefix) + length + gap
            spans[segment.segment_id] = (begin, begin + len(piece))
            length += gap + len(piece)
            previous_end = max(segment.end, segment.start + len(segment.text))
        line = prefix + "".join(parts) + "\n"
        lines.append(line)
        offset += len(line)
    return SourceText(file=file, text="".join(lines), spans=spans)


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF (Windows tools write CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def match_key(text: str) -> str:
    """Text compared when sources are matched by content: whitespace collapsed."""
    return " ".join(text.split())


class PositionMap:
    """Maps positions in another tool's copy of a text onto our text.

    Whitespace may differ freely (CRLF, trailing newlines, doubled spaces): when
    both texts hold the same non-whitespace characters in the same order, a
    position is mapped by counting the non-whitespace characters before it.
    Otherwise the texts are aligned word by word (``difflib``): a study
    anonymised again since the export renumbers a tag here and there, and the
    words both texts share still carry the other tool's positions over.
    :attr:`similarity` says how much is shared; positions inside words that
    changed map to the nearest shared word inside the selection, if any.
    """

    def __init__(self, theirs: str, ours: str):
        self.theirs = theirs
        self.ours = ours
        # target[i]: our position of their character i, or -1 (whitespace, or a changed word)
        target = [-1] * len(theirs)
        if self.same_content(theirs, ours):
            ours_nonspace = (i for i, char in enumerate(ours) if not char.isspace())
            for i, char in enumerate(theirs):
                if not char.isspace():
                    target[i] = next(ours_nonspace)
            self.similarity = 1.0
        else:
            their_words = [(m.start(), m.group()) for m in _WORD.finditer(theirs)]
            our_words = [(m.start(), m.group()) for m in _WORD.finditer(ours)]
            matcher = difflib.SequenceMatcher(None, [w for _, w in their_words], [w for _, w in our_words],
                                              autojunk=False)
            shared = 0
            for i, j, n in matcher.get_matching_blocks():
                for k in range(n):
                    (a, word), (b, _) = their_words[i + k], our_words[j + k]
                    for offset in range(len(word)):
                        target[a + offset] = b + offset
                    shared += len(word)
            total = sum(len(w) for _, w in their_words) + sum(len(w) for _, w in our_words)
            self.similarity = 2 * shared / total if total else 1.0
        self._target = target
        self._mapped = [i for i, t in enumerate(target) if t >= 0]

    @staticmethod
    def same_content(theirs: str, ours: str) -> bool:
        return "".join(theirs.split()) == "".join(ours.split())

    def start(self, position: int) -> int:
        k = bisect.bisect_left(self._mapped, position)
        return self._target[self._mapped[k]] if k < len(self._mapped) else len(self.ours)

    def end(self, position: int) -> int:
        k = bisect.bisect_left(self._mapped, position)
        return self._target[self._mapped[k - 1]] + 1 if k > 0 else 0

    def shared_share(self, start: int, end: int) -> float:
        """Share of the non-whitespace characters of their ``[start, end)`` that our text shares."""
        own = sum(1 for char in self.theirs[start:end] if not char.isspace())
        if not own:
            return 1.0
        mapped = bisect.bisect_left(self._mapped, end) - bisect.bisect_left(self._mapped, start)
        return mapped / own


_WORD = re.compile(r"\S+")


def boundary_score(text: str, selections: Iterable[tuple[int, int]]) -> int:
    """How many selection edges fall on a word boundary of ``text``.

    Used to tell whether a tool counted a CRLF line end as one character or
    two: counted the wrong way, positions drift by one per line and edges land
    inside words.
    """
    score = 0
    for start, end in selections:
        if 0 <= start <= len(text) and (start == 0 or start == len(text) or not text[start - 1].isalnum()
                                         or not text[start].isalnum()):
            score += 1
        if 0 <= end <= len(text) and (end == 0 or end == len(text) or not text[end - 1].isalnum()
                                       or not text[end].isalnum()):
            score += 1
    return score
