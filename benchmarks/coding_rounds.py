"""A new round of coding: how much the first coded interviews of the round should weigh (run by hand).

    .venv/bin/python benchmarks/coding_rounds.py STUDY [--weight W ...] [--set NAME ...] [--k K ...]

STUDY is a study folder that has been run (ingest + anonymise) with a primary coder: the demo.
For every ``round_weight`` W (``coding.model``) and every set, the model learns the old material
plus the first k interviews of the new round (their decisions weigh W each) and is scored, at
turn level, on the round's other interviews. Each k is run over several orderings of which
interviews are coded first (disjoint blocks of k, so every interview is scored); the mean and the
range (min–max) over orderings are printed. Sets:

* ``blind``: old = all of STUDY's primary coder; round = tests/data/coding_blind (another coder);
* ``blind2``: the same with tests/data/coding_blind2, when it exists;
* ``second``: within STUDY: old = the primary coder on the informants the second coder (``--second``,
  default forsker2) did not code; round = the second coder's interviews;
* ``self``: within STUDY, one coder: old = the primary coder on half the informants, round = the other
  half (does weighting the recent decisions of the *same* coder hurt?).

No interview is ever scored by a model that trained on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from pipeline.coding.agreement import to_turns  # noqa: E402
from pipeline.coding.evaluation import MICRO, load_gold_study, score_sets, study_labelled, train_and_predict  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402


def orderings(informants: list[str], k: int, limit: int) -> list[list[str]]:
    """Disjoint blocks of k interviews (rotations), at most ``limit``; k = 0: one empty block."""
    if k == 0:
        return [[]]
    n = len(informants)
    return [[informants[(r * k + i) % n] for i in range(k)] for r in range(min(limit, max(1, n // k)))]


def scores(data, predictions, scored):
    truth = {key: v for key, v in data.truth_turns.items() if key in to_turns({s: () for s in scored}, data.segments)}
    return {s.code: s for s in score_sets(truth, to_turns(predictions, data.segments, scored), data.codebook.ids,
                                          "turn", "m")}


def summary(name, k, rows, codes):
    def cell(values):
        values = [v for v in values if not np.isnan(v)]
        return f"{np.mean(values):.2f} [{min(values):.2f}–{max(values):.2f}]" if values else "–"
    parts = [f"F1 {cell([r[MICRO].f1 for r in rows])}"]
    parts += [f"{c[:5]} {cell([r[c].kappa for r in rows])}" for c in codes]
    return f"{name:8s} k={k} ({len(rows)} ord.) " + "  ".join(parts)


def _value(text: str):
    try:
        return float(text)
    except ValueError:
        return {"true": True, "false": False}.get(text.lower(), text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--weight", type=float, action="append", default=None)
    parser.add_argument("--set", action="append", default=None, choices=["blind", "blind2", "second", "self"])
    parser.add_argument("--k", type=int, action="append", default=None)
    parser.add_argument("--orderings", type=int, default=4)
    parser.add_argument("--second", default="forsker2")
    parser.add_argument("--param", action="append", default=[], help="KEY=VALUE over coding.model")
    args = parser.parse_args()
    study = load_study(args.study)
    settings = study.settings.coding
    nlp = load_nlp(study.settings.model)
    demo = study_labelled(study, None, nlp)
    extra = {key: _value(value) for key, value in (p.split("=", 1) for p in args.param)}
    sets = {}
    for name in args.set or ["blind", "second", "self"]:
        if name in ("blind", "blind2"):
            folder = REPO / "tests" / "data" / ("coding_blind" if name == "blind" else "coding_blind2")
            target = load_gold_study(folder, demo.codebook, nlp)
            sets[name] = ([(demo, demo.labels)], target)
        elif name == "second":
            target = study_labelled(study, args.second, nlp)
            old = [i for i in demo.informants() if i not in set(target.informants())]
            sets[name] = ([(demo, demo.subset(old))], target)
        else:
            informants = demo.informants()
            old, new = informants[::2], informants[1::2]
            target = replace(demo, labels=demo.subset(new), truth_turns=demo.truth_turns)
            sets[name] = ([(demo, demo.subset(old))], target)
    codes = demo.codebook.ids
    for name, (base, target) in sets.items():
        informants = target.informants()
        print(f"== {name}: {len(informants)} interviews in the round, old material "
              f"{sum(len(c) for _, c in base)} segments", flush=True)
        for weight in args.weight or [1.0, 3.0, 10.0]:
            params = {**settings.model.params(), **extra, "round_weight": weight}
            for k in args.k or [0, 1, 2, 4]:
                if k >= len(informants) or (k == 0 and weight != (args.weight or [1.0])[0]):
                    continue  # k = 0 does not depend on the weight
                start, rows = time.perf_counter(), []
                for coded in orderings(informants, k, args.orderings):
                    rest = set(target.subset([i for i in informants if i not in coded]))
                    train = base + ([(target, target.subset(coded))] if coded else [])
                    predictions = train_and_predict(train, target, demo.codebook, settings.min_examples_per_code,
                                                    settings.seed, params, None, nlp)
                    rows.append(scores(target, predictions, rest))
                print(summary(f"w={weight:g}", k, rows, codes) + f"  ({time.perf_counter() - start:.0f} s)",
                      flush=True)


if __name__ == "__main__":
    main()
