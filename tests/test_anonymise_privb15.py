"""privB15 (issue 10): direct identifiers in forms of unfamiliar material. Every number and name
here is invented; the numbers' control digits were computed for these tests.

* an eleven-digit identifier said over two turns or two lines of one turn, the control digits
  deciding (``numbers.split_checked``, the ``checked_split`` transcript recognizer);
* a correction said with a restatement ("… nei, vent, det er ...") inside a number;
* a name spelled with dashes between the letters, as a word processor writes a hyphen."""

from __future__ import annotations

from stdnum.no import fodselsnummer, kontonr

from pipeline.anonymise.analyzer import detect
from pipeline.anonymise.numbers import findings, split_checked
from pipeline.anonymise.registry import default_registry
from pipeline.settings import AnonymisationSettings

FNR = "12038512356"  # 12.03.85, individual number 123, valid control digits
D_NUMBER = "52049047177"  # a D-nummer (day + 40)
ACCOUNT = "97104612346"


def _words(digits: str) -> str:
    names = ["null", "en", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni"]
    return " ".join(names[int(c)] for c in digits)


def test_the_invented_numbers_hold_their_control_digits():
    assert fodselsnummer.is_valid(FNR) and fodselsnummer.is_valid(D_NUMBER) and kontonr.is_valid(ACCOUNT)
    assert not fodselsnummer.is_valid(FNR[:-1] + "7")


def test_a_birth_number_read_out_over_turns_with_a_turn_between():
    turns = [f"Så har vi henne. Hun har fødselsnummer {FNR[:6]} …",
             "Du må ta resten også.",
             f"Ja, {FNR[6:9]} {FNR[9:]}. Kontoen er en annen."]
    found = split_checked(turns)
    assert {(i, turns[i][s:e], kind) for i, s, e, kind in found} == {
        (0, FNR[:6], "FØDSELSNUMMER"), (2, f"{FNR[6:9]} {FNR[9:]}", "FØDSELSNUMMER")}


def test_a_d_number_in_words_over_two_lines_of_one_turn():
    # A speaker's two lines joined into one turn: a run of numbers ends at the line break.
    text = f"Jeg har bare D-nummer. {_words(D_NUMBER[:6])}\n{_words(D_NUMBER[6:])}. Ja."
    found = split_checked([text])
    assert [(text[s:e], kind) for _i, s, e, kind in found] == [
        (_words(D_NUMBER[:6]), "FØDSELSNUMMER"), (_words(D_NUMBER[6:]), "FØDSELSNUMMER")]


def test_an_account_number_over_two_turns_is_an_account():
    turns = [f"Kontonummeret er {ACCOUNT[:4]} {ACCOUNT[4:6]}", f"{ACCOUNT[6:]}, det er sparekontoen."]
    assert [kind for *_rest, kind in split_checked(turns)] == ["KONTONUMMER", "KONTONUMMER"]


def test_pieces_whose_control_digits_fail_are_no_identifier():
    wrong = FNR[:-1] + "7"
    turns = [f"Fødselsnummer {wrong[:6]} …", f"Ja, {wrong[6:]}."]
    assert split_checked(turns) == []


def test_no_cue_an_amount_or_a_number_between_and_nothing_is_taken():
    assert split_checked([f"Det var {FNR[:6]} …", f"Ja, {FNR[6:]}."]) == []  # no cue for an identifier
    assert split_checked([f"Fødselsnummer {FNR[:6]} …", f"{FNR[6:]} kroner, sa hun."]) == []
    assert split_checked([f"Fødselsnummer {FNR[:6]} …", "Vent, det var 12 stykker.", f"Ja, {FNR[6:]}."]) == []
    # The second piece must open its turn (after "ja", "og" or a filler at most).
    assert split_checked([f"Fødselsnummer {FNR[:6]} …", f"Hun bodde der i {FNR[6:]} dager."]) == []


def test_the_recognizer_is_registered_and_switched_off_by_the_study():
    turns = [f"Hun har fødselsnummer {FNR[:6]} …", "Du må ta resten også.", f"Ja, {FNR[6:]}."]

    def checked(settings):
        registry = default_registry(AnonymisationSettings.model_validate(settings))
        for r in list(registry):
            if r.needs_doc:
                registry.remove(r.name)
        return {(i, d.type) for i, dets in enumerate(detect(turns, registry)) for d in dets
                if d.recognizer == "checked_split"}

    assert checked({}) == {(0, "FØDSELSNUMMER"), (2, "FØDSELSNUMMER")}
    assert checked({"recognizers": {"checked_split": {"enabled": False}}}) == set()


def test_a_correction_said_with_a_restatement_covers_the_false_start():
    text = "nittito fire fire … nei, vent, det er nittito førtifire trettien sytti. Sorry."
    found = findings(text)
    assert [(text[f.start:f.end], f.type) for f in found] == [
        ("nittito fire fire … nei, vent, det er nittito førtifire trettien sytti", "TELEFON")]
    dialect = "ni fire … nei det e ni fire fem tre to en null åtte"
    assert [(f.start, f.end, f.type) for f in findings(dialect)] == [(0, len(dialect), "TELEFON")]


def test_a_restatement_is_no_correction_without_a_correction_word():
    text = "Vi var fire, det er fire av oss som bor der."
    assert all(f.type != "TELEFON" for f in findings(text))
    assert not any(text[f.start:f.end] == text[:text.index(" som")] for f in findings(text))


def test_a_name_spelled_with_dashes_is_a_name():
    registry = default_registry(AnonymisationSettings.model_validate({}))
    for r in list(registry):
        if r.needs_doc:
            registry.remove(r.name)
    for spelled in ("B – E – R – G – S – E – T", "B—E—R—G—S—E—T", "B-E-R-G-S-E-T"):
        text = f"Etternavnet, jeg staver: {spelled}. Folk skriver alltid feil."
        dets = detect([text], registry)[0]
        assert any(text[d.start:d.end] == spelled and d.type == "PERSON" for d in dets), spelled


# ---------------------------------------------------------------- a key's name over a kept word

from pipeline.anonymise.analyzer import apply_keep, key_name_over_kept_word  # noqa: E402
from pipeline.anonymise.detection import Detection  # noqa: E402
from pipeline.anonymise.matcher import KeepTerms  # noqa: E402


def _key_person(text: str, word: str, recognizer: str = "key") -> Detection:
    at = text.rindex(word)
    return Detection(at, at + len(word), "PERSON", 0.9, recognizer, word)


def test_a_key_name_opening_a_sentence_about_a_person_is_replaced_though_the_word_is_kept():
    keep = KeepTerms(["berg"])
    text = "Det er et berg av papir. Berg på lønn er grei, altså, men han har mye å gjøre."
    d = _key_person(text, "Berg")
    assert key_name_over_kept_word(text, d, keep)
    kept = apply_keep(text, [d], keep)
    assert [(x.text, x.type) for x in kept] == [("Berg", "PERSON")] and kept[0].score <= 0.7
    # The lower-case word stays kept: no key detection may stand there.
    low = Detection(text.index("berg"), text.index("berg") + 4, "PERSON", 0.9, "key", "berg")
    assert apply_keep(text, [low], keep) == []


def test_the_kept_word_stays_kept_without_a_person_or_outside_the_key():
    keep = KeepTerms(["berg"])
    no_person = "Vi gikk over fjellet. Berg er tungt å gå i, sa guiden til oss alle."
    assert apply_keep(no_person, [_key_person(no_person, "Berg")], keep) == []
    about_person = "Det er et berg av papir. Berg på lønn er grei, men han har mye å gjøre."
    # Only the study's key: a model's guess on a kept word stays dropped.
    assert apply_keep(about_person, [_key_person(about_person, "Berg", "ner")], keep) == []
    # A term the study wrote with a capital keeps the name in any case (the rule is for lower-case terms).
    assert apply_keep(about_person, [_key_person(about_person, "Berg")], KeepTerms(["Berg"])) == []
