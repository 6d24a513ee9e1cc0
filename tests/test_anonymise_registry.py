"""The recognizer registry: declared components, study.yaml configuration, the cache key, no import cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.anonymise.detection import TYPES
from pipeline.anonymise.registry import DenyListRecognizer, RecognizerRegistry, default_registry
from pipeline.errors import QualpipeError
from pipeline.settings import AnonymisationSettings

REPO = Path(__file__).resolve().parents[1]
TEXT = ("Jeg heter Kari Nordmann, bor i Lillegårdsbakken 3, 7045 Trondheim. Ring 924 18 337 eller skriv til "
        "kari@example.no. Fødselsnummer 14086327164, saksnummer 2013/14872, født 3. mars 1968. "
        "Naboen Tsegereda og Zosia jobber hos Nidarbygg AS.")


def settings(**recognizers) -> AnonymisationSettings:
    return AnonymisationSettings.model_validate({"recognizers": recognizers})


def test_every_recognizer_declares_name_version_and_entities():
    registry = default_registry(settings())
    assert len(set(registry.names)) == len(registry.names) >= 10
    for recognizer in registry:
        assert recognizer.name and recognizer.version
        assert recognizer.supported_entities and set(recognizer.supported_entities) <= set(TYPES)


def test_detections_stay_within_the_declared_entities():
    registry = default_registry(settings())
    for recognizer in registry:
        if recognizer.needs_doc or recognizer.reads_detections:
            continue
        for d in recognizer.analyze(TEXT):
            assert d.type in recognizer.supported_entities, (recognizer.name, d)


def test_add_and_remove_by_name():
    registry = RecognizerRegistry()
    registry.add(DenyListRecognizer("bydeler", "STED", ["Lademoen"]))
    with pytest.raises(ValueError, match="bydeler"):
        registry.add(DenyListRecognizer("bydeler", "STED", ["Rosenborg"]))
    assert [d.text for d in registry.analyze("Vi bodde på Lademoen, ikke på Rosenborg.")] == ["Lademoen"]
    registry.remove("bydeler")
    assert registry.analyze("Vi bodde på Lademoen.") == []


def test_study_settings_switch_off_allow_and_deny():
    off = default_registry(settings(phone={"enabled": False}))
    assert "phone" not in off and "email" in off
    assert not any(d.type == "TELEFON" for d in off.analyze("Ring 924 18 337."))
    allowed = default_registry(settings(email={"allow": ["kari@example.no"]}))
    assert not any(d.type == "EPOST" for d in allowed.analyze("skriv til kari@example.no"))
    assert any(d.type == "EPOST" for d in allowed.analyze("skriv til ola@example.no"))
    deny = default_registry(settings(bydeler={"entity": "STED", "deny": ["Lademoen"]}))
    assert [(d.text, d.type, d.score) for d in deny.analyze("Vi bodde på lademoen.") if d.recognizer == "bydeler"] \
        == [("lademoen", "STED", 1.0)]


def test_bad_recognizer_settings_name_the_setting(tmp_path):
    source = tmp_path / "study.yaml"
    with pytest.raises(QualpipeError, match="anonymisation.recognizers.telefon: no built-in recognizer"):
        default_registry(settings(telefon={"enabled": False}), source=source)
    with pytest.raises(QualpipeError, match="entity must be one of"):
        default_registry(settings(mine={"entity": "NAME", "deny": ["x"]}), source=source)
    with pytest.raises(QualpipeError, match="built-in recognizer"):
        default_registry(settings(ner={"entity": "PERSON", "deny": ["x"]}), source=source)


def test_cache_key_follows_the_registry_configuration(make_study):
    from pipeline.anonymise.stage import detection_config
    from pipeline.settings import load_study

    study = load_study(make_study({"a.txt": "I: Hei\nIP: Hei\n"}))
    base = detection_config(study, default_registry(study.settings.anonymisation))
    assert base == detection_config(study, default_registry(study.settings.anonymisation))
    changed = [default_registry(settings(ner={"enabled": False})),
               default_registry(settings(gazetteer={"allow": ["ruta"]})),
               default_registry(settings(bydeler={"entity": "STED", "deny": ["Lademoen"]})),
               default_registry(AnonymisationSettings(ner_labels=["PER"])),
               default_registry(settings(), keep_terms={"Lademoen"})]
    keys = {detection_config(study, r) for r in changed}
    assert base not in keys and len(keys) == len(changed)


def test_deny_list_reaches_the_stage(make_study):
    from pipeline.anonymise import anonymise_stage
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    from pipeline.store import StudyStore

    root = make_study({"a.txt": "I: Hvor bodde du?\nIP: Vi bodde på Lademoen lenge, og lademoen var fint.\n"},
                      settings="anonymisation:\n  recognizers:\n    bydeler: {entity: STED, deny: [Lademoen]}\n")
    study = load_study(root)
    ingest_study(study)
    anonymise_stage(study)
    with StudyStore(study.store_path) as store:
        text = " ".join(s.text for s in store.segments())
    assert "ademoen" not in text and "[STED_1]" in text


def test_cues_and_recognizers_import_without_a_cycle():
    code = ("import sys, pipeline.anonymise.cues as c; "
            "assert 'pipeline.anonymise.recognizers' not in sys.modules, 'cues imports recognizers'; "
            "import pipeline.anonymise.recognizers as r; assert 'pipeline.anonymise.cues' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    code = "import sys, pipeline.anonymise.recognizers; assert 'pipeline.anonymise.cues' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_the_always_reviewed_recognizers_follow_the_registry_as_it_changes():
    from pipeline.anonymise.detection import Detection, Recognizer
    from pipeline.settings import AnonymisationSettings

    class Reviewed(Recognizer):
        name = "second_opinion"
        always_review = True

    registry = default_registry(AnonymisationSettings())
    learned = Detection(0, 3, "PERSON", 0.6, "gazetteer+learned", "Ola")
    own = Detection(0, 3, "PERSON", 0.6, "second_opinion_lower", "Ola")
    assert registry.always_reviewed(learned) and not registry.always_reviewed(own)
    registry.add(Reviewed())
    assert registry.always_reviewed(own)
    registry.remove("learned")
    registry.remove("second_opinion")
    assert not registry.always_reviewed(learned) and not registry.always_reviewed(own)
