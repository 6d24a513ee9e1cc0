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
from pipeline.coding.vectors import CodeSimilarity, FoldVectors, MeanVectors, ppmi_vectors
from tests.test_coding_estimator import CODES, _codebook_priors, _round_coded_by_turns, _two_rounds, corpus

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
        "TwoStageCoder(vectors learned in fit)": TwoStageCoder(codes=CODES, rule_codes=CODES,
                                                               vectors=FoldVectors("ppmi"), vector_weight=0.5),
        "TwoStageCoder(everything on)": TwoStageCoder(
            codes=CODES, rule_codes=CODES, prior_examples=_codebook_priors(), codebook_weight=1.0,
            redirect_weight=1.0, vectors=VECTORS, vector_weight=0.5, similarity_weight=0.5, lsa_weight=0.0,
            memory_weight=1.0, memory_blocks=("lemmas",), round_features=0.5, round_weight=2.0,
            round_thresholds=True, threshold_unit="turn", threshold_rule="f1", round_calibration=True,
            round_calibration_prior=5.0, round_context=0.5, round_carriers=1, round_spread_weight=0.3,
            solver="liblinear"),
        # The first stage's order-insensitive settings: a fixed budget of epochs, averaged SGD, a bag of orders.
        "TwoStageCoder(first stage: fixed epochs, averaged, bagged)": TwoStageCoder(
            codes=CODES, rule_codes=CODES, sgd_epochs=20, sgd_average=True, sgd_bag=2),
        # A second first-stage family (calibrated naive Bayes) whose scores stage 2 reads beside the linear ones.
        "TwoStageCoder(naive Bayes beside the linear first stage)": TwoStageCoder(codes=CODES, rule_codes=CODES,
                                                                                  nb_alpha=0.1),
        # A round coded by turns (every segment of a turn has its code), so the carriers are chosen in the fit.
        "TwoStageCoder(round carriers)": TwoStageCoder(codes=CODES, rule_codes=CODES, round_carriers=1,
                                                       round_spread_weight=0.3, round_context=0.5),
    }


NAMES = list(estimators())


def _data(name):
    if "carriers" in name:
        return _round_coded_by_turns()
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


def _labelled_with_markers():
    """A Labelled study of 4 informants whose every segment carries a lemma only its informant says."""
    from pathlib import Path

    from pipeline.codebook import load_codebook
    from pipeline.coding.agreement import to_turns
    from pipeline.coding.classifier import Example
    from pipeline.coding.evaluation import Labelled
    from pipeline.coding.machine import AnalysedUnits
    from pipeline.coding.rules import RuleResult
    from pipeline.coding.units import Unit
    from pipeline.records import Segment

    codebook = load_codebook(Path(__file__).resolve().parents[1] / "codebook.yaml")
    X, y = corpus(n_informants=4)
    units, examples, segments, labels = [], [], [], {}
    for n, (e, row) in enumerate(zip(X, y)):
        informant = e.informant
        lemmas = e.lemmas + (f"kjennetegn{informant}",)
        segment = Segment(segment_id=f"s{n}", informant_id=informant, file=f"{informant}.txt", turn_index=e.turn[1],
                          speaker="informant", start=n, end=n + 1, text=" ".join(lemmas))
        segments.append(segment)
        units.append(Unit(segment=segment))
        examples.append(Example(text=" ".join(lemmas), lemmas=lemmas, question_lemmas=e.question_lemmas,
                                turn_lemmas=lemmas, turn=(segment.file, segment.turn_index), position=n,
                                informant=informant))
        labels[segment.segment_id] = frozenset(code for code, on in zip(("stability", "discount"), row) if on)
    rules = [RuleResult(codes=frozenset(), hits=()) for _ in units]
    return Labelled(name="forsker1", codebook=codebook, analysed=AnalysedUnits(units=units, rules=rules,
                    examples=examples), segments=segments, labels=labels, truth_turns=to_turns(labels, segments),
                    segment_level=True)


def test_no_held_out_informants_text_reaches_the_vectors_of_a_cross_validated_figure(tmp_path, monkeypatch):
    """Leave-one-informant-out with vector features: every fit learns its vectors from its training rows only."""
    from types import SimpleNamespace

    import pipeline.coding.vectors as vectors_module
    from pipeline.coding.evaluation import evaluate_labelled
    from pipeline.settings import CodingModelSettings, CodingSettings

    seen: list[set[str]] = []

    def recording(sentences, cache_dir, seed=2019, treebank=None):
        sentences = [tuple(s) for s in sentences]
        seen.append({lemma[len("kjennetegn"):] for s in sentences for lemma in s if lemma.startswith("kjennetegn")})
        return ppmi_vectors(sentences, dimensions=4, window=3, seed=seed)

    monkeypatch.setattr(vectors_module, "lemma_vectors", recording)
    monkeypatch.setattr(vectors_module, "treebank_path", lambda root=None: None)
    data = _labelled_with_markers()
    study = SimpleNamespace(settings=SimpleNamespace(coding=CodingSettings(
        min_examples_per_code=2, model=CodingModelSettings(vector_weight=1.0, nb_alpha=0.0))), private_dir=tmp_path,
        root=tmp_path, human_dir=tmp_path)
    result = evaluate_labelled(study, data, nlp=None)
    assert result.n_informants == 4
    informants = set(data.informants())
    assert len(seen) == 4  # one fit per held-out informant, each with vectors of its own
    assert sorted(len(found) for found in seen) == [3, 3, 3, 3]
    assert {frozenset(informants - found) for found in seen} == {frozenset({i}) for i in informants}
