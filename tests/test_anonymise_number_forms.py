"""Number, address and date forms of blind sets 17 (Østfold) and 18 (Trøndelag), by class
(docs/anonymisation.md, "Session 7: number forms"). Each test holds a form the session-start code
missed or mistyped, written anew (other numbers, other words than the sets'), and its near misses.
The sets' misses were read for these classes: their figures after them are tuned."""

from __future__ import annotations

import pytest

from pipeline.anonymise.detection import Detection
from pipeline.anonymise.numbers import findings, number_runs
from pipeline.anonymise.recognizers import AddressRecognizer

FNR = "14086327164"  # valid fødselsnummer
ACCOUNT = "40002100004"  # valid account number (mod 11)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.type) for f in findings(text)]


# ------------------------------------------------------------------ dialect number words, by sound change
@pytest.mark.parametrize("word,digits", [("fæm", "5"), ("fæmm", "5"), ("sæks", "6"), ("sæksti", "60"),
                                         ("fæmti", "50"), ("attån", "18"), ("fjortån", "14"), ("ellev", "11"),
                                         ("sækstån", "16"), ("tjuefæm", "25"), ("sækstisju", "67"),
                                         ("tjuefæmten", "2015")])
def test_dialect_number_words_normalise(word, digits):
    [run] = number_runs(word)
    assert run.digits == digits


def test_a_dialect_form_that_is_an_ordinary_word_is_no_number_word():
    # "fir" (fire) and "ått" (åtte) are dictionary words of their own: read as numbers they would
    # join runs they are no part of.
    from pipeline.anonymise.numbers import dialect_forms

    assert "fir" not in dialect_forms("fire") and "ått" not in dialect_forms("åtte")
    # Neither is read as a digit: only "ein" is a number word there ("ei åtte ein fire" reads 814).
    assert not any(set(r.digits) & {"8", "4"} for r in number_runs("ei ått og ein fir"))


def test_dialect_number_words_make_identifiers():
    assert kinds("nummeret mitt e fjortån null åtte sækstitre to sju én sæksti fire, ja") == [
        ("fjortån null åtte sækstitre to sju én sæksti fire", "FØDSELSNUMMER")]
    assert kinds("ring på sæksti fæmm, tolv, åtte og tjue, nittisju da") == [
        ("sæksti fæmm, tolv, åtte og tjue, nittisju", "TELEFON")]


def test_an_accent_of_emphasis_is_the_plain_letter():
    assert kinds("telefonen e ni tó fire én åtte tre tre sju") == [("ni tó fire én åtte tre tre sju", "TELEFON")]


# ------------------------------------------------------------------ separators
@pytest.mark.parametrize("text,number,kind", [
    ("ja, her: 1-4-0-8... 6-3... 2-7-1-6-4.", "1-4-0-8... 6-3... 2-7-1-6-4", "FØDSELSNUMMER"),
    ("ring 9-2-4… 1-8… 3-3-7 i morgen", "9-2-4… 1-8… 3-3-7", "TELEFON"),
    ("saken er tjue tjueto, skråstrek, fire fire en sju, tror jeg", "tjue tjueto, skråstrek, fire fire en sju",
     "SAKSNUMMER"),
    ("saksnummer tjue nitten skrå strek tolv trettifire nei", "tjue nitten skrå strek tolv trettifire", "SAKSNUMMER"),
])
def test_a_pause_and_a_spoken_separator_between_commas_or_in_two_words(text, number, kind):
    assert kinds(text) == [(number, kind)]


@pytest.mark.parametrize("text", ["vi bodde der i 2015... 2016 tror jeg", "de bodde i 2015 2016",
                                  "det kostet 2000... 3000 kroner", "jeg har to... tre... fire unger"])
def test_a_pause_joins_no_years_amounts_or_counts_into_a_number(text):
    assert kinds(text) == []


def test_a_number_spelled_digit_by_digit_is_read_as_spoken():
    assert kinds("nummeret er 9-2-4-1-8-3-3-7 på jobb") == [("9-2-4-1-8-3-3-7", "TELEFON")]
    assert kinds("han telte 1-2-3-4-5-6-7-8 og så") == []  # counting


