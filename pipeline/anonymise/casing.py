"""Transcripts written without capitals (machine transcription, a hurried typist): told apart, and truecased.

In such a transcript case says nothing, so the model and the capital-letter rules miss names.
``truecase(text)`` gives the recognizers a copy of the same length with likely names capitalised;
the offsets they report hold for the original text, which is never changed:

1. a word of 3+ letters that is no Norwegian word at all (lexicon) nor a dialect form of one
   (``dialect.dialect_word``: "naboan", "dal'n", "nån") — "fidjeland", "kismayo";
2. a gazetteer name or place that is no dictionary word — "marit", "terje";
3. next to a word capitalised so, a gazetteer first name or a compound not in the dictionary
   ("jan Erik" -> "Jan Erik", "Erik salvesen" -> "Erik Salvesen");
4. a compound not in the dictionary after a place preposition ("på tinnheia", "fra slettheia"), but
   no decade ("frå syttitalet", ``numbers.DECADE``);
5. up to two words before an institution word that are no frequent ordinary words
   ("solsikken barnehage", "grim skole", "sørlandet sykehus"), nor a verb after the infinitive
   marker or a modal ("å byte skule", "måtte bytt skole").

An ordinary dictionary word ("ruta", "naboen", "takst") is never capitalised by rules 1-2, so it
cannot become a name by case alone. Detections in lower-case transcripts stay subject to the
stage's review rules.
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .dialect import dialect_word
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_ordinary, is_word
from .numbers import DECADE, WORD_PATTERN
from .recognizers import ORGANISATION_KINDS

_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)(?:\[[^\]]*\]\s*)?([^\W\d_])", re.MULTILINE)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PLACE_PREPOSITIONS = frozenset({"på", "i", "fra", "frå", "til", "mellom", "ved", "nær", "hos"})
# The kinds of association (borettslag, sameige, kyrkjelyd, velforening ...) are the institution
# recognizer's own list (``recognizers.ORGANISATION_KINDS``), so truecasing and the recognizer read the same names.
_INSTITUTION_WORDS = frozenset({
    *ORGANISATION_KINDS, "skole", "skule", "barneskole", "ungdomsskole", "skolesenter",
    "barnehage", "sykehus", "sjukehus", "sykehjem", "sjukeheim", "helsesenter", "legesenter", "as", "asa",
    "frivilligsentral", "kirke", "verk", "nikkelverk", "bymisjon"})
# A compound ending in one of these names an institution too ("kulturskole", "omsorgssenter", "fylkeskommune").
_INSTITUTION_HEADS = ("skole", "skule", "skolesenter", "barnehage", "sykehjem", "sjukeheim", "sykehus", "sjukehus",
                      *ORGANISATION_KINDS, "kommune", "klubb")
# A compound ending in a building, room or office noun is a common noun ("boligkontoret", "balkongdøra").
GENERIC_HEADS = ("kontoret", "kontor", "døra", "døren", "døra", "rommet", "huset", "bygget", "senteret", "stua",
                  "stuen", "kjøkkenet", "leiligheten", "leiligheta", "leilegheita", "skolen", "skulen", "banken",
                  "laget", "butikken", "etasjen", "kjelleren", "trappa", "trappen", "gangen", "vinduet", "taket")
_NUMBER_WORD = re.compile(WORD_PATTERN, re.IGNORECASE)
# The infinitive marker and the modal verbs (Bokmål, Nynorsk, dialect forms): the word after one is
# a verb ("å byte skule", "må bytte skole"), never the first word of an institution's name.
VERB_BEFORE = frozenset({"å", "må", "måtte", "skal", "skulle", "ska", "sku", "vil", "ville", "vile", "kan", "kunne",
                         "bør", "burde", "laut", "lyt", "tør", "turde"})
_COMPASS = frozenset({"vest", "øst", "nord", "sør", "søndre", "nordre", "østre", "vestre", "øvre", "nedre"})


def _institution_noun(word: str) -> bool:
    """An institution word with its definite ending ("borettslaget", "skulen", "sameiet"): the common
    noun, which names no institution ("borettslaget hallemsmyra boligsameie" has one name)."""
    return any(word[:-k] in _INSTITUTION_WORDS or word[:-k].endswith(_INSTITUTION_HEADS)
               for k in (1, 2) if len(word) > k + 2 and word.endswith(("et", "en", "a", "i")))


def lower_case_transcript(texts: list[str]) -> bool:
    """Written mostly in lower case (a hurried or machine transcription): at least 60 % of at
    least 5 sentence starts are lower-case letters."""
    starts = [m.group(1) for text in texts for m in _SENTENCE_START.finditer(text)]
    return len(starts) >= 5 and sum(c.islower() for c in starts) >= 0.6 * len(starts)


def truecase(text: str, g: Gazetteer | None = None) -> str:
    """``text`` with likely names capitalised (rules in the module docstring); same length."""
    g = g or load_gazetteer()
    words = list(_WORD.finditer(text))
    low = [m.group().lower() for m in words]
    cap = [False] * len(words)
    for i, w in enumerate(low):
        if not words[i].group()[:1].islower() or w in STOP_WORDS or len(w) < 3 or _NUMBER_WORD.fullmatch(w):
            continue  # a number word ("tjuesytten") is never a name
        if not is_word(w) and not dialect_word(w):  # "naboan", "dal'n": a dialect form is a word
            cap[i] = True
        elif (g.is_first(w) or g.is_last(w) or g.is_place(w)) and not is_ordinary(w) and not g.is_common_word(w):
            cap[i] = True
    for i, w in enumerate(low):
        if cap[i] or w in STOP_WORDS or len(w) < 3 or not words[i].group()[:1].islower():
            continue
        beside = (i > 0 and cap[i - 1]) or (i + 1 < len(words) and cap[i + 1])
        compound = not in_dictionary(w) and not g.is_common_word(w)
        if beside and (g.is_first(w) or g.is_last(w) or compound):
            cap[i] = True
        elif compound and i > 0 and low[i - 1] in _PLACE_PREPOSITIONS and not w.endswith(GENERIC_HEADS) \
                and not _NUMBER_WORD.fullmatch(w) and not DECADE.fullmatch(w):  # "frå syttitalet": a time
            cap[i] = True
    for i, w in enumerate(low):
        if (w in _INSTITUTION_WORDS or w.endswith(_INSTITUTION_HEADS)) and i > 0:
            head = []
            for k in (i - 1, i - 2):
                if k < 0 or low[k] in STOP_WORDS or (g.is_common_word(low[k]) and low[k] not in _COMPASS) \
                        or _institution_noun(low[k]):
                    break
                head.append(k)
            if head and head[-1] > 0 and low[head[-1] - 1] in VERB_BEFORE:
                head = []  # "slepp å byte skule", "måtte bytt skole": a verb and its object, no name
            if any(low[k] not in _COMPASS for k in head):
                for k in head:
                    cap[k] = True
    chars = list(text)
    for i, m in enumerate(words):
        if cap[i]:
            first = m.group()[0].upper()
            if len(first) == 1:
                chars[m.start()] = first
    return "".join(chars)
