"""TwoStageCoder is a real scikit-learn estimator: params, clone, Pipeline, GridSearchCV, grouped CV."""

from __future__ import annotations

import functools
import random
from dataclasses import replace

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_predict, cross_validate
from sklearn.pipeline import Pipeline

from pipeline.coding.classifier import Example, TwoStageCoder, make_features
from pipeline.settings import CodingModelSettings

CODES = ("a", "b")
WORDS = {"a": ["flytte", "trygg", "bli", "hjem"], "b": ["pris", "rabatt", "billig", "takst"],
         "": ["vær", "fotball", "mat", "tur"]}


def corpus(n_informants: int = 6, turns: int = 6, seed: int = 3):
    """Examples whose lemmas reveal the code, two sentences a turn, a question before each turn."""
    rng = random.Random(seed)
    examples, labels = [], []
    position = 0
    for informant in range(n_informants):
        for turn in range(turns):
            topic = ["a", "b", ""][turn % 3]
            question = tuple(rng.sample(WORDS[topic], 1))
            for sentence in range(2):
                lemmas = tuple(rng.sample(WORDS[topic], 2) + rng.sample(WORDS[""], 1))
                examples.append(Example(text=" ".join(lemmas), lemmas=lemmas, question_lemmas=question,
                                        turn_lemmas=lemmas, turn=(f"f{informant}", turn), position=position,
                                        informant=f"i{informant}",
                                        rule_codes=frozenset({topic}) if topic and sentence == 0 else frozenset()))
                labels.append([int(topic == "a"), int(topic == "b")])
                position += 1
    return examples, np.array(labels)


@pytest.mark.parametrize("solver", ["sgd", "liblinear", "saga"])
def test_fit_predict_proba_array_and_learned_state(solver):
    X, y = corpus()
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, solver=solver).fit(X, y)
    proba = model.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (len(X), 2)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert (model.predict(X) == y).mean() > 0.9
    assert set(model.thresholds) == set(CODES)
    assert model.score(X, y) > 0.9
    learned = [k for k in vars(model) if k.endswith("_") and not k.startswith("_")]
    assert {"features_", "models_", "context_models_", "thresholds_", "classes_"} <= set(learned)


def test_params_are_init_args_and_clone_keeps_them():
    model = TwoStageCoder(codes=CODES, C=2.0, question_weight=0.7, solver="liblinear")
    params = model.get_params()
    assert params["C"] == 2.0 and params["question_weight"] == 0.7 and params["codes"] == CODES
    twin = clone(model)
    assert twin.get_params() == params and not hasattr(twin, "models_")
    assert twin.set_params(C=8.0).C == 8.0
    # Every coding.model setting in study.yaml is an estimator parameter.
    assert set(CodingModelSettings().params()) <= set(params)


def test_feature_union_weights_scale_blocks():
    X, _ = corpus(n_informants=2)
    union = make_features(CODES, question_weight=0.5).fit(X)
    assert union.transformer_weights["question"] == 0.5
    assert "previous" in dict(union.transformer_list)
    without = make_features(CODES, question_weight=0.0).fit(X)
    assert "question" not in dict(without.transformer_list)
    assert without.transform(X).shape[1] < union.transform(X).shape[1]


