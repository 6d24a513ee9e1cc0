"""Places and firms found by the slot they stand in, for text whose case says nothing.

In a transcript written without capitals (machine transcription, ``casing.lower_case_transcript``)
a place or firm name is a lower-case word, and most Norwegian place names are also dictionary
words ("lund", "grim", "evje", "kjos"), so neither case nor the lexicon tells them apart. What
does: (1) the slot — where someone lives or lived, a legal form after a firm, a savings bank's
region, another place it is listed with — and (2) that the word is *rare as an ordinary word*:
never written in lower case as a non-name anywhere in the 311 000 tokens of the Norwegian
Dependency Treebank (``rare_word``; "leilighet", "mottak", "hotell", "sentrum", "jobb" are
there, "lund", "grim", "hånes" are not).

* ``place_slot``: a word after a residence verb or a housing noun and a place preposition
  ("vi bor på grim", "en kommunal leilighet på lund", "mottak i evje", "mora bor på kjos haveby");
* ``place_coordination`` (runs after the others): a word joined by og/eller to a detected place
  ("mellom slettheia og vågsbygd og kvadraturen");
* ``org_form``: a firm before a legal form in any case ("agder rør og varme as"), a regional
  savings bank ("sparebanken sør", "Lillestrøm sparebank"), a place-like word before the trade a
  local firm is named by ("kvernmoen sag", "numedal tre og tak").

A lower-case hit scores ``cues.CASELESS`` under a name ending in ``_lower``: the stage keeps it
(0.7, replaced and listed for review) only in a transcript written in lower case and drops it
elsewhere, where a lower-case word is an ordinary word. A detected one-word place that is a
dictionary word does not spread through the key to its other lower-case uses (stage.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from spacy.lang.nb.stop_words import STOP_WORDS

from .cues import CASELESS
from .detection import LOWER, MIN_SCORE, ORG, STED, UPPER, Detection, Recognizer, literals, may_hold
from .gazetteer import Gazetteer, load_gazetteer
from .casing import GENERIC_HEADS
from .lexicon import _dictionaries, in_dictionary
from .matcher import sentence_initial
from .numbers import DECADE, WORD_PATTERN

_NUMBER_WORD = re.compile(WORD_PATTERN, re.IGNORECASE)
_TIME_WORDS = frozenset({
    "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
    "desember", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag", "måndag", "tysdag",
    "laurdag", "sundag", "fjor", "år", "høst", "vår", "sommer", "vinter", "høsten", "våren", "sommeren", "vinteren"})
# Linking letters of a compound ("asyl-mottak", "hybel-hus", "bo-fellesskap").
_TAIL_MIN = 3


@lru_cache(maxsize=1)
def _ndt_words() -> frozenset[str]:
    text = resources.files("pipeline.anonymise").joinpath("data", "ndt_lower_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def seen_in_treebank(word: str) -> bool:
    """The form or its lemma is written in lower case as an ordinary word in the treebank (no
    compound analysis: "havbris" is not, though "bris" is)."""
    w = word.lower()
    seen = _ndt_words()
    return w in seen or bool({d[w].lower() for d in _dictionaries() if w in d} & seen)


@lru_cache(maxsize=65536)
def rare_word(word: str) -> bool:
    """Never written in lower case as an ordinary word in the treebank: not the form, not its
    lemma (simplemma), not the last part of a compound ("asylmottak" ends in "mottak"); and no
    stop word, number word, month, weekday or word of under three letters."""
    w = word.lower()
    if len(w) < 3 or w in STOP_WORDS or w in _TIME_WORDS or _NUMBER_WORD.fullmatch(w) or DECADE.fullmatch(w) or not w.isalpha():
        return False
    seen = _ndt_words()
    lemmas = {d[w].lower() for d in _dictionaries() if w in d}
    if w in seen or lemmas & seen:
        return False
    # A compound whose last part is an ordinary word is an ordinary compound ("asylmottak",
    # "hybelhus"); split the dictionary form (the lemma), so an inflection ending is no part.
    for form in lemmas or {w}:
        for cut in range(3, len(form) - _TAIL_MIN + 1):
            head, tail = form[:cut], form[cut:]
            if tail in seen and any(in_dictionary(h) for h in {head, head[:-1] if head[-1] in "se" else head}):
                return False
    return True


def place_word(word: str) -> bool:
    """A lower-case word that can be a place or firm name in a slot: rare as an ordinary word
    (``rare_word``), or a compound the dictionary does not list ("vågsbygd", "tinnheia") that
    does not end in a building or room noun ("boligkontoret")."""
    w = word.lower()
    if len(w) < 3 or w in STOP_WORDS or w in _TIME_WORDS or _NUMBER_WORD.fullmatch(w) or DECADE.fullmatch(w) or not w.isalpha():
        return False
    return rare_word(w) or (not in_dictionary(w) and not w.endswith(GENERIC_HEADS))


_W = r"[^\W\d_][\w'’-]*"
# Where someone lives, lived, was born or comes from: a residence verb or housing noun ("bor",
# "leilighet", "født") and a place preposition, or "kommer fra", "er fra".
_RESIDENCE = (r"bor|bodde|bodd|bo|bur|budde|budd|bu|bosatt|busett|flytta|flyttet|flytter|flyttar|flytte|flytt"
              r"|oppvokst|vokste\s+opp|vaks\s+opp|mottak|mottaket|asylmottak|leilighet|leiligheten|leilegheit"
              r"|leilegheita|bolig|boligen|bustad|bustaden|rekkehus|enebolig|hus|huset|hybel|hybelen|adresse"
              r"|født|fødd")
_FROM = r"kommer|kom|kjem|kjom|er|var"
_PLACE_SLOT = re.compile(
    rf"(?<![\w-])(?:(?i:{_RESIDENCE})\s+(?:(?i:her|der|nå|no|da|fortsatt|framleis|også|og|like)\s+)?"
    rf"(?i:på|i|til|fra|frå|ved)|(?i:{_FROM})\s+(?i:fra|frå|ifra))\s+(?P<place>{_W})(?:\s+(?P<second>{_W}))?")
_DEFINITE = ("en", "et", "a", "ene", "ane", "ne", "na")


def inflected_noun(word: str) -> bool:
    """A dictionary form that is its lemma plus a definite or plural ending ("gården", "vippen"):
    a common noun with its article, as "bor på gården", "i byen" are."""
    w = word.lower()
    return any(d[w].lower() != w and w.startswith(d[w].lower()[:max(2, len(d[w]) - 1)]) and w.endswith(_DEFINITE)
               for d in _dictionaries() if w in d)


def _place_score(word: str, text: str, start: int, g: Gazetteer) -> float:
    """How sure a word in a place slot is a place name (0: not one)."""
    low = word.lower()
    if low in g.builtin_keep or low in STOP_WORDS or _NUMBER_WORD.fullmatch(low) or low in _TIME_WORDS \
            or DECADE.fullmatch(low):
        return 0.0
    if word[:1].isupper():
        if sentence_initial(text, start):
            return 0.0  # capitalised for the sentence's sake ("Borettslaget, Krokenhøgda borettslag ...")
        # Capitalised mid-sentence in a place slot ("bor på Lund"); a first name there is a person's.
        return 0.0 if g.is_first(word) and not g.is_place(word) else 0.8
    return CASELESS if place_word(word) else 0.0


def _det(name: str, text: str, start: int, end: int, kind: str, score: float) -> Detection:
    return Detection(start, end, kind, score, name + "_lower" if score == CASELESS else name, text[start:end])


class PlaceSlotRecognizer(Recognizer):
    """A place where someone lives or lived ("vi bor på grim", "leilighet på lund"); see the module docstring."""

    name = "place_slot"
    version = "1"
    supported_entities = (STED,)

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.g = gazetteer or load_gazetteer()

    def analyze(self, text, doc=None):
        found = []
        for m in _PLACE_SLOT.finditer(text):
            score = _place_score(m.group("place"), text, m.start("place"), self.g)
            if not score or (score == CASELESS and inflected_noun(m.group("place"))):
                continue
            first = _det(self.name, text, m.start("place"), m.end("place"), STED, score)
            found.append(first)
            second = m.group("second")
            # "kjos haveby": a second word of the same kind belongs to the name (both are reported:
            # if the second is part of a surer span, an address, the first still stands alone).
            if second and (m.group("place")[:1].islower() or second[:1].isupper()) \
                    and _place_score(second, text, m.start("second"), self.g):
                found.append(_det(self.name, text, m.start("place"), m.end("second"), STED, score))
        return found


# Joined by og/eller/&, not by a comma alone: "Bjørvika, glassboksen ..." is an apposition.
_AFTER = re.compile(rf"\s*,?\s*(?:og|eller|&)\s+(?P<word>{_W})")
_BEFORE = re.compile(rf"(?P<word>{_W})\s*,?\s+(?:og|eller|&)\s*$")


class PlaceCoordinationRecognizer(Recognizer):
    """Runs after the others: a word listed with a detected place ("slettheia og vågsbygd og kvadraturen")."""

    name = "place_coordination"
    version = "1"
    supported_entities = (STED,)
    reads_detections = True

    def __init__(self, gazetteer: Gazetteer | None = None, min_score: float = MIN_SCORE):
        self.g = gazetteer or load_gazetteer()
        self.min_score = min_score

    def params(self):
        return {"min_score": self.min_score}

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        spans = [(d.start, d.end) for d in found]
        places = [d for d in found if d.type == STED and (d.replaced_at(self.min_score) or d.recognizer.endswith("_lower"))]
        added: list[Detection] = []
        for _ in range(3):  # a list of four places
            new = []
            for d in places:
                candidates = []
                after = _AFTER.match(text, d.end)
                if after:
                    candidates.append((after.start("word"), after.end("word")))
                before = _BEFORE.search(text, max(0, d.start - 40), d.start)
                if before:
                    candidates.append((before.start("word"), before.end("word")))
                for start, end in candidates:
                    if any(s < end and start < e for s, e in spans):
                        continue
                    word = text[start:end]
                    score = _place_score(word, text, start, self.g)
                    if word[:1].isupper() and self.g.is_last(word) and not self.g.is_place(word):
                        score = 0.0  # "Oslo og Hansen": a name beside a place is the person's business
                    if score:
                        det = _det(self.name, text, start, end, STED, min(score, 0.75))
                        new.append(det)
                        spans.append((start, end))
            if not new:
                break
            added += new
            places = new
        return added


# Also spelled out as letters, as speech recognition and hurried typists write it ("a s", "A/S", "a.s.a").
_LEGAL_FORM = re.compile(r"(?<![\w-])(?:as|asa|ans|AS|ASA|ANS|[aA]\s?[./]?\s?[sS](?:\s?[./]?\s?[aA])?\.?)(?![\w-])")
_NAME_TOKEN = re.compile(rf"({_W})\s*$")
_COMPASS = r"sør|nord|vest|øst|midt|nordvest|sørvest|nordøst|sørøst"
_BANK_THEN_REGION = re.compile(
    rf"(?<![\w-])(?P<bank>(?i:sparebanken|sparebank))\s+(?P<word>(?i:{_COMPASS})(?![\w-])|{_W})")
def compass_region(word: str) -> bool:
    """A region named by a compass word and a landscape or region noun ("nordkyst", "vestlandet",
    "sørlandet", "midtnorge"): how Norwegian names the parts of the country, and so its banks and firms."""
    w = word.lower()
    m = re.match(rf"(?:{_COMPASS})", w)
    return m is not None and len(w) - m.end() >= 3 and not w.endswith(("sk", "ske", "lig", "lige", "over", "ut",
                                                                        "ute", "fra", "på"))


_PLACE_THEN_BANK = re.compile(rf"(?<![\w-])(?P<word>{_W})\s+(?i:sparebank|sparebanken)(?![\w-])")


# The line of business a firm's name ends in, as local firms are named ("bjørkeli vurdering", "kvernmoen
# sag", "heiane byggkontroll", "nordvåg eiendomsmegling"), Bokmål and Nynorsk: each ends a name alone.
_TRADES = ("rør|bygg|byggkontroll|byggservice|vurdering|takst|eiendom|eigedom|eiendomsmegling|eigedomsmekling"
           "|eiendomsmegler|eigedomsmeklar|kreditt|trevare|trevarer|sag|kraftlag|renhold|reinhald|reinhold|vaktmester"
           "|vaktmeister|gruve|transport|elektro|maling|regnskap|bakeri|entreprenør|rørlegger|snekkeri|verksted"
           "|verkstad|sparebank")
# Generic nouns that end a firm's name only beside another trade ("rør og bad", "tre og tak",
# "vaktmester og drift", "bygg kontroll" as speech recognition splits the compound).
_TRADE_PARTNERS = "bad|tak|tre|drift|varme|anlegg|kontroll|service|montasje"
# The tails of a trade compound speech recognition writes apart ("bygg kontroll", "rør service"):
# without "og", only one of them joins a second word to the trade ("sparebank tre prosent").
_SPLIT_TAILS = "kontroll|service|montasje"
_TRADE_RUN = re.compile(
    rf"(?<![\w-])(?P<name>{_W})\s+(?P<trade>(?i:(?:{_TRADES}|{_TRADE_PARTNERS})"
    rf"(?:\s+og\s+(?:{_TRADES}|{_TRADE_PARTNERS})|\s+(?:{_SPLIT_TAILS}))?))(?![\w-])")
_ALONE_TRADE = re.compile(rf"(?i:{_TRADES})")
# The endings of the loan verbs of work done on a house, in the dictionary ("rehabilitere",
# "renovert", "monterte"): before a trade noun the thing done, not a firm.
_WORK_VERB_ENDINGS = ("ere", "erer", "erte", "ert", "eres")
# A word before the name that makes it an adjective or a noun's owner, not a firm's name:
# "et lekk tak", "den nye vurderinga".
_NOT_BEFORE_A_FIRM = frozenset({"en", "ei", "et", "ein", "eit", "den", "det", "de", "denne", "dette", "min", "mi",
                                "mitt", "din", "di", "ditt", "sin", "si", "sitt", "vår", "vårt", "hans", "hennes",
                                "deres", "mye", "litt", "noe", "noko", "ny", "nytt", "nye"})


def trade_firm(text: str, m: re.Match, g: Gazetteer) -> float:
    """The score of a trade run (``_TRADE_RUN``) as a firm's name, or 0: the trade in lower case
    (or a caption's capitals), the name word in lower case or capitalised mid-sentence (as
    truecasing writes an unknown word of a caseless transcript), a place-like word (``place_word``: rare as an ordinary word, or a compound the
    dictionary does not list) or a compass word, no keep term nor the genitive of a word or keep
    term ("kommunens vurdering"), nothing before it that makes it an adjective or an owner, and the
    trade ends a name alone or stands beside another. A name word
    nothing explains is a name in any transcript (0.7, reviewed); one the dictionary explains as a
    compound or a rare word ("fjellgard", "bryggen") only in one written in lower case (``CASELESS``)."""
    from .unexplained import explanation  # unexplained reads this module's place words

    name, trade = m.group("name"), m.group("trade")
    if name[:1].isupper():
        # A transcript without capitals is read truecased, which capitalises a word it does not
        # know ("Kvernmoen sag"); a capital that opens a sentence says nothing, and an acronym is
        # the keep list's business.
        if name[1:] != name[1:].lower() or trade != trade.lower() or sentence_initial(text, m.start()):
            return 0.0  # "Sandnes Sparebank": a written name, the other rules' business
        name = name.lower()
    if name in g.builtin_keep or name in STOP_WORDS:
        return 0.0
    if name.endswith("s") and (in_dictionary(name[:-1]) or name[:-1] in g.builtin_keep):
        return 0.0  # "kommunens vurdering", "husbankens takst": the owner's genitive
    if name.endswith(_WORK_VERB_ENDINGS) and in_dictionary(name):
        return 0.0  # "skal rehabilitere rør", "montert bad": what is done to the trade's object
    parts = [w for w in trade.split() if w.lower() != "og"]
    if len(parts) == 1 and not _ALONE_TRADE.fullmatch(parts[0]):
        return 0.0  # "et nytt bad", "gamle tre": a generic noun alone is the thing
    if len(parts) == 2 and " og " not in trade and not _ALONE_TRADE.fullmatch(parts[0]):
        return 0.0  # "tak service": a compound's tail only after a trade that ends a name alone
    before = _NAME_TOKEN.search(text, max(0, m.start() - 30), m.start())
    if before is not None and before.group(1).lower() in _NOT_BEFORE_A_FIRM:
        return 0.0
    if re.fullmatch(_COMPASS, name) is None and not compass_region(name) and not place_word(name):
        return 0.0
    return 0.7 if explanation(name, g) is None else CASELESS


# Capitalised words joined by og/& mid-sentence, one of them an ordinary word: "Jæren Rør og Bad",
# "Bygg og Anlegg Nord". Norwegian capitalises ordinary words mid-sentence only inside a name.
_CAP_WORD = rf"[{UPPER}][{LOWER}]+"
_CAPITAL_RUN = re.compile(rf"(?<![\w-])(?P<run>{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}}\s+(?:og|&)\s+{_CAP_WORD}"
                          rf"(?:\s+{_CAP_WORD}){{0,2}})(?![\w-])")



# A firm named by its trade, bank or chain and the part of the country it serves, as regional firms
# and the regional companies of national chains and banks are named ("Takstkompaniet Nord",
# "eigedomsmeklar vest", "Coop Nord", "SpareBank 1 Nord-Norge", "Eiendomsmegler 1 Midt-Norge",
# "spare banken sør vest"): a compass word, or two ("sør vest", "Sør-Vest"), with "-Norge",
# "-Noreg" or "-landet" after it or not.
_REGION = rf"(?:{_COMPASS})(?:[\s-](?:{_COMPASS}))?(?:-?(?:norge|noreg|landet))?"
_REGION_WORD = re.compile(rf"(?<=[^\S\n])(?i:{_REGION})(?![\w'’-])")
# After the region word, what makes it a direction or a position, not a name's part: "nord for
# Manila", "midt i sentrum", "midt på natta".
_DIRECTION_AFTER = re.compile(r"[^\S\n]+(?i:for|av)(?![\w'’-])")
_REGION_AT = re.compile(rf"[^\S\n]*(?i:{_REGION})(?![\w'’-])")
_WHOLE_REGION = re.compile(r"norge|noreg|landet")
_NON_SPACE = re.compile(r"\S+")
_MIDDLE_AFTER = re.compile(r"[^\S\n]+(?i:i|på|inni|oppi|nedi|ute|under|mellom|etter|av|om|for)(?![\w'’-])")
# The words before the region, on its line and joined by spaces only (a chain's number, "1", "1000",
# "en", between the name and its region).
_WORDS_BEFORE = re.compile(r"(?<![\w'’.-])(?:[^\W_][\w'’.-]*[^\S\n]+){1,4}$")
_CHAIN_NUMBERS = frozenset({"1", "1000", "en", "ein"})
# Trade words and the heads of a firm's name that end a lower-case name before its region
# (``_TRADES``, and the estate agent's and service firm's words: "eigedomsmeklar", "rørservice").
_FIRM_TAIL = re.compile(rf"[{LOWER}]*(?:{_TRADES}|sparebanken|megler|meglar|meklar|megling|mekling|service"
                        rf"|kompani|kompaniet)")
_FIRM_HEAD = re.compile(rf"(?:{_TRADES})[{LOWER}]{{3,}}")


def region_follows(rest: str) -> bool:
    """``rest`` (what stands after a name) opens with a region of the country ("Nord", "Nord-Norge",
    "sør vest"), as a regional firm's name ends, and not with a direction or a position ("nord for
    byen", "midt i sentrum")."""
    return region_at(rest, 0)


