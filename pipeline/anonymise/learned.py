"""A learned second opinion: a per-token classifier over the signals the other recognizers use.

The hand-written recognizers list the forms their writers saw. This one is trained on the
readable gold sets (tools/train_identifier_model.py) to say, per token, "part of an identifier
of type T / not", from signals that do not name the token itself, so it cannot memorise the
gold sets' names:

* shape: capitals, digits, length, a two- or three-letter suffix; position (turn start,
  sentence start, after a comma); how much of the turn is capitalised (a caseless transcript);
* which explanation class makes the word no name (``unexplained.explanation``: dictionary,
  dialect, compound, English ...), lexicon and gazetteer membership (first name, surname,
  place, frequent word);
* the parse: the model's entity label and part of speech, those of the neighbours;
* the context words one and two to each side, lower-cased, when they are Norwegian words
  (others become their shape: a neighbouring name is "<Cap>", never its spelling);
* what the other recognizers found on the neighbouring tokens (the token's own detection is
  left out, so the model learns an independent opinion rather than to repeat theirs).

:class:`IdentifierTokenModel` is a scikit-learn estimator (multinomial logistic regression over
a ``DictVectorizer``); its weights ship as ``data/identifier_model.json`` (plain numbers, read
offline). :class:`LearnedIdentifierRecognizer` (registry name ``learned``) runs after every
other recognizer and adds the runs of tokens nobody else detected whose identifier probability
reaches ``threshold``, at a score between the study's ``min_score`` and ``review_below``: each
is replaced and listed on the review sheet (``always_review``, whatever the study's
``review_below``). A study's keep terms and the strings of any recognizer's allow list are never
reported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.attrs import ENT_TYPE, IDX, ORTH, POS, SENT_START
from spacy.lang.nb.stop_words import STOP_WORDS
from spacy.parts_of_speech import NAMES as POS_NAMES

from .detection import MIN_SCORE, TYPES, Detection, Recognizer
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_ordinary, is_word
from .matcher import KeepTerms, StringMatcher
from .unexplained import explanation

MODEL_FILE = "identifier_model.json"
OUTSIDE = "O"
# Chosen by the leave-one-set-out evaluation (docs/anonymisation.md): the lowest threshold that
# keeps precision >= 0.85 and kept terms >= 0.90 on every held-out gold set.
THRESHOLD = 0.5
# Scores of what it adds under the default settings (min_score 0.5, review_below 0.75): replaced
# (LOW_SCORE to HIGH_SCORE, under review_below), or under min_score: on the review sheet only
# (REVIEW_ONLY, see pick_spans). A study's own settings move them (``span_scores``).
LOW_SCORE, HIGH_SCORE = 0.5, 0.7
REVIEW_ONLY = 0.45
_SEPARATORS = frozenset(" -")


# ----------------------------------------------------------------------------- features


@lru_cache(maxsize=65536)
def _word_class(low: str) -> tuple:
    """The lexicon signals of one lower-case word (cached: a study repeats its words)."""
    g = load_gazetteer()
    why = explanation(low, g)
    return (why or "none", is_word(low), is_ordinary(low), g.is_common_word(low), g.is_first(low),
            g.is_last(low), g.is_place(low), low in STOP_WORDS)


@lru_cache(maxsize=65536)
def _shape(word: str) -> str:
    if any(c.isdigit() for c in word):
        return "<num>" if word.isdigit() else "<mixnum>"
    if not any(c.isalpha() for c in word):
        return word[:1] or "<sp>"
    if word.isupper() and len(word) > 1:
        return "<UP>"
    if word[:1].isupper():
        return "<Cap>"
    return "<low>"


@lru_cache(maxsize=65536)
def _context_form(word: str) -> str:
    """A neighbour as a context feature: the word itself only when it is a stop word, or a
    Norwegian word that no name or place list holds, else its shape. The weights are trained on
    gold sets and shipped: a feature spelled like a name ("p1=frode" in a caseless transcript,
    where a name is lower case and may pass as a word) would carry that name into the package.
    A lower-case word counts as a word only when the dictionaries list it whole: a compound made
    up of two listed words is how street, farm and firm names are built ("kvednevegen"), and no
    list holds those."""
    low = word.lower()
    if not word.isalpha():
        return _shape(word)
    if low in STOP_WORDS:
        return low
    g = load_gazetteer()
    if g.is_first(low) or g.is_last(low) or g.is_place(low):
        return _shape(word)
    if g.is_common_word(low) or (not word[:1].isupper() and in_dictionary(low)):
        return low
    return _shape(word)


def _length(n: int) -> str:
    return "1" if n == 1 else "2" if n == 2 else "3" if n == 3 else "4-5" if n <= 5 else "6-8" if n <= 8 else "9+"


# The features of a token come in groups, each a function of a few values only: its own word and
# parse, each neighbour, what was detected around it. token_features joins the groups into the
# dict the model is trained on; TokenScorer caches each group's weight sum by those values, so a
# study's repeated words and neighbours cost one dictionary look-up each (the model is linear
# over 0/1 features: a token's score is the intercept plus the sum of its groups' sums).


def _own_features(word: str, low: str, alpha: bool, pos: str, ent: str, sent_start: bool, caseless: str,
                  turn_start: bool) -> list[str]:
    """What depends on the token alone: its word, its parse (``ent``: the entity label or "O"),
    its position and the transcript's casing."""
    shape = _shape(word)
    names = ["shape=" + shape, "len=" + _length(len(word)), "case=" + caseless, "pos=" + pos, "ent=" + ent,
             "shape_pos=" + shape + pos, "shape_ent=" + shape + ent, "shape_start=" + shape + str(sent_start),
             "shape_case=" + shape + caseless]
    if turn_start:
        names.append("turn_start")
    if sent_start:
        names.append("sent_start")
    if alpha:
        # Only of longer words: a short word's suffix would be the word itself ("suf3=eva").
        if len(low) > 4:
            names += ("suf2=" + low[-2:], "suf3=" + low[-3:])
        why, word_, ordinary, common, first, last, place, stop = _word_class(low)
        names += ("why=" + why, "why_shape=" + why + shape, "why_start=" + why + str(sent_start))
        for name, on in (("is_word", word_), ("ordinary", ordinary), ("common", common), ("first", first),
                         ("last", last), ("place", place), ("stop", stop)):
            if on:
                names += (name, name + "_shape=" + shape)
        if (first or last or place) and not (ordinary or common):
            names.append("name_only=" + shape)
    elif any(c.isdigit() for c in word):
        names.append("digits=" + _length(sum(c.isdigit() for c in word)))
    return names


