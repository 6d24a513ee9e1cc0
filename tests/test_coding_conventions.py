"""Every estimator and transformer of the coder follows scikit-learn's conventions.

The full ``check_estimator`` feeds numeric arrays, and these read :class:`Example` rows, so the checks
that do not need data run as they are (nothing set in ``__init__`` beyond the parameters, defaults of
allowed types) and the rest are written here on text examples: parameters stored unchanged,
``get_params``/``set_params``/``clone`` round-trip, ``fit`` returns ``self``, changes no parameter and
sets only attributes ending in ``_``, and a clone of a fitted estimator carries none of them.
"""

from __future__ import annotations

import copy

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_no_attributes_set_in_init, check_parameters_default_constructible

from pipeline.coding.classifier import CodebookMatch, ExampleField, RuleHits, TwoStageCoder
from pipeline.coding.vectors import CodeSimilarity, MeanVectors, ppmi_vectors
from tests.test_coding_estimator import CODES, _codebook_priors, _two_rounds, corpus

VECTORS = ppmi_vectors([e.lemmas for e in corpus()[0]], dimensions=4, window=3, seed=7)
SENTENCES = (("a", (("flytte", "trygg"),), (("pris",),)), ("b", (("rabatt", "takst"),), ()))


def _hashes(params: dict) -> dict:
    """Each parameter's hash on its own; equal examples hash alike however their parts are shared."""
    return {key: joblib.hash(repr(value) if key == "prior_examples" else value) for key, value in params.items()}


def estimators():
    return {
        "ExampleField": ExampleField("lemmas"),
        "ExampleField(text)": ExampleField("text"),
        "RuleHits": RuleHits(CODES, "turn_rule_codes"),
        "CodebookMatch": CodebookMatch(SENTENCES, "turn_lemmas"),
        "MeanVectors": MeanVectors(VECTORS, "question_lemmas"),
        "CodeSimilarity": CodeSimilarity(VECTORS, "lemmas", tuple((c, inc) for c, inc, _ in SENTENCES)),
        "TwoStageCoder": TwoStageCoder(codes=CODES, rule_codes=CODES),
        "TwoStageCoder(everything on)": TwoStageCoder(
            codes=CODES, rule_codes=CODES, prior_examples=_codebook_priors(), codebook_weight=1.0,
            redirect_weight=1.0, vectors=VECTORS, vector_weight=0.5, similarity_weight=0.5, lsa_weight=0.0,
            memory_weight=1.0, memory_blocks=("lemmas",), round_features=0.5, round_weight=2.0,
            round_thresholds=True, threshold_unit="turn", threshold_rule="f1", solver="liblinear"),
    }


NAMES = list(estimators())


def _data(name):
    return _two_rounds() if "everything" in name else corpus(n_informants=4)


@pytest.mark.parametrize("name", NAMES)
def test_sklearn_checks_that_need_no_numeric_data(name):
    estimator = estimators()[name]
    check_no_attributes_set_in_init(name, estimator)
    check_parameters_default_constructible(name, estimator)


@pytest.mark.parametrize("name", NAMES)
def test_params_round_trip_through_get_set_params_and_clone(name):
    estimator = estimators()[name]
    params = estimator.get_params(deep=False)
    assert set(params) == set(type(estimator)().get_params(deep=False))  # every parameter is an __init__ argument
    twin = clone(estimator)  # raises if __init__ changes a parameter it is given
    assert type(twin) is type(estimator)
    assert _hashes(twin.get_params(deep=False)) == _hashes(params)
    again = type(estimator)().set_params(**params)
    assert _hashes(again.get_params(deep=False)) == _hashes(params)


@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_keeps_params_and_learns_only_underscored_state(name):
    estimator = estimators()[name]
    X, y = _data(name)
    before_params = _hashes(estimator.get_params(deep=False))
    before = set(vars(estimator))
    frozen = copy.deepcopy(vars(estimator))
    assert estimator.fit(X, y) is estimator
    assert _hashes(estimator.get_params(deep=False)) == before_params  # fit changes no parameter
    for key, value in frozen.items():
        assert joblib.hash(getattr(estimator, key)) == joblib.hash(value), key
    added = set(vars(estimator)) - before
    assert all(k.endswith("_") for k in added if not k.startswith("_")), added
    out = estimator.predict_proba(X) if hasattr(estimator, "predict_proba") else estimator.transform(X)
    assert np.shape(out)[0] == len(X) if not hasattr(out, "shape") else out.shape[0] == len(X)
    fresh = clone(estimator)
    assert not [k for k in vars(fresh) if k.endswith("_") and not k.startswith("_")]
    if added:  # a clone of a fitted estimator is unfitted again and fits to the same result
        refit = fresh.fit(X, y)
        again = refit.predict_proba(X) if hasattr(refit, "predict_proba") else refit.transform(X)
        np.testing.assert_array_equal(np.asarray(again.todense() if hasattr(again, "todense") else again, dtype=float),
                                      np.asarray(out.todense() if hasattr(out, "todense") else out, dtype=float))