def test_grid_search_pipeline_and_grouped_cross_validation():
    X, y = corpus()
    groups = [e.informant for e in X]
    search = GridSearchCV(TwoStageCoder(codes=CODES, rule_codes=CODES), {"C": [0.5, 4.0], "context": [True, False]},
                          cv=GroupKFold(n_splits=3))
    search.fit(X, y, groups=groups)
    assert set(search.best_params_) == {"C", "context"} and search.best_score_ > 0.8
    pipeline = Pipeline([("coder", TwoStageCoder(codes=CODES, rule_codes=CODES))])
    scores = cross_validate(pipeline, X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert len(scores["test_score"]) == 3 and scores["test_score"].min() > 0.8
    held_out = cross_val_predict(TwoStageCoder(codes=CODES), X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert held_out.shape == y.shape and (held_out == y).mean() > 0.9


def test_a_code_without_positives_in_a_fold_does_not_break_fitting():
    X, y = corpus(n_informants=3)
    y = y.copy()
    y[:, 1] = 0
    y[0, 1] = 1  # one positive: most folds see none
    model = TwoStageCoder(codes=CODES).fit(X, y)
    assert model.predict_proba(X).shape == (len(X), 2)


def test_codebook_examples_are_weighted_training_examples():
    X, y = corpus(n_informants=3)
    prior = Example(text="unik", lemmas=("unik",), turn=("kodebok", 0), informant="<kodebok>")
    with_prior = TwoStageCoder(codes=CODES, prior_examples=((prior, frozenset({"a"}), frozenset()),),
                               prior_weight=5.0, context=False, solver="liblinear").fit(X, y)
    without = TwoStageCoder(codes=CODES, context=False, solver="liblinear").fit(X, y)
    probe = [Example(text="unik", lemmas=("unik",), turn=("x", 0), informant="ny")]
    assert with_prior.predict_proba(probe)[0, 0] > without.predict_proba(probe)[0, 0]


def test_fit_is_deterministic():
    X, y = corpus()
    first = TwoStageCoder(codes=CODES).fit(X, y).predict_proba(X)
    second = TwoStageCoder(codes=CODES).fit(X, y).predict_proba(X)
    assert np.array_equal(first, second)


def _two_rounds():
    """Old material where 'nabo' means no code; a new round (2 informants) where it means code a."""
    X, y = corpus(n_informants=6)
    lemmas = ("nabo", "vær", "mat")
    extra, extra_y = [], []
    for n, informant in enumerate(("i0", "i1", "i2", "i3", "i4", "i5", "r1", "r2")):
        for t in range(8 if n < 6 else 3):
            extra.append(Example(text="nabo vær mat", lemmas=lemmas, turn_lemmas=lemmas, turn=(informant, 100 + t),
                                 position=1000 + 10 * n + t, informant=informant, current_round=n >= 6))
            extra_y.append([1 if n >= 6 else 0, 0])
    return X + extra, np.vstack([y, np.array(extra_y)])


def test_round_weight_makes_the_current_round_count_more():
    X, y = _two_rounds()
    probe = [Example(text="nabo vær mat", lemmas=("nabo", "vær", "mat"), turn_lemmas=("nabo", "vær", "mat"),
                     turn=("probe", 0), informant="probe")]
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES).fit(X, y)
    weighted = TwoStageCoder(codes=CODES, rule_codes=CODES, round_weight=20.0).fit(X, y)
    assert weighted.predict_proba(probe)[0, 0] > plain.predict_proba(probe)[0, 0] + 0.1
    assert weighted.predict(probe)[0, 0] == 1 and plain.predict(probe)[0, 0] == 0
    # round_weight is a sample weight on the round's examples: the same model as passing it by hand
    by_hand = TwoStageCoder(codes=CODES, rule_codes=CODES).fit(
        X, y, sample_weight=[20.0 if e.current_round else 1.0 for e in X])
    np.testing.assert_allclose(by_hand.predict_proba(probe), weighted.predict_proba(probe))
    assert "round_weight" in CodingModelSettings().params()
    with pytest.raises(ValueError, match="sample_weight"):
        TwoStageCoder(codes=CODES).fit(X, y, sample_weight=[1.0])


def test_round_features_give_the_round_weights_of_its_own():
    from dataclasses import replace

    X, y = _two_rounds()
    probe = Example(text="nabo vær mat", lemmas=("nabo", "vær", "mat"), turn_lemmas=("nabo", "vær", "mat"),
                    turn=("probe", 0), informant="probe")
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES).fit(X, y)
    off = TwoStageCoder(codes=CODES, rule_codes=CODES, round_features=0.0).fit(X, y)
    np.testing.assert_array_equal(off.predict_proba([probe]), plain.predict_proba([probe]))
    adapted = TwoStageCoder(codes=CODES, rule_codes=CODES, round_features=3.0).fit(X, y)
    in_round = adapted.predict_proba([replace(probe, current_round=True)])[0, 0]
    outside = adapted.predict_proba([probe])[0, 0]
    # The round's convention ('nabo' is code a) holds for the round; the old one still holds outside it.
    assert in_round > outside + 0.2
    assert adapted.predict([replace(probe, current_round=True)])[0, 0] == 1
    assert adapted.predict([probe])[0, 0] == 0
    # Measured not to help (docs/coding.md): an estimator parameter for the benchmarks, not a study setting.
    assert "round_features" not in CodingModelSettings().params()


