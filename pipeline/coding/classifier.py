"""The trained coder: a scikit-learn estimator, two stages, one model per code.

Input ``X`` is a sequence of :class:`Example` (what the classifier sees of one
coding unit); ``y`` is a 0/1 indicator matrix, one column per code of
``codes``. Every parameter is an ``__init__`` argument stored unchanged, and
learned state ends in ``_``, so ``get_params``, ``clone``, ``Pipeline``,
``GridSearchCV``, ``cross_validate`` and ``cross_val_predict`` work (give them
``groups`` = informants, so no fold trains on the informant it predicts).

Stage 1 features (:func:`make_features`, a ``FeatureUnion`` whose
``transformer_weights`` say how much each kind of context counts):

* ``lemmas``: lemmas of the segment, single and pairs (TF-IDF);
* ``chars``: character 3–5-grams within words (TF-IDF): Norwegian compounds
  ("vedlikeholdsbehovet", "felleskostnadene") share pieces with their parts;
* ``question``: lemmas of the interviewer's preceding question: short answers
  ("Ja, det betydde mye.") take their topic from the question;
* ``previous`` and ``turn``: lemmas of the informant's previous sentence in the
  same turn and of the whole turn: a sentence is read as part of its answer;
* ``rules`` and ``turn_rules``: which codes the codebook's keyword rules found
  in the segment and anywhere in its turn;
* optional (off by default, measured not to help on all studies; docs/coding.md):
  ``vectors``/``question_vectors``/``turn_vectors`` (``vector_weight``) and
  ``similarity``/``turn_similarity`` (``similarity_weight``), dense blocks over the
  subword vectors of :mod:`pipeline.coding.vectors`.

Stage 2 (``context=True``): coders mark runs of sentences that share a topic.
Per code, a small logistic regression re-scores each segment from the stage-1
probabilities (all codes) of the segment, its neighbours one and two sentences
away, and the maximum and mean over its turn, plus its rule hits and length.
It learns from *out-of-fold* stage-1 probabilities (folds grouped by
informant): what stage 1 says about informants it has not seen.

Each code's threshold is chosen on out-of-fold stage-2 probabilities: the one
with the best F1, ties towards 0.5 (``round_thresholds``: on the current round's
examples alone, where they hold enough of the code).

The round's memory (``memory_weight``, off by default; docs/coding.md): each coded
turn of the current round keeps how far its coder's codes lie from the model's
out-of-fold scores (on a scale where each code's threshold is 0.5); a turn to be
predicted moves by the similarity-weighted mean of that residual over the
``memory_k`` most similar round turns, shrunk by ``memory_prior``, so the
correction is local and grows with how many and how close the round's examples are.

The round's stage 2 (``round_context``, off by default; docs/coding.md "Thirteenth session"): the second
stage's dense columns and a constant copied for the current round's rows (Daumé's augmentation where there are
few weights to learn), so a round can re-read one code's score against the others'.

A turn-coded round's code on its carriers (``round_carriers``, off by default; docs/coding.md "Fourteenth
session"): where every segment of a round's turn has a code (a coder who codes turns), only the segment(s) with
the largest out-of-fold first-stage score keep it as a label; the rest weigh ``round_spread_weight`` for it
(0: unlabelled), so the round teaches a segment's rate, not a turn's.

``solver``: ``"sgd"`` (default; stochastic gradient descent on the logistic
loss, time linear in the number of examples), ``"liblinear"`` (the exact
solver; superlinear above ~60 000 examples) or ``"saga"``. ``C`` means the
same for all three (SGD's ``alpha`` is ``1 / (C * n)``).

``prior_examples``: what the codebook itself says (examples, include and
exclude criteria, see :func:`codebook_examples`) as extra weighted training
examples, weight ``prior_weight`` (0 = not used).

Training is deterministic (``random_state``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

FEATURE_VERSION = "6"  # 6: training rows in transcript order (machine.decided_ids); 5: an informant's label read as a detected name, [PERSON_X]
THRESHOLD_GRID = np.round(np.arange(0.10, 0.901, 0.025), 3)
ROUND_THRESHOLD_MIN = 3  # positives (and negatives) of a code the current round needs to set its threshold
NONE = ("<ingen>",)  # stands for "no question" / "no previous sentence"


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
    informant: str = ""  # inner folds are grouped by this
    current_round: bool = False  # decided in the study's current round: weighs ``round_weight`` in training


# ------------------------------------------------------------------ features


def _identity(tokens):
    return tokens


def _pairs(tokens):
    tokens = list(tokens)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


class ExampleField(TransformerMixin, BaseEstimator):
    """One field of each :class:`Example` (lemma tuples; ``text`` lower-cased); empty tuples become ``<ingen>``."""

    def __init__(self, field: str = "lemmas"):
        self.field = field

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        if self.field == "text":
            return [e.text.lower() for e in X]
        return [getattr(e, self.field) or NONE for e in X]


class RuleHits(TransformerMixin, BaseEstimator):
    """0/1 per code: did the keyword rules find it (``field`` = ``rule_codes`` or ``turn_rule_codes``)."""

    def __init__(self, codes: Sequence[str] = (), field: str = "rule_codes"):
        self.codes = codes
        self.field = field

    def fit(self, X, y=None):
        self.codes_ = tuple(self.codes)
        return self

    def transform(self, X):
        check_is_fitted(self, "codes_")
        column = {code: j for j, code in enumerate(self.codes_)}
        rows, cols = [], []
        for i, example in enumerate(X):
            for code in getattr(example, self.field):
                if code in column:
                    rows.append(i)
                    cols.append(column[code])
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(X), len(self.codes_)))


class CodebookMatch(TransformerMixin, BaseEstimator):
    """Dense block: per code, how near an example's lemmas (``field``) are to what the codebook says of it.

    ``code_sentences``: (code, lemma tuples of its positive examples and inclusion criteria, lemma tuples of
    its negative examples and exclusion criteria) per code. Two columns per code: the largest cosine of the
    example with one of the code's inclusion sentences, and with one of its exclusion sentences, in a TF-IDF
    space of lemmas fitted on the training examples and the codebook's sentences. A code's definition then
    reaches a turn that shares its words with one criterion, however few human examples the code has, and
    an exclusion criterion is evidence against it (the model learns how much each column counts). A sentence
    is not compared with itself: the codebook's own sentences are training rows too (``prior_weight``), and
    a cosine of 1 with themselves would teach the model to trust the column more than it deserves.
    """

    def __init__(self, code_sentences: Sequence = (), field: str = "lemmas"):
        self.code_sentences = code_sentences
        self.field = field

    def fit(self, X, y=None):
        sentences = [s for _, include, exclude in self.code_sentences for s in (*include, *exclude)]
        self.tfidf_ = TfidfVectorizer(analyzer=_identity, sublinear_tf=True).fit(
            [getattr(e, self.field) or NONE for e in X] + [s or NONE for s in sentences])
        self.sides_ = [(self._rows(include), self._rows(exclude)) for _, include, exclude in self.code_sentences]
        return self

    def _rows(self, sentences):
        return (self.tfidf_.transform([s or NONE for s in sentences]), [tuple(s) for s in sentences]) \
            if sentences else None

    def transform(self, X):
        check_is_fitted(self, "tfidf_")
        fields = [tuple(getattr(e, self.field)) for e in X]
        matrix = self.tfidf_.transform([f or NONE for f in fields])
        columns = []
        for side in self.sides_:
            for found in side:
                if found is None:
                    columns.append(np.zeros(len(X)))
                    continue
                rows, sentences = found
                cosine = (matrix @ rows.T).toarray()
                index = {s: j for j, s in enumerate(sentences)}
                for i, f in enumerate(fields):
                    if f in index:  # the sentence itself (a codebook row): not its own evidence
                        cosine[i, [j for j, s in enumerate(sentences) if s == f]] = 0.0
                columns.append(cosine.max(axis=1))
        return np.column_stack(columns) if columns else np.zeros((len(X), 0))


def make_features(rule_codes: Sequence[str], question_weight: float = 0.5, previous_weight: float = 0.3,
                  turn_weight: float = 0.5, rule_weight: float = 1.0, turn_rule_weight: float = 0.5,
                  char_weight: float = 1.0, lsa_weight: float = 0.0, random_state: int = 2019,
                  vectors=None, vector_weight: float = 0.0, similarity_weight: float = 0.0,
                  code_texts: Sequence = (), codebook_weight: float = 0.0, code_sentences: Sequence = (),
                  counts=None) -> FeatureUnion:
    """The stage-1 featuriser; a weight of 0 drops that block.

    ``vectors`` (:class:`~pipeline.coding.vectors.LemmaVectors`): with ``vector_weight``, the
    SIF-weighted mean vectors of the segment, the question and the turn (dense blocks); with
    ``similarity_weight``, the cosine of the segment's and the turn's mean vector with each
    code's centroid (``code_texts``: what the codebook says each code is).

    ``codebook`` and ``turn_codebook`` (``codebook_weight``; the turn's × ``turn_weight``): the segment's and
    the turn's nearness to each code's inclusion and exclusion sentences (:class:`CodebookMatch`;
    ``code_sentences``).

    ``lsa``: a dense 100-dimensional latent-semantic representation of the turn's lemmas
    (TF-IDF + truncated SVD, fitted on the training examples): an offline stand-in for word vectors.

    ``counts`` (:class:`~pipeline.coding.counts.TokenCounts`): the TF-IDF blocks read each text's tokens
    from that table, shared by the fits of one evaluation, and learn vocabulary and IDF from the fit's rows
    as ``TfidfVectorizer`` does (the same matrix): the held-out figures' folds do not cut the same texts again.
    """
    def tfidf(name, field, **kwargs):
        vectorizer = TfidfVectorizer(sublinear_tf=True, **kwargs)
        if counts is not None:
            from .counts import CountedTfidf

            key = f"{name}:{field}:{kwargs.get('analyzer')}:{kwargs.get('ngram_range')}"
            return Pipeline([("field", ExampleField(field)), ("tfidf", CountedTfidf(vectorizer, counts, key))])
        return Pipeline([("field", ExampleField(field)), ("tfidf", vectorizer)])

    blocks = [
        ("lemmas", tfidf("lemmas", "lemmas", analyzer=_pairs, min_df=1), 1.0),
        ("chars", tfidf("chars", "text", analyzer="char_wb", ngram_range=(3, 5), min_df=2, max_features=60000),
         char_weight),
        ("question", tfidf("question", "question_lemmas", analyzer=_identity, min_df=2), question_weight),
        ("previous", tfidf("previous", "previous_lemmas", analyzer=_identity, min_df=2), previous_weight),
        ("turn", tfidf("turn", "turn_lemmas", analyzer=_identity, min_df=2), turn_weight),
        ("rules", RuleHits(rule_codes, "rule_codes"), rule_weight),
        ("turn_rules", RuleHits(rule_codes, "turn_rule_codes"), turn_rule_weight),
    ]
    if lsa_weight:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.preprocessing import Normalizer

        blocks.append(("lsa", Pipeline([("field", ExampleField("turn_lemmas")),
                                        ("tfidf", TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2)),
                                        ("svd", TruncatedSVD(100, random_state=random_state)),
                                        ("norm", Normalizer())]), lsa_weight))
    if (vector_weight or similarity_weight) and vectors is None:
        raise ValueError("vector_weight and similarity_weight need vectors (pipeline.coding.vectors)")
    if vector_weight:
        from .vectors import MeanVectors

        blocks += [("vectors", MeanVectors(vectors, "lemmas"), vector_weight),
                   ("question_vectors", MeanVectors(vectors, "question_lemmas"), vector_weight * question_weight),
                   ("turn_vectors", MeanVectors(vectors, "turn_lemmas"), vector_weight * turn_weight)]
    if similarity_weight and code_texts:
        from .vectors import CodeSimilarity

        blocks += [("similarity", CodeSimilarity(vectors, "lemmas", code_texts), similarity_weight),
                   ("turn_similarity", CodeSimilarity(vectors, "turn_lemmas", code_texts),
                    similarity_weight * turn_weight)]
    if codebook_weight and code_sentences:
        blocks += [("codebook", CodebookMatch(code_sentences, "lemmas"), codebook_weight),
                   ("turn_codebook", CodebookMatch(code_sentences, "turn_lemmas"), codebook_weight * turn_weight)]
    kept = [(name, transformer, weight) for name, transformer, weight in blocks if weight]
    return FeatureUnion([(name, transformer) for name, transformer, _ in kept],
                        transformer_weights={name: weight for name, _, weight in kept})


# ------------------------------------------------------------- the estimator


class TwoStageCoder(ClassifierMixin, BaseEstimator):
    """Multi-label coder: per code a linear model on :func:`make_features`, re-scored in context.

    ``codes``: the codes it learns (columns of ``y``); ``rule_codes``: the codes
    whose rule hits are features (normally the whole codebook).
    """

    def __init__(self, codes: Sequence[str] = (), rule_codes: Sequence[str] = (), C: float = 4.0,
                 question_weight: float = 0.5, previous_weight: float = 0.3, turn_weight: float = 0.5,
                 rule_weight: float = 1.0, turn_rule_weight: float = 0.5, char_weight: float = 1.0,
                 lsa_weight: float = 0.0, context: bool = True, context_C: float = 1.0, solver: str = "sgd", max_folds: int = 5,
                 prior_examples: Sequence = (), prior_weight: float = 1.0, threshold_unit: str = "segment",
                 round_weight: float = 1.0, vectors=None, vector_weight: float = 0.0,
                 similarity_weight: float = 0.0, round_thresholds: bool = False, threshold_rule: str = "prevalence",
                 round_features: float = 0.0, memory_weight: float = 0.0, memory_k: int = 20,
                 memory_prior: float = 1.0, memory_blocks: Sequence[str] | None = None,
                 codebook_weight: float = 0.0, redirect_weight: float = 0.0, round_calibration: bool = False,
                 round_calibration_prior: float = 40.0, round_context: float = 0.0, round_carriers: int = 0,
                 round_spread_weight: float = 0.0, sgd_average: bool = False, sgd_epochs: int | None = None,
                 sgd_bag: int = 1, nb_alpha: float = 0.0, counts=None, random_state: int = 2019):
        self.codes = codes
        self.rule_codes = rule_codes
        self.C = C
        self.question_weight = question_weight
        self.previous_weight = previous_weight
        self.turn_weight = turn_weight
        self.rule_weight = rule_weight
        self.turn_rule_weight = turn_rule_weight
        self.char_weight = char_weight
        self.lsa_weight = lsa_weight
        self.context = context
        self.context_C = context_C
        self.solver = solver
        self.max_folds = max_folds
        self.prior_examples = prior_examples
        self.prior_weight = prior_weight
        self.threshold_unit = threshold_unit
        self.round_weight = round_weight
        self.vectors = vectors
        self.vector_weight = vector_weight
        self.similarity_weight = similarity_weight
        self.round_thresholds = round_thresholds
        self.threshold_rule = threshold_rule
        self.round_features = round_features
        self.memory_weight = memory_weight
        self.memory_k = memory_k
        self.memory_prior = memory_prior
        self.memory_blocks = memory_blocks
        self.codebook_weight = codebook_weight
        self.redirect_weight = redirect_weight
        self.round_calibration = round_calibration
        self.round_calibration_prior = round_calibration_prior
        self.round_context = round_context
        self.round_carriers = round_carriers
        self.round_spread_weight = round_spread_weight
        self.sgd_average = sgd_average
        self.sgd_epochs = sgd_epochs
        self.sgd_bag = sgd_bag
        self.nb_alpha = nb_alpha
        self.counts = counts
        self.random_state = random_state

    # -- fitting

    def _first_model(self, n: int, n_features: int = 0):
        if self.solver == "sgd":
            if int(self.sgd_bag) < 1 or (self.sgd_epochs is not None and int(self.sgd_epochs) < 1):
                raise ValueError(f"sgd_bag must be a whole number >= 1 and sgd_epochs one >= 1 (or None); got "
                                 f"{self.sgd_bag!r}, {self.sgd_epochs!r}")
            # sgd_epochs None: stop once the training loss has not fallen by tol for 3 epochs (at most 30). That
            # epoch depends on the order the rows come in (the loss is noisy), so where the fit stops is a draw;
            # N: exactly N epochs, the step size falling as 1 / (alpha (t + t0)), so the fit nears the optimum.
            fixed = self.sgd_epochs is not None
            # Same objective as LogisticRegression(C): mean log-loss + ||w||² / (2 C n).
            sgd = SGDClassifier(loss="log_loss", alpha=1.0 / (self.C * max(n, 1)), class_weight="balanced",
                                max_iter=int(self.sgd_epochs) if fixed else 30, tol=None if fixed else 1e-4,
                                n_iter_no_change=3, average=bool(self.sgd_average), random_state=self.random_state)
            return sgd if int(self.sgd_bag) == 1 else BaggedLinear(sgd, int(self.sgd_bag), self.random_state)
        if self.solver == "lbfgs":
            # Deterministic and exact (a strictly convex objective has one optimum): the rows' order cannot matter.
            return LogisticRegression(C=self.C, class_weight="balanced", solver="lbfgs", max_iter=500, tol=1e-4)
        if self.solver == "saga":
            return LogisticRegression(C=self.C, class_weight="balanced", solver="saga", max_iter=200, tol=1e-3,
                                      random_state=self.random_state)
        if self.solver == "liblinear":
            # liblinear's dual solver is ~30x faster while there are fewer examples than features.
            return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", dual=n <= n_features,
                                      random_state=self.random_state, max_iter=1000)
        raise ValueError(f"unknown solver '{self.solver}' (sgd, lbfgs, liblinear, saga)")

    def _nb_model(self, y):
        """Multinomial naive Bayes on the same (non-negative) features, its probabilities calibrated by a
        sigmoid on 3 inner stratified folds (its raw scores run to ±15 on the logit scale, and stage 2 reads
        probabilities); ``y``: the labels it will be fitted on (fewer folds where a class has fewer than 3 rows,
        none below 2).

        Why a second family: a generative model reaches its (higher) asymptotic error from far fewer examples
        than a discriminative one (Ng and Jordan 2002), and weighs each word by its own counts in the code's
        rows, not by what it adds to the words it co-occurs with in one coder's material; stage 2 learns, per
        code and on held-out informants, how much of each to believe."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.naive_bayes import MultinomialNB

        if self.nb_alpha < 0:
            raise ValueError(f"nb_alpha must be > 0 (or 0: off); got {self.nb_alpha!r}")
        nb = MultinomialNB(alpha=float(self.nb_alpha))
        folds = min(3, int(np.bincount(np.asarray(y, dtype=int), minlength=2).min()))
        return CalibratedClassifierCV(nb, method="sigmoid", cv=folds, ensemble=False) if folds >= 2 else nb

    def _context_model(self):
        # A few dozen dense features: liblinear's primal solver is fast and linear in the examples.
        return LogisticRegression(C=self.context_C, class_weight="balanced", solver="liblinear", dual=False,
                                  random_state=self.random_state, max_iter=1000)

    def fit(self, X: Sequence[Example], y, groups: Sequence | None = None,
            sample_weight: Sequence[float] | None = None) -> "TwoStageCoder":
        """Fit both stages; an example of the current round (``Example.current_round``) weighs ``round_weight``."""
        X = list(X)
        y = np.asarray(y, dtype=int).reshape(len(X), -1)
        self.classes_ = np.array(list(self.codes))
        if y.shape[1] != len(self.classes_):
            raise ValueError(f"y has {y.shape[1]} columns but there are {len(self.classes_)} codes")
        groups = np.asarray(groups if groups is not None else [e.informant for e in X])
        weights = self._weights(X, sample_weight)
        prior_X, prior_y, prior_weights = self._priors()
        # Vectors learned per fit (vectors.FoldVectors) read these training rows and the codebook only.
        self.vectors_ = self.vectors.learn(X + prior_X) if hasattr(self.vectors, "learn") else self.vectors
        self.features_ = make_features(self.rule_codes or self.codes, self.question_weight, self.previous_weight,
                                       self.turn_weight, self.rule_weight, self.turn_rule_weight, self.char_weight,
                                       self.lsa_weight, self.random_state, self.vectors_, self.vector_weight,
                                       self.similarity_weight, self._code_texts(), self.codebook_weight,
                                       self._code_sentences() if self.codebook_weight else (), self.counts)
        both = self.features_.fit_transform(X + prior_X).tocsr()
        # The codebook's examples belong to no round: they teach the shared weights only.
        both = self._augment(both, X + [replace(e, current_round=False) for e in prior_X])
        matrix = both[:len(X)]
        prior_matrix = both[len(X):] if prior_X else None
        n_groups = len(set(groups.tolist()))
        folds = list(GroupKFold(n_splits=min(self.max_folds, n_groups)).split(matrix, groups=groups)) \
            if n_groups >= 2 else []
        # Per code: how much each row teaches it (``round_carriers``: a turn-coded round's code on its carriers).
        code_weights = self._round_carrier_weights(X, y, weights, matrix, folds, prior_matrix, prior_y,
                                                   prior_weights)
        self.models_, out_of_fold = [], np.zeros(y.shape)
        for j in range(y.shape[1]):
            fit_one = self._fitter(matrix, y[:, j], code_weights[:, j], prior_matrix, prior_y, prior_weights, j)
            self.models_.append(fit_one(np.arange(len(X))))
            out_of_fold[:, j] = _out_of_fold(fit_one, matrix, y[:, j], folds)
        # ``nb_alpha``: a second first-stage family per code, read by stage 2 beside the linear model's scores.
        self.nb_models_, nb_out_of_fold = [], np.zeros((len(X), 0))
        if self.nb_alpha:
            if not self.context:
                raise ValueError("nb_alpha needs the second stage (context=True): stage 2 is what weighs the two")
            if matrix.min() < 0 or (prior_matrix is not None and prior_matrix.min() < 0):
                raise ValueError("nb_alpha (naive Bayes reads counts) cannot read feature blocks with negative "
                                 "values (vector_weight, similarity_weight, lsa_weight): set nb_alpha to 0 or those to 0")
            nb_out_of_fold = np.zeros(y.shape)
            for j in range(y.shape[1]):
                fit_nb = self._fitter(matrix, y[:, j], code_weights[:, j], prior_matrix, prior_y, prior_weights, j,
                                      family="naive_bayes")
                self.nb_models_.append(fit_nb(np.arange(len(X))))
                nb_out_of_fold[:, j] = _out_of_fold(fit_nb, matrix, y[:, j], folds)
        stage_one = np.hstack([out_of_fold, nb_out_of_fold])
        self.context_models_, self.thresholds_ = [], np.full(y.shape[1], 0.5)
        use_context = self.context and bool(folds)
        turn_ids: dict = {}
        turns = np.array([turn_ids.setdefault(e.turn, len(turn_ids)) for e in X])
        held_out = out_of_fold.copy()  # the final stage's out-of-fold scores: what the round's memory corrects
        neighbours = neighbour_index(X) if use_context else None  # the same for every code
        # The round's stage 2 (``round_context``): only where this fit has rows of a current round to learn it from.
        self.round_context_ = bool(self.round_context) and use_context and any(e.current_round for e in X)
        for j in range(y.shape[1]):
            if use_context and y[:, j].min() != y[:, j].max():
                features = self._stage_two_features(stage_one, X, j, neighbours)
                fit_two = self._context_fitter(features, y[:, j], code_weights[:, j])
                self.context_models_.append(fit_two(np.arange(len(X))))
                scores = _out_of_fold(fit_two, features, y[:, j], folds)
            else:
                self.context_models_.append(None)
                scores = out_of_fold[:, j]
            held_out[:, j] = scores
            if folds:
                rows = self._threshold_rows(X, y[:, j])
                row_weights = weights
                if self.round_carriers and self.threshold_unit == "segment":
                    # A segment's rate, as the carriers teach it: an unlabelled non-carrier says nothing; a turn's
                    # threshold (threshold_unit turn) reads the turn as it was coded.
                    rows, row_weights = rows[code_weights[rows, j] > 0], code_weights[:, j]
                self.thresholds_[j] = self._threshold(y[rows, j], scores[rows], turns[rows], row_weights[rows])
        self.memory_ = self._round_memory(X, y, held_out) if folds else None
        self.calibration_ = self._round_calibration(X, y, held_out) if folds and self.round_calibration else None
        self.n_training_ = len(X)
        return self

    def _round_carrier_weights(self, X: Sequence[Example], y: np.ndarray, weights: np.ndarray, matrix, folds,
                               prior_matrix, prior_y, prior_weights) -> np.ndarray:
        """(examples, codes) training weights: ``weights`` for every code, but with ``round_carriers`` > 0, in a
        turn of the current round where every segment (two or more) carries a code, only the ``round_carriers``
        segments with the largest out-of-fold first-stage score for the code keep their weight for it; the
        turn's other segments weigh ``round_spread_weight`` for that code (0: unlabelled, left out of its fits).

        Why: a round coded by turns gives its code to every segment of the turn, so every round-specific model
        measured so far learned a turn's rate as a segment's and over-coded the rest of the round (docs/coding.md,
        "Thirteenth session"). A code given to only some segments of a turn was coded by segment, and is left as
        it is. The scores that choose the carriers come from the fit's own folds (grouped by informant) with the
        labels as given, so a round's segment is ranked by models that never saw its interview, never by a model
        trained on it; ties go to the earlier segment. Learned state: ``carrier_turns_``, how many (turn, code)
        pairs were narrowed to their carriers."""
        code_weights = np.repeat(weights[:, None], y.shape[1], axis=1)
        self.carrier_turns_ = 0
        if not self.round_carriers or not folds:
            return code_weights
        if int(self.round_carriers) < 1 or self.round_spread_weight < 0:
            raise ValueError(f"round_carriers must be a whole number >= 1 (or 0: off), round_spread_weight >= 0; "
                             f"got {self.round_carriers!r}, {self.round_spread_weight!r}")
        members: dict = {}
        for i, e in enumerate(X):
            if e.current_round:
                members.setdefault(e.turn, []).append(i)
        spread = {j: [index for index in members.values() if len(index) >= 2 and y[index, j].all()]
                  for j in range(y.shape[1])}
        for j, turns in spread.items():
            if not turns:
                continue
            wanted = np.zeros(len(X), dtype=bool)
            wanted[[i for index in turns for i in index]] = True
            fit_one = self._fitter(matrix, y[:, j], weights, prior_matrix, prior_y, prior_weights, j)
            scores = np.zeros(len(X))
            for train_index, test_index in folds:
                rows = test_index[wanted[test_index]]
                if len(rows):
                    scores[rows] = fit_one(train_index).predict_proba(matrix[rows])[:, 1]
            for index in turns:
                index = sorted(index, key=lambda i: X[i].position)
                ranked = sorted(range(len(index)), key=lambda n: (-scores[index[n]], n))
                for n in ranked[int(self.round_carriers):]:
                    code_weights[index[n], j] *= self.round_spread_weight
                self.carrier_turns_ += len(index) > int(self.round_carriers)
        return code_weights

    def _context_fitter(self, features: np.ndarray, y: np.ndarray, weights: np.ndarray):
        """A function fitting a code's stage-2 model on the given rows, those of weight 0 left out (unlabelled)."""
        def fit(index):
            if self.round_carriers:
                index = index[weights[index] > 0]
            if not len(index) or y[index].min() == y[index].max():
                return ConstantModel(float(y[index][0]) if len(index) else 0.0)
            return self._context_model().fit(features[index], y[index], sample_weight=weights[index])
        return fit

    def _stage_two_features(self, first: np.ndarray, X: Sequence[Example], j: int, neighbours) -> np.ndarray:
        """Code ``j``'s second-stage features; with the round's stage 2 (``round_context_``) also a copy of them
        and a constant, times ``round_context``, on the current round's rows and 0 on any other.

        Daumé's feature augmentation where it has few weights to learn: the second stage reads a few dozen
        dense columns (every code's first-stage scores of the segment, its neighbours and its turn), so the
        round's coded turns can move how a code's score is read against the other codes' (a turn the round's
        coder files under another code) and its rate (the constant), where the first stage's round copy
        (``round_features``) has as many weights as words to learn from the same few turns."""
        features = context_features(first, X, j, self.classes_[j], neighbours)
        if not getattr(self, "round_context_", False):
            return features
        current = np.fromiter((e.current_round for e in X), dtype=float, count=len(X)) * self.round_context
        return np.hstack([features, current[:, None] * np.column_stack([features, np.ones(len(X))])])

    def _round_calibration(self, X: Sequence[Example], y: np.ndarray, held_out: np.ndarray):
        """Per code (older material's intercept and slope, the round's), or None without a current round.

        Each turn's score is the largest out-of-fold score of its segments (folds grouped by informant: a
        round's interview is scored by models that did not see it), centred so that the code's threshold is 0
        on the logit scale; its label is whether any of its segments has the code. Two logistic calibrations
        of that score per code: one on the turns of the older material, one on the current round's turns,
        the latter shrunk towards the former by ``round_calibration_prior`` turns of pseudo-data (the older
        turns' scores, labelled with the older calibration's probabilities), so with few round turns it stays
        near the older one and the correction (:meth:`_calibrated`) near the identity. A code whose older
        turns hold only one label, or whose older slope is not positive, is left as it is (``None``)."""
        from scipy.special import expit, logit

        current = np.fromiter((e.current_round for e in X), dtype=bool, count=len(X))
        if not current.any():
            return None
        members: dict = {}
        for i, e in enumerate(X):
            members.setdefault(e.turn, []).append(i)
        groups = list(members.values())
        z = logit(np.clip(_centre(held_out, self.thresholds_), _EDGE, 1 - _EDGE))
        turn_z = np.array([z[index].max(axis=0) for index in groups])
        turn_y = np.array([y[index].max(axis=0) for index in groups])
        in_round = np.array([bool(current[index].any()) for index in groups])
        result = []
        for j in range(y.shape[1]):
            old_z, old_y = turn_z[~in_round, j], turn_y[~in_round, j]
            if not len(old_y) or old_y.min() == old_y.max():
                result.append(None)
                continue
            # A weak ridge towards the identity (worth about one turn) keeps separable older turns finite.
            a0, b0 = _logistic_fit(old_z, old_y.astype(float), np.ones(len(old_y)), ridge=1.0)
            if b0 <= 0:
                result.append(None)
                continue
            round_z, round_y = turn_z[in_round, j], turn_y[in_round, j].astype(float)
            prior = float(self.round_calibration_prior)
            if not prior and round_y.min() == round_y.max():
                result.append(None)  # unshrunk, one label: no finite fit
                continue
            # The prior: pseudo-turns at the older turns' scores, labelled with the older calibration's
            # probabilities, worth ``prior`` turns in all (alone, their best fit is the older calibration).
            scores = np.concatenate([round_z, old_z])
            labels = np.concatenate([round_y, expit(a0 + b0 * old_z)])
            weights = np.concatenate([np.ones(len(round_z)), np.full(len(old_z), prior / len(old_z))])
            a1, b1 = _logistic_fit(scores, labels, weights, start=(a0, b0))
            result.append((a0, b0, a1, max(b1, 0.1 * b0)))  # kept increasing: the turn's order holds
        return result

    def _calibrated(self, probabilities: np.ndarray) -> np.ndarray:
        """The round's calibration: a score whose probability under the round's calibration is the one the older
        calibration gives the score it becomes; thresholds are unchanged, so a code is given where the round's
        coder would give it at the rate the threshold rule chose for the older material."""
        from scipy.special import expit, logit

        z = logit(np.clip(_centre(probabilities, self.thresholds_), _EDGE, 1 - _EDGE))
        for j, fitted in enumerate(self.calibration_):
            if fitted is not None:
                a0, b0, a1, b1 = fitted
                z[:, j] = (a1 + b1 * z[:, j] - a0) / b0
        return _uncentre(expit(z), self.thresholds_)

    def _memory_matrix(self, X: Sequence[Example]):
        """What turns are compared by: the features, or only their ``memory_blocks`` (e.g. ``("lemmas",
        "chars")``, the segment's own words: measured, no better than all of them, docs/coding.md)."""
        if self.memory_blocks is None:
            return self.features_.transform(X).tocsr()
        blocks = dict(self.features_.transformer_list)
        weights = self.features_.transformer_weights or {}
        unknown = [name for name in self.memory_blocks if name not in blocks]
        if unknown or not self.memory_blocks:
            raise ValueError(f"memory_blocks: unknown or no feature blocks {unknown} (of {', '.join(blocks)})")
        return sparse.hstack([blocks[name].transform(X) * weights.get(name, 1.0) for name in self.memory_blocks],
                             format="csr")

    def _round_memory(self, X: Sequence[Example], y: np.ndarray, held_out: np.ndarray):
        """The current round's coded turns: (the round's examples, the examples of each turn, per turn and
        code the label minus the out-of-fold score), or None when the round has none. Scores are centred
        (:func:`_centre`) so that 0.5 is the code's threshold. None with ``memory_weight`` 0: the memory
        holds the round's example texts, and a model that does not use it does not keep them (in the
        private model file). With the memory on, its parameters can be changed after fitting (they are
        read only in :meth:`predict_proba`; 0 turns it off)."""
        current = [i for i, e in enumerate(X) if e.current_round]
        if not current or not self.memory_weight:
            return None
        keys: dict = {}
        for i in current:
            keys.setdefault(X[i].turn, []).append(i)
        position = {i: n for n, i in enumerate(current)}
        centred = _centre(held_out, self.thresholds_)
        residuals = np.array([y[index].max(axis=0) - centred[index].max(axis=0) for index in keys.values()])
        return tuple(X[i] for i in current), [[position[i] for i in index] for index in keys.values()], residuals

    def _memory_correction(self, X: Sequence[Example]) -> np.ndarray:
        """Per example and code: the similarity-weighted mean residual of the round's ``memory_k`` coded turns
        most like the example's turn, shrunk by ``memory_prior`` (a neighbour of similarity ``memory_prior``
        whose residual is 0), so that it grows with how many and how close the round's examples are."""
        examples, groups, residuals = self.memory_
        rows = _turn_rows(self._memory_matrix(examples), groups)
        members: dict = {}
        for i, e in enumerate(X):
            members.setdefault(e.turn, []).append(i)
        similarity = (_turn_rows(self._memory_matrix(X), list(members.values())) @ rows.T).toarray()
        k = min(self.memory_k, rows.shape[0])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weights = np.clip(np.take_along_axis(similarity, nearest, axis=1), 0.0, None)
        per_turn = np.einsum("tk,tkc->tc", weights, residuals[nearest]) / (weights.sum(axis=1, keepdims=True)
                                                                            + self.memory_prior)
        correction = np.zeros((len(X), residuals.shape[1]))
        for t, index in enumerate(members.values()):
            correction[index] = per_turn[t]
        return correction

    def _augment(self, matrix, X: Sequence[Example]):
        """``round_features`` > 0: each feature twice, once shared and once for the current round only.

        Daumé's "frustratingly easy" domain adaptation: a round's example is ``[x, w·x]``, any other
        ``[x, 0]``, so the new round's conventions get weights of their own that start from the shared
        ones (the L2 penalty pulls them to 0 = "like the rest"). ``w`` = ``round_features``: the larger,
        the less a round-specific weight is held back.
        """
        if not self.round_features:
            return matrix
        current = np.fromiter((e.current_round for e in X), dtype=float, count=len(X)) * self.round_features
        return sparse.hstack([matrix, sparse.diags(current) @ matrix], format="csr")

    def _weights(self, X: Sequence[Example], sample_weight) -> np.ndarray:
        weights = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float).copy()
        if len(weights) != len(X):
            raise ValueError(f"sample_weight has {len(weights)} values for {len(X)} examples")
        if self.round_weight != 1.0:
            weights[np.fromiter((e.current_round for e in X), dtype=bool, count=len(X))] *= self.round_weight
        return weights

    def _threshold_rows(self, X: Sequence[Example], y: np.ndarray) -> np.ndarray:
        """Rows a code's threshold is chosen on: all, or (``round_thresholds``) the current round's when it has
        at least :data:`ROUND_THRESHOLD_MIN` positives and negatives of the code."""
        everything = np.arange(len(X))
        if not self.round_thresholds:
            return everything
        current = np.flatnonzero(np.fromiter((e.current_round for e in X), dtype=bool, count=len(X)))
        positives = int(y[current].sum())
        if positives < ROUND_THRESHOLD_MIN or len(current) - positives < ROUND_THRESHOLD_MIN:
            return everything
        return current

    def _threshold(self, y, scores, turns, weights) -> float:
        """Best (weighted) F1 threshold, or (``threshold_rule="prevalence"``) the one whose predicted rate is the
        coded rate; ``threshold_unit="turn"``: of turns (a turn has a code when a segment has it)."""
        if self.threshold_unit == "turn":
            y, _ = turn_max(y.astype(float), turns.tolist())
            scores, _ = turn_max(scores, turns.tolist())
            weights, _ = turn_max(weights, turns.tolist())
        elif self.threshold_unit != "segment":
            raise ValueError(f"unknown threshold_unit '{self.threshold_unit}' (segment, turn)")
        if self.threshold_rule == "prevalence":
            return prevalence_threshold(y, scores, weights)
        if self.threshold_rule != "f1":
            raise ValueError(f"unknown threshold_rule '{self.threshold_rule}' (f1, prevalence)")
        return choose_threshold(y, scores, weights)

    def _code_texts(self) -> tuple:
        """(code, lemma tuples of the codebook's positive examples and inclusion criteria) per code."""
        return tuple((code, include) for code, include, _ in self._code_sentences())

    def _code_sentences(self) -> tuple:
        """(code, lemma tuples of its positive examples and inclusion criteria, of its negative examples and
        exclusion criteria) per code, from ``prior_examples``."""
        sides: dict[str, tuple[list, list]] = {code: ([], []) for code in self.rule_codes or self.codes}
        for example, positive, negative in self.prior_examples:
            for code in positive:
                if code in sides:
                    sides[code][0].append(example.lemmas)
            for code in negative:
                if code in sides:
                    sides[code][1].append(example.lemmas)
        return tuple((code, tuple(include), tuple(exclude)) for code, (include, exclude) in sides.items())

    def _priors(self):
        """Codebook examples as (examples, labels, weights): weights[i, j] > 0 where example i says something
        about code j (``prior_weight``), 0 where it says nothing.

        ``redirect_weight``: a negative example or exclusion criterion that names another code by its id
        ("Selve prisen ... (kod discount)") is also a positive example of that code, with this weight."""
        import re

        column = {code: j for j, code in enumerate(self.classes_)}
        named = {code: re.compile(rf"(?<!\w){re.escape(code)}(?!\w)", re.IGNORECASE) for code in column}
        examples, labels, weights = [], [], []
        for example, positive, negative in self.prior_examples:
            row_y, row_w = np.zeros(len(column), int), np.zeros(len(column))
            for code in positive:
                if code in column and self.prior_weight:
                    row_y[column[code]], row_w[column[code]] = 1, self.prior_weight
            for code in negative:
                if code in column and self.prior_weight:
                    row_w[column[code]] = self.prior_weight
            if negative and self.redirect_weight:
                for code, pattern in named.items():
                    if code not in negative and pattern.search(example.text):
                        row_y[column[code]], row_w[column[code]] = 1, self.redirect_weight
            if row_w.any():
                examples.append(example)
                labels.append(row_y)
                weights.append(row_w)
        if not examples:
            return [], None, None
        return examples, np.array(labels), np.array(weights)

    def _fitter(self, matrix, y, sample_weight, prior_matrix, prior_y, prior_weights, j, family: str = "linear"):
        """A function fitting code ``j``'s stage-1 model (``family``: the linear one, or ``naive_bayes``,
        :meth:`_nb_model`) on the given rows (plus the codebook's examples)."""
        keep = prior_weights[:, j] > 0 if prior_weights is not None else None

        def fit(index):
            if self.round_carriers:  # a round's non-carrier row of weight 0 is unlabelled for this code
                index = index[sample_weight[index] > 0]
            X_fit, y_fit = matrix[index], y[index]
            if not len(y_fit) or y_fit.min() == y_fit.max():  # e.g. a fold without the code: it says what it saw
                return ConstantModel(float(y_fit[0]) if len(y_fit) else 0.0)
            weights = sample_weight[index]
            if keep is not None and keep.any():
                X_fit = sparse.vstack([X_fit, prior_matrix[keep]], format="csr")
                y_fit = np.concatenate([y_fit, prior_y[keep, j]])
                weights = np.concatenate([weights, prior_weights[keep, j]])
            with warnings.catch_warnings():
                # SGD runs a fixed budget of epochs (linear time); stopping short of tol is expected.
                warnings.simplefilter("ignore", ConvergenceWarning)
                model = self._first_model(*X_fit.shape) if family == "linear" else self._nb_model(y_fit)
                return model.fit(X_fit, y_fit, sample_weight=weights)
        return fit

    # -- prediction

    def first_stage(self, X: Sequence[Example]) -> np.ndarray:
        check_is_fitted(self, "models_")
        X = list(X)
        matrix = self._augment(self.features_.transform(X), X)
        return np.column_stack([m.predict_proba(matrix)[:, 1] for m in self.models_]) if len(X) else \
            np.zeros((0, len(self.models_)))

    def _stage_one(self, X: Sequence[Example]) -> np.ndarray:
        """What stage 2 reads: the linear models' probabilities, then (``nb_alpha``) naive Bayes's, per code."""
        if not getattr(self, "nb_models_", None) or not len(X):
            return self.first_stage(X)
        matrix = self._augment(self.features_.transform(X), X)
        return np.column_stack([m.predict_proba(matrix)[:, 1] for m in (*self.models_, *self.nb_models_)])

    def predict_proba(self, X: Sequence[Example]) -> np.ndarray:
        """(n_examples, n_codes) probabilities; the examples of a turn must come together."""
        X = list(X)
        first = self._stage_one(X)
        if not self.context_models_ or not X:
            result = first[:, :len(self.models_)]
        else:
            neighbours = neighbour_index(X)
            result = np.column_stack([first[:, j] if model is None else
                                      model.predict_proba(self._stage_two_features(first, X, j, neighbours))[:, 1]
                                      for j, model in enumerate(self.context_models_)])
        if getattr(self, "calibration_", None) is not None and len(X):
            result = self._calibrated(result)
        if self.memory_weight and getattr(self, "memory_", None) is not None and len(X):
            # Corrected where the decision is made: 0.5 stands for each code's threshold, so that a residual
            # says how far the round's coder is on the other side of it, and the thresholds still hold after.
            correction = self._memory_correction(X)
            centred = _centre(result, self.thresholds_) + self.memory_weight * correction
            result = _uncentre(centred, self.thresholds_)
        return result

    def predict(self, X: Sequence[Example]) -> np.ndarray:
        """0/1 indicator matrix: probability at or above the code's threshold."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def score(self, X, y, sample_weight=None) -> float:
        """Micro-F1 over codes (the multi-label default accuracy would need every code right at once)."""
        from sklearn.metrics import f1_score

        return float(f1_score(np.asarray(y), self.predict(X), average="micro", zero_division=0,
                              sample_weight=sample_weight))

    @property
    def thresholds(self) -> dict[str, float]:
        return {code: float(t) for code, t in zip(self.classes_, self.thresholds_)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags


class BaggedLinear:
    """``k`` fits of one linear model, each on the rows in its own seeded permutation, their weights averaged.

    SGD's result depends on the order it meets the rows in; the mean of ``k`` orders' weights is one linear
    model whose spread over orders is smaller (about 1/sqrt(k) where the fits' errors are independent)."""

    def __init__(self, model, k: int, random_state: int):
        self.model = model
        self.k = k
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        from sklearn.base import clone

        coefs, intercepts = [], []
        for b in range(self.k):
            order = np.random.RandomState(self.random_state + b).permutation(X.shape[0])
            fitted = clone(self.model).fit(X[order], np.asarray(y)[order],
                                           sample_weight=None if sample_weight is None
                                           else np.asarray(sample_weight)[order])
            coefs.append(fitted.coef_)
            intercepts.append(fitted.intercept_)
        self.classes_ = fitted.classes_
        self.coef_ = np.mean(coefs, axis=0)
        self.intercept_ = np.mean(intercepts, axis=0)
        return self

    def predict_proba(self, X) -> np.ndarray:
        from scipy.special import expit

        p = expit(np.asarray(X @ self.coef_.T).ravel() + self.intercept_[0])
        return np.column_stack([1.0 - p, p])


class ConstantModel:
    """Stands in for a code's model when its training rows are all positive or all negative."""

    def __init__(self, probability: float):
        self.probability = probability

    def predict_proba(self, matrix) -> np.ndarray:
        return np.tile([1.0 - self.probability, self.probability], (matrix.shape[0], 1))


_EDGE = 1e-6


def _centre(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Probabilities moved on the logit scale so that each code's threshold becomes 0.5."""
    from scipy.special import expit, logit

    p = np.clip(probabilities, _EDGE, 1 - _EDGE)
    return expit(logit(p) - logit(np.clip(thresholds, _EDGE, 1 - _EDGE)))


def _uncentre(centred: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """The inverse of :func:`_centre` (values outside (0, 1) are held at its edges)."""
    from scipy.special import expit, logit

    c = np.clip(centred, _EDGE, 1 - _EDGE)
    return expit(logit(c) + logit(np.clip(thresholds, _EDGE, 1 - _EDGE)))


def _logistic_fit(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray, start=(0.0, 1.0),
                  ridge: float = 1e-6) -> tuple[float, float]:
    """Intercept and slope of a weighted logistic regression of (soft) ``labels`` on one score (L-BFGS from
    ``start``, deterministic; ``ridge``, towards ``start``, keeps a separable fit finite)."""
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    design = np.column_stack([np.ones(len(scores)), scores])
    origin = np.array(start, dtype=float)

    def loss(beta):
        eta = design @ beta
        value = -float(weights @ (labels * log_expit(eta) + (1 - labels) * log_expit(-eta)))
        gradient = -design.T @ (weights * (labels - expit(eta)))
        return value + 0.5 * ridge * float((beta - origin) @ (beta - origin)), gradient + ridge * (beta - origin)

    found = minimize(loss, origin, jac=True, method="L-BFGS-B", options={"maxiter": 200, "gtol": 1e-8})
    return float(found.x[0]), float(found.x[1])


def _turn_rows(matrix, groups: Sequence[Sequence[int]]):
    """One L2-normalised row per group of examples (a turn): the mean of their feature rows."""
    from sklearn.preprocessing import normalize

    rows, cols = [], []
    for g, index in enumerate(groups):
        rows += [g] * len(index)
        cols += list(index)
    pooling = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), matrix.shape[0]))
    return normalize(pooling @ matrix)


