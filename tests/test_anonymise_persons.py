"""Initials, names with particles, a detected name said again, a name split in syllables (persons.py)."""

from __future__ import annotations

import pytest

from pipeline.anonymise.analyzer import merge
from pipeline.anonymise.detection import PERSON, Detection
from pipeline.anonymise.persons import InitialsRecognizer, NameParticleRecognizer, NameRepeatRecognizer, NameSplitRecognizer
from pipeline.anonymise.registry import builtin_recognizers
from conftest import person_detections as found


def test_initials_standing_for_a_person_are_a_person():
    rec = InitialsRecognizer()
    assert {d.text for d in rec.analyze("Vi kalte ham B.J. i notatene, og kona E. R. P. var der.")} \
        == {"B.J.", "E. R. P."}
    # Fixed abbreviations written with dots, one capital with a dot, and an acronym are no initials.
    assert not rec.analyze("Det var O.K. for meg. Vi så T.V. Ring NAV i morgen, A. ba om det.")
    assert all(d.score == 0.7 for d in rec.analyze("Hun het bare T.S."))  # replaced, and reviewed


def test_an_abbreviation_that_may_be_initials_is_a_person_without_a_word_for_the_thing():
    rec = InitialsRecognizer()
    text = "Jeg ringte A.S. om kontrakten, og P.C. kom innom. P.S. var der også."
    assert {d.text for d in rec.analyze(text)} == {"A.S.", "P.C.", "P.S."}
    # A word for the thing beside it, either side, or a hyphenated ending: the thing.
    assert not rec.analyze("Han startet et A.S. i fjor, firmaet A.S. gikk bra.")
    assert not rec.analyze("Jeg kjøpte en ny P.C. og P.C.-en virker. Hun jobbet i F.N. lenge.")


def test_a_particle_joins_the_parts_of_a_detected_name():
    rec = NameParticleRecognizer()
    text = "Vi leide av Pedro de los Reyes i fjor, og Jan van Dijk kom etter."
    hits = {d.text for d in rec.analyze(text, None, found(text, "Pedro", "Jan"))}
    assert hits == {"Jan van Dijk"}  # "los" is no particle here, so "Pedro de los Reyes" needs two
    text = "Naboen Amina bint Rashid og Ahmed du Bois"
    assert {d.text for d in rec.analyze(text, None, found(text, "Amina", "Ahmed"))} \
        == {"Amina bint Rashid", "Ahmed du Bois"}
    # A Norwegian word after a name ("de", "da") before a function word or a lower-case word: no name.
    text = "Så kom Kari da De var ferdige, og Ola de gamle"
    assert not rec.analyze(text, None, found(text, "Kari", "Ola"))


def test_a_norwegian_word_between_two_names_joins_no_two_people():
    rec = NameParticleRecognizer()
    # "da" between two detected persons is the clause word: two people, and "da" stays.
    text = "Jeg snakket med Per da Kari kom inn."
    assert not rec.analyze(text, None, found(text, "Per", "Kari"))
    # A listed name after it, even where nothing found it alone ("der" before a surname as well;
    # "de", "di", "do" before a surname are the particle since names12: test_anonymise_names12).
    assert not rec.analyze(text, None, found(text, "Per"))
    text = "Vi traff Lise der Berg bor"
    assert not rec.analyze(text, None, found(text, "Lise"))
    # A particle that is no Norwegian word, or two particles, join a name a recognizer also found alone.
    text = "Naboen Jan van Dijk kom, og Maricel de la Cruz."
    assert {d.text for d in rec.analyze(text, None, found(text, "Jan", "Dijk", "Maricel", "Cruz"))} \
        == {"Jan van Dijk", "Maricel de la Cruz"}
    # The model's own span over both, beside sure detections of each: cut, not grown.
    text = "Jeg snakket med Per da Kari kom inn."
    dets = found(text, "Per", "Kari", score=0.95) + found(text, "Per da Kari", score=0.85)
    dets += rec.analyze(text, None, dets)
    replaced, _weak = merge(text, dets, 0.5)
    assert [d.text for d in replaced] == ["Per", "Kari"]


def test_a_name_with_a_particle_stays_one_span_around_a_sure_detection():
    # The model's sure "Lucia Ramos" (an anchor) inside the particle's span: the span grows over
    # "de la Torre", where the cut around the anchor would have left "Torre" and lost "de la".
    text = "Det var Lucia Ramos de la Torre som ringte."
    start = text.index("Lucia")
    dets = [Detection(start, start + len("Lucia Ramos"), PERSON, 0.95, "ner", "Lucia Ramos")]
    dets += NameParticleRecognizer().analyze(text, None, dets)
    replaced, _weak = merge(text, dets, 0.5)
    assert [d.text for d in replaced] == ["Lucia Ramos de la Torre"]


