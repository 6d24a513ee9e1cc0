"""The trained coder: one calibrated binary classifier per code (multi-label).

Features, all sparse and stacked side by side:

* lemmas of the segment, single and pairs (TF-IDF): inflection collapses;
* character 3–5-grams within words (TF-IDF): Norwegian compounds
  ("vedlikeholdsbehovet", "felleskostnadene") share pieces with their parts;
* lemmas of the interviewer's preceding question, down-weighted: short answers
  ("Ja, det betydde mye.") take their topic from the question;
* lemmas of the informant's previous sentence in the same turn, down-weighted:
  a sentence often continues the one before it;
* which codes the codebook rules found in the segment: the researchers'
  keywords, which the model can learn to trust or discount per code.

Model: logistic regression per code (one-vs-rest, balanced class weights,
liblinear, fixed seed): its output is a probability, stored as the coding's
confidence. Each code's decision threshold is chosen on out-of-fold
probabilities (folds grouped by informant, so a threshold is never tuned on
sentences of an informant the fold was trained on): the threshold with the
best F1, ties broken towards 0.5. Training is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

FEATURE_VERSION = "1"
QUESTION_WEIGHT = 0.5
PREVIOUS_WEIGHT = 0.3
RULE_WEIGHT = 1.0
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
        return self

    def transform(self, examples: Sequence[Example]) -> sparse.csr_matrix:
        rules = np.array([[1.0 if code in e.rule_codes else 0.0 for code in self.codes] for e in examples])
        blocks = [
            self.lemma_vec.transform([e.lemmas for e in examples]),
            self.char_vec.transform([_char_text(e) for e in examples]),
            QUESTION_WEIGHT * self.question_vec.transform([e.question_lemmas or ("<ingen>",) for e in examples]),
            PREVIOUS_WEIGHT * self.previous_vec.transform([e.previous_lemmas or ("<ingen>",) for e in examples]),
            sparse.csr_matrix(RULE_WEIGHT * rules.reshape(len(examples), len(self.codes))),
        ]
        return sparse.hstack(blocks, format="csr")


def _char_text(example: Example) -> str:
    return example.text.lower()


def _model(seed: int, shape: tuple[int, int]) -> LogisticRegression:
    # liblinear's dual solver is ~30x faster while there are fewer examples than features
    # (every study of interviews); the primal one takes over for very large corpora.
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=shape[0] <= shape[1],
                              random_state=seed, max_iter=1000)


def choose_threshold(y_true: np.ndarray, probabilities: np.ndarray) -> float:
    """The grid threshold with the best F1 on out-of-fold probabilities (ties: nearest 0.5)."""
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


@dataclass
class CodeClassifier:
    """A fitted multi-label coder; ``codes`` are the codes it serves."""

    codes: tuple[str, ...]
    featuriser: Featuriser
    models: dict[str, LogisticRegression]
    thresholds: dict[str, float]
    n_training: int
    version: str = FEATURE_VERSION

    def predict_proba(self, examples: Sequence[Example]) -> dict[str, np.ndarray]:
        if not examples:
            return {code: np.zeros(0) for code in self.codes}
        matrix = self.featuriser.transform(examples)
        return {code: self.models[code].predict_proba(matrix)[:, 1] for code in self.codes}

    def predict(self, examples: Sequence[Example]) -> list[dict[str, float]]:
        """Per example: code -> probability, for codes at or above their threshold."""
        probabilities = self.predict_proba(examples)
        return [{code: float(probabilities[code][i]) for code in self.codes
                 if probabilities[code][i] >= self.thresholds[code]} for i in range(len(examples))]


def train_classifier(examples: Sequence[Example], labels: Sequence[frozenset[str] | set[str]],
                     groups: Sequence[str], codes: Sequence[str], rule_codes: Sequence[str],
                     seed: int = 2019) -> CodeClassifier:
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
    models: dict[str, LogisticRegression] = {}
    thresholds: dict[str, float] = {}
    for code in codes:
        y = np.array([1 if code in label else 0 for label in labels])
        if y.min() == y.max():
            raise ValueError(f"code '{code}' needs both positive and negative examples to train")
        models[code] = _model(seed, matrix.shape).fit(matrix, y)
        thresholds[code] = _cv_threshold(matrix, y, folds, seed)
    return CodeClassifier(codes=codes, featuriser=featuriser, models=models, thresholds=thresholds,
                          n_training=len(examples))


def _cv_threshold(matrix, y: np.ndarray, folds, seed: int) -> float:
    if not folds:
        return 0.5
    out_of_fold = np.full(len(y), np.nan)
    for train_index, test_index in folds:
        y_train = y[train_index]
        if y_train.min() == y_train.max():
            out_of_fold[test_index] = float(y_train[0])
            continue
        model = _model(seed, matrix.shape).fit(matrix[train_index], y_train)
        out_of_fold[test_index] = model.predict_proba(matrix[test_index])[:, 1]
    return choose_threshold(y, out_of_fold)