def _near_features(tag: str, other: str | None, pos: str, ent: str, detected: str | None, shape: str) -> list[str]:
    """The next neighbour's (``tag`` "p1"/"n1"; ``other`` None at the turn's edge): its context
    form, parse, shape beside the token's ``shape``, and what another recognizer found there."""
    if other is None:
        return [tag + "=<edge>"]
    names = [tag + "=" + _context_form(other), tag + "pos=" + pos, tag + "ent=" + ent,
             tag + "shape=" + _shape(other) + "|" + shape]
    if detected:
        names.append(tag + "det=" + detected)
    return names


def _far_features(tag: str, other: str | None) -> list[str]:
    """The neighbour two away (``tag`` "p2"/"n2")."""
    return [tag + "=" + (_context_form(other) if other is not None else "<edge>")]


def _pair_features(prev2: str | None, prev1: str | None) -> list[str]:
    """The two words before, together."""
    if prev1 is None or prev2 is None:
        return []
    return ["p21=" + _context_form(prev2) + "_" + _context_form(prev1)]


def _detection_features(weak: str | None, elsewhere: bool) -> list[str]:
    """What the other recognizers said of the token itself: a detection under the score that
    replaces (``weak``: its type), or its form replaced elsewhere in the turn but not here."""
    return (["weak=" + weak] if weak else []) + (["form_detected_elsewhere"] if elsewhere else [])


