"""The trained coder: a two-stage, multi-label classifier (one model per code).

Stage 1 features, all sparse and stacked side by side:

* lemmas of the segment, single and pairs (TF-IDF): inflection collapses;
* character 3–5-grams within words (TF-IDF): Norwegian compounds
  ("vedlikeholdsbehovet", "felleskostnadene") share pieces with their parts;
* lemmas of the interviewer's preceding question (weight 0.5): short answers
  ("Ja, det betydde mye.") take their topic from the question;
* lemmas of the informant's previous sentence in the same turn (0.3) and of
  the whole turn (0.5): a sentence is read as part of its answer;
* which codes the codebook rules found in the segment (1.0) and anywhere in
  its turn (0.5): the researchers' keywords, which the model learns to trust
  or discount per code.

Stage 2 ("context"): coders mark runs of sentences that share a topic, not
isolated sentences. A small logistic regression per code re-scores each
segment from the stage-1 probabilities (all codes) of the segment, of its
neighbours one and two sentences away, and the maximum and mean over its turn,
plus its rule hits and length. It is trained on *out-of-fold* stage-1
probabilities, i.e. on what stage 1 says about informants it has not seen.

Models: logistic regression (balanced class weights, liblinear, fixed seed),
so every output is a probability, stored as the coding's confidence. Each
code's threshold is chosen on out-of-fold stage-2 probabilities (folds
grouped by informant): the threshold with the best F1, ties towards 0.5.
Training is deterministic.

The weights were chosen by leave-one-informant-out evaluation on the demo
study (see docs/coding.md, "Evaluation"); they are constants, not tuned per
study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

FEATURE_VERSION = "2"
QUESTION_WEIGHT = 0.5
PREVIOUS_WEIGHT = 0.3
RULE_WEIGHT = 1.0
TURN_WEIGHT = 0.5
TURN_RULE_WEIGHT = 0.5
# "segment": best segment F1; "turn": best F1 of turns (a turn has a code when a segment has it).
THRESHOLD_LEVEL = "segment"
# Second stage: re-score each segment from the first stage's probabilities of it, its neighbours
# and its turn (coders mark runs of sentences, not isolated ones).
CONTEXT_STAGE = True
C = 4.0
THRESHOLD_GRID = np.round(np.arange(0.10, 0.901, 0.025), 3)
MAX_FOLDS = 5


@dataclass(frozen=True)
class Example:
    """What the classifier sees of one coding unit."""

    text: str
    lemmas: tuple[str, ...]
    question_lemmas: tuple[str, ...] = ()
    previous_lemmas: tuple[str, ...] = ()
    rule_codes: frozenset[str] = frozenset()
    turn_lemmas: tuple[str, ...] = ()  # the whole informant turn the segment belongs to
    turn_rule_codes: frozenset[str] = frozenset()  # rule hits anywhere in the turn
    turn: tuple = ()  # (file, turn_index): neighbours are the examples with the same turn
    position: int = 0  # order within the transcript


def _identity(tokens):
    return tokens


def _pairs(tokens):
    tokens = list(tokens)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


@dataclass
class Featuriser:
    codes: tuple[str, ...]
    lemma_vec: TfidfVectorizer = field(default=None)
    char_vec: TfidfVectorizer = field(default=None)
    question_vec: TfidfVectorizer = field(default=None)
    previous_vec: TfidfVectorizer = field(default=None)
    turn_vec: TfidfVectorizer = field(default=None)

    def fit(self, examples: Sequence[Example]) -> "Featuriser":
        self.lemma_vec = TfidfVectorizer(analyzer=_pairs, sublinear_tf=True, min_df=1)
        self.char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True,
                                        sublinear_tf=True, min_df=2, max_features=60000)
        self.question_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2)
        self.previous_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2)
        self.lemma_vec.fit([e.lemmas for e in examples])
        self.char_vec.fit([_char_text(e) for e in examples])
        self.question_vec.fit([e.question_lemmas or ("<ingen>",) for e in examples] + [("<ingen>",)] * 2)
        self.previous_vec.fit([e.previous_lemmas or ("<ingen>",) for e in examples] + [("<ingen>",)] * 2)
        self.turn_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2)
        self.turn_vec.fit([e.turn_lemmas or ("<ingen>",) for e in examples] + [("<ingen>",)] * 2)
        return self

    def transform(self, examples: Sequence[Example]) -> sparse.csr_matrix:
        rules = np.array([[1.0 if code in e.rule_codes else 0.0 for code in self.codes] for e in examples])
        turn_rules = np.array([[1.0 if code in e.turn_rule_codes else 0.0 for code in self.codes] for e in examples])
        blocks = [
            self.lemma_vec.transform([e.lemmas for e in examples]),
            self.char_vec.transform([_char_text(e) for e in examples]),
            QUESTION_WEIGHT * self.question_vec.transform([e.question_lemmas or ("<ingen>",) for e in examples]),
            PREVIOUS_WEIGHT * self.previous_vec.transform([e.previous_lemmas or ("<ingen>",) for e in examples]),
            sparse.csr_matrix(RULE_WEIGHT * rules.reshape(len(examples), len(self.codes))),
        ]
        if TURN_WEIGHT:
            blocks.append(TURN_WEIGHT * self.turn_vec.transform([e.turn_lemmas or ("<ingen>",) for e in examples]))
        if TURN_RULE_WEIGHT:
            blocks.append(sparse.csr_matrix(TURN_RULE_WEIGHT * turn_rules.reshape(len(examples), len(self.codes))))
        return sparse.hstack(blocks, format="csr")


def _char_text(example: Example) -> str:
    return example.text.lower()


def _model(seed: int, shape: tuple[int, int]) -> LogisticRegression:
    # liblinear's dual solver is ~30x faster while there are fewer examples than features
    # (every study of interviews); the primal one takes over for very large corpora.
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=shape[0] <= shape[1],
                              random_state=seed, max_iter=1000)


def turn_max(values: np.ndarray, turns: Sequence) -> tuple[np.ndarray, list]:
    """Per turn (in first-seen order): the largest value among its segments."""
    order: dict = {}
    for turn in turns:
        order.setdefault(turn, len(order))
    result = np.full(len(order), -np.inf)
    index = np.fromiter((order[t] for t in turns), dtype=int, count=len(turns))
    np.maximum.at(result, index, values)
    return result, list(order)


def choose_threshold(y_true: np.ndarray, probabilities: np.ndarray, turns: Sequence | None = None) -> float:
    """The grid threshold with the best F1 on out-of-fold probabilities (ties: nearest 0.5).

    With ``turns`` the F1 is that of turns: a turn is predicted positive when
    any of its segments reaches the threshold, and is truly positive when any
    of its segments is.
    """
    if turns is not None:
        y_true, _ = turn_max(y_true.astype(float), turns)
        probabilities, _ = turn_max(probabilities, turns)
    best, best_key = 0.5, (-1.0, 0.0)
    positives = y_true.sum()
    for threshold in THRESHOLD_GRID:
        predicted = probabilities >= threshold
        tp = float(np.sum(predicted & (y_true == 1)))
        denominator = predicted.sum() + positives
        f1 = 2 * tp / denominator if denominator else 0.0
        key = (round(f1, 9), -abs(threshold - 0.5))
        if key > best_key:
            best, best_key = float(threshold), key
    return best


def neighbour_index(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each example: index of the previous and next example in its turn (-1: none), and turn ids."""
    n = len(examples)
    previous = np.full(n, -1)
    following = np.full(n, -1)
    turn_ids: dict = {}
    members: dict = {}
    for i, example in enumerate(examples):
        turn_ids.setdefault(example.turn, len(turn_ids))
        members.setdefault(example.turn, []).append(i)
    for indices in members.values():
        ordered = sorted(indices, key=lambda i: examples[i].position)
        for a, b in zip(ordered, ordered[1:]):
            following[a] = b
            previous[b] = a
    turns = np.fromiter((turn_ids[e.turn] for e in examples), dtype=int, count=n)
    return previous, following, turns