def test_a_slash_is_said_in_a_case_number_never_in_a_phone_number():
    # Eight digits with a slash: before, read as a phone number.
    assert kinds("det va tjue tjueen skråstrek tolv trettifire") == [
        ("tjue tjueen skråstrek tolv trettifire", "SAKSNUMMER")]


# ------------------------------------------------------------------ a round group inside a grouped number
def test_a_round_group_inside_a_grouped_number_is_digits():
    assert kinds("kontoen e fire tusen, tjueen, null null null null fire, ja") == [
        ("fire tusen, tjueen, null null null null fire", "KONTONUMMER")]
    # An amount built with tusen stays an amount.
    assert kinds("det kosta fire tusen, tjueen tusen med renter") == []


# ------------------------------------------------------------------ self-corrections resolved before the checks
@pytest.mark.parametrize("text,number,kind", [
    # the correction replaces the last groups
    ("mobilen e ni to, fire en, åtte tre – nei, åtte fire, tre sju, ja", "ni to, fire en, åtte tre – nei, åtte fire, tre sju",
     "TELEFON"),
    # ... or all of them, after a pause
    ("9-2-4... nei, 9-2-4-1-8-4-3-7 heter det", "9-2-4... nei, 9-2-4-1-8-4-3-7", "TELEFON"),
    # said again whole: read so first, not as the first's head with the whole after it (11 digits)
    ("ring 924 18 337 – nei, 924 18 338 da", "924 18 337 – nei, 924 18 338", "TELEFON"),
    # written, two correction words
    ("personnummer 140863 28 – nei, unnskyld, 271 64 står det", "140863 28 – nei, unnskyld, 271 64", "FØDSELSNUMMER"),
])
def test_a_self_correction_inside_a_number_is_one_identifier(text, number, kind):
    assert kinds(text) == [(number, kind)]


def test_a_correction_between_small_numbers_is_nothing():
    assert kinds("vi var to – nei, tre stykker") == []
    assert kinds("jeg var 45... nei, 46 år") == []


# ------------------------------------------------------------------ addresses
@pytest.mark.parametrize("text,address", [
    ("vi flytta til Bryggen 12, leilighet 204, i fjor", "Bryggen 12, leilighet 204"),
    ("så flytta vi til Torget sju, ned mot sjøen", "Torget sju"),
    ("vi bodde i nedre skoleveien fjorten b da", "nedre skoleveien fjorten b"),
    ("de bor i Elvebrygga 3 nå", "Elvebrygga 3"),  # the feminine definite form of -bryggen
    ("hun bor i Nordbyhauga 9", "Nordbyhauga 9"),
    ("adressa e Strandvegen sækstån B", "Strandvegen sækstån B"),
])
def test_street_nouns_in_both_definite_forms_alone_and_with_a_lower_case_qualifier(text, address):
    assert address in [d.text for d in AddressRecognizer().analyze(text) if d.type == "ADRESSE"]


@pytest.mark.parametrize("text", ["Siden 2019 har vi bodd der", "vi gikk opp Bakken 3 ganger", "Haugen 3 ganger",
                                  "Torget er fint. Bakken 2 er bratt"])
def test_a_street_noun_alone_needs_a_house_number_mid_sentence(text):
    assert not [d for d in AddressRecognizer().analyze(text) if d.type == "ADRESSE"]


def test_a_correction_after_a_flat_number_belongs_to_the_address():
    from pipeline.anonymise.unexplained import NumberFormRecognizer

    text = "Hun bor i Lerkeslettet 4, leil. H0102 – nei, unnskyld, H0201. Greit?"
    found = AddressRecognizer().analyze(text)
    spans = [d.text for d in NumberFormRecognizer().analyze(text, None, found) if d.type == "ADRESSE"]
    assert "Lerkeslettet 4, leil. H0102 – nei, unnskyld, H0201" in spans


