"""privG16 (issue 10): a name speech recognition wrote in Norwegian spelling and in more pieces than
words, and a person's clipped name that is an ordinary word. Every name here is invented.

* split pieces are compared with the name by sound (c as s or k, w as v, z as s, æ as e), a head
  of any length ("i vana"), up to six pieces, the longest join winning;
* a name of three words or more and twelve letters is the name in pieces even where each piece is a word;
* a clipped form of a person found in the transcript, after "alle sier" / "alle kaller";
* a key person that is an ordinary word, in a transcript in lower case: addressed after "du" at a
  sentence's end, and joined by "og" to another person of the key."""

from __future__ import annotations

from pipeline.anonymise.crossturn import ClippedNameRecognizer, clipped_from
from pipeline.anonymise.cues import addressed, coordinated
from pipeline.anonymise.detection import PERSON, Detection
from pipeline.anonymise.guard import Guard, _Typed
from pipeline.anonymise.matcher import StringMatcher, sound_key


def _found(entries, text):
    return [(text[m.start:m.end], m.original) for m in StringMatcher(entries).find(text)]


# ------------------------------------------------------------------ split names by sound

def test_a_foreign_spelling_split_into_norwegian_pieces_is_the_name():
    entries = [("Francesca Lozano", PERSON), ("Francesca", PERSON), ("Lozano", PERSON)]
    assert _found(entries, "ja jeg heter fran ses ka lo sano og kommer fra") == [("fran ses ka lo sano", "Francesca Lozano")]


def test_w_written_v_and_a_one_letter_head():
    assert _found([("Dawit Woldemariam", PERSON)], "han het da vit volde maria m tror jeg") == [
        ("da vit volde maria m", "Dawit Woldemariam")]
    assert _found([("Ivana Petrova", PERSON)], "mamma heter i vana pet rova") == [("i vana pet rova", "Ivana Petrova")]


def test_ae_and_the_foreign_letters_meet_one_key_doubled_letters_stay():
    assert sound_key("sæther") == sound_key("sether")
    assert sound_key("cecilie") == "sesilie" and sound_key("carlos") == "karlos"
    assert sound_key("pettersen") != sound_key("petersen")  # a possessive -s + s must not join a name
    assert _found([("Linnea Sæther", PERSON)], "det var linn ea se ther") == [("linn ea se ther", "Linnea Sæther")]
    assert _found([("Hilde Strand", PERSON)], "det var hildes strand") == []


def test_the_longest_join_that_is_a_name_wins():
    entries = [("Marisol Rivera Diaz", PERSON), ("Marisol", PERSON)]
    assert _found(entries, "hun het mari sol ri vera dias ja") == [("mari sol ri vera dias", "Marisol Rivera Diaz")]


def test_word_pieces_of_a_short_one_word_name_stay_words():
    # Ordinary words that spell a one-word name joined are the words unless the text says it whole.
    assert _found([("Nygård", "STED")], "vi kjøpte en ny gård i fjor") == []
    assert _found([("Solberg", PERSON)], "sol berg og hav") == []
    assert _found([("Solberg", PERSON)], "solberg ja sol berg") == [("solberg", "Solberg"), ("sol berg", "Solberg")]


def test_pieces_that_do_not_sound_like_the_name_are_not_it():
    assert _found([("Francesca Lozano", PERSON)], "fran ses ka lo tano") == []
    assert _found([("Dawit Woldemariam", PERSON)], "da vit volde") == []


def test_the_guard_finds_the_split_name_the_anonymiser_replaces():
    guard = Guard([("Francesca Lozano", _Typed(PERSON, "informant"))])
    assert guard.leaks("ja jeg heter fran ses ka lo sano") != []


# ------------------------------------------------------------------ clipped names

def _person(text: str, word: str, score: float = 0.9) -> Detection:
    start = text.index(word)
    return Detection(start, start + len(word), PERSON, score, "gazetteer", word)


