"""The learned identifier recognizer (pipeline/anonymise/learned.py)."""

import numpy as np
import pytest
from sklearn.base import clone

from pipeline.anonymise.analyzer import detect
from pipeline.anonymise.learned import (OUTSIDE, IdentifierTokenModel, shipped_model,
                                        token_features)
from pipeline.anonymise.registry import code_digest, default_registry
from pipeline.nlp import load_nlp
from pipeline.settings import AnonymisationSettings, RecognizerSetting

ON = {"learned": RecognizerSetting(enabled=True)}


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("auto")


def _toy():
    X = [{"cap": 1, "p1=heter": 1}, {"low": 1}, {"cap": 1}, {"low": 1, "p1=heter": 1}] * 5
    y = ["PERSON", OUTSIDE, "PERSON", OUTSIDE] * 5
    return X, y


def test_estimator_follows_sklearn_conventions():
    model = IdentifierTokenModel(C=0.5, min_count=1)
    assert model.get_params() == {"C": 0.5, "min_count": 1, "class_weight": None, "max_iter": 300}
    twin = clone(model)
    assert twin.get_params() == model.get_params() and not hasattr(twin, "coef_")
    X, y = _toy()
    assert model.fit(X, y) is model
    assert list(model.predict([{"cap": 1}, {"low": 1}])) == ["PERSON", OUTSIDE]
    assert all(hasattr(model, a) for a in ("vectorizer_", "classes_", "coef_", "intercept_"))
    # min_count drops features seen too rarely: a one-off quirk of one set never gets a weight
    rare = IdentifierTokenModel(min_count=6).fit(X + [{"quirk": 1}], y + ["PERSON"])
    assert "quirk" not in rare.vectorizer_.vocabulary_


def test_shipped_form_round_trips():
    X, y = _toy()
    model = IdentifierTokenModel(min_count=1).fit(X, y)
    back = IdentifierTokenModel.from_json(model.to_json())
    assert back.get_params() == model.get_params()
    assert np.allclose(back.predict_proba(X), model.predict_proba(X), atol=1e-3)


def test_trained_file_loads_offline():
    model = shipped_model()  # from the package's data/, nothing fetched
    assert OUTSIDE in model.classes_ and "PERSON" in model.classes_
    assert model.coef_.shape == (len(model.classes_), len(model.vectorizer_.vocabulary_))


def test_features_do_not_name_the_token(nlp):
    text = "Vi snakket med Zorbakken om lånet."
    doc = nlp(text)
    for start, end, feats in token_features(text, doc):
        word = text[start:end].lower()
        if word == "zorbakken":
            assert not any("zorbakken" in name for name in feats)
        # a neighbour that is no Norwegian word is given by its shape, not its spelling
        assert not any(name.endswith("=zorbakken") for name in feats)


def test_registered_and_switched_by_study_yaml():
    assert "learned" in default_registry(AnonymisationSettings()).names
    assert "learned" not in default_registry(
        AnonymisationSettings(recognizers={"learned": RecognizerSetting(enabled=False)})).names
    registry = default_registry(AnonymisationSettings())
    # Last of the per-turn recognizers: it reads everything the others found in the turn (the
    # transcript recognizers run over all turns after every per-turn one, whatever their place).
    per_turn = {r.name for r in registry if not r.reads_transcript}
    configs = [r["name"] for r in registry.config()["recognizers"] if r["name"] in per_turn]
    assert configs[-1] == "learned"
    assert len(code_digest()) == 64


def test_catches_a_name_the_rules_miss(nlp):
    # A firm named by an unknown lower-case word after "jobber på", in an invented sentence (no
    # gold set holds it): no rule takes it; the model learned the class from other writers' sets.
    text = "jeg jobber på fjordlys fisk nede ved kaia og kona er hjemme"
    at = text.index("fjordlys")
    without = detect([text], default_registry(AnonymisationSettings(
        recognizers={"learned": RecognizerSetting(enabled=False)})), nlp)[0]
    assert not any(d.start <= at < d.end for d in without if d.score >= 0.5)
    found = detect([text], default_registry(AnonymisationSettings()), nlp)[0]
    hits = [d for d in found if d.recognizer == "learned" and d.start <= at < d.end]
    assert [d.type for d in hits] == ["ORGANISASJON"]
    assert all(0.5 <= d.score < 0.75 for d in hits)  # replaced, and always on the review sheet


