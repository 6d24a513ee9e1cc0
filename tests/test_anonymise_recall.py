"""Recall rules added after the blind gold set (docs/anonymisation.md, "Recall rules"): case numbers,
spoken e-mail and dates, cue and coordination names, lower-case transcripts. Each test also checks
the near miss the rule must leave alone."""

from __future__ import annotations

import pytest

from pipeline.anonymise.recognizers import CaseNumberRecognizer, DateRecognizer, EmailRecognizer


def found(recognizer, text, doc=None):
    return [(d.text, d.type) for d in recognizer.analyze(text, doc)]


# -------------------------------------------------------------- case numbers

@pytest.mark.parametrize("text,number", [
    # A cue right before its number belongs to the span (set 5's marking: "saksnr. 21/03318").
    ("Her står det, saksnummer 14/03318-2, fra Boligkontoret.", "saksnummer 14/03318-2"),
    ("vedtaket hadde nummer 16/11873, tror jeg", "16/11873"),
    ("saksnummer fra Husbanken, 201609871. Alt er her", "201609871"),
    ("referansenr. AB12345 står øverst", "referansenr. AB12345"),
    ("journalnummer 2019/123456-12", "journalnummer 2019/123456-12"),
])
def test_case_numbers(text, number):
    assert found(CaseNumberRecognizer(), text) == [(number, "SAKSNUMMER")]


@pytest.mark.parametrize("text", ["vi kom i 05/2015", "åpent 24/7", "50/50 sjanse",
                                  "saksnummeret husker jeg ikke. Men i 2015 betalte vi 20000"])
def test_not_case_numbers(text):
    assert found(CaseNumberRecognizer(), text) == []


# -------------------------------------------------------------- spoken e-mail

@pytest.mark.parametrize("text,address", [
    ("ring meg, eller send e-post, krzysiek punktum nowak syttifire krøllalfa gmail punktum com",
     "krzysiek punktum nowak syttifire krøllalfa gmail punktum com"),
    ("e-posten min er kari.hansen alfakrøll online punktum no.", "kari.hansen alfakrøll online punktum no"),
    ("skriv til ola alfakrøll hotmail.com", "ola alfakrøll hotmail.com"),
])
def test_spoken_email(text, address):
    assert found(EmailRecognizer(), text) == [(address, "EPOST")]


def test_at_word_without_domain_is_no_email():
    assert found(EmailRecognizer(), "han sa at krøllalfa er vanskelig å si") == []


# -------------------------------------------------------------- spoken dates

@pytest.mark.parametrize("text,date", [
    ("Æ e født på valentinsdagen, fjortende februar nittenfemtiåtte, så", "fjortende februar nittenfemtiåtte"),
    ("vi flyttet tredje mai to tusen og ni", "tredje mai to tusen og ni"),
    ("den tjueførste juni 2003 kom vi", "den tjueførste juni 2003"),
])
def test_spoken_full_dates(text, date):
    assert found(DateRecognizer(), text) == [(date, "DATO")]


@pytest.mark.parametrize("text", ["andre mars nitten ganger", "andre mai tjue ganger", "første mai var fint"])
def test_ordinal_and_month_without_a_year_are_no_date(text):
    assert found(DateRecognizer(), text) == []


# ---------------------------------------------------------- gazetteer groups

@pytest.fixture(scope="module")
def nlp():
    from pipeline.nlp import load_nlp

    return load_nlp()


def names(recognizer, nlp, text, kind="PERSON"):
    return [d.text for d in recognizer.analyze(text, nlp(text)) if d.type == kind and d.score >= 0.5]


def test_gazetteer_knows_polish_hypocoristics_filipino_sami_and_tamil_names(nlp):
    from pipeline.anonymise.gazetteer import load_gazetteer
    from pipeline.anonymise.recognizers import GazetteerRecognizer

    g = load_gazetteer()
    for first in ("Kasia", "Gosia", "Tomek", "Wojtek", "Maricel", "Rodel", "Máret", "Áslat", "Meena", "Ganesh"):
        assert g.is_first(first), first
    for last in ("Bautista", "Hætta", "Selvarajah", "Huynh", "Kwiatkowski"):
        assert g.is_last(last), last
    # A hypocoristic in a lower-case transcription is found like any other lower-case name.
    assert "tomek" in names(GazetteerRecognizer(), nlp, "ja og tomek kom også, han jobber der")


def test_possessive_after_a_relation_word_is_no_name(nlp):
    from pipeline.anonymise.recognizers import GazetteerRecognizer

    # "Vår" is now a first name; "naboen vår" is still "our neighbour".
    assert names(GazetteerRecognizer(), nlp, "Naboen vår, Gunnar, han er pensjonist.") == ["Gunnar"]


# ------------------------------------------------------------ name slots (cues.py)

