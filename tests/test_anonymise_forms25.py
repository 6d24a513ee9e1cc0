"""Forms of set 25's direct misses, by class (forms25): invented forms, and near misses that stay unmasked."""
from pipeline.anonymise.recognizers import EmailRecognizer


def _emails(text):
    return [text[d.start:d.end] for d in EmailRecognizer().analyze(text)]


# ------------------------------------------------------------------ spoken e-mail

def test_spelling_explanation_before_the_at_word_belongs_to_the_address():
    # The local part, then how it is written, then the at-word: the word before the explanation is the local part.
    assert _emails("skriv til meg, torvik, t o r og vik saman, alfakrøll gmail prikk com, takk") == [
        "torvik, t o r og vik saman, alfakrøll gmail prikk com"]
    assert _emails("mailen er hansen, med dobbel s, krøll online punktum no") == [
        "hansen, med dobbel s, krøll online punktum no"]


def test_several_explanations_with_a_correction_between():
    assert _emails("e-post: brekkli, med to k, nei, berre ein k, krøllalfa yahoo punktum no") == [
        "brekkli, med to k, nei, berre ein k, krøllalfa yahoo punktum no"]


def test_letters_spelled_with_commas_between():
    # A comma between letters said one by one is a pause; a one-letter word ("e", "i") among them is a letter.
    assert _emails("adressa mi er m, i, r, e, strek, o, sekstisju krøllalfa online punktum no.") == [
        "m, i, r, e, strek, o, sekstisju krøllalfa online punktum no"]
    assert _emails("eposten er o, l, e, krøll gmail punktum com") == ["o, l, e, krøll gmail punktum com"]


def test_a_comma_still_ends_the_local_part_outside_spelled_letters():
    # No spelling word or lone letter in the clause: the clause before the comma is no part of the address.
    # No spelling word or lone letter in the clause: the comma before it ends the local part.
    assert _emails("vi snakka med Kari, heile gjengen, krøllalfa gmail punktum com") == [
        "heile gjengen, krøllalfa gmail punktum com"]
    text = "han sa det til meg, i eitt ord, krøllalfa gmail punktum com"
    # The word before the explanation's comma is a stop word ("meg"): no local part there.
    assert not any("meg" in s for s in _emails(text))


# ------------------------------------------------------------------ case numbers

def _cases(text):
    from pipeline.anonymise.recognizers import CaseNumberRecognizer

    return [text[d.start:d.end] for d in CaseNumberRecognizer().analyze(text)]


def test_numbers_an_office_files_a_person_under_are_case_numbers():
    # Customer, contract, membership and policy numbers, a few words after their cue.
    assert _cases("Medlemsnummeret mitt i laget er 7731 2046, trur eg.") == ["7731 2046"]
    assert _cases("polisenummer hos forsikringa: 5520193847") == ["5520193847"]
    assert _cases("kundenr. 40917733 står på rekninga") == ["kundenr. 40917733"]


def test_letters_before_digit_groups_take_every_group():
    assert _cases("kontraktnummeret hos utleigar er KL 4410 2093 17.") == ["KL 4410 2093 17"]


def test_the_new_cue_words_alone_are_no_cue():
    # "kunde" and "kontrakt" without "nummer": an amount or a year after them stays.
    assert _cases("Kunden betalte 45 000 kroner i 2019.") == []
    assert _cases("Kontrakten vart underskriven i 2019, og kundenummeret har eg ikkje.") == []


# ------------------------------------------------------------------ dates

def _dates(text):
    from pipeline.anonymise.recognizers import DateRecognizer

    return [text[d.start:d.end] for d in DateRecognizer().analyze(text)]


def test_nynorsk_day_ordinals_date_a_day():
    assert _dates("Vi flytta inn fjortande august, og kontrakten kom den tjugeandre.") == ["fjortande august"]
    assert _dates("Fristen var sjuande november i fjor.") == ["sjuande november i fjor"]
    assert _dates("møtet er den attande i tiande") == ["den attande i tiande"]
    # Without a month there is no date: an ordinal alone counts.
    assert _dates("det var den sjuande gongen eg ringde") == []


def test_a_day_of_another_calendar_is_a_date():
    assert _dates("Vi kom hit den tredje i Tahsas, midt på vinteren.") == ["den tredje i Tahsas"]
    assert _dates("Bryllaupet var 12. Shawwal, seier mor.") == ["12. Shawwal"]
    # The month's name alone, or in lower case (some are words), dates nothing.
    assert _dates("Under Ramadan jobba eg mindre.") == []
    assert _dates("det var den femte i sene kveldar") == []


def test_day_and_month_with_a_slash_after_a_time_preposition_or_in_a_range():
    assert _dates("Vi budde der frå 3/9 og ut året.") == ["3/9"]
    assert _dates("stengt 24/12–2/1, opna att etterpå") == ["24/12", "2/1"]
    assert _dates("Svaret kom innan 17/5.") == ["17/5"]


def test_fractions_and_scores_with_a_slash_are_no_dates():
    assert _dates("Ho har 2/3 stilling no.") == []
    assert _dates("frå 1/4 til 1/2 av lønna") == []
    assert _dates("kampen enda 3/1") == []
    assert _dates("til 40/60 fordeling") == []


# ------------------------------------------------------------------ a phone number over two turns

def test_phone_number_cut_by_the_listener_is_joined_over_the_turns():
    from pipeline.anonymise.analyzer import detect
    from pipeline.anonymise.crossturn import PhoneSplitRecognizer
    from pipeline.anonymise.recognizers import PhoneRecognizer
    from pipeline.anonymise.registry import RecognizerRegistry

    texts = ["Du kan ringe mobilen min, åtti sju, tre tre –", "Augneblink, eg finn ein penn.", "fire fem, null ein."]
    found = detect(texts, RecognizerRegistry([PhoneRecognizer(), PhoneSplitRecognizer()]))
    assert [(d.text, d.type) for d in found[0]] == [("åtti sju, tre tre", "TELEFON")]
    assert found[1] == []
    assert [(d.text, d.type) for d in found[2]] == [("fire fem, null ein", "TELEFON")]
    # Only where the phone_split recognizer runs (its own component: the phone recognizer alone
    # finds neither piece).
    assert detect(texts, RecognizerRegistry([PhoneRecognizer()])) == [[], [], []]


def test_numbers_in_two_turns_that_make_no_phone_number_stay():
    from pipeline.anonymise.numbers import split_phones

    # No phone cue before the first piece: a count, then an answer.
    assert split_phones(["Vi var fire, fem –", "Kor mange no?", "tolv, null seks."]) == []
    # The second piece is an amount.
    assert split_phones(["nummeret er 92 41 –", "vent litt", "83 37 kroner"]) == []
    # The first piece is finished (a full stop), or too few digits in all.
    assert split_phones(["telefonen står på lappen, nitti fire åtti.", "Ja.", "tolv null seks."]) == []
    assert split_phones(["ring meg, nitti fire", "Kor gammal er du?", "tjueto."]) == []
    # A number in the turn between decides: it is no continuation.
    assert split_phones(["mobilen er førtisju tjue –", "Er det 47?", "tolv tretti fire"]) == []
