"""Fit time of one code's first-stage model per candidate, at the demo's size and at ×N (run by hand, not a test).

    .venv/bin/python benchmarks/coding_first_stage_time.py STUDY [--times 10] [--candidate NAME ...]

The study's training rows are featurised once (the estimator's own features, codebook rows included); the
×N matrix is N copies of those rows, each copy's nonzero values scaled by its own seeded factor in
[0.9, 1.1], so rows are not exact duplicates. Each candidate (coding_orders.CANDIDATES) fits the first stage of
every code once per size; the wall time of those fits is printed (one process, load in the caller's log). A
candidate with a ``search`` grid fits, per code, the first stage of every grid point on the training rows of each
inner fold (``machine.SEARCH_FOLDS``, grouped by informant; the ×N copies keep their rows' informants) and then
once on all rows: the first-stage share of what a search costs (each of those fits is a whole two-stage fit in
the stage, whose own inner folds multiply a search and a single fit alike).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, ParameterGrid

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from coding_orders import CANDIDATES  # noqa: E402
from pipeline.coding.evaluation import study_labelled  # noqa: E402
from pipeline.coding.machine import SEARCH_FOLDS, make_estimator, plan_codes, training_set  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--candidate", action="append", default=None, choices=sorted(CANDIDATES))
    args = parser.parse_args()
    study = load_study(args.study)
    settings = study.settings.coding
    nlp = load_nlp(study.settings.model)
    data = study_labelled(study, None, nlp)
    plan = plan_codes(data.codebook, list(data.labels.values()), settings.min_examples_per_code)
    examples, y, groups = training_set(data.analysed, data.labels, plan.model_codes)
    from pipeline.coding.classifier import make_features

    base = make_estimator(plan, data.codebook, settings.seed, settings.model.params(), nlp)

    union = make_features(base.rule_codes, random_state=base.random_state)
    matrix = union.fit_transform(examples).tocsr()
    rng = np.random.RandomState(0)
    copies = []
    for _ in range(args.times):
        copy = matrix.copy()
        copy.data = copy.data * rng.uniform(0.9, 1.1, size=copy.data.shape)
        copies.append(copy)
    big = sparse.vstack(copies, format="csr")
    big_y = np.tile(y, (args.times, 1))
    big_groups = np.tile(groups, args.times)
    print(f"rows {matrix.shape[0]} x {matrix.shape[1]} features (nnz {matrix.nnz}); x{args.times}: {big.shape[0]} rows",
          flush=True)
    for name in args.candidate or list(CANDIDATES):
        candidate = dict(CANDIDATES[name])
        grid = candidate.pop("search", {})
        estimator = clone(base).set_params(**candidate)  # the defaults plus this candidate's only
        timings = []
        for X, labels, informants in ((matrix, y, groups), (big, big_y, big_groups)):
            start = time.perf_counter()
            for j in range(labels.shape[1]):
                for point in ParameterGrid(grid) if grid else ():
                    searched = clone(estimator).set_params(**point)
                    for train, _ in GroupKFold(SEARCH_FOLDS).split(X, labels[:, j], informants):
                        searched._first_model(len(train), X.shape[1]).fit(X[train], labels[train, j],
                                                                          sample_weight=np.ones(len(train)))
                estimator._first_model(*X.shape).fit(X, labels[:, j], sample_weight=np.ones(X.shape[0]))
            timings.append(time.perf_counter() - start)
        print(f"{name:18s} {len(plan.model_codes)} codes: {timings[0]:.2f} s at {matrix.shape[0]} rows, "
              f"{timings[1]:.2f} s at x{args.times} (ratio {timings[1] / timings[0]:.1f})", flush=True)


if __name__ == "__main__":
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    main()