def cue(text):
    """What the cue recognizer finds; a word that counts only in a lower-case transcript is marked "?"."""
    from pipeline.anonymise.cues import CueNameRecognizer, caseless_name

    return [(d.text + ("?" if d.recognizer.endswith("_lower") else ""), d.type)
            for d in CueNameRecognizer().analyze(text)
            if d.score >= 0.5 or (d.recognizer.endswith("_lower") and caseless_name(d))]


@pytest.mark.parametrize("text,expected", [
    ("flott, tusen takk krzysiek", [("krzysiek", "PERSON")]),            # a gazetteer name in lower case
    ("flott, tusen takk wiesiek", [("wiesiek?", "PERSON")]),             # no Norwegian word: a lower-case transcript decides
    ("Tusen takk, Sol. Kan jeg ringe deg?", [("Sol", "PERSON")]),        # an ordinary-word name, capitalised
    ("IP: takk selv", []), ("Takk, flott kjøkken.", []), ("tusen takk for nå", []),
])
def test_vocative_after_thanks(text, expected):
    assert cue(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("og vi har to barn, kuba og Zosia", [("kuba", "PERSON"), ("Zosia", "PERSON")]),
    ("Gifta mæ med Nils, og vi fikk to unga, Vår og Ánte.", [("Vår", "PERSON"), ("Ánte", "PERSON")]),
    ("vi har to barn, en gutt og ei jente", []), ("to barn, gutt og jente", []),
])
def test_children_listed_after_a_kinship_word(text, expected):
    assert cue(text) == expected


def test_left_dislocation_family_and_employer():
    assert cue("Marites, hun kom fra Filippinene.") == [("Marites", "PERSON")]
    assert cue("Datteren, hun var tolv. Uansett, han kom.") == []
    assert cue("Ja, en del. Familien Nguyen på Kvaløysletta") == [("Nguyen", "PERSON")]
    assert cue("Familien min bor der.") == []
    # In lower case a listed surname after "familien" is the family's name; another word is what it does.
    assert cue("vi ble kjent med familien johansen i oppgangen") == [("johansen", "PERSON")]
    assert cue("så flytta familien inn i fjor, familien deres òg") == []
    assert cue("Han jobbe hos Bygg og Bad Nord på Finnsnes.") == [("Bygg og Bad Nord", "ORGANISASJON")]
    assert cue("Hun fikk jobb i Drammen. På et lager.") == []           # a place, and no name across a full stop
    assert cue("Jeg jobber i NAV og i Norge.") == []                    # acronyms and countries: keep terms decide
    assert cue("og nå jeg jobber i nordbygg, det er byggfirma") == [("nordbygg?", "ORGANISASJON")]
    assert set(cue("og nå jeg jobber i Nordbygg, det er byggfirma")) == {("Nordbygg", "ORGANISASJON")}
    assert cue("vi kjøpte fra boligbyggelaget, det er et selskap") == []  # a definite common noun explained


def test_a_sentence_opening_first_name_paired_with_a_full_name():
    from pipeline.anonymise.cues import coordinated_names
    from pipeline.anonymise.recognizers import Detection

    def at(text, word, score, rec="t"):
        i = text.index(word)
        return Detection(i, i + len(word), "PERSON", score, rec, word)

    # "X og Y Z": the capital of X opens a sentence, but the pair's form makes it the first name,
    # also where the model listed it for review only (0.45, under min_score: not taken).
    text = "Vedtak 3: Torgeir og Lise Bakke, Bakkevegen 4."
    got = coordinated_names(text, [at(text, "Torgeir", 0.45, "ner_initial"), at(text, "Lise Bakke", 0.95)])
    assert [(d.text, d.score) for d in got] == [("Torgeir", 0.7)]
    # A kin noun, a plural, a frequent word; a single name after og: no pair.
    for text in ("Svogeren og Lise Bakke kom.", "Barna og Lise Bakke kom.", "Mamma og Lise Bakke kom."):
        assert coordinated_names(text, [at(text, "Lise Bakke", 0.95)]) == []
    # An unlisted word that is a dictionary word or compound, opening the sentence before a single
    # name: no pair. A listed first name there ("Ola og Lise kom.") is paired by the listed-name rule.
    text = "Gudbrand og Lise kom."
    assert coordinated_names(text, [at(text, "Lise", 0.95)]) == []
    text = "Ola og Lise kom."
    assert [d.text for d in coordinated_names(text, [at(text, "Lise", 0.95)])] == ["Ola"]


def test_coordination_with_a_detected_person():
    from pipeline.anonymise.cues import caseless_name, coordinated_names
    from pipeline.anonymise.recognizers import Detection

    def person(text, word):
        i = text.index(word)
        return Detection(i, i + len(word), "PERSON", 0.85, "t", word)

    text = "vi har to barn, kuba og Zosia"
    assert [d.text for d in coordinated_names(text, [person(text, "Zosia")])] == ["kuba"]
    text = "Ahmad og jeg dro, og Vår og Mamma kom, og Kari og banken"
    got = coordinated_names(text, [person(text, "Ahmad"), person(text, "Vår"), person(text, "Kari")])
    # a pronoun, a capitalised ordinary word that is no first name, a common noun (a candidate for a
    # lower-case transcript only, where the lexicon rejects it)
    assert [d.text for d in got if d.score >= 0.5 or caseless_name(d)] == []
    text = "vi har to barn, wiesiek og Zosia"
    assert [(d.text, d.recognizer) for d in coordinated_names(text, [person(text, "Zosia")])
            if caseless_name(d)] == [("wiesiek", "coordination_lower")]