def test_round_memory_corrects_turns_like_the_rounds_coded_ones():
    X, y = _two_rounds()
    probe = Example(text="nabo vær mat", lemmas=("nabo", "vær", "mat"), turn_lemmas=("nabo", "vær", "mat"),
                    turn=("probe", 0), informant="probe")
    other = Example(text="pris rabatt fotball", lemmas=("pris", "rabatt", "fotball"),
                    turn_lemmas=("pris", "rabatt", "fotball"), turn=("probe", 1), informant="probe")
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES).fit(X, y)
    # Off (the default), nothing of the round is kept: the memory holds its example texts.
    assert plain.memory_ is None and plain.get_params()["memory_weight"] == 0.0
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, memory_weight=1.0).fit(X, y)
    examples, turns, residuals = model.memory_
    assert len(turns) == residuals.shape[0] == 6  # the round's 6 coded turns, not its segments
    assert all(e.current_round for e in examples) and len(examples) == 6
    assert (residuals[:, 0] > 0).all()  # the old coder's model scored them below the round's "a"
    model.set_params(memory_weight=0.0)  # read at prediction only: 0 turns it off without a refit
    np.testing.assert_array_equal(model.predict_proba([probe, other]), plain.predict_proba([probe, other]))
    assert model.predict([probe])[0, 0] == 0
    model.set_params(memory_weight=1.0)
    corrected = model.predict_proba([probe, other])
    # The round's convention reaches a turn like its coded turns, and not a turn unlike them.
    assert corrected[0, 0] > plain.predict_proba([probe])[0, 0] + 0.2 and model.predict([probe])[0, 0] == 1
    assert corrected[1, 0] - plain.predict_proba([other])[0, 0] < corrected[0, 0] - plain.predict_proba([probe])[0, 0]
    own_words = clone(model).set_params(memory_blocks=("lemmas", "chars")).fit(X, y).predict_proba([probe, other])
    assert own_words[0, 0] > 0.5 and abs(own_words[1, 0] - plain.predict_proba([other])[0, 0]) < 0.05
    with pytest.raises(ValueError, match="memory_blocks"):
        model.set_params(memory_blocks=("words",)).predict_proba([probe])
    assert clone(model).get_params()["memory_weight"] == 1.0 and not hasattr(clone(model), "memory_")
    # Without a current round there is nothing to remember: the weight changes nothing.
    old = [e for e in X if not e.current_round]
    no_round = TwoStageCoder(codes=CODES, rule_codes=CODES, memory_weight=1.0).fit(old, y[:len(old)])
    assert no_round.memory_ is None
    # Measured not to help on every set (docs/coding.md): an estimator parameter, not a study setting.
    assert "memory_weight" not in CodingModelSettings().params()


def test_prevalence_threshold_predicts_the_coded_rate():
    from pipeline.coding.classifier import choose_threshold, prevalence_threshold

    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    # Balanced class weights push scores up: many negatives score above 0.5.
    scores = np.clip(np.where(y == 1, rng.normal(0.75, 0.1, 400), rng.normal(0.45, 0.15, 400)), 0, 1)
    threshold = prevalence_threshold(y, scores)
    assert abs((scores >= threshold).mean() - y.mean()) < 0.02
    assert threshold > choose_threshold(y, scores)  # the F1-best threshold predicts the code more often
    X, labels = corpus()
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, threshold_rule="prevalence").fit(X, labels)
    assert model.thresholds_.shape == (2,) and model.score(X, labels) > 0.9
    f1_model = TwoStageCoder(codes=CODES, rule_codes=CODES, threshold_rule="f1").fit(X, labels)
    assert f1_model.score(X, labels) > 0.9
    with pytest.raises(ValueError, match="threshold_rule"):
        TwoStageCoder(codes=CODES, threshold_rule="rate").fit(X, labels)
    # The default (docs/coding.md, "Transfer and a new round"): the study setting and the estimator agree.
    assert CodingModelSettings().params()["threshold_rule"] == "prevalence" == TwoStageCoder().threshold_rule


def _codebook_priors():
    """A codebook saying 'unik' and 'sjelden' are code a, and 'nabo' is not a but b (an exclusion naming b)."""
    def example(text, n):
        lemmas = tuple(text.lower().split())
        return Example(text=text, lemmas=lemmas, turn_lemmas=lemmas, turn=("<kodebok>", n), informant="<kodebok>")
    return ((example("unik sjelden", 0), frozenset({"a"}), frozenset()),
            (example("nabo gate (kod b)", 1), frozenset(), frozenset({"a"})))