def region_at(text: str, pos: int) -> bool:
    """``region_follows`` for what stands in ``text`` from ``pos`` on, without slicing it."""
    m = _REGION_AT.match(text, pos)
    if m is None:
        return False
    region = m.group().strip().lower()
    if region == "midt":
        return _MIDDLE_AFTER.match(text, m.end()) is None
    return _WHOLE_REGION.search(region) is not None or _DIRECTION_AFTER.match(text, m.end()) is None


def regional_firms(text: str, g: Gazetteer) -> list[tuple[int, int]]:
    """The spans of firms named by a trade, bank or chain and their region (see ``_REGION``): the word
    before the region (a chain's number, "1", "1000", may stand between) is a trade word or a
    compound ending in one ("eigedomsmeklar", "spare banken" as speech recognition splits it), a
    compound opening with a trade word no dictionary lists ("rørkjappen"), or a word capitalised
    mid-sentence that is no first name, surname or place ("Coop", "Takstkompaniet"; "Trondheim
    sør" is a part of a town, "Kari Nord" a person); one word joined to it by "og" belongs to the
    name ("takst og bygg nord"). Not after an article, a possessive or an adjective ("et nytt bygg
    nord for ..."), nor a region that is a direction or a position (``region_follows``)."""
    out = []
    for m in (_REGION_WORD.finditer(text) if may_hold(text, _COMPASS_WORDS) else ()):
        if not region_at(text, m.start() - 1):
            continue
        before = _WORDS_BEFORE.search(text, max(0, m.start() - 80), m.start())
        if before is None:
            continue
        tokens = [(t.start(), t.group()) for t in _NON_SPACE.finditer(text, before.start(), before.end())]
        number = bool(tokens) and tokens[-1][1].lower() in _CHAIN_NUMBERS and len(tokens) >= 2
        k = len(tokens) - 1 - number
        at, word = tokens[k]
        low = word.lower()
        if low in STOP_WORDS or not word.replace("-", "").isalpha():
            continue
        start = None
        if k > 0 and tokens[k - 1][1].isalpha() and tokens[k - 1][1].lower() not in STOP_WORDS \
                and tokens[k - 1][1][:1].isupper() == word[:1].isupper() \
                and _FIRM_TAIL.fullmatch(tokens[k - 1][1].lower() + low):
            start, k = tokens[k - 1][0], k - 1  # "spare banken", "eiendoms megler": a compound written apart
        elif word[:1].isupper() and not word.isupper():
            # (An acronym before a region is the keep list's organisation and its office: "NAV Vest".)
            if (not sentence_initial(text, at) and not g.is_first(word) and not g.is_last(word)
                    and not g.is_place(word)):
                start = at
        elif _FIRM_TAIL.fullmatch(low) or (_FIRM_HEAD.fullmatch(low) and not in_dictionary(low)):
            start = at
        if start is None:
            continue
        if k > 0 and tokens[k - 1][1].lower() in _NOT_BEFORE_A_FIRM:
            continue
        if k > 1 and tokens[k - 1][1].lower() in ("og", "&") and tokens[k - 2][1].lower() not in STOP_WORDS \
                and tokens[k - 2][1].isalpha():
            start = tokens[k - 2][0]  # "takst og bygg nord", "Bygg og Bad Nord"
        out.append((start, m.end()))
    return out


