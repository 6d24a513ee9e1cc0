"""Agreement between two coders, per code: percent, Cohen's kappa, Krippendorff's alpha.

Each code is a yes/no decision per unit, so every statistic is computed on
binary data, over the units *both* coders decided. Turn level: a coder gives a
turn a code when they gave it to any of the turn's segments that both coders
decided. The functions here take plain dictionaries, so the report can call
them with any data; :func:`coder_agreement` reads coders from the store.

Coders: any human coder id; ``model`` = the machine's stored suggestions (the
combined rule + classifier output the study uses where no human decided);
``rules`` = what the codebook's keyword rules alone find, for every code.
The model is trained on the human decisions, so its agreement with a human on
segments that human coded is in-sample; ``qualpipe evaluate coding`` gives the
held-out figures.

Cohen's kappa and Krippendorff's alpha are undefined (NaN, shown "–") when
both coders give the same value to every unit: there is nothing to agree on
beyond chance. Alpha comes from the ``krippendorff`` package (nominal level).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..records import Segment
from .units import turn_key

MACHINE_CODERS = ("model", "rules")
ALL_CODES = "alle koder"


@dataclass(frozen=True)
class AgreementRow:
    level: str  # "segment" or "turn"
    code: str  # a code id, or ALL_CODES for the pooled decisions
    n: int  # units both decided
    percent: float  # 0..100
    kappa: float  # NaN when undefined
    alpha: float  # NaN when undefined
    positives_a: int
    positives_b: int


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa for two raters' nominal ratings of the same units."""
    a, b = np.asarray(a), np.asarray(b)
    if len(a) == 0:
        return math.nan
    observed = float(np.mean(a == b))
    values = np.union1d(a, b)
    expected = float(sum(np.mean(a == v) * np.mean(b == v) for v in values))
    if math.isclose(expected, 1.0):
        return math.nan
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(ratings: Sequence[Sequence[float]]) -> float:
    """Nominal alpha; ``ratings`` has one row per coder (NaN = not rated)."""
    import krippendorff

    data = np.asarray(ratings, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    if data.size == 0 or len(values) < 2:
        return math.nan
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def percent_agreement(a: Sequence[int], b: Sequence[int]) -> float:
    if len(a) == 0:
        return math.nan
    return 100.0 * float(np.mean(np.asarray(a) == np.asarray(b)))


def code_agreement(a: Mapping[object, Iterable[str]], b: Mapping[object, Iterable[str]], codes: Sequence[str],
                   level: str = "segment") -> list[AgreementRow]:
    """Per code (and pooled) agreement over the units in both ``a`` and ``b``."""
    units = sorted(set(a) & set(b), key=str)
    a_sets = [frozenset(a[u]) for u in units]
    b_sets = [frozenset(b[u]) for u in units]
    rows = []
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for code in codes:
        x = [int(code in s) for s in a_sets]
        y = [int(code in s) for s in b_sets]
        pooled_a += x
        pooled_b += y
        rows.append(_row(level, code, x, y, len(units)))
    rows.append(_row(level, ALL_CODES, pooled_a, pooled_b, len(units)))
    return rows


def _row(level: str, code: str, x: list[int], y: list[int], n: int) -> AgreementRow:
    return AgreementRow(level=level, code=code, n=n, percent=percent_agreement(x, y), kappa=cohen_kappa(x, y),
                        alpha=krippendorff_alpha([x, y]), positives_a=sum(x), positives_b=sum(y))


def to_turns(decisions: Mapping[str, Iterable[str]], segments: Iterable[Segment],
             restrict_to: set[str] | None = None) -> dict[tuple[str, int], frozenset[str]]:
    """Segment decisions rolled up to turns (only segments in ``restrict_to``, if given)."""
    found: dict[tuple[str, int], set[str]] = {}
    for segment in segments:
        sid = segment.segment_id
        if sid not in decisions or (restrict_to is not None and sid not in restrict_to):
            continue
        found.setdefault(turn_key(segment), set()).update(decisions[sid])
    return {key: frozenset(value) for key, value in found.items()}


def agreement_both_levels(a: Mapping[str, Iterable[str]], b: Mapping[str, Iterable[str]],
                          segments: Iterable[Segment], codes: Sequence[str]) -> list[AgreementRow]:
    """Segment-level and turn-level rows for two coders' segment decisions."""
    segments = list(segments)
    both = set(a) & set(b)
    rows = code_agreement({k: a[k] for k in both}, {k: b[k] for k in both}, codes, "segment")
    rows += code_agreement(to_turns(a, segments, both), to_turns(b, segments, both), codes, "turn")
    return rows


# ------------------------------------------------------------------ from the store


def coder_codes(study, store, coder: str, codebook) -> dict[str, frozenset[str]]:
    """segment id -> codes, for the segments this coder decided (machines: every informant segment)."""
    from .human import coder_decisions

    informant = [s.segment_id for s in store.segments(speaker="informant")]
    if coder == "model":
        found: dict[str, set[str]] = {sid: set() for sid in informant}
        for coding in store.codings():
            if coding.source in ("rule", "model") and coding.status != "rejected" and coding.segment_id in found:
                found[coding.segment_id].add(coding.code)
        return {sid: frozenset(codes) for sid, codes in found.items()}
    if coder == "rules":
        from ..nlp import load_nlp
        from .rules import RuleCoder
        from .text import analyse

        segments = store.segments(speaker="informant")
        nlp = load_nlp(study.settings.model)
        results = RuleCoder(codebook, nlp).code_docs(analyse(nlp, [s.text for s in segments]))
        return {s.segment_id: r.codes for s, r in zip(segments, results)}
    decided = coder_decisions(store, coder)
    if not decided:
        from ..errors import QualpipeError

        known = ", ".join([*store.human_coders(), *MACHINE_CODERS])
        raise QualpipeError(f"coder '{coder}' has no decisions in this study (known coders: {known})",
                            study.human_dir)
    return decided


def coder_agreement(study, coder_a: str, coder_b: str) -> list[AgreementRow]:
    """Agreement of two coders of a study, at segment and turn level."""
    from ..codebook import load_codebook
    from ..store import StudyStore

    codebook = load_codebook(study.codebook_path)
    with StudyStore(study.store_path) as store:
        a = coder_codes(study, store, coder_a, codebook)
        b = coder_codes(study, store, coder_b, codebook)
        segments = store.segments(speaker="informant")
    return agreement_both_levels(a, b, segments, codebook.ids)


def format_value(value: float, digits: int = 2) -> str:
    """For people (the console): decimal comma, '–' where undefined."""
    from ..norwegian import decimal

    return decimal(value, digits)
