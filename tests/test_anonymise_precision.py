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

from conftest import NEUTRAL_CODEBOOK

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


# ------------------------------------- one false detection does not spread (issue 18)
# The detections are given by hand, so these hold whatever entities a pipeline finds: a pipeline
# that tags an ordinary word once (nb_norne_sm 1.1.0 tags the valuation "takst" as an organisation
# in "kom takst, én million") must not have the key replace the word study-wide.

CODEBOOK_WITH_TERM = NEUTRAL_CODEBOOK.replace("patterns: [tid, vente]", "patterns: [tid, vente, takst]")


def _detection(text: str, form: str, kind: str, nth: int = 0, score: float = 0.85):
    from pipeline.anonymise.detection import Detection

    start = -1
    for _ in range(nth + 1):
        start = text.index(form, start + 1)
    return Detection(start, start + len(form), kind, score, "ner", form)


def _anonymise(make_study, turns: dict[str, list[tuple[str, list]]], codebook: str | None = None):
    """The stage's key and replacement steps over hand-made detections; (outputs, guard)."""
    from pipeline.anonymise.guard import guard_for_key
    from pipeline.anonymise.stage import Anonymiser, fresh_key

    study = load_study(make_study({f: "I: Ja?\nIP: Ja.\n" for f in turns}, codebook=codebook))
    anon = Anonymiser(study, fresh_key(study), {})
    outputs = anon.anonymise_study_texts(turns)
    return {f: [r.text for r in results] for f, results in outputs.items()}, outputs, \
        guard_for_key(study, anon.key.to_json()), study


def test_a_lower_case_ordinary_word_detected_once_is_replaced_there_only(make_study):
    t1 = "Og så kom takst, én million."
    t2, t3, t4 = "Takst var én million.", "Vi fikk kjøpe til takst.", "Takst og salgsoppgave, det står så mye."
    texts, outputs, guard, study = _anonymise(make_study, {
        "a.txt": [(t1, [_detection(t1, "takst", "ORGANISASJON")]), (t2, [])],
        "b.txt": [(t3, []), (t4, [])]})
    assert "takst" not in texts["a.txt"][0]  # where the pipeline found it: replaced ...
    assert [r["replaced"] for r in outputs["a.txt"][0].review] == [True]  # ... and for review
    assert texts["a.txt"][1] == t2 and texts["b.txt"] == [t3, t4]  # nowhere else
    # The guard agrees: the word opening a sentence, a list item or a CSV field is no leak.
    for text in (t2, "<ul>\n<li>Takst, takstmann og verdivurdering.</li>", "<td>discount</td><td>Takst</td>",
                 "- Takst var lav.",
                 "kode,tekst\ndiscount,Takst og rabatt\n"):
        guard(text, study.coded_dir / "x.csv")


def test_the_guard_refuses_the_word_written_as_a_name_unless_it_is_the_codebook_s_term(make_study):
    from pipeline.errors import LeakError

    t1 = "Og så kom takst, én million."
    turns = {"a.txt": [(t1, [_detection(t1, "takst", "ORGANISASJON")])]}
    texts, _outputs, guard, study = _anonymise(make_study, turns)
    mid = "Vi ringte til Takst i går."
    with pytest.raises(LeakError) as refused:
        guard(mid, study.coded_dir / "x.csv", "codebook code time")
    message = str(refused.value)
    # It names the type, where the string came from and the review step, never the string.
    assert "ORGANISASJON (detected in the transcripts, not yet reviewed, an ordinary word)" in message
    assert "codebook code time" in message and "qualpipe anonymise --review" in message
    assert "takst" not in message.lower().replace("--review", "")

    # The same detection where the codebook uses the word: the researchers' term is no identifier.
    _texts, _outputs, guard, study = _anonymise(make_study, turns, codebook=CODEBOOK_WITH_TERM)
    guard(mid, study.coded_dir / "x.csv")
    guard("<p><strong>Takst</strong> er verdien.</p> Prisen var under Takst.", study.reports_dir / "rapport.html")


def test_an_ordinary_word_that_is_a_name_is_still_caught_where_it_names_someone(make_study):
    # "ruta" is also the route; written as a name once ("naboen Ruta"), the key replaces the person
    # wherever she is written capitalised, also opening a sentence, and never the route.
    t1, t2 = "Det var naboen Ruta som kom hver dag.", "Ruta kom i går også."
    t3, t4 = "Vi kjører ruta hver morgen.", "Og Ruta hadde bil."
    texts, _outputs, guard, study = _anonymise(make_study, {
        "a.txt": [(t1, [_detection(t1, "Ruta", "PERSON")]), (t2, [])],
        "b.txt": [(t3, []), (t4, [])]}, codebook=NEUTRAL_CODEBOOK.replace("[tid, vente]", "[tid, vente, ruta]"))
    assert "Ruta" not in texts["a.txt"][0] + texts["a.txt"][1] + texts["b.txt"][1]
    assert texts["b.txt"][0] == t3