def _out_of_fold(fit, matrix, y: np.ndarray, folds) -> np.ndarray:
    """Probabilities for every example from a model that did not see its informant."""
    result = np.full(len(y), float(y.mean()))
    for train_index, test_index in folds:
        y_train = y[train_index]
        if y_train.min() == y_train.max():
            result[test_index] = float(y_train[0])
            continue
        result[test_index] = fit(train_index).predict_proba(matrix[test_index])[:, 1]
    return result


# ------------------------------------------------------------------ stage 2 and thresholds


def turn_max(values: np.ndarray, turns: Sequence) -> tuple[np.ndarray, list]:
    """Per turn (in first-seen order): the largest value among its segments."""
    order: dict = {}
    for turn in turns:
        order.setdefault(turn, len(order))
    result = np.full(len(order), -np.inf)
    index = np.fromiter((order[t] for t in turns), dtype=int, count=len(turns))
    np.maximum.at(result, index, values)
    return result, list(order)


def choose_threshold(y_true: np.ndarray, probabilities: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The grid threshold with the best (weighted) F1 on out-of-fold probabilities (ties: nearest 0.5)."""
    best, best_key = 0.5, (-1.0, 0.0)
    weights = np.ones(len(y_true)) if weights is None else np.asarray(weights, dtype=float)
    positives = float(weights[y_true == 1].sum())
    for threshold in THRESHOLD_GRID:
        predicted = probabilities >= threshold
        tp = float(weights[predicted & (y_true == 1)].sum())
        denominator = float(weights[predicted].sum()) + positives
        f1 = 2 * tp / denominator if denominator else 0.0
        key = (round(f1, 9), -abs(threshold - 0.5))
        if key > best_key:
            best, best_key = float(threshold), key
    return best


def prevalence_threshold(y_true: np.ndarray, probabilities: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The grid threshold whose (weighted) predicted rate on out-of-fold probabilities is nearest the coded rate.

    An F1-best threshold buys recall with false positives where the code is rare, and what it buys on one
    coder's boundary is lost on another's; the coded rate is a property of the material (ties: nearest 0.5).
    """
    weights = np.ones(len(y_true)) if weights is None else np.asarray(weights, dtype=float)
    total = float(weights.sum())
    if not total:
        return 0.5
    target = float(weights[y_true == 1].sum()) / total
    best, best_key = 0.5, (np.inf, np.inf)
    for threshold in THRESHOLD_GRID:
        rate = float(weights[probabilities >= threshold].sum()) / total
        key = (round(abs(rate - target), 9), abs(threshold - 0.5))
        if key < best_key:
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


def context_features(first: np.ndarray, examples: Sequence[Example], j: int, code: str,
                     neighbours: tuple | None = None) -> np.ndarray:
    """Dense second-stage features of every example for code ``j`` (``first``: stage-1 probabilities;
    ``neighbours``: :func:`neighbour_index` of ``examples`` where the caller has it, the same for every code)."""
    previous, following, turns = neighbour_index(examples) if neighbours is None else neighbours
    n_turns = int(turns.max()) + 1 if len(turns) else 0
    columns = []
    for k in range(first.shape[1]):
        p = first[:, k]
        padded = np.append(p, 0.0)  # index -1 -> 0.0: no neighbour
        p_prev, p_next = padded[previous], padded[following]
        p_prev2 = np.append(p_prev, 0.0)[previous]
        p_next2 = np.append(p_next, 0.0)[following]
        turn_top = np.full(n_turns, 0.0)
        np.maximum.at(turn_top, turns, p)
        turn_sum = np.bincount(turns, weights=p, minlength=n_turns)
        turn_len = np.bincount(turns, minlength=n_turns)
        columns += [p, p_prev, p_next, np.maximum(p_prev2, p_next2), turn_top[turns], (turn_sum / turn_len)[turns]]
    columns.append(np.array([1.0 if code in e.rule_codes else 0.0 for e in examples]))
    columns.append(np.array([1.0 if code in e.turn_rule_codes else 0.0 for e in examples]))
    columns.append(np.array([min(len(e.lemmas), 30) / 30 for e in examples]))  # short answers lean on context
    return np.column_stack(columns)
