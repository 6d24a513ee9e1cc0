"""Estimator variants measured on held-out informants of two studies (run by hand, not a test).

    .venv/bin/python benchmarks/coding_variants.py STUDY [--variant NAME ...] [--folds 6]

STUDY is a study folder that has been run (ingest + anonymise) with a primary coder: the demo.
The second study is tests/data/coding_blind (turn-level gold of a coder who never saw the demo's
coding). For every variant (parameters over the study.yaml defaults) it prints turn-level micro-F1
and kappa per code for:

* ``own``: the study's own coder, cross-validated with folds grouped by informant (--folds);
* ``transfer``: trained on the study's coder, scored on the blind set;
* ``blind``: the blind set alone, leave-one-informant-out (turn codes given to their segments);
* ``round+k`` (``--round K``, default 2): the study's coder plus k blind interviews, scored on the others
  (disjoint blocks of k, at most 3 rotations: 3 for k = 2, 2 for k = 4).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sklearn.model_selection import GroupKFold, LeaveOneGroupOut  # noqa: E402

from pipeline.coding.agreement import to_turns  # noqa: E402
from pipeline.coding.evaluation import (MICRO, heldout_predictions, load_gold_study, score_sets,  # noqa: E402
                                        study_labelled, train_and_predict)
from pipeline.coding.vectors import FoldVectors, example_sentences, treebank_path  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.settings import load_study  # noqa: E402

VARIANTS = {
    "default": {},
    # Naive Bayes (nb_alpha, the study default since the eighteenth session) reads counts and needs stage 2: the
    # variants with blocks of negative values or without stage 2 are measured on the linear first stage alone.
    "linear_only": {"nb_alpha": 0.0},
    "liblinear": {"solver": "liblinear"},
    "saga": {"solver": "saga"},
    "priors0.5": {"prior_weight": 0.5},
    "priors1": {"prior_weight": 1.0},
    "priors2": {"prior_weight": 2.0},
    "no_context": {"context": False, "nb_alpha": 0.0},
    "C1": {"C": 1.0},
    "C16": {"C": 16.0},
    "question1": {"question_weight": 1.0},
    "turn1": {"turn_weight": 1.0},
    "no_chars": {"char_weight": 0.0},
    "chars0.5": {"char_weight": 0.5},
    "turn_threshold": {"threshold_unit": "turn"},
    "search_C": {"search": {"C": [1.0, 4.0, 16.0]}},
    "no_priors": {"prior_weight": 0.0},
    "priors1_C1": {"prior_weight": 1.0, "C": 1.0},
    "priors1_turn_threshold": {"prior_weight": 1.0, "threshold_unit": "turn"},
    "lsa": {"lsa_weight": 1.0, "nb_alpha": 0.0},
    "lsa0.5": {"lsa_weight": 0.5, "nb_alpha": 0.0},
    "turn_threshold_C2": {"threshold_unit": "turn", "C": 2.0},
    "turn_threshold_round3": {"threshold_unit": "turn", "round_weight": 3.0},
    "segment_threshold": {"threshold_unit": "segment"},
    # Subword vectors (pipeline/coding/vectors.py), learned in each fit: "study" = the treebank + the fit's
    # training rows, "all" = also every set's segments (their transcripts would be in the study in a new round).
    "round_thresholds": {"round_thresholds": True},
    "round_thresholds_turn": {"round_thresholds": True, "threshold_unit": "turn"},
    "vec1": {"vectors": "study", "vector_weight": 1.0, "nb_alpha": 0.0},
    "vec0.5": {"vectors": "study", "vector_weight": 0.5, "nb_alpha": 0.0},
    "vec2": {"vectors": "study", "vector_weight": 2.0, "nb_alpha": 0.0},
    "sim1": {"vectors": "study", "similarity_weight": 1.0, "nb_alpha": 0.0},
    "sim0.5": {"vectors": "study", "similarity_weight": 0.5, "nb_alpha": 0.0},
    "vec1_sim1": {"vectors": "study", "vector_weight": 1.0, "similarity_weight": 1.0, "nb_alpha": 0.0},
    "vec1_all": {"vectors": "all", "vector_weight": 1.0, "nb_alpha": 0.0},
    "vec0.5_all": {"vectors": "all", "vector_weight": 0.5, "nb_alpha": 0.0},
    "sim1_all": {"vectors": "all", "similarity_weight": 1.0, "nb_alpha": 0.0},
    # Transfer and a new round (docs/coding.md): thresholds at the coded rate; feature augmentation.
    "prevalence": {"threshold_rule": "prevalence"},
    "f1": {"threshold_rule": "f1"},
    "prevalence_turn": {"threshold_rule": "prevalence", "threshold_unit": "turn"},
    "round_prevalence": {"threshold_rule": "prevalence", "round_thresholds": True},
    "augment1": {"round_features": 1.0},
    "augment3": {"round_features": 3.0},
    "augment1_round3": {"round_features": 1.0, "round_weight": 3.0},
    "augment3_prevalence": {"round_features": 3.0, "threshold_rule": "prevalence"},
    "augment0.3": {"round_features": 0.3},
    "augment1_round_turn": {"round_features": 1.0, "round_thresholds": True, "threshold_unit": "turn"},
    "prevalence_C1": {"threshold_rule": "prevalence", "C": 1.0},
    "prevalence_C16": {"threshold_rule": "prevalence", "C": 16.0},
    "round_prevalence_turn": {"threshold_rule": "prevalence", "round_thresholds": True, "threshold_unit": "turn"},
    "prevalence_round3": {"threshold_rule": "prevalence", "round_weight": 3.0},
    "augment0.3_prevalence": {"round_features": 0.3, "threshold_rule": "prevalence"},
    # What the codebook knows (eighth session): nearness to each code's inclusion / exclusion sentences;
    # exclusion criteria that name another code as positives of that code.
    "codebook1": {"codebook_weight": 1.0},
    "codebook0.5": {"codebook_weight": 0.5},
    "codebook2": {"codebook_weight": 2.0},
    "redirect1": {"redirect_weight": 1.0},
    "redirect0.5": {"redirect_weight": 0.5},
    "codebook1_redirect1": {"codebook_weight": 1.0, "redirect_weight": 1.0},
    # Count-based vectors (vectors.ppmi_vectors: PPMI + truncated SVD, scikit-learn only) from the treebank and
    # the study's text ("ppmi": the demo's; "ppmi_all": also the blind sets', as their text would be in the study).
    "ppmi1": {"vectors": "ppmi", "vector_weight": 1.0, "nb_alpha": 0.0},
    "ppmi0.5": {"vectors": "ppmi", "vector_weight": 0.5, "nb_alpha": 0.0},
    "ppmi1_all": {"vectors": "ppmi_all", "vector_weight": 1.0, "nb_alpha": 0.0},
    "ppmi0.5_all": {"vectors": "ppmi_all", "vector_weight": 0.5, "nb_alpha": 0.0},
    "ppmi0.3_all": {"vectors": "ppmi_all", "vector_weight": 0.3, "nb_alpha": 0.0},
    "ppmi_sim1_all": {"vectors": "ppmi_all", "similarity_weight": 1.0, "nb_alpha": 0.0},
    "ppmi_sim0.5_all": {"vectors": "ppmi_all", "similarity_weight": 0.5, "nb_alpha": 0.0},
    # The round's calibration (twelfth session): per code, turn scores recalibrated on the round's coded turns,
    # shrunk towards the older material's calibration by a prior worth N turns.
    "calibrate10": {"round_calibration": True, "round_calibration_prior": 10.0},
    "calibrate20": {"round_calibration": True, "round_calibration_prior": 20.0},
    "calibrate40": {"round_calibration": True, "round_calibration_prior": 40.0},
    "calibrate80": {"round_calibration": True, "round_calibration_prior": 80.0},
    # The round's stage 2 (thirteenth session): the second stage's few dense columns (every code's first-stage
    # scores in context) and a constant copied for the current round's rows, times the weight (Daumé).
    "round_context0.1": {"round_context": 0.1},
    "round_context0.3": {"round_context": 0.3},
    "round_context1": {"round_context": 1.0},
    "round_context3": {"round_context": 3.0},
    # A turn-coded round's code on its carriers only (fourteenth session): in the round's turns where every segment
    # has a code, the N segments with the largest out-of-fold first-stage score keep it, the rest weigh W for it.
    "carriers1": {"round_carriers": 1},
    "carriers2": {"round_carriers": 2},
    "carriers3": {"round_carriers": 3},
    "carriers1_spread0.3": {"round_carriers": 1, "round_spread_weight": 0.3},
}


def turn_scores(data, predictions, scored):
    truth = {k: v for k, v in data.truth_turns.items() if k in to_turns({s: () for s in scored}, data.segments)}
    return score_sets(truth, to_turns(predictions, data.segments, scored), data.codebook.ids, "turn", "m")


def line(name, scores):
    by = {s.code: s for s in scores}
    codes = [c for c in by if c != MICRO]
    return (f"{name:9s} F1 {by[MICRO].f1:.3f}  kappa " + " ".join(f"{c[:5]} {by[c].kappa:.2f}" for c in codes)
            + f"  (micro kappa {by[MICRO].kappa:.3f})")  # 3 places: variants often tie at 2


def analysed_studies(study, nlp, against: list[Path] | None, cache: Path | None):
    """(the study's coding, the blind sets' codings) analysed; ``against`` defaults to
    tests/data/coding_blind and coding_blind2 where present; ``cache``: JSON written on the first
    run and read on later ones (benchmarks/analysed_cache.py: no pickle) while what they are analysed
    from is the same (analysed_cache.cache_key: the study's and the folders' content, the code, the
    language model; otherwise they are analysed afresh and the cache rewritten)."""
    import analysed_cache

    folders = against or [f for f in (REPO / "tests" / "data" / "coding_blind",
                                      REPO / "tests" / "data" / "coding_blind2") if f.exists()]
    key = analysed_cache.cache_key(study, folders, nlp)
    if cache and cache.exists():
        found = analysed_cache.read(cache, key)
        if found is not None:
            return found
    demo = study_labelled(study, None, nlp)
    blinds = [load_gold_study(folder, demo.codebook, nlp) for folder in folders]
    if cache:
        analysed_cache.write(cache, key, demo, blinds)
    return demo, blinds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--variant", action="append", default=None, choices=sorted(VARIANTS))
    parser.add_argument("--folds", type=int, default=6, help="grouped folds for 'own' (0 = leave one out)")
    parser.add_argument("--skip", action="append", default=[], help="own, transfer, blind, round")
    parser.add_argument("--seed", type=int, action="append", default=None,
                        help="coding.seed (SGD's order and folds); several: one run each")
    parser.add_argument("--against", action="append", type=Path, default=None,
                        help="blind sets (default: tests/data/coding_blind and coding_blind2 where present)")
    parser.add_argument("--round", type=int, action="append", default=None, dest="round_k",
                        help="coded interviews of the new round (default 2; several: one row each)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="JSON of the analysed studies (benchmarks/analysed_cache.py): written on the first run, read on later ones")
    args = parser.parse_args()
    study = load_study(args.study)
    settings = study.settings.coding
    nlp = load_nlp(study.settings.model)
    demo, blinds = analysed_studies(study, nlp, args.against, args.cache)
    vector_sets = {}

    def vectors_for(kind):
        """Learned in every fit from its training rows and the treebank (vectors.FoldVectors); the "_all"
        kinds add every set's text to each fit, the held-out informants' too: transductive, as a new round's
        text would be in the study, so not a held-out figure in the strict sense."""
        if kind not in vector_sets:
            background = [s for data in [demo, *blinds] for s in example_sentences(data.analysed.examples)] \
                if kind.endswith("all") else []
            vector_sets[kind] = FoldVectors("ppmi" if kind.startswith("ppmi") else "fasttext",
                                            treebank_path(study.root), settings.seed, study.private_dir, background)
        return vector_sets[kind]
    runs = [(name, seed) for name in args.variant or list(VARIANTS) for seed in args.seed or [settings.seed]]
    for name, seed in runs:
        settings = settings.model_copy(update={"seed": seed})
        params = {**settings.model.params(), **VARIANTS[name]}
        search = params.pop("search", None)  # a grid: chosen inside every outer fold (nested)
        start = time.perf_counter()
        if isinstance(params.get("vectors"), str):
            params["vectors"] = vectors_for(params["vectors"])
        print(f"== {name} {VARIANTS[name]} seed {seed} (vectors ready in {time.perf_counter() - start:.0f} s)",
              flush=True)
        if "own" not in args.skip:
            cv = GroupKFold(args.folds) if args.folds else LeaveOneGroupOut()
            predictions, _ = heldout_predictions(demo, settings.min_examples_per_code, settings.seed, params,
                                                 search, nlp=nlp, cv=cv)
            print(line("own", turn_scores(demo, predictions, set(predictions))), flush=True)
        for n, blind in enumerate(blinds, start=1):
            informants = blind.informants()
            if "transfer" not in args.skip:
                predictions = train_and_predict([(demo, demo.labels)], blind, demo.codebook,
                                                settings.min_examples_per_code, settings.seed, params, search, nlp=nlp)
                print(line(f"transfer{n}", turn_scores(blind, predictions, set(blind.labels))), flush=True)
            if "blind" not in args.skip:
                predictions, _ = heldout_predictions(blind, settings.min_examples_per_code, settings.seed, params,
                                                     search, nlp=nlp)
                print(line(f"blind{n}", turn_scores(blind, predictions, set(predictions))), flush=True)
            if "round" in args.skip:
                continue
            for k in args.round_k or [2]:
                rows = []
                # Disjoint blocks of k interviews (at most 3), so every interview is scored in some rotation.
                for r in range(min(3, len(informants) // k)):
                    coded = [informants[(k * r + i) % len(informants)] for i in range(k)]
                    rest = set(blind.subset([i for i in informants if i not in coded]))
                    predictions = train_and_predict([(demo, demo.labels), (blind, blind.subset(coded))], blind,
                                                    demo.codebook, settings.min_examples_per_code, settings.seed,
                                                    params, search, nlp=nlp)
                    rows.append(turn_scores(blind, predictions, rest))
                pooled = [type(rows[0][0])(**{**s.__dict__, "f1": sum(r[i].f1 for r in rows) / len(rows),
                                              "kappa": sum(r[i].kappa for r in rows) / len(rows)})
                          for i, s in enumerate(rows[0])]
                print(line(f"round{n}+{k}", pooled), flush=True)
        print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
