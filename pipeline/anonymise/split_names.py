"""Names that speech recognition wrote as several lower-case words, with no part of them found.

A machine transcript (no capitals, little punctuation) hears a one-word name as two or three words:
a Norwegian farm-name surname as its stem and its place element ("hammer voll" for Hammervoll,
"furu sett" for Furuset), a compound first name as its two names ("hall geir" for Hallgeir), a
foreign name as syllables ("keski talo", "min dau gas"). ``persons.name_split`` takes such pieces
only after a person some recognizer found; this recognizer (``split_join``, a transcript recognizer,
``detection.TranscriptRecognizer``) joins adjacent pieces where nothing was found, in a transcript
written in lower case only (``casing.lower_case_transcript``: where the text has capitals, a name is
written whole), when the join is a name by one of three kinds of evidence:

* ``listed``: the pieces joined (a letter doubled at the cut read once: "hans sen") are a first
  name or surname of the name lists (the gazetteer and, for this join only, the NorNE surnames,
  ``data/norne_last.txt``) of five letters or more, and no dictionary word;
* ``echo``: the pieces joined are, by sound (``matcher.sound_key``, and "ld"/"ll" read alike as
  speech says them), a word of six letters or more of a person or place the other recognizers found
  in another turn of the same transcript, and no dictionary word ("keski talo" beside "Aila
  Keskitalo"); the join takes that detection's type;
* ``farm``: two pieces, the second an element Norwegian farm names end in (``FARM_ELEMENTS``: stad,
  voll, vik, dal, rud, heim, land, by, set, bø, haug, berg, nes, li ...) and the first a stem of
  three letters or more, whose join is no dictionary word, where the clause makes it a name: a place
  preposition before it (STED: "på furu sett") or a first name of the lists before it, with "eller"
  or a hesitation between or not (PERSON: "ingrid eller hammer voll").

Whatever the evidence, the pieces must not be a phrase of ordinary words in their clause: where every
piece is a dictionary word, a ``listed`` join needs a frame a name stands in (the word after it opens a
new clause, a pronoun, conjunction, "fra", "som" or the end of the sentence, or a first name, kin or
role word, "heter"/"het" or "det var" is before it), an ``echo`` is not taken at all ("start lån" beside
a "startlån" some recognizer took for a name elsewhere), and ``farm`` has its frame already; the first
piece is never a function word (spaCy's stop words, articles and possessives: "han sen" is "he late"
as often as Hansen) and no
later piece a verb or preposition that follows a name in its clause (``_NOT_PIECES``). A piece that is
a word enters the key as part of the person, which re-applies a person's ordinary-word parts in a
caseless transcript's person contexts (stage.py, ``key_caseless``): so "min dau gas" (Mindaugas) is
left, since "min" would follow the person into "mannen min". Each hit is replaced and listed for
review (``SCORE``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from spacy.lang.nb.stop_words import STOP_WORDS

from .casing import lower_case_transcript
from .detection import PERSON, STED, Detection, TranscriptRecognizer
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_word
from .matcher import sound_key
from .slots import seen_in_treebank

SCORE = 0.7
# What the echo reads as found elsewhere in the transcript: a detection the stage replaces.
FOUND_AT = 0.7
_WORD = re.compile(r"[^\W\d_]+")
# A piece of a split name is a syllable or a short word; a longer word is a word of its own.
_MAX_PIECE = 6
_MIN_JOIN = 5
_MIN_ECHO = 6

# The elements Norwegian farm names (and so surnames and local place names) end in, in the forms a
# caption writes them apart: bare, with the vowel's length written ("sett" for -set), a spelling of
# surnames ("vold", "dahl", "aas", "seth"), clipped as said ("ru" for -rud, "sta" for -stad), and
# definite as a place is named ("vannet", "heia"). The common generics, not a list of names.
FARM_ELEMENTS = frozenset({
    "stad", "sta", "voll", "vold", "vik", "dal", "dahl", "rud", "ru", "heim", "land", "by", "bø", "set", "sett", "seth",
    "haug", "berg", "nes", "ness", "li", "lie", "lid", "mo", "moen", "ås", "aas", "gard", "gård", "eng", "holm", "lund",
    "myr", "rød", "torp", "tveit", "sæter", "seter", "bakk", "bakken", "stø", "skog", "vang", "øy", "vatn", "vatnet",
    "vann", "vannet", "dalen", "vika", "heia", "lia", "åsen", "haugen", "myra", "bygd", "bygda", "fjord", "sund"})

# The elements in their definite form, as a place name is said ("Møllevannet", "Slettheia").
_DEFINITE = frozenset({"vannet", "vatnet", "dalen", "vika", "heia", "lia", "åsen", "haugen", "myra", "bygda", "moen",
                       "bakken"})

# The word after a name that ends it: a pronoun, conjunction or "fra" opening what follows.
_AFTER_NAME = frozenset({"han", "hun", "hu", "ho", "hon", "og", "eller", "men", "fra", "frå", "som", "sa", "sier",
                         "seier"})
# Before a name: a person frame.
_BEFORE_NAME = frozenset({"heter", "het", "heiter", "heitte", "hette", "kalt", "kalla", "mor", "far", "mora", "faren",
                          "bror", "broren", "søster", "søstera", "søsteren", "kusina", "kusine", "fetter", "fetteren",
                          "mannen", "kona", "naboen", "sønnen", "dattera", "datteren", "onkel", "tante"})
_PLACE_PREPOSITIONS = frozenset({"på", "i", "fra", "frå", "til", "ved", "mot", "over", "nær", "hos"})
# Between a first name and the surname that corrects or completes it.
_BETWEEN_NAMES = frozenset({"eller", "eh", "e", "ehm", "øh", "hm", "altså"})
# Words that follow a name in its clause (verbs, prepositions, particles): never a piece of it.
_NOT_PIECES = frozenset({"er", "e", "var", "va", "har", "hadde", "skal", "ska", "vil", "kan", "må", "blir", "ble",
                         "vart", "bor", "bodde", "går", "gikk", "kom", "sa", "sier", "seier", "fikk", "får", "fekk",
                         "i", "på", "til", "med", "om", "av", "for", "fra", "frå", "ut", "inn", "opp", "ned", "hjem",
                         "heim", "seg", "meg", "deg", "oss", "dem", "det", "den", "de", "som", "at", "så", "da",
                         "nå", "no", "ikke", "ikkje", "også", "og", "men", "eller", "han", "hun", "hu", "ho", "hon",
                         "jo", "vel", "bare", "ja", "nei", "eh", "ehm", "hm", "altså", "liksom", "het", "heter"})
# Articles and possessives (spaCy's list lacks "min", "mi", "vår"): the word after one is its noun.
_DETERMINERS = frozenset({"en", "ei", "et", "ein", "eit", "min", "mi", "mitt", "din", "di", "ditt", "sin", "si", "sitt",
                          "vår", "vårt", "våre", "hans", "hennes", "deres", "dykkar", "denne", "dette", "disse"})
_SENTENCE_END = re.compile(r"\s*(?:[.!?…]|$)")


@lru_cache(maxsize=1)
def norne_surnames() -> frozenset[str]:
    """The NorNE surnames (``tools/build_norne_surnames.py``), lower case: read by this join only."""
    text = resources.files("pipeline.anonymise").joinpath("data", "norne_last.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _single(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def _sound(word: str) -> str:
    """The sound key with "ld" read as "ll" and doubled letters once: "hammervold" = "hammer voll"."""
    return _single(sound_key(word).replace("ld", "ll"))


def _joins(pieces: list[str]) -> list[str]:
    """The pieces joined, and joined with a letter doubled at a cut read once ("hans sen")."""
    joined = "".join(pieces)
    out = [joined]
    single = pieces[0]
    for p in pieces[1:]:
        single += p[1:] if single[-1:] == p[:1] else p
    if single != joined:
        out.append(single)
    return out


class SplitNameRecognizer(TranscriptRecognizer):
    name = "split_join"
    version = "1"
    supported_entities = (PERSON, STED)

    def __init__(self, gazetteer: Gazetteer | None = None, found_at: float = FOUND_AT):
        self.gazetteer = gazetteer
        self.found_at = found_at

    def params(self) -> dict:
        return {"found_at": self.found_at, "score": SCORE}

    def _listed(self, word: str) -> bool:
        g = self.gazetteer or load_gazetteer()
        return g.is_name(word) or word in norne_surnames()

    def analyze_transcript(self, texts, found):
        if not lower_case_transcript(texts):
            return []
        echoes = self._echo_words(found)
        out = []
        for i, text in enumerate(texts):
            taken = [(d.start, d.end) for d in found[i] if d.score >= self.found_at]
            others = {k: v for k, v in echoes.items() if any(t != i for t in v[1])}
            for start, end, kind, reason in self.turn_hits(text, taken, others):
                out.append((i, Detection(start, end, kind, SCORE, f"{self.name}_{reason}", text[start:end])))
        return out

    def _echo_words(self, found) -> dict[str, tuple[str, set[int]]]:
        """Sound key → (type, turns) of every word of six letters or more of a person or place found."""
        words: dict[str, tuple[str, set[int]]] = {}
        for i, dets in enumerate(found):
            for d in dets:
                if d.type not in (PERSON, STED) or d.score < self.found_at:
                    continue
                for w in _WORD.findall(d.text):
                    w = w.lower()
                    if len(w) >= _MIN_ECHO and not in_dictionary(w):
                        words.setdefault(_sound(w), (d.type, set()))[1].add(i)
        return words

    def turn_hits(self, text: str, taken=(), echoes=None) -> list[tuple[int, int, str, str]]:
        """(start, end, type, reason) of each split name in one turn's ``text``; ``taken``: spans
        found already (a split name that none of them holds whole)."""
        echoes = echoes or {}
        words = list(_WORD.finditer(text))
        low = [m.group().lower() for m in words]
        hits: list[tuple[int, int, str, str]] = []
        k = 0
        while k < len(words):
            hit = None
            for n in (3, 2):
                if k + n > len(words):
                    continue
                span = words[k:k + n]
                if any(text[a.end():b.start()] != " " for a, b in zip(span, span[1:])):
                    continue
                start, end = span[0].start(), span[-1].end()
                # Found whole already: the others' span stands. A piece found alone ("geir" of "hall
                # geir") is half a name, which the join completes (the merge joins the two).
                if any(s <= start and end <= e for s, e in taken):
                    continue
                pieces = low[k:k + n]
                hit = self._judge(text, pieces, low[k - 1] if k else "", low[k - 2] if k > 1 else "",
                                  low[k + n] if k + n < len(low) else "", end, echoes)
                if hit:
                    hits.append((start, end, *hit))
                    k += n
                    break
            if not hit:
                k += 1
        return hits

    def _judge(self, text, pieces, before, before2, after, end, echoes):
        if any(len(p) > _MAX_PIECE for p in pieces) or any(p in _NOT_PIECES for p in pieces[1:]):
            return None
        joins = [j for j in _joins(pieces) if len(j) >= _MIN_JOIN and not in_dictionary(j)]
        if not joins:
            return None
        if pieces[0] in STOP_WORDS or pieces[0] in _NOT_PIECES or pieces[0] in _DETERMINERS:
            return None
        words = all(is_word(p) for p in pieces)
        frame = (after in _AFTER_NAME or bool(_SENTENCE_END.match(text, end))
                 or before in _BEFORE_NAME or (before == "var" and before2 == "det") or self._first(before))
        if any(self._listed(j) for j in joins) and (not words or frame):
            return PERSON, "listed"
        for j in joins:
            echo = echoes.get(_sound(j))
            if echo and len(j) >= _MIN_ECHO and not words:
                return echo[0], "echo"
        if len(pieces) == 2 and pieces[1] in FARM_ELEMENTS and len(pieces[0]) >= 3:
            # "i ulike land", "på åpen myr": an adjective or number before a bare noun is a phrase; a
            # stem the treebank never writes as an ordinary word, or the element's definite form
            # ("ved mølle vannet", "i slett heia"), is a name's.
            if before in _PLACE_PREPOSITIONS and (pieces[1] in _DEFINITE or not seen_in_treebank(pieces[0])):
                return STED, "farm"
            if self._first(before) or (before in _BETWEEN_NAMES and self._first(before2)):
                return PERSON, "farm"
        return None

    def _first(self, word: str) -> bool:
        g = self.gazetteer or load_gazetteer()
        return len(word) >= 3 and g.is_first(word) and word not in STOP_WORDS
