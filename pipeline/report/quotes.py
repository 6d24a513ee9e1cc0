"""Choosing representative quotes: a fixed, documented rule (docs/report.md).

For one code and one group:

1. Candidates are the informant segments of the group's informants whose
   *effective* codes include the code (see pipeline.coding.effective), with
   between ``min_words`` and ``max_words`` words (shorter ones are mostly
   "Ja, det var viktig." and say nothing on their own; longer ones are cut
   in the middle of a thought by nobody and would dominate the page).
2. They are ranked: human-confirmed before machine-suggested; then whole
   thoughts before fragments (a segment ending in ":", "," or a dash only
   introduces what follows); then fewer anonymisation tags ("[PERSON_3] sa
   til [PERSON_4]" reads poorly and says little); then by the machine's confidence in the code (the highest confidence any rule or
   model coding gave that code on that segment), so among confirmed segments
   the clearest cases come first; then segments carrying fewer other codes
   (a quote should show this theme, not three at once); then longer before
   shorter (more context); then segment id, so the order never depends on
   chance.
3. Quotes are spread over informants: each informant's best candidate is
   taken in rank order, then each informant's second best, and so on, until
   ``per_group`` quotes are chosen. No informant is quoted twice while
   another informant of the group still has an unused candidate.

A transcriber's note at the start or end of a quote ("[latter]", "[pause]")
is dropped; anonymisation tags ("[PERSON_3]") are upper case and stay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..records import Coding, Informant, Segment


@dataclass(frozen=True)
class Quote:
    segment_id: str
    informant_id: str
    text: str  # anonymised
    attribution: str  # group label and study id, e.g. "bruker 3"
    human: bool  # confirmed by a human coder
    confidence: float  # the machine's confidence in the code on this segment


def attribution(informant: Informant, group_labels: Mapping[str, str]) -> str:
    """How a quoted informant is named: the group's label and the study id ("bruker 3").

    The label comes from ``group_labels`` in study.yaml (group id -> label);
    a group without one is named by its id. No informant attribute changes
    this: an attribution the reader cannot trace to a setting would be a
    hidden rule, and a role or job title can say more about who spoke than
    the study id does.
    """
    label = group_labels.get(informant.group) or informant.group.replace("_", " ")
    return f"{label} {informant.id}"


def machine_confidence(codings: Sequence[Coding]) -> dict[tuple[str, str], float]:
    """(segment id, code) -> highest confidence of a non-rejected rule/model coding (missing = 0.5)."""
    best: dict[tuple[str, str], float] = {}
    for coding in codings:
        if coding.source in ("rule", "model") and coding.status != "rejected":
            key = (coding.segment_id, coding.code)
            value = 0.5 if coding.confidence is None else float(coding.confidence)
            best[key] = max(best.get(key, 0.0), value)
    return best


def choose_quotes(
    code: str,
    informants: Sequence[Informant],
    segments: Sequence[Segment],
    codes_by_segment: Mapping[str, frozenset[str]],
    human_decided: set[str],
    confidence: Mapping[tuple[str, str], float],
    group_labels: Mapping[str, str],
    per_group: int,
    min_words: int = 6,
    max_words: int = 70,
) -> list[Quote]:
    """The quotes for ``code`` among ``informants`` (one group), by the rule in the module docstring."""
    by_id = {i.id: i for i in informants}
    ranked: list[tuple[tuple, Quote]] = []
    for segment in segments:
        if segment.speaker != "informant" or segment.informant_id not in by_id:
            continue
        if code not in codes_by_segment.get(segment.segment_id, ()):
            continue
        text = _without_notes(segment.text)
        words = len(text.split())
        if not min_words <= words <= max_words:
            continue
        human = segment.segment_id in human_decided
        score = confidence.get((segment.segment_id, code), 0.5)
        others = len(codes_by_segment[segment.segment_id]) - 1
        quote = Quote(
            segment_id=segment.segment_id, informant_id=segment.informant_id, text=text,
            attribution=attribution(by_id[segment.informant_id], group_labels), human=human, confidence=score,
        )
        fragment = text.rstrip().endswith((":", ",", "–", "-", "…"))
        tags = len(_TAG.findall(text))
        ranked.append(((0 if human else 1, fragment, tags, -score, others, -words, segment.segment_id), quote))
    ranked.sort(key=lambda item: item[0])
    queues: dict[str, list[Quote]] = {}
    for _key, quote in ranked:  # informants enter in the order of their best candidate
        queues.setdefault(quote.informant_id, []).append(quote)
    chosen: list[Quote] = []
    depth = 0
    while len(chosen) < per_group and any(len(q) > depth for q in queues.values()):
        for queue in queues.values():
            if depth < len(queue) and len(chosen) < per_group:
                chosen.append(queue[depth])
        depth += 1
    return chosen


# An anonymisation tag such as "[PERSON_3]" or "[ADRESSE_1]".
_TAG = re.compile(r"\[[A-ZÆØÅ]+_\d+\]")
# A transcriber's note such as "[latter]" or "[pause]": lower case inside brackets.
_NOTE = re.compile(r"^(?:\[[a-zæøå ]+\]\s*)+|(?:\s*\[[a-zæøå ]+\])+$")


def _without_notes(text: str) -> str:
    return " ".join(_NOTE.sub("", " ".join(text.split())).split())