def test_never_reports_a_keep_term(nlp):
    text = "jeg jobber på fjordlys fisk nede ved kaia og kona er hjemme"
    at = text.index("fjordlys")

    def learned(keep):
        found = detect([text], default_registry(AnonymisationSettings(), keep_terms=keep), nlp)[0]
        return [d for d in found if d.recognizer == "learned" and d.start <= at < d.end]

    assert learned(set())  # the model does flag it ...
    assert learned({"Fjordlys"}) == []  # ... but not where the study keeps the word


def test_never_reports_what_any_allow_list_allows(nlp):
    # An allow list in study.yaml belongs to one recognizer ("strings it never reports"), but it is
    # the study saying the string is no identifier: the model that adds what the others missed
    # must not add it either, alone or inside a run.
    text = "jeg jobber på fjordlys fisk nede ved kaia og kona er hjemme"
    at = text.index("fjordlys")

    def learned(**recognizers):
        settings = AnonymisationSettings(recognizers={k: RecognizerSetting(**v) for k, v in recognizers.items()})
        found = detect([text], default_registry(settings), nlp)[0]
        return [d for d in found if d.recognizer == "learned" and d.start <= at < d.end]

    assert learned()
    assert learned(gazetteer={"allow": ["fjordlys"]}) == []
    assert learned(org_slot={"allow": ["Fjordlys"]}) == []  # case as the key matches it
    assert learned(learned={"allow": ["fjordlys"]}) == []


def test_scores_follow_the_study_settings(nlp):
    from pipeline.anonymise.learned import span_scores

    text = "jeg jobber på fjordlys fisk nede ved kaia og kona er hjemme"
    for min_score, review_below in ((0.5, 0.75), (0.5, 0.6), (0.6, 0.9), (0.55, 0.5)):
        settings = AnonymisationSettings(min_score=min_score, review_below=review_below)
        hits = [d for d in detect([text], default_registry(settings), nlp)[0] if d.recognizer == "learned"]
        assert hits
        assert all(min_score <= d.score for d in hits)  # replaced under the study's own min_score
        if review_below > min_score:
            assert all(d.score < review_below for d in hits)  # and under its review_below
    low, high, review_only = span_scores(0.4, 0.6)
    assert review_only < low <= high < 0.6


def test_every_replacement_is_reviewed_under_the_study_setting(make_study):
    # A study that lowers review_below under the recognizer's old fixed scores (0.5-0.7) still
    # sees every replacement the model caused on its review sheet.
    from pipeline.anonymise import anonymise_stage, export_review
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    import csv

    text = "I: og hvor jobber du\nIP: jeg jobber på fjordlys fisk nede ved kaia og kona er hjemme\n"
    study = load_study(make_study({"a.txt": text}, settings="name: T\nanonymisation:\n  review_below: 0.55\n"))
    ingest_study(study)
    anonymise_stage(study)
    _xlsx, csv_path = export_review(study)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    row = next(r for r in rows if r["original"] == "fjordlys")
    assert row["replaced"] == "ja" and "learned" in row["recognizer"]


def test_adds_nothing_another_recognizer_found(nlp):
    text = "Jeg snakket med Tiril Brekkhus i går."
    found = detect([text], default_registry(AnonymisationSettings()), nlp)[0]
    learned = [d for d in found if d.recognizer == "learned"]
    others = [d for d in found if d.recognizer != "learned" and d.score >= 0.5]
    assert others
    assert not any(a.start < b.end and b.start < a.end for a in learned for b in others)


def test_numbers_are_left_to_the_number_rules_and_ordinary_words_only_reviewed():
    from pipeline.anonymise.learned import LOW_SCORE, REVIEW_ONLY, pick_spans

    text = "Jo i 2007 kom Zorbakken"
    rows = [(0, 2, {"why=plain": 1}), (5, 9, {"digits=4-5": 1}), (14, 23, {"why=none": 1})]
    classes = [OUTSIDE, "PERSON"]
    proba = np.array([[0.0, 1.0]] * 3)  # the model is sure of all three
    spans = pick_spans(text, rows, proba, classes, taken=[], threshold=0.5)
    assert [(text[s:e], score) for s, e, _k, score in spans] == [("Jo", REVIEW_ONLY), ("Zorbakken", 0.7)]
    assert REVIEW_ONLY < LOW_SCORE  # under min_score: listed, not replaced
    # what another recognizer replaced (or a keep term) is never added again
    assert pick_spans(text, rows, proba, classes, taken=[(14, 23)], threshold=0.5) == [(0, 2, "PERSON", REVIEW_ONLY)]


