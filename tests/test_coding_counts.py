"""Token counts shared by the folds of an evaluation give each fit exactly the TF-IDF it learns alone."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold, cross_val_predict

from pipeline.coding.classifier import TwoStageCoder, make_features
from pipeline.coding.counts import CountedTfidf, TokenCounts
from tests.test_coding_estimator import CODES, corpus


def _same(a, b) -> bool:
    a, b = a.tocsr(), b.tocsr()
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data))


def _texts(n=300, seed=5):
    rng = random.Random(seed)
    words = ["rabatten", "boligrabatt", "flytte", "trygghet", "fellesgjeld", "vedlikehold", "pris", "takst",
             "informasjon", "oppfølging", "ja", "nei", "kanskje", "borettslag", "standard"]
    return [" ".join(rng.choices(words, k=rng.randint(1, 9))) for _ in range(n)]


@pytest.mark.parametrize("kwargs", [
    {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 2, "max_features": 40},  # the limit, with ties
    {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 2, "max_features": 60000},
    {"analyzer": "word", "min_df": 1},
    {"analyzer": "word", "min_df": 3},
])
def test_each_fit_learns_what_tfidfvectorizer_learns_from_its_rows(kwargs):
    texts = _texts()
    counts = TokenCounts()
    for start in (0, 100, 200):  # three "folds" over one shared table, each held-out part counted too
        train = texts[:start] + texts[start + 100:]
        test = texts[start:start + 100]
        plain = TfidfVectorizer(sublinear_tf=True, **kwargs)
        counted = CountedTfidf(TfidfVectorizer(sublinear_tf=True, **kwargs), counts, "block")
        assert _same(plain.fit_transform(train), counted.fit_transform(train))
        assert _same(plain.transform(test), counted.transform(test))
        assert _same(plain.transform(["ukjent ord rabatten"]), counted.transform(["ukjent ord rabatten"]))
        # what the fit kept is the training rows' vocabulary, not the table's (which holds the test rows too)
        assert counted.n_features_ == len(plain.vocabulary_)


def test_a_held_out_text_reaches_no_fit_vocabulary():
    counts = TokenCounts()
    counted = CountedTfidf(TfidfVectorizer(analyzer="word", min_df=1), counts, "block")
    counted.fit_transform(["alpha beta", "beta gamma"])
    held_out = counted.transform(["delta epsilon"])  # counted into the table now, but in no vocabulary
    assert held_out.nnz == 0
    refit = clone(counted).fit_transform(["alpha beta", "beta gamma"])
    assert refit.shape[1] == 3  # the table's new tokens did not enter a later fit on the same rows


def test_without_counts_it_is_the_vectorizer():
    texts = _texts(50)
    counted = CountedTfidf(TfidfVectorizer(sublinear_tf=True, min_df=2))
    assert _same(TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts), counted.fit_transform(texts))


def test_the_coders_features_and_held_out_predictions_are_unchanged():
    X, y = corpus(n_informants=6)
    groups = [e.informant for e in X]
    train, test = X[:48], X[48:]
    counts = TokenCounts()
    plain, shared = make_features(CODES), make_features(CODES, counts=counts)
    assert _same(plain.fit_transform(train), shared.fit_transform(train))
    assert _same(plain.transform(test), shared.transform(test))
    estimator = TwoStageCoder(codes=CODES, rule_codes=CODES)
    alone = cross_val_predict(estimator, X, y, groups=groups, cv=GroupKFold(3), method="predict_proba")
    together = cross_val_predict(clone(estimator).set_params(counts=TokenCounts()), X, y, groups=groups,
                                 cv=GroupKFold(3), method="predict_proba")
    assert np.array_equal(alone, together)
    assert clone(estimator.set_params(counts=counts)).counts is counts  # shared by clones, not copied
