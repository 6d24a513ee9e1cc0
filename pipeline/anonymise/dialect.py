"""Dialect forms of ordinary words, so that a transcript in dialect does not turn its own words into names.

A transcript written as people speak (northern and western Norwegian, trøndersk) has forms no
dictionary lists: the definite plural in -an/-ane ("naboan", "brevan", "jentan" for naboene,
brevene, jentene), a definite with the vowel dropped and marked ("dal'n", "bil'n"), and dialect
function words and nouns ("nån" = noen, "korsen" = hvordan, "ongan" = ungene). Read
as "no Norwegian word", such a form was capitalised by ``casing.truecase`` and taken for a name
or firm by the model. ``dialect_word`` says the form is a word: the stem with a standard ending
("nabo", "brev", "jente") is a Norwegian word (``lexicon.is_word``), the form is the standard one
with its final or last -e- dropped ("hadd", "korsn": apocope and syncope), a compound with a
dialect word ("nånting"), the standard form with the -e after a palatal j said -i ("ikkji",
"mykji" = ikkje, mykje: eastern inland dialects), or it is one of the short list of dialect words below. A form that is
a gazetteer name or place ("stian" = sti + an, "karen") is never a dialect form, so known names
keep their reading. ``respelled_word`` also takes a form with one spelling of dialect or
Danish-near writing undone ("kjæm", "nokå", "tilbage", "mykkje", "leiligheita", "hengaren"); that
rule only lists a replacement for review, since it also turns unlisted names into words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.nb.stop_words import STOP_WORDS as _STOP_WORDS

from .gazetteer import load_gazetteer
from .lexicon import in_dictionary, is_word

# Definite and plural endings of the dialects (the stem is tried bare and with -e: "jent-an" -> "jente").
_ENDINGS = ("ane", "an")  # -a, -ene, -en are standard endings the dictionaries list
_APOSTROPHES = ("'", "’")
_MIN_STEM = 3
# Pronouns, adverbs and question words of the dialects that no dictionary form covers (a closed
# class), and the northern word for children ("onga", "ongan"), whose vowel the stem rule misses.
DIALECT_WORDS = frozenset({
    "onge", "ongen", "onga", "ongan", "ongane", "ongar", "ungan", "ungane",
    "nån", "nånn", "nånnting", "nåkka", "nokka", "nokke", "nåkke", "nokon", "kor", "ka", "kem", "kælles", "korsen",
    "kossen", "kordan", "koss", "åssen", "hærre", "dærre", "hainn", "hu", "dæm", "dokker", "dokk", "mæ", "dæ",
    "sæ", "ittj", "itj", "ikkj", "heilt", "sia", "sånn", "nåkken", "ingenting", "åsså", "asså"})
# Personal pronouns and forms of address, Bokmål, Nynorsk and dialect, in every case: a closed
# class, and no name alone. The stop list misses the polite and plural address ("Dere", "Dykk",
# "Dokker") and the Nynorsk forms ("Dei", "Me", "Ho", "Deg"); capitalised at a sentence start or as
# polite address, a model reads them as a person's name.
PERSONAL_PRONOUNS = frozenset({
    "jeg", "eg", "æ", "je", "meg", "mæ", "du", "deg", "dæ", "han", "ham", "hun", "ho", "hu", "hon", "henne",
    "hen", "vi", "me", "oss", "dere", "dokker", "dokk", "dåkk", "dykk", "dykkar", "dokkers", "de",
    "dei", "dem", "døm", "dæm", "deres", "deira", "seg", "sæ"})
# Spellings of dialect and older or Danish-near writing, each undone one at a time to find the
# standard form the dictionaries list (sound changes, not words): an open e or o written æ or å
# ("kjæm" = kjem, "nokå" = noko, "jentå" = jenta), the soft g, b, d of southern speech after a vowel
# ("tilbage" = tilbake, "kjøbte" = kjøpte, "leiligheden" = leiligheten), a consonant written double
# ("mykkje" = mykje), and the Nynorsk suffixes -heit and -ar in a Bokmål word ("leiligheita" =
# leiligheta, "hengaren" = hengeren).
_SPELLINGS = (("æ", "e"), ("å", "o"), ("å", "a"), ("g", "k"), ("b", "p"), ("d", "t"), ("heit", "het"),
              ("ar", "er"))
_VOWELS = "aeiouyæøå"


@lru_cache(maxsize=65536)
def dialect_word(word: str) -> bool:
    """Is ``word`` (lower-cased) a dialect form of an ordinary word? See the module docstring."""
    w = word.lower()
    if w in DIALECT_WORDS:
        return True
    g = load_gazetteer()
    if g.is_name(w) or g.is_place(w):
        return False
    return _dialect_form(w)


@lru_cache(maxsize=65536)
def closed_class_word(word: str) -> bool:
    """Is ``word`` a function word (a pronoun, adverb, question word, auxiliary): a Norwegian stop
    word, a personal pronoun or form of address (``PERSONAL_PRONOUNS``: "Dere", "Dykk", "Dei") or
    one of the dialects' (``DIALECT_WORDS``), as written or with one dialect spelling or
    dropped -e- undone ("kæm" = kem, "korsn" = korsen), and on no name or place list ("Hans",
    "Dag" and "Vår" are)? A closed class no name belongs to, so a name type on such a word alone
    ("dæm", "kæm", "Korsn", "Ha") is the transcript's own wording: caseless and dialect
    transcripts give the model and the lower-case rules many of them (issue 10)."""
    w = word.lower()
    g = load_gazetteer()
    if g.is_name(w) or g.is_place(w):
        return False
    closed = DIALECT_WORDS | _STOP_WORDS | PERSONAL_PRONOUNS
    if w in closed:
        return True
    if len(w) >= 3 and w[-1] in "nlr" and w[-2] not in _VOWELS and w[:-1] + "e" + w[-1] in closed:
        return True
    return any(v in closed for v in respelled(w))


@lru_cache(maxsize=65536)
def respelled_word(word: str) -> bool:
    """``dialect_word``, or ``word`` with one spelling undone (``_SPELLINGS``) is a listed form, or
    one with its -e- restored before a final n, l or r ("fættern" = fettern = fetteren); no second
    rule on top. Only for listing a replacement for review (``stage.Anonymiser.dialect_form``):
    one letter changed turns many unlisted names into words ("peder" = peter, "solli" = soli,
    "tvedten" = tvetten), so it never decides that a word is no name."""
    w = word.lower()
    if dialect_word(w):
        return True
    g = load_gazetteer()
    if g.is_name(w) or g.is_place(w) or (w.endswith("s") and g.is_name(w[:-1])):
        return False  # a listed name's genitive ("annes") is the name, whatever a respelling makes of it
    return len(w) >= 4 and any(in_dictionary(v) or (v[-1] in "nlr" and v[-2] not in _VOWELS
                                                    and in_dictionary(v[:-1] + "e" + v[-1])) for v in respelled(w))


def respelled(w: str) -> set[str]:
    """``w`` with one of the ``_SPELLINGS`` undone at one place, or one doubled consonant single.
    The soft consonants only after a vowel ("tilbage"), -ar only before an ending ("hengaren")."""
    out = set()
    for written, standard in _SPELLINGS:
        start = w.find(written)
        while start >= 0:
            end = start + len(written)
            after_vowel = start > 0 and w[start - 1] in _VOWELS
            if (written in ("g", "b", "d") and not after_vowel) or (
                    written == "ar" and not re.fullmatch(r"(?:en|e|ne|a|)", w[end:])):
                pass
            else:
                out.add(w[:start] + standard + w[end:])
            start = w.find(written, start + 1)
    for k in range(1, len(w)):
        if w[k] == w[k - 1] and w[k] not in _VOWELS:
            out.add(w[:k] + w[k + 1:])
    out.discard(w)
    return out


def _dialect_form(w: str) -> bool:
    """The dialect endings, apocope, syncope and compounds of the module docstring."""
    for mark in _APOSTROPHES:
        if mark in w:
            stem, _sep, tail = w.partition(mark)
            return len(stem) >= 2 and len(tail) <= 2 and is_word(stem)
    for ending in _ENDINGS:
        stem = w[: -len(ending)]
        if w.endswith(ending) and len(stem) >= _MIN_STEM and (is_word(stem) or is_word(stem + "e")):
            return True
    if len(w) >= 4 and w.endswith("ji") and in_dictionary(w[:-1] + "e"):
        # The final -e after a palatal consonant said -i in the inland dialects of eastern Norway
        # (Hallingdal, Valdres, Gudbrandsdal): "ikkji", "mykji", "kyrkji" = ikkje, mykje, kyrkje.
        return True
    if len(w) >= 4 and w.isalpha():
        # Apocope, the dropped final -e of northern and Trøndelag speech ("hadd", "bytt", "kost" =
        # hadde, bytte, koste), and syncope, the dropped -e- before a final n, l or r ("korsn" =
        # korsen, "hest'n" without its mark): the standard form is a word.
        # The standard form must be listed whole (no compound reading: "kvernmoen" is no "kvernmoene").
        if w[-1] not in "aeiouyæøå" and not w.endswith(("en", "er", "et", "el")) and in_dictionary(w + "e"):
            return True
        if w[-1] in "nlr" and w[-2] not in "aeiouyæøå" and (
                in_dictionary(w[:-1] + "e" + w[-1]) or w[:-1] + "e" + w[-1] in DIALECT_WORDS):
            return True
    if len(w) >= 6:
        # A compound with a dialect word in it ("nånting" = nån + ting).
        for cut in range(3, len(w) - 2):
            head, tail = w[:cut], w[cut:]
            if (head in DIALECT_WORDS and is_word(tail)) or (is_word(head) and tail in DIALECT_WORDS):
                return True
    return False