def context_features(first: dict[str, np.ndarray], examples: Sequence[Example], code: str) -> np.ndarray:
    """Dense second-stage features of every example for one code."""
    previous, following, turns = neighbour_index(examples)
    n_turns = int(turns.max()) + 1 if len(turns) else 0
    columns = []
    for k in sorted(first):
        p = first[k]
        padded = np.append(p, 0.0)  # index -1 -> 0.0: no neighbour
        p_prev, p_next = padded[previous], padded[following]
        p_prev2 = np.append(p_prev, 0.0)[previous]
        p_next2 = np.append(p_next, 0.0)[following]
        turn_max = np.full(n_turns, 0.0)
        np.maximum.at(turn_max, turns, p)
        turn_sum = np.bincount(turns, weights=p, minlength=n_turns)
        turn_len = np.bincount(turns, minlength=n_turns)
        columns += [p, p_prev, p_next, np.maximum(p_prev2, p_next2), turn_max[turns], (turn_sum / turn_len)[turns]]
    columns.append(np.array([1.0 if code in e.rule_codes else 0.0 for e in examples]))
    columns.append(np.array([1.0 if code in e.turn_rule_codes else 0.0 for e in examples]))
    columns.append(np.array([min(len(e.lemmas), 30) / 30 for e in examples]))  # short answers lean on context
    return np.column_stack(columns)