def test_features_never_spell_a_listed_name_or_a_short_word(nlp):
    # Caseless transcripts write names in lower case, where a name may pass as a word: its
    # neighbours' features must still give its shape, and a short word's suffix is not taken
    # (the suffix would be the word).
    text = "og så kom eva og frode fra alta med ida"
    doc = nlp(text)
    names = [feat for _s, _e, feats in token_features(text, doc) for feat in feats]
    for word in ("eva", "frode", "alta", "ida"):
        assert not any(feat.split("=", 1)[-1].split("|")[0] == word or f"_{word}" in feat or f"={word}_" in feat
                       for feat in names), word


def test_the_shipped_weights_hold_no_listed_name():
    from pipeline.anonymise.gazetteer import load_gazetteer

    from pipeline.anonymise.learned import STOP_WORDS

    g = load_gazetteer()
    model = shipped_model()
    for feat in model.vectorizer_.vocabulary_:
        head, _, value = feat.partition("=")
        if head in ("p1", "p2", "n1", "n2", "p21"):
            for word in value.split("_"):
                # spaCy's stop words are a fixed list, not the gold sets' ("hans", "dag", "vår")
                assert not (word.isalpha() and word.islower() and word not in STOP_WORDS
                            and (g.is_first(word) or g.is_last(word) or g.is_place(word))), feat
        if head in ("suf2", "suf3"):
            assert len(value) == int(head[-1]), feat


