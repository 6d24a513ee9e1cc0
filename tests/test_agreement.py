"""Agreement statistics on small hand-made data with values worked out by hand."""

from __future__ import annotations

import math

import pytest

from pipeline.coding.agreement import (ALL_CODES, agreement_both_levels, code_agreement, cohen_kappa,
                                       krippendorff_alpha, percent_agreement)
from pipeline.records import Segment


def table(yy: int, yn: int, ny: int, nn: int) -> tuple[list[int], list[int]]:
    a = [1] * yy + [1] * yn + [0] * ny + [0] * nn
    b = [1] * yy + [0] * yn + [1] * ny + [0] * nn
    return a, b


def test_kappa_alpha_percent_on_a_2x2_table():
    # po = 35/50 = .70; pe = .5*.6 + .5*.4 = .50 -> kappa = .40
    # alpha: o_yn + o_ny = 30, n_y = 55, n_n = 45, n = 100 -> 1 - 99*30/(2*55*45) = .40
    a, b = table(20, 5, 10, 15)
    assert percent_agreement(a, b) == pytest.approx(70.0)
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert krippendorff_alpha([a, b]) == pytest.approx(0.4)


def test_kappa_and_alpha_differ_on_small_samples():
    # po = .75, pe = .5 -> kappa = .5; alpha = 1 - 7*2/(2*3*5) = 8/15
    a, b = [1, 1, 0, 0], [1, 0, 0, 0]
    assert cohen_kappa(a, b) == pytest.approx(0.5)
    assert krippendorff_alpha([a, b]) == pytest.approx(8 / 15)


def test_perfect_and_chance_agreement():
    assert cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == pytest.approx(1.0)
    assert krippendorff_alpha([[1, 0, 1, 0], [1, 0, 1, 0]]) == pytest.approx(1.0)
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 1, 0]) == pytest.approx(0.0)


def test_undefined_when_nobody_ever_uses_the_code():
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))
    assert math.isnan(krippendorff_alpha([[0, 0, 0], [0, 0, 0]]))
    assert percent_agreement([0, 0, 0], [0, 0, 0]) == 100.0


def test_code_agreement_per_code_and_pooled_on_shared_units_only():
    a = {"u1": {"x"}, "u2": {"x", "y"}, "u3": set(), "u4": {"y"}, "only_a": {"x"}}
    b = {"u1": {"x"}, "u2": {"x"}, "u3": {"y"}, "u4": {"y"}, "only_b": {"y"}}
    rows = {r.code: r for r in code_agreement(a, b, ["x", "y"])}
    assert rows["x"].n == 4 and rows["x"].percent == 100.0 and rows["x"].kappa == pytest.approx(1.0)
    # y: a = [0,1,0,1], b = [0,0,1,1] -> po .5, pe .5 -> kappa 0
    assert rows["y"].percent == 50.0 and rows["y"].kappa == pytest.approx(0.0)
    assert (rows["y"].positives_a, rows["y"].positives_b) == (2, 2)
    # pooled: 8 decisions, 6 agree
    assert rows[ALL_CODES].percent == pytest.approx(75.0)


def test_turn_level_rolls_up_segments_both_decided():
    def seg(sid, turn):
        return Segment(sid, "1", "a.txt", turn, "informant", 0, 1, "x")

    segments = [seg("s1", 1), seg("s2", 1), seg("s3", 3), seg("s4", 3)]
    a = {"s1": {"x"}, "s2": set(), "s3": set(), "s4": {"x"}}
    b = {"s1": set(), "s2": {"x"}, "s3": set()}  # s4 not decided by b
    rows = agreement_both_levels(a, b, segments, ["x"])
    segment_x = next(r for r in rows if r.level == "segment" and r.code == "x")
    turn_x = next(r for r in rows if r.level == "turn" and r.code == "x")
    assert segment_x.n == 3 and segment_x.percent == pytest.approx(100 / 3)
    # turn 1: both have x; turn 3 (only s3 shared): neither has x
    assert turn_x.n == 2 and turn_x.percent == 100.0