def _context_model(seed: int) -> LogisticRegression:
    return LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", random_state=seed, max_iter=1000)


@dataclass
class CodeClassifier:
    """A fitted multi-label coder; ``codes`` are the codes it serves."""

    codes: tuple[str, ...]
    featuriser: Featuriser
    models: dict[str, LogisticRegression]
    thresholds: dict[str, float]
    n_training: int
    context_models: dict[str, LogisticRegression] = field(default_factory=dict)
    version: str = FEATURE_VERSION

    def first_stage(self, examples: Sequence[Example]) -> dict[str, np.ndarray]:
        matrix = self.featuriser.transform(examples)
        return {code: self.models[code].predict_proba(matrix)[:, 1] for code in self.codes}

    def predict_proba(self, examples: Sequence[Example]) -> dict[str, np.ndarray]:
        """Probability of every code for every example (examples of a turn must come together)."""
        if not examples:
            return {code: np.zeros(0) for code in self.codes}
        first = self.first_stage(examples)
        if not self.context_models:
            return first
        return {code: self.context_models[code].predict_proba(context_features(first, examples, code))[:, 1]
                for code in self.codes}

    def predict(self, examples: Sequence[Example]) -> list[dict[str, float]]:
        """Per example: code -> probability, for codes at or above their threshold."""
        probabilities = self.predict_proba(examples)
        return [{code: float(probabilities[code][i]) for code in self.codes
                 if probabilities[code][i] >= self.thresholds[code]} for i in range(len(examples))]


def train_classifier(examples: Sequence[Example], labels: Sequence[frozenset[str] | set[str]],
                     groups: Sequence[str], codes: Sequence[str], rule_codes: Sequence[str],
                     seed: int = 2019, turns: Sequence | None = None) -> CodeClassifier:
    """Fit one model per code in ``codes``; thresholds by grouped cross-validation.

    ``rule_codes`` are all codes whose rule hits become features (normally the
    whole codebook); ``codes`` are those with enough human examples to learn.
    Every code in ``codes`` needs positive and negative examples.
    """
    codes = tuple(codes)
    featuriser = Featuriser(codes=tuple(rule_codes)).fit(examples)
    matrix = featuriser.transform(examples)
    group_array = np.asarray(groups)
    n_groups = len(set(groups))
    folds = list(GroupKFold(n_splits=min(MAX_FOLDS, n_groups)).split(matrix, groups=group_array)) if n_groups >= 2 else []
    threshold_turns = turns if THRESHOLD_LEVEL == "turn" else None
    models: dict[str, LogisticRegression] = {}
    targets: dict[str, np.ndarray] = {}
    out_of_fold: dict[str, np.ndarray] = {}
    for code in codes:
        y = np.array([1 if code in label else 0 for label in labels])
        if y.min() == y.max():
            raise ValueError(f"code '{code}' needs both positive and negative examples to train")
        targets[code] = y
        models[code] = _model(seed, matrix.shape).fit(matrix, y)
        out_of_fold[code] = _out_of_fold(lambda: _model(seed, matrix.shape), matrix, y, folds)
    context_models: dict[str, LogisticRegression] = {}
    thresholds: dict[str, float] = {}
    # The second stage learns from out-of-fold first-stage probabilities: what the first stage
    # says about segments it has not seen, as it will about a new informant's.
    use_context = CONTEXT_STAGE and bool(folds)
    for code in codes:
        if use_context:
            features = context_features(out_of_fold, examples, code)
            context_models[code] = _context_model(seed).fit(features, targets[code])
            scores = _out_of_fold(lambda: _context_model(seed), features, targets[code], folds)
        else:
            scores = out_of_fold[code]
        thresholds[code] = choose_threshold(targets[code], scores, threshold_turns) if folds else 0.5
    return CodeClassifier(codes=codes, featuriser=featuriser, models=models, thresholds=thresholds,
                          n_training=len(examples), context_models=context_models)


def _out_of_fold(make_model, matrix, y: np.ndarray, folds) -> np.ndarray:
    """Probabilities for every example from a model that did not see its informant."""
    result = np.full(len(y), float(y.mean()))
    for train_index, test_index in folds:
        y_train = y[train_index]
        if y_train.min() == y_train.max():
            result[test_index] = float(y_train[0])
            continue
        model = make_model().fit(matrix[train_index], y_train)
        result[test_index] = model.predict_proba(matrix[test_index])[:, 1]
    return result