def test_codebook_match_is_nearness_to_inclusion_and_exclusion_sentences():
    from pipeline.coding.classifier import CodebookMatch

    X, y = corpus(n_informants=3)
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, prior_examples=_codebook_priors(), codebook_weight=1.0)
    sentences = model._code_sentences()
    assert sentences[0] == ("a", (("unik", "sjelden"),), (("nabo", "gate", "(kod", "b)"),))
    assert sentences[1] == ("b", (), ())
    block = CodebookMatch(sentences).fit(X)
    probe = [Example(text="", lemmas=("unik", "mat")), Example(text="", lemmas=("nabo",)),
             Example(text="", lemmas=("fotball",))]
    near = block.transform(probe)  # columns: a include, a exclude, b include, b exclude
    assert near.shape == (3, 4)
    assert near[0, 0] > 0.3 and near[0, 1] == 0 and near[1, 1] > 0.3 and near[1, 0] == 0
    assert not near[2].any() and not near[:, 2:].any()  # no sentence shares a word; b's codebook says nothing
    itself = block.transform([Example(text="", lemmas=("unik", "sjelden"))])
    assert itself[0, 0] == 0  # a codebook sentence is not compared with itself
    union = model.fit(X, y).features_
    assert {"codebook", "turn_codebook"} <= set(dict(union.transformer_list))
    assert union.transformer_weights["turn_codebook"] == 0.5  # × turn_weight
    off = TwoStageCoder(codes=CODES, rule_codes=CODES, prior_examples=_codebook_priors()).fit(X, y)
    assert "codebook" not in dict(off.features_.transformer_list)  # the default: off
    assert clone(model).get_params()["codebook_weight"] == 1.0
    assert "codebook_weight" not in CodingModelSettings().params()  # measured, not kept (docs/coding.md)


def test_an_exclusion_naming_another_code_is_a_positive_of_it():
    X, y = corpus(n_informants=3)
    priors = _codebook_priors()
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES, prior_examples=priors)
    plain.classes_ = np.array(CODES)
    _, labels, weights = plain._priors()
    assert labels.tolist() == [[1, 0], [0, 0]] and weights.tolist() == [[1.0, 0.0], [1.0, 0.0]]
    redirected = TwoStageCoder(codes=CODES, rule_codes=CODES, prior_examples=priors, redirect_weight=2.0)
    redirected.classes_ = np.array(CODES)
    _, labels, weights = redirected._priors()
    assert labels.tolist() == [[1, 0], [0, 1]] and weights.tolist() == [[1.0, 0.0], [1.0, 2.0]]
    probe = [Example(text="nabo gate", lemmas=("nabo", "gate"), turn=("x", 0), informant="ny")]
    before = TwoStageCoder(codes=CODES, prior_examples=priors, context=False, solver="liblinear").fit(X, y)
    after = TwoStageCoder(codes=CODES, prior_examples=priors, redirect_weight=5.0, context=False,
                          solver="liblinear").fit(X, y)
    assert after.predict_proba(probe)[0, 1] > before.predict_proba(probe)[0, 1]
    # The default fit is what it was: prior_weight alone, nothing redirected.
    np.testing.assert_array_equal(
        TwoStageCoder(codes=CODES, prior_examples=priors, redirect_weight=0.0).fit(X, y).predict_proba(X),
        TwoStageCoder(codes=CODES, prior_examples=priors).fit(X, y).predict_proba(X))
    assert "redirect_weight" not in CodingModelSettings().params()


def _round_with_a_wider_code():
    """Old material where a turn of neighbours ('nabo') with a word of staying is not code a; a new round (2
    informants) whose coder gives it a, and still gives a to plain staying turns and not to price turns."""
    X, y = corpus(n_informants=6)
    rng = random.Random(5)
    extra, extra_y = [], []
    for n, informant in enumerate(("i0", "i1", "i2", "i3", "i4", "i5", "r1", "r2")):
        current = n >= 6
        for t in range(9):
            kind = ("nabo", "a", "b")[t % 3]
            if kind == "nabo":
                lemmas, label = ("nabo", rng.choice(WORDS["a"]), rng.choice(WORDS[""])), [int(current), 0]
            else:
                lemmas, label = tuple(rng.sample(WORDS[kind], 2) + rng.sample(WORDS[""], 1)), \
                    [int(kind == "a"), int(kind == "b")]
            if not current and kind != "nabo":
                continue
            extra.append(Example(text=" ".join(lemmas), lemmas=lemmas, turn_lemmas=lemmas, turn=(informant, 100 + t),
                                 position=5000 + len(extra), informant=informant, current_round=current))
            extra_y.append(label)
    return X + extra, np.vstack([y, np.array(extra_y)])


