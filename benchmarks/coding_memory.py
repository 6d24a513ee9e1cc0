"""The round's memory (``memory_weight``): a new round's first coded turns correcting the model nearby (by hand).

    .venv/bin/python benchmarks/coding_memory.py STUDY --cache FILE [--against DIR ...] [--seed S ...] [--k K]

STUDY is a study folder that has been run (ingest + anonymise) with a primary coder: the demo.
For every blind set (``--against``, default tests/data/coding_blind, coding_blind2, coding_blind3
where present; ``--cache`` is the JSON file ``benchmarks/coding_variants.py`` writes, no pickle) and
every rotation (3 disjoint blocks of k interviews), the default model learns all of the study's
coder plus the k coded interviews of the set (its current round) once, and then codes the set's
other interviews under every memory setting of ``SETTINGS`` (the memory is read at prediction only,
so one fit, made with the memory on, serves them all; off is ``memory_weight`` 0). Printed: turn-level micro-F1 and kappa per code, mean over rotations,
per seed, and the mean over seeds. No interview is scored by a model that trained on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np  # noqa: E402
from coding_variants import analysed_studies, turn_scores  # noqa: E402

from pipeline.coding.evaluation import MICRO, _predict_with, pooled_training  # noqa: E402
from pipeline.coding.machine import fit_model, mark_current_round, plan_codes  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402

# (name, memory_weight, memory_k, memory_prior, memory_blocks)
OWN = ("lemmas", "chars")
ALL = None  # every block of the features (the estimator's default)
SETTINGS = [("off", 0.0, 5, 1.0, OWN), ("w1k10", 1.0, 10, 1.0, OWN), ("w1k20", 1.0, 20, 1.0, OWN),
            ("w1.5k10", 1.5, 10, 1.0, OWN), ("w0.5k10", 0.5, 10, 1.0, OWN), ("w1k10q", 1.0, 10, 1.0, OWN + ("question",)),
            ("w1k10all", 1.0, 10, 1.0, ALL), ("w1k20all", 1.0, 20, 1.0, ALL)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--against", action="append", type=Path, default=None)
    parser.add_argument("--seed", type=int, action="append", default=None)
    parser.add_argument("--k", type=int, default=2, help="coded interviews of the round")
    parser.add_argument("--param", action="append", default=[], help="KEY=FLOAT over coding.model")
    parser.add_argument("--second", default=None,
                        help="also the study's second coder as a round (e.g. forsker2): old = the primary coder "
                             "on the informants the second did not code")
    args = parser.parse_args()
    study = load_study(args.study)
    settings = study.settings.coding
    nlp = load_nlp(study.settings.model)
    demo, blinds = analysed_studies(study, nlp, args.against, args.cache)
    extra = {key: float(value) for key, value in (p.split("=", 1) for p in args.param)}
    codes = demo.codebook.ids
    sets = [(str(n), [(demo, demo.labels)], blind) for n, blind in enumerate(blinds, start=1)]
    if args.second:
        from pipeline.coding.evaluation import study_labelled

        second = study_labelled(study, args.second, nlp)
        old = [i for i in demo.informants() if i not in set(second.informants())]
        sets.append((args.second, [(demo, demo.subset(old))], second))
    table: dict = {}
    for seed in args.seed or [settings.seed]:
        params = {**settings.model.params(), **extra}
        for n, base, blind in sets:
            informants = blind.informants()
            rows: dict[str, list] = {name: [] for name, *_ in SETTINGS}
            start = time.perf_counter()
            for r in range(min(3, len(informants) // args.k)):
                coded = [informants[(args.k * r + i) % len(informants)] for i in range(args.k)]
                rest = set(blind.subset([i for i in informants if i not in coded]))
                pooled, labels = pooled_training(base + [(blind, blind.subset(coded))], blind)
                plan = plan_codes(demo.codebook, list(labels.values()), settings.min_examples_per_code)
                # The memory is kept only by a fit with it on; its weight is then set per setting.
                model = fit_model(pooled, labels, plan, demo.codebook, seed, {**params, "memory_weight": 1.0}, nlp)
                target = mark_current_round(blind.analysed, [u.segment_id for u in blind.analysed.units])
                for name, weight, k, prior, blocks in SETTINGS:
                    model.set_params(memory_weight=weight, memory_k=k, memory_prior=prior, memory_blocks=blocks)
                    rows[name].append(turn_scores(blind, _predict_with(target, model, plan), rest))
            for name, found in rows.items():
                by = [{s.code: s for s in row} for row in found]
                f1 = float(np.mean([b[MICRO].f1 for b in by]))
                kappas = [float(np.mean([b[c].kappa for b in by])) for c in codes]
                table.setdefault((n, name), []).append((f1, kappas))
                print(f"seed {seed} set {n} k={args.k} {name:10s} F1 {f1:.3f}  kappa "
                      + " ".join(f"{c[:5]} {v:.2f}" for c, v in zip(codes, kappas)), flush=True)
            print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    print("== mean over seeds")
    for (n, name), found in sorted(table.items()):
        kappas = np.mean([k for _, k in found], axis=0)
        print(f"set {n} {name:10s} F1 {np.mean([f for f, _ in found]):.3f} "
              f"[{min(f for f, _ in found):.3f}–{max(f for f, _ in found):.3f}]  kappa "
              + " ".join(f"{c[:5]} {v:.2f}" for c, v in zip(codes, kappas)), flush=True)


if __name__ == "__main__":
    main()