# What _Turn reads of each token (IDX: its character offset; SENT_START 1 where ``Token.is_sent_start``
# is True).
_TOKEN_COLUMNS = [ORTH, POS, ENT_TYPE, IDX, SENT_START]


class _Lexemes(dict):
    """A vocabulary's lexeme attributes by orth hash, as ``Token`` gives them: (text, ``lower_``,
    ``is_alpha``, ``is_punct``, ``is_space``), and whether the text holds a letter or digit (what
    makes it a word token, ``_Turn``); each distinct word looked up once. Emptied when it holds
    ``limit`` words, which bounds its memory on a long study (the values do not depend on it)."""

    def __init__(self, vocab, limit: int = 1 << 18):
        super().__init__()
        self.vocab, self.limit = vocab, limit

    def of(self, orth: int) -> tuple:
        if len(self) >= self.limit:
            self.clear()
        lex = self.vocab[orth]
        word = lex.orth_
        found = self[orth] = (word, lex.lower_, lex.is_alpha, lex.is_punct, lex.is_space,
                              any(c.isalnum() for c in word))
        return found


_LEXEMES: dict[int, _Lexemes] = {}


def _lexemes(vocab) -> _Lexemes:
    """The ``_Lexemes`` of ``vocab`` (kept for the few vocabularies a process loads)."""
    found = _LEXEMES.get(id(vocab))
    if found is None or found.vocab is not vocab:
        if len(_LEXEMES) >= 8:
            _LEXEMES.clear()
        found = _LEXEMES[id(vocab)] = _Lexemes(vocab)
    return found