def test_a_detected_name_said_again_in_the_turn_is_the_person():
    rec = NameRepeatRecognizer()
    # A capitalised word of a full name, where it opens a sentence and is also a word.
    text = "Naboen heter Liv Lindqvist. Liv er snill, og Lindqvist også."
    assert {d.text for d in rec.analyze(text, None, found(text, "Liv Lindqvist"))} == {"Liv", "Lindqvist"}
    # The restatement beside the name, only punctuation between, in any case.
    text = "Han het eik, Eik Brattli, tror jeg."
    assert {d.text for d in rec.analyze(text, None, found(text, "Eik Brattli"))} == {"eik"}
    text = "kontaktpersonen var birk - birk nedrelid"
    assert {d.text for d in rec.analyze(text, None, found(text, "birk"))} == {"birk"}
    # Elsewhere in the turn a lower-case word stays the word; a noun with its article is no name.
    text = "Vi satt under en eik. Eik Brattli kom."
    assert not rec.analyze(text, None, found(text, "Eik Brattli"))
    text = "det var borettslaget, Borettslaget Solvang, som eide det"
    assert not rec.analyze(text, None, found(text, "Borettslaget Solvang"))
    # A detection only listed for review is no name to repeat.
    text = "Han het eik, Eik Brattli."
    assert not rec.analyze(text, None, found(text, "Eik Brattli", score=0.45))


def test_the_registry_runs_them_after_the_other_name_rules_and_before_the_learned_recognizer():
    # The per-turn recognizers (the transcript recognizers run after all of them whatever their place).
    names = [r.name for r in builtin_recognizers([], set()) if not r.reads_transcript]
    assert names.index("initials") < names.index("name_neighbour") < names.index("name_particle") \
        < names.index("name_repeat") < names.index("learned") == len(names) - 1


def test_the_detection_cache_key_reads_the_code_of_every_recognizer():
    # A recognizer's module missing from the digest leaves a study's cached detections stale after a change.
    import inspect
    from pathlib import Path

    from pipeline.anonymise.registry import _CODE

    modules = {Path(inspect.getfile(type(r))).name for r in builtin_recognizers([], set())}
    assert modules - set(_CODE) == set()


@pytest.fixture(scope="module")
def nlp():
    from pipeline.nlp import load_nlp

    return load_nlp()


def gazetteer_names(nlp, text):
    from pipeline.anonymise.recognizers import GazetteerRecognizer

    return [d.text for d in GazetteerRecognizer().analyze(text, nlp(text)) if d.type == PERSON and d.score >= 0.5]


def test_a_listed_first_name_that_is_a_word_in_a_kin_slot_is_the_name(nlp):
    # After a kin noun, its compound or its possessive, and before one with its possessive.
    assert "tone" in gazetteer_names(nlp, "og så kommer storesøstera tone innom i helga")
    assert "liv" in gazetteer_names(nlp, "det var mormor mi liv som sydde den")
    assert "Sol" in gazetteer_names(nlp, "Sol, søstera mi, bor rett ved")
    # The same words elsewhere stay words, and a function word after a kin noun is none.
    assert gazetteer_names(nlp, "det gir liv til hele gata, og tone er viktig") == []
    assert gazetteer_names(nlp, "Sol og varme hele uka, sa mormora") == []
    assert gazetteer_names(nlp, "faren min hans ting") == []


def test_a_title_takes_the_surname_in_any_case():
    from pipeline.anonymise.recognizers import ContextNameRecognizer

    rec = ContextNameRecognizer()

    def titled(text):
        return {(d.text, d.score) for d in rec.analyze(text) if d.recognizer == "context"}

    assert titled("vi leide av herr lyng i tre år") == {("lyng", 0.7)}
    assert titled("Frøken Stein var lærer") == {("Stein", 0.75)}
    # A function word or a number word after the title is none.
    assert titled("fru og herr i samme hus, fru to") == set()


def test_a_name_split_in_syllables_by_speech_recognition_is_one_person():
    rec = NameSplitRecognizer()
    # Forms of our own: a surname heard as syllables, then the next clause's pronoun or conjunction.
    text = "så ringte jeg saksbehandleren ingvild brei svik og hun sa nei"
    assert [d.text for d in rec.analyze(text, found=found(text, "ingvild"))] == ["ingvild brei svik"]
    text = "naboen vår halvor mo land han hjelper oss"
    assert [d.text for d in rec.analyze(text, found=found(text, "halvor"))] == ["halvor mo land"]
    # The first name joined with its piece is a listed name, though the piece is a word ("tor" + "mod").
    text = "jeg spurte onkel tor mod men han visste ikke"
    assert [d.text for d in rec.analyze(text, found=found(text, "tor"))] == ["tor mod"]
    assert all(d.score == 0.7 for d in rec.analyze(text, found=found(text, "tor")))