def test_round_calibration_moves_scores_towards_the_rounds_convention():
    X, y = _round_with_a_wider_code()
    neighbours = Example(text="nabo trygg mat", lemmas=("nabo", "trygg", "mat"), turn_lemmas=("nabo", "trygg", "mat"),
                         turn=("probe", 0), informant="probe", current_round=True)
    price = Example(text="pris rabatt fotball", lemmas=("pris", "rabatt", "fotball"),
                    turn_lemmas=("pris", "rabatt", "fotball"), turn=("probe", 1), informant="probe", current_round=True)
    probes = [neighbours, price]
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES).fit(X, y)
    # Off (the default): nothing is learned of the round's calibration.
    assert plain.get_params()["round_calibration"] is False and plain.calibration_ is None
    assert plain.predict(probes)[:, 0].tolist() == [0, 0]
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, round_calibration=True).fit(X, y)
    assert len(model.calibration_) == len(CODES)
    a0, b0, a1, b1 = model.calibration_[0]
    assert a1 > a0  # the round's coder gives a at lower scores than the old one
    # The round's convention: the neighbours' turn is now code a; the price turn is still not, and keeps b.
    assert model.predict_proba([neighbours])[0, 0] > plain.predict_proba([neighbours])[0, 0] + 0.2
    assert model.predict(probes).tolist() == [[1, 0], [0, 1]]
    np.testing.assert_array_equal(model.thresholds_, plain.thresholds_)  # thresholds unchanged, scores moved
    # The prior says how many turns the older calibration is worth: a very heavy one leaves the scores as they were.
    heavy = clone(model).set_params(round_calibration_prior=1e6).fit(X, y)
    np.testing.assert_allclose(heavy.predict_proba(probes), plain.predict_proba(probes), atol=0.02)
    assert heavy.predict(probes)[:, 0].tolist() == [0, 0]
    # Without a current round there is nothing to calibrate on: the same model as with it off.
    old = [e for e in X if not e.current_round]
    no_round = TwoStageCoder(codes=CODES, rule_codes=CODES, round_calibration=True).fit(old, y[:len(old)])
    assert no_round.calibration_ is None
    np.testing.assert_array_equal(no_round.predict_proba(probes),
                                  TwoStageCoder(codes=CODES, rule_codes=CODES).fit(old, y[:len(old)]).predict_proba(probes))
    # An ordinary parameter: clone keeps it and drops the learned state; a study setting, off by default.
    twin = clone(model)
    assert twin.get_params()["round_calibration"] is True and twin.get_params()["round_calibration_prior"] == 40.0
    assert not hasattr(twin, "calibration_")
    settings = CodingModelSettings()
    assert settings.params()["round_calibration"] is False and settings.params()["round_calibration_prior"] == 40.0


def _round_that_files_mixed_turns_elsewhere():
    """Old material whose coder gives turns of staying *and* price both codes; a new round (2 informants) whose
    coder gives such a turn b alone, and still gives a to plain staying turns and b to plain price turns."""
    X, y = corpus(n_informants=6)
    rng = random.Random(11)
    extra, extra_y = [], []
    for n, informant in enumerate(("i0", "i1", "i2", "i3", "i4", "i5", "r1", "r2")):
        current = n >= 6
        for t in range(9 if current else 3):
            kind = ("mixed", "a", "b")[t % 3] if current else "mixed"
            if kind == "mixed":
                lemmas = (rng.choice(WORDS["a"]), rng.choice(WORDS["b"]), rng.choice(WORDS[""]))
                label = [0 if current else 1, 1]
            else:
                lemmas = tuple(rng.sample(WORDS[kind], 2) + rng.sample(WORDS[""], 1))
                label = [int(kind == "a"), int(kind == "b")]
            extra.append(Example(text=" ".join(lemmas), lemmas=lemmas, turn_lemmas=lemmas, turn=(informant, 100 + t),
                                 position=5000 + len(extra), informant=informant, current_round=current))
            extra_y.append(label)
    return X + extra, np.vstack([y, np.array(extra_y)])


