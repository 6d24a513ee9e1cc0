"""Persons in the forms a name takes around a detected one, and initials.

* initials standing for a person: "jeg kaller dem bare K.A. her", "M.W. og A. H." — two or three
  capital letters each closed by a dot (a space between them or not); the language's fixed
  abbreviations written so ("O.K.", "T.V.") are not initials, nor an abbreviation that may be
  either ("A.S.", "P.C.", "F.N.") with a word for the thing beside it ("et A.S.", "min P.C.")
  (``initials``);
* a name with a particle ("Maria Santos dela Cruz", "Rania al Hamwi", "Ludwig van der Berg"): a
  detected person, one or two lower-case particles and a capitalised word that is no function word;
  the particle joins the parts into one name (``name_particle``), also two parts found apart over
  "de", "di" or "do" before a surname ("Ola de Berg", ``_SURNAME_PARTICLES``);
* a detected name said again in the same turn (``name_repeat``): a capitalised word of a person's
  name written in capitals ("Sol Heggland ... Sol er som en bestemor", where "Sol" opens its
  sentence and is also the word for the sun), and the restatement next to a detected name, only
  punctuation between, in any case: "en dame fra NAV, tone. Tone Haugen", "heter storm, storm Lidal"
  (a lower-case word after an article is the noun: "under en eik. Eik Brattli"); not a noun with
  its definite or plural ending ("sameiet, Sameiet Bjørkåsen": a firm's name a model typed a person);
* a name that speech recognition split into syllables (``name_split``): after a detected person,
  one to three short pieces in lower case and then a pronoun or conjunction that opens the next clause
  ("fra nav kari hau land og sa", "min bror tor mod han jobber"), where the last word of the name
  joined with the pieces is no Norwegian word or is a listed name ("kari" + "hauland", "tor" + "mod"
  = "tormod"), or two or more pieces joined are a listed surname ("kari hau gen" = Haugen, though
  "kari" + "haugen" reads as a compound); no piece is a function word or a verb that follows a
  subject ("kari sa han": the verb of a clause, not a piece of the name). A piece may sound like a function word ("ingrid som
  land fra nav", Sømland; "sigurd ås heim han"): then the last piece is an element surnames end in
  ("land", "heim", "vik"), the others words a syllable sounds like ("som", "ut", "av"), never a
  place preposition, possessive, verb or pronoun, and the pieces joined no dictionary word; a name
  ending in a surname element may also end before "fra"/"frå" (the office or firm a person is
  named with: "ingrid hau land fra nav"). The joined name said whole right after "eller" is the
  speaker's restatement of it, the same person ("han het tor mod eller tormod"; a letter doubled at
  the cut is one letter: "hans sen eller hansen"). One piece between two found parts of a name, no
  Norwegian word, is its middle ("ola krist jan", whether truecasing capitalised the piece or not);
  a word there stands between two persons ("Påves kone Sunná").

Each hit is replaced and listed for review (``SCORE``, between ``min_score`` and ``review_below``).
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .detection import LOWER, MIN_SCORE, PERSON, UPPER, Detection, DetectionReader, Recognizer
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_word
from .slots import inflected_noun

SCORE = 0.7
_WORD = re.compile(r"[^\W\d_][\w'’-]*")

# Abbreviations written with a dot after each capital that are no two-letter initials anyone
# goes by: okay, television, the states, a disc.
_ABBREVIATIONS = frozenset({"ok", "tv", "usa", "dvd"})
# Abbreviations that are also a person's initials ("A.S." for Anne Solberg, "P.C." for Per
# Christian): the thing only with a word for it right beside, either side (the firm form "et A.S.",
# "firmaet A.S."; "min P.C."; "i F.N."), or a hyphenated ending ("P.C.-en"); else a person.
# "P.S." has no such word: a postscript is rare in what is said, initials are not.
_THING_CUES = {
    "as": {"et", "eget", "sitt", "firma", "firmaet", "selskap", "selskapet", "bedrift", "bedriften", "aksjeselskap"},
    "it": {"i", "innen", "jobber", "jobbet", "bransjen", "avdelingen", "avdeling", "support", "konsulent", "drift"},
    "pc": {"en", "min", "din", "sin", "ny", "gammel", "på", "skjerm", "data"},
    "cd": {"en", "ei", "min", "plate", "plata", "spiller", "spilleren"},
    "fn": {"i", "for", "jobbet", "jobber", "konvensjon", "konvensjonen", "ambassadør"},
    "eu": {"i", "utenfor", "innenfor", "medlem", "land", "landene", "regler", "reglene"},
    "uk": {"i", "fra", "til", "england", "london"},
    "dj": {"en", "som"},
}
_INITIALS = re.compile(rf"(?<![\w.])(?:[{UPPER}]\. ?){{1,2}}[{UPPER}]\.(?![\w])")
_LAST_WORD = re.compile(r"(\w+)\W*$")
_FIRST_WORD = re.compile(r"\W*?(\w+)")


def _a_thing(text: str, start: int, end: int, letters: str) -> bool:
    """The abbreviation ``letters`` at ``start``-``end`` is the thing it abbreviates, by a word of
    its ``_THING_CUES`` right before or after it or a hyphenated ending."""
    cues = _THING_CUES.get(letters)
    if cues is None:
        return False
    if re.match(r"-\w", text[end:end + 2]):
        return True
    before = _LAST_WORD.search(text, max(0, start - 30), start)
    after = _FIRST_WORD.match(text, end)
    return any(m is not None and m.group(1).lower() in cues for m in (before, after))


class InitialsRecognizer(Recognizer):
    name = "initials"
    version = "2"
    supported_entities = (PERSON,)

    def analyze(self, text, doc=None):
        out = []
        for m in _INITIALS.finditer(text):
            letters = "".join(c for c in m.group() if c.isalpha()).lower()
            if letters not in _ABBREVIATIONS and not _a_thing(text, m.start(), m.end(), letters):
                out.append(self._d(text, m.start(), m.end(), PERSON, SCORE))
        return out


# Particles of names in the languages of the study's informants: Spanish/Portuguese/Filipino, Dutch,
# German, French, Italian, Arabic.
_PARTICLES = ("da|das|de|del|dela|della|delos|der|des|di|do|dos|du|la|le|van|von|ten|ter|al|el|bin|ibn|bint|abu")
_PARTICLE_THEN_NAME = re.compile(
    rf" (?P<particles>(?:(?:{_PARTICLES}) ){{1,2}})(?P<name>[{UPPER}][{LOWER}'’-]+)(?![\w])")
# Particles that are also ordinary Norwegian words ("Per da Kari kom inn", "Ola de gamle"): alone
# between two names such a word is a clause word as often as a particle, so it joins only a name after
# it that no list holds and no recognizer found alone. "van", "dela", "al" are no Norwegian words, nor
# is a pair ("de la Torre"): the name after them is the rest of the same name even where a recognizer
# found it alone.
_NORWEGIAN_WORDS = frozenset({"da", "de", "du", "der", "la", "di", "do"})
# Of those, the ones no clause puts between two names: "de" (a pronoun or the plural article: a verb
# or a noun follows it, not a capitalised name), "di" (a possessive, after its noun) and "do" (a noun).
# Before a capitalised surname they are the particle: "Ola de Berg", "Lise di Stefano", where both
# parts are often found alone (two spans, "de" left between them). "da", "du", "der" and "la" (then,
# you, there, let) stand between two people ("Per da Kari kom inn") and stay as they were.
_SURNAME_PARTICLES = frozenset({"de", "di", "do"})


def particle_tail(piece: str, name_found: bool = False, g: Gazetteer | None = None) -> bool:
    """``piece`` is one or two particles and a capitalised name, with the space before them
    (" dela Cruz"): the rest of a name a detection holds the beginning of. Where the particle is
    one Norwegian word, not when the name is a listed first name or surname or ``name_found`` (a
    person detected on its own there): two people ("Per da Kari"); but "de", "di" and "do"
    (``_SURNAME_PARTICLES``) before a name that is a listed surname or no listed first name are the
    particle ("Ola de Berg")."""
    m = _PARTICLE_THEN_NAME.fullmatch(piece)
    if not m or m.group("name").lower() in STOP_WORDS:
        return False
    particle = m.group("particles").strip()
    if particle in _NORWEGIAN_WORDS:
        g = g or load_gazetteer()
        if particle in _SURNAME_PARTICLES and (g.is_last(m.group("name")) or not g.is_first(m.group("name"))):
            return True  # "Ola de Berg": a surname after the particle, found alone or not
        return not name_found and not g.is_name(m.group("name"))
    return True


class NameParticleRecognizer(DetectionReader):
    name = "name_particle"
    version = "3"
    supported_entities = (PERSON,)

    def analyze(self, text, doc=None, found=()):
        out = []
        for d in found:
            if d.type != PERSON or not d.replaced_at(self.min_score) or not d.text[:1].isupper():
                continue
            m = _PARTICLE_THEN_NAME.match(text, d.end)
            if m and particle_tail(m.group(), _found_at(found, m.start("name"), m.end("name"), self.min_score)):
                out.append(self._d(text, d.start, m.end("name"), PERSON, SCORE))
        return out


def _found_at(found, start: int, end: int, min_score: float) -> bool:
    """A person replaced at ``min_score`` overlaps ``start``-``end``."""
    return any(o.type == PERSON and o.replaced_at(min_score) and o.start < end and start < o.end for o in found)


# Articles and determiners: a lower-case word after one is the noun it spells.
_DETERMINERS = frozenset({"en", "ei", "et", "ein", "eit", "den", "det", "de", "denne", "dette", "disse", "min", "mi",
                          "mitt", "din", "di", "ditt", "sin", "si", "sitt", "vår", "vårt", "hans", "hennes"})
# Only punctuation between a detected name and its restatement.
_BETWEEN = re.compile(r"\s*[,.:;–—-]+\s*|\s+")


class NameRepeatRecognizer(DetectionReader):
    name = "name_repeat"
    version = "1"
    supported_entities = (PERSON,)

    def analyze(self, text, doc=None, found=()):
        persons = [d for d in found if d.type == PERSON and d.replaced_at(self.min_score)]
        if not persons:
            return []
        taken = [(d.start, d.end) for d in found if d.replaced_at(self.min_score)]
        out: list[Detection] = []

        def free(start: int, end: int) -> bool:
            return not any(s < end and start < e for s, e in taken + [(o.start, o.end) for o in out])

        capitalised = set()
        for d in persons:
            words = _WORD.findall(d.text)
            if words and all(w[:1].isupper() for w in words):
                capitalised.update(w for w in words if len(w) >= 3 and w.lower() not in STOP_WORDS)
        words = list(_WORD.finditer(text))
        for m in words:
            if m.group() in capitalised and free(m.start(), m.end()):
                out.append(self._d(text, m.start(), m.end(), PERSON, SCORE))  # "Sol Heggland ... Sol er"
        for d in persons:
            first = _WORD.match(d.text)
            if not first or len(first.group()) < 3 or first.group().lower() in STOP_WORDS \
                    or inflected_noun(first.group().lower()):
                continue  # "sameiet, Sameiet Bjørkåsen": a noun with its article opens a firm's name
            name = first.group().lower()
            before = [m for m in words if m.end() <= d.start]
            after = [m for m in words if m.start() >= d.end]
            for m, gap in ((before[-1], (before[-1].end(), d.start)) if before else (None, None),
                           (after[0], (d.end, after[0].start())) if after else (None, None)):
                if m is None or m.group().lower() != name or not _BETWEEN.fullmatch(text, *gap):
                    continue
                k = words.index(m)
                if m.group()[:1].islower() and k > 0 and words[k - 1].group().lower() in _DETERMINERS:
                    continue  # "under en eik. Eik Brattli": the noun with its article
                if free(m.start(), m.end()):
                    out.append(self._d(text, m.start(), m.end(), PERSON, SCORE))  # "tone. Tone Haugen"
        return out


# A piece of a split name is a syllable or two; a longer word is a word of its own.
_MAX_PIECE = 5
# The word after the pieces opens the next clause, or says where the person is from ("kari hau
# land fra nav", the office or firm a caseworker is named with): the name has ended before it.
_CLAUSE_AFTER_NAME = ("han", "hun", "hu", "ho", "hon", "og", "eller", "men", "fra", "frå")
# One piece of a split name between two found parts of it ("ola krist jan"), followed by a space.
_ONE_PIECE = re.compile(r" (?P<piece>[^\W\d_]{1,%d}) (?=[^\W\d_])" % _MAX_PIECE)
# The word after "eller" that may say the split name whole.
_RESTATED = re.compile(r" (?P<w>[^\W\d_]+)\b")


def _single(word: str) -> str:
    """``word`` in lower case with doubled letters written once: a split name repeats the letter at
    its cut ("hans sen" = Hansen, "kris ten" = Kristen) that the whole word says once."""
    return re.sub(r"(.)\1+", r"\1", word.lower())

_SPLIT_TAIL = re.compile(r"(?P<pieces>(?: [^\W\d_]{1,%d}){1,3}?) (?P<after>%s)\b"
                         % (_MAX_PIECE, "|".join(_CLAUSE_AFTER_NAME)))
# Words that follow a name in its clause (verbs, prepositions, particles): never a piece of it.
_NOT_PIECES = frozenset({"er", "e", "var", "va", "har", "hadde", "skal", "ska", "vil", "kan", "må", "blir", "ble",
                         "vart", "bor", "bodde", "går", "gikk", "kom", "sa", "sier", "seier", "fikk", "får", "fekk",
                         "tror", "trur", "tenkte", "veit", "vet", "i", "på", "til", "med", "om", "av", "for", "fra",
                         "frå", "ut", "inn", "opp", "ned", "hjem", "heim", "seg", "meg", "deg", "oss", "dem", "det",
                         "den", "de", "som", "at", "så", "da", "nå", "no", "ikke", "ikkje", "ittj", "også", "og",
                         "men", "eller", "han", "hun", "hu", "ho", "hon", "jo", "vel", "bare", "ba", "au", "òg", "sin", "si",
                         "sitt", "min", "mi", "mitt", "ja", "nei", "eh", "ehm", "hm", "altså", "liksom", "het",
                         "heter", "hette", "heitte", "heiter", "kalt", "kalla", "kalles"})


# The elements Norwegian surnames end in, most of them farm names ("Sømland", "Åsheim", "Utvik",
# "Kvernmo"), in their bare form and at most ``_MAX_PIECE`` letters: the syllable speech
# recognition ends a split surname with.
_SURNAME_ENDINGS = frozenset({
    "land", "heim", "vik", "stad", "rud", "set", "seth", "dal", "dahl", "berg", "haug", "nes", "ness", "bø", "by",
    "li", "lie", "lid", "eng", "mo", "moen", "ås", "aas", "gard", "gård", "gaard", "voll", "vold", "bakk", "bakke",
    "holm", "fjell", "tun", "hus", "rød", "torp", "tveit", "lund", "myr", "sæter", "seter", "øy", "sand", "bekk",
    "skog", "vang", "stø", "hagen", "næs", "rønn", "nor", "vatn"})
# Function words a split surname's first syllable sounds like ("ingrid som land" = Sømland, "per
# ut vik" = Utvik, "sigurd ås heim": "heim" the last). Only before a surname ending
# (``_SURNAME_ENDINGS``), which the clause's own function words do not make ("kari som sa at hun",
# "kom kari inn og"). Not the place prepositions (i, på, til, ved: "kari på land og" is where she
# is), the possessives ("kari sin gård": her farm), the adverbs and verbs that follow a subject
# ("kari så berg": saw), nor the pronouns, conjunctions and answer words of ``_NOT_PIECES``.
_SYLLABLE_WORDS = frozenset({"som", "om", "av", "ut", "inn", "opp", "ned", "heim", "hjem"})


def split_syllable(word: str) -> bool:
    """``word`` (lower case) may be a syllable of a split surname though it is a function word:
    one a syllable sounds like or a surname element ("som", "land", "heim")."""
    return word in _SYLLABLE_WORDS or word in _SURNAME_ENDINGS


def _pieces_of_a_name(pieces: list[str]) -> bool:
    """``pieces`` (lower case) may be the syllables of a split name: none a word of the clause
    after a name (``_NOT_PIECES``), or two or more ending in a surname element where the others
    are words a syllable sounds like and the syllables joined are no dictionary word ("i" + "land"
    = "iland")."""
    if not any(p in _NOT_PIECES for p in pieces):
        return True
    return (len(pieces) >= 2 and pieces[-1] in _SURNAME_ENDINGS
            and all(p in _SYLLABLE_WORDS or p not in _NOT_PIECES for p in pieces[:-1])
            and not in_dictionary("".join(pieces)))


class NameSplitRecognizer(DetectionReader):
    name = "name_split"
    version = "3"
    supported_entities = (PERSON,)

    def __init__(self, gazetteer: Gazetteer | None = None, min_score: float = MIN_SCORE):
        super().__init__(min_score)
        self.gazetteer = gazetteer

    def analyze(self, text, doc=None, found=()):
        g = self.gazetteer or load_gazetteer()
        out = []
        persons = [d for d in found if d.type == PERSON and d.replaced_at(self.min_score)]
        starts = {d.start: d for d in persons}
        for d in persons:
            between = _ONE_PIECE.match(text, d.end)
            after = starts.get(between.end()) if between else None
            piece = between.group("piece").lower() if between else ""
            if after is not None and piece not in _NOT_PIECES and piece not in STOP_WORDS and not is_word(piece):
                # "ola krist jan": one piece no word explains between two parts of a name found is the
                # name's middle (in a caseless transcript truecasing may have capitalised it); a word
                # there ("Påves kone Sunná", "fættern te Rolf") stands between two persons.
                out.append(self._d(text, d.start, after.end, PERSON, SCORE))
        for d in found:
            if d.type != PERSON or not d.replaced_at(self.min_score):
                continue
            m = _SPLIT_TAIL.match(text, d.end)
            if not m:
                continue
            pieces = m.group("pieces").split()
            # In lower case: a caseless transcript is read truecased, which capitalises a whole
            # name it knows, not its syllables; a written name is not split so.
            if any(p != p.lower() for p in pieces) or not _pieces_of_a_name(pieces):
                continue
            if m.group("after") in ("fra", "frå") and pieces[-1] not in _SURNAME_ENDINGS:
                continue  # "tuan måtte bytte skole fra kambo skole": a clause, not a name, before "fra"
            words = _WORD.findall(d.text)
            joined = (words[-1] if words else "") + "".join(pieces)
            ending = any(p in _NOT_PIECES for p in pieces)  # taken by its surname ending alone
            # Two or more pieces that make a listed surname ("kari hau gen" = Haugen): the first name
            # and the surname joined may read as a compound word ("kari" + "haugen"), the pieces cannot.
            surname = len(pieces) >= 2 and g.is_last("".join(pieces))
            if ending or surname or g.is_name(joined.lower()) or not is_word(joined):
                out.append(self._d(text, d.start, m.end("pieces"), PERSON, SCORE))
                restated = _RESTATED.match(text, m.end("after"))
                if m.group("after") == "eller" and restated and _single(restated.group("w")) == _single(joined):
                    out.append(self._d(text, restated.start("w"), restated.end("w"), PERSON, SCORE))
        return out