def test_the_words_of_the_clause_after_a_name_are_no_syllables_of_it():
    rec = NameSplitRecognizer()
    for text in ("da kom kari inn og satte seg", "jeg spurte kari om han ville", "vi sa til kari at hun kunne",
                 "så sa kari nei og gikk", "kari sa han var syk"):
        assert not rec.analyze(text, found=found(text, "kari")), text
    # No clause opener after the pieces: they may be the clause's own words.
    text = "halvor mo land eier huset"
    assert not rec.analyze(text, found=found(text, "halvor"))
    # A capitalised piece is a word of its own, not a syllable a caseless transcript split.
    text = "Vi møtte Kari Hau og Per"
    assert not rec.analyze(text, found=found(text, "Kari"))


def test_a_naming_verb_after_a_name_is_no_syllable_of_it():
    # "Brekke het han": the verb of a naming clause, not the split tail of "Brekke".
    rec = NameSplitRecognizer()
    for text in ("saksbehandleren, Brekke het han, var grei", "han fra banken, sindre heiter han, og så"):
        name = "Brekke" if "Brekke" in text else "sindre"
        assert not rec.analyze(text, found=found(text, name)), text


def test_a_split_surname_whose_syllables_sound_like_function_words_ends_in_a_surname_element():
    # Invented forms: a syllable heard as "som", "ut" or "av", the last one an element surnames end in.
    rec = NameSplitRecognizer()
    for text, name, whole in (("så ringte saksbehandleren marit som land fra nav hun sa", "marit", "marit som land"),
                              ("vi hadde rådgiveren per ås heim han var grei", "per", "per ås heim"),
                              ("det var torunn ut vik og hun hjalp oss", "torunn", "torunn ut vik"),
                              ("naboen vår leif om dal han kom", "leif", "leif om dal")):
        assert [d.text for d in rec.analyze(text, found=found(text, name))] == [whole], text
    # The office after the name ends it as a pronoun does.
    text = "det var ingrid hau land fra nav som ringte"
    assert [d.text for d in rec.analyze(text, found=found(text, "ingrid"))] == ["ingrid hau land"]


def test_function_words_of_the_clause_after_a_name_make_no_split_surname():
    rec = NameSplitRecognizer()
    # No surname element at the end; a place preposition, a possessive or a verb before one; one
    # piece alone; the syllables joined a dictionary word ("i" + "land").
    for text in ("jeg snakket med kari som sa at hun kunne", "så kom kari på land og hun var glad",
                 "kari som var der og hun", "da kom kari heim og satte seg", "jeg ringte kari i dag og hun sa",
                 "vi fikk brev fra kari i går fra nav", "kari så berg og gikk", "det var kari sin gård og hun",
                 "vi kjørte kari opp i dal og", "hun sa til kari at hun ville"):
        assert not rec.analyze(text, found=found(text, "kari")), text


def test_the_merge_grows_a_sure_name_over_the_syllables_name_split_vetted():
    # The model's sure "ingrid" (an anchor) and the split surname whose syllable sounds like "som":
    # one person, not "ingrid" with "som land" cut off.
    text = "så ringte ingrid som land fra nav hun sa"
    sure = found(text, "ingrid", score=0.95)
    split = NameSplitRecognizer().analyze(text, found=sure)
    merged, _weak = merge(text, sure + split, 0.5)
    assert [d.text for d in merged] == ["ingrid som land"]


def test_before_fra_only_a_name_ending_in_a_surname_element_is_split():
    # A clause of ordinary short words before "fra" is no split name.
    rec = NameSplitRecognizer()
    text = "tuan måtte bytte skole fra kambo skole til refsnes"
    assert not rec.analyze(text, found=found(text, "tuan"))


def test_the_merge_cuts_a_split_tail_at_a_stop_word_that_is_no_syllable():
    # "her" (here) is no syllable a surname sounds like: the sure name stays itself.
    text = "kusina mi jos lin budde her ho jobba"
    sure = found(text, "jos", score=0.95)
    split = [Detection(sure[0].start, text.index(" ho"), PERSON, 0.7, "name_split", "jos lin budde her")]
    merged, _weak = merge(text, sure + split, 0.5)
    assert "jos lin budde her" not in [d.text for d in merged]