_COMPASS_WORDS = literals(_COMPASS)  # one of them in every region
# A name word and "og"/"&" right before a trade firm's name (``OrgFormRecognizer._partner_before``).
_PARTNER_BEFORE = re.compile(rf"(?<![\w'’-])(?P<word>{_W})[^\S\n]+(?:og|&)[^\S\n]+$")

class OrgFormRecognizer(Recognizer):
    """Firms by their legal form in any case ("agder rør og varme as"), regional savings banks
    ("sparebanken sør", "Sandnes Sparebank"), capitalised ordinary words joined by og/&
    mid-sentence ("frå Jæren Rør og Bad") and a place-like word before a trade in lower case
    ("frå heiane byggkontroll", ``trade_firm``); see the module docstring."""

    name = "org_form"
    version = "3"
    supported_entities = (ORG,)

    def __init__(self, gazetteer: Gazetteer | None = None, regions: bool = True, partners: bool = True):
        self.g = gazetteer or load_gazetteer()
        # The regional firms (``regional_firms``) and a trade firm's two partners' names
        # (``_partner_before``); switches for the ablation.
        self.regions = regions
        self.partners = partners

    def params(self):
        return {"regions": self.regions, "partners": self.partners}

    def _partner_before(self, text: str, start: int) -> int:
        """Where a trade firm's name begins when a second name word is joined to the first by
        "og"/"&" ("krogh og vik eiendom", "berg & dahl rør"): the partners' names, as firms of two
        owners are called. The word before "og" must be a name as the first is (``place_word``:
        rare as an ordinary word, or a compound no dictionary lists; or a listed surname), no stop
        word, in either case (truecasing capitalises the unknown one of a caseless transcript,
        "Krogh og vik eiendom"); else the firm begins at its first name word ("hus og vik eiendom")."""
        m = _PARTNER_BEFORE.search(text, max(0, start - 40), start)
        if m is None:
            return start
        word = m.group("word")
        low = word.lower()
        if low in STOP_WORDS or low in self.g.builtin_keep or sentence_initial(text, m.start("word")):
            return start
        return m.start("word") if place_word(low) or self.g.is_last(word) else start

    def analyze(self, text, doc=None):
        found = []
        for m in _LEGAL_FORM.finditer(text):
            start = self._name_start(text, m.start())
            if start is None:
                continue
            span = text[start:m.end()]
            lower = span == span.lower()
            found.append(_det(self.name, text, start, m.end(), ORG, CASELESS if lower else 0.85))
        for m in _CAPITAL_RUN.finditer(text):
            words = [w for w in m.group("run").split() if w not in ("og", "&")]
            if sentence_initial(text, m.start()) or any(w.lower() in self.g.builtin_keep or self.g.is_first(w)
                                                         for w in words):
                continue
            if any(not rare_word(w) and not self.g.is_place(w) for w in words):
                found.append(_det(self.name, text, m.start(), m.end(), ORG, 0.75))
        for m in _TRADE_RUN.finditer(text):
            if any(d.start <= m.start() and m.end() <= d.end for d in found):
                continue  # inside a firm its legal form gave ("agder rør og varme as")
            score = trade_firm(text, m, self.g)
            if score:
                start = self._partner_before(text, m.start()) if self.partners else m.start()
                found.append(_det(self.name, text, start, m.end(), ORG, score))
        for m in [*_BANK_THEN_REGION.finditer(text),
                  *(_PLACE_THEN_BANK.finditer(text) if may_hold(text, ("sparebank",)) else ())]:
            word = m.group("word")
            low = word.lower()
            if low in STOP_WORDS or low in self.g.builtin_keep:
                continue
            compass = re.fullmatch(_COMPASS, low) is not None or compass_region(low)
            span = m.group()
            if compass or (word[:1].isupper() and not sentence_initial(text, m.start("word"))) or place_word(word):
                found.append(_det(self.name, text, m.start(), m.end(), ORG,
                                  CASELESS if span == span.lower() else 0.85))
        if self.regions:
            for start, end in regional_firms(text, self.g):
                if not any(d.start <= start and end <= d.end for d in found):
                    span = text[start:end]
                    found.append(_det(self.name, text, start, end, ORG, CASELESS if span == span.lower() else 0.85))
        return found

    def _name_start(self, text: str, end: int) -> int | None:
        """Start of the firm's name before its legal form: up to four words back, "og"/"&" allowed
        between two of them, stopping at a stop word; at least one word no frequent common word."""
        pos, start, words, distinctive = end, None, 0, False
        pending_join = None
        while words < 4:
            m = _NAME_TOKEN.search(text, max(0, pos - 40), pos)
            if not m:
                break
            word = m.group(1)
            low = word.lower()
            if low in ("og", "&") and start is not None and pending_join is None:
                pending_join = m.start(1)
                pos = m.start(1)
                continue
            if low in STOP_WORDS or _NUMBER_WORD.fullmatch(low) or low in self.g.builtin_keep:
                break
            pending_join = None
            start, pos, words = m.start(1), m.start(1), words + 1
            distinctive = distinctive or not self.g.is_common_word(word) or word[:1].isupper()
        return start if start is not None and distinctive else None