def test_round_context_rereads_one_codes_score_against_the_others_for_the_round():
    X, y = _round_that_files_mixed_turns_elsewhere()
    def probe(lemmas, turn):
        return Example(text=" ".join(lemmas), lemmas=lemmas, turn_lemmas=lemmas, turn=("probe", turn),
                       informant="probe", current_round=True)
    mixed, staying, price = probe(("flytte", "pris", "mat"), 0), probe(("trygg", "hjem", "tur"), 1), \
        probe(("rabatt", "takst", "vær"), 2)
    probes = [mixed, staying, price]
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES, solver="liblinear").fit(X, y)
    assert plain.get_params()["round_context"] == 0.0 and plain.round_context_ is False
    assert plain.predict(probes).tolist() == [[1, 1], [1, 0], [0, 1]]  # the old coder's convention
    model = clone(plain).set_params(round_context=1.0).fit(X, y)
    assert model.round_context_ is True
    # The round's convention: a turn of staying and price is b alone; plain staying is still a, price still b.
    assert model.predict(probes).tolist() == [[0, 1], [1, 0], [0, 1]]
    # The same turns outside the round are read as the older material reads them (the shared columns).
    older = [replace(e, current_round=False) for e in probes]
    assert model.predict(older).tolist() == [[1, 1], [1, 0], [0, 1]]
    # The first stage and the thresholds' rule are untouched: only the second stage has the round's columns.
    np.testing.assert_array_equal(model.first_stage(probes), plain.first_stage(probes))
    assert model.context_models_[0].coef_.shape[1] == 2 * plain.context_models_[0].coef_.shape[1] + 1
    # Without a current round in the fit there is nothing to learn it from: the same model as with it off.
    old = [e for e in X if not e.current_round]
    no_round = clone(model).fit(old, y[:len(old)])
    assert no_round.round_context_ is False
    np.testing.assert_array_equal(no_round.predict_proba(probes), clone(plain).fit(old, y[:len(old)]).predict_proba(probes))
    # An estimator parameter, not a study setting (measured: docs/coding.md "Thirteenth session").
    assert clone(model).get_params()["round_context"] == 1.0 and not hasattr(clone(model), "round_context_")
    assert "round_context" not in CodingModelSettings().params()


ROUND_ONLY = ["kaffe", "hage", "sol", "bil"]  # words only the round's non-carrying sentences use


def _round_coded_by_turns():
    """Old material coded by segment; a new round (2 informants) coded by turns: each of its staying turns has one
    sentence about staying and two about nothing in particular (words seen nowhere else), and the coder's code a
    is given to the whole turn, so all three segments carry it."""
    X, y = corpus(n_informants=6)
    rng = random.Random(5)
    extra, extra_y = [], []
    for informant in ("r1", "r2"):
        for t in range(6):
            staying = t % 2 == 0
            sentences = [tuple(rng.sample(WORDS["a"], 2) + rng.sample(WORDS[""], 1))] if staying else []
            sentences += [tuple(rng.sample(ROUND_ONLY, 2)) for _ in range(3 - len(sentences))]
            turn = tuple(lemma for sentence in sentences for lemma in sentence)
            for lemmas in sentences:
                extra.append(Example(text=" ".join(lemmas), lemmas=lemmas, turn_lemmas=turn, turn=(informant, t),
                                     position=9000 + len(extra), informant=informant, current_round=True))
                extra_y.append([int(staying), 0])
    return X + extra, np.vstack([y, np.array(extra_y)])