class _Turn:
    """One turn's tokens as the feature groups read them (each spaCy attribute read once)."""

    def __init__(self, text: str, doc, found, min_score: float):
        # The token attributes as columns (``Token`` gives the same values: the lexeme's are read
        # once per distinct word, ``_lexemes``), without a spaCy ``Token`` object per token.
        lexeme = _lexemes(doc.vocab)
        names = doc.vocab.strings
        toks = []  # (lexeme attributes, idx, sentence start) of each token that is no space
        self.pos, self.ents = [], []
        for orth, pos, ent, idx, sent in doc.to_array(_TOKEN_COLUMNS).tolist():
            lex = lexeme.get(orth)
            if lex is None:
                lex = lexeme.of(orth)
            if lex[4]:
                continue
            toks.append((lex, idx, sent == 1))
            self.pos.append(POS_NAMES[pos])
            self.ents.append(names[ent] if ent else OUTSIDE)
        self.text = text
        self.words = [t[0][0] for t in toks]
        alpha = [t[0][2] for t in toks]
        capitals = sum(w[:1].isupper() for w, a in zip(self.words, alpha) if a)
        letters = sum(alpha)
        capital_share = capitals / letters if letters else 0.0
        self.caseless = "caseless" if capital_share < 0.04 else "fewcaps" if capital_share < 0.1 else "cased"
        strong = [(d.start, d.end, d.type) for d in found if d.replaced_at(min_score)]
        weak = [(d.start, d.end, d.type) for d in found if not d.replaced_at(min_score)]
        detected_forms = {d.text.lower() for d in found if d.replaced_at(min_score)}

        def hit(spans, start, end):
            for s, e, kind in spans:
                if s < end and start < e:
                    return kind
            return None

        starts = [t[1] for t in toks]
        self.detected = ([hit(strong, s, s + len(w)) for s, w in zip(starts, self.words)] if strong
                         else [None] * len(toks))
        # (index, start, end, own-group arguments, weak detection, form detected elsewhere) per word token
        self.tokens = []
        for i, ((word, low, _alpha, punct, _space, has_alnum), start, sent) in enumerate(toks):
            if punct or not has_alnum:
                continue
            end = start + len(word)
            if text[start:end] != word:
                continue
            sent_start = i == 0 or sent or (i > 0 and self.words[i - 1] in ".!?:")
            own = (word, low, alpha[i], self.pos[i], self.ents[i], bool(sent_start), self.caseless, i == 0)
            weak_kind = hit(weak, start, end) if weak else None
            elsewhere = low in detected_forms and self.detected[i] is None
            self.tokens.append((i, start, end, own, weak_kind, elsewhere))

    def _sides(self, k: int):
        """Token ``k``'s own-group arguments and those of each side: (word, part of speech,
        entity, detection) of the next neighbour, the word two away (None past the edge)."""
        i, _start, _end, own, weak_kind, elsewhere = self.tokens[k]
        words, n = self.words, len(self.words)
        shape = _shape(own[0])
        left = ((words[i - 1], self.pos[i - 1], self.ents[i - 1], self.detected[i - 1]) if i > 0 else (None, "", "", None),
                words[i - 2] if i > 1 else None, shape)
        right = ((words[i + 1], self.pos[i + 1], self.ents[i + 1], self.detected[i + 1]) if i + 1 < n else
                 (None, "", "", None), words[i + 2] if i + 2 < n else None, shape)
        return own, left, right, (weak_kind, elsewhere)

    def features(self, k: int) -> dict:
        """Token ``k``'s feature dict, the groups' features in their order."""
        own, (near_l, far_l, shape), (near_r, far_r, _shape_r), detection = self._sides(k)
        names = (_own_features(*own) + _near_features("p1", *near_l, shape) + _far_features("p2", far_l)
                 + _near_features("n1", *near_r, shape) + _far_features("n2", far_r)
                 + _pair_features(far_l, near_l[0]) + _detection_features(*detection))
        return dict.fromkeys(names, 1)

    def group_keys(self) -> list[tuple]:
        """``groups(k)`` of every word token in order, flattened (one pass; the same tuples)."""
        words, pos, ents, detected = self.words, self.pos, self.ents, self.detected
        n = len(words)
        edge = (None, "", "", None)
        keys = []
        for i, _start, _end, own, weak_kind, elsewhere in self.tokens:
            shape = _shape(own[0])
            keys += ((_own_features, own),
                     (_left_features, ((words[i - 1], pos[i - 1], ents[i - 1], detected[i - 1]) if i > 0 else edge,
                                       words[i - 2] if i > 1 else None, shape)),
                     (_right_features, ((words[i + 1], pos[i + 1], ents[i + 1], detected[i + 1]) if i + 1 < n else edge,
                                        words[i + 2] if i + 2 < n else None, shape)),
                     (_detection_features, (weak_kind, elsewhere)))
        return keys

    def groups(self, k: int) -> tuple:
        """Token ``k``'s features as four groups (function, arguments), each a function of a few
        values only (TokenScorer caches their weight sums by them): its own, the two words
        before, the two after, what was detected on it."""
        own, left, right, detection = self._sides(k)
        return ((_own_features, own), (_left_features, left), (_right_features, right),
                (_detection_features, detection))


def _left_features(near: tuple, far: str | None, shape: str) -> list[str]:
    return _near_features("p1", *near, shape) + _far_features("p2", far) + _pair_features(far, near[0])


def _right_features(near: tuple, far: str | None, shape: str) -> list[str]:
    return _near_features("n1", *near, shape) + _far_features("n2", far)


def token_features(text: str, doc, found: list[Detection] = (), min_score: float = MIN_SCORE) -> list[tuple[int, int, dict]]:
    """(start, end, features) for each word token of ``doc`` (the parse of ``text``): the
    reference definition the model is trained on (tools/train_identifier_model.py)."""
    if doc is None:
        return []
    turn = _Turn(text, doc, found, min_score)
    return [(start, end, turn.features(k)) for k, (_i, start, end, *_x) in enumerate(turn.tokens)]


