"""Names the study writes elsewhere, taken where a transcript without capitals writes them in lower case.

In a transcript written in lower case (``casing.lower_case_transcript``) the key's matching rule
(matcher.py) cannot tell a name from a word for three kinds of form, and the recognizers, which
read one transcript at a time, have no evidence for them either:

1. a detected one-word place or firm that is also a dictionary word ("mule", "lund"): the key
   re-applies it only capitalised, so that one false detection of a word does not spread;
2. a place the transcription cut into words ("mo sjøen" for Mosjøen, "grøn åsen");
3. a place named elsewhere only as the name part of a school's, nursing home's, housing
   co-operative's or bank's name ("Nordlandet barneskule" in one transcript, "ute på nordlandet"
   in another).

and two forms the key's rule does not read as the same name:

4. a name of several words cut differently ("sølv i trana" for Sølvi Trana): the same letters, 8 or
   more, joined, in other words (a person, place or firm of the key: a model may type a person a firm);
5. a misspelling ("hoddan" for Hodan): a word of 5 letters or more that is no Norwegian word and no
   number word, one edit from a word of 5 letters or more of a person's name in the key (an
   informant's, a known identifier, a detection), which is no ordinary word itself. A dialect
   reading does not explain it here ("hoddan" reads as a plural of "hodde"): the rules that build
   dialect forms (dialect.py) read almost any word so, and the name one letter away is the evidence.

A one-word name of the study that is also a dictionary word and stands in lower case in no such slot
("storm er i barnehagen" where the study wrote Storm as a name) is not replaced: it is listed for
review only (``StudyPlaces.listed``), so a person sees every use of the form with its count.

What the other transcripts show is that the form is a name of this study: a detection written as
a name there (capitalised mid-sentence, ``Anonymiser.written_as_name``), which the study never
writes in lower case in a transcript with capitals (``lower_vocab``) and which is no keep term.
What makes this use one is the slot: a place preposition right before it. An ordinary word is
never taken on the key alone, and every hit is replaced at ``SCORE`` and listed for review (the
review sheet counts a string's replacements, so one decision covers them all).
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.lang.nb.stop_words import STOP_WORDS

from .casing import _INSTITUTION_HEADS, _INSTITUTION_WORDS, _NUMBER_WORD, GENERIC_HEADS
from .lexicon import is_ordinary, is_word
from .detection import ORG, PERSON, STED, Detection
from .matcher import TOKEN, tokens_of
from .operators import Entity

SCORE = 0.7
FORM_RECOGNIZER = "key_study_form"
LISTED = "key_study_listed"
RECOGNIZER = "key_study_place"  # not "_lower": that suffix marks a recognizer's caseless hit for the stage
# Right before a place: where someone lives, comes from, works or goes.
PLACE_PREPOSITIONS = frozenset({"på", "i", "fra", "frå", "ifra", "til", "ved", "nær", "utenfor", "utafor"})
# A bank's name part is its region ("Nordmøre sparebank"), as a school's is its place.
_NAMED_AFTER_PLACE = tuple(_INSTITUTION_HEADS) + ("sparebank", "sparebanken")
_COMPASS = frozenset({"nord", "sør", "vest", "øst", "midt", "nordre", "søndre", "vestre", "østre", "øvre", "nedre",
                      "gamle", "nye", "store", "lille", "sankt"})
_MIN_JOINED = 6  # a place cut into words: shorter joins are mostly two words that happen to spell one


def _listable(word: str, explained: set[str] | frozenset[str]) -> bool:
    """A one-word name the key matches only capitalised (a dictionary word), which the study does
    not explain as its own word."""
    return len(word) >= 3 and word.isalpha() and word not in explained and word not in STOP_WORDS and (
        is_ordinary(word) or is_word(word))


def _institution(word: str) -> bool:
    return word in _INSTITUTION_WORDS or word.endswith(_NAMED_AFTER_PLACE)


class StudyPlaces:
    """The study's place forms of the three kinds above, found in lower case after a place preposition.

    ``entries``: (original, entity) pairs of the key that a detection wrote as a name (the caller
    filters by ``written_as_name``, ``ordinary_word``, keep terms); ``explained``: words the study
    writes in lower case in a transcript with capitals, or in its own wording — never evidence;
    ``spread``: the key's one-word originals that are no ordinary word (joined forms only)."""

    def __init__(self, entries: Iterable[tuple[str, Entity]], explained: set[str] | frozenset[str] = frozenset(),
                 spread: Iterable[tuple[str, Entity]] = ()):
        self.words: dict[str, Entity | None] = {}  # one lower-case word -> its entity (None: a new place)
        self.dictionary_names: dict[str, Entity] = {}  # one-word names that are dictionary words: for review
        self.joined: dict[str, Entity] = {}  # a one-word place, letters only -> its entity
        # ``spread``: one-word places the key re-applies in any case (no dictionary word): written so
        # in a transcript in lower case, they are names by the key's own rule, and may be found cut.
        for original, entity in sorted(spread, key=lambda p: (p[1].id, p[0])):
            toks = tokens_of(original)
            # Any name type: the place preposition says where it stands, the entity keeps one pseudonym
            # (a model may have typed the place a person elsewhere).
            if entity.type in (STED, ORG, PERSON) and len(toks) == 1 and len(toks[0]) >= _MIN_JOINED \
                    and toks[0].isalpha() and toks[0] not in explained:
                self.joined.setdefault(toks[0], entity)
        for original, entity in sorted(entries, key=lambda p: (p[1].id, p[0])):
            toks = tokens_of(original)
            if entity.type == PERSON and len(toks) == 1 and _listable(toks[0], explained):
                self.dictionary_names.setdefault(toks[0], entity)
            if entity.type not in (STED, ORG):
                continue
            written = TOKEN.findall(original)
            if len(toks) == 1:
                word = toks[0]
                if word in explained or word in STOP_WORDS or not word.isalpha() or len(word) < 3:
                    continue
                # A dictionary word the key matches only capitalised; a place of one word, whatever it is.
                self.words.setdefault(word, entity)
                if _listable(word, explained):
                    self.dictionary_names.setdefault(word, entity)
                if len(word) >= _MIN_JOINED:
                    self.joined.setdefault(word, entity)
            elif entity.type == ORG and 2 <= len(toks) <= 3 and _institution(toks[-1]):
                head = toks[:-1]
                if all(w[:1].isupper() for w in written[:-1]) and not any(
                        w in STOP_WORDS or w in _COMPASS or w in explained or not w.isalpha()
                        or w.endswith(GENERIC_HEADS) or _institution(w) for w in head):
                    for word in head:
                        self.words.setdefault(word, None)

    def __bool__(self) -> bool:
        return bool(self.words or self.joined or self.dictionary_names)

    def listed(self, text: str, taken: Iterable[tuple[int, int]], score: float) -> list[Detection]:
        """Lower-case uses of the study's one-word names that are dictionary words, outside ``taken``
        spans, at ``score`` (the caller's review-only score: listed, not replaced)."""
        taken = list(taken)
        return [Detection(m.start(), m.end(), self.dictionary_names[m.group()].type, score, LISTED, m.group())
                for m in TOKEN.finditer(text) if m.group() in self.dictionary_names
                and not any(s < m.end() and m.start() < e for s, e in taken)]

    def find(self, text: str, taken: Iterable[tuple[int, int]] = ()) -> list[tuple[Detection, Entity | None]]:
        """Lower-case uses after a place preposition, outside ``taken`` spans; each with the key's
        entity it is a form of (None: a place the key does not hold on its own yet)."""
        taken = list(taken)
        toks = list(TOKEN.finditer(text))
        found: list[tuple[Detection, Entity | None]] = []
        i = 1
        while i < len(toks):
            if toks[i - 1].group().lower() not in PLACE_PREPOSITIONS or not toks[i].group()[:1].islower():
                i += 1
                continue
            hit = None
            for n in (3, 2):  # a cut place: the longest join first
                if i + n > len(toks) or not all(t.group().islower() for t in toks[i:i + n]):
                    continue
                if not all(text[toks[k - 1].end():toks[k].start()].isspace() for k in range(i + 1, i + n)):
                    continue
                entity = self.joined.get("".join(t.group() for t in toks[i:i + n]))
                if entity is not None:
                    hit = (n, entity)
                    break
            word = toks[i].group()
            if hit is None and word in self.words:
                hit = (1, self.words[word])
            if hit is not None:
                n, entity = hit
                start, end = toks[i].start(), toks[i + n - 1].end()
                if not any(s < end and start < e for s, e in taken):
                    kind = entity.type if entity is not None else STED
                    found.append((Detection(start, end, kind, SCORE, RECOGNIZER, text[start:end]), entity))
                i += n
                continue
            i += 1
        return found



