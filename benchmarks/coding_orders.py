"""How much a first stage's held-out figures depend on the order of its training rows (run by hand, not a test).

    .venv/bin/python benchmarks/coding_orders.py STUDY --against SET [--against SET ...]
        [--candidate NAME ...] [--order 0 --order 1 ...] [--round 2] [--json FILE]

For every candidate first stage (estimator parameters over the study.yaml defaults, ``CANDIDATES``; a candidate's
``search`` is a ``coding.model.search`` grid, chosen inside every fit on its own training informants) and every
``--order`` (a seeded permutation of the training rows, applied inside each fit to all its rows, so every fit of
an evaluation, inner folds included, sees its rows in that permutation of the order it was given) it prints the
turn-level micro-F1, micro kappa and kappa per code of:

* ``own``: the study's own coder, 6 folds grouped by informant (held-out informants of the study); ``own_ho``
  with ``--own-cv heldout``: the folds of the study's held-out record (``qualpipe agreement``);
* ``transferN``: trained on the study's coder, scored on set N (no round: k = 0);
* ``roundN+k``: the study's coder plus k interviews of set N, scored on the others (the rotations of
  ``benchmarks/coding_variants.py``).

Everything is analysed once per process and every candidate and order shares it, so comparisons are paired.
At the end: per candidate and line, mean, min and max over the orders of micro-F1 and micro kappa, and mean
kappa per code. ``--json``: every line's figures, one JSON object a line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sklearn.model_selection import GroupKFold  # noqa: E402

from coding_variants import analysed_studies, turn_scores  # noqa: E402
from pipeline.coding import machine  # noqa: E402
from pipeline.coding.classifier import TwoStageCoder  # noqa: E402
from pipeline.coding.evaluation import MICRO, heldout_predictions, train_and_predict  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402

CANDIDATES = {
    "default": {},
    "sgd_avg": {"sgd_average": True},
    "sgd_epochs30": {"sgd_epochs": 30},
    "sgd_epochs50": {"sgd_epochs": 50},
    "sgd_epochs100": {"sgd_epochs": 100},
    "sgd_avg_epochs100": {"sgd_average": True, "sgd_epochs": 100},
    # Nearer the optimum is less regularised than an early stop: the same budget with a smaller C.
    "sgd_epochs100_C2": {"sgd_epochs": 100, "C": 2.0},
    "sgd_epochs100_C1.5": {"sgd_epochs": 100, "C": 1.5},
    "sgd_epochs100_C1": {"sgd_epochs": 100, "C": 1.0},
    # The same budget with C chosen per study on its own coding: coding.model.search, an inner GroupKFold of
    # machine.SEARCH_FOLDS folds on the training informants in every fit an evaluation makes (nested).
    "sgd_epochs100_searchC": {"sgd_epochs": 100, "search": {"C": [1.0, 2.0, 4.0]}},
    "sgd_bag5": {"sgd_bag": 5},
    "sgd_avg_bag3": {"sgd_average": True, "sgd_bag": 3},
    "lbfgs": {"solver": "lbfgs"},
    # A second first-stage family beside the linear one (coding18): multinomial naive Bayes on the same features,
    # calibrated, its scores read by stage 2 next to the linear model's; alpha 0.1 from the demo's own folds.
    "nb0.1": {"nb_alpha": 0.1},
    "nb0.03": {"nb_alpha": 0.03},
    "nb1": {"nb_alpha": 1.0},
    # The first stage before the eighteenth session (the linear model alone), once nb_alpha is the study default.
    "linear_only": {"nb_alpha": 0.0},
    "liblinear": {"solver": "liblinear"},
}


class PermutedCoder(TwoStageCoder):
    """The estimator, but every fit first puts its rows in a seeded permutation of the order it was given."""

    order_seed: int | None = None

    def fit(self, X, y, groups=None, sample_weight=None):
        if self.order_seed is None:
            return super().fit(X, y, groups=groups, sample_weight=sample_weight)
        X = list(X)
        order = np.random.RandomState(self.order_seed).permutation(len(X))
        groups = np.asarray(groups if groups is not None else [e.informant for e in X])[order]
        sample_weight = None if sample_weight is None else np.asarray(sample_weight)[order]
        return super().fit([X[i] for i in order], np.asarray(y)[order], groups=groups, sample_weight=sample_weight)


def permutation_seed(order: int) -> int | None:
    """``--order``'s seed for :class:`PermutedCoder`; a negative order is none: the rows as the study gives them
    (transcript order, the draw of the study's own model and held-out record)."""
    return None if order < 0 else order


def figures(scores) -> dict:
    by = {s.code: s for s in scores}
    return {"f1": by[MICRO].f1, "kappa": by[MICRO].kappa,
            "codes": {c: by[c].kappa for c in by if c != MICRO}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--against", action="append", type=Path, required=True)
    parser.add_argument("--candidate", action="append", default=None, choices=sorted(CANDIDATES))
    parser.add_argument("--order", action="append", type=int, default=None,
                        help="permutation seeds (default 0-4); -1: none, the rows in the study's own order")
    parser.add_argument("--round", type=int, action="append", default=None, dest="round_k")
    parser.add_argument("--skip", action="append", default=[], help="own, transfer, round")
    parser.add_argument("--own-cv", choices=["6", "heldout"], default="6",
                        help="own's folds: 6 grouped by informant, or the study's held-out folds (qualpipe "
                             "agreement's: one per informant up to 20)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    study = load_study(args.study)
    settings = study.settings.coding
    nlp = load_nlp(study.settings.model)
    demo, blinds = analysed_studies(study, nlp, args.against, None)
    machine.TwoStageCoder = PermutedCoder  # make_estimator builds this one
    chosen: list = []  # the parameters each search of the current line chose (a search candidate only)
    searched = machine.search_parameters

    def search_parameters(estimator, grid, examples, y, groups):
        found = searched(estimator, grid, examples, y, groups)
        chosen.append(tuple(found.get_params()[k] for k in sorted(grid)))
        return found

    machine.search_parameters = search_parameters  # fit_model and evaluation._SearchedCoder look it up there
    out = args.json.open("w") if args.json else None
    results: dict = {}

    def record(candidate, order, name, scores):
        found = figures(scores)
        results.setdefault((candidate, name), []).append(found)
        picks = {str(k): chosen.count(k) for k in sorted(set(chosen))}
        chosen.clear()
        print(f"{candidate:18s} order {order} {name:9s} F1 {found['f1']:.3f} micro kappa {found['kappa']:.3f}  "
              + " ".join(f"{c[:5]} {k:.2f}" for c, k in found["codes"].items())
              + (f"  chosen {picks}" if picks else ""), flush=True)
        if out:
            out.write(json.dumps({"candidate": candidate, "order": order, "line": name, **found,
                                  **({"chosen": picks} if picks else {})}) + "\n")
            out.flush()

    for candidate in args.candidate or list(CANDIDATES):
        params = {**settings.model.params(), **CANDIDATES[candidate]}
        search = params.pop("search", None) or None
        for order in args.order or [0, 1, 2, 3, 4]:
            PermutedCoder.order_seed = permutation_seed(order)
            start = time.perf_counter()
            if "own" not in args.skip:
                cv = GroupKFold(6) if args.own_cv == "6" else None  # None: evaluation.heldout_cv
                predictions, _ = heldout_predictions(demo, settings.min_examples_per_code, settings.seed, params,
                                                     search, nlp=nlp, cv=cv)
                name = "own" if args.own_cv == "6" else "own_ho"
                record(candidate, order, name, turn_scores(demo, predictions, set(predictions)))
            for n, blind in enumerate(blinds, start=1):
                informants = blind.informants()
                if "transfer" not in args.skip:
                    predictions = train_and_predict([(demo, demo.labels)], blind, demo.codebook,
                                                    settings.min_examples_per_code, settings.seed, params, search,
                                                    nlp=nlp)
                    record(candidate, order, f"transfer{n}", turn_scores(blind, predictions, set(blind.labels)))
                if "round" in args.skip:
                    continue
                for k in args.round_k or [2]:
                    rows = []
                    for r in range(min(3, len(informants) // k)):
                        coded = [informants[(k * r + i) % len(informants)] for i in range(k)]
                        rest = set(blind.subset([i for i in informants if i not in coded]))
                        predictions = train_and_predict([(demo, demo.labels), (blind, blind.subset(coded))], blind,
                                                        demo.codebook, settings.min_examples_per_code,
                                                        settings.seed, params, search, nlp=nlp)
                        rows.append(figures(turn_scores(blind, predictions, rest)))
                    record(candidate, order, f"round{n}+{k}", _pooled(rows))
            print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    print("\n== mean [min, max] over orders: micro-F1; micro kappa; mean kappa per code")
    for (candidate, name), found in results.items():
        f1 = [f["f1"] for f in found]
        kappa = [f["kappa"] for f in found]
        codes = {c: np.mean([f["codes"][c] for f in found]) for c in found[0]["codes"]}
        print(f"{candidate:18s} {name:9s} F1 {np.mean(f1):.3f} [{min(f1):.3f}, {max(f1):.3f}] "
              f"range {max(f1) - min(f1):.3f}; kappa {np.mean(kappa):.3f} [{min(kappa):.3f}, {max(kappa):.3f}]; "
              + " ".join(f"{c[:5]} {k:.2f}" for c, k in codes.items()), flush=True)


class _Pooled:
    def __init__(self, code, f1, kappa):
        self.code, self.f1, self.kappa = code, f1, kappa


def _pooled(rows: list[dict]) -> list:
    """The mean over rotations (as coding_variants.py pools them), as score-like rows for :func:`figures`."""
    pooled = [_Pooled(MICRO, np.mean([r["f1"] for r in rows]), np.mean([r["kappa"] for r in rows]))]
    return pooled + [_Pooled(c, 0.0, np.mean([r["codes"][c] for r in rows])) for c in rows[0]["codes"]]


if __name__ == "__main__":
    main()