def test_round_carriers_keep_a_turn_coded_rounds_code_on_the_segments_that_carry_it():
    X, y = _round_coded_by_turns()
    round_rows = [i for i, e in enumerate(X) if e.current_round and y[i, 0]]
    carriers = [i for i in round_rows if set(X[i].lemmas) & set(WORDS["a"])]
    others = [i for i in round_rows if i not in carriers]
    assert len(carriers) == 6 and len(others) == 12  # 6 staying turns of 3 segments, one carrier each
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES, solver="liblinear").fit(X, y)
    model = clone(plain).set_params(round_carriers=1).fit(X, y)
    assert plain.get_params()["round_carriers"] == 0 and plain.carrier_turns_ == 0
    assert model.carrier_turns_ == 6  # every staying turn of the round, and no (turn, code) pair else
    # Which rows train code a: without it, every segment of the round's staying turns; with it, the carrier alone
    # (chosen by out-of-fold scores), the other two unlabelled for a and still negatives of b.
    weights = np.ones(len(X))
    folds = list(GroupKFold(5).split(X, groups=[e.informant for e in X]))
    features = model.features_.transform(X).tocsr()
    off = plain._round_carrier_weights(X, y, weights, features, folds, None, None, None)
    on = model._round_carrier_weights(X, y, weights, features, folds, None, None, None)
    assert (off[others, 0] == 1).all() and (on[others, 0] == 0).all() and (on[carriers, 0] == 1).all()
    assert (on[:, 1] == 1).all() and (on[[i for i in range(len(X)) if i not in round_rows], 0] == 1).all()
    # What it changes: a sentence of the round's other words, alone in its turn, is no longer read as code a.
    probe = Example(text="kaffe hage", lemmas=("kaffe", "hage"), turn_lemmas=("kaffe", "hage"), turn=("probe", 0),
                    informant="probe", current_round=True)
    staying_lemmas = ("flytte", "trygg", "mat")
    staying = Example(text=" ".join(staying_lemmas), lemmas=staying_lemmas, turn_lemmas=staying_lemmas,
                      turn=("probe", 1), informant="probe", current_round=True)
    # (stage 1 learned the round's other words as a without it; the thresholds move with what is trained, so the
    # first stage's scores are compared)
    assert plain.first_stage([probe])[0, 0] > 0.5 and model.first_stage([probe])[0, 0] < 0.2
    assert model.predict([probe])[0, 0] == 0
    assert model.predict_proba([probe])[0, 0] < plain.predict_proba([probe])[0, 0] - 0.2
    assert model.predict([staying]).tolist() == [[1, 0]]
    # Weighted down instead of unlabelled: the other segments still teach a, with the given weight.
    half = clone(model).set_params(round_spread_weight=0.5)
    assert (half._round_carrier_weights(X, y, weights, features, folds, None, None, None)[others, 0] == 0.5).all()
    # A turn whose code sits on some of its segments only was coded by segment: left as it is.
    by_segment = y.copy()
    by_segment[others[::2], 0] = 0
    assert clone(model).fit(X, by_segment).carrier_turns_ == 6 - len(set(X[i].turn for i in others[::2]))
    # Without a current round nothing changes: the same model as with it off.
    old = [e for e in X if not e.current_round]
    np.testing.assert_array_equal(clone(model).fit(old, y[:len(old)]).predict_proba([probe, staying]),
                                  clone(plain).fit(old, y[:len(old)]).predict_proba([probe, staying]))
    # An estimator parameter, off by default, not a study setting; clone keeps it and drops the learned state.
    assert clone(half).get_params()["round_spread_weight"] == 0.5 and not hasattr(clone(model), "carrier_turns_")
    assert "round_carriers" not in CodingModelSettings().params()
    with pytest.raises(ValueError, match="round_carriers"):
        clone(plain).set_params(round_carriers=-1).fit(X, y)


def _noisy_corpus(flip: float = 0.2, seed: int = 5):
    """The corpus with a fifth of its labels flipped: a fit that does not reach the optimum shows its row order."""
    X, y = corpus(n_informants=6, turns=6, seed=seed)
    flipped = np.random.RandomState(seed).rand(*y.shape) < flip
    return X, np.where(flipped, 1 - y, y)


@functools.lru_cache(maxsize=None)  # the early-stopped spread serves two tests
def _order_spread(**params) -> float:
    """The largest change of a first-stage probability when the same rows are given in another order."""
    X, y = _noisy_corpus()
    first = TwoStageCoder(codes=CODES, rule_codes=CODES, **params).fit(X, y).first_stage(X)
    spread = 0.0
    for seed in range(3):
        order = np.random.RandomState(seed).permutation(len(X))
        other = TwoStageCoder(codes=CODES, rule_codes=CODES, **params).fit([X[i] for i in order], y[order])
        spread = max(spread, float(np.abs(other.first_stage(X) - first).max()))
    return spread