# A firm, club or employer named right after the kind of organisation it is ("megleren
# sørmegleren", "banken Sparebank Vest"), or after playing in, being a member of, working for it.
_ORG_NOUNS = (r"megleren|meglerfirmaet|meglerkontoret|banken|firmaet|bedriften|selskapet|arbeidsgiveren"
              r"|entreprenøren|leverandøren|utleieren|forvalteren|klubben|laget|idrettslaget|foreningen")
_PLAYS = "spiller|spilte|spelar|spela|trener|trente|trenar|trena"
_MEMBER = "medlem|medlemmer|medlemskap"
_WORKS = "jobber|jobbet|jobba|jobbar|arbeider|arbeidet|ansatt|tilsett"
_ORG_SLOT = re.compile(
    rf"(?<![\w-])(?:(?i:{_ORG_NOUNS})"
    rf"|(?i:{_PLAYS})(?:\s+(?i:[\wæøå]*ball|håndball|handball|bandy"
    rf"|hockey|ishockey|turn|svømming|sjakk|korps))?\s+(?i:i|på|for|med)"
    rf"|(?i:{_MEMBER})\s+(?i:i|av)"
    rf"|(?i:{_WORKS})\s+(?i:hos|i|på|for|ved))"
    rf"\s+(?P<name>{_W})")