def test_bootstrap_intervals_from_sample_sums_equal_those_of_the_resampled_values():
    """interval_rows sums each sample's units instead of holding samples x units x codes values: the same
    intervals as the direct computation on the resampled values, to the last bit."""
    import random

    import numpy as np

    from pipeline.coding.agreement import ALL_CODES, _interval, interval_rows

    def direct(a, b, codes, samples=200, seed=7):
        units = sorted(set(a) & set(b), key=str)
        n = len(units)
        draws = np.random.default_rng(seed).integers(0, n, size=(samples, n))
        found = []
        for chosen in [[c] for c in codes] + [list(codes)]:
            x = np.array([[c in a[u] for c in chosen] for u in units], dtype=np.int8)[draws].reshape(samples, -1)
            y = np.array([[c in b[u] for c in chosen] for u in units], dtype=np.int8)[draws].reshape(samples, -1)
            observed, px, py = np.mean(x == y, axis=-1), np.mean(x, axis=-1, dtype=float), np.mean(y, axis=-1, dtype=float)
            expected = px * py + (1 - px) * (1 - py)
            ones = x.sum(axis=-1, dtype=np.int64) + y.sum(axis=-1, dtype=np.int64)
            zeros = 2 * x.shape[1] - ones
            with np.errstate(divide="ignore", invalid="ignore"):
                kappas = np.where(np.isclose(expected, 1.0), np.nan, (observed - expected) / (1 - expected))
                alphas = np.where((ones == 0) | (zeros == 0), np.nan,
                                  1.0 - (2 * x.shape[1] - 1) * np.sum(x != y, axis=-1) / (ones * zeros))
            found.append((_interval(kappas), _interval(alphas)))
        return found

    rng = random.Random(4)
    codes = ["a", "b", "c"]
    a = {f"u{i}": {c for c in codes if rng.random() < 0.3} for i in range(400)}
    b = {u: (v if rng.random() < 0.7 else {c for c in codes if rng.random() < 0.5}) for u, v in a.items()}
    b["u0"], a["u1"] = set(), {"a", "b", "c"}
    rows = interval_rows(a, b, codes, "segment", "x – y", samples=200, seed=7)
    assert [r.code for r in rows] == [*codes, ALL_CODES]
    assert [((r.kappa_low, r.kappa_high), (r.alpha_low, r.alpha_high)) for r in rows] == direct(a, b, codes)
    assert all(r.kappa_low <= r.kappa <= r.kappa_high for r in rows)


def test_bootstrap_intervals_do_not_depend_on_the_segment_ids():
    """The same decisions at the same places under other ids (another study secret) give the same intervals."""
    import random

    from pipeline.coding.agreement import both_levels

    rng = random.Random(3)
    places = [(f"{f}.txt", turn, start) for f in "ab" for turn in range(12) for start in (0, 40)]
    a_codes = [{c for c in "xy" if rng.random() < 0.4} for _ in places]
    b_codes = [codes if rng.random() < 0.7 else {c for c in "xy" if rng.random() < 0.4} for codes in a_codes]

    def rows(ids):
        segments = [Segment(sid, "1", f, turn, "informant", start, start + 30, "x")
                    for sid, (f, turn, start) in zip(ids, places)]
        return both_levels(dict(zip(ids, a_codes)), dict(zip(ids, b_codes)), segments, ["x", "y"], "a – b")

    first = [f"s{k:03d}" for k in range(len(places))]
    second = [f"s{k:03d}" for k in rng.sample(range(len(places)), len(places))]  # the same places, other ids
    assert rows(first) == rows(second)
    assert any(r.level == "segment" and r.kappa_low < r.kappa < r.kappa_high for r in rows(first))


def test_a_decision_on_a_segment_not_in_the_study_is_an_error_that_names_the_pair():
    """A decision whose segment the segments do not hold has no place and no turn: an error, not a fallback."""
    import pytest

    from pipeline.coding.agreement import UnplacedDecisionError, both_levels

    segments = [Segment(f"s{k}", "1", "a.txt", k, "informant", 0, 30, "x") for k in range(6)]
    a = {f"s{k}": {"x"} if k % 2 else set() for k in range(6)}
    b = {f"s{k}": {"x"} if k % 3 else set() for k in range(6)}
    assert both_levels(a, b, segments, ["x"], "a – b")  # every decision placed: rows
    with pytest.raises(UnplacedDecisionError, match=r"a – b: 1 of 7 segments"):
        both_levels({**a, "gone": {"x"}}, {**b, "gone": set()}, segments, ["x"], "a – b")
    # Decided by one coder only: not a unit of agreement, so not an error.
    assert both_levels({**a, "gone": {"x"}}, b, segments, ["x"], "a – b") == both_levels(a, b, segments, ["x"], "a – b")
