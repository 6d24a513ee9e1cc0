"""privF16 (issue 10): direct identifiers and false finds of a caseless dialect transcript, by class.
Every name, number and address here is invented (the fødselsnummer's control digits computed for it).

* a first name that is also a function word ("dag", "hans", "vår") after a person's naming verb;
* a name split by speech recognition and said whole again after "eller", a letter doubled at the cut;
* split pieces that join into a listed surname where first name + surname read as a compound word;
* one piece between two found parts of a name is its middle;
* a nickname in quotation marks right after a detected name;
* the palatal -i of the eastern inland dialects ("ikkji" = ikkje) is a dialect form, no name;
* "tri", "tvo", "tvei": the Nynorsk and dialect number words for three and two;
* e-mail addresses read aloud: the at-word in brackets before a spoken domain, "kom" for com, and
  "frå" before the local part is no part of it;
* the weekday before a day and month without a year belongs to the date."""

from __future__ import annotations

from stdnum.no import fodselsnummer

from pipeline.anonymise.detection import PERSON, Detection
from pipeline.anonymise.dialect import dialect_word
from pipeline.anonymise.naming import NamingClauseRecognizer
from pipeline.anonymise.neighbours import NameNeighbourRecognizer
from pipeline.anonymise.persons import NameSplitRecognizer
from pipeline.anonymise.recognizers import DateRecognizer, EmailRecognizer, IdNumberRecognizer, PhoneRecognizer
from pipeline.anonymise.unexplained import UnexplainedWordRecognizer

FNR = "13038330025"  # 13.03.83, individual number 300, valid control digits
_DIALECT_DIGITS = ["null", "ein", "tvei", "tri", "fire", "fem", "seks", "sju", "åtte", "ni"]


def _person(text: str, word: str) -> Detection:
    start = text.index(word)
    return Detection(start, start + len(word), PERSON, 0.8, "gazetteer", word)


def _texts(found) -> set[str]:
    return {d.text for d in found}


# ------------------------------------------------------------------ naming verb, function-word name

def test_a_first_name_that_is_a_function_word_after_a_persons_naming_verb():
    r = NamingClauseRecognizer()
    assert _texts(r.analyze("og so kom det ein kar, han heitte dag olsen trur eg")) == {"dag olsen"}
    assert _texts(r.analyze("ho heiter vår og bur oppi bakken")) == {"vår"}
    assert _texts(r.analyze("sjefen heter hans")) == {"hans"}


def test_a_function_word_after_a_things_naming_verb_or_a_pronoun_stays():
    r = NamingClauseRecognizer()
    assert r.analyze("det heter dag og natt der oppe") == []  # a thing's name: no person subject
    assert r.analyze("han heter han også") == []  # a pronoun is no name
    assert r.analyze("ho heiter noko sånt") == []


# ------------------------------------------------------------------ split name restated after "eller"

def test_a_split_name_said_whole_after_eller_is_the_same_person():
    text = "han heitte nils sen eller nilsen e veit ikkje"
    found = NameSplitRecognizer().analyze(text, None, [_person(text, "nils")])
    assert _texts(found) == {"nils sen", "nilsen"}


def test_another_word_after_eller_is_not_taken_as_the_restatement():
    text = "han heitte nils sen eller noko anna"
    assert _texts(NameSplitRecognizer().analyze(text, None, [_person(text, "nils")])) == {"nils sen"}
    text = "han heitte nils sen og nilsen kom seinare"  # only "eller" offers the name again
    assert _texts(NameSplitRecognizer().analyze(text, None, [_person(text, "nils")])) == {"nils sen"}


# ------------------------------------------------------------------ split pieces of a listed surname

def test_split_pieces_that_join_into_a_listed_surname():
    # "tone" + "bakken" reads as a compound word; the pieces "bak ken" are the surname Bakken.
    text = "naboen tone bak ken ho har same rabatt"
    assert _texts(NameSplitRecognizer().analyze(text, None, [_person(text, "tone")])) == {"tone bak ken"}


def test_a_place_preposition_after_a_name_is_no_piece():
    text = "så kom tone på land og sa det"
    assert NameSplitRecognizer().analyze(text, None, [_person(text, "tone")]) == []


# ------------------------------------------------------------------ one piece between two parts

def test_one_piece_between_two_found_parts_of_a_name_is_its_middle():
    text = "mannen min per Ståle mar han jobbar der"  # truecasing may have capitalised the piece
    found = NameSplitRecognizer().analyze(text, None, [_person(text, "per"), _person(text, "mar")])
    assert "per Ståle mar" in _texts(found)


