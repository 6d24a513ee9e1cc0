"""How well the machine codes informants it has not seen: leave-one-informant-out.

For each informant the primary human coder decided, the whole coding pipeline
(rule features, classifier, per-code thresholds, the rules-only fallback for
codes with too few examples) is trained on the *other* informants' decisions
and predicts the held-out informant's segments. The predictions of all folds
are then scored against the human decisions, at segment level and at turn
level (a turn has a code when any of its segments has it), beside a
keyword-only baseline (the codebook rules for every code).

Targets (issue 4), at turn level: micro-F1 ≥ 0.80, every code's F1 ≥ 0.70,
Cohen's kappa vs the human ≥ 0.70 (pooled over codes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..codebook import load_codebook
from ..errors import QualpipeError
from ..nlp import load_nlp
from ..progress import Track, no_progress
from ..settings import Study
from ..store import StudyStore
from .agreement import cohen_kappa, to_turns
from .human import coder_decisions
from .machine import analyse_units, combine, fit_model, plan_codes
from .units import load_units

MICRO = "micro"
TARGETS = {"micro_f1": 0.80, "code_f1": 0.70, "kappa": 0.70}
METHOD_MODEL = "modell"
METHOD_RULES = "nøkkelord"


@dataclass(frozen=True)
class Score:
    level: str
    method: str
    code: str
    precision: float
    recall: float
    f1: float
    kappa: float
    support: int  # human positives
    predicted: int  # machine positives


@dataclass
class CodingEvaluation:
    coder: str
    n_informants: int
    n_segments: int
    n_turns: int
    scores: list[Score]
    rules_only_folds: dict[str, int]  # code -> folds in which it had too few examples and rules served it
    errors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # "fn"/"fp" -> (segment id, text)
    weakest_code: str = ""

    def score(self, level: str, method: str, code: str) -> Score:
        return next(s for s in self.scores if (s.level, s.method, s.code) == (level, method, code))

    def targets(self) -> list[tuple[str, float, float, bool]]:
        """(target, required, achieved, met) at turn level for the model."""
        micro = self.score("turn", METHOD_MODEL, MICRO)
        codes = [s for s in self.scores if s.level == "turn" and s.method == METHOD_MODEL and s.code != MICRO]
        worst = min(codes, key=lambda s: s.f1)
        return [
            ("micro-F1 (tur)", TARGETS["micro_f1"], micro.f1, micro.f1 >= TARGETS["micro_f1"]),
            (f"laveste kode-F1 (tur, {worst.code})", TARGETS["code_f1"], worst.f1, worst.f1 >= TARGETS["code_f1"]),
            ("kappa mot menneske (tur, samlet)", TARGETS["kappa"], micro.kappa, micro.kappa >= TARGETS["kappa"]),
        ]


def prf(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float, float]:
    truth, predicted = np.asarray(truth, dtype=bool), np.asarray(predicted, dtype=bool)
    tp = float(np.sum(truth & predicted))
    precision = tp / predicted.sum() if predicted.sum() else (1.0 if not truth.sum() else 0.0)
    recall = tp / truth.sum() if truth.sum() else (1.0 if not predicted.sum() else 0.0)
    f1 = 2 * tp / (truth.sum() + predicted.sum()) if (truth.sum() + predicted.sum()) else 1.0
    return precision, recall, f1


def score_sets(truth: Mapping[object, Iterable[str]], predicted: Mapping[object, Iterable[str]],
               codes: Sequence[str], level: str, method: str) -> list[Score]:
    units = sorted(truth, key=str)
    truth_sets = [frozenset(truth[u]) for u in units]
    predicted_sets = [frozenset(predicted.get(u, ())) for u in units]
    scores, pooled_t, pooled_p = [], [], []
    for code in codes:
        t = [int(code in s) for s in truth_sets]
        p = [int(code in s) for s in predicted_sets]
        pooled_t += t
        pooled_p += p
        scores.append(Score(level, method, code, *prf(t, p), kappa=cohen_kappa(t, p), support=sum(t), predicted=sum(p)))
    scores.append(Score(level, method, MICRO, *prf(pooled_t, pooled_p), kappa=cohen_kappa(pooled_t, pooled_p),
                        support=sum(pooled_t), predicted=sum(pooled_p)))
    return scores


def cross_validate(analysed, labels: Mapping[str, frozenset[str]], codebook, min_examples: int, seed: int,
                   track: Track = no_progress) -> tuple[dict[str, frozenset[str]], dict[str, int]]:
    """Held-out predictions for every labelled segment, one informant left out at a time."""
    index = analysed.index()
    by_informant: dict[str, list[str]] = {}
    for sid in sorted(labels):
        by_informant.setdefault(analysed.units[index[sid]].informant_id, []).append(sid)
    predictions: dict[str, frozenset[str]] = {}
    rules_only: dict[str, int] = {code: 0 for code in codebook.ids}
    for held_out in track(sorted(by_informant), description="Krysvalidering", total=len(by_informant)):
        train = {sid: labels[sid] for informant, sids in by_informant.items() if informant != held_out for sid in sids}
        plan = plan_codes(codebook, list(train.values()), min_examples)
        for code in plan.rule_codes:
            rules_only[code] += 1
        model = fit_model(analysed, train, plan, codebook, seed)
        test_index = [index[sid] for sid in by_informant[held_out]]
        subset = type(analysed)(units=[analysed.units[i] for i in test_index],
                                rules=[analysed.rules[i] for i in test_index],
                                examples=[analysed.examples[i] for i in test_index])
        suggestions = combine(subset, model, plan)
        for unit, found in zip(subset.units, suggestions.applied):
            predictions[unit.segment_id] = frozenset(found)
    return predictions, {code: n for code, n in rules_only.items() if n}


def evaluate_coding(study: Study, coder: str | None = None, track: Track = no_progress) -> CodingEvaluation:
    coder = coder or study.settings.coding.primary_coder
    if not coder:
        raise QualpipeError("no coder to evaluate against: set coding.primary_coder in study.yaml or pass --coder",
                            study.root / "study.yaml")
    codebook = load_codebook(study.codebook_path)
    with StudyStore(study.store_path) as store:
        from .human import import_human_files

        if not store.segments(speaker="informant"):
            raise QualpipeError("no anonymised informant segments yet; run 'qualpipe run' first", study.store_path)
        import_human_files(study, store, codebook.ids)
        labels = coder_decisions(store, coder)
        units = load_units(store)
        segments = store.segments(speaker="informant")
    if not labels:
        raise QualpipeError(f"coder '{coder}' has decided no segments; nothing to evaluate against",
                            study.human_dir / f"{coder}.csv")
    analysed = analyse_units(units, codebook, load_nlp(study.settings.model))
    return evaluate_analysed(study, analysed, labels, segments, codebook, coder, track)


def evaluate_analysed(study: Study, analysed, labels: Mapping[str, frozenset[str]], segments, codebook,
                      coder: str, track: Track = no_progress) -> CodingEvaluation:
    """Leave-one-informant-out on units already analysed (the coding stage has them at hand)."""
    index = analysed.index()
    labels = {sid: codes for sid, codes in labels.items() if sid in index}
    informants = {analysed.units[index[sid]].informant_id for sid in labels}
    if len(informants) < 2:
        raise QualpipeError("leave-one-informant-out needs decisions on at least two informants",
                            study.human_dir / f"{coder}.csv")
    settings = study.settings.coding
    predictions, rules_only = cross_validate(analysed, labels, codebook, settings.min_examples_per_code,
                                             settings.seed, track)
    keyword = {sid: analysed.rules[index[sid]].codes for sid in labels}
    scores = []
    truth_turns = to_turns(labels, segments)
    for method, predicted in ((METHOD_MODEL, predictions), (METHOD_RULES, keyword)):
        scores += score_sets(labels, predicted, codebook.ids, "segment", method)
        scores += score_sets(truth_turns, to_turns(predicted, segments, set(labels)), codebook.ids, "turn", method)
    result = CodingEvaluation(coder=coder, n_informants=len(informants), n_segments=len(labels),
                              n_turns=len(truth_turns), scores=scores, rules_only_folds=rules_only)
    turn_scores = [s for s in scores if s.level == "turn" and s.method == METHOD_MODEL and s.code != MICRO]
    weakest = min(turn_scores, key=lambda s: (s.f1 if not math.isnan(s.f1) else 2.0, s.code)).code
    result.weakest_code = weakest
    text = {u.segment_id: u.segment.text for u in analysed.units}
    result.errors = {
        "fn": [(sid, text[sid]) for sid in sorted(labels) if weakest in labels[sid] and weakest not in predictions[sid]],
        "fp": [(sid, text[sid]) for sid in sorted(labels) if weakest not in labels[sid] and weakest in predictions[sid]],
    }
    return result
