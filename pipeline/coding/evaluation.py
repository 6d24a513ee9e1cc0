"""How well the machine codes informants it has not seen.

Three questions, one set of tools:

* :func:`evaluate_coding` — **within the study**: the estimator of
  ``coding.model`` under ``cross_val_predict`` with ``LeaveOneGroupOut``
  (groups = informants), so every informant is coded by a model that never saw
  them; codes with too few human examples are served by the rules, as in the
  coding stage. Scored at segment and turn level beside the keyword rules.
* :func:`evaluate_against` — **on another study's coding** (``--against DIR``):
  trained on this study's coder, scored on a folder whose interviews were coded
  by someone else (``gold/turns.csv``, one row per informant turn, see
  :func:`load_gold_study`). The honest figure for new material.
* :func:`learning_curve` — F1 and kappa per code against the number of
  interviews coded (0, 1, 2, 4 …): trained on k interviews (plus, with a base
  study, everything the base study's coder decided), scored on the remaining
  interviews; each k averaged over rotations of which interviews are coded.

Targets (issue 15), on informants outside the training data, coded by
someone else, at turn level: micro-F1 ≥ 0.85 and Cohen's kappa ≥ 0.80 per code.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..codebook import Codebook, load_codebook
from ..errors import QualpipeError
from ..nlp import load_nlp
from ..progress import Track, no_progress
from ..records import Segment
from ..settings import Study
from ..store import StudyStore
from .agreement import cohen_kappa, to_turns
from .human import coder_decisions
from .machine import (AnalysedUnits, analyse_units, combine, fit_model, fold_vectors, make_estimator,
                      decided_ids, mark_current_round, plan_codes, training_set)
from .text import study_labels
from .units import load_units, turn_key

MICRO = "micro"
TARGETS = {"micro_f1": 0.85, "kappa": 0.80}
METHOD_MODEL = "modell"
METHOD_RULES = "nøkkelord"
GOLD_FILE = Path("gold") / "turns.csv"


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
    description: str = ""  # what was trained on and what was scored
    predictions: dict[str, frozenset[str]] = field(default_factory=dict)  # segment id -> held-out machine codes

    def score(self, level: str, method: str, code: str) -> Score:
        return next(s for s in self.scores if (s.level, s.method, s.code) == (level, method, code))

    def targets(self) -> list[tuple[str, float, float, bool]]:
        """(target, required, achieved, met) at turn level for the model."""
        micro = self.score("turn", METHOD_MODEL, MICRO)
        rows = [("micro-F1 (tur)", TARGETS["micro_f1"], micro.f1, micro.f1 >= TARGETS["micro_f1"])]
        for s in self.scores:
            if s.level == "turn" and s.method == METHOD_MODEL and s.code != MICRO:
                ok = not math.isnan(s.kappa) and s.kappa >= TARGETS["kappa"]
                rows.append((f"kappa {s.code} (tur)", TARGETS["kappa"], s.kappa, ok))
        return rows


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


# ------------------------------------------------------------------ labelled material


@dataclass
class Labelled:
    """A study's analysed informant segments with a human reference.

    ``labels``: segment id -> codes, what the model trains on. ``truth_turns``: the
    reference scored against, per turn (for a turn-level gold file the turn's codes,
    also given to each of its segments as training labels).
    """

    name: str
    codebook: Codebook
    analysed: AnalysedUnits
    segments: list[Segment]
    labels: dict[str, frozenset[str]]
    truth_turns: dict[tuple[str, int], frozenset[str]]
    segment_level: bool  # labels are per segment (a human coding file), not propagated from turns

    def informants(self) -> list[str]:
        index = self.analysed.index()
        return sorted({self.analysed.units[index[sid]].informant_id for sid in self.labels})

    def subset(self, informants: Iterable[str]) -> dict[str, frozenset[str]]:
        keep = set(informants)
        return {s.segment_id: self.labels[s.segment_id] for s in self.segments
                if s.informant_id in keep and s.segment_id in self.labels}


def study_labelled(study: Study, coder: str | None = None, nlp=None) -> Labelled:
    """The study's segments and one human coder's decisions (default ``coding.primary_coder``)."""
    from .human import import_human_files

    coder = coder or study.settings.coding.primary_coder
    if not coder:
        raise QualpipeError("no coder to evaluate against: set coding.primary_coder in study.yaml or pass --coder",
                            study.root / "study.yaml")
    codebook = load_codebook(study.codebook_path)
    with StudyStore(study.store_path) as store:
        if not store.segments(speaker="informant"):
            raise QualpipeError("no anonymised informant segments yet; run 'qualpipe run' first", study.store_path)
        import_human_files(study, store, codebook.ids)
        labels = coder_decisions(store, coder)
        units = load_units(store)
        segments = store.segments(speaker="informant")
        informant_labels = study_labels(study, store)
    if not labels:
        raise QualpipeError(f"coder '{coder}' has decided no segments; nothing to evaluate against",
                            study.human_dir / f"{coder}.csv")
    from ..segment_docs import SegmentDocs

    nlp = nlp or load_nlp(study.settings.model)
    analysed = analyse_units(units, codebook, nlp, SegmentDocs(study, nlp), informant_labels)
    index = analysed.index()
    labels = {sid: codes for sid, codes in labels.items() if sid in index}
    return Labelled(name=coder, codebook=codebook, analysed=analysed, segments=segments, labels=labels,
                    truth_turns=to_turns(labels, segments), segment_level=True)


def load_gold_study(folder: str | Path, codebook: Codebook, nlp, track: Track = no_progress) -> Labelled:
    """Ingest and anonymise a copy of an evaluation folder and read its turn-level gold coding.

    The folder holds ``transcripts/``, ``informants.csv``, ``study.yaml`` and
    ``gold/turns.csv`` with columns ``file,informant_turn,codes[,text_start]``:
    one row per informant turn, ``informant_turn`` counting the file's informant
    turns from 0, codes separated by ``;`` (empty: none applies), and optionally the
    first characters of the turn's raw text, checked so a row cannot pair with the
    wrong turn. It is scored against this study's codebook (``codebook``); a code in
    the gold file that the codebook does not have is an error.
    """
    from ..anonymise.stage import anonymise_study
    from ..evaluate import scratch_copy
    from ..ingest import ingest_study
    from ..settings import load_study
    from ..store import PrivateStore

    folder = Path(folder).resolve()
    gold_path = folder / GOLD_FILE
    if not (folder / "transcripts").is_dir() or not gold_path.exists():
        raise QualpipeError("evaluation folder needs transcripts/, informants.csv and gold/turns.csv "
                            "(see docs/coding.md)", folder)
    with scratch_copy(folder, "qualpipe-coding-gold-") as root:
        study = load_study(root)
        ingest_study(study, track)
        anonymise_study(study, track)
        with PrivateStore(study.private_store_path) as private:
            raw = {f: [t for t in private.turns(f) if t.speaker == "informant"] for f in private.files()}
        with StudyStore(study.store_path) as store:
            units = load_units(store)
            segments = store.segments(speaker="informant")
            informant_labels = study_labels(study, store)
        from ..segment_docs import SegmentDocs

        analysed = analyse_units(units, codebook, nlp, SegmentDocs(study, nlp), informant_labels)
    truth: dict[tuple[str, int], frozenset[str]] = {}
    with open(gold_path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"file", "informant_turn", "codes"} <= set(reader.fieldnames or ()):
            raise QualpipeError("header must have file,informant_turn,codes", gold_path)
        for number, row in enumerate(reader, start=2):
            turns = raw.get(row["file"])
            if turns is None:
                raise QualpipeError(f"row {number}: transcript '{row['file']}' is not in transcripts/", gold_path)
            try:
                turn = turns[int(row["informant_turn"])]
            except (ValueError, IndexError):
                raise QualpipeError(f"row {number}: {row['file']} has no informant turn {row['informant_turn']} "
                                    f"({len(turns)} informant turns)", gold_path) from None
            if row.get("text_start") and not turn.text.startswith(row["text_start"]):
                raise QualpipeError(f"row {number}: informant turn {row['informant_turn']} of {row['file']} does "
                                    "not start with text_start", gold_path)
            codes = frozenset(c.strip() for c in row["codes"].split(";") if c.strip())
            unknown = sorted(codes - set(codebook.ids))
            if unknown:
                raise QualpipeError(f"row {number}: unknown code(s) {', '.join(unknown)}", gold_path)
            truth[(row["file"], turn.turn_index)] = codes
    coded_turns = {turn_key(s) for s in segments}
    missing = sorted(coded_turns - set(truth))
    if missing:
        raise QualpipeError(f"no gold row for informant turn(s) {missing[:3]}", gold_path)
    labels = {s.segment_id: truth[turn_key(s)] for s in segments}
    return Labelled(name=folder.name, codebook=codebook, analysed=analysed,
                    segments=segments, labels=labels, truth_turns=truth, segment_level=False)


# ------------------------------------------------------------------ predictions


def _params(study: Study) -> tuple[dict, dict]:
    model = study.settings.coding.model
    return model.params(), model.search


# Leave-one-informant-out refits the whole model once per informant, each fit on all the others'
# examples: folds x examples grows with the square of the study (benchmarks/run.py --with-coding:
# the code stage 15 / 53 / 117 s at x1 / x2 / x3 of the demo). Up to HELDOUT_FOLDS informants (the
# demo's 18) it is leave-one-out; past it the informants are grouped into HELDOUT_GROUPS folds, so the
# cost is a fixed number of fits, each linear in the examples: every informant is still coded by a
# model that never saw it, trained on the informants of four of the five folds (GroupKFold balances
# examples, not informants: a fold of a few large informants leaves fewer of them out), as the
# model's own inner folds (TwoStageCoder.max_folds) are five. Measured: docs/scale.md, codespeed10.
HELDOUT_FOLDS = 20
HELDOUT_GROUPS = 5
LEAVE_ONE_OUT = "leave-one-informant-out"


def heldout_method(n_informants: int) -> str:
    """How the held-out figure of ``n_informants`` is made: what the record, the stage and the report say."""
    return LEAVE_ONE_OUT if n_informants <= HELDOUT_FOLDS else f"{HELDOUT_GROUPS} grupper av informanter"


def heldout_folds(n_informants: int) -> int:
    """How many fits the held-out figure of ``n_informants`` costs (one per outer fold)."""
    return n_informants if heldout_method(n_informants) == LEAVE_ONE_OUT else HELDOUT_GROUPS


def heldout_cv(groups: Sequence[str]):
    """The outer folds of the held-out figures: one per informant up to :data:`HELDOUT_FOLDS` informants,
    :data:`HELDOUT_GROUPS` groups of informants past it."""
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

    return LeaveOneGroupOut() if heldout_method(len(set(groups))) == LEAVE_ONE_OUT \
        else GroupKFold(n_splits=HELDOUT_GROUPS)


def heldout_predictions(data: Labelled, min_examples: int, seed: int, params: dict | None = None,
                        search: dict | None = None, nlp=None, cv=None, track: Track = no_progress,
                        vectors=None) -> tuple[dict[str, frozenset[str]], list[str]]:
    """Every labelled segment coded by a model that did not see its informant.

    ``cross_val_predict`` with informant groups (``cv``: default :func:`heldout_cv`, one fold per
    informant up to :data:`HELDOUT_FOLDS` informants, :data:`HELDOUT_GROUPS` groups of informants past it).
    With a ``search`` grid the estimator is a grid search inside every outer fold:
    nested cross-validation. Returns the predictions and the codes the rules served.
    """
    from sklearn.model_selection import cross_val_predict

    plan = plan_codes(data.codebook, list(data.labels.values()), min_examples)
    examples, y, groups = training_set(data.analysed, data.labels, plan.model_codes)
    index = data.analysed.index()
    decided = decided_ids(data.analysed, data.labels)  # the rows' order of training_set
    predictions = {sid: set(data.analysed.rules[index[sid]].codes) & set(plan.rule_codes) for sid in decided}
    if plan.model_codes:
        from .counts import TokenCounts

        # One table of each text's tokens for every fold: each fit still learns its vocabulary and IDF
        # from its own training rows (counts.py), the folds only stop cutting the same texts again.
        estimator = make_estimator(plan, data.codebook, seed, params, nlp, vectors).set_params(counts=TokenCounts())
        if search:
            estimator = _SearchedCoder(estimator, search)
        matrix = cross_val_predict(estimator, examples, y, groups=groups, cv=cv or heldout_cv(groups))
        for i, sid in enumerate(decided):
            predictions[sid] |= {code for j, code in enumerate(plan.model_codes) if matrix[i, j]}
    return {sid: frozenset(codes) for sid, codes in predictions.items()}, plan.rule_codes


class _SearchedCoder:
    """A grid search wrapped as an estimator, so that ``cross_val_predict`` nests it in every outer fold."""

    def __init__(self, estimator, grid):
        self.estimator = estimator
        self.grid = grid

    def get_params(self, deep=False):
        return {"estimator": self.estimator, "grid": self.grid}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def __sklearn_clone__(self):
        from sklearn.base import clone

        return _SearchedCoder(clone(self.estimator), self.grid)

    def __sklearn_tags__(self):
        return self.estimator.__sklearn_tags__()

    def fit(self, X, y, groups=None):
        from sklearn.base import clone

        from .machine import search_parameters

        self.fitted_ = search_parameters(clone(self.estimator), self.grid, X, y, groups).fit(X, y, groups=groups)
        return self

    def predict(self, X):
        return self.fitted_.predict(X)


def _predict_with(analysed: AnalysedUnits, model, plan) -> dict[str, frozenset[str]]:
    return {unit.segment_id: frozenset(found) for unit, found in zip(analysed.units, combine(analysed, model, plan).applied)}


def pooled_training(train: Sequence[tuple[Labelled, Mapping[str, frozenset[str]]]], test: Labelled
                    ) -> tuple[AnalysedUnits, dict[str, frozenset[str]]]:
    """The analysed units and labels of ``train`` pooled into one training set; units of ``test``
    itself (a new round's first coded interviews) are marked as its current round."""
    from dataclasses import replace

    units, rules, examples, labels = [], [], [], {}
    for data, chosen in train:
        index = data.analysed.index()
        for sid in decided_ids(data.analysed, chosen):  # transcript order, never the keyed ids' order
            i = index[sid]
            units.append(data.analysed.units[i])
            rules.append(data.analysed.rules[i])
            examples.append(replace(data.analysed.examples[i], current_round=data is test))
            labels[sid] = chosen[sid]
    return AnalysedUnits(units=units, rules=rules, examples=examples), labels


def train_and_predict(train: Sequence[tuple[Labelled, Mapping[str, frozenset[str]]]], test: Labelled,
                      codebook: Codebook, min_examples: int, seed: int, params: dict | None = None,
                      search: dict | None = None, nlp=None, vectors=None) -> dict[str, frozenset[str]]:
    """The coding stage's machine (model codes, rules-only fallback) trained on ``train``, coding ``test``.

    ``train``: (material, the labels of it to learn from) pairs; several studies may be pooled.
    Labels taken from ``test`` itself (a new round's first coded interviews) are its current
    round: they weigh ``round_weight`` (``coding.model``) in training, and the rest of ``test`` is
    predicted as the same round (``round_features`` reads that).
    """
    from .machine import Plan

    pooled, labels = pooled_training(train, test)
    plan = plan_codes(codebook, list(labels.values()), min_examples) if labels else \
        Plan(model_codes=[], rule_codes=list(codebook.ids), positives={c: 0 for c in codebook.ids})
    model = fit_model(pooled, labels, plan, codebook, seed, params, nlp, search, vectors) if labels else None
    learned_from_test = any(data is test for data, chosen in train if chosen)
    return _predict_with(mark_current_round(test.analysed, [u.segment_id for u in test.analysed.units])
                         if learned_from_test else test.analysed, model, plan)


# ------------------------------------------------------------------ the three evaluations


def _evaluation(data: Labelled, predictions: Mapping[str, frozenset[str]], description: str,
                rules_only: dict[str, int]) -> CodingEvaluation:
    index = data.analysed.index()
    scored = {sid for sid in data.labels if sid in predictions}
    keyword = {sid: data.analysed.rules[index[sid]].codes for sid in scored}
    codes = data.codebook.ids
    scored_turns = to_turns({sid: () for sid in scored}, data.segments)  # once: per key it was quadratic
    truth_turns = {key: codes_ for key, codes_ in data.truth_turns.items() if key in scored_turns}
    scores = []
    for method, predicted in ((METHOD_MODEL, predictions), (METHOD_RULES, keyword)):
        if data.segment_level:
            scores += score_sets({sid: data.labels[sid] for sid in scored}, predicted, codes, "segment", method)
        scores += score_sets(truth_turns, to_turns(predicted, data.segments, scored), codes, "turn", method)
    informants = {data.analysed.units[index[sid]].informant_id for sid in scored}
    result = CodingEvaluation(coder=data.name, n_informants=len(informants), n_segments=len(scored),
                              n_turns=len(truth_turns), scores=scores, rules_only_folds=rules_only,
                              description=description)
    turn_scores = [s for s in scores if s.level == "turn" and s.method == METHOD_MODEL and s.code != MICRO]
    result.weakest_code = min(turn_scores, key=lambda s: (s.kappa if not math.isnan(s.kappa) else 2.0, s.code)).code
    weakest, text = result.weakest_code, {u.segment_id: u.segment.text for u in data.analysed.units}
    if data.segment_level:
        result.errors = {
            "fn": [(sid, text[sid]) for sid in sorted(scored) if weakest in data.labels[sid] and weakest not in predictions[sid]],
            "fp": [(sid, text[sid]) for sid in sorted(scored) if weakest not in data.labels[sid] and weakest in predictions[sid]],
        }
    else:  # the reference is per turn: list turns, by their first segment's id and the turn's text
        first: dict = {}
        turn_text: dict = {}
        for segment in data.segments:
            if segment.segment_id in scored:
                first.setdefault(turn_key(segment), segment.segment_id)
                turn_text[turn_key(segment)] = (turn_text.get(turn_key(segment), "") + " " + segment.text).strip()
        machine = to_turns(predictions, data.segments, scored)
        result.errors = {
            "fn": [(first[k], turn_text[k]) for k in sorted(first) if weakest in truth_turns[k] and weakest not in machine[k]],
            "fp": [(first[k], turn_text[k]) for k in sorted(first) if weakest not in truth_turns[k] and weakest in machine[k]],
        }
    return result


def evaluate_coding(study: Study, coder: str | None = None, track: Track = no_progress) -> CodingEvaluation:
    """Leave-one-informant-out on the study's own coder (see the module docstring)."""
    nlp = load_nlp(study.settings.model)
    data = study_labelled(study, coder, nlp)
    return evaluate_labelled(study, data, nlp, track)


def evaluate_analysed(study: Study, analysed: AnalysedUnits, labels: Mapping[str, frozenset[str]], segments,
                      codebook, coder: str, track: Track = no_progress) -> CodingEvaluation:
    """Leave-one-informant-out on units already analysed (the coding stage has them at hand)."""
    index = analysed.index()
    labels = {sid: codes for sid, codes in labels.items() if sid in index}
    if not labels:
        raise QualpipeError(f"coder '{coder}' has decided no segments; nothing to evaluate against",
                            study.human_dir / f"{coder}.csv")
    data = Labelled(name=coder, codebook=codebook, analysed=analysed, segments=list(segments), labels=labels,
                    truth_turns=to_turns(labels, segments), segment_level=True)
    return evaluate_labelled(study, data, load_nlp(study.settings.model), track)


def evaluate_labelled(study: Study, data: Labelled, nlp, track: Track = no_progress) -> CodingEvaluation:
    if len(data.informants()) < 2:
        raise QualpipeError("leave-one-informant-out needs decisions on at least two informants",
                            study.human_dir / f"{data.name}.csv")
    settings = study.settings.coding
    params, search = _params(study)
    vectors = fold_vectors(params, study.private_dir, study.root, settings.seed)
    predictions, rule_codes = heldout_predictions(data, settings.min_examples_per_code, settings.seed, params,
                                                  search, nlp, track=track, vectors=vectors)
    n = len(data.informants())
    method = heldout_method(n)
    result = _evaluation(data, predictions, f"hver av {n} informanter kodet av en modell som ikke så den"
                         + ("" if method == LEAVE_ONE_OUT else f" ({method})"),
                         {code: heldout_folds(n) for code in rule_codes})
    result.predictions = predictions
    return result


def evaluate_against(study: Study, folder: str | Path, coder: str | None = None,
                     track: Track = no_progress) -> CodingEvaluation:
    """Trained on this study's coder, scored on another folder's turn-level gold coding."""
    nlp = load_nlp(study.settings.model)
    base = study_labelled(study, coder, nlp)
    target = load_gold_study(folder, base.codebook, nlp, track)
    settings = study.settings.coding
    params, search = _params(study)
    vectors = fold_vectors(params, study.private_dir, study.root, settings.seed)
    predictions = train_and_predict([(base, base.labels)], target, base.codebook, settings.min_examples_per_code,
                                    settings.seed, params, search, nlp, vectors)
    plan = plan_codes(base.codebook, list(base.labels.values()), settings.min_examples_per_code)
    result = _evaluation(target, predictions, f"trent på {base.name} ({len(base.labels)} segmenter), "
                         f"vurdert mot {target.name}", {code: 1 for code in plan.rule_codes})
    return result


@dataclass(frozen=True)
class CurvePoint:
    coded: int  # interviews of the new material in the training data
    rotations: int  # how many choices of those interviews were averaged
    n_turns: int  # scored turns per rotation (mean)
    f1: dict[str, float]  # code (and MICRO) -> mean turn-level F1
    kappa: dict[str, float]  # code (and MICRO) -> mean turn-level kappa


def curve_sizes(n_informants: int) -> list[int]:
    """0, 1, 2, 4, 8 … and the largest that leaves one interview to score."""
    sizes, k = [0], 1
    while k < n_informants:
        sizes.append(k)
        k *= 2
    if n_informants - 1 not in sizes and n_informants > 1:
        sizes.append(n_informants - 1)
    return sizes


def learning_curve(study: Study, folder: str | Path | None = None, coder: str | None = None,
                   with_base: bool = True, rotations: int = 3, sizes: Sequence[int] | None = None,
                   track: Track = no_progress) -> tuple[str, list[CurvePoint]]:
    """Turn-level F1 and kappa per code against the number of interviews coded.

    Without ``folder``: the study's own interviews (k coded, the rest scored; k = 0 is
    the rules alone). With ``folder``: a new round coded by someone else; with
    ``with_base`` the model also learns everything this study's coder decided.
    Rotation r codes the interviews r, r+1, … (sorted by id, wrapping around).
    """
    nlp = load_nlp(study.settings.model)
    settings = study.settings.coding
    params, search = _params(study)
    if folder is None:
        target, base = study_labelled(study, coder, nlp), None
    else:
        base = study_labelled(study, coder, nlp) if with_base else None
        target = load_gold_study(folder, load_codebook(study.codebook_path), nlp, track)
    informants = target.informants()
    vectors = fold_vectors(params, study.private_dir, study.root, settings.seed)
    points = []
    for k in (sizes or curve_sizes(len(informants))):
        per_rotation = []
        for r in range(min(rotations, len(informants)) if 0 < k < len(informants) else 1):
            coded = [informants[(r * max(k, 1) + i) % len(informants)] for i in range(k)]
            rest = [i for i in informants if i not in coded]
            train = ([(base, base.labels)] if base else []) + ([(target, target.subset(coded))] if coded else [])
            predictions = train_and_predict(train, target, target.codebook, settings.min_examples_per_code,
                                            settings.seed, params, search, nlp, vectors)
            scored = set(target.subset(rest))
            scored_turns = to_turns({sid: () for sid in scored}, target.segments)
            truth = {key: codes for key, codes in target.truth_turns.items() if key in scored_turns}
            per_rotation.append(score_sets(truth, to_turns(predictions, target.segments, scored),
                                           target.codebook.ids, "turn", METHOD_MODEL))
            per_rotation[-1] = (per_rotation[-1], len(truth))
        codes = [*target.codebook.ids, MICRO]
        f1 = {c: float(np.mean([next(s.f1 for s in rows if s.code == c) for rows, _ in per_rotation])) for c in codes}
        kappa = {c: float(np.nanmean([next(s.kappa for s in rows if s.code == c) for rows, _ in per_rotation]))
                 for c in codes}
        points.append(CurvePoint(coded=k, rotations=len(per_rotation),
                                 n_turns=int(np.mean([n for _, n in per_rotation])), f1=f1, kappa=kappa))
    what = (f"{target.name}: egne intervjuer" if folder is None else
            f"ny runde {target.name}" + (f" + alt {base.name} har kodet i {study.root.name}" if base else " alene"))
    return what, points