def test_a_word_between_two_names_is_no_middle():
    for text in ("så ringte tone sa per at", "tone og per kom", "tone med per kom", "fetter tone kone per bur der"):
        found = NameSplitRecognizer().analyze(text, None, [_person(text, "tone"), _person(text, "per")])
        assert not any(d.text.startswith("tone ") and d.text.endswith("per") for d in found), text


# ------------------------------------------------------------------ quoted nickname

def test_a_nickname_in_quotation_marks_after_a_name():
    r = NameNeighbourRecognizer()
    text = "Ring vaktmesteren, Tor-Erik, «TE», han svarer alltid."
    assert "TE" in _texts(r.analyze(text, None, [_person(text, "Tor-Erik")]))
    text = 'Vi snakket med Kristoffer "Kris" om det.'
    assert "Kris" in _texts(r.analyze(text, None, [_person(text, "Kristoffer")]))


def test_a_quoted_sentence_or_place_after_a_name_is_no_nickname():
    r = NameNeighbourRecognizer()
    text = "Hoddi sa det best: «Nå går det bra.»"
    assert r.analyze(text, None, [_person(text, "Hoddi")]) == []
    text = "Han het Tor-Erik «Bergen», sa de."
    assert "Bergen" not in _texts(r.analyze(text, None, [_person(text, "Tor-Erik")]))
    text = "Det sa Sigrun «det» om."
    assert "det" not in _texts(r.analyze(text, None, [_person(text, "Sigrun")]))


# ------------------------------------------------------------------ palatal -i

def test_the_palatal_i_of_inland_dialects_is_a_dialect_form():
    assert dialect_word("ikkji") and dialect_word("kyrkji") and dialect_word("liggji")
    assert not dialect_word("tykji")  # no "tykje" in the dictionaries: the rule needs the standard form
    assert not dialect_word("kari")  # a listed name is never a dialect form


def test_the_unexplained_word_rule_leaves_palatal_i_forms_alone():
    text = "nei det va ikkji so ille for dei hadde mykji å gjere i kyrkji"
    assert UnexplainedWordRecognizer().analyze(text, None, []) == []


# ------------------------------------------------------------------ tri, tvo, tvei

def test_dialect_number_words_make_a_phone_number():
    text = "ho gav meg nummeret ni tri tvei ein fire fem seks sju so eg kunne ringje"
    found = [d for d in PhoneRecognizer().analyze(text) if d.type == "TELEFON"]
    assert [d.text for d in found] == ["ni tri tvei ein fire fem seks sju"]


def test_dialect_number_words_make_a_fodselsnummer():
    assert fodselsnummer.is_valid(FNR)
    words = " ".join(_DIALECT_DIGITS[int(c)] for c in FNR)
    text = f"fødselsnummeret mitt e {words} ja"
    found = [d for d in IdNumberRecognizer().analyze(text) if d.type == "FØDSELSNUMMER"]
    assert [d.text for d in found] == [words]


# ------------------------------------------------------------------ spoken e-mail forms

def test_an_at_word_in_brackets_before_a_spoken_domain():
    text = "Ho skreiv til kari.lund77 (alfakrøll) epost punktum no i går."
    assert _texts(EmailRecognizer().analyze(text)) == {"kari.lund77 (alfakrøll) epost punktum no"}


def test_kom_as_heard_for_com_and_fra_before_the_local_part():
    text = "e sende det frå sigrun punktum vik krøll alfa gmail punktum kom og so svara dei"
    assert _texts(EmailRecognizer().analyze(text)) == {"sigrun punktum vik krøll alfa gmail punktum kom"}


def test_kom_without_an_at_word_is_the_verb():
    assert EmailRecognizer().analyze("han kom at vi kom punktum kom") == []
    assert EmailRecognizer().analyze("ho kom frå gmail punktum kom") == []


# ------------------------------------------------------------------ weekday before a day and month

def test_the_weekday_before_a_day_and_month_is_part_of_the_date():
    r = DateRecognizer()
    assert _texts(r.analyze("Han kom onsdag 9. november, det hugsar eg.")) == {"onsdag 9. november"}
    assert _texts(r.analyze("vi flytta inn laurdag den 2. juni")) == {"laurdag den 2. juni"}
    assert _texts(r.analyze("ho ringde tysdag sjuande april")) == {"tysdag sjuande april"}


def test_a_weekday_in_another_sentence_or_alone_is_no_date():
    r = DateRecognizer()
    assert _texts(r.analyze("Vi var der på fredag. 9. november kom han.")) == {"9. november"}
    assert r.analyze("Vi møtes kvar onsdag.") == []