# ----------------------------------------------------------------------------- the estimator


class IdentifierTokenModel(ClassifierMixin, BaseEstimator):
    """Per-token identifier type (or ``"O"``) from a feature dict; scikit-learn conventions.

    ``C``: inverse regularisation; ``min_count``: features seen fewer times in training are
    dropped (they would be one set's quirks); ``class_weight``: passed to the regression."""

    def __init__(self, C: float = 0.3, min_count: int = 3, class_weight=None, max_iter: int = 300):
        self.C = C
        self.min_count = min_count
        self.class_weight = class_weight
        self.max_iter = max_iter

    def fit(self, X: list[dict], y):
        counts: dict[str, int] = {}
        for row in X:
            for name in row:
                counts[name] = counts.get(name, 0) + 1
        kept = sorted(n for n, c in counts.items() if c >= self.min_count)
        self.vectorizer_ = DictVectorizer(dtype=np.float32).fit([{n: 1 for n in kept}])
        matrix = self.vectorizer_.transform(X)
        regression = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight)
        regression.fit(matrix, np.asarray(y))
        self.classes_ = regression.classes_
        coef = regression.coef_
        intercept = regression.intercept_
        if len(self.classes_) == 2:  # binary: one row for the second class
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self.coef_ = coef.astype(np.float64)
        self.intercept_ = intercept.astype(np.float64)
        self.__dict__.pop("_by_feature", None)  # decision_function's copy of the old weights
        self.__dict__.pop("_scorer", None)  # TokenScorer's sums of the old weights
        return self

    def _index(self) -> dict[str, int]:
        return self.vectorizer_.vocabulary_

    def decision_function(self, X: list[dict]) -> np.ndarray:
        # Every feature is 0/1: the sum of the weights of the features present (the same as
        # coef_ @ DictVectorizer.transform(X), without building a sparse matrix per turn).
        index = self._index()
        cols: list[int] = []
        ptr = [0]
        for row in X:
            cols.extend([index[n] for n in row if n in index])
            ptr.append(len(cols))
        scores = np.zeros((len(X), len(self.classes_)))
        starts = np.array(ptr[:-1])
        filled = np.flatnonzero(np.diff(ptr) > 0)
        if len(filled):
            by_feature = self.__dict__.get("_by_feature")
            if by_feature is None or by_feature.shape[0] != self.coef_.shape[1]:
                by_feature = self.__dict__["_by_feature"] = np.ascontiguousarray(self.coef_.T)
            scores[filled] = np.add.reduceat(by_feature[cols], starts[filled], axis=0)
        return scores + self.intercept_

    def predict_proba(self, X: list[dict]) -> np.ndarray:
        return self.proba_from_scores(self.decision_function(X))

    @staticmethod
    def proba_from_scores(scores: np.ndarray) -> np.ndarray:
        """The class probabilities of ``decision_function`` scores (a softmax)."""
        scores = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: list[dict]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def identifier_proba(self, X: list[dict]) -> np.ndarray:
        """P(the token is part of any identifier) = 1 - P("O")."""
        proba = self.predict_proba(X)
        outside = list(self.classes_).index(OUTSIDE)
        return 1.0 - proba[:, outside]

    # The shipped form: plain numbers (no pickle), rounded, features without weight left out.
    def to_json(self) -> str:
        names = self.vectorizer_.get_feature_names_out()
        keep = [j for j in range(len(names)) if np.abs(self.coef_[:, j]).max() >= 0.01]
        return json.dumps({"params": self.get_params(), "classes": [str(c) for c in self.classes_],
                           "intercept": [round(float(v), 4) for v in self.intercept_],
                           "features": {str(names[j]): [round(float(v), 3) for v in self.coef_[:, j]] for j in keep}},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "IdentifierTokenModel":
        data = json.loads(text)
        model = cls(**data["params"])
        names = sorted(data["features"])
        model.vectorizer_ = DictVectorizer(dtype=np.float32).fit([{n: 1 for n in names}])
        model.classes_ = np.array(data["classes"])
        model.intercept_ = np.array(data["intercept"], dtype=np.float64)
        model.coef_ = np.array([data["features"][n] for n in names], dtype=np.float64).T.reshape(
            len(model.classes_), len(names))
        return model


@lru_cache(maxsize=1)
def shipped_model() -> IdentifierTokenModel:
    """The model trained on every readable gold set (data/identifier_model.json)."""
    return IdentifierTokenModel.from_json(
        resources.files("pipeline.anonymise").joinpath("data", MODEL_FILE).read_text(encoding="utf-8"))


def model_digest() -> str:
    import hashlib

    return hashlib.sha256(resources.files("pipeline.anonymise").joinpath("data", MODEL_FILE).read_bytes()).hexdigest()[:16]


class TokenScorer:
    """A model's scores of a turn's word tokens from cached weight sums of feature groups.

    Equal to ``model.decision_function`` of ``token_features`` (up to the order of the additions;
    tests/test_anonymise_learned.py checks 1e-9 on real transcripts) without building ~30 strings
    per token: each group's sum is kept by its arguments (``_Turn.groups``), so a word seen before
    in the same parse costs a look-up. The cache is emptied when it holds ``limit`` sums, which
    bounds its memory on a long study; scores do not depend on what it holds."""

    def __init__(self, model: IdentifierTokenModel, limit: int = 1 << 17):
        self.coef = model.coef_
        self.intercept = model.intercept_
        self.limit = limit
        self._index = model.vectorizer_.vocabulary_
        self._by_feature = np.ascontiguousarray(model.coef_.T)
        self._empty()

    def _empty(self) -> None:
        self._rows: dict = {}
        self._table = np.zeros((4096, self.coef.shape[0]))  # row 0: a group with no weighted feature
        self._used = 1

    def _row(self, function, args) -> int:
        key = (function, args)
        row = self._rows.get(key)
        if row is None:
            cols = [self._index[n] for n in function(*args) if n in self._index]
            row = 0
            if cols:
                if self._used == len(self._table):
                    self._table = np.vstack([self._table, np.zeros_like(self._table)])
                row = self._used
                self._table[row] = self._by_feature[cols].sum(axis=0)
                self._used += 1
            self._rows[key] = row
        return row

    def scores(self, turn: "_Turn") -> np.ndarray:
        """(tokens × classes) decision scores of ``turn``'s word tokens."""
        if self._used > self.limit:
            self._empty()
        keys = turn.group_keys()
        # The look-ups at C speed (``map``); only a group not seen before is summed (``_row``).
        rows = list(map(self._rows.get, keys))
        if None in rows:
            row_of = self._row
            rows = [row_of(*key) if row is None else row for key, row in zip(keys, rows)]
        return self._table[rows].reshape(len(turn.tokens), 4, -1).sum(axis=1) + self.intercept


def _scorer(model: IdentifierTokenModel) -> TokenScorer:
    """The model's TokenScorer, made once (again when its weights change)."""
    scorer = model.__dict__.get("_scorer")
    if scorer is None or scorer.coef is not model.coef_:
        scorer = model.__dict__["_scorer"] = TokenScorer(model)
    return scorer


class _LazyFeatures(Mapping):
    """A token's feature dict, built only when read (pick_spans reads those of the few tokens
    over the threshold)."""

    __slots__ = ("_turn", "_k", "_dict")

    def __init__(self, turn: "_Turn", k: int):
        self._turn, self._k, self._dict = turn, k, None

    def _features(self) -> dict:
        if self._dict is None:
            self._dict = self._turn.features(self._k)
        return self._dict

    def __getitem__(self, name):
        return self._features()[name]

    def __contains__(self, name) -> bool:
        return name in self._features()

    def __iter__(self):
        return iter(self._features())

    def __len__(self) -> int:
        return len(self._features())


def scored_tokens(text: str, doc, found: list[Detection], model: IdentifierTokenModel,
                  min_score: float = MIN_SCORE) -> tuple[list[tuple[int, int, Mapping]], np.ndarray]:
    """The rows of ``token_features`` (their feature dicts built when read) and the model's
    ``predict_proba`` of them, computed by :class:`TokenScorer`."""
    if doc is None:
        return [], np.zeros((0, len(model.classes_)))
    turn = _Turn(text, doc, found, min_score)
    if not turn.tokens:
        return [], np.zeros((0, len(model.classes_)))
    rows = [(start, end, _LazyFeatures(turn, k)) for k, (_i, start, end, *_x) in enumerate(turn.tokens)]
    return rows, model.proba_from_scores(_scorer(model).scores(turn))


# ----------------------------------------------------------------------------- the recognizer


def span_scores(min_score: float, review_below: float) -> tuple[float, float, float]:
    """(lowest, highest, review-only) score of what the recognizer adds under a study's settings:
    what it replaces scores from ``min_score`` up to 0.05 under ``review_below`` (never above
    ``min_score`` less than that: a study whose review_below is at or under min_score still has
    them replaced); a review-only span 0.05 under ``min_score``. Every replacement is listed for
    review whatever its score (``always_review``)."""
    low = min_score
    high = max(low, round(review_below - 0.05, 3))
    return low, high, max(0.0, round(min_score - 0.05, 3))


class LearnedIdentifierRecognizer(Recognizer):
    """Adds what the learned token model finds and no other recognizer did (module docstring).

    ``keep_terms`` and ``allow`` (every recognizer's allow list in study.yaml): spans it never adds
    to; ``min_score``, ``review_below``: the study's, which its scores follow (``span_scores``)."""

    name = "learned"
    version = "3"
    supported_entities = tuple(t for t in TYPES)
    needs_doc = True
    reads_detections = True
    # A second opinion on weak evidence: a person confirms each replacement.
    always_review = True
    # On: on gold sets the rules had not seen it adds direct recall (docs/anonymisation.md,
    # "The learned recognizer"); ``learned: {enabled: false}`` in study.yaml switches it off.
    enabled_by_default = True

    def __init__(self, gazetteer: Gazetteer | None = None, keep_terms=(), threshold: float = THRESHOLD,
                 model: IdentifierTokenModel | None = None, allow=(), min_score: float = MIN_SCORE,
                 review_below: float = 0.75):
        self.g = gazetteer or load_gazetteer()
        self.keep_terms = sorted(keep_terms)
        self.threshold = threshold
        self.model = model
        self.allow = sorted(allow)
        self.min_score = min_score
        self.review_below = review_below
        self._keep = KeepTerms(self.keep_terms, self.g)
        # An allow list is a recognizer's, by its words in any case (registry.set_allow).
        self._allow = StringMatcher([(k, "ALLOW") for k in self.allow], self.g, strict_common=False,
                                    digit_types=set())

    def params(self):
        return {"threshold": self.threshold, "keep_terms": self.keep_terms, "allow": self.allow,
                "min_score": self.min_score, "review_below": self.review_below,
                "model": model_digest() if self.model is None else "given"}

    def _model(self) -> IdentifierTokenModel:
        return self.model if self.model is not None else shipped_model()

    def taken(self, text: str, found: list[Detection]) -> list[tuple[int, int]]:
        """What it must not add to: the spans the other recognizers replace, the keep terms and
        the allowed strings."""
        spans = [(d.start, d.end) for d in found if d.replaced_at(self.min_score)]
        return (spans + self._keep.spans(text)
                + ([(m.start, m.end) for m in self._allow.find(text)] if len(self._allow) else []))

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        model = self._model()
        rows, proba = scored_tokens(text, doc, found, model, self.min_score)
        if not rows:
            return []
        return [self._d(text, s, e, kind, score)
                for s, e, kind, score in pick_spans(text, rows, proba, list(model.classes_),
                                                    self.taken(text, found), self.threshold,
                                                    span_scores(self.min_score, self.review_below))]


def _word_kind(text: str, start: int, end: int, features: dict) -> str:
    """"number" (a digit, or no letter: numbers are the normalising rules' job, numbers.py);
    "ordinary" (a lexicon word in lower case in a transcript that writes capitals; a word the
    lexicon explains, where a capital says nothing: at a sentence start, after a bracket or an
    ellipsis, in capitals: "Jo, ...", "[latter] Hunden kostet", "TV"); else "name"."""
    word = text[start:end]
    if any(c.isdigit() for c in word) or not any(c.isalpha() for c in word):
        return "number"
    if word[:1].islower() and "case=cased" in features and "is_word" in features:
        # In a transcript that writes capitals, a lower-case word of the lexicon is that word
        # ("vi kjører ruta"), whatever a name list says (issue 10: never replaced on a list alone).
        return "ordinary"
    if not ("why=dictionary" in features or "why=plain" in features):
        return "name"
    before = text[:start].rstrip()[-1:]
    opening = "sent_start" in features or before == "" or not (before.isalnum() or before in ",;")
    return "ordinary" if opening or (word.isupper() and len(word) > 1) else "name"


def pick_spans(text: str, rows: list[tuple[int, int, dict]], proba: np.ndarray, classes: list[str],
               taken: list[tuple[int, int]], threshold: float,
               scores: tuple[float, float, float] = (LOW_SCORE, HIGH_SCORE, REVIEW_ONLY)) -> list[tuple[int, int, str, float]]:
    """(start, end, type, score) for each run of tokens (joined by a space or hyphen) whose
    identifier probability reaches ``threshold`` and that overlaps nothing in ``taken`` (what
    the other recognizers replace, the keep terms). Its type is the most probable identifier
    type summed over the run; its score rises from the lowest of ``scores`` (lowest, highest,
    review-only: ``span_scores``) at the threshold to the highest.

    A token with a digit is never added: numbers are classified by the normalising rules
    (numbers.py, number_form), and a year or an amount taken here would enter the key and be
    replaced study-wide ("i 2007. Saupstadringen 3" made 2007 an address). A run of
    ordinary words only where a capital says nothing (``_word_kind``) is listed for review, not
    replaced (the review-only score): a replaced word spreads through the key. Inside a sentence an ordinary
    word the model takes for a name is replaced ("ungene storm og liv"): names that are also
    words are the class the rules miss most on new material."""
    low, high, review_only = scores
    outside = classes.index(OUTSIDE)
    picked = []
    for (start, end, features), p in zip(rows, proba):
        ident = 1.0 - p[outside]
        if ident < threshold or any(s < end and start < e for s, e in taken):
            continue
        kind = _word_kind(text, start, end, features)
        if kind == "number":
            continue
        picked.append((start, end, ident, p, kind))
    out = []
    run: list = []
    for item in picked + [None]:
        if run and item is not None and set(text[run[-1][1]:item[0]]) <= _SEPARATORS and item[0] - run[-1][1] <= 1:
            run.append(item)
            continue
        if run:
            total = sum(p for _s, _e, _i, p, _k in run).copy()
            total[outside] = -1.0
            kind = classes[int(np.argmax(total))]
            if kind in TYPES:
                ident = min(i for _s, _e, i, _p, _k in run)
                score = low + (high - low) * (ident - threshold) / max(1e-9, 1.0 - threshold)
                if all(k == "ordinary" for *_x, k in run):
                    score = review_only
                out.append((run[0][0], run[-1][1], str(kind), float(min(high, score))))
        run = [item] if item is not None else []
    return out