# ------------------------------------------------------------------ dates
def test_a_month_and_a_short_year_is_a_date():
    from pipeline.anonymise.unexplained import NumberFormRecognizer

    spans = [d.text for d in NumberFormRecognizer().analyze("huset ble solgt i mars -21, og så", None, [])]
    assert "mars -21" in spans


# ------------------------------------------------------------------ a number type holds a number
@pytest.mark.parametrize("span,kind,fits", [
    ("D-nummer", "FØDSELSNUMMER", False), ("kontonummeret", "KONTONUMMER", False), ("epost", "PERSON", False),
    ("e-posten", "ORGANISASJON", False), ("æ", "DATO", False), ("kontrakten", "DATO", False),
    ("610992 587 04", "FØDSELSNUMMER", True), ("ni to fire en", "TELEFON", True), ("fjortende mars", "DATO", True),
    ("mars -21", "DATO", True), ("Nummedal", "PERSON", True), ("Per", "PERSON", True),
    # a month, weekday or ordinal is a whole word: a word that begins like one names no day
    ("mail", "DATO", False), ("marked", "DATO", False), ("Mario", "DATO", False), ("desken", "DATO", False),
    ("Augustin", "DATO", False), ("beste", "DATO", False), ("tjuefjerde", "DATO", True),
    ("den sjuande", "DATO", True), ("okt.", "DATO", True), ("i mai", "DATO", True), ("på mandag", "DATO", True),
    ("julaften", "DATO", True), ("Fæmte", "DATO", True), ("sjætte", "DATO", True)])
def test_a_number_type_holds_a_number_and_a_kind_noun_is_no_identifier(span, kind, fits):
    from pipeline.anonymise.analyzer import fits_its_form

    text = f"det var {span} da"
    d = Detection(8, 8 + len(span), kind, 0.6, "learned", span)
    assert fits_its_form(text, d) is fits


@pytest.mark.parametrize("text,said", [
    ("ring 924 18 337 – nei, 924 18 338 da", "92418338"),  # said again whole
    ("mobilen e ni to, fire en, åtte tre – nei, åtte fire, tre sju, ja", "92418437"),  # the last groups corrected
    ("personnummer 140863 28 – nei, unnskyld, 271 64 står det", FNR),
])
def test_a_corrected_number_carries_the_digits_it_says_and_is_keyed_by_them(text, said):
    # The whole span is masked, the wrong digits included (they were said aloud too), but the
    # entity is the corrected number: a later mention of it alone is the same entity in the key.
    from pipeline.anonymise.matcher import StringMatcher, digits_of
    from pipeline.anonymise.operators import Key

    [found] = findings(text)
    assert found.digits == said
    span = text[found.start:found.end]
    assert digits_of(span, found.type) == said
    key = Key()
    entity, _suffix = key.resolve(found.type, span)
    later = f"{said[:3]} {said[3:5]} {said[5:]}"
    assert key.index[(found.type, digits_of(later, found.type))] == entity.id
    matcher = StringMatcher([(o, e.type) for o, e in key.originals()], key.g)
    assert [(m.start, m.end) for m in matcher.find(f"det var {later} ja")] == [(8, 8 + len(later))]


def test_the_wrong_number_of_a_correction_said_whole_is_known_to_the_key_and_the_guard():
    # It was said aloud and may be a real number (an old phone): a later mention of it alone is
    # caught; a first number cut short ("140863 28 – nei, ...") is no number of its own.
    from pipeline.anonymise.guard import Guard, LeakError
    from pipeline.anonymise.matcher import said_digits

    phone = type("T", (), {"type": "TELEFON"})()
    assert said_digits("924 18 337 – nei, 924 18 338", "TELEFON") == ("92418338", "92418337")
    assert said_digits("140863 28 – nei, unnskyld, 271 64", "FØDSELSNUMMER") == (FNR,)
    with pytest.raises(LeakError):
        Guard([("924 18 337 – nei, 924 18 338", phone)]).check("ring 924 18 337 i morgen", None)


def test_both_numbers_of_a_correction_are_masked():
    text = "ring 924 18 337 – nei, 924 18 338 da"
    [found] = findings(text)
    assert text[found.start:found.end].startswith("924 18 337") and text[found.end:] == " da"