_MIN_RESPLIT = 8  # letters of a name of several words found cut in other places
_MIN_VARIANT = 5  # letters of a misspelt name and of the name it is one edit from


def one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one inserted, deleted or replaced letter (not equal)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


class StudyNameForms:
    """Names of the key found in a transcript in lower case cut differently (4 above), persons misspelt (5).

    ``entries``: the key's (original, entity) pairs; ``explained``: as for :class:`StudyPlaces`."""

    def __init__(self, entries: Iterable[tuple[str, Entity]], explained: set[str] | frozenset[str] = frozenset()):
        self.joined: dict[str, tuple[tuple[str, ...], Entity]] = {}
        self.names: dict[int, dict[str, Entity]] = {}  # length -> name word -> entity
        for original, entity in sorted(entries, key=lambda p: (p[1].id, p[0])):
            if entity.type not in (PERSON, STED, ORG):
                continue
            toks = tokens_of(original)
            joined = "".join(toks)
            if len(toks) > 1 and len(joined) >= _MIN_RESPLIT and joined.isalpha():
                self.joined.setdefault(joined, (toks, entity))
            if entity.type != PERSON:
                continue
            for word in toks:
                if len(word) >= _MIN_VARIANT and word.isalpha() and word not in explained and not is_ordinary(word):
                    self.names.setdefault(len(word), {}).setdefault(word, entity)

    def __bool__(self) -> bool:
        return bool(self.joined or self.names)

    def _variant(self, word: str) -> Entity | None:
        for n in (len(word) - 1, len(word), len(word) + 1):
            for name, entity in self.names.get(n, {}).items():
                if one_edit(word, name):
                    return entity
        return None

    def find(self, text: str, taken: Iterable[tuple[int, int]] = (),
             explained: set[str] | frozenset[str] = frozenset()) -> list[tuple[Detection, Entity]]:
        """Lower-case forms outside ``taken`` spans, each with the key's entity it is a form of."""
        taken = list(taken)
        toks = list(TOKEN.finditer(text))
        found: list[tuple[Detection, Entity]] = []

        def free(start: int, end: int) -> bool:
            return not any(s < end and start < e for s, e in taken + [(d.start, d.end) for d, _e in found])

        i = 0
        while i < len(toks):
            hit = None
            for n in (4, 3, 2):
                group = toks[i:i + n]
                if len(group) < n or not all(t.group().islower() for t in group) or not all(
                        text[group[k - 1].end():group[k].start()].isspace() for k in range(1, n)):
                    continue
                entry = self.joined.get("".join(t.group() for t in group))
                if entry is not None and tuple(t.group() for t in group) != entry[0]:
                    hit = (n, entry[1])
                    break
            word = toks[i].group()
            if hit is None and word.islower() and len(word) >= _MIN_VARIANT and word.isalpha() \
                    and word not in explained and not is_word(word) and not _NUMBER_WORD.fullmatch(word):
                entity = self._variant(word)
                if entity is not None:
                    hit = (1, entity)
            if hit is not None:
                n, entity = hit
                start, end = toks[i].start(), toks[i + n - 1].end()
                if free(start, end):
                    found.append((Detection(start, end, entity.type, SCORE, FORM_RECOGNIZER, text[start:end]), entity))
                    i += n
                    continue
            i += 1
        return found
