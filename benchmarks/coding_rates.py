"""Thresholds set on the new material's own scores: the coded rate carried over (run by hand, not a test).

    .venv/bin/python benchmarks/coding_rates.py STUDY --cache FILE [--seed S ...] [--prior 40]

The coding stage's thresholds are chosen on the training coder's held-out scores (the F1-best one, or
``threshold_rule: prevalence``). This measures the alternative that looks at the material to be coded:
per code, the threshold on the new interviews' turn scores (a turn's score = its segments' largest
probability) at which the share of turns given the code is a target rate, then scores the turns:

* ``k0 study-rate``: trained on the study's coder; target = that coder's turn rate of the code;
* ``k2 round-rate``: trained on the study's coder + 2 interviews of the set (3 rotations, as in
  ``coding_variants.py``); target = the code's turn rate in those 2 coded interviews;
* ``k2 blend``: target = the round's rate shrunk towards the study's, as if the study's rate were
  ``--prior`` turns of the round ((n·round + prior·study) / (n + prior)).

Beside each, the same model with its own thresholds (``fixed``). Same STUDY and ``--cache`` as
``benchmarks/coding_variants.py`` (tests/data/coding_blind and coding_blind2 by default).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from pipeline.coding.agreement import to_turns  # noqa: E402
from coding_variants import analysed_studies  # noqa: E402  (benchmarks/coding_variants.py)
from pipeline.coding.evaluation import MICRO, pooled_training, score_sets  # noqa: E402
from pipeline.coding.machine import fit_model, mark_current_round, plan_codes  # noqa: E402
from pipeline.coding.units import turn_key  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402


def fitted(train, test, codebook, min_examples, seed, params, nlp):
    pooled, labels = pooled_training(train, test)
    plan = plan_codes(codebook, list(labels.values()), min_examples)
    assert not plan.rule_codes, "every code needs the model here"
    return fit_model(pooled, labels, plan, codebook, seed, params, nlp)


def turn_scores(model, test, scored, learned_from_test):
    analysed = mark_current_round(test.analysed, [u.segment_id for u in test.analysed.units]) \
        if learned_from_test else test.analysed
    proba = model.predict_proba(analysed.examples)
    by_turn: dict = {}
    for unit, row in zip(analysed.units, proba):
        if unit.segment_id in scored:
            key = turn_key(unit.segment)
            by_turn[key] = np.maximum(by_turn.get(key, row), row)
    return by_turn


def rates(truth_turns, codes):
    return {c: float(np.mean([c in v for v in truth_turns.values()])) for c in codes}


def at_rate(by_turn, codes, target):
    keys = sorted(by_turn)
    matrix = np.array([by_turn[k] for k in keys])
    predicted = {k: set() for k in keys}
    for j, code in enumerate(codes):
        order = np.argsort(-matrix[:, j], kind="stable")
        for i in order[:int(round(target[code] * len(keys)))]:
            predicted[keys[i]].add(code)
    return predicted


def fixed(by_turn, model):
    return {k: {c for j, c in enumerate(model.classes_) if row[j] >= model.thresholds_[j]} for k, row in by_turn.items()}


def line(name, scores):
    by = {s.code: s for s in scores}
    return (f"{name:22s} F1 {by[MICRO].f1:.3f}  kappa "
            + " ".join(f"{c[:5]} {by[c].kappa:.2f}" for c in by if c != MICRO))


def mean_scores(rows):
    return [type(rows[0][0])(**{**s.__dict__, "f1": float(np.mean([r[i].f1 for r in rows])),
                                "kappa": float(np.mean([r[i].kappa for r in rows]))}) for i, s in enumerate(rows[0])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--against", action="append", type=Path, default=None)
    parser.add_argument("--seed", type=int, action="append", default=None)
    parser.add_argument("--prior", type=float, default=40.0)
    args = parser.parse_args()
    study = load_study(args.study)
    settings = study.settings.coding
    nlp = load_nlp(study.settings.model)
    demo, blinds = analysed_studies(study, nlp, args.against, args.cache)
    codes = list(demo.codebook.ids)
    study_rate = rates(demo.truth_turns, codes)
    print("study turn rates " + " ".join(f"{c[:5]} {r:.2f}" for c, r in study_rate.items()), flush=True)
    params = settings.model.params()
    for seed in args.seed or [settings.seed]:
        print(f"== seed {seed}", flush=True)
        for n, blind in enumerate(blinds, start=1):
            truth = blind.truth_turns
            print(f"set {n} turn rates " + " ".join(f"{c[:5]} {r:.2f}" for c, r in rates(truth, codes).items()))
            model = fitted([(demo, demo.labels)], blind, demo.codebook, settings.min_examples_per_code, seed,
                           params, nlp)
            by_turn = turn_scores(model, blind, set(blind.labels), False)
            print(line(f"set{n} k0 fixed", score_sets(truth, fixed(by_turn, model), codes, "turn", "m")))
            print(line(f"set{n} k0 study-rate", score_sets(truth, at_rate(by_turn, codes, study_rate), codes,
                                                           "turn", "m")), flush=True)
            informants = blind.informants()
            rows = {"fixed": [], "round-rate": [], "blend": []}
            for r in range(3):
                coded = [informants[(2 * r + i) % len(informants)] for i in range(2)]
                rest = set(blind.subset([i for i in informants if i not in coded]))
                model = fitted([(demo, demo.labels), (blind, blind.subset(coded))], blind, demo.codebook,
                               settings.min_examples_per_code, seed, params, nlp)
                by_turn = turn_scores(model, blind, rest, True)
                scored_truth = {k: v for k, v in truth.items() if k in by_turn}
                coded_truth = to_turns(blind.subset(coded), blind.segments)
                round_rate = rates(coded_truth, codes)
                m = len(coded_truth)
                blend = {c: (m * round_rate[c] + args.prior * study_rate[c]) / (m + args.prior) for c in codes}
                rows["fixed"].append(score_sets(scored_truth, fixed(by_turn, model), codes, "turn", "m"))
                rows["round-rate"].append(score_sets(scored_truth, at_rate(by_turn, codes, round_rate), codes,
                                                     "turn", "m"))
                rows["blend"].append(score_sets(scored_truth, at_rate(by_turn, codes, blend), codes, "turn", "m"))
            for name, got in rows.items():
                print(line(f"set{n} k2 {name}", mean_scores(got)), flush=True)


if __name__ == "__main__":
    main()