def test_a_fixed_budget_of_epochs_makes_the_first_stage_nearly_independent_of_the_row_order():
    """SGD stopped on a noisy loss (sgd_epochs None) stops at an epoch the row order chooses; a fixed budget
    with a falling step size ends near the one optimum, whatever the order (docs/coding.md, fifteenth session)."""
    stopped, fixed = _order_spread(), _order_spread(sgd_epochs=100)
    assert stopped > 0.05  # the corpus shows the order: otherwise this test could not fail
    assert fixed < 0.03 and fixed < stopped / 4
    assert _order_spread(solver="liblinear") < 1e-4  # an exact solver: only its tolerance shows the order


def test_a_bag_of_orders_is_one_linear_model_with_a_smaller_order_spread():
    from pipeline.coding.classifier import BaggedLinear

    X, y = _noisy_corpus()
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, sgd_bag=3).fit(X, y)
    assert all(isinstance(m, BaggedLinear) and m.coef_.shape[0] == 1 for m in model.models_)
    assert _order_spread(sgd_bag=5) < _order_spread() / 1.5
    with pytest.raises(ValueError, match="sgd_bag"):
        TwoStageCoder(codes=CODES, rule_codes=CODES, sgd_bag=0).fit(X, y)


def test_the_order_benchmark_gives_every_fit_its_seeded_permutation_and_order_minus_one_the_studys_order():
    """benchmarks/coding_orders.py compares candidates over row orders: that holds only if each fit sees the seeded
    permutation of its rows (labels and informant groups along), and order -1, the study's own draw (its model and
    held-out record: the line the sixteenth session checked its candidate on), is the plain estimator."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import coding_orders

    X, y = _noisy_corpus()
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES).fit(X, y).predict_proba(X)
    order = np.random.RandomState(1).permutation(len(X))
    by_hand = TwoStageCoder(codes=CODES, rule_codes=CODES).fit([X[i] for i in order], y[order]).predict_proba(X)
    assert not np.allclose(by_hand, plain)  # the corpus shows its order, so the checks below can fail
    try:
        for seed, expected in ((coding_orders.permutation_seed(-1), plain), (coding_orders.permutation_seed(1), by_hand)):
            coding_orders.PermutedCoder.order_seed = seed
            found = clone(coding_orders.PermutedCoder(codes=CODES, rule_codes=CODES)).fit(X, y).predict_proba(X)
            assert np.array_equal(found, expected)
    finally:
        coding_orders.PermutedCoder.order_seed = None


def test_naive_bayes_beside_the_linear_first_stage_is_read_by_stage_two():
    """``nb_alpha``: per code a calibrated multinomial naive Bayes on the same features, whose out-of-fold
    scores stage 2 reads beside the linear model's (docs/coding.md, "Eighteenth session"). With the linear
    first stage made blind (C so small its weights stay near 0), only naive Bayes can tell a sentence of code
    a without a keyword hit from one of b: the model codes well with it and not without it."""
    X, y = corpus()
    blind = dict(codes=CODES, rule_codes=CODES, C=1e-7, solver="liblinear")
    without = TwoStageCoder(**blind).fit(X, y)
    model = TwoStageCoder(**blind, nb_alpha=0.1).fit(X, y)
    assert np.ptp(model.first_stage(X)) < 0.05  # the linear stage says nothing, so the test can fail
    assert without.score(X, y) < 0.8 < 0.95 < model.score(X, y)
    # Stage 2 reads six columns per code of each family, plus the keyword hits and the length.
    assert [m.coef_.shape[1] for m in model.context_models_] == [6 * 2 * len(CODES) + 3] * len(CODES)
    assert [m.coef_.shape[1] for m in without.context_models_] == [6 * len(CODES) + 3] * len(CODES)
    assert len(model.nb_models_) == len(CODES) and not without.nb_models_
    # Off (0), it is the model without it, byte for byte; it needs stage 2, which weighs the two families.
    plain = TwoStageCoder(codes=CODES, rule_codes=CODES).fit(X, y)
    assert np.array_equal(TwoStageCoder(codes=CODES, rule_codes=CODES, nb_alpha=0.0).fit(X, y).predict_proba(X),
                          plain.predict_proba(X))
    with pytest.raises(ValueError, match="nb_alpha"):
        TwoStageCoder(codes=CODES, rule_codes=CODES, nb_alpha=0.1, context=False).fit(X, y)
    with pytest.raises(ValueError, match="nb_alpha"):
        TwoStageCoder(codes=CODES, rule_codes=CODES, nb_alpha=-1.0).fit(X, y)
