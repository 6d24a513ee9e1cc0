"""Precision that respects the study's own words (issue 10 item 4, issue 18): an ordinary word in
lower case is never a name on a list match alone, one false detection does not spread through the
key, the guard does not refuse the study's ordinary words, and defaults keep no study site."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.anonymise import anonymise_stage, export_review, require_guard
from pipeline.ingest import ingest_study
from pipeline.settings import AnonymisationSettings, load_study
from pipeline.store import StudyStore

REPO = Path(__file__).resolve().parents[1]


def texts(study) -> str:
    with StudyStore(study.store_path) as store:
        return "\n".join(s.text for s in store.segments())


@pytest.fixture
def route_study(make_study):
    # "ruta" is the carers' driving route; once, the name slot "naboen Ruta, hun" makes it a person.
    a = ("I: Hvem hjalp?\nIP: Det var naboen Ruta, hun kom hver dag. Og Ruta hadde bil.\n")
    b = ("I: Hvordan er dagen?\nIP: Vi kjører ruta hver morgen, og ruta er lang. Etter ruta spiser vi.\n"
         "IP: Når ruta blir endret, sier vi fra.\n")
    study = load_study(make_study({"a.txt": a, "b.txt": b}))
    ingest_study(study)
    anonymise_stage(study)
    return study


def test_one_detection_of_an_ordinary_word_does_not_spread(route_study):
    out = texts(route_study)
    assert "Ruta" not in out  # the person, capitalised mid-sentence
    assert out.count("ruta") == 4  # the route, in lower case, in the other transcript


def test_ordinary_word_replacements_go_to_review_with_their_count(route_study):
    _xlsx, csv_path = export_review(route_study)
    rows = [r for r in csv.DictReader(csv_path.open(encoding="utf-8")) if r["original"] == "Ruta"]
    assert rows and all(r["replaced"] == "ja" for r in rows)
    assert {r["count"] for r in rows} == {"2"}


def test_guard_does_not_refuse_the_study_s_ordinary_word(route_study):
    guard = require_guard(route_study)
    guard("kode,beskrivelse\nRuta,Kjøreruta: ruta er lang. Ruta endres ofte.\n", route_study.coded_dir / "codebook.csv")
    from pipeline.errors import LeakError

    with pytest.raises(LeakError):
        guard("Vi snakket med Ruta i går.", route_study.coded_dir / "x.csv")


@pytest.mark.parametrize("text", ["vi tok ruta hjem i går", "det er ei anna sak", "han fekk brev frå kommunen"])
def test_lower_case_ordinary_word_is_no_name_by_list_or_relation_alone(text):
    from pipeline.anonymise.recognizers import ContextNameRecognizer, GazetteerRecognizer
    from pipeline.nlp import load_nlp

    doc = load_nlp("auto")(text)
    found = GazetteerRecognizer().analyze(text, doc) + ContextNameRecognizer().analyze(text, doc)
    assert [d.text for d in found if d.score >= 0.5] == []


def test_sentence_initial_dictionary_word_is_a_name_only_in_a_person_context(make_study):
    text = ("I: Fortell.\nIP: Adressa er Storgata 5. Vindauga er gamle. Hamse er fjorten, han går på skolen.\n"
            "IP: Hamse liker det.\n")
    study = load_study(make_study({"a.txt": text}))
    ingest_study(study)
    anonymise_stage(study)
    out = texts(study)
    assert "Adressa er" in out and "Vindauga er" in out and "Hamse" not in out


def test_default_keep_terms_hold_no_study_site():
    defaults = AnonymisationSettings().keep_terms
    assert not {"Trondheim", "Trondheim kommune", "Boligkontoret", "Østlandet"} & set(defaults)
    assert {"NAV", "Husbanken", "Norge"} <= set(defaults)
    demo = (REPO / "study.yaml").read_text(encoding="utf-8")
    assert "Trondheim kommune" in demo  # the demo keeps its own site itself
