"""coding.model.search: the study's C chosen on its own coding, nested inside every held-out fit.

docs/coding.md, "Seventeenth session": a fixed SGD budget (``sgd_epochs``) with C chosen per study by an inner
GroupKFold on the training informants. The held-out record is honest only if no search inside an outer fold
trains on or scores the informant that fold holds out.
"""

from __future__ import annotations

import pytest

from pipeline.coding import evaluation, machine
from pipeline.coding.classifier import TwoStageCoder
from pipeline.errors import QualpipeError
from pipeline.settings import CodingModelSettings
from tests.test_coding_conventions import _labelled_with_markers

GRID = {"C": [1.0, 2.0, 4.0]}


def test_the_inner_search_never_sees_the_rows_of_an_outer_held_out_informant(monkeypatch):
    """Each outer fold's search fits and scores only that fold's training informants, every inner split scores
    informants its fit did not train on, and the model that codes the held-out informant is refitted on all the
    fold's training informants with a C from the grid."""
    data = _labelled_with_markers()  # 4 informants: 4 outer folds, 3 inner folds of one informant each
    calls: list[tuple[str, frozenset, float]] = []
    outer: list[tuple[frozenset, int]] = []  # (an outer fold's training informants, where its calls begin)
    fit, score, searched_fit = TwoStageCoder.fit, TwoStageCoder.score, evaluation._SearchedCoder.fit

    def recording_fit(self, X, y, groups=None, sample_weight=None):
        calls.append(("fit", frozenset(e.informant for e in X), self.C))
        return fit(self, X, y, groups=groups, sample_weight=sample_weight)

    def recording_score(self, X, y, sample_weight=None):
        calls.append(("score", frozenset(e.informant for e in X), self.C))
        return score(self, X, y, sample_weight=sample_weight)

    def recording_searched_fit(self, X, y, groups=None):
        # cross_val_predict passes no groups to fit: the search groups the rows by their Example.informant
        outer.append((frozenset(e.informant for e in X), len(calls)))
        return searched_fit(self, X, y, groups=groups)

    monkeypatch.setattr(TwoStageCoder, "fit", recording_fit)
    monkeypatch.setattr(TwoStageCoder, "score", recording_score)
    monkeypatch.setattr(evaluation._SearchedCoder, "fit", recording_searched_fit)
    predictions, _ = evaluation.heldout_predictions(data, 2, 2019, {"sgd_epochs": 20}, GRID)
    informants = set(data.informants())
    assert len(informants) == 4 and set(predictions) == set(data.labels)
    assert len(outer) == 4  # the search ran inside every outer fold, not once on the whole study
    assert {frozenset(informants - training) for training, _ in outer} == {frozenset({i}) for i in informants}
    ends = [start for _, start in outer[1:]] + [len(calls)]
    for (training, start), end in zip(outer, ends):
        inside = calls[start:end]
        assert all(seen <= training for _, seen, _ in inside), "a search inside the fold saw its held-out informant"
        inner, final = inside[:-1], inside[-1]
        pairs = list(zip(inner[0::2], inner[1::2]))
        assert len(pairs) == len(GRID["C"]) * 3  # 3 values of C x 3 inner folds, each fit then scored
        for (kind_fit, trained, c_fit), (kind_score, scored, c_score) in pairs:
            assert (kind_fit, kind_score) == ("fit", "score") and c_fit == c_score
            assert trained and scored and not trained & scored and trained | scored == training
        assert {c for (_, _, c), _ in pairs} == set(GRID["C"])
        assert final[0] == "fit" and final[1] == training and final[2] in GRID["C"]


def test_a_study_sets_a_fixed_budget_and_its_search_and_the_fit_takes_them():
    data = _labelled_with_markers()
    settings = CodingModelSettings(sgd_epochs=30, search=GRID)
    plan = machine.plan_codes(data.codebook, list(data.labels.values()), 2)
    model = machine.fit_model(data.analysed, data.labels, plan, data.codebook, 2019, settings.params(), None,
                              settings.search)
    assert model.sgd_epochs == 30 and model.C in GRID["C"]
    assert all(m.max_iter == 30 and m.tol is None for m in model.models_)
    assert len(model.models_) == len(plan.model_codes)


@pytest.mark.parametrize("grid, words", [({"Cee": [1.0, 2.0]}, "Cee"), ({"C": []}, "no values"),
                                         ({"search": [1.0]}, "search")])
def test_a_search_over_a_setting_the_model_does_not_have_is_an_error_when_the_study_is_read(tmp_path, grid, words):
    from pipeline.settings import load_study

    (tmp_path / "study.yaml").write_text(f"coding:\n  model:\n    search: {grid!r}\n".replace("'", '"'),
                                         encoding="utf-8")
    with pytest.raises(QualpipeError, match=words):
        load_study(tmp_path)


def test_a_study_fits_naive_bayes_beside_the_linear_stage_by_default_and_can_turn_it_off():
    """coding.model.nb_alpha (docs/coding.md, "Eighteenth session"): the study default reaches the fit as one
    naive Bayes per model code; 0 fits the linear stage alone."""
    data = _labelled_with_markers()
    plan = machine.plan_codes(data.codebook, list(data.labels.values()), 2)
    for settings, count in ((CodingModelSettings(), len(plan.model_codes)), (CodingModelSettings(nb_alpha=0), 0)):
        model = machine.fit_model(data.analysed, data.labels, plan, data.codebook, 2019, settings.params())
        assert len(model.nb_models_) == count and model.nb_alpha == settings.nb_alpha
    assert CodingModelSettings().nb_alpha == 0.1


@pytest.mark.parametrize("setting, words", [("vector_weight: 1.0", "vector_weight"), ("lsa_weight: 0.5", "lsa_weight"),
                                            ("context: false", "context: false")])
def test_naive_bayes_with_blocks_it_cannot_read_or_without_stage_two_is_an_error_when_the_study_is_read(
        tmp_path, setting, words):
    from pipeline.settings import load_study

    (tmp_path / "study.yaml").write_text(f"coding:\n  model:\n    {setting}\n", encoding="utf-8")
    with pytest.raises(QualpipeError, match=words):
        load_study(tmp_path)
    (tmp_path / "study.yaml").write_text(f"coding:\n  model:\n    {setting}\n    nb_alpha: 0\n", encoding="utf-8")
    load_study(tmp_path)