def test_an_ordinary_word_detected_only_in_lower_case_is_caught_as_a_person_in_a_person_context(make_study):
    from pipeline.errors import LeakError

    t1 = "Vi snakket med sol om det."
    t2, t3, t4 = "Sol var der også, hun smilte.", "Sol skinte hele dagen.", "Da kom Sol inn."
    texts, outputs, guard, study = _anonymise(make_study, {
        "a.txt": [(t1, [_detection(t1, "sol", "PERSON")]), (t2, []), (t3, []), (t4, [])]})
    a = texts["a.txt"]
    assert "sol" not in a[0] and not a[1].startswith("Sol") and not a[3].endswith("Sol inn.")
    assert a[2] == t3  # the sun
    assert all(item["replaced"] for r in outputs["a.txt"][1:2] for item in r.review) and outputs["a.txt"][1].review
    with pytest.raises(LeakError):
        guard("Da kom Sol inn.", study.coded_dir / "x.csv")
    guard("Sol skinte. Det var sol.", study.coded_dir / "x.csv")


def test_a_compound_term_of_the_codebook_written_in_lower_case_is_no_name(make_study):
    # "startlånet" is in no dictionary whole; the codebook uses it and a transcript writes it in
    # lower case, so one detection of it as a place does not make the guard refuse the codebook's
    # text in the report, and the key does not spread it. A compound the codebook does not use
    # stays a name ("Solberg" below), and so does the term written as a name in a name slot.
    from pipeline.errors import LeakError

    codebook = NEUTRAL_CODEBOOK.replace("patterns: [tid, vente]", "patterns: [tid, vente, startlånet]")
    t1, t2 = "Så kom Startlånet i posten, sa hun.", "Vi fikk startlånet til slutt."
    t3 = "Vi bodde hos Solberg i ett år."
    texts, _outputs, guard, study = _anonymise(make_study, {
        "a.txt": [(t1, [_detection(t1, "Startlånet", "STED")]), (t2, [])],
        "b.txt": [(t3, [_detection(t3, "Solberg", "PERSON")])]}, codebook=codebook)
    assert "Startlånet" not in texts["a.txt"][0]  # where it was detected: replaced, for review
    assert texts["a.txt"][1] == t2
    guard("<li>Startlånet som finansiering og beløp.</li>", study.reports_dir / "rapport.html")
    with pytest.raises(LeakError):
        guard("Vi møtte Solberg.", study.reports_dir / "rapport.html")


def test_a_name_run_into_the_next_clause_leaves_the_clause_word_out_of_the_key(make_study):
    # Captions without sentence punctuation: the detected name runs into the next clause's first
    # word. The name is replaced; "Han", "Ja" and "og" are neither replaced nor spread study-wide.
    t1 = "Det var han fra NAV Mattis Aira Han er veldig grei"
    t2 = "Ja Luca s beste venn kommer på besøk"
    t3 = "Han sa at det var greit. Ja, og han kom igjen."
    texts, outputs, guard, study = _anonymise(make_study, {
        "a.vtt": [(t1, [_detection(t1, "Mattis Aira Han", "PERSON")]), (t2, [_detection(t2, "Ja Luca", "PERSON")])],
        "b.txt": [(t3, [])]})
    assert "Mattis" not in texts["a.vtt"][0] and "Aira" not in texts["a.vtt"][0]
    assert texts["a.vtt"][0].endswith("] Han er veldig grei") and texts["a.vtt"][0].startswith("Det var han fra NAV [")
    assert texts["a.vtt"][1].startswith("Ja [") and "Luca" not in texts["a.vtt"][1]
    assert texts["b.txt"] == [t3]
    guard(t3, study.coded_dir / "x.csv")  # the clause words are no identifiers of the study
    from pipeline.errors import LeakError

    with pytest.raises(LeakError):
        guard("Mattis kom", study.coded_dir / "x.csv")


@pytest.mark.parametrize("span,kept", [("Mattis Aira Han", "Mattis Aira"), ("Ja Luca", "Luca"),
                                       ("og Kari Nordmann", "Kari Nordmann"), ("Kari Nordmann", "Kari Nordmann"),
                                       ("Han", "Han"), ("og så", None)])
def test_clause_words_are_trimmed_from_the_edges_of_a_name(span, kept):
    from pipeline.anonymise.analyzer import trim_clause_words
    from pipeline.anonymise.detection import Detection

    text = f"Det var {span} her"
    start = text.index(span)
    trimmed = trim_clause_words(text, Detection(start, start + len(span), "PERSON", 0.9, "ner", span))
    assert (trimmed.text if trimmed else None) == kept
    if trimmed:
        assert text[trimmed.start:trimmed.end] == kept


def test_a_name_the_key_holds_already_is_taken_whole_even_with_a_clause_word_in_it(make_study):
    # The informant is "Han Li": the detected name is the key's own, so "Han" is not cut off it.
    from pipeline.anonymise.stage import Anonymiser, fresh_key

    text = "Det var Han Li som ringte"
    study = load_study(make_study({"a.txt": "I: Ja?\nIP: Ja.\n"},
                                  informants="id,file,group,name\n1,a.txt,stayed,Han Li\n"))
    anon = Anonymiser(study, fresh_key(study), {})
    outputs = anon.anonymise_study_texts({"a.txt": [(text, [_detection(text, "Han Li", "PERSON")])]})
    out = outputs["a.txt"][0].text
    assert "Han" not in out and "Li" not in out, out
