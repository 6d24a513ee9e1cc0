"""A person's name in the forms captions and second-language transcripts give it, next to what
was found or in a clause that only a name fits.

Automatic captions capitalise at random and mishear; a typist writes a name as the speaker
spells or corrects it. The forms, in transcripts with capitals too:

* the other half of a detected name written in lower case: "saksbehandler Khaled mansur" (a
  word no explanation class covers after it), "ole martin" (a listed first name before it, even
  one that is an ordinary word);
* a name between commas before a pronoun, the apposition "den eldste, dilan, han savnet ...":
  a word no explanation class covers, or a listed name;
* the lower-case other half of a detected first name set off after a role or kin noun, the
  apposition "veilederen, Eivind bråten, som ..." or "rådgiveren min Kari nordli.": closed by a
  comma or the sentence's end, the pair is the name even where its second word is also a word;
* a name spelled letter by letter after a spelling verb: "det skrives h e v i";
* the one reached at a detected phone number: "ring kari på 924 18 337", "ta dag på sju åtte ..."
  (a listed first name, even one that is a word, or an unexplained word);
* a name corrected to a detected one: "tan eller thanh heiter han", "Per, nei, Pål" — a single
  word with the same initial, or a listed name, before "eller"/"nei" and the detected name;
* a nickname in quotation marks right after a detected name, the way writing gives a person's
  other name: "vaktmesteren, Tor-Erik, «TE»", "Kristoffer «Kris»" — one or two words, no function
  word, the quote closed after them (a quoted sentence after a name is speech, not a name).

Each hit is reviewed (score 0.7, above the replacement threshold, under the review one).
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .detection import MIN_SCORE, PERSON, TELEFON, Detection, Recognizer
from .gazetteer import Gazetteer, load_gazetteer
from .recognizers import KIN_AND_ROLE_WORDS
from .slots import inflected_noun
from .unexplained import PERSON_NOUNS, explanation

_W = r"[^\W\d_][\w'’-]*"
_WORD = re.compile(_W)
_PRONOUN = r"(?:han|hun|ho|hon|hen)"
# ", dilan, han", ", ole martin, han"
_APPOSITION = re.compile(rf"(?<=,)\s+(?P<name>{_W}(?:\s+{_W})?)\s*,\s+{_PRONOUN}(?![\w'’-])", re.IGNORECASE)
# "det skrives h e v i", "det staves k-a-s-i-a", "så jeg staver: W, L, O, D ...": the letters with
# spaces, dots, hyphens or commas between them (a pause said as a comma), after a colon too; a word
# processor turns " - " into an en dash ("M – A – H – M"), so a dash is a hyphen here.
_SPELLED = re.compile(r"(?<![\w'’-])(?:skrives|skrivast|staves|stavast|stavet|stava|stavar|staver|stavar\s+eg|staver\s+jeg)"
                      r"(?:\s+(?:det|den|han|ho|hun|bare|berre|som|med))*\s*:?\s+"
                      r"(?P<name>[^\W\d_](?:(?:\s*[,.–—-]\s*|\s+)[^\W\d_](?![\w'’])){2,})(?![\w'’-])",
                      re.IGNORECASE)
# The word before a detected name, searched in a window of the text (a lookbehind sees past its start).
_BEFORE = re.compile(rf"(?<![\w'’-])(?P<w>{_W}) $")
# What corrects a name: "X eller Y", "X, nei, Y", "X– nei, Y", "X, jeg mener Y"
_CORRECTION = re.compile(rf"(?<![\w'’-])(?P<name>{_W})\s*(?:[–—-]\s*|,\s*)?(?:eller|nei|jeg\s+mener|eg\s+meiner)"
                         rf"\s*,?\s*$", re.IGNORECASE)
# "Tor-Erik, «TE»", 'Kristoffer "Kris"': one or two words in quotation marks right after a name.
_QUOTED_NICKNAME = re.compile(rf",?[ \t]*[«“”\"‘’'](?P<name>{_W}(?:[ \t]{_W})?)[»”“\"’‘'](?![\w])")
# What closes an apposition: a comma, the end of a sentence or of the turn.
_CLOSED = re.compile(r"\s*(?:[,.!?…;:]|$)")
# A role or kin noun, optionally with a possessive and a comma, ending right before the name; a
# compound of one ("nav-veilederen", "boligrådgiveren") too.
_ROLE_BEFORE = re.compile(rf"(?<![\w'’])(?P<noun>{_W})(?:\s+(?:min|mi|mitt|mine|vår|vårt|våre|hans|hennes|deres|"
                          rf"dykkar|sin|si|sitt))?\s*,?\s+$", re.IGNORECASE)
# "ring kari på 924 18 337", "ta dag på sju åtte ...": the one reached at a number found as a phone.
_REACHED = re.compile(rf"(?<![\w'’-])(?:ring|ringe|ringer|ringte|ringde|ta|tar|kontakt|kontakte|kontakter|kontakta|"
                      rf"kontaktet)\s+(?P<w>{_W})\s+på\s+(?:(?:telefon|telefonen|tlf\.?|mobil|mobilen|nummer|"
                      rf"nummeret)\s+)?$", re.IGNORECASE)
# Roles a housing or welfare interview names people by, with those the other rules use.
_ROLES = tuple(sorted(KIN_AND_ROLE_WORDS | PERSON_NOUNS | {
    "konsulent", "konsulenten", "rådgiver", "rådgjevar", "veiledaren", "rettleiaren", "megler", "megleren",
    "meklar", "meklaren", "advokat", "advokaten", "kontaktperson", "kontaktpersonen", "koordinator",
    "koordinatoren", "svoger", "svogeren", "svigerinne", "svigerinnen", "svigerinna"}))
SCORE = 0.7


def after_role_noun(text: str, start: int) -> bool:
    """Does a role or kin noun (``KIN_AND_ROLE_WORDS``, ``PERSON_NOUNS``, or a compound ending in
    one of five letters or more) stand right before ``start``, maybe with a possessive and a comma?"""
    m = _ROLE_BEFORE.search(text, max(0, start - 50), start)
    if not m:
        return False
    noun = m.group("noun").lower()
    return noun in _ROLES or any(len(r) >= 5 and noun.endswith(r) for r in _ROLES)


class NameNeighbourRecognizer(Recognizer):
    name = "name_neighbour"
    version = "4"
    supported_entities = (PERSON,)
    reads_detections = True

    def __init__(self, gazetteer: Gazetteer | None = None, min_score: float = MIN_SCORE):
        self.g = gazetteer or load_gazetteer()
        self.min_score = min_score

    def params(self):
        return {"min_score": self.min_score}

    def _unexplained(self, word: str) -> bool:
        return word.lower() not in STOP_WORDS and explanation(word, self.g) is None

    def _name_word(self, word: str) -> bool:
        low = word.lower()
        return len(low) >= 2 and low not in STOP_WORDS and (self.g.is_name(low) or explanation(word, self.g) is None)

    def _reached(self, word: str) -> bool:
        """The word a phone number is someone's: a listed first name, even one that is also a word
        ("dag", "Hans": spaCy lists both as function words, and the slot says which), or a word no
        explanation class covers; not another function word, a place, a keep term or a noun with its
        article ("ring kontoret på ...")."""
        low = word.lower()
        if low in STOP_WORDS:
            return self.g.is_first(low)
        if len(low) < 2 or low in self.g.builtin_keep or self.g.is_place(word) \
                or explanation(word, self.g) == "plain" or inflected_noun(low):
            return False
        return self.g.is_first(low) or explanation(word, self.g) is None

    def _set_off(self, text: str, d: Detection, nxt: re.Match, doc=None) -> bool:
        """A capitalised first name and the lower-case word after it standing as an apposition to a
        role or kin noun, closed after the word ("veilederen, Eivind bråten, som"): the word is the
        surname even when it is also an ordinary word, if it can be one: a listed surname, a noun
        with its definite or plural ending (the form of most Norwegian farm-name surnames:
        "bråten", "haugen", "lia") or a noun to the parse; not a function word, a verb or an
        adverb ("Kari svarte,", "Kari altså,")."""
        word = nxt.group("w")
        low = word.lower()
        if not (d.text[:1].isupper() and self.g.is_first(d.text) and " " not in d.text.strip()):
            return False
        if low in STOP_WORDS or explanation(word, self.g) == "plain":
            return False
        if not (_CLOSED.match(text, nxt.end("w")) and after_role_noun(text, d.start)):
            return False
        if self.g.is_last(low) or inflected_noun(low):
            return True
        span = doc.char_span(nxt.start("w"), nxt.end("w")) if doc is not None else None
        return span is not None and all(tok.pos_ in ("NOUN", "PROPN") for tok in span)

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        out: list[Detection] = []
        persons = [d for d in found if d.type == PERSON and d.replaced_at(self.min_score)]
        for d in persons:
            nxt = re.compile(rf" (?P<w>{_W})").match(text, d.end)
            if nxt and nxt.group("w")[:1].islower() and len(nxt.group("w")) >= 3 and (
                    self._unexplained(nxt.group("w")) or self._set_off(text, d, nxt, doc)):
                out.append(self._d(text, d.start, nxt.end("w"), PERSON, SCORE))  # "Khaled mansur"
            before = _BEFORE.search(text, max(0, d.start - 40), d.start)
            first = _WORD.match(d.text)
            if before and first and self.g.is_first(first.group()) and self.g.is_first(before.group("w")) \
                    and before.group("w").lower() not in STOP_WORDS \
                    and before.group("w").lower() != first.group().lower():  # "hilde Hilde Kvernmo" repeats
                start = d.start - len(before.group("w")) - 1
                out.append(self._d(text, start, d.end, PERSON, SCORE))  # "ole martin"
            quoted = _QUOTED_NICKNAME.match(text, d.end)
            if quoted and all(w.lower() not in STOP_WORDS and not self.g.is_place(w)
                              for w in _WORD.findall(quoted.group("name"))):
                out.append(self._d(text, quoted.start("name"), quoted.end("name"), PERSON, SCORE))  # "Per, «PA»"
            corr = _CORRECTION.search(text, max(0, d.start - 40), d.start)
            if corr and first:
                word = corr.group("name")
                low = word.lower()
                if low not in STOP_WORDS and len(low) >= 2 and (
                        self.g.is_name(low) or low[:1] == first.group()[:1].lower()):
                    start = corr.start("name")
                    out.append(self._d(text, start, start + len(word), PERSON, SCORE))  # "tan eller thanh"
        for d in found:
            if d.type != TELEFON or not d.replaced_at(self.min_score):
                continue
            m = _REACHED.search(text, max(0, d.start - 60), d.start)
            if m and self._reached(m.group("w")):
                out.append(self._d(text, m.start("w"), m.end("w"), PERSON, SCORE))  # "ta dag på <nummer>"
        for m in (_APPOSITION.finditer(text) if "," in text else ()):  # its two commas
            words = _WORD.findall(m.group("name"))
            if all(self._name_word(w) for w in words) and any(w[:1].islower() or self.g.is_name(w) for w in words):
                out.append(self._d(text, m.start("name"), m.end("name"), PERSON, SCORE))  # ", dilan, han"
        for m in _SPELLED.finditer(text):
            out.append(self._d(text, m.start("name"), m.end("name"), PERSON, SCORE))  # "skrives h e v i"
        return out