def test_possessive_of_an_ordinary_word_name_matches_first_in_a_sentence():
    from pipeline.anonymise.matcher import StringMatcher

    m = StringMatcher([("Sol", "PERSON")])
    assert [x.original for x in m.find("Sols kontor va rett ved bussen.")] == ["Sol"]
    assert m.find("Sol skinner. Vi hadde sol hele dagen.") == []


# ------------------------------------------------------- lower-case transcripts

def test_lower_case_transcript_is_recognised():
    from pipeline.anonymise.stage import lower_case_transcript

    assert lower_case_transcript(["ja jeg heter kasia. vi kom i 2008", "ok. det var fint. takk. [latter] ja"])
    assert not lower_case_transcript(["Ja, jeg heter Kasia. Vi kom i 2008.", "Ok. det var fint. Takk. Ja."])
    assert not lower_case_transcript(["ja jeg heter kasia"])  # too little to tell


LOWER = ("I: ok da er vi i gang. kan du si litt om deg selv\n"
         "IP: ja. vi ringte til nav og fikk møte med sol, hun var prosjektmedarbeider. aga leste brevet, hun er "
         "flink. det var sol hele dagen. ok\n"
         "I: flott. tusen takk wiesiek\n")
CAPITALISED = ("I: Hvem hjalp deg?\n"
               "IP: Sol Hansen i NAV hjalp meg. Det var sol hele dagen, og eva leste hun.\n")


def test_lower_case_transcript_names_in_the_stage(make_study):
    from pipeline.anonymise import anonymise_stage
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    from pipeline.store import StudyStore

    settings = "name: T\ngroups: [stayed, staff]\ngroup_labels: {stayed: kjøper, staff: ansatt}\n"
    informants = "id,file,group,name\n1,a.txt,stayed,Kasia Nowak\nS1,b.txt,staff,Sol Hansen\n"
    study = load_study(make_study({"a.txt": LOWER, "b.txt": CAPITALISED}, informants=informants, settings=settings))
    ingest_study(study)
    anonymise_stage(study)
    with StudyStore(study.store_path) as store:
        out = {raw: " ".join(s.text for s in store.segments() if s.file == shared)
               for raw, shared in (("a.txt", "1.txt"), ("b.txt", "S1.txt"))}
    # The informant "Sol" in lower case where the sentence is about a person; a short lower-case
    # first name with a pronoun after it, in a transcript written in lower case.
    assert "møte med ansatt S1, hun" in out["a.txt"] and "aga" not in out["a.txt"]
    assert "wiesiek" not in out["a.txt"]  # no Norwegian word, thanked: a name where case says nothing
    assert "det var sol hele dagen" in out["a.txt"]  # the sun
    # In a capitalised transcript a lower-case word of the lexicon ("eva" is one) is that word
    # before it is a name on a list or a model's guess (issue 10: never replaced on a list match
    # alone): it stays unless the pipeline's own NER tags it (one trained on lower-cased text
    # does), and as a first name before "leste hun" it is on the review sheet either way, for a
    # person to decide.
    import csv

    from pipeline.anonymise import export_review
    from pipeline.nlp import load_nlp

    turn = CAPITALISED.split("IP: ")[1].strip()  # the stage runs NER over whole turns
    ner_sees_eva = any(e.text == "eva" for e in load_nlp(study.settings.model)(turn).ents)
    assert "Det var sol hele dagen, og " in out["b.txt"]
    assert "eva leste hun" in out["b.txt"] or ner_sees_eva
    _xlsx, sheet = export_review(study)
    rows = [r for r in csv.DictReader(sheet.open(encoding="utf-8")) if r["original"] == "eva"]
    assert rows and all(r["replaced"] == ("nei" if "eva leste hun" in out["b.txt"] else "ja") for r in rows)


# ------------------------------------------------ the (formerly) blind gold set

def test_former_blind_gold_set_meets_targets():
    """tests/data/anon_gold_blind was written without seeing the anonymiser; the rules above were
    added after looking at its misses, so it is no longer blind — kept here as a regression check."""
    from pathlib import Path

    from pipeline.evaluate import evaluate_anonymisation

    result = evaluate_anonymisation(Path(__file__).resolve().parent / "data" / "anon_gold_blind")
    assert result.direct.recall >= 0.98 and result.total.recall >= 0.95 and result.total.precision >= 0.85
    assert result.leaks == 0
