"""Coding units, their context, and aggregation from segments to turns and informants.

The coding unit is whatever ingest made a segment (``coding.unit``: a sentence,
or a whole turn). Only informant segments are coded; the interviewer's
preceding question is kept with each unit as context, because a short answer
("Ja, det var viktig.") means what the question asked about.

Results are per segment; :func:`turn_codes` and :func:`informant_codes` roll
them up. A turn has a code when any of its segments has it; an informant has a
code when any of their turns has it. The compare and report stages combine
these with :func:`pipeline.coding.effective.effective_codes`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..records import Segment
from ..store import StudyStore

TurnKey = tuple[str, int]  # (file, turn_index)


@dataclass(frozen=True)
class Unit:
    """An informant segment to be coded, with the interviewer's preceding question."""

    segment: Segment
    question: str = ""  # anonymised text of the last interviewer turn before this one
    previous: str = ""  # the informant's previous segment in the same turn ("" at turn start)
    question_ids: tuple[str, ...] = ()  # the segments ``question`` is made of
    previous_id: str = ""  # the segment ``previous`` is

    @property
    def segment_id(self) -> str:
        return self.segment.segment_id

    @property
    def informant_id(self) -> str:
        return self.segment.informant_id

    @property
    def turn(self) -> TurnKey:
        return turn_key(self.segment)


def turn_key(segment: Segment) -> TurnKey:
    return (segment.file, segment.turn_index)


def build_units(segments: Iterable[Segment]) -> list[Unit]:
    """Informant segments with context, in transcript order (file, then position).

    ``segments`` are all segments of the study (both speakers) in stored order.
    """
    by_file: dict[str, list[Segment]] = defaultdict(list)
    for segment in segments:
        by_file[segment.file].append(segment)
    units: list[Unit] = []
    for file in sorted(by_file):
        question_parts: dict[int, list[Segment]] = defaultdict(list)
        for segment in by_file[file]:
            if segment.speaker == "interviewer":
                question_parts[segment.turn_index].append(segment)
        interviewer_turns = sorted(question_parts)
        previous: Segment | None = None
        for segment in by_file[file]:
            if segment.speaker != "informant":
                previous = None
                continue
            before = bisect_left(interviewer_turns, segment.turn_index)  # the last interviewer turn before it
            parts = question_parts[interviewer_turns[before - 1]] if before else []
            same_turn = previous is not None and previous.turn_index == segment.turn_index
            units.append(Unit(segment=segment, question=" ".join(p.text for p in parts),
                              previous=previous.text if same_turn else "",
                              question_ids=tuple(p.segment_id for p in parts),
                              previous_id=previous.segment_id if same_turn else ""))
            previous = segment
    return units


def load_units(store: StudyStore) -> list[Unit]:
    return build_units(store.segments())


def turn_codes(codes: Mapping[str, Iterable[str]], segments: Iterable[Segment]) -> dict[TurnKey, frozenset[str]]:
    """(file, turn_index) -> union of its segments' codes, for every turn in ``segments``.

    Turns whose segments have no codes map to an empty set, so callers can
    count turns without a code as well.
    """
    found: dict[TurnKey, set[str]] = {}
    for segment in segments:
        found.setdefault(turn_key(segment), set()).update(codes.get(segment.segment_id, ()))
    return {key: frozenset(value) for key, value in sorted(found.items())}


def informant_codes(codes: Mapping[str, Iterable[str]], segments: Iterable[Segment]) -> dict[str, frozenset[str]]:
    """informant id -> every code applied to any of their segments (empty set if none)."""
    found: dict[str, set[str]] = {}
    for segment in segments:
        found.setdefault(segment.informant_id, set()).update(codes.get(segment.segment_id, ()))
    return {key: frozenset(value) for key, value in sorted(found.items())}


def turn_counts_by_informant(codes: Mapping[str, Iterable[str]],
                             segments: Iterable[Segment]) -> dict[str, Counter[str]]:
    """informant id -> code -> number of that informant's turns with the code."""
    segments = list(segments)
    owner = {turn_key(s): s.informant_id for s in segments}
    counts: dict[str, Counter[str]] = {s.informant_id: Counter() for s in segments}
    for key, turn in turn_codes(codes, segments).items():
        counts[owner[key]].update(turn)
    return dict(sorted(counts.items()))
