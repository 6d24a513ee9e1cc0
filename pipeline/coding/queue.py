"""Which segments a researcher should code next, so the model learns most from each one.

:func:`next_segments` picks N undecided segments by uncertainty (the model is least
sure about them: probability near a code's threshold, or a keyword hit for a code
the rules serve), spread over informants and codes: each pick divides the worth of
further segments from the same informant and about the same code, so one long
interview or one noisy code cannot fill the batch. Used by
``qualpipe review export --next N`` (and the workbench's queue).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    key: object  # whatever identifies the row (a segment id, a row index)
    informant: str
    code: str  # the code the model is least sure about for this segment ("" if none)
    uncertainty: float  # 0 (sure) .. 1 (at the threshold)


def most_uncertain_code(probabilities: dict[str, float], thresholds: dict[str, float]) -> tuple[str, float]:
    """(code, uncertainty) of the code whose probability lies nearest its threshold, relative to the span."""
    best, worst = "", 0.0
    for code in sorted(probabilities):
        p, t = probabilities[code], thresholds[code]
        span = t if p < t else 1 - t
        value = 1 - abs(p - t) / span if span else 0.0
        if value > worst:
            best, worst = code, value
    return best, worst


def next_segments(candidates: Sequence[Candidate], n: int, spread: float = 1.0) -> list[Candidate]:
    """Greedy: the candidate with the highest uncertainty / (1 + spread·picked from its informant)
    / (1 + spread·picked about its code); ties by input order. Deterministic."""
    chosen: list[Candidate] = []
    left = list(enumerate(candidates))
    by_informant: Counter[str] = Counter()
    by_code: Counter[str] = Counter()
    while left and len(chosen) < n:
        def worth(item):
            i, c = item
            return (c.uncertainty / (1 + spread * by_informant[c.informant]) / (1 + spread * by_code[c.code]), -i)
        best = max(left, key=worth)
        left.remove(best)
        chosen.append(best[1])
        by_informant[best[1].informant] += 1
        by_code[best[1].code] += 1
    return chosen
