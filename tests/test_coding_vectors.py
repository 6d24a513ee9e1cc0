"""Subword vectors (pipeline/coding/vectors.py) as classifier features: deterministic, cached, clonable."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

pytest.importorskip("gensim")

from pipeline.coding.classifier import Example, TwoStageCoder, make_features  # noqa: E402
from pipeline.coding.vectors import (CodeSimilarity, LemmaVectors, MeanVectors, example_sentences,  # noqa: E402
                                     lemma_vectors, treebank_sentences)
from tests.test_coding_estimator import CODES, _two_rounds, corpus  # noqa: E402

SENTENCES = [("flytte", "trygg", "hjem", "bli"), ("pris", "rabatt", "billig", "takst"),
             ("vær", "fotball", "mat", "tur"), ("bolig", "trygg", "bli", "hjem"),
             ("rabatt", "pris", "takst", "lån")] * 20


@pytest.fixture(scope="module")
def vectors(tmp_path_factory) -> LemmaVectors:
    return lemma_vectors(SENTENCES, tmp_path_factory.mktemp("private"), seed=7)


def test_training_is_deterministic_and_cached(tmp_path, vectors):
    again = lemma_vectors(SENTENCES, tmp_path, seed=7)  # trained afresh in another folder
    assert again.digest == vectors.digest
    np.testing.assert_array_equal(again.vector("rabatt"), vectors.vector("rabatt"))
    (cached,) = tmp_path.glob("vectors-*.kv")
    assert oct(cached.stat().st_mode & 0o777) == "0o600"  # learned from the study's text: private
    cached.write_bytes(cached.read_bytes())  # still readable: loaded, not trained again
    loaded = lemma_vectors(SENTENCES, tmp_path, seed=7)
    np.testing.assert_array_equal(loaded.vector("hjem"), vectors.vector("hjem"))
    other = lemma_vectors(SENTENCES[:-1], tmp_path, seed=7)
    assert other.digest != vectors.digest and len(list(tmp_path.glob("vectors-*.kv"))) == 2


def test_unseen_words_get_vectors_from_their_pieces(vectors):
    # "rabattane" (Nynorsk plural) was never seen; its character n-grams were.
    unseen = vectors.vector("rabattane")
    assert unseen.shape == (vectors.dimensions,) and np.isfinite(unseen).all() and np.linalg.norm(unseen) > 0
    assert vectors.sif_weight("zzz") == 1.0 and vectors.sif_weight("rabatt") < 1.0


def test_mean_and_similarity_blocks(vectors):
    X, _ = corpus(n_informants=2)
    means = MeanVectors(vectors, "lemmas").fit_transform(X)
    assert means.shape == (len(X), vectors.dimensions)
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0, rtol=1e-5)
    texts = (("a", (("flytte", "trygg"),)), ("b", (("pris", "rabatt"),)))
    similarity = CodeSimilarity(vectors, "lemmas", texts).fit(X).transform(X)
    assert similarity.shape == (len(X), 2) and (np.abs(similarity) <= 1.0 + 1e-6).all()
    union = make_features(CODES, vectors=vectors, vector_weight=0.5, similarity_weight=1.0, code_texts=texts)
    names = dict(union.transformer_list)
    assert {"vectors", "question_vectors", "turn_vectors", "similarity", "turn_similarity"} <= set(names)
    assert union.transformer_weights["question_vectors"] == 0.25  # vector_weight * question_weight
    with pytest.raises(ValueError, match="need vectors"):
        make_features(CODES, vector_weight=1.0)


def test_estimator_with_vectors_clones_and_fits(vectors):
    X, y = corpus()
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, vectors=vectors, vector_weight=1.0)
    twin = clone(model)
    assert twin.vectors is vectors  # shared, not copied, by clone and cross-validation
    fitted = twin.fit(X, y)
    assert (fitted.predict(X) == y).mean() > 0.9
    assert fitted.features_.transform(X).shape[1] > TwoStageCoder(codes=CODES, rule_codes=CODES).fit(
        X, y).features_.transform(X).shape[1]


def test_example_sentences_are_distinct_questions_and_segments():
    examples = [Example(text="a", lemmas=("a", "b"), question_lemmas=("q",)),
                Example(text="a", lemmas=("a", "b"), question_lemmas=("q",)), Example(text="c", lemmas=("c",))]
    assert example_sentences(examples) == [("q",), ("a", "b"), ("c",)]


def test_treebank_sentences_read_lemmas_without_punctuation(tmp_path):
    (tmp_path / "x.conll").write_text("1\tBoligen\tbolig\tsubst\tsubst\t_\t0\tFRAG\t_\tname=O\n"
                                      "2\t.\t$.\tclb\tclb\t<punkt>\t1\tIP\t_\tname=O\n\n"
                                      "1\tLån\tlån\tsubst\tsubst\t_\t0\tFRAG\t_\tname=O\n", encoding="utf-8")
    assert treebank_sentences(tmp_path) == [("bolig",), ("lån",)]


def test_round_thresholds_are_chosen_on_the_current_round():
    from dataclasses import replace

    X, y = _two_rounds()
    assert len(TwoStageCoder(codes=CODES)._threshold_rows(X, y[:, 0])) == len(X)
    own = TwoStageCoder(codes=CODES, rule_codes=CODES, round_thresholds=True)
    # The round (r1, r2) has only positives of code a: too few negatives, so all rows choose the threshold.
    assert len(own._threshold_rows(X, y[:, 0])) == len(X)
    X = [replace(e, current_round=e.current_round or e.informant == "i0") for e in X]
    rows = own._threshold_rows(X, y[:, 0])
    assert set(rows) == {i for i, e in enumerate(X) if e.current_round} and 0 < len(rows) < len(X)
    assert own.fit(X, y).thresholds_.shape == (2,)


def test_study_vectors_only_when_asked_and_passed_to_the_estimator(tmp_path, monkeypatch):
    import pipeline.coding.vectors as vectors_module
    from pipeline.coding.machine import AnalysedUnits, Plan, make_estimator, needs_vectors, study_vectors
    from pathlib import Path

    from pipeline.codebook import load_codebook

    monkeypatch.setattr(vectors_module, "treebank_path", lambda root=None: None)  # the study's text alone: fast
    X, _ = corpus()
    analysed = AnalysedUnits(units=[], rules=[], examples=X)
    assert not needs_vectors({"vector_weight": 0.0, "similarity_weight": 0.0})
    assert study_vectors({"vector_weight": 0.0}, analysed, tmp_path, tmp_path, 7) is None
    assert not list(tmp_path.glob("vectors-*"))
    found = study_vectors({"similarity_weight": 1.0}, analysed, tmp_path / "private", tmp_path, 7)
    assert isinstance(found, LemmaVectors) and len(list((tmp_path / "private").glob("vectors-*.kv"))) == 1
    codebook = load_codebook(Path(__file__).resolve().parents[1] / "codebook.yaml")
    plan = Plan(model_codes=list(codebook.ids), rule_codes=[], positives={})
    estimator = make_estimator(plan, codebook, 7, {"vector_weight": 1.0}, None, found)
    assert estimator.vectors is found and estimator.vector_weight == 1.0


def test_ppmi_vectors_are_count_based_deterministic_and_feed_the_vector_blocks():
    from pipeline.coding.vectors import ppmi_vectors

    corpus_sentences = [("flytte", "trygg", "hjem", "bli"), ("bolig", "trygg", "bli", "hjem"),
                        ("pris", "rabatt", "billig", "takst"), ("rabatt", "pris", "takst", "lån"),
                        ("vær", "fotball", "mat", "tur")] * 20
    first = ppmi_vectors(corpus_sentences, dimensions=4, window=3, seed=7)
    again = ppmi_vectors(corpus_sentences, dimensions=4, window=3, seed=7)
    assert first.digest == again.digest and first.dimensions == 4
    np.testing.assert_allclose(first.vector("pris"), again.vector("pris"))
    assert abs(float(np.linalg.norm(first.vector("pris"))) - 1) < 1e-5
    # Lemmas that share contexts are nearer than lemmas that never meet.
    assert first.vector("pris") @ first.vector("takst") > first.vector("pris") @ first.vector("trygg")
    assert not first.vector("aldri").any()  # outside the vocabulary: no pieces to build it from
    X, y = corpus(n_informants=3)
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, vectors=first, vector_weight=1.0).fit(X, y)
    assert "vectors" in dict(model.features_.transformer_list)
    assert model.predict_proba(X).shape == (len(X), 2)
    assert ppmi_vectors(corpus_sentences[:-1], dimensions=4, window=3, seed=7).digest != first.digest


def test_fold_vectors_learn_from_the_rows_of_each_fit(tmp_path):
    from pipeline.coding.vectors import FoldVectors

    X, y = corpus(n_informants=3)
    recipe = FoldVectors("fasttext", None, 7, tmp_path)
    learned = recipe.learn(X)
    assert learned.digest == lemma_vectors(example_sentences(X), tmp_path, 7).digest  # the fit's rows alone
    assert recipe.learn(X[:12]).digest != learned.digest
    model = TwoStageCoder(codes=CODES, rule_codes=CODES, vectors=recipe, vector_weight=1.0).fit(X, y)
    assert model.vectors is recipe and model.vectors_.digest == learned.digest
    assert clone(model).vectors is recipe  # shared, not copied
    with pytest.raises(ValueError, match="unknown vector kind"):
        FoldVectors("glove")
