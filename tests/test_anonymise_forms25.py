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
