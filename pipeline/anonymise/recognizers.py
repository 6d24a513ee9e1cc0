"""The built-in recognizers: patterns, the model's NER, gazetteers, relation words.

Each declares its name, version and supported entities (``detection.Recognizer``) and is
registered by ``registry.default_registry``. It looks at a text (and the spaCy ``Doc`` of it,
when it needs one) and returns :class:`Detection` spans; it never changes text. The merger
(``analyzer.py``) resolves overlaps and the operators (``operators.py``) transform.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.attrs import IDX, IS_SPACE, ORTH, POS
from spacy.lang.nb.stop_words import STOP_WORDS as _STOP
from spacy.parts_of_speech import NAMES as _POS_NAMES

from .dialect import dialect_word
from .detection import LOWER, UPPER, literals, may_hold, word_memo
from .detection import (ADRESSE, DATO, DIRECT_TYPES, EPOST, FNR, KONTO, NUMMER, ORG, PERSON, SAK, STED,  # noqa: F401
                        TELEFON, TYPES, Detection, Recognizer)
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_ordinary, is_word
from .matcher import KeepTerms, caption_start, sentence_initial
from .numbers import WORD_PATTERN as NUMBER_WORD
from .numbers import TENS, UNITS, YEAR_WORDS_PATTERN, dialect_forms, findings, number_runs

NER_TYPES = {"PER": PERSON, "ORG": ORG, "GPE_ORG": ORG, "LOC": STED, "GPE_LOC": STED}

CAP = rf"[{UPPER}]"
LOW = rf"[{LOWER}]"
WORD = rf"{CAP}[\wæøåÆØÅ'\-]*"


# --------------------------------------------------------------------- patterns

class IdNumberRecognizer(Recognizer):
    """Fødselsnummer/D-nummer and bank account numbers, by their check digits, in any writing.

    The digits come from ``numbers.number_runs`` (any separators, or read aloud in number words).
    An 11-digit number can pass both checks; the written form (4.2.5 is an account, 6+5 or
    2-2-2-3-2 a fødselsnummer) and nearby words decide. A number passing neither is left to the
    ``number`` recognizer.
    """

    name = "id_number"
    version = "6"
    supported_entities = (FNR, KONTO)

    def analyze(self, text, doc=None):
        return [self._d(text, f.start, f.end, f.type, f.score) for f in findings(text) if f.type in (FNR, KONTO)]


class PhoneRecognizer(Recognizer):
    """Norwegian 8-digit numbers (first digit 2-9), +47/0047, in the usual groupings or read aloud.

    Read aloud: a run of number words whose digits are exactly eight ("to, tre ganger" says two
    digits and is left alone; counting "to, tre, fire, ... ni" too). Not kroner amounts, years,
    dates or longer numbers (``numbers.classify``).
    """

    name = "phone"
    version = "7"
    supported_entities = (TELEFON,)

    def analyze(self, text, doc=None):
        return [self._d(text, f.start, f.end, TELEFON, f.score) for f in findings(text) if f.type == TELEFON]


class NumberRecognizer(Recognizer):
    """Any other run of 6+ digits after normalisation (not an amount, a date, a time or a year range):
    masked as NUMMER and listed for review. Over-masking is recoverable by review; a leak is not."""

    name = "number"
    version = "5"
    supported_entities = (NUMMER,)

    def analyze(self, text, doc=None):
        return [self._d(text, f.start, f.end, NUMMER, f.score) for f in findings(text) if f.type == NUMMER]


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w])")


# E-mail read aloud and transcribed as words: "kari punktum hansen syttifire krøllalfa gmail punktum com".
_SPOKEN_AT = r"(?:krøllalfa|alfakrøll|krøll[- ]alfa|alfa[- ]krøll|snabel-a|at-tegn|krøll|at)"
_SPOKEN_DOT = r"(?:punktum|punkt|prikk|dot|dått|dott)"
# Written and disguised against harvesters: "boligsosialt(at)bodo.kommune.no", "kari [at] nav [dot] no".
_OPENING_BRACKETS = "([{<"  # one of them in every _BRACKET_AT
_BRACKET_AT = r"\s*[(\[{<]\s*(?:at|krøll|krøllalfa|alfakrøll|@)\s*[)\]}>]\s*"
_BRACKET_DOT = r"(?:\.|\s*[(\[{<]\s*(?:dot|punktum|punkt|prikk|\.)\s*[)\]}>]\s*)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+(?:{_BRACKET_AT})[\w-]+(?:{_BRACKET_DOT}[\w-]+)*{_BRACKET_DOT}[A-Za-z]{{2,}}(?![\w])",
    re.IGNORECASE)
# "kom" is "com" as a Norwegian says it and speech recognition writes it (only after an at-word and a dot-word).
_TLD = r"(?:com|kom|no|net|org|se|dk|fi|de|pl|lt|uk|eu|nu|info|io|edu|gov|biz)"
# A pause around the at-word or a dot-word is written as a comma ("oksana, krøllalfa, epost punktum no").
_SPOKEN_DOT_GAP = rf"(?:,?\s+{_SPOKEN_DOT},?\s+|\.)"
# The at-word may stand in brackets as a typist marks a word said ("kari (alfakrøll) gmail punktum com").
_SPOKEN_DOMAIN = re.compile(
    rf"\s*[(\[{{<]?{_SPOKEN_AT}[)\]}}>]?,?\s+[\w-]+(?:\s+[\w-]+){{0,2}}?(?:{_SPOKEN_DOT_GAP}[\w-]+)*?{_SPOKEN_DOT_GAP}"
    rf"{_TLD}(?![\w])", re.IGNORECASE)
_SPOKEN_AT_WORD = re.compile(rf"(?:[(\[{{<](?={_SPOKEN_AT}[)\]}}>]))?(?<![\w-]){_SPOKEN_AT}(?![\w-])", re.IGNORECASE)
# Words of the local part as spoken: separators and numbers ("syttifire", "to", "85").
_LOCAL_GLUE = {"punktum", "punkt", "prikk", "dot", "dått", "dott", "strek", "bindestrek", "understrek", "underscore", "minus"}
_NUMBER_PART = re.compile(r"(?:\d+|(?:null|en|ett|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|tretten|"
                          r"fjorten|femten|seksten|sytten|atten|nitten|tjue|tretti|førti|femti|seksti|sytti|åtti|"
                          r"nitti|hundre|tusen|og)+)", re.IGNORECASE)
# Words that introduce an address rather than belong to it.
_LOCAL_STOP = {"e-post", "epost", "e-posten", "eposten", "mail", "mailen", "e-mail", "adresse", "adressen", "er",
               "på", "til", "te", "tel", "fra", "frå", "min", "mi", "mitt", "send", "skriv", "eller", "og", "heter", "det", "e", "æ"}


# A spelling explanation said between the local part and the at-word ("lstandal, l og standal i eitt ord,
# krøllalfa ...", "hansen, med to s, krøll ..."): one comma-bounded clause naming how the word before
# it is written. Its cue is a spelling word or a letter said alone ("med dobbel l").
_SPELLING_WORDS = frozenset({"ord", "ordet", "saman", "sammen", "stava", "stavet", "stavast", "staves", "bokstav",
                             "bokstaven", "bokstavar", "bokstaver", "dobbel", "dobbelt", "skrive", "skrives",
                             "skrivast", "skrevet", "liten", "lita", "stor"})
# One-letter words that are words ("i", "å", dialect "e"): no letter said alone by themselves.
_ONE_LETTER_WORDS = frozenset({"i", "å", "e", "æ", "o"})


_LETTER_BEFORE = re.compile(r"(?<![\w.+-])[^\W\d_],?\s+$")


def _spelled_piece(word: str) -> bool:
    return len(word) == 1 and word.isalpha()


_CORRECTION_WORDS = frozenset({"nei", "unnskyld", "orsak", "vent", "beklager", "altså", "eller"})
_CLAUSE_BEFORE = re.compile(r"(?:^|,\s+)((?:[\w'’-]+\s+){0,7}[\w'’-]+),?\s+$")


def _spelling_explanation(text: str, at: int) -> int | None:
    """The start of the spelling explanations that end right before the at-word at ``at`` (their
    words are then part of the address, and the local part is the word before their first comma),
    or None. An explanation is a comma-bounded clause of at most eight words, one of them a
    spelling word ("eitt ord", "stava", "dobbel") or a letter said alone ("med to s"); up to three
    in a row, a correction between them ("med to k, nei, berre ein k"). The word before the
    first comma must be no stop word, cue, correction or number."""
    offset = max(0, at - 160)
    window = text[offset:at]
    pos, found = len(window), None
    for _ in range(5):
        m = _CLAUSE_BEFORE.search(window[:pos])
        if not m or m.start(1) == 0:
            break
        words = [w.lower() for w in m.group(1).split()]
        if any(w in _SPELLING_WORDS or (_spelled_piece(w) and w not in _ONE_LETTER_WORDS) for w in words):
            pos = found = m.start(1)
        elif all(w in _CORRECTION_WORDS for w in words):
            pos = m.start(1)
        else:
            break
    if found is None:
        return None
    before = re.search(r"([\w.+-]+),\s+$", window[:found])
    low = before.group(1).lower() if before else ""
    if (not before or low in _LOCAL_STOP or low in _STOP or low in _SPELLING_WORDS or low in _CORRECTION_WORDS
            or _NUMBER_PART.fullmatch(low)):
        return None
    return offset + found


class EmailRecognizer(Recognizer):
    """E-mail addresses, written (kari@nav.no) or read aloud and transcribed in words.

    Spoken: an at-word ("krøllalfa", "alfakrøll") followed by a domain whose last part, after
    "punktum"/"prikk", is a top-level domain; the local part is the run of words right before
    the at-word (names, "punktum", numbers), back to a comma, a stop word or a cue ("e-post").
    """

    name = "email"
    version = "5"
    supported_entities = (EPOST,)

    def analyze(self, text, doc=None):
        # A written address holds its "@", a disguised one an opening bracket ("(at)", "[dot]").
        found = [self._d(text, m.start(), m.end(), EPOST, 1.0) for m in (_EMAIL.finditer(text) if "@" in text else ())]
        if any(c in text for c in _OPENING_BRACKETS):
            found += [self._d(text, m.start(), m.end(), EPOST, 1.0) for m in _OBFUSCATED_EMAIL.finditer(text)]
        for at in _SPOKEN_AT_WORD.finditer(text):
            domain = _SPOKEN_DOMAIN.match(text, at.start())
            if not domain:
                continue
            start = self._local_start(text, at.start())
            if start is not None:
                # As sure as a written address (an at-word before a top-level domain is no accident),
                # so a key name inside it ("nowak") joins the address instead of taking it over.
                found.append(self._d(text, start, domain.end(), EPOST, 1.0))
        return found

    @staticmethod
    def _local_start(text: str, at: int) -> int | None:
        """Start of the spoken local part before ``at`` (None if there is none)."""
        start = None
        pos = at
        explained = _spelling_explanation(text, at)
        if explained is not None:
            # "lstandal, l og standal i eitt ord, krøllalfa ...": the explanation spells the local
            # part (its pieces are the address's own), and the word before its comma is the local part.
            start = pos = explained
        previous = None  # the last word taken, walking back
        for step in range(24):
            # A pause before the at-word (or before an explanation) may be written as a comma; elsewhere
            # a comma ends the local part, but between letters spelled one by one ("s, e, l, a, m,
            # strek, t") it is only a pause.
            m = re.search(r"([\w.+-]+)(,?)\s+$", text[max(0, pos - 60):pos])
            if not m:
                break
            word = m.group(1)
            low = word.lower()
            # A spelled letter ("v a a r j o") is part of the address, even one that is a stop word.
            spelled = _spelled_piece(low)
            # After a letter or glue word, a one-letter stop word ("e", "i") is a letter too.
            in_letters = spelled and (previous is not None and (_spelled_piece(previous) or previous in _LOCAL_GLUE)
                                      or _LETTER_BEFORE.search(text, 0, pos - len(m.group(0))) is not None)
            if m.group(2) and step > 0 and not (
                    (spelled or low in _LOCAL_GLUE) and previous is not None
                    and (_spelled_piece(previous) or previous in _LOCAL_GLUE or _NUMBER_PART.fullmatch(previous))):
                break
            if not in_letters and (low in _LOCAL_STOP or (low in _STOP and not _NUMBER_PART.fullmatch(low)
                                                          and not spelled)):
                break
            if step >= 12 and not (spelled or low in _LOCAL_GLUE):
                break  # a local part of more than 12 spoken words goes on only in letters spelled one by one
            pos = pos - len(m.group(0))
            previous = low
            if low not in _LOCAL_GLUE:
                start = pos
        return start


STREET_SUFFIXES = (
    "veien", "vegen", "veg", "vei", "gata", "gate", "bakken", "brinken", "ringen", "stien", "lia", "lien",
    "haugen", "toppen", "plassen", "tunet", "jordet", "myra", "sletta", "skogen", "flata", "svingen",
    "høgda", "åsen", "lunden", "løkka", "kroken", "vollen", "berget", "engen", "marka", "grenda",
    "alléen", "allé", "kaia", "bryggen", "torget", "veita", "smuget", "hagen", "stubben", "tjernet", "vika",
    "stranda", "kollen", "bråten", "jordet", "dalen", "moen", "sida", "siden", "bakke", "haugen", "stykket",
    "nget", "trøa", "lykkja", "brekka", "brekke", "terrasse", "terrassen")


def definite_forms(nouns) -> set[str]:
    """Street nouns in both definite forms: the masculine -en and the feminine or dialect -a
    ("bryggen"/"brygga", "sletta"/"sletten", "kaia"/"kaien"), as a street's name is written
    either way (a sign says "Brygga", a letter "Bryggen")."""
    out = set(nouns)
    for n in nouns:
        if n.endswith("en") and len(n) > 4 and n[-3] not in "aeiouyæøå":
            out.add(n[:-2] + "a")
        elif n.endswith("a") and len(n) > 3 and n[-2] not in "aeiouyæøå":
            out.add(n[:-1] + "en")
    return out


def written_forms(nouns) -> set[str]:
    """Street nouns as Bokmål, Nynorsk and dialect writing spell them, by the sound changes such writing
    shows rather than a list per dialect (``numbers.dialect_forms`` does the same for number words):
    both definite forms (``definite_forms``); the long a of a first syllable before one consonant
    rounded to o or å, as western and Trøndelag speech and its writing have it ("gata" → "gota",
    "gåta"; "flata" → "flåta"); a feminine definite -a written -å ("gatå", "slettå"); the -e- of a
    definite -en dropped and marked ("vei'n", "bakk'n"). Only as the end of a street's name before a
    house number (``_ADDRESS_PATTERNS``), where a form that is also a word ("gåta", a riddle) says
    nothing else."""
    forms = definite_forms(nouns)
    for n in list(forms):
        m = re.match(r"([^aeiouyæøå]*)a(?=[^aeiouyæøå][aeiouyæøå])", n)
        if m:
            forms |= {n[:m.end(1)] + v + n[m.end(1) + 1:] for v in "oå"}
    for n in list(forms):
        if n.endswith("a") and len(n) > 3:
            forms.add(n[:-1] + "å")
        if n.endswith("en") and len(n) > 4:
            forms |= {n[:-2] + "'n", n[:-2] + "’n"}
    return forms


_STREET_FORMS = written_forms(STREET_SUFFIXES)
_SUFFIX_ALT = "|".join(re.escape(n) for n in sorted(_STREET_FORMS, key=len, reverse=True))
# North Sami street nouns, as the end of a street's name ("Guolbanluodda 7", "Ávjoválgeaidnu 3 C") or
# written apart after it ("Ánte Joná geaidnu 5"): the Sami words the dictionary of Giellatekno and
# Divvun (giellalt/dict-sme-nob, smenob-all.lexc) translates with a street noun of the list above:
# geaidnu (vei, veg), luodda (vei), bálggis (sti, veg), gáhta/gáhtta (gate), raŧŧi (vei, veg), máđii (vei),
# šillju (plass); with the spellings without diacritics a keyboard without Sami letters gives. A Sami noun
# has no article ending, so there are no definite forms. Not "ráidalas" (stige, trapp: no street noun).
SAMI_STREET_NOUNS = ("geaidnu", "luodda", "bálggis", "balggis", "gáhta", "gahta", "gáhtta", "gahtta", "raŧŧi",
                     "máđii", "šillju", "sillju")
_SAMI_ALT = "|".join(sorted(SAMI_STREET_NOUNS, key=len, reverse=True))
# A street noun standing alone as a street's name ("Kaia 4", "flytta til Sletta sju"): capitalised
# mid-sentence or followed by a flat; long enough to be no function word ("Siden 2019" is not one).
_BARE_STREET_NOUNS = sorted((n for n in definite_forms(STREET_SUFFIXES) if len(n) >= 5 and n not in _STOP
                             and n not in ("siden", "sida")), key=len, reverse=True)
# A floor after the house number: ", 2. etasje", ", 1. etg.", ", andre etasje", and the side of the
# landing: ", andre høgda te venstre". The ordinal in Bokmål, Nynorsk and dialect forms
# (``numbers.dialect_forms``: "fæmte"), the floor by its noun in either written form and the dialects'
# ("etasjen", "høgda", "høyden", "planet"), the side by "til" or its dialect forms (te, tel, tå, åt).
_FLOOR_ORDINALS = ("første", "fyrste", "førsta", "fyrsta", "andre", "andra", "anna", "tredje", "tridje", "tredde",
                   "fjerde", "fjorde", "femte", "sjette", "sjuende", "sjuande", "syvende", "åttende", "åttande",
                   "niende", "niande", "tiende", "tiande", "ellevte", "tolvte")
_FLOOR_ORDINAL = "|".join(sorted({f for w in _FLOOR_ORDINALS for f in dialect_forms(w)}, key=len, reverse=True))
_FLOOR_NOUNS = ("etasje", "etasjen", "etasjar", "etg.", "etg", "høgda", "høgde", "høgd", "høyda", "høyde", "høyden",
                "høgden", "plan", "planet")
_SIDE = r"(?:til|te|tel|tå|åt|på)\s+(?:venstre|vinstre|høyre|høgre|høire)(?:\s+side)?"
_FLOOR = (rf"(?:\d{{1,2}}\.|(?:{_FLOOR_ORDINAL})(?![\wæøå]))"
          rf"\s*(?:{'|'.join(re.escape(n) for n in sorted(_FLOOR_NOUNS, key=len, reverse=True))})(?![\wæøå])"
          rf"(?:\s*,?\s*{_SIDE}(?![\wæøå]))?")
# A house number in digits or words ("førtito", "hundre og sju"; not the article "en"/"ein").
# A tens word and its unit apart ("tretti fire") are one number.
_TENS_UNIT = (rf"(?:{'|'.join(sorted(TENS, key=len, reverse=True))})\s+"
              rf"(?:{'|'.join(sorted((u for u in UNITS if u != 'null'), key=len, reverse=True))})")
# A house number read digit by digit ("en en C", "to sju"): two or three unit words; then "en" is a
# digit, not the article.
_UNIT_WORDS = "|".join(sorted(UNITS, key=len, reverse=True))
_DIGIT_BY_DIGIT = rf"(?:(?:{_UNIT_WORDS})\s+){{1,2}}(?:{_UNIT_WORDS})(?![\wæøå])"
_NUMBER_WORD_HOUSE = (rf"(?:{_DIGIT_BY_DIGIT}|(?!(?:en|ein|ett|eitt|éin)(?![\wæøå]))(?:{_TENS_UNIT}|{NUMBER_WORD})(?![\wæøå])"
                      rf"(?:\s+og\s+{NUMBER_WORD}(?![\wæøå]))?)")
# The flat or entrance after the house number, by its cue word ("leilighet 302", "leil.203",
# "bolig H0201", "oppgang B", "leilighet h 0 2 0 1" as a caption spaces the flat number's digits).
# A hesitation may stand between the cue and the flat's number, as between any spoken groups
# ("leilighet, eh, H null to ...").
_FLAT_GAP = r"(?:\s*,?\s*(?:e+h+m*|ø+h+m*|hm+)\s*,?\s*|\s*,?\s*)"
_FLAT = (rf"(?:leilighet|leilegheit|leil\.|leil|bolig|bolignummer|bustad|oppgang|inngang){_FLAT_GAP}(?:nummer\s+|nr\.?\s*)?"
         rf"(?:(?:[A-Za-z]\s?)?(?:\d(?:\s?\d){{0,3}}|{NUMBER_WORD}(?:\s+(?:og\s+)?{NUMBER_WORD}){{0,3}})|[A-Za-z])(?![\wæøå])")
# "nummer"/"nr." may stand before the house number ("Lyngbakkvegen nummer fire og tjue").
_NUMBER = (rf"(?:(?:nummer|nr\.?)\s+)?(?:\d{{1,4}}|{_NUMBER_WORD_HOUSE})(?:\s?[A-Ha-h](?![\wæøå]))?"
           rf"(?:\s*,?\s*{_FLOOR})?(?:\s*,?\s*(?:{_FLAT}|[Hh]\d{{4}}|[Uu]\d{{4}}))?")
_APART_NOUNS = ("ring", "park", "torg", "allé", "alle", "plass", "sti", "vei", "veg", "gate", "bakke", "kai",
                "brygge", "terrasse")
_DIRECTION = r"(?:Østre|Vestre|Søndre|Nordre|Øvre|Nedre|Store|Lille|Gamle|Nye)"
_COUNTED = (r"(?!\s+(?:ganger|gonger|gang|år|timer|timar|dager|dagar|uker|veker|måneder|månader|kroner|kr|prosent"
            r"|minutter|minutt|stykker|meter|kilometer|km|mil|personer|folk|barn|unger)(?![\wæøå]))")
# The nouns written apart after a capitalised name ("Kong Øysteins veg 14B", "Tiller gate 12"), in their
# written forms ("Kongens gota 3").
_NAMED_APART_NOUNS = written_forms(("gate", "gata", "veg", "vei", "veien", "vegen")) | {"allé", "plass", "bakke", "terrasse",
                                                                                      "kai"}
_NAMED_APART = "|".join(re.escape(n) for n in sorted(_NAMED_APART_NOUNS, key=len, reverse=True))
_STREET_COMPOUND = re.compile(rf"(?<![\w-]){CAP}{LOW}+(?:-{LOW}+)?(?:{_SUFFIX_ALT})(?![\wæøå])")
_ADDRESS_PATTERNS = [
    # Saupstadringen 41B, Lillegårdsbakken 3, Tillerbakken 7, 2. etg.; in lower case ("hånesveien hundre og sju b"),
    # after a qualifier that is part of the name ("nedre fjellveien ni": captions write it in lower case too)
    re.compile(rf"(?<![\w-])(?:(?i:{_DIRECTION[3:-1]})\s+)?(?:{CAP}{LOW}+|{LOW}{{3,}})(?:-{LOW}+)?(?:{_SUFFIX_ALT}|{_SAMI_ALT})"
               rf"\s+{_NUMBER}"),
    # Kong Øysteins veg 14B, Tiller gate 12, 2. etg., Olav Tryggvasons gate 12
    re.compile(rf"(?<![\w-])(?:{WORD}\s+){{1,3}}(?:{_NAMED_APART}|{_SAMI_ALT})\s+{_NUMBER}"),
    # A street noun written apart from its name, as automatic captions write it, in any case
    # ("storhaug bakken fire", "sælehaugen terrasse nummer tre"): the name word is no dictionary
    # word, stop word or number word (checked in analyze: "ned bakken to ganger" is no address).
    # The noun is one that can stand alone as a street's name (``_BARE_STREET_NOUNS``: not "siden",
    # "Fredrikstad siden 2006"), and the number no year.
    # Truecasing a caption may capitalise the noun beside a capitalised name word ("Storhaug Bakken fire"):
    # a capitalised noun counts only after a capitalised name word that is no first name (checked in
    # analyze: "Kari Bakken 4" is a person's name and a number).
    re.compile(rf"(?<![\w-])(?P<head>{LOW}{{3,}}|{CAP}{LOW}{{2,}})\s+"
               rf"(?P<noun>{'|'.join(f'[{n[0]}{n[0].upper()}]{n[1:]}' for n in _BARE_STREET_NOUNS)})\s+"
               rf"(?!(?:19|20)\d\d(?!\d)){_NUMBER}{_COUNTED}"),
    # The indefinite noun of a name written apart ("Fjellsrud ring 3", "Moa park 2"), as a caption cuts the
    # name itself into pieces too ("tjenn heia ring fire"): one or two name pieces, the first no dictionary
    # word and the two joined none either, no piece a stop word or a number word, the last no first name
    # (checked in analyze: "kari ring to av dem" is someone told to call). The nouns a street's name takes
    # apart (Kartverket's street names: "… ring", "… park", "… torg", "… allé", "… plass", "… sti").
    re.compile(rf"(?<![\w-])(?P<head>(?:{LOW}{{3,}}|{CAP}{LOW}{{2,}})(?:\s+{LOW}{{3,}})?)\s+"
               rf"(?P<noun>{'|'.join(_APART_NOUNS)})\s+(?!(?:19|20)\d\d(?!\d)){_NUMBER}{_COUNTED}"),
    # Østre Rosten 28
    re.compile(rf"(?<![\w-]){_DIRECTION}\s+{WORD}\s+{_NUMBER}"),
    # Kaia 4, leilighet 201; Sletta sju
    re.compile(rf"(?<![\w-])(?:{'|'.join(n[0].upper() + n[1:] for n in _BARE_STREET_NOUNS)})\s+"
               rf"(?:\d{{1,3}}(?!\d)|{_NUMBER_WORD_HOUSE})(?:\s?[A-Ha-h](?![\wæøå]))?(?:\s*,?\s*{_FLAT})?{_COUNTED}"),
]
_SUFFIXED_STREET = _ADDRESS_PATTERNS[0]
_NAMED_APART_STREET = _ADDRESS_PATTERNS[1]
_BARE_STREET = _ADDRESS_PATTERNS[-1]
_APART_INDEFINITE = _ADDRESS_PATTERNS[3]
# What every match of five of the expressions holds as a word of the turn (a run of characters that
# are no space: ``str.split`` and ``\s`` count the same characters as space), as the space after it
# follows in the expression: _SUFFIXED_STREET a word ending in a street's ending, _BARE_STREET one
# ending in its capitalised noun; _NAMED_APART_STREET, _APART_STREET and _APART_INDEFINITE their noun
# as a word between spaces. A turn without one is not searched with that expression, which would try
# every word of the turn.
class _Endings(frozenset):
    """Strings a word may end in, with their lengths (``_ends_in``)."""

    def __init__(self, strings):
        super().__init__()
        self.lengths = tuple(sorted({len(s) for s in self}))


_STREET_ENDINGS = _Endings(_STREET_FORMS | set(SAMI_STREET_NOUNS))
_BARE_STREET_ENDINGS = _Endings(n[0].upper() + n[1:] for n in _BARE_STREET_NOUNS)
_NAMED_APART_WORDS = frozenset(_NAMED_APART_NOUNS) | frozenset(SAMI_STREET_NOUNS)
_APART_STREET_WORDS = frozenset(form for n in _BARE_STREET_NOUNS for form in (n, n[0].upper() + n[1:]))
_APART_INDEFINITE_WORDS = frozenset(_APART_NOUNS)


def _ends_in(words: list[str], endings: _Endings) -> bool:
    """Whether a word of ``words`` ends in one of ``endings``."""
    for word in words:
        for n in endings.lengths:
            if n > len(word):
                break
            if word[-n:] in endings:
                return True
    return False


_SAMI_YEAR = re.compile(rf"(?:{_SAMI_ALT})\s+(?:19|20)\d\d(?!\d)")
_APART_STREET = _ADDRESS_PATTERNS[2]
# Each expression's precheck (above) over the turn's words and their set: False, and the expression cannot match.
_ADDRESS_PRECHECKS = {
    _SUFFIXED_STREET: lambda words, held: _ends_in(words, _STREET_ENDINGS),
    _BARE_STREET: lambda words, held: _ends_in(words, _BARE_STREET_ENDINGS),
    _NAMED_APART_STREET: lambda words, held: not held.isdisjoint(_NAMED_APART_WORDS),
    _APART_STREET: lambda words, held: not held.isdisjoint(_APART_STREET_WORDS),
    _APART_INDEFINITE: lambda words, held: not held.isdisjoint(_APART_INDEFINITE_WORDS),
}
# A house letter said as its name ("fjorten be", "tolv hå"); a letter written alone is in _NUMBER.
_HOUSE_LETTER = re.compile(r"\s+(?:be|ce|se|de|eff|ge|hå)(?![\wæøå])", re.IGNORECASE)
_NUMBER_WORD_RE = re.compile(NUMBER_WORD, re.IGNORECASE)
_POSTCODE = re.compile(rf"(?<![\d.,])(\d{{4}})\s+({CAP}{LOW}+(?:[ -]{CAP}{LOW}+)?)")
_POSTCODE_CUE = re.compile(r"post\s?(?:nummer|nr\.?|kode)\s*(?:er|var|e)?\s*$", re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s+([a-zæøåA-ZÆØÅ][a-zæøå-]{2,})(?![\wæøå])")
_LOWER_PLACE = re.compile(rf"(?<![\w-])(?:på|i|fra|frå|til|ved|mellom|gjennom|utenfor|nær)\s+(?P<w>[{LOWER}]{{4,}}[{LOWER}-]*)"
                          r"(?![\w-])")
_LOWER_STREET = re.compile(r"(?<![\w-])[a-zæøå]{3,}(?:gata|gaten|gate|veien|vegen)(?![\wæøå])")
_LOWER_STREET_WORDS = ("gat", "veien", "vegen")  # one of them in every _LOWER_STREET match
_YEAR_BEFORE = re.compile(r"(?:\bi|\bfra|\btil|\bsiden|\bår|\bhøsten|\bvåren|\bsommeren|\bvinteren|\bom|\bin)\s*$",
                          re.IGNORECASE)


class AddressRecognizer(Recognizer):
    """Street addresses with a house number, street names alone, and postcode + place."""

    name = "address"
    version = "8"
    supported_entities = (ADRESSE, STED)

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.gazetteer = gazetteer or load_gazetteer()

    def analyze(self, text, doc=None):
        found = []
        words = text.split()
        held = set(words)
        for pattern in _ADDRESS_PATTERNS:
            precheck = _ADDRESS_PRECHECKS.get(pattern)
            if precheck is not None and not precheck(words, held):
                continue  # no word it needs
            for m in pattern.finditer(text):
                if _NUMBER_WORD_START.match(m.group()):
                    continue  # "sekstien null": a number word ending like a street ("-stien"), in a number
                if pattern is _BARE_STREET and (self.gazetteer.is_last(m.group().split()[0]) or (
                        sentence_initial(text, m.start()) and not re.search(r"(?i:leil)|\d[A-Ha-h]?\s*,", m.group()))):
                    continue  # "Haugen 3" may be a surname; "Bakken 2 ..." at a sentence start a common noun
                if _SAMI_YEAR.search(m.group()):
                    continue  # "i Guovdageaidnu 2019": a place ending in a Sami street noun, then a year
                if pattern is _APART_STREET:
                    head = m.group("head").lower()  # truecasing may have capitalised it
                    if head in _STOP or in_dictionary(head) or _NUMBER_WORD_START.fullmatch(head):
                        continue
                    if m.group("noun")[0].isupper() and (
                            m.group("head")[0].islower() or self.gazetteer.is_first(head)):
                        continue  # "Kari Bakken 4": a first name and a surname that is a street noun
                if pattern is _APART_INDEFINITE and not self._apart_name(m.group("head")):
                    continue
                end = self._tail(text, _rstrip(text, m.start(), m.end()), m.group())
                found.append(self._d(text, m.start(), end, ADRESSE, 0.95))
        for m in _STREET_COMPOUND.finditer(text):
            # A street name without number ("bodde i Saupstadringen") is a place.
            word = m.group()
            if self.gazetteer.is_common_word(word) or len(word) < 7:
                continue
            initial = sentence_initial(text, m.start())
            if initial and in_dictionary(word):
                continue  # "Finansieringen er ...": a dictionary word capitalised for the sentence's sake
            score = 0.6 if initial else 0.75
            found.append(self._d(text, m.start(), m.end(), STED, score))
        for m in _POSTCODE.finditer(text):
            code, place = int(m.group(1)), m.group(2)
            if self.gazetteer.is_common_word(place.split()[0]) and not self.gazetteer.is_place(place):
                continue
            year_like = 1900 <= code <= 2039
            before = text[max(0, m.start() - 12):m.start()]
            if year_like and (_YEAR_BEFORE.search(before) or not self.gazetteer.is_place(place)):
                continue
            score = 0.9 if self.gazetteer.is_place(place) or before.rstrip().endswith(",") else 0.8
            found.append(self._d(text, m.start(), m.end(), ADRESSE, score))
        found += self._postcodes(text)
        for m in (_LOWER_STREET.finditer(text) if may_hold(text, _LOWER_STREET_WORDS) else ()):
            # A street name in lower case without number ("møtene var i tollbodgata"): a name when it is
            # no dictionary word itself ("hovedgata", "motorveien" are).
            word = m.group()
            if not self.gazetteer.is_common_word(word) and not in_dictionary(word):
                found.append(self._d(text, m.start(), m.end(), STED, 0.75))
        found += self._lower_places(text)
        found += self._lived_at(text, found)
        return found

    def _lived_at(self, text: str, known: list[Detection]) -> list[Detection]:
        """A place name with a house number and a house letter after a residence cue ("dei bur no i
        Furuholmen 2 A", "flytta til Ospeneset 14 c"): whatever its last part, a number with a letter
        where someone lives is a street address, not a count ("bodde i Bodø 2 år" has no letter). The
        letter is a capital, or in lower case right after digits (a lower-case "a" or "e" after a
        number word may be a pronoun or a verb in dialect); the name no stop word, number word or, in
        lower case, Norwegian word (``lexicon.is_word``). Only where no street address was found."""
        found = []
        for m in _lived_at_pattern().finditer(text):
            name = m.group("name")
            low = name.lower()
            if low in _STOP or _NUMBER_WORD_START.fullmatch(low) or (name[0].islower() and is_word(name)):
                continue
            if m.group("letter").islower() and not m.group("num")[-1].isdigit():
                continue
            if any(d.type == ADRESSE and d.start <= m.start("addr") < d.end for d in known):
                continue  # "budde i Nymannsveien 41 B, andre etasje": the street pattern has it, floor and all
            end = self._tail(text, m.end(), m.group("addr"))
            found.append(self._d(text, m.start("addr"), end, ADRESSE, 0.9))
        return found

    def _apart_name(self, head: str) -> bool:
        """The name pieces before an indefinite street noun written apart: the first no dictionary
        word (the name's own part, "tjenn", "storhaug"), the pieces joined none either, no piece a stop
        word or a number word, and the last no listed first name."""
        pieces = head.lower().split()
        if any(p in _STOP or _NUMBER_WORD_START.fullmatch(p) for p in pieces):
            return False
        if in_dictionary(pieces[0]) or in_dictionary("".join(pieces)):
            return False
        return not self.gazetteer.is_first(pieces[-1])

    def _lower_places(self, text: str) -> list[Detection]:
        """A place name in lower case after a place preposition, in any transcript ("nå bor vi på
        skrubbmoen" in a caption with unreliable capitals): a compound ending in a definite
        landscape or settlement noun (-moen, -åsen, -heia, -vika ...) that no explanation class
        covers (``unexplained.explanation``: a dictionary word or a dialect form is explained).
        Replaced and listed for review."""
        from .unexplained import _PLACE_TAILS, explanation  # here: unexplained reads cues, which read this module

        found = []
        for m in _LOWER_PLACE.finditer(text):
            word = m.group("w")
            if word.endswith(_PLACE_TAILS) and len(word) >= 7 and explanation(word, self.gazetteer) is None:
                found.append(self._d(text, m.start("w"), m.end("w"), STED, 0.7))
        return found

    def _tail(self, text: str, end: int, address: str) -> int:
        """The end of a full address after the street and house number: a house letter spelled
        ("fjorten be") and a postcode in digits or words with its place ("... b to åtte tre sju
        kvernbakken", "... B, 8027 Skjærvika"), as a postal address is written and read aloud."""
        if not re.search(r"\s[A-Ha-h]$|\d[A-Ha-h]$", address):
            letter = _HOUSE_LETTER.match(text, end)
            if letter:
                end = letter.end()
        gap = re.match(r"\s*,?\s*", text[end:])
        runs = [r for r in number_runs(text[end:end + 60]) if r.start == gap.end()]
        if runs and len(runs[0].digits) == 4 and not runs[0].composed:
            end += runs[0].end
            place = _NEXT_WORD.match(text, end)
            if place and place.group(1).lower() not in _STOP and not _NUMBER_WORD_RE.fullmatch(place.group(1)):
                end = place.end(1)
        return end

    def _postcodes(self, text: str) -> list[Detection]:
        """Four digits after "postnummer", or before a place: written ("4640 søgne") or read aloud
        digit by digit or in pairs ("fire seks fire null søgne"). A year is never read digit by digit."""
        found = []
        for run in number_runs(text):
            if len(run.digits) != 4 or run.composed or len(run.groups) not in (1, 2, 4):
                continue
            if run.spoken and len(run.groups) == 1:
                continue
            if not run.spoken and len(run.groups) != 1:
                continue
            cue = _POSTCODE_CUE.search(text[max(0, run.start - 25):run.start])
            after = _NEXT_WORD.match(text, run.end)
            place = after is not None and (self.gazetteer.is_place(after.group(1)) or (
                not self.gazetteer.is_common_word(after.group(1)) and not is_word(after.group(1))))
            if not run.spoken and not cue and (not place or after.group(1)[:1].isupper()):
                continue  # written with a capitalised place: the pattern above has it
            if not (cue or place):
                continue
            end = after.end(1) if place else run.end
            found.append(self._d(text, run.start, end, ADRESSE, 0.85))
        return found


@lru_cache(maxsize=1)
def _lived_at_pattern() -> re.Pattern:
    from .slots import _RESIDENCE  # here: slots reads cues, which read this module

    return re.compile(
        rf"(?<![\w-])(?i:{_RESIDENCE})\s+(?:(?i:her|der|nå|no|da|då|fortsatt|framleis|også|like|inn|vi|me|dei|de"
        rf"|eg|jeg|æ|han|hun|ho|hu)\s+){{0,2}}(?i:på|i|til)\s+"
        rf"(?P<addr>(?P<name>{CAP}{LOW}+(?:-{CAP}?{LOW}+)?|{LOW}{{4,}})\s+(?P<num>\d{{1,4}}|{_NUMBER_WORD_HOUSE})"
        rf"\s?(?P<letter>[A-Ha-h])(?![\wæøå])(?:\s*,?\s*{_FLOOR})?(?:\s*,?\s*(?:{_FLAT}|[Hh]\d{{4}}|[Uu]\d{{4}}))?)")


_NUMBER_WORD_START = re.compile(rf"(?:{NUMBER_WORD})(?![\w'’-])", re.IGNORECASE)


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " ,":
        end -= 1
    return end


MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov",
          "des")
MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAY = r"(?:mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|lørdag|laurdag|søndag|sundag)"
_DATE = re.compile(
    rf"(?<![\d.])(?:(?:{WEEKDAY}\s+)?(?:den\s+)?\d{{1,2}}\.\s*(?:{MONTH_ALT})\.?\s+(?:(?:19|20)\d{{2}}|[-–'’]\d{{2}}(?!\d))"
    rf"|\d{{1,2}}[./]\d{{1,2}}[./-](?:19|20)?\d{{2}})(?![\d])", re.IGNORECASE)
# The year said relative to now belongs to the date ("2. juni i fjor"): it dates it as well.
_RELATIVE_YEAR = r"(?:\s+(?:i\s+fjor|i\s+år|året\s+etter|året\s+før))?"
# The weekday before a day and month belongs to the date, as it does before a full one ("fredag 13. oktober").
_WEEKDAY_BEFORE = rf"(?:(?<![\wæøå]){WEEKDAY}\s+(?:den\s+)?)?"
_DAY_MONTH = re.compile(rf"(?<![\d.]){_WEEKDAY_BEFORE}\d{{1,2}}\.\s*(?:{MONTH_ALT})(?![\wæøå]){_RELATIVE_YEAR}",
                        re.IGNORECASE)
_NUMBER_WORD = r"(?:[a-zæøå]*(?:første|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende|ellevte|tolvte|tende|ende|nde|ste)|\d{1,2}\.?)"
_YEAR_WORD = r"(?:(?:19|20)?\d{2}|[a-zæøå]*(?:nitten|tjue|tretti|førti|femti|seksti|sytti|åtti|nitti|totusen|to tusen)[a-zæøå]*)"
_SPOKEN_BIRTH = re.compile(
    rf"(?:født|fødd)\s+(?:den\s+|på\s+)?(?P<date>{_NUMBER_WORD}\s+(?:{MONTH_ALT})(?:\s+{_YEAR_WORD})?)(?![\wæøå])",
    re.IGNORECASE)
_BIRTH = re.compile(r"(?:født|fødd|fødselsdag|fødselsdato|bursdag)\w*\s+(?:den\s+|på\s+|i\s+)?$", re.IGNORECASE)
# A full date in words anywhere ("fjortende februar nittenfemtiåtte", "tredje mai to tusen og ni"): the
# ordinal is one of the day ordinals and the year a four-digit year in words or digits, so ordinary
# phrases ("andre mars" = other marches) do not qualify.
# Bokmål and Nynorsk ("fyrste", "sjuande", "tjuande", "fjortande", "tjugeandre").
_DAY_ORDINAL = (r"(?:(?:tjue|tjuge|tretti|en|ei|to|tre|fire|fem|seks|sju|syv|åtte|ni)?(?:og)?"
                r"(?:første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende|sjuande|syvende|åttende|åttande|niende"
                r"|niande|tjuende|tjuande|tjugande|trettiende|trettiande)"
                r"|tiende|tiande|ellevte|tolvte|trettende|trettande|fjortende|fjortande|femtende|femtande|sekstende"
                r"|sekstande|syttende|syttande|attende|attande|nittende|nittande)")
# The year in words as numbers.py reads it, in its dialect forms too ("tjuesøtten", "kjue åtte").
_FULL_YEAR_WORDS = rf"(?:(?:19|20)\d{{2}}|{YEAR_WORDS_PATTERN})"
_SPOKEN_DATE = re.compile(
    rf"(?<![\wæøå])(?:den\s+)?{_DAY_ORDINAL}\s+(?:{MONTH_ALT})\s+{_FULL_YEAR_WORDS}(?![\wæøå])", re.IGNORECASE)
# Day and month in words without a year ("fjortende juni", "første desember i fjor"), and the month as
# an ordinal after "den" ("den tjuende i tiende"): the month names (not "mars" alone, "andre mars") or
# "den ... i" make the ordinal a day.
_MONTH_ORDINAL = (r"(?:første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende|sjuande|syvende|åttende|åttande|niende"
                  r"|niande|tiende|tiande|ellevte|tolvte)")
_DIGIT = re.compile(r"\d")
_MONTH_WORDS = literals("|".join(MONTHS))
_MONTH_ORDINAL_WORDS = literals(_MONTH_ORDINAL[3:-1])
_PUBLIC_DAY = re.compile(r"(?:den\s+)?(?:første|syttende)\s+mai(?![\wæøå])", re.IGNORECASE)
# Without a year "andre" is read as "other" ("andre mai tjue ganger"), so it is no day here.
_DAY_ORDINAL_ALONE = rf"(?!andre(?![\wæøå])){_DAY_ORDINAL}"
_SPOKEN_DAY_MONTH = re.compile(
    rf"(?<![\wæøå]){_WEEKDAY_BEFORE}(?:den\s+)?{_DAY_ORDINAL_ALONE}\s+(?:januar|februar|april|mai|juni|juli|august|september|oktober"
    rf"|november|desember)(?![\wæøå]){_RELATIVE_YEAR}"
    rf"|(?<![\wæøå])den\s+{_DAY_ORDINAL}\s+i\s+{_MONTH_ORDINAL}(?![\wæøå]){_RELATIVE_YEAR}", re.IGNORECASE)


# The months of the calendars informants born elsewhere date by: Ethiopian and Eritrean (Ge'ez),
# Islamic (Hijri), Iranian and Afghan solar. Capitalised, after a day's ordinal or number, "i" or
# "av" between ("den fyrste i Meskerem", "15. Ramadan"): some are words or names on their own.
_OTHER_CALENDAR_MONTHS = (
    "Meskerem", "Meskarem", "Tikimt", "Tikimti", "Tekemt", "Hidar", "Hedar", "Tahsas", "Tahesas", "Ter", "Tirr",
    "Yekatit", "Yakatit", "Megabit", "Magabit", "Miyazya", "Miyazia", "Ginbot", "Genbot", "Sene", "Hamle",
    "Nehase", "Nehasie", "Nahase", "Pagume", "Pagumen",
    "Muharram", "Muharrem", "Safar", "Rabi al-awwal", "Rabi al-thani", "Jumada al-awwal", "Jumada al-ula",
    "Jumada al-thani", "Jumada al-akhira", "Rajab", "Shaban", "Sha'ban", "Ramadan", "Ramadhan", "Shawwal",
    "Dhu al-Qidah", "Dhu al-Qi'dah", "Dhul-Qidah", "Dhu al-Hijjah", "Dhul-Hijjah",
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Amordad", "Shahrivar", "Mehr", "Aban", "Azar", "Dey",
    "Bahman", "Esfand", "Hamal", "Sawr", "Jawza", "Saratan", "Asad", "Sonbola", "Mizan", "Aqrab", "Qaws", "Jadi",
    "Dalw", "Hut")
_OTHER_MONTH_ALT = "|".join(re.escape(m) for m in sorted(_OTHER_CALENDAR_MONTHS, key=len, reverse=True))


def other_month_written(text: str) -> bool:
    """Whether a month of another calendar is in ``text`` as written (``_OTHER_CALENDAR_DATE`` takes
    it in that case only): the necessary condition checked before that expression."""
    return any(m in text for m in _OTHER_CALENDAR_MONTHS)


_OTHER_CALENDAR_DATE = re.compile(
    rf"(?<![\wæøå])(?i:(?:den\s+)?(?:{_DAY_ORDINAL}|\d{{1,2}}\.)\s+(?:i\s+|av\s+)?)(?:{_OTHER_MONTH_ALT})(?![\wæøå'’-])")
# Day and month with a slash, no year ("frå 15/8 til 20/10"): dated by a preposition of time or
# "den" before it, or another such date after a range word; a fraction ("1/3 av lønna", "2/3 stilling")
# is none.
_SLASH_DAY_MONTH = re.compile(
    r"(?<![\w/.,])(?P<pre>(?i:den|frå|fra|til|te|innan|innen|før|etter|sidan|siden|per|fram\s+til|frem\s+til)\s+)?"
    r"(?P<day>[0-3]?\d)/(?P<month>[01]?\d)(?![\w/]|[.,]\d)")
_SLASH_RANGE_AFTER = re.compile(r"\s*(?:[-–]|til|te)\s*[0-3]?\d/[01]?\d(?![\w/]|[.,]\d)", re.IGNORECASE)
_SLASH_RANGE_BEFORE = re.compile(r"[0-3]?\d/[01]?\d\s*(?:[-–]|til|te)\s*$", re.IGNORECASE)
_FRACTION_AFTER = re.compile(r"\s*(?:av|del|delar|deler|parten|stilling|stillinga|stillingen|prosent|%|time|timar|timer)"
                             r"(?![\wæøå])", re.IGNORECASE)


# Day and month with dots, no year ("fristen var den 30.11.", "frå 1.3. til 15.4."): the form is also a
# time ("til 10.30", "møtet var 10.30."), so only "den" before it dates it, or a range of two written
# with the closing dot of a date.
_DOT_DAY_MONTH = re.compile(
    r"(?<![\w/.,:])(?P<pre>(?i:den)\s+)?(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)(?P<dot>\.)?(?![\w/]|[.,:]?\d)")
_DOT_RANGE_AFTER = re.compile(r"\s*(?:[-–]|til|te)\s*[0-3]?\d\.[01]?\d\.(?!\d)", re.IGNORECASE)
_DOT_RANGE_BEFORE = re.compile(r"[0-3]?\d\.[01]?\d\.\s*(?:[-–]|til|te)\s*$", re.IGNORECASE)
_CLOCK_BEFORE = re.compile(r"(?:kl\.?|klokka|klokken|klokka\s+var)\s*$", re.IGNORECASE)


def _dot_day_month(text: str) -> list[tuple[int, int]]:
    """Where ``_DOT_DAY_MONTH`` dates a day: a real day and month, "den" before or a dotted range."""
    out = []
    for m in _DOT_DAY_MONTH.finditer(text):
        day, month = int(m.group("day")), int(m.group("month"))
        if not (1 <= day <= 31 and 1 <= month <= 12) or _CLOCK_BEFORE.search(text, 0, m.start()):
            continue
        ranged = m.group("dot") and (_DOT_RANGE_AFTER.match(text, m.end())
                                     or _DOT_RANGE_BEFORE.search(text, 0, m.start("day")))
        if m.group("pre") or ranged:
            out.append((m.start("day"), m.end()))
    return out


def _slash_day_month(text: str) -> list[tuple[int, int]]:
    """Where ``_SLASH_DAY_MONTH`` dates a day: a real day and month, a cue before or a range."""
    out = []
    for m in _SLASH_DAY_MONTH.finditer(text):
        day, month = int(m.group("day")), int(m.group("month"))
        if not (1 <= day <= 31 and 1 <= month <= 12) or _FRACTION_AFTER.match(text, m.end()):
            continue
        after = _SLASH_RANGE_AFTER.match(text, m.end())
        if after and _FRACTION_AFTER.match(text, after.end()):
            continue  # "frå 1/3 til 1/2 av lønna": fractions, both
        ranged = after or _SLASH_RANGE_BEFORE.search(text, 0, m.start("day"))
        if m.group("pre") or ranged:
            out.append((m.start("day"), m.end()))
    return out


class DateRecognizer(Recognizer):
    """Full dates (day, month, year); a birth date also without the year.

    Exact dates tied to a person are indirect identifiers, so every full date
    is replaced; one after "født" scores highest.
    """

    name = "date"
    version = "5"
    supported_entities = (DATO,)

    def analyze(self, text, doc=None):
        found = []
        # Every form holds a digit, a month's name or (after "den ... i") a month as an ordinal; a
        # month of another calendar is matched as written (capitalised), so only its exact spelling
        # in the text lets that expression run: its lower case ("ter", "sene") is in most turns.
        digit = _DIGIT.search(text) is not None
        month = may_hold(text, _MONTH_WORDS)
        other = other_month_written(text)
        ordinal = month or may_hold(text, _MONTH_ORDINAL_WORDS)  # _SPOKEN_DAY_MONTH needs one of them
        if not (digit or other or ordinal):
            return found
        for m in (_DATE.finditer(text) if digit else ()):
            birth = _BIRTH.search(text[max(0, m.start() - 25):m.start()])
            found.append(self._d(text, m.start(), m.end(), DATO, 0.95 if birth else 0.8))
        for m in (_SPOKEN_DATE.finditer(text) if month else ()):
            found.append(self._d(text, m.start(), m.end(), DATO, 0.85))
        for m in (_SPOKEN_BIRTH.finditer(text) if month else ()):  # "født fjortende mai syttiseks"
            found.append(self._d(text, m.start("date"), m.end("date"), DATO, 0.9))
        for m in (_SPOKEN_DAY_MONTH.finditer(text) if ordinal else ()):  # "fjortende juni", "den tjuende i tiende"
            if _PUBLIC_DAY.match(m.group()):
                continue  # a public holiday dates nothing in one person's life
            birth = _BIRTH.search(text[max(0, m.start() - 25):m.start()])
            found.append(self._d(text, m.start(), m.end(), DATO, 0.85 if birth else 0.7))
        for m in (_DAY_MONTH.finditer(text) if digit else ()):
            # A day and month without a year still dates an event in someone's life: replaced, and
            # listed for review unless it is a birthday.
            birth = _BIRTH.search(text[max(0, m.start() - 25):m.start()])
            found.append(self._d(text, m.start(), m.end(), DATO, 0.85 if birth else 0.7))
        for m in (_OTHER_CALENDAR_DATE.finditer(text) if other else ()):  # "den fyrste i Meskerem"
            found.append(self._d(text, m.start(), m.end(), DATO, 0.7))
        for start, end in (_slash_day_month(text) if "/" in text else ()):  # "frå 15/8 til ..."
            found.append(self._d(text, start, end, DATO, 0.7))
        for start, end in (_dot_day_month(text) if digit else ()):  # "den 30.11."
            found.append(self._d(text, start, end, DATO, 0.7))
        kept: list[Detection] = []
        for d in found:  # the first (fullest) form of one date only
            if not any(d.start < k.end and k.start < d.end for k in kept):
                kept.append(d)
        return kept


_CASE_NUMBER = re.compile(r"(?<![\w/])(?:19|20)\d{2}/\d{3,7}(?:-\d{1,3})?(?![\w/])")
# The public archive form year/serial-document with a two-digit year (Noark: "14/03318-2", "16/11873").
_ARCHIVE_NUMBER = re.compile(r"(?<![\w/.,])(\d{2})/(\d{4,6})(-\d{1,3})?(?![\w/]|[.,]\d)")
# A number named as a case/reference number, up to a few words after the cue ("saksnummer fra
# Husbanken, 201609871"). At least five characters, so a year ("i 2015") is not taken.
# The numbers an office or firm files one person's case under are case numbers too: customer,
# contract, agreement, membership, policy and DUF numbers ("kundenummeret mitt i Husbanken er ...").
_CASE_CUE = re.compile(r"(?<![\wæøå])(?:(?:saks|referanse|ref|journal|arkiv|søknads|vedtaks|dokument|klage|lån|låne"
                       r"|kunde|kontrakt|kontrakts|avtale|medlems|polise|forsikrings|duf)\s*[-.]?\s*"
                       r"(?:nummer\w*|nr\.?)|sak\s+(?:nummer|nr\.?)|referansen|referanse|ref\."
                       # The document in definite form with a verb of having: "Kontrakten hadde nummer",
                       # "saka fekk referanse", "avtalen har nr." (the cue's words stay unmasked).
                       r"|(?P<held>(?:saka|saken|kontrakten|kontrakta|avtalen|avtala|søknaden|vedtaket|lånet"
                       r"|polisen|klagen|klaga|kundeforholdet)\s+(?:har|hadde|fikk|fekk|får|fær|hæ|ha|har\s+fått)"
                       r"\s+(?:(?:et|eit|ett|eitt)\s+)?(?:nummer(?:et)?|nr\.?|referanse(?:nummer)?|saksnummer)))",
                       re.IGNORECASE)
# Between a cue and its number: the cue then belongs to the identifier ("saksnr. 21/03318").
_CUE_GAP = re.compile(r"[\s:.,]*(?:(?:er|var|e|va|blir|lyder)\s*:?\s*)?(?:(?:nummer|nr\.?)\s*)?", re.IGNORECASE)
# Capital letters and digits, also apart ("LTE 0193"): four digits are a reference with letters before them.
_CUE_NUMBER = re.compile(r"(?<![\w/])(?:[A-ZÆØÅ]{1,4}[\s-]?\d{4,}|[A-ZÆØÅ]{0,3}\d[\d/\-.]{3,}\d)(?![\w/])")


class CaseNumberRecognizer(Recognizer):
    """Case numbers in public archives (saksnummer 2013/14872, 14/03318-2) identify a case and so a person.

    A two-digit year form is taken unless it reads as a month and year ("05/2015"); any number
    of five or more characters within 45 characters after "saksnummer", "referansenummer",
    "journalnr." … (same sentence) is a case number too.
    """

    name = "case_number"
    version = "7"
    supported_entities = (SAK,)

    def analyze(self, text, doc=None):
        found = [self._d(text, m.start(), m.end(), SAK, 0.9) for m in _CASE_NUMBER.finditer(text)]
        for m in _ARCHIVE_NUMBER.finditer(text):
            month_year = int(m.group(1)) <= 12 and len(m.group(2)) == 4 and m.group(2)[:2] in ("19", "20")
            if not month_year or m.group(3):
                found.append(self._d(text, m.start(), m.end(), SAK, 0.85))
        # Read aloud: "tjueatten stryk null fire fire en sju bindestrek tre" (numbers.classify).
        found += [self._d(text, f.start, f.end, SAK, f.score) for f in findings(text) if f.type == SAK]
        runs = None
        for cue in _CASE_CUE.finditer(text):
            window = text[cue.end():cue.end() + 45]
            stop = re.search(r"[.!?](?:\s|$)|\n", window)
            window = window[: stop.start() if stop else len(window)]
            m = _CUE_NUMBER.search(window)
            span = (m.start(), m.end()) if m else None
            # The digits in any grouping ("lån nr. 7045 118 203"): the first run of five or more that
            # starts in the window, read whole from the text (the window's end may cut it).
            runs = number_runs(text) if runs is None else runs
            # A number built with "hundre" is an amount or a year unless a separator is said in it:
            # "tjuetre strek fire hundre og tolv" is 23-412.
            run = next((r for r in runs if cue.end() <= r.start < cue.end() + len(window)
                        and len(r.digits) >= 5 and (not r.composed or set(r.seps) & {"/", "-"})), None)
            if run is not None:
                at = (run.start - cue.end(), run.end - cue.end())
                if span is None or at[0] < span[0] or (at[0] == span[0] and at[1] > span[1]):
                    span = at
                elif span[0] < at[0] < span[1] < at[1]:
                    # Letters and digit groups ("HB 7102 5589"): the letters' match ends after the first
                    # group; the run of digits that starts inside it goes on to its last.
                    span = (span[0], at[1])
            if span:
                start = cue.end() + span[0]
                if _CUE_GAP.fullmatch(text, cue.end(), start) and not cue.group("held"):
                    start = cue.start()  # "saksnr. 21/03318", "referanse 2023/004512": the cue with it
                found.append(self._d(text, start, cue.end() + span[1], SAK, 0.9))
        kept: list[Detection] = []
        for d in sorted(found, key=lambda d: (d.start, -d.end, -d.score)):
            if not any(d.start < k.end and k.start < d.end for k in kept):
                kept.append(d)
        return kept


# The kinds of association a name stands before, in their Bokmål and Nynorsk forms: housing
# ("Rognebær sameige", "Granly borettslag"), faith ("Medhane Alem kyrkjelyd", "Filadelfia menighet"),
# clubs and local societies ("Hessa idrettslag", "Nordbyen velforening", "Vik ungdomslag"). A compound
# ending in one names one too ("Kvernhuset boligsameie"). Shared with truecasing (``casing``: the words
# before one are capitalised in a transcript without capitals), so both find the same names.
ORGANISATION_KINDS = (
    "borettslag", "burettslag", "bustadbyggjelag", "boligbyggelag", "byggelag", "byggjelag", "sameie", "sameige",
    "menighet", "menigheit", "kyrkjelyd", "kirkesamfunn", "trossamfunn", "trussamfunn", "forsamling",
    "idrettslag", "velforening", "velforeining", "vellag", "grendelag", "grendalag", "ungdomslag", "sanitetslag",
    "sanitetsforening", "sanitetsforeining", "samvirkelag", "bondelag", "kvinnelag", "pensjonistlag", "mållag",
    "skytterlag", "skyttarlag", "sanglag", "songlag", "forening", "foreining")
# The fishing, fish-farming and building trades of a coastal or rural firm ("Nordkyst Sjømat", "Hitra
# Fiskeri", "Kviteseid Anlegg"), as a firm writes them, capitalised. In lower case they are the
# everyday nouns of the same places ("vi dreiv med fisk og anlegg"), so the lower-case rule
# (``_TRADE``) does not read them; a lower-case firm of these trades is left to the learned model.
_CAPITAL_ONLY_TRADES = ("Fisk", "Sjømat", "Havbruk", "Fiskeri", "Seafood", "Anlegg", "Trelast", "Entreprenør")
INSTITUTION_WORDS = (
    *ORGANISATION_KINDS, "skulekorps", "skolekorps", "frivilligsentral", "skole", "barneskole", "ungdomsskole", "videregående skole", "videregående",
    # Nynorsk forms
    "skule", "barneskule", "ungdomsskule", "vidaregåande skule", "sjukeheim", "sjukehus", "helsesenter",
    "barnehage", "sykehjem", "omsorgssenter", "helsesenter", "legesenter", "legekontor", "sykehus",
    "hospital", "menighet", "moské", "kirke", "idrettslag", "IL", "AS", "ASA", "SA", "BA", "ANS", "DA",
    "Eiendom", "Renhold", "Bygg", "Sveis", "Mek", "Transport", "Taxi", "Storkjøkken", "Bakeri", "Regnskap",
    "Rør", "Elektro", "Maling", "Service", "Vask", "Catering", "Kiosk", "Frisør", "Bilverksted",
    # a bank named after its place ("Seljord Sparebank"), and the Nynorsk forms of the trade words
    "Sparebank", "Sparebanken", "Eigedom", "Reinhald", "Røyr",
    *_CAPITAL_ONLY_TRADES)
# The institution words that also end compounds naming one ("skolesenter", "kulturskole", "omsorgssenter",
# "fylkeskommune"): a compound ending in one is an institution word too.
INSTITUTION_HEADS = ("skole", "skule", "senter", "barnehage", "sykehjem", "sjukeheim", "sykehus", "sjukehus",
                     *ORGANISATION_KINDS, "klubb", "kirke", "kyrkje", "kommune",
                     "opplæring", "opplæringa",  # a named adult-education centre: "X voksenopplæring"
                     "mottak", "rådhus", "sparebank")  # "Seljord mottak", "Notodden rådhus", "Nordmøre sparebank"
_INST_ALT = (rf"[a-zæøå]*(?:{'|'.join(INSTITUTION_HEADS)})|"
             + "|".join(re.escape(w) for w in sorted(INSTITUTION_WORDS, key=len, reverse=True)))
# Before the kind of an association a lower-case adjective of denomination or origin may stand
# between its name and its kind ("Sankt Hallvard katolske kyrkjelyd", "Debre Selam eritreisk
# kyrkjelyd", "Al-Noor somaliske forening"): an adjective in -isk/-sk, in any of its forms.
_KIND_ADJECTIVE = rf"[{LOWER}]{{2,}}(?:isk|iske|sk|ske)\s+(?=[{LOWER}]*(?:{'|'.join(ORGANISATION_KINDS)})(?![\wæøå]))"
_INSTITUTION = re.compile(
    rf"(?<![\w-])((?:{WORD}(?:\s+(?:og|i|på|&)\s+|\s+)){{1,3}})((?:{_KIND_ADJECTIVE})?(?:{_INST_ALT}))(?![\wæøå])")
# A name made of a kept term and the institution or firm word after it: the head word opens the
# rest of the name. The nouns match in any case (captions capitalise at random: "Seljord Rådhus"),
# the trade words and letters as a firm writes them ("Tinn Eigedom", "Seljord IL"; "bygg" in lower
# case is the noun). Not the words that name a kept place's own administration: "Seljord kommune" is
# the municipality the study keeps.
_KEPT_NAME_HEAD = re.compile(
    rf"(?:(?i:[a-zæøå]*(?:{'|'.join(INSTITUTION_HEADS)})|"
    + "|".join(re.escape(w) for w in sorted((w for w in INSTITUTION_WORDS if w.islower()), key=len, reverse=True))
    + ")|" + "|".join(re.escape(w) for w in sorted((w for w in INSTITUTION_WORDS if not w.islower()), key=len,
                                                   reverse=True))
    + r")(?![\wæøå])")
# Two trade words joined by "og", each capitalised as a name's words are ("Hvaler Fisk og Sjømat",
# "Kviteseid Bygg og Anlegg"): what a local firm is called after its place, whichever trade it names.
# Dictionary words only: a first name there ("Brattvik Per og Kari") is two people, not a firm.
_TRADE_PAIR = re.compile(rf"({CAP}{LOW}+)[^\S\n]+(?:og|&)[^\S\n]+({CAP}{LOW}+)(?![\wæøå'’-])")
_OWN_ADMINISTRATION = re.compile(r"[a-zæøå]*kommunen?s?", re.IGNORECASE)


def _association_kind(suffix: str) -> bool:
    """The institution word ``suffix`` (with any adjective before it) is a kind of association."""
    return suffix.split()[-1].lower().endswith(ORGANISATION_KINDS)


def names_more_than_kept(term: str, rest: str) -> bool:
    """A keep term protects the word it is, not a longer name made of it: a kept term that is no
    acronym, followed by an institution or firm word ("Notodden sjukeheim", "Seljord barneskule",
    "Kviteseid omsorgssenter", "Seljord mottak", "Notodden Sparebank", "Tinn Eigedom", "Seljord IL",
    "Kviteseid Bygg og Anlegg"), by two trade words joined by "og" ("Hvaler Fisk og Sjømat",
    ``_TRADE_PAIR``), or by a region of the country ("Coop Nord", "SpareBank 1 Nord-Norge",
    ``slots.region_follows``), is part of that institution's or firm's name, which is the identifier.
    ``rest``: what stands after the term. An acronym is an organisation, and the word after it says
    which of its parts ("NAV Heimdal"); a kept place's own administration ("Seljord kommune") is the
    kept place. The one rule by which the institution recognizer and the merge
    (``analyzer.apply_keep``) treat a keep term at the start of a longer name."""
    if term.isupper() or not any(c.isalpha() for c in term):
        return False
    head = _KEPT_NAME_HEAD.match(rest.lstrip())
    if head is not None:
        return not _OWN_ADMINISTRATION.fullmatch(head.group())
    from .slots import region_follows  # here: slots reads cues, which read this module

    if region_follows(rest):
        return True  # "Coop Nord", "SpareBank 1 Nord-Norge": a chain's or bank's regional company
    pair = _TRADE_PAIR.match(rest.lstrip())
    return pair is not None and all(in_dictionary(w.lower()) and not load_gazetteer().is_first(w)
                                    for w in (pair.group(1), pair.group(2)))


_ACADEMY = re.compile(rf"(?<![\w])(?:Høgskolen|Høgskulen|Universitetet|Politihøgskolen|Folkehøgskolen|Folkehøgskulen"
                      rf"|Frivilligsentralen|Helsestasjonen|Legekontoret|Bydelskontoret|Kulturhuset)"
                      rf"\s+(?:i|på)\s+{CAP}{LOW}+(?:[ -]{CAP}{LOW}+)?")
_SAINT = re.compile(rf"(?<![\w])St\.\s*{CAP}{LOW}+(?:s)?(?:\s+(?:hospital|sykehus|kirke))?")
_GENERIC_HEADS = {"den", "det", "de", "en", "et", "jeg", "vi", "han", "hun", "og", "på", "i", "min", "mitt",
                  "vår", "ny", "nye", "gamle", "hele"}

# An association's place after its kind, as local branches and societies are named: "Kurdisk forening
# Sarpsborg", "Somalisk kvinneforening i Grenland", "Pensjonistforeningen i Fauske", "leieboerforeningen
# Tune og omegn". The place is one or two capitalised words (or a hyphenated one) on the same line,
# right after the kind or after "i"/"på"; the name is the whole, and its place is what identifies it.
_PLACE_AFTER_KIND = re.compile(
    rf"(?P<gap>[^\S\n]+(?:i|på)[^\S\n]+|[^\S\n]+)(?P<place>{CAP}{LOW}+(?:-{CAP}{LOW}+)?)"
    rf"(?:[^\S\n]+(?P<second>{CAP}{LOW}+))?(?P<omegn>[^\S\n]+og[^\S\n]+omegn)?(?![\wæøå'’-])")
# A kind of association in a compound that names its members or purpose, in any form of the noun
# ("Pensjonistforeningen", "leieboerforeningen", "Innvandrarforeininga"): named by its place alone.
_COMPOUND_KIND = re.compile(
    rf"(?<![\w'’-])(?P<kind>[{UPPER}{LOWER}][{LOWER}]{{2,}}?(?:{'|'.join(sorted(ORGANISATION_KINDS, key=len, reverse=True))})"
    rf"(?:en|et|a|t|n)?)(?![\wæøå'’-])")
_KIND_ENDINGS = ("en", "et", "a", "t", "n")
# An adjective of origin or denomination, capitalised as it opens a name ("Kurdisk", "Norsk-somalisk",
# "Litauiske"): in -isk/-sk, in any of its forms.
_ORIGIN_ADJECTIVE = re.compile(rf"{CAP}[{LOWER}-]+(?:isk|iske|sk|ske)")


# Written without capitals (machine transcription, unreliable captions): a club's letters
# ("jonsgrende il", "sølvbyen HK"), a school, kindergarten or club head ("trollsletta barnehage",
# "gisund svømmeklubb"), a trade word ("elvebyen eiendom"). Before a trade or institution word the
# name word must be one no word list explains; before a club's letters any word but a function word.
# The letters of a sports club's kind, as clubs write them after the name: idrettslag (IL),
# idrettsforening (IF), sports- or skiklubb (SK), håndball- (HK), fotball- (FK), ball- (BK) and
# idrettsklubb (IK), turn- og idrettsforening (TIF). Not TIL (turn- og idrettslag): in lower case
# it is the preposition.
_CLUB_LETTERS = r"(?:il|if|sk|hk|fk|bk|ik|tif|ballklubb)"
_PLACE_HEADS = (rf"[{LOWER}]*(?:skole|skule|barnehage|barnehagen|klubb|klubben|idrettslag|vidaregåande|videregående"
                r"|ungdomsskole|ungdomsskule)")
_TRADE = "|".join(sorted({w.lower() for w in INSTITUTION_WORDS if w[:1].isupper() and len(w) > 3
                          and w not in _CAPITAL_ONLY_TRADES}, key=len, reverse=True))
_ORG_KIND_HEADS = rf"[{LOWER}]*(?:{'|'.join(sorted(ORGANISATION_KINDS, key=len, reverse=True))})"
_INSTITUTION_HEAD = rf"(?i:{_CLUB_LETTERS})|{_PLACE_HEADS}|{_ORG_KIND_HEADS}|{_TRADE}"
_LOWER_INSTITUTION = re.compile(
    rf"(?<![\w'’-])(?P<name>{LOW}[\w'’-]+(?:\s+{LOW}[\w'’-]+)?|{CAP}{LOW}+)\s+"
    rf"(?P<head>{_INSTITUTION_HEAD})(?![\wæøå])")
# The end of every _LOWER_INSTITUTION match (a space, then its head word): searched first, as it is
# found in a fraction of the time the whole expression takes to try every word of a turn.
_LOWER_INSTITUTION_END = re.compile(rf"\s(?:{_INSTITUTION_HEAD})(?![\wæøå])")
_CLUB_PREPOSITIONS = frozenset({"i", "på", "for", "mot", "med", "fra", "frå", "til"})


class InstitutionRecognizer(Recognizer):
    """Named schools, borettslag, nursing homes, firms: "Huseby barneskole", "Nidarbygg AS".

    A name word + an institution word; the name words must be capitalised and
    not an ordinary word first in a sentence ("Skolen ..." is no name). Written in lower case
    (``_LOWER_INSTITUTION``) the name word must be one no word list explains.
    """

    name = "institution"
    version = "6"
    supported_entities = (ORG,)

    def __init__(self, gazetteer: Gazetteer | None = None, keep_terms: set[str] = frozenset()):
        self.gazetteer = gazetteer or load_gazetteer()
        self.keep = KeepTerms(sorted(keep_terms), self.gazetteer)

    def params(self):
        return {"keep_terms": list(self.keep.terms)}

    def analyze(self, text, doc=None):
        found = []
        for m in _INSTITUTION.finditer(text):
            head_words = m.group(1).split()
            start = m.start()
            # Drop leading ordinary words that start a sentence ("Ja Huseby skole" -> "Huseby skole").
            while head_words and (head_words[0].lower() in _GENERIC_HEADS or (
                    sentence_initial(text, start) and self.gazetteer.is_common_word(head_words[0])
                    and not self.gazetteer.is_place(head_words[0]))):
                start = text.index(head_words[1], start + len(head_words[0])) if len(head_words) > 1 else m.start(2)
                head_words = head_words[1:]
            if not head_words or (self.keep.holds(" ".join(head_words))
                                  and not names_more_than_kept(" ".join(head_words), m.group(2))):
                continue
            suffix = m.group(2)
            if suffix.isupper() and len(suffix) <= 3 and len(head_words) == 1 and self.gazetteer.is_common_word(head_words[0]):
                continue
            end = m.end()
            if _association_kind(suffix) and all(_ORIGIN_ADJECTIVE.fullmatch(w) for w in head_words):
                # "Kurdisk forening" describes; with its place it is the name. A name word before
                # the kind names it alone ("Bekkefaret borettslag på Tasta": a place beside it).
                end = self._place_after(text, end) or end
            found.append(self._d(text, start, end, ORG, 0.9))
        found += self._named_by_place(text, found)
        found += self._lower_case(text)
        for m in _ACADEMY.finditer(text):
            found.append(self._d(text, m.start(), m.end(), ORG, 0.9))
        for m in _SAINT.finditer(text):
            found.append(self._d(text, m.start(), m.end(), ORG, 0.9))
        return found

    def _place_after(self, text: str, end: int) -> int | None:
        """The end of an association's place right after its kind at ``end`` ("forening Sarpsborg",
        "kvinneforening i Grenland", "foreningen Tune og omegn"), or None. A capitalised word on the
        same line after the kind or its preposition is a name in Norwegian spelling; not a function
        word, a service or brand the study keeps by default ("på Facebook"), an English word ("på
        Teams") or a first name that is no place ("forening Ali sa")."""
        from .unexplained import explanation  # here: unexplained reads cues, which read this module

        m = _PLACE_AFTER_KIND.match(text, end)
        if m is None:
            return None
        g = self.gazetteer

        def place_word(w: str) -> bool:
            low = w.lower()
            return not (low in _STOP or low in g.builtin_keep or explanation(low, g) == "english"
                        or (g.is_first(w) and not g.is_place(w)))

        if not all(place_word(w) for w in m.group("place").split("-")):
            return None
        if m.group("second") and not place_word(m.group("second")):
            return m.end("place")  # "forening i Sarpsborg Vi ...": the next sentence of a caption
        return m.end()  # a place of two words ("i Nordre Land"), "og omegn" after it

    def _named_by_place(self, text: str, found: list[Detection]) -> list[Detection]:
        """An association named by a compound kind and its place, no name word before it
        ("Pensjonistforeningen i Fauske", "leieboerforeningen Tune og omegn"). The kind alone
        ("foreningen i Sarpsborg", "velforeningen på Tune") is the common noun; after "i"/"på" the
        kind is written with its capital, as a name is."""
        more = []
        for m in _COMPOUND_KIND.finditer(text):
            kind = m.group("kind")
            low = kind.lower()
            stems = {low} | {low[:-len(e)] for e in _KIND_ENDINGS if low.endswith(e)}
            if stems & set(ORGANISATION_KINDS) or any(d.start <= m.start() < d.end for d in found):
                continue
            end = self._place_after(text, m.end())
            if end is None:
                continue
            if text[m.end():end].split()[0] in ("i", "på") and not kind[:1].isupper():
                continue  # "i pensjonistforeningen i Fauske": the society in a place, described
            more.append(self._d(text, m.start(), end, ORG, 0.9))
        return more

    def _lower_case(self, text: str) -> list[Detection]:
        found = []
        g = self.gazetteer
        for m in (_LOWER_INSTITUTION.finditer(text) if _LOWER_INSTITUTION_END.search(text) else ()):
            head = m.group("head")
            words = m.group("name").split()
            club = re.fullmatch(_CLUB_LETTERS, head, re.IGNORECASE) is not None
            if head == "if":
                continue  # in lower case the English conjunction ("what if"); a club writes IF
            # Keep the name words from the head back while each is a name: no word list explains it,
            # or it stands before a club's letters after a preposition ("trening i isbjørn il").
            from .unexplained import explanation  # here: unexplained reads cues, which read this module

            before = text[max(0, m.start() - 12):m.start()].split()
            after_preposition = bool(before) and before[-1].lower() in _CLUB_PREPOSITIONS
            keep = []
            for w in reversed(words):
                low = w.lower()
                if low in _STOP or _NUMBER_WORD_RE.fullmatch(low) or self.keep.holds(w):
                    break
                if explanation(low, g) is not None and not g.is_place(low) and not (
                        club and after_preposition and len(keep) == 0):
                    break
                keep.insert(0, w)
            if not keep:
                continue
            start = m.start("name") + m.group("name").rindex(keep[0]) if len(keep) < len(words) else m.start("name")
            kind = STED if club or re.fullmatch(_PLACE_HEADS, head.lower()) else ORG
            found.append(self._d(text, start, m.end(), kind, 0.7))  # replaced, and listed for review
        return found


# ------------------------------------------------------------------ model based

# Kin and role nouns (Bokmål and Nynorsk) and naming verbs right before a name; the one list of the
# nouns that name a person by kin or role (the naming clauses' person subjects read it too, with
# ``CHILD_WORDS``).
KIN_AND_ROLE_WORDS = frozenset({
    "kona", "kone", "mannen", "sønnen", "sonen", "datteren", "dattera", "dottera", "naboen", "broren", "bror",
    "søsteren", "søstera", "syster", "søster", "svigermor", "svigerfar", "svigersønnen", "barnebarnet", "venninnen",
    "venninna", "kameraten", "kollegaen", "kollega", "kollegaen", "saksbehandleren", "saksbehandlar", "mora",
    "moren", "mor", "faren", "far", "bestemor", "bestefar", "mormor", "morfar", "farmor", "farfar", "onkel", "tante",
    "samboeren", "sambuaren", "kjæresten", "eksmannen", "ekskona", "tolk", "tolken", "legen", "læreren",
    "rådgiveren", "rådgjevaren", "sjefen", "leder", "lederen", "leiar", "leiaren", "styrelederen", "styreleiaren",
    "prosjektleder", "prosjektleiar", "fru", "herr",
    # the people a housing interview names by their role (owners, tradesmen, caseworkers), and kin in
    # their Nynorsk and dialect forms; also the person subjects of a naming verb (``naming``)
    "dotter", "nabo", "nabokona", "svogeren", "saksbehandlaren", "fastlegen", "eieren", "eigaren", "utleieren",
    "utleigaren", "megleren", "meglaren", "læraren", "lærerinnen", "treneren", "rektoren", "presten",
    "vaktmesteren", "vaktmeisteren", "snekkeren", "elektrikeren", "rørleggeren", "takstmannen",
    "kontaktpersonen", "veilederen", "rettleiaren", "konsulenten", "vennen", "tanta", "onkelen", "kjerringa",
    "gubben"})
_NAMING_VERBS = frozenset({"heter", "het", "heiter", "heitte", "kalt", "kaller"})
# A personal pronoun before a first name is the name's article in speech ("han per", "ho kari"), in
# the dialect forms too ("hu kari hu var flink", "hon liv"), and the neutral "hen" ("hen kim kom").
_NAME_CUES_BEFORE = KIN_AND_ROLE_WORDS | {"han", "hun", "ho", "hu", "hon", "hen"} | _NAMING_VERBS
# One's child by the word for a girl or a boy, in its compounds too ("lillejenta", "veslegutten").
CHILD_WORDS = frozenset({"jenta", "jenten", "jentå", "jentungen", "gutten", "guten", "gutungen"})
_KIN_WORDS = KIN_AND_ROLE_WORDS | CHILD_WORDS
_KIN_TAILS = tuple(sorted(w for w in _KIN_WORDS if len(w) >= 5))
_POSSESSIVES = frozenset({"min", "mi", "mitt", "din", "di", "ditt", "vår", "vårt", "hans", "hennes", "sin", "si",
                          "deres", "dykkar"})


def _kin_word(word: str) -> bool:
    """A kin or role noun, or a compound ending in one of five letters or more ("lillejenta")."""
    low = word.lower()
    return low in _KIN_WORDS or (len(low) > 5 and low.endswith(_KIN_TAILS))


def _kin_slot(texts: list[str], i: int) -> bool:
    """Token ``i`` stands where a kin noun names someone: right after one, maybe with its possessive
    ("lillejenta hedda", "jenta mi liv"), or before one and its possessive, the apposition
    ("Sol, datteren min, sier"). Only a listed first name is asked: the slot says that the word
    that is also the sun or life is the name here."""
    if i >= 1 and _kin_word(texts[i - 1]):
        return True
    if i >= 2 and texts[i - 1].lower() in _POSSESSIVES and _kin_word(texts[i - 2]):
        return True
    j = i + 2 if i + 1 < len(texts) and texts[i + 1] == "," else i + 1
    return j + 1 < len(texts) and _kin_word(texts[j]) and texts[j + 1].lower() in _POSSESSIVES


def lower_case_words(words: list[str]) -> bool:
    """Every word lower-case and a Norwegian word form (lexicon, a compound of two, or a dialect
    form): nothing in the span itself says it is a name."""
    return all(w[:1].islower() and (is_word(w) or dialect_word(w)) for w in words if any(c.isalpha() for c in w))


class NerRecognizer(Recognizer):
    """Entities from the study's spaCy pipeline (labels from the settings).

    The model's scores are not exposed, so each label has a base score, raised
    when a gazetteer agrees and lowered when the entity is a lone ordinary
    word (capitalised only because it starts a sentence: "Bad", "Mappe").
    The gazetteer also corrects the type ("Farzana" tagged GPE_LOC is a person).
    """

    name = "ner"
    version = "2"
    supported_entities = (PERSON, ORG, STED)
    needs_doc = True

    def __init__(self, labels: list[str], gazetteer: Gazetteer | None = None):
        self.labels = set(labels)
        self.gazetteer = gazetteer or load_gazetteer()

    def params(self):
        return {"labels": sorted(self.labels)}

    def analyze(self, text, doc=None):
        if doc is None:
            return []
        found = []
        g = self.gazetteer
        for ent in doc.ents:
            if ent.label_ not in self.labels or ent.label_ not in NER_TYPES:
                continue
            tokens = [t for t in ent if not t.is_punct and not t.is_space]
            kind = NER_TYPES[ent.label_]
            if kind == PERSON and any(t.text[:1].isupper() for t in tokens):
                # "Jamal sa": names are capitalised, so lower-case words at the edges are not part of one.
                while tokens and not tokens[0].text[:1].isupper():
                    tokens = tokens[1:]
                while tokens and not tokens[-1].text[:1].isupper():
                    tokens = tokens[:-1]
            if not tokens or not any(c.isalpha() for c in ent.text):
                continue
            if kind == PERSON and any(c.isdigit() for t in tokens for c in t.text):
                continue  # "TG2", "00:11:30": no name has digits
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            words = [t.text for t in tokens]
            bare = [w[:-1] if w.endswith("s") and not g.is_name(w) and g.is_name(w[:-1]) else w for w in words]
            name_hit = any(g.is_first(w) for w in bare) or (len(bare) > 1 and g.is_last(bare[-1]))
            place_hit = g.is_place(" ".join(bare))
            if name_hit and not place_hit and kind != PERSON:
                kind = PERSON
            elif place_hit and not name_hit:
                kind = STED
            score = {PERSON: 0.85, ORG: 0.75, STED: 0.75}[kind]
            if name_hit or place_hit:
                score += 0.1
            if not words[0][:1].isupper():
                score -= 0.2
            if not (name_hit or place_hit) and lower_case_words(words):
                # "eg hugsar", "den same leilegheita", "fellesgjeld, takst": a model trained on
                # lower-cased text (nb_norne_sm 1.1) tags ordinary words as names; in lower
                # case and in the dictionary with no name list behind it, that is review only.
                score = 0.3
            if len(tokens) == 1 and (name_hit or place_hit) and g.is_common_word(tokens[0].text) \
                    and sentence_initial(text, tokens[0].idx):
                score = 0.45  # "Per i dag", "Stein på stein": review only
            if len(tokens) == 1 and not (name_hit or place_hit):
                t = tokens[0]
                ordinary = g.is_common_word(t.text) or t.pos_ not in ("PROPN", "X") or (
                    # "... vi hadde fått god verdiøkning Takst var jo lav": in an unpunctuated turn
                    # a dictionary noun may open the sentence; the lexicon, not the model, decides.
                    not sentence_initial(text, t.idx) and caption_start(text, t.idx) and is_ordinary(t.text))
                # A lone unknown word that opens a sentence ("Mappe", "Jobba", "Papir") is
                # capitalised for that reason alone; the model tags many such as names. If it
                # is a name, the key catches its other, mid-sentence occurrences.
                if ordinary:
                    score = 0.3  # review only
                elif sentence_initial(text, t.idx):
                    # Decided per study (stage.py): a name if never written lower-case anywhere.
                    found.append(Detection(start, end, kind, 0.45, "ner_initial", text[start:end]))
                    continue
            found.append(self._d(text, start, end, kind, min(score, 0.95)))
        return found


class GazetteerRecognizer(Recognizer):
    """First names (with following surnames) and places the model missed.

    Rules (docs/anonymisation.md): a capitalised name counts unless it is an
    ordinary word first in a sentence; a lower-case name counts when it is no
    ordinary word and has 4+ letters, or when a cue ("han", "kona", "heter")
    stands before it, or it stands in a kin slot (``_kin_slot``: "jenta mi liv", "Sol, datteren
    min"); an ordinary-word name in lower case never counts alone.
    """

    name = "gazetteer"
    version = "5"
    supported_entities = (PERSON, STED)
    needs_doc = True

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.g = gazetteer or load_gazetteer()
        # First words of the places: a token that is none of them starts no place name, so the
        # 1-3 word look-ups are skipped for it (the same answer, without joining strings).
        self.place_starts = frozenset(p.split(" ")[0] for p in self.g.places)

    def _name_word(self, word: str) -> tuple[str, bool] | None:
        """(bare name, possessive) when ``word`` is a gazetteer first name, maybe with -s."""
        if self.g.is_first(word):
            return word, False
        if word.endswith("s") and len(word) > 3 and self.g.is_first(word[:-1]):
            return word[:-1], True
        return None

    def analyze(self, text, doc=None):
        if doc is None:
            return []
        found = []
        g = self.g
        # The tokens that are no space as columns (``Token.text``, ``idx``, ``pos_`` give the same
        # values), without a spaCy ``Token`` object per token.
        strings = doc.vocab.strings
        rows = [(orth, idx, pos) for orth, idx, pos, space in doc.to_array([ORTH, IDX, POS, IS_SPACE]).tolist()
                if not space]
        texts = [strings[orth] for orth, _idx, _pos in rows]
        idxs = [idx for _orth, idx, _pos in rows]
        pos_of = [_POS_NAMES[pos] for _orth, _idx, pos in rows]
        names = word_memo(self, self.g)  # ``_name_word`` by word
        i = 0
        n_toks = len(rows)
        while i < n_toks:
            t_idx = idxs[i]
            word = texts[i]
            hit = names.get(word, False)
            if hit is False:
                hit = names[word] = self._name_word(word)
            if hit:
                name, possessive = hit
                cap = texts[i][:1].isupper()
                initial = sentence_initial(text, t_idx)
                prev = texts[i - 1].lower() if i > 0 else ""
                kin = _kin_slot(texts, i)
                cue = prev in _NAME_CUES_BEFORE or kin
                common = g.is_common_word(name)
                # In an unpunctuated turn a capitalised dictionary word may open a sentence ("...
                # kom mange folk Finn koden var ..."): there the name list alone does not win.
                caption = cap and not initial and not cue and is_ordinary(name) and caption_start(text, t_idx)
                nxt = texts[i + 1] if i + 1 < n_toks else None
                followed = nxt is not None and nxt[:1].isupper() and g.is_name(nxt.rstrip("s"))
                score = 0.0
                if cap:
                    if caption and not followed and not possessive and not _pronoun_follows(texts, i, 2):
                        # A sentence may open there, but "... så ringte Bjørn meg ..." may name a
                        # person too: replaced and listed for review, since a leak cannot be undone.
                        score = 0.7
                    elif not common:
                        score = 0.85 if not initial or pos_of[i] == "PROPN" or followed else 0.7
                    elif not initial and (pos_of[i] == "PROPN" or followed or cue or possessive
                                          or _pronoun_follows(texts, i, 2)):
                        # "altså Vår, ho jobbe", "Vårs bursdag": an ordinary word capitalised mid-sentence
                        # and taken up by a pronoun, or in the genitive, is a name.
                        score = 0.75
                    elif kin:
                        score = 0.75  # "Sol, datteren min, sier": the apposition names her
                    elif followed:
                        score = 0.6
                    elif initial and pos_of[i] == "PROPN":
                        score = 0.45  # "Per dag ...": review only
                else:
                    # Not a possessive or other function word after the cue ("naboen vår", "kona hans"),
                    # unless a naming verb puts it before another name ("æ heter vår johansen").
                    named = prev in _NAMING_VERBS and nxt is not None \
                        and nxt.lower() not in _STOP and g.is_name(nxt.rstrip("s"))
                    if cue and (not common or len(name) >= 3) and (name.lower() not in _STOP or named):
                        score = 0.8
                    elif not common and len(name) >= 4 and not is_ordinary(name):
                        score = 0.7
                    elif not common and len(name) >= 3 and _pronoun_follows(texts, i, 6):
                        # A lower-case name that is also a dictionary word ("ruta", "anna") is never a
                        # name on the list's word alone: with a pronoun after it, it is a candidate
                        # in a transcript written in lower case (the stage decides; review only here).
                        # "aga leste det, hun er ...": a short lower-case name likewise.
                        # "aga leste det, hun er ...": a short lower-case name is only a name in a
                        # transcript written in lower case; the stage decides (review only here).
                        found.append(Detection(t_idx, t_idx + len(texts[i]), PERSON, 0.45, "gazetteer_lower",
                                               texts[i]))
                if score:
                    j = i + 1
                    # Extend over further first names and a surname: "Ole Petter Vik", "ole petter".
                    while j < n_toks and idxs[j] == idxs[j - 1] + len(texts[j - 1]) + 1:
                        w = texts[j]
                        same_case = w[:1].isupper() == cap
                        bare = w[:-1] if w.endswith("s") and not g.is_name(w) else w
                        if same_case and (g.is_name(bare) or (cap and pos_of[j] == "PROPN"
                                                              and not g.is_common_word(bare))):
                            j += 1
                        else:
                            break
                    end = idxs[j - 1] + len(texts[j - 1])
                    start = t_idx
                    # Family name first ("Nguyen Thi Lan", "Kovács Anna"): a capitalised surname right
                    # before the first name, that is no common word, is part of the name.
                    if cap and i > 0 and idxs[i - 1] + len(texts[i - 1]) + 1 == t_idx \
                            and texts[i - 1][:1].isupper() and g.is_last(texts[i - 1]) \
                            and not g.is_common_word(texts[i - 1]) and not found_before(found, idxs[i - 1]):
                        start = idxs[i - 1]
                    found.append(self._d(text, start, end, PERSON, score))
                    i = j
                    continue
            # Places: capitalised, up to three words ("Nedre Elvehavn", "Mo i Rana").
            if texts[i][:1].isupper() and texts[i].lower() in self.place_starts:
                for n in range(min(3, n_toks - i), 0, -1):
                    words = " ".join(texts[i:i + n])
                    if g.is_place(words):
                        initial = sentence_initial(text, t_idx)
                        common = n == 1 and g.is_common_word(words)
                        if common and (initial and pos_of[i] != "PROPN"):
                            break
                        score = 0.8 if not common else 0.7
                        end = idxs[i + n - 1] + len(texts[i + n - 1])
                        found.append(self._d(text, t_idx, end, STED, score))
                        i += n - 1
                        break
            i += 1
        return found


def found_before(found: list[Detection], start: int) -> bool:
    """A detection already covers ``start``."""
    return any(d.start <= start < d.end for d in found)


_PRONOUNS = frozenset({"han", "hun", "ho", "hon"})
_CLAUSE_END = frozenset({".", "!", "?", "…", ":", ";"})


def _pronoun_follows(texts: list[str], i: int, window: int) -> bool:
    """A personal pronoun among the next ``window`` words of the sentence after token ``i``."""
    words = 0
    for w in texts[i + 1:]:
        if w in _CLAUSE_END:
            return False
        if w.lower() in _PRONOUNS:
            return True
        if w[:1].isalnum():
            words += 1
            if words >= window:
                return False
    return False


_RELATION = (r"naboen|nabo|kona|kone|mannen|sønnen|sonen|datteren|dattera|dotter|dottera|broren|bror|søsteren|"
             r"søstera|syster|svigermor|svigerfar|svigersønnen|barnebarnet|venninnen|venninna|venen|kameraten|"
             r"kollegaen|saksbehandleren|legen|rådgiveren|sjefen|heter|heiter|het|heitte|kalt|kaller|fru|herr|"
             r"mora|moren|faren|tolken|tolk|styrelederen|styreleiaren|prosjektleder|prosjektleiar|kollega|"
             r"samboeren|sambuaren|kjæresten")
_CONTEXT_NAME = re.compile(
    rf"(?<![\w])(?:{_RELATION})(?:\s+(?:min|mi|mitt|vår|vårt|sin|si|hennes|hans))?\s*,?\s+"
    rf"(?P<name>{CAP}{LOW}+(?:-{CAP}{LOW}+)?(?:\s+{CAP}{LOW}+){{0,2}}|{LOW}{{3,}}(?=\s*,))", re.IGNORECASE)
_RELATION_WORDS = literals(_RELATION)  # one of them in every _CONTEXT_NAME match


# A title takes a surname, in any case and whatever else the word means: "fru eng", "herr Lie".
_TITLE_NAME = re.compile(r"(?<![\w'’-])(?i:fru|herr|frøken|frk\.)\s+(?P<name>[^\W\d_][\w'’-]*)")
_TITLE_WORDS = ("fru", "herr", "frøken", "frk")  # one of them in every _TITLE_NAME match


class ContextNameRecognizer(Recognizer):
    """A word right after a relation ("naboen Tsegereda", "sønnen min, minh,") or "heter X".

    Catches names no gazetteer knows and the model missed. The word must not be
    an ordinary word; a lower-case one only as an apposition between commas. After a title
    ("fru", "herr", "frøken") any word but a function or number word is the surname: "fru eng".
    """

    name = "context"
    version = "3"
    supported_entities = (PERSON,)

    def __init__(self, gazetteer: Gazetteer | None = None, keep_terms: set[str] = frozenset()):
        self.g = gazetteer or load_gazetteer()
        self.keep = KeepTerms(sorted(keep_terms), self.g)

    def params(self):
        return {"keep_terms": list(self.keep.terms)}

    def analyze(self, text, doc=None):
        found = []
        for m in (_CONTEXT_NAME.finditer(text) if may_hold(text, _RELATION_WORDS) else ()):
            name = m.group("name")
            first = name.split()[0]
            if self.keep.holds(name) or self.g.is_common_word(first) or first.lower() in self.g.builtin_keep:
                continue
            if first[:1].islower() and is_word(first):
                continue  # "kona naboen", "mannen min heiter ...": a lower-case Norwegian word is no name
            if self.g.is_place(first):
                continue
            capitalised = first[:1].isupper()
            score = 0.75 if capitalised else 0.7
            # Keep only the capitalised run: "Tsegereda fra Eritrea" -> "Tsegereda".
            words = name.split()
            keep_words = [words[0]] + [w for w in words[1:] if w[:1].isupper() and not self.g.is_common_word(w)]
            end = m.start("name") + len(" ".join(keep_words[:len(keep_words)]))
            if " ".join(keep_words) != name[: end - m.start("name")]:
                end = m.start("name") + len(words[0])
            found.append(self._d(text, m.start("name"), end, PERSON, score))
        for m in (_TITLE_NAME.finditer(text) if may_hold(text, _TITLE_WORDS) else ()):
            name = m.group("name")
            low = name.lower()
            if low in _STOP or self.keep.holds(name) or low in self.g.builtin_keep or _NUMBER_WORD_RE.fullmatch(low):
                continue
            found.append(self._d(text, m.start("name"), m.end("name"), PERSON, 0.75 if name[:1].isupper() else 0.7))
        return found
