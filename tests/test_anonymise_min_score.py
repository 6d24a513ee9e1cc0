"""The study's ``anonymisation.min_score`` is the one "counts as replaced" cut of every recognizer
that reads the others' detections (``Detection.replaced_at``, passed down by the registry): a
detection the study only lists for review is nothing they build on, and the default changes
nothing. Hand-made detections, so the tests hold for any spaCy pipeline."""

from __future__ import annotations

import pytest

from pipeline.anonymise.detection import MIN_SCORE, NUMMER, PERSON, STED, Detection
from pipeline.anonymise.registry import builtin_recognizers
from pipeline.settings import AnonymisationSettings


def recognizer(name: str, min_score: float | None = None):
    settings = AnonymisationSettings() if min_score is None else AnonymisationSettings(min_score=min_score)
    return next(r for r in builtin_recognizers([], set(), settings) if r.name == name)


def at(text: str, part: str, kind: str, score: float) -> Detection:
    start = text.index(part)
    return Detection(start, start + len(part), kind, score, "ner", part)


# (recognizer, text, the detection the others gave, what the recognizer builds on it)
CASES = [
    ("name_part", "Vi snakket med Tor Egil Strand i går. Strand mente det var greit.",
     ("Tor Egil Strand", PERSON), "Strand"),
    ("name_neighbour", "Det var veilederen Amira haddad som ringte meg", ("Amira", PERSON), "Amira haddad"),
    ("coordination", "og så kom jonas og Ingvild på besøk", ("Ingvild", PERSON), "jonas"),
    ("place_coordination", "vi har bodd på tiller og byåsen og lade før", ("tiller", STED), "byåsen"),
    ("number_form", "det står på brevet, ref AB 77412 tror jeg", ("77412", NUMMER), "AB 77412"),
]


@pytest.mark.parametrize("name,text,given,built", CASES, ids=[c[0] for c in CASES])
def test_a_detection_under_the_studys_min_score_is_nothing_to_build_on(name, text, given, built):
    found = [at(text, given[0], given[1], 0.55)]
    # The default study (min_score 0.5) replaces the 0.55 detection, and the recognizer builds on it.
    assert built in {d.text for d in recognizer(name).analyze(text, None, found)}
    # At min_score 0.6 the same detection is only listed for review: nothing is built on it ...
    assert built not in {d.text for d in recognizer(name, 0.6).analyze(text, None, found)}
    # ... and a detection over 0.6 is built on again.
    found = [at(text, given[0], given[1], 0.65)]
    assert built in {d.text for d in recognizer(name, 0.6).analyze(text, None, found)}


def test_every_recognizer_that_reads_detections_is_given_the_studys_min_score():
    readers = [r for r in builtin_recognizers([], set(), AnonymisationSettings(min_score=0.6)) if r.reads_detections]
    assert len(readers) >= 9
    assert {r.name: r.min_score for r in readers} == {r.name: 0.6 for r in readers}
    # The setting is part of what keys the detection cache.
    assert all(r.params()["min_score"] == 0.6 for r in readers)
    assert AnonymisationSettings().min_score == MIN_SCORE
    assert all(r.min_score == MIN_SCORE for r in builtin_recognizers([], set()) if r.reads_detections)


def test_replaced_at_is_the_merge_cut():
    d = Detection(0, 4, PERSON, 0.55, "ner", "Tove")
    assert d.replaced_at(0.5) and d.replaced_at(0.55) and not d.replaced_at(0.6)