_ORG_SLOT_WORDS = literals(f"{_ORG_NOUNS}|{_PLAYS}|{_MEMBER}|{_WORKS}")  # one of them in every _ORG_SLOT match


class OrgSlotRecognizer(Recognizer):
    """A firm, club or employer by the slot it stands in (see above); lower case only for a word
    rare in Norwegian (``place_word``), as a firm's name in a transcript without capitals."""

    name = "org_slot"
    version = "1"
    supported_entities = (ORG,)

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.g = gazetteer or load_gazetteer()

    def analyze(self, text, doc=None):
        found = []
        for m in (_ORG_SLOT.finditer(text) if may_hold(text, _ORG_SLOT_WORDS) else ()):
            word = m.group("name")
            low = word.lower()
            if low in STOP_WORDS or low in self.g.builtin_keep or word.isupper():
                continue  # acronyms (NAV, DNB) are the keep list's business
            if word[:1].isupper():
                if sentence_initial(text, m.start("name")) or self.g.is_first(word) or self.g.is_place(word):
                    continue  # a person or place there is the other recognizers' business
                found.append(_det(self.name, text, m.start("name"), m.end("name"), ORG, 0.75))
            elif place_word(word):
                found.append(_det(self.name, text, m.start("name"), m.end("name"), ORG, CASELESS))
        return found
