"""Per code: how many turns the machine gives a code against how many the coder did (run by hand, not a test).

    .venv/bin/python benchmarks/coding_counts.py STUDY --against DIR [--against DIR ...] [--round K ...]
        [--variant NAME ...] [--cache FILE]

For each blind set and each k (0 = trained on the study's coder alone; k > 0: plus k interviews of the set,
disjoint blocks, at most 3 rotations, counted on the set's other interviews and summed over rotations) it
prints, per code at turn level: the coder's count, the machine's count, precision, recall, the training
coder's own turn rate and the code's threshold. It says whether an over-predicted code is a matter of the
threshold (the machine's rate on the new material against the training coder's), of the training coder's
convention (that coder's rate against the new coder's) or of the ranking (precision at the coder's count:
what the best threshold for this coder would still get wrong); ``--confusions``: per code, its false-positive
turns counted by the codes the coder gave them (another code's turn, or one without a code). ``--variant`` takes the parameter sets of
benchmarks/coding_variants.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np  # noqa: E402

from pipeline.coding.agreement import to_turns  # noqa: E402
from pipeline.coding.evaluation import plan_codes, pooled_training  # noqa: E402
from pipeline.coding.machine import combine, fit_model, make_estimator, mark_current_round, training_set  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402


def turn_rate(data, code: str) -> float:
    turns = data.truth_turns
    return sum(code in codes for codes in turns.values()) / max(len(turns), 1)


def fold(train, test, codebook, settings, params, nlp, scored, turn_weighted=False):
    """(the test's turn truth on ``scored``, predicted turn codes, per code the turn max probability, thresholds).

    ``turn_weighted``: each segment of the round's turn-level gold weighs 1 / the segments of its turn, so
    that a coded turn counts once however many segments its label is spread to."""
    pooled, labels = pooled_training(train, test)
    plan = plan_codes(codebook, list(labels.values()), settings.min_examples_per_code)
    if turn_weighted and any(data is test for data, chosen in train if chosen):
        from collections import Counter

        examples, y, groups = training_set(pooled, labels, plan.model_codes)
        size = Counter(e.turn for e in examples if e.current_round)
        weights = [1.0 / size[e.turn] if e.current_round else 1.0 for e in examples]
        model = make_estimator(plan, codebook, settings.seed, params, nlp).fit(examples, y, groups=groups,
                                                                               sample_weight=weights)
    else:
        model = fit_model(pooled, labels, plan, codebook, settings.seed, params, nlp)
    analysed = mark_current_round(test.analysed, [u.segment_id for u in test.analysed.units]) \
        if any(data is test for data, _ in train) else test.analysed
    suggestions = combine(analysed, model, plan)
    predictions = {u.segment_id: frozenset(f) for u, f in zip(analysed.units, suggestions.applied)}
    truth = {k: v for k, v in test.truth_turns.items() if k in to_turns({s: () for s in scored}, test.segments)}
    machine = to_turns(predictions, test.segments, scored)
    top: dict[str, dict] = {}
    by_segment = {u.segment_id: i for i, u in enumerate(analysed.units)}
    for segment in test.segments:
        if segment.segment_id not in scored:
            continue
        key = (segment.file, segment.turn_index)
        for code, p in suggestions.probabilities.items():
            top.setdefault(code, {})
            top[code][key] = max(top[code].get(key, 0.0), float(p[by_segment[segment.segment_id]]))
    return truth, machine, top, suggestions.thresholds


def main() -> None:
    from coding_variants import VARIANTS, analysed_studies

    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--against", action="append", type=Path, required=True)
    parser.add_argument("--round", type=int, action="append", default=None, dest="round_k")
    parser.add_argument("--variant", action="append", default=None, choices=sorted(VARIANTS))
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--turn-weighted-round", action="store_true",
                        help="each segment of a round's coded turn weighs 1 / the turn's segments")
    parser.add_argument("--confusions", action="store_true",
                        help="per code, its false-positive turns counted by the codes the coder gave them")
    args = parser.parse_args()
    study = load_study(args.study)
    settings = study.settings.coding
    nlp = load_nlp(study.settings.model)
    demo, blinds = analysed_studies(study, nlp, args.against, args.cache)
    codes = demo.codebook.ids
    for name in args.variant or ["default"]:
        params = {**settings.model.params(), **VARIANTS[name]}
        print(f"== {name} {VARIANTS[name]}", flush=True)
        for n, blind in enumerate(blinds, start=1):
            informants = blind.informants()
            for k in args.round_k or [0]:
                start = time.perf_counter()
                sums = {c: np.zeros(5) for c in codes}  # coded, predicted, tp, tp at the coder's count, turns
                confused = {c: Counter() for c in codes}  # false positives by the codes the coder gave the turn
                thresholds = []
                rotations = range(min(3, len(informants) // k)) if k else range(1)
                for r in rotations:
                    coded = [informants[(k * r + i) % len(informants)] for i in range(k)]
                    scored = set(blind.subset([i for i in informants if i not in coded]))
                    train = [(demo, demo.labels)] + ([(blind, blind.subset(coded))] if coded else [])
                    truth, machine, top, found = fold(train, blind, demo.codebook, settings, params, nlp, scored,
                                                      args.turn_weighted_round)
                    thresholds.append(found)
                    keys = sorted(truth)
                    for c in codes:
                        y = np.array([c in truth[key] for key in keys])
                        p = np.array([c in machine.get(key, ()) for key in keys])
                        ranked = np.argsort([-top.get(c, {}).get(key, 0.0) for key in keys], kind="stable")
                        at_count = int(y[ranked[:int(y.sum())]].sum()) if c in top else 0
                        sums[c] += [y.sum(), p.sum(), (y & p).sum(), at_count, len(keys)]
                        confused[c].update("+".join(sorted(truth[key])) or "none" for key, yes, got in zip(keys, y, p)
                                           if got and not yes)
                tp, total = sum(sums[c][2] for c in codes), sum(sums[c][0] + sums[c][1] for c in codes)
                print(f"set {n} k = {k} ({len(rotations)} rotation(s), {time.perf_counter() - start:.0f} s): "
                      f"micro-F1 over the rotations' turns {2 * tp / max(total, 1):.3f}")
                for c in codes:
                    coded_n, predicted, tp, at_count, turns = sums[c]
                    t = np.mean([f.get(c, np.nan) for f in thresholds])
                    print(f"  {c:12s} coded {int(coded_n):3d} predicted {int(predicted):3d}  "
                          f"P {tp / max(predicted, 1):.2f} R {tp / max(coded_n, 1):.2f}  "
                          f"P at coded count {at_count / max(coded_n, 1):.2f}  "
                          f"rate: coder {coded_n / turns:.3f} machine {predicted / turns:.3f} "
                          f"training coder {turn_rate(demo, c):.3f}  threshold {t:.3f}", flush=True)
                    if args.confusions:
                        print(f"    false positives by the coder's codes: "
                              + ", ".join(f"{codes_} {n}" for codes_, n in sorted(confused[c].items(),
                                                                                  key=lambda kv: (-kv[1], kv[0]))))


if __name__ == "__main__":
    main()
