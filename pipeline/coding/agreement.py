"""Agreement between two coders, per code: percent, Cohen's kappa, Krippendorff's alpha.

Each code is a yes/no decision per unit, so every statistic is computed on
binary data, over the units *both* coders decided. Turn level: a coder gives a
turn a code when they gave it to any of the turn's segments that both coders
decided. The functions here take plain dictionaries, so the report can call
them with any data; :func:`coder_agreement` reads coders from the store.

Coders: any human coder id; ``model`` = the machine's stored suggestions
(in-sample where a human decided: the model learned from those decisions);
``rules`` = what the codebook's keyword rules alone find, for every code. The
machine on informants it did *not* see is :mod:`pipeline.coding.heldout`.

:func:`interval_rows` adds 95 % bootstrap intervals (units resampled) to kappa
and alpha; :data:`TRUST_KAPPA` is the held-out kappa from which a code's
machine coding is trusted without review.

Cohen's kappa and Krippendorff's alpha are undefined (NaN, shown "–") when
both coders give the same value to every unit: there is nothing to agree on
beyond chance. Alpha comes from the ``krippendorff`` package (nominal level).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import QualpipeError
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
    """segment id -> codes, for the segments this coder decided (machines: every informant segment).

    ``model`` here is the machine's stored suggestions, i.e. in-sample on segments a human
    decided; the held-out figure is :mod:`pipeline.coding.heldout` (``qualpipe agreement``).
    """
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
        from ..segment_docs import SegmentDocs
        from .machine import analyse_units
        from .text import study_labels
        from .units import load_units

        nlp = load_nlp(study.settings.model)
        analysed = analyse_units(load_units(store), codebook, nlp, SegmentDocs(study, nlp),
                                 study_labels(study, store))
        return {u.segment_id: r.codes for u, r in zip(analysed.units, analysed.rules)}
    decided = coder_decisions(store, coder)
    if not decided:
        from ..errors import QualpipeError

        known = ", ".join([*store.human_coders(), *MACHINE_CODERS])
        raise QualpipeError(f"coder '{coder}' has no decisions in this study (known coders: {known})",
                            study.human_dir)
    return decided


def coder_agreement(study, coder_a: str, coder_b: str, intervals: bool = False):
    """Agreement of two coders of a study, at segment and turn level.

    ``intervals``: :class:`IntervalRow` with bootstrap intervals instead of :class:`AgreementRow`.
    """
    from ..codebook import load_codebook
    from ..store import StudyStore

    codebook = load_codebook(study.codebook_path)
    with StudyStore(study.store_path) as store:
        a = coder_codes(study, store, coder_a, codebook)
        b = coder_codes(study, store, coder_b, codebook)
        segments = store.segments(speaker="informant")
    if intervals:
        return both_levels(a, b, segments, codebook.ids, f"{coder_a} – {coder_b}")
    return agreement_both_levels(a, b, segments, codebook.ids)


def format_value(value: float, digits: int = 2) -> str:
    """For people (the console): decimal comma, '–' where undefined."""
    from ..norwegian import decimal

    return decimal(value, digits)


# ------------------------------------------------------------------ held-out agreement with intervals

BOOTSTRAP_SAMPLES = 1000
TRUST_KAPPA = 0.80  # a code the machine may code without review: held-out kappa at least this


def binary_alpha(x: np.ndarray, y: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of two coders' 0/1 values on the same units, no missing values.

    Closed form of the coincidence-matrix definition: 1 - (2n - 1) * disagreements / (n1 * n0),
    with n1 and n0 the numbers of 1s and 0s among all 2n values.
    """
    n = len(x)
    ones = int(np.sum(x, dtype=np.int64) + np.sum(y, dtype=np.int64))
    zeros = 2 * n - ones
    if n == 0 or ones == 0 or zeros == 0:
        return math.nan
    return 1.0 - (2 * n - 1) * float(np.sum(x != y)) / (ones * zeros)


def _kappas_from_sums(sums: np.ndarray, values: int) -> np.ndarray:
    """Cohen's kappa of each bootstrap sample of two coders' 0/1 values, from the sample's sums (columns: x, y,
    x != y) over its ``values`` values (NaN where undefined)."""
    observed = (values - sums[:, 2]) / values
    px, py = sums[:, 0] / values, sums[:, 1] / values
    expected = px * py + (1 - px) * (1 - py)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isclose(expected, 1.0), np.nan, (observed - expected) / (1 - expected))


def _alphas_from_sums(sums: np.ndarray, values: int) -> np.ndarray:
    """Krippendorff's alpha of each bootstrap sample (as :func:`binary_alpha`), from its sums as above."""
    ones = sums[:, 0] + sums[:, 1]
    zeros = 2 * values - ones
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((ones == 0) | (zeros == 0), np.nan, 1.0 - (2 * values - 1) * sums[:, 2] / (ones * zeros))