def test_a_clipped_name_in_the_calling_frame_of_another_turn():
    texts = ["og dette er datteren min annabel", "hei alle sier anna jeg er tolv", "vi kaller han bare bjørn"]
    found = [[_person(texts[0], "annabel")], [], []]
    hits = ClippedNameRecognizer().analyze_transcript(texts, found)
    assert [(i, d.text, d.type) for i, d in hits] == [(1, "anna", PERSON)]
    texts[0] += " og sønnen bjørnar"
    found = [[_person(texts[0], "annabel"), _person(texts[0], "bjørnar")], [], []]
    hits = ClippedNameRecognizer().analyze_transcript(texts, found)
    assert [(i, d.text) for i, d in hits] == [(1, "anna"), (2, "bjørn")]


def test_no_clipped_name_without_the_frame_a_person_or_letters_enough():
    assert not clipped_from("ann", {"anne"})  # one letter off is a spelling, not a clip
    assert not clipped_from("an", {"annabel"})  # too short
    assert not clipped_from("det", {"detlef"})  # a function word
    texts = ["datteren min annabel", "anna sa det", "alle sier ja"]
    found = [[_person(texts[0], "annabel")], [], []]
    assert ClippedNameRecognizer().analyze_transcript(texts, found) == []
    assert ClippedNameRecognizer().analyze_transcript(["alle sier maks"], [[]]) == []
    weak = [[_person(texts[0], "annabel", score=0.3)], [], []]
    assert ClippedNameRecognizer().analyze_transcript(["datteren min annabel", "alle sier anna"], weak[:2]) == []


# ------------------------------------------------------------------ where a key's ordinary-word name spreads

def test_addressed_after_du_at_the_sentence_end():
    text = "hva syntes du sol"
    assert addressed(text, text.index("sol"), len(text))
    text = "hva syntes du, sol? vi går videre"
    assert addressed(text, text.index("sol"), text.index("sol") + 3)
    text = "hva syntes du sol var best"
    assert not addressed(text, text.index("sol"), text.index("sol") + 3)
    text = "i dag skinner sol"
    assert not addressed(text, text.index("sol"), len(text))


def test_coordinated_with_a_person_of_the_key():
    text = "takk til kari og sol for i dag"
    kari = (text.index("kari"), text.index("kari") + 4)
    sol = text.index("sol")
    assert coordinated(text, sol, sol + 3, [kari])
    text = "sol eller kari kommer"
    kari = (text.index("kari"), text.index("kari") + 4)
    assert coordinated(text, 0, 3, [kari])
    text = "takk kari, sol skinner"
    kari = (text.index("kari"), text.index("kari") + 4)
    assert not coordinated(text, text.index("sol"), text.index("sol") + 3, [kari])  # a comma is no "og"
    text = "kari og mannen og sol"
    kari = (0, 4)
    assert not coordinated(text, text.index("sol"), text.index("sol") + 3, [kari])  # not right beside


def test_first_run_replaces_a_clipped_name_everywhere_a_caseless_transcript_says_it(make_study):
    from pipeline.anonymise import anonymise_stage
    from pipeline.ingest import ingest_study
    from pipeline.settings import load_study
    from pipeline.store import StudyStore

    transcript = ("I: velkommen\nIP: jeg heter ivana pet rova og sønnen min heter rasmus\n"
                  "IP: hei alle sier ras jeg er femten\nI: ka syntes du ras\n"
                  "IP: vi kjører forbi et ras hver dag\nI: tusen takk ivana og ras\n")
    study = load_study(make_study({"a.txt": transcript}, informants="id,file,group,name\n1,a.txt,a,Ivana Petrova\n"))
    ingest_study(study)
    anonymise_stage(study)
    with StudyStore(study.store_path) as store:
        turns = [s.text.lower() for s in store.segments()]
    assert "rasmus" not in " ".join(turns) and "pet rova" not in " ".join(turns)
    assert turns[2].startswith("hei alle sier [person_") and turns[3].startswith("ka syntes du [person_")
    assert turns[5].startswith("tusen takk a 1 og [person_")
    assert "et ras hver dag" in turns[4]  # the ordinary word, in no person's frame, stays


def test_a_comma_before_og_ends_a_clause_not_a_pair():
    text = "Hei, og takk for at du kom"
    hei = (0, 3)
    assert not coordinated(text, text.index("takk"), text.index("takk") + 4, [hei])
    assert not coordinated(text, 0, 3, [(text.index("takk"), text.index("takk") + 4)])