def _real_turns() -> list[str]:
    """Turns of real transcripts: two of the demo's and the first of two readable gold sets, and
    a lower-cased copy of some (a caseless transcript)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [root / "data" / "raw" / "transcripts" / name for name in ("ansatt1.txt", "ansatt2.txt")]
    files += [sorted((root / "tests" / "data" / name / "transcripts").glob("*.txt"))[0]
              for name in ("anon_gold", "anon_gold_blind")]
    turns = [line for path in files for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return turns + [t.lower() for t in turns[:40]]


def test_fast_scores_equal_the_reference_features(nlp):
    # TokenScorer sums cached weight sums of feature groups; token_features is the definition the
    # model is trained on. On real transcripts, with what the other recognizers found, they agree.
    from pipeline.anonymise.learned import LearnedIdentifierRecognizer, TokenScorer, _Turn, scored_tokens

    model = shipped_model()
    checked = []

    class Checking(LearnedIdentifierRecognizer):
        def analyze(self, text, doc=None, found=()):
            reference = token_features(text, doc, found)
            rows, proba = scored_tokens(text, doc, found, model)
            assert [(s, e) for s, e, _f in rows] == [(s, e) for s, e, _f in reference]
            if reference:
                expected = model.predict_proba([f for _s, _e, f in reference])
                assert np.abs(proba - expected).max() <= 1e-9, text
                # the rows' features (built when read) are the reference dicts, in their order
                assert [list(f.items()) for _s, _e, f in rows] == [list(f.items()) for _s, _e, f in reference]
                # a scorer whose cache empties every few sums scores the same
                small = TokenScorer(model, limit=5)
                again = model.proba_from_scores(small.scores(_Turn(text, doc, found, 0.5)))
                assert np.abs(again - expected).max() <= 1e-9
                checked.append((len(reference), sum(f.get("p1det=PERSON", 0) for _s, _e, f in reference)))
            return super().analyze(text, doc, found)

    registry = default_registry(AnonymisationSettings())
    registry.remove("learned")
    registry.add(Checking())
    detect(_real_turns(), registry, nlp)
    assert sum(n for n, _d in checked) > 2000
    assert sum(d for _n, d in checked) > 0  # detections of the other recognizers were read


def test_turn_columns_are_what_the_tokens_give(nlp):
    # _Turn reads the token attributes as columns (lexeme attributes once per distinct word), not
    # through spaCy Token objects: on real turns every value is what the Tokens give, and the
    # flattened group keys the scorer looks up are groups(k) of each token in order.
    from pipeline.anonymise.learned import _Turn

    seen = 0
    for doc in nlp.pipe(_real_turns()):
        turn = _Turn(doc.text, doc, [], 0.5)
        toks = [t for t in doc if not t.is_space]
        assert turn.words == [t.text for t in toks]
        assert turn.pos == [t.pos_ for t in toks]
        assert turn.ents == [t.ent_type_ or OUTSIDE for t in toks]
        expected = [(t.i, t.idx, t.idx + len(t.text), t.lower_, bool(t.is_sent_start))
                    for t in toks if not t.is_punct and any(c.isalnum() for c in t.text)]
        assert [(toks[i].i, s, e, own[1]) for i, s, e, own, *_x in turn.tokens] == [x[:4] for x in expected]
        assert all(own[5] == (i == 0 or x[4] or turn.words[i - 1] in ".!?:")
                   for (i, _s, _e, own, *_y), x in zip(turn.tokens, expected))
        assert turn.group_keys() == [key for k in range(len(turn.tokens)) for key in turn.groups(k)]
        seen += len(turn.tokens)
    assert seen > 2000


def test_a_name_typed_as_a_date_it_cannot_be_is_listed_for_review_not_dropped(make_study, monkeypatch):
    # The learned model may type a name DATO; fits_its_form refuses that type, and the other
    # recognizers stepped around the span, so it must reach the review sheet rather than vanish.
    import csv

    from pipeline.anonymise import anonymise_stage, export_review
    from pipeline.anonymise import learned
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study

    word = "zorbakken"

    def analyze(self, text, doc=None, found=()):
        at = text.find(word)
        return [self._d(text, at, at + len(word), "DATO", 0.6)] if at >= 0 else []

    monkeypatch.setattr(learned.LearnedIdentifierRecognizer, "analyze", analyze)
    text = f"I: og hvem hjalp dere\nIP: det var {word} som ringte oss hver uke om lånet\n"
    study = load_study(make_study({"a.txt": text}))
    ingest_study(study)
    anonymise_stage(study)
    _xlsx, csv_path = export_review(study)
    rows = [r for r in csv.DictReader(csv_path.open(encoding="utf-8")) if r["original"] == word]
    assert rows and all(r["replaced"] != "ja" for r in rows), rows


def test_its_features_read_the_other_detections_at_the_studys_min_score(nlp, monkeypatch):
    # A detection under the study's min_score is not replaced, so the features that say "a
    # replaced detection on this token" must not call it one.
    from pipeline.anonymise import learned
    from pipeline.anonymise.detection import Detection

    seen = []
    real = learned.scored_tokens

    def recording(text, doc, found, model, min_score=0.5):
        seen.append(min_score)
        return real(text, doc, found, model, min_score)

    monkeypatch.setattr(learned, "scored_tokens", recording)
    text = "jeg jobber på fjordlys fisk nede ved kaia"
    recognizer = learned.LearnedIdentifierRecognizer(min_score=0.7, review_below=0.9)
    recognizer.analyze(text, nlp(text), [Detection(14, 22, "ORGANISASJON", 0.6, "x", "fjordlys")])
    assert seen == [0.7]


def test_a_compound_no_dictionary_lists_whole_is_its_shape(nlp):
    # Street, farm and firm names are compounds of two listed words, which the lexicon's compound
    # analysis takes for a word; as a neighbour such a word must give its shape, never its spelling.
    from pipeline.anonymise.lexicon import in_dictionary, is_word

    street = "furulivegen"
    assert is_word(street) and not in_dictionary(street)  # the class this test is about
    text = f"vi budde i {street} då og han kom"
    feats = [feat for _s, _e, feats in token_features(text, nlp(text)) for feat in feats]
    assert not any(street in feat for feat in feats)
    assert "p1=<low>" in feats  # "då" after it sees its shape


def test_the_shipped_weights_name_the_sets_trained_on_and_no_held_back_one():
    import importlib.util
    import json
    from importlib import resources
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("train_identifier_model",
                                                  root / "tools" / "train_identifier_model.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    shipped = json.loads(resources.files("pipeline.anonymise").joinpath("data", "identifier_model.json")
                         .read_text(encoding="utf-8"))
    trained_on = set(shipped["trained_on"])
    assert len(trained_on) >= 13
    assert trained_on <= set(tool.READABLE)
    assert not trained_on & set(tool.HELD_BACK) and not set(tool.READABLE) & set(tool.HELD_BACK)
    for name in trained_on:
        assert (root / "tests" / "data" / name / "gold").is_dir(), name