@dataclass(frozen=True)
class IntervalRow:
    """Agreement of two coders on one code, with 95 % bootstrap intervals (resampling units)."""

    pair: str  # "model – forsker1", "forsker1 – forsker2"
    level: str  # "segment" or "turn"
    code: str  # a code id or ALL_CODES
    n: int
    percent: float
    kappa: float
    kappa_low: float
    kappa_high: float
    alpha: float
    alpha_low: float
    alpha_high: float

    @property
    def trusted(self) -> bool:
        return not math.isnan(self.kappa) and self.kappa >= TRUST_KAPPA


def interval_rows(a: Mapping[object, Iterable[str]], b: Mapping[object, Iterable[str]], codes: Sequence[str],
                  level: str, pair: str, samples: int = BOOTSTRAP_SAMPLES, seed: int = 2019) -> list[IntervalRow]:
    """Per code and pooled: kappa and alpha over the units both decided, with percentile intervals."""
    units = sorted(set(a) & set(b), key=str)
    n = len(units)
    draws = np.random.default_rng(seed).integers(0, max(n, 1), size=(samples, n))
    columns = [(code, [code]) for code in codes] + [(ALL_CODES, list(codes))]
    xs = [np.array([[c in a[u] for c in chosen] for u in units], dtype=np.int8).reshape(n, len(chosen))
          for _, chosen in columns]
    ys = [np.array([[c in b[u] for c in chosen] for u in units], dtype=np.int8).reshape(n, len(chosen))
          for _, chosen in columns]
    # A sample's kappa and alpha need only its sums of x, y and x != y: how often it drew each unit times
    # the unit's sums, one sample at a time (exact: integer counts far below 2**53), never the
    # samples x units x codes values themselves.
    per_unit = np.column_stack([part for x, y in zip(xs, ys)
                                for part in (x.sum(axis=1), y.sum(axis=1), (x != y).sum(axis=1))]).astype(float)
    sums = np.stack([np.bincount(row, minlength=n) @ per_unit for row in draws]) if n else None
    rows = []
    for k, ((name, chosen), x, y) in enumerate(zip(columns, xs, ys)):
        # Pooled: each (unit, code) is one decision, and a resampled unit brings all its codes.
        flat_x, flat_y = x.reshape(-1), y.reshape(-1)
        kappa, alpha = cohen_kappa(flat_x, flat_y), binary_alpha(flat_x, flat_y)
        if n:
            mine = sums[:, 3 * k:3 * k + 3]
            k_low, k_high = _interval(_kappas_from_sums(mine, n * len(chosen)))
            a_low, a_high = _interval(_alphas_from_sums(mine, n * len(chosen)))
        else:
            k_low = k_high = a_low = a_high = math.nan
        rows.append(IntervalRow(pair=pair, level=level, code=name, n=n, percent=percent_agreement(flat_x, flat_y),
                                kappa=kappa, kappa_low=k_low, kappa_high=k_high, alpha=alpha, alpha_low=a_low,
                                alpha_high=a_high))
    return rows


def _interval(values: np.ndarray) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if not len(values):
        return math.nan, math.nan
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def both_levels(a: Mapping[str, Iterable[str]], b: Mapping[str, Iterable[str]], segments: Sequence[Segment],
                codes: Sequence[str], pair: str) -> list[IntervalRow]:
    both = set(a) & set(b)
    # The segment-level units by their place, not their ids: the bootstrap draws units by position in
    # sorted order, and ids are keyed with the study's secret, so intervals over ids would change with it.
    place = {s.segment_id: segment_place(s) for s in segments}
    unplaced = both - set(place)
    if unplaced:
        # Such a decision would count at segment level (under its id, sorted apart from the places) and not at
        # turn level (to_turns cannot place it): two levels over different units, silently.
        raise UnplacedDecisionError(
            f"agreement {pair}: {len(unplaced)} of {len(both)} segments both decided are not among the study's "
            f"informant segments (decisions left from an earlier ingest?); run `qualpipe ingest` and `qualpipe "
            f"review import` again, or remove those decisions, so that every decision names a segment of the study")
    rows = interval_rows({place[k]: a[k] for k in both}, {place[k]: b[k] for k in both},
                         codes, "segment", pair)
    return rows + interval_rows(to_turns(a, segments, both), to_turns(b, segments, both), codes, "turn", pair)


class UnplacedDecisionError(QualpipeError):
    """A decision names a segment that the segments given do not hold, so it has no place and no turn."""


def segment_place(segment: Segment) -> str:
    """Where a segment stands (file, turn, start), as a key that sorts the same under any secret."""
    return f"{segment.file}\x00{segment.turn_index:09d}\x00{segment.start:09d}"
