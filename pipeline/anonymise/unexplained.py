"""Mask by default what the anonymiser cannot explain; the review sheet gives ordinary words back.

The recognizers before this one list forms (a name list, a legal form, a cue word, a slot), and
each new writer of a transcript brings forms nobody listed: rules built from one set's misses
closed that set and barely moved the next. These recognizers turn the question round. A token is
*explained* when the tool knows it as something other than a name — a Norwegian word form
(Bokmål or Nynorsk, any inflection: ``lexicon``), a dialect form (``dialect``), a number word or
filler, a compound of word-list words, an English word, a slip of one letter from a frequent
word — or when the study itself uses it as an ordinary word (the codebook, keep terms, a
transcript with capitals writing it in lower case, several transcripts using it: the stage,
``Anonymiser._study_evidence``). What is left is masked where it stands, under its reason, below
``review_below``: every such replacement is on the review sheet, where a researcher releases the
ordinary words. Over-masking is recoverable by review; a leak is not.

* ``unexplained`` (transcripts without reliable capitals: ``casing.lower_case_transcript``): every
  unexplained word, in any slot; adjacent ones are one span. Its hits are ``CASELESS`` (``_lower``),
  so the stage keeps them only in a transcript written in lower case, where case says nothing. A
  compound of word-list words is no explanation here (``CASELESS_EXPLANATIONS``): surnames and place
  names are built so, and the review sheet gives the ordinary compounds back.
* ``unexplained_capital`` (transcripts with capitals): a capitalised word that is not a sentence
  start, an acronym, nor a word the study writes in lower case, with the capitalised words after
  it (organisations without a legal form, places below town level: "Coop Marked", "Isbjørn IL");
  at a sentence start, or anywhere in an unpunctuated turn (``matcher.caption_start``), only a
  word no explanation covers ("Ánde Bals i tolketjenesten": "Kona heter ..." stays).
* ``number_form``: numbers, dates and addresses by normalisation (``numbers.number_runs``): a
  reference's letters before a masked digit run ("HB 2024 0031177", "jnr. 22/1187-3", "j p tjuetre
  bindestrek ..."), a month word with a day or a year ("24 Mai 2022", "første september
  tjuetjueein", "juni tjuetjuetre"), a day and month as ordinals (Nynorsk too: "fjortande i
  tredje"), a street-like word with a house number, letter or flat ("skiferbruddgata nummer tolv",
  "lilleborgtunet fem, h null en null to", "lerke veien 7 C", "tårnvegen tretti fire be"), a flat
  number ("H0201"; "Ulvehiet 12, H0304"), land registry numbers ("gnr. 52 bnr. 7"), a postcode after
  its cue word or after an address; a date grown over its year in any grouping or words ("1. Oktober
  20 21", "mars tjuge atten"); an extension after its cue ("internt bare 4607"); and self-corrections
  ("ni to– nei, ni tre åtte ...", "tolv, nei, fjorten B"): one span with the value they correct.

Explanation classes can be switched off one by one (``explain=``), which is how their precision
cost was measured (docs/anonymisation.md, "Unexplained words").
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.nb.stop_words import STOP_WORDS

from .cues import CASELESS, person_context
from .detection import (ADRESSE, DATO, FNR, KONTO, LOWER, MIN_SCORE, NUMMER, ORG, PERSON, SAK, STED, TELEFON, UPPER,
                        Detection, Recognizer, literals, may_hold, word_memo)
from .dialect import dialect_word
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_ordinary, is_word
from .matcher import caption_start, sentence_initial
from .numbers import REPAIR_GAP, TENS, UNITS, WORD_PATTERN, NumberRun, classify, number_runs

SCORE = 0.7  # replaced and listed for review
_W = r"[^\W\d_][\w'’-]*"
WORD = re.compile(_W)  # a word as these recognizers read it (the stage reads hits with it too)
_NUMBER_WORD = re.compile(rf"(?:{WORD_PATTERN})+", re.IGNORECASE)
# Answers, fillers and hesitations that transcripts write in many spellings.
_FILLERS = re.compile(r"(?:e+h*m*|ø+h*m*|m+h*m+|h+m+|a+h+|o+h+|æ+h*|ehe|aha|oi|uff|jada|neida|joda|mm+|hæ|okei|ok|"
                      r"sorry|okay)", re.IGNORECASE)
_PLACE_PREPOSITIONS = frozenset({"på", "i", "fra", "frå", "ifra", "til", "ved", "utenfor", "utafor", "nær", "rundt",
                                 "mellom", "gjennom"})
_ORG_PREPOSITIONS = frozenset({"hos", "for", "med"})
# Definite landscape and settlement nouns that end Norwegian place names ("rogn-moen", "skarv-haugen"):
# an ordinary compound rarely ends so, a place name mostly does, so such a compound is not explained.
_PLACE_TAILS = ("moen", "haugen", "heia", "bakken", "åsen", "lia", "dalen", "vika", "vågen", "neset", "nesset",
                "strand", "stranda", "tunet", "jordet", "myra", "sletta", "holmen", "øya", "berget", "fjellet",
                "setra", "sætra", "marka", "elva", "gata", "veien", "vegen", "stien", "toppen", "kollen", "skogen",
                "grenda", "byen", "bygda", "sundet", "fjorden")
EXPLANATIONS = ("dictionary", "dialect", "compound", "english", "misspelling")
# What explains a word away in a transcript without capitals (``UnexplainedWordRecognizer``): every class but
# ``compound``. A compound of word-list words is how Norwegian surnames and farm and place names are built
# ("hopsland", "solberg"), so in a caseless transcript, where nothing else tells a name from a word, it is masked
# and listed for review; the researcher releases the ordinary compounds. Chosen by a rule declared before measuring
# (docs/anonymisation.md, "Seventeenth session: privM17"): 28 readable sets, both pipelines, +2 direct identifiers
# found, direct leaks 15 -> 13, +50 false positives, every set's precision >= 0.89 and kept terms unchanged.
CASELESS_EXPLANATIONS = tuple(c for c in EXPLANATIONS if c != "compound")
NAME_WORDS = True  # also mask a first name that is an ordinary word where no noun slot explains it
# Words after which a noun stands, not a name: articles, determiners, quantifiers, possessives,
# prepositions, adjectives of degree ("i dag", "et heilt anna liv", "mye sol", "fast berg").
_NOUN_SLOT = frozenset({
    "en", "ei", "et", "ett", "ein", "eit", "eitt", "den", "det", "dei", "de", "denne", "dette", "disse", "desse",
    "hver", "kvar", "kvart", "all", "alt", "alle", "mye", "mykje", "mange", "noe", "noko", "nokon", "noen", "litt",
    "ingen", "inga", "ingenting", "annen", "anna", "annet", "andre", "hele", "heile", "heilt", "helt", "nytt", "ny",
    "nye", "god", "godt", "gode", "stor", "store", "stort", "liten", "lita", "lite", "små", "fast", "fin", "fint",
    "min", "mi", "mitt", "mine", "din", "di", "ditt", "sin", "si", "sitt", "vår", "vårt", "hans", "hennes", "deres",
    "i", "på", "om", "av", "med", "til", "te", "for", "fra", "frå", "under", "etter", "over", "uten", "utan", "mot",
    "ved", "gjennom", "per", "hver", "neste", "forrige", "samme", "same", "siste", "første", "fyrste", "ja", "nei",
    "så", "sånn", "slik", "som", "enn", "mer", "meir", "mindre", "mest", "minst", "hvilken", "kva", "hva", "kor",
    "eller", "er", "e", "var", "va", "blir", "ble", "vart", "bare", "berre"})
_ALPHABET = "abcdefghijklmnopqrstuvwxyzæøåé"


@lru_cache(maxsize=1)
def _english() -> dict:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary("en")


def english_word(w: str) -> bool:
    """``w`` (any case) is an English word form of 3+ letters whose lemma is no proper noun."""
    w = w.lower()
    return len(w) >= 3 and w in _english() and _english()[w][:1].islower()


def _edits(w: str):
    for i in range(len(w) + 1):
        if i < len(w):
            yield w[:i] + w[i + 1:]
            for c in _ALPHABET:
                yield w[:i] + c + w[i + 1:]
        if i < len(w) - 1:
            yield w[:i] + w[i + 1] + w[i] + w[i + 2:]
        for c in _ALPHABET:
            yield w[:i] + c + w[i:]


@lru_cache(maxsize=65536)
def _compound(w: str) -> bool:
    """A word form or a compound of two or three (``lexicon.is_word`` knows two: "startlån-s-kontoret"
    has three). The tail is a listed form of 4+ letters, the head a word or compound itself."""
    if is_word(w):
        return True
    for cut in range(6, len(w) - 3):
        if in_dictionary(w[cut:]) and (is_word(w[:cut]) or (w[cut - 1] in "se" and is_word(w[:cut - 1]))):
            return True
    return False


def name_compound(word: str, g: Gazetteer) -> bool:
    """Two listed first names written as one ("tor" + "stein", "tor" + "geir"): Norwegian first
    names are built of name elements, and a list holds only the common combinations. The lexicon
    would explain such a word as a compound of ordinary words ("tor" + "stein"), so it counts as a
    known name instead, which only a form of a common word explains."""
    w = word.lower()
    return len(w) >= 6 and any(g.is_first(w[:cut]) and g.is_first(w[cut:]) for cut in range(3, len(w) - 2))


@lru_cache(maxsize=262144)
def explanation(word: str, g: Gazetteer, explain: tuple[str, ...] = EXPLANATIONS) -> str | None:
    """What explains ``word`` as no name (a class from ``EXPLANATIONS``, "plain" for stop words,
    number words, fillers and keep terms), or None. A gazetteer name or place is explained only as
    a form of a common word (``lexicon.is_ordinary``: "ruta", "sol"): the name list decides the rest."""
    w = word.lower().strip("'’-")
    if len(w) < 2 or w in STOP_WORDS or w in g.builtin_keep or _NUMBER_WORD.fullmatch(w) or _FILLERS.fullmatch(w):
        return "plain"
    if not w.replace("-", "").replace("'", "").replace("’", "").isalpha():
        return "plain"
    known_name = g.is_name(w) or g.is_place(w) or name_compound(w, g)
    if "dictionary" in explain and (is_ordinary(w) or g.is_common_word(w)):
        return "dictionary"
    if known_name:
        return None
    if "dictionary" in explain and in_dictionary(w):
        return "dictionary"  # listed under a proper-noun lemma only: rare forms ("kuba"), not names here
    if "dialect" in explain and dialect_word(w):
        return "dialect"
    if "compound" in explain and _compound(w) and not w.endswith(_PLACE_TAILS):
        return "compound"
    if "english" in explain and english_word(w):
        return "english"
    if "misspelling" in explain and len(w) >= 5 and any(g.is_common_word(e) and len(e) >= 4 for e in _edits(w)):
        return "misspelling"
    if len(w) >= 5 and w.endswith("s") and not w.endswith("ss"):
        # The genitive of an explained word ("Fellesskapets", "kommunens") is explained as that word.
        why = explanation(w[:-1], g, tuple(e for e in explain if e != "misspelling"))  # one edit search
        if why not in (None, "plain"):
            return why
    return None


_POSSESSIVES = frozenset({"min", "mi", "mitt", "mine", "din", "di", "dine", "hans", "hennes", "vår", "våre", "deres"})
_KIN = frozenset({"ungene", "ungane", "ungan", "unga", "barna", "borna", "sønnen", "sonen", "dattera", "datteren",
                  "dottera", "sønnene", "sønene", "døtrene", "døtrane", "kona", "mannen", "broren", "brørne", "søstera",
                  "søsteren", "systera", "guttene", "gutane", "jentene", "jentane", "barnebarna", "tvillingene"})
# Verbs of saying or doing whose subject a name is (no copula: "sol er fint").
_DEEDS = frozenset({"sa", "sier", "seier", "begynte", "byrja", "gikk", "går", "kom", "kommer", "fikk", "får", "fekk",
                    "bor", "bodde", "budde", "jobber", "jobbet", "jobba", "jobbar", "ringte", "ringde", "tok", "spurte",
                    "fortalte", "skrev", "skreiv", "hjalp", "hjelper", "hjelpte", "passa", "passet", "passer",
                    "flytta", "flyttet", "flytter", "snakka", "snakket", "snakker", "spelar", "spiller", "trener",
                    "studerer", "heiter", "heter"})
PERSON_NOUNS = frozenset({"mann", "mannen", "dame", "dama", "kvinne", "kvinna", "kvinnen", "jente", "jenta", "gutt",
                           "gutten", "guten", "kar", "karen", "fyr", "fyren", "venn", "vennen", "venninne", "venninna",
                           "kollega", "kollegaen", "nabo", "naboen", "sjef", "sjefen", "leder", "lederen", "leiar",
                           "leiaren", "saksbehandler", "saksbehandleren", "veileder", "veilederen", "rettleiar"})
_PERSONAL = frozenset({"jeg", "eg", "je", "æ", "meg", "mæ", "deg", "han", "ham", "hun", "ho", "henne", "vi", "me", "oss"})
# Subjects that follow their verb when something else opens the clause ("natt og dag jobba vi").
_INVERTED_SUBJECTS = _PERSONAL | {"de", "dei", "du", "dere", "dokker", "man", "ein", "en"}
# Stop words that are first names but mostly something else ("hans" = his, "vår" = our/spring).
_NOT_NAMES = frozenset({"hans", "vår"})
_DEFINITE = re.compile(r"\w{3,}(?:et|en|a|ene|ane)$")
_NEXT_WORD = re.compile(rf"\s+(?P<w>{_W})")
_CAPITAL_ONLY = frozenset({"fallback_capitalised", "unexplained_capital"})


def _subject_of_verb(doc, start: int, end: int) -> bool:
    """The word is the subject of the verb right after it: the parse tags the next token a (main)
    verb, and no subject pronoun follows that verb ("natt og dag jobba vi": a fronted time, the
    subject is "vi"). A bare common noun rarely stands before its verb without an article, so a
    first name there is the person who does it."""
    span = doc.char_span(start, end)
    if span is None or span.end >= len(doc):
        return False
    verb = doc[span.end]
    if verb.pos_ != "VERB":
        return False
    nxt = doc[span.end + 1].text.lower() if span.end + 1 < len(doc) else ""
    return nxt not in _INVERTED_SUBJECTS


def _noun_slot(text: str, start: int) -> bool:
    """The word before makes the next one a noun ("i dag", "et liv"), or the word opens the turn."""
    before = [w.lower() for w in WORD.findall(text[max(0, start - 40):start])]
    if len(before) > 1 and before[-1] in _POSSESSIVES and before[-2] in _KIN:
        return False  # "ungene mine liv", "dattera mi sol": a name after a kin noun and its possessive
    return not before or before[-1] in _NOUN_SLOT


def _owner(text: str, start: int) -> bool:
    """The possessive "til" after a definite noun makes the next word its owner ("soverommet til
    sol", "mora til liv"): a person, where a preposition would otherwise make it a noun."""
    before = [w.lower() for w in WORD.findall(text[max(0, start - 40):start])]
    return len(before) > 1 and before[-1] == "til" and _DEFINITE.fullmatch(before[-2]) is not None \
        and before[-2] not in STOP_WORDS and is_word(before[-2])


def _kind(text: str, start: int, g: Gazetteer, words: list[str]) -> str:
    before = text[max(0, start - 12):start].split()
    prev = before[-1].lower() if before else ""
    if prev in _PLACE_PREPOSITIONS or any(g.is_place(w) for w in words):
        return STED if not any(g.is_first(w) for w in words) else PERSON
    if prev in _ORG_PREPOSITIONS and not any(g.is_first(w) for w in words):
        return ORG
    return PERSON


# UnexplainedWordRecognizer._word_code's answers.
_SKIP, _UNEXPLAINED, _FIRST_NAME_WORD = 0, 1, 2


class UnexplainedWordRecognizer(Recognizer):
    """Every word no explanation covers, in any slot (module docstring); ``CASELESS``: the stage
    keeps the hits only in a transcript written in lower case."""

    name = "unexplained"
    always_review = True  # masks what nothing explains: the review sheet gives ordinary words back
    version = "4"
    supported_entities = (PERSON, STED, ORG)
    reads_detections = True

    def __init__(self, gazetteer: Gazetteer | None = None, explain: tuple[str, ...] | None = None,
                 name_words: bool | None = None, min_score: float = MIN_SCORE):
        self.g = gazetteer or load_gazetteer()
        self.explain = tuple(CASELESS_EXPLANATIONS if explain is None else explain)
        self.name_words = NAME_WORDS if name_words is None else name_words
        self.min_score = min_score

    def params(self):
        return {"explain": list(self.explain), "name_words": self.name_words, "min_score": self.min_score}

    def _named(self, text: str, m: re.Match, doc=None) -> bool:
        """An ordinary word that is a first name is never a name on the name list alone: the clause
        must treat it as a person — a pronoun after it or a person cue before it
        (``cues.person_context``), a verb of saying or doing right after it ("liv går på ...", "sol
        sa"; a bare noun rarely stands before a verb without an article), or another first name
        joined to it ("stein og sol")."""
        if person_context(text, m.start(), m.end()):
            return True
        after = WORD.findall(text, m.end(), m.end() + 30)
        inverted = len(after) > 1 and after[1].lower() in _INVERTED_SUBJECTS  # "natt og dag jobba vi"
        if after and after[0].lower() in _DEEDS and not inverted:
            return True
        if doc is not None and _subject_of_verb(doc, m.start(), m.end()):
            return True  # "og dag tegna opp", "liv har venninnene sine": any verb the parse sees
        before = [w.lower() for w in WORD.findall(text, max(0, m.start() - 30), m.start())]
        if before and before[-1] in PERSON_NOUNS:
            return True  # "en mann frank", "dama sol"
        joined = (len(after) > 1 and after[0].lower() == "og"
                  and (self.g.is_first(after[1]) or after[1].lower() in _PERSONAL)) or (
            len(before) > 1 and before[-1] == "og" and (self.g.is_first(before[-2]) or before[-2] in _PERSONAL))
        return joined  # "stein og sol", "meg og dag", "bjørn og eg"

    def _word_code(self, word: str) -> int:
        """What ``analyze`` makes of ``word`` before its context: ``_UNEXPLAINED`` (no explanation
        covers it), ``_FIRST_NAME_WORD`` (an explained word of 3+ letters on the first-name list:
        a name where its clause treats it as a person) or ``_SKIP``."""
        why = explanation(word, self.g, self.explain)
        if why is None:
            return _UNEXPLAINED
        if why in ("dictionary", "plain") and self.name_words and len(word) >= 3 \
                and word.lower() not in _NOT_NAMES and self.g.is_first(word):
            return _FIRST_NAME_WORD
        return _SKIP

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        # Not a CASELESS hit nor one whose only evidence is a capital: in a transcript without
        # capitals truecasing wrote it, and the stage drops both there.
        taken = [(d.start, d.end) for d in found if d.replaced_at(self.min_score) and d.recognizer not in _CAPITAL_ONLY]
        g = self.g
        words, names = [], []
        overlaps = _overlap_test(taken, len(text))
        codes = word_memo(self, (self.g, self.explain, self.name_words))  # ``_word_code`` by word
        for m in WORD.finditer(text):
            word = m.group()
            code = codes.get(word)
            if code == _SKIP:
                continue  # what the word alone rules out, whether a detection covers it or not
            if overlaps(m.start(), m.end()):
                continue
            if code is None:
                code = codes[word] = self._word_code(word)
            if code == _UNEXPLAINED:
                words.append(m)
            elif code == _FIRST_NAME_WORD \
                    and (_owner(text, m.start()) or not _noun_slot(text, m.start()) and self._named(text, m, doc)):
                names.append(m)
        out = []
        for m in names:
            end = m.end()
            nxt = _NEXT_WORD.match(text, end)
            if nxt and g.is_last(nxt.group("w")) and nxt.group("w").lower() not in STOP_WORDS:
                end = nxt.end("w")  # "en mann frank berg": the surname goes with the first name
            out.append(Detection(m.start(), end, PERSON, CASELESS, f"{self.name}_name_lower", text[m.start():end]))
        run = []
        for m in words + [None]:
            if run and (m is None or text[run[-1].end():m.start()] != " "):
                start, end = run[0].start(), run[-1].end()
                kind = _kind(text, start, self.g, [r.group() for r in run])
                out.append(Detection(start, end, kind, CASELESS, f"{self.name}_lower", text[start:end]))
                run = []
            if m is not None:
                run.append(m)
        return out


def _overlap_test(spans: list[tuple[int, int]], length: int):
    """``test(start, end)``: whether ``[start, end)`` (inside a text of ``length``) overlaps one of
    ``spans``, as ``any(s < end and start < e for s, e in spans)``, read off a mask of the covered
    characters (a turn has many words and several spans)."""
    if not spans:
        return lambda start, end: False
    mask = bytearray(length)
    odd = []  # empty or reversed spans overlap by the comparison alone
    for s, e in spans:
        if s < e:
            # A span wholly outside the text overlaps no word of it (negative ends would index
            # the mask from its end).
            s, e = max(s, 0), min(e, length)
            if s < e:
                mask[s:e] = b"\x01" * (e - s)
        else:
            odd.append((s, e))

    def test(start: int, end: int) -> bool:
        if start >= end:
            return any(s < end and start < e for s, e in spans)
        return 1 in mask[start:end] or any(s < end and start < e for s, e in odd)

    return test


_CAPITAL = re.compile(rf"(?<![\w'’-])[{UPPER}][\w'’-]*")
_NEXT_CAPITAL = re.compile(rf"(?:\s+(?:og|&)\s+|\s+)(?P<w>[{UPPER}][\w'’-]*)")


class UnexplainedCapitalRecognizer(Recognizer):
    """A capitalised word that is no sentence start and no acronym, with the capitalised words after
    it (a name of several words may hold "og"/"i": "Tune og Omegn"), that nothing else detected:
    Norwegian capitalises names mid-sentence. Opening a sentence the capital says nothing, so there
    only a word no explanation covers counts (``explanation``: "Ánde Bals i tolketjenesten ..."). The stage drops a word the study writes in lower case
    or uses in its own wording (``Anonymiser._study_evidence``) and one written in lower case."""

    name = "unexplained_capital"
    always_review = True
    version = "3"
    supported_entities = (PERSON, STED, ORG)
    reads_detections = True

    def __init__(self, gazetteer: Gazetteer | None = None, min_score: float = MIN_SCORE):
        self.g = gazetteer or load_gazetteer()
        self.min_score = min_score

    def params(self):
        return {"min_score": self.min_score}

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        taken = [(d.start, d.end) for d in found if d.replaced_at(self.min_score)]  # a CASELESS hit may be dropped by the stage
        out: list[Detection] = []
        g = self.g
        pos = 0
        for m in _CAPITAL.finditer(text):
            if m.start() < pos:
                continue
            w = m.group()
            if w.isupper() or len(w) < 2:
                continue
            if (caption_start(text, m.start()) or _after_opening(text, m.start())) \
                    and explanation(w, g) is not None:
                continue  # a capital opening a sentence says nothing of a word the lexicon explains
            if w.lower() in STOP_WORDS or w.lower() in g.builtin_keep or _NUMBER_WORD.fullmatch(w):
                continue
            head, _dash, tail = w.partition("-")
            compound = bool(head) and bool(tail) and tail[:1].islower() and is_word(tail)
            if compound and (len(head) == 1 or head.isupper()):
                continue  # a letter or an acronym before a word: "D-nummer", "SIFO-budsjettet"
            start, end = m.start(), m.end()
            if compound:
                end = start + len(head)  # "Kattem-leiligheter": the name is the head, the tail a word
            if any(s < end and start < e for s, e in taken):
                continue
            while not compound:
                n = _NEXT_CAPITAL.match(text, end)
                if not n or any(s < n.end() and n.start("w") < e for s, e in taken):
                    break
                end = n.end()
            pos = end
            words = text[start:end].split()
            out.append(Detection(start, end, _kind(text, start, g, words), SCORE, self.name, text[start:end]))
        return out


def _after_opening(text: str, start: int) -> bool:
    """After a colon, a quotation mark, a dash or a bracket a capital may open a clause."""
    before = text[:start].rstrip()
    return bool(before) and before[-1] in ":«\"“(–-—[*"


# ------------------------------------------------------------------ numbers, dates, addresses
_MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|feb|sept|okt|nov"
_MONTH_WORDS = literals(_MONTHS)  # one of them in every _MONTH_DATE match and month of _years
ORDINAL = (r"(?:første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende|ellevte|elvte"
            r"|tolvte|trettende|fjortende|femtende|sekstende|syttende|attende|nittende|tjuende|trettiende"
            r"|fjortande|femtande|sekstande|syttande|attande|nittande|tjugande|trettande|ellevte|tolfte|sjuande"
            r"|åttande|niande|tiande|(?:tjue|tretti)(?:første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende"
            r"|syvende|sjuande|åttende|åttande|niende|niande))")
_DAY = rf"(?:\d{{1,2}}\.?|{ORDINAL}|den\s+{ORDINAL})"
_YEAR = rf"(?:\d{{4}}|['’]?\d{{2}}|(?:{WORD_PATTERN})+)"
_SHORT_YEAR = r"[-–'’]\d{2}(?!\d)"  # "februar -22", "mars '19"
_MONTH_DATE = re.compile(
    rf"(?<![\w])(?:(?P<day>{_DAY})\s+(?:i\s+)?(?P<m1>{_MONTHS})\.?(?:\s*,?\s+(?P<y1>{_YEAR}))?"
    rf"|(?P<m2>{_MONTHS})\.?\s+(?P<y2>\d{{4}}|{_SHORT_YEAR}|(?:tjue|nitten)(?:{WORD_PATTERN})+|to\s+tusen(?:\s+og)?(?:\s+{WORD_PATTERN})*))"
    rf"(?![\w])", re.IGNORECASE)
_MONTH = re.compile(rf"(?<![\w])(?:{_MONTHS})(?![\w])", re.IGNORECASE)
# A month and its year said in two bare digits ("ho vart fødd i januar 21, og da ..."): after a
# preposition of time, and ending its clause (punctuation, the turn's end or a conjunction after
# it), the two digits are the year; before a noun they count ("i januar 21 dagar").
_MONTH_BARE_YEAR = re.compile(
    rf"(?<![\w])(?:i|fra|frå|til|te|siden|sidan|før|etter|innen|innan|rundt|per)\s+(?P<date>(?:{_MONTHS})\.?\s+\d{{2}})"
    rf"(?![\d\w])(?![.,:]\d)(?=\s*(?:[,.;:!?…–—]|$|(?:og|men|eller|så|da|at|som|fordi|når)(?![\w])))", re.IGNORECASE)
_ORDINAL_DATE = re.compile(rf"(?<![\w])(?:den\s+)?{ORDINAL}\s+i\s+{ORDINAL}(?:\s+(?:{WORD_PATTERN})+|\s+\d{{2,4}})?"
                           rf"(?![\w])", re.IGNORECASE)
_TENS_WORD = "|".join(sorted(TENS, key=len, reverse=True))
_UNIT_WORD = "|".join(sorted((u for u in UNITS if u != "null"), key=len, reverse=True))
# A house number: digits, a number word, a tens word and its unit apart ("tretti fire") or the unit
# first ("fire og tretti"); its letter written or said as the letter's name ("fjorten be").
_HOUSE_NUMBER = (rf"(?:\d{{1,4}}|(?:{_TENS_WORD})\s+(?:{_UNIT_WORD})(?![\w])|(?:{WORD_PATTERN})(?:\s+og\s+(?:{WORD_PATTERN}))?)"
                 rf"(?:\s*[a-hA-H](?![\w])|\s+(?:be|ce|se|de|eff|ge|hå)(?![\w]))?")
# Street nouns that automatic captions write apart from the name ("lerke veien 7 C").
_STREET_NOUN = r"(?:veien|vegen|vei|veg|gata|gate|gaten|stien|allé|alléen|plassen|ringen|tunet|svingen)"
_STREET_END = ("gata|gate|gaten|veien|vegen|veg|vei|tunet|stien|plassen|ringen|allé|alle|bakken|lia|haugen|svingen"
               "|løkka|kroken|jordet|vollen|tun|stubben|brinken|lunden|skogen|torget|kaia|bryggen|brygga")
_STREET = re.compile(rf"(?<![\w'’-])(?P<street>[\wæøå'’-]*(?:{_STREET_END})|(?P<head>[^\W\d_]{{3,}})\s+{_STREET_NOUN})"
                     rf"(?P<nr>\s+(?:nummer\s+|nr\.?\s*)?{_HOUSE_NUMBER})"
                     rf"(?P<flat>\s*,?\s*(?:(?:leilighet|leilegheit|h|bolig)\s*(?:nummer\s+|nr\.?\s*)?"
                     rf"(?:[hHuUkK]\s*)?(?:\d{{3,4}}|(?:{WORD_PATTERN})(?:\s+(?:og\s+)?(?:{WORD_PATTERN})){{0,3}})))?"
                     rf"(?![\w])(?!\s+(?:ganger|gonger|gang|år|timer|timar|dager|dagar|uker|veker|måneder|månader"
                     rf"|kroner|prosent|minutter|minutt|stykker|meter|kilometer|km|mil))", re.IGNORECASE)
# One of them in every _STREET match: a street's end or the noun written apart after its name.
_STREET_WORDS = literals(f"{_STREET_END}|{_STREET_NOUN[3:-1]}")
_CADASTRE = re.compile(r"(?<![\w])(?:gnr|gardsnummer|gårdsnummer)\.?\s*\d+\s*,?\s*(?:og\s+)?(?:bnr|bruksnummer)\.?\s*\d+"
                       r"(?:\s*(?:/|,)?\s*(?:snr|fnr)\.?\s*\d+)?(?![\w])", re.IGNORECASE)
_POSTCODE_CUE = re.compile(r"(?<![\w])(?:postnummer|postnummeret|postnr|postkode|postkoden)\.?(?![\w])", re.IGNORECASE)
# The national flat number (bruksenhetsnummer: H, U, K or L, floor and flat, "H0201"), after a
# flat cue or in capitals; and a name, a house number and such a flat number together: the
# flat number makes an address of a street word no list holds ("Ulvehiet 12, H0304").
_FLAT_NUMBER = re.compile(r"(?<![\w])(?:(?i:leilighet|leilegheit|leil\.|bolig|bolignummer|bruksenhet\w*)\s*"
                          r"(?i:nummer\s+|nr\.?\s*)?(?P<cued>[HUKLhukl]\d{4})|(?P<flat>[HUKL]\d{4}))(?![\w])")
_NAMED_FLAT = re.compile(rf"(?<![\w'’-])[{UPPER}][{LOWER}'’-]+\s+\d{{1,4}}\s?[A-Ha-h]?\s*,?\s*(?:(?i:leilighet|leil\.)\s*)?"
                         r"[HUKL]\d{4}(?![\w])")
# A self-correction in a number, date or address ("ni to– nei, ni tre åtte ...", "tolv, nei, fjorten B",
# "fjortende, nei, femtende august", "leil. H0203 – nei, unnskyld, H0302"): the corrected value and its
# correction are one identifier (the correction words: ``numbers.REPAIR_GAP``).
_NUMBER_TOKEN = rf"(?:\d+|[HUKLhukl]\d{{4}}|{WORD_PATTERN}|{ORDINAL})"
_REPAIR_GAP = REPAIR_GAP
_REPAIRED_BEFORE = re.compile(rf"(?<![\w])(?P<x>{_NUMBER_TOKEN}(?:[\s,]+{_NUMBER_TOKEN}){{0,5}}){_REPAIR_GAP}$", re.IGNORECASE)
_REPAIRED_AFTER = re.compile(rf"{_REPAIR_GAP}(?P<y>{_NUMBER_TOKEN}(?:[\s,]+{_NUMBER_TOKEN}){{0,5}}"
                             rf"(?:\s*[a-hA-H](?![\w])|\s+(?:be|ce|se|de|eff|ge|hå))?)(?![\w])", re.IGNORECASE)
_STARTS_NUMBER = re.compile(rf"{_NUMBER_TOKEN}(?![\w])", re.IGNORECASE)
_ENDS_NUMBER = re.compile(rf"(?<![\w]){_NUMBER_TOKEN}\s*(?:[a-hA-H])?$", re.IGNORECASE)
_REPAIRABLE = (TELEFON, FNR, KONTO, SAK, NUMMER, DATO, ADRESSE)
# An extension or direct line: four digits after its cue ("internt bare 4607", "internnummer 4417").
_EXTENSION = re.compile(r"(?<![\w])(?:intern(?:t|nummer|nummeret|nr\.?|linje|linja)?|direktenummer\w*|direktelinje\w*"
                        r"|lokal(?:nummer\w*)?|linje|tast)(?:\s+(?:er|var|e|bare|berre|nummer|nr\.?|på|til)){0,2}\s*:?\s*$", re.IGNORECASE)
# Letter codes in capitals, abbreviated with a dot, one letter, or two or three lower-case letters
# that are no word (captions write "HB" as "hb": checked in analyze).
_PREFIX = re.compile(r"(?<![\w'’-])(?:(?:[A-ZÆØÅ]{1,5}|[a-zæøå]{1,4}\.|[a-zæøå]{1,3})(?:\s*[-/ ]\s*|\.\s*))+$")
_CAPITAL_PREFIX = re.compile(r"(?<![\w'’-])(?:(?:[A-ZÆØÅ]{1,5}|[a-zæøå]{1,4}\.|[a-zæøå])(?:\s*[-/ ]\s*|\.\s*))+$")
_NOT_LETTER_CODE = frozenset({"i", "å", "e", "o", "og", "på", "er", "nr.", "kl.", "ca.", "tlf.", "mob."})


class NumberFormRecognizer(Recognizer):
    """Numbers, dates and addresses in the forms transcripts have (module docstring), typed where
    the form says what they are, listed for review."""

    name = "number_form"
    version = "4"
    supported_entities = (DATO, ADRESSE, SAK, NUMMER, TELEFON)
    reads_detections = True

    def __init__(self, gazetteer: Gazetteer | None = None, min_score: float = MIN_SCORE):
        self.g = gazetteer or load_gazetteer()
        self.min_score = min_score

    def params(self):
        return {"min_score": self.min_score}

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        out: list[Detection] = []
        covered = [(d.start, d.end) for d in found if d.replaced_at(self.min_score)]

        def add(start, end, kind, score=SCORE):
            if start < end and not any(s <= start and end <= e for s, e in covered):
                # Grown over a sure detection of its type, it keeps that one's score: a sure span
                # cuts a vaguer one around it, and would drop the lower-case rest ("tretti fire be").
                score = max([score] + [d.score for d in found if d.type == kind and start <= d.start and d.end <= end])
                out.append(Detection(start, end, kind, score, self.name, text[start:end]))
                covered.append((start, end))

        # A reference: letters before a masked run of digits ("HB 2024 0031177", "jnr. 22/1187-3").
        for d in found:
            if d.type not in (NUMMER, SAK) or not d.replaced_at(self.min_score):
                continue
            before = text[max(0, d.start - 16):d.start]
            m = _PREFIX.search(before)
            if m and any(p.isupper() for p in re.split(r"[\s/.-]+", m.group()) if p):
                # With capitals in the code a lower-case word before it is a cue ("ref AB 77412"),
                # not part of it: only a code written all in lower case takes lower-case letters.
                m = _CAPITAL_PREFIX.search(before)
            if m:
                letters = [p for p in re.split(r"[\s/-]+", m.group()) if p]
                if letters and not any(p.lower() in _NOT_LETTER_CODE or p.lower().rstrip(".") in _NOT_LETTER_CODE
                                       or (p.isalpha() and p.islower() and len(p) > 1 and (p in STOP_WORDS or is_word(p)))
                                       for p in letters):
                    out.append(Detection(d.start - len(m.group()), d.end, SAK, max(d.score, SCORE), self.name,
                                         text[d.start - len(m.group()):d.end]))
        months = may_hold(text, _MONTH_WORDS)
        for m in (_MONTH_DATE.finditer(text) if months else ()):
            add(m.start(), m.end(), DATO)
        for m in (_MONTH_BARE_YEAR.finditer(text) if months else ()):
            add(m.start("date"), m.end("date"), DATO)
        for m in _ORDINAL_DATE.finditer(text):
            add(m.start(), m.end(), DATO)
        for m in (_STREET.finditer(text) if may_hold(text, _STREET_WORDS) else ()):
            street = m.group("street").lower()
            if street in ("gata", "gate", "gaten", "veien", "vegen", "veg", "vei", "tunet", "stien", "plassen",
                          "ringen", "bakken", "lia", "haugen", "torget", "kaia", "brygga", "bryggen", "skogen",
                          "lunden", "jordet", "vollen", "tun", "alle", "allé", "løkka", "kroken", "svingen"):
                continue  # the noun alone ("i gata fem år"): no street name
            if _NUMBER_WORD.fullmatch(street):
                continue  # "sekstien null": a number word ending like a street, inside a number
            head = m.group("head")
            if head and (head.lower() in STOP_WORDS or _NUMBER_WORD.fullmatch(head) or head.lower() in _NOUN_SLOT):
                continue  # "den veien 7": no street name before the noun
            if m.group("nr").strip().lower() in ("en", "ei", "et", "ett", "ein", "eit", "eitt", "og"):
                continue  # an article: "veien en gang"
            add(m.start(), self._postcode_tail(text, m.end()), ADRESSE)
        for m in _CADASTRE.finditer(text):
            add(m.start(), m.end(), ADRESSE)
        for m in _FLAT_NUMBER.finditer(text):
            part = "cued" if m.group("cued") else "flat"
            add(m.start(part), m.end(part), ADRESSE)
        for m in _NAMED_FLAT.finditer(text):
            if not sentence_initial(text, m.start()) or not is_word(m.group().split()[0]):
                add(m.start(), m.end(), ADRESSE)
        runs = number_runs(text)
        for cue in _POSTCODE_CUE.finditer(text):
            for run in runs:
                if cue.end() <= run.start <= cue.end() + 20 and len(run.digits) == 4:
                    add(run.start, run.end, ADRESSE)
                    break
        for run in runs:
            cue = _EXTENSION.search(text[max(0, run.start - 40):run.start])
            if len(run.digits) == 4 and not run.composed and cue:
                # Right after a found phone number ("64 83 50 00, lokal 3317") the extension and its
                # cue join it: one number, and the cue word between would stay.
                cue_start = max(0, run.start - 40) + cue.start()
                phone = next((d for d in found if d.type == TELEFON and d.replaced_at(self.min_score)
                              and d.end <= cue_start and re.fullmatch(r"[\s,]*", text[d.end:cue_start])), None)
                start = phone.start if phone else run.start
                # Grown over a sure phone number it keeps that one's score: the merge would cut a
                # vaguer span around it and drop the cue word.
                score = max(0.85, phone.score) if phone else 0.85
                out.append(Detection(start, run.end, TELEFON, score, self.name, text[start:run.end]))
        out += self._years(text, runs, [d for d in [*found, *out] if d.type == DATO and d.replaced_at(self.min_score)], months)
        out += self._repairs(text, runs, [d for d in [*found, *out] if d.replaced_at(self.min_score)])
        return out

    @staticmethod
    def _postcode_tail(text: str, end: int) -> int:
        """The end of an address grown over a postcode after it, in digits or words, and the place
        after the postcode ("..., h null en null to, sytten nitten rødbakken")."""
        gap = re.match(r"\s*,?\s*", text[end:])
        runs = [r for r in number_runs(text[end:end + 60]) if r.start == gap.end()]
        if not runs or len(runs[0].digits) != 4 or runs[0].composed:
            return end
        end += runs[0].end
        place = re.match(rf"\s+({_W})", text[end:])
        if place and place.group(1).lower() not in STOP_WORDS and not _NUMBER_WORD.fullmatch(place.group(1)) \
                and not in_dictionary(place.group(1).lower()):
            end += place.end(1)
        return end

    def _years(self, text: str, runs: list[NumberRun], dates: list[Detection], months: bool = True) -> list[Detection]:
        """A date grown over the year after it, in any grouping or words ("1. Oktober 20 21",
        "mars tjuge atten", "første i sjuande tjuge tjuetre"): the run's digits name a year.
        ``months``: whether a month's name may be in ``text`` (``may_hold``)."""
        out = []
        months = [Detection(m.start(), m.end(), DATO, SCORE, self.name, m.group())
                  for m in _MONTH.finditer(text)] if months else []
        for d in [*dates, *months]:
            for run in runs:
                if run.end <= d.end or run.start > d.end + 3 or not re.fullmatch(r"[\s,]*", text[d.end:run.start]):
                    continue
                if run.start < d.end and run.start < d.start:
                    continue
                year = run.digits
                if len(year) == 4 and year[:2] in ("19", "20") and not any(
                        (o.start, o.end) == (d.start, run.end) for o in out):
                    out.append(Detection(d.start, run.end, DATO, d.score, self.name, text[d.start:run.end]))
        return out

    def _repairs(self, text: str, runs: list[NumberRun], found: list[Detection]) -> list[Detection]:
        """Self-corrections (``_REPAIRED_BEFORE``/``_AFTER``): a detected number, date or address
        grows over the value it corrects or the correction after it, at its own type and score;
        two runs of digits around a correction that nothing detected are one number, checked as
        the corrected value (the second run alone, or the first with its tail replaced) and else
        masked as NUMMER when they hold six digits or more."""
        out = []
        for d in found:
            if d.type not in _REPAIRABLE:
                continue
            start, end = d.start, d.end
            m = _REPAIRED_BEFORE.search(text, max(0, d.start - 80), d.start)
            if m and _STARTS_NUMBER.match(text, d.start):
                start = m.start("x")
            m = _REPAIRED_AFTER.match(text, d.end)
            if m and _ENDS_NUMBER.search(text, max(0, d.end - 30), d.end):
                end = m.end("y")
            if (start, end) != (d.start, d.end):
                out.append(Detection(start, end, d.type, d.score, self.name, text[start:end]))
        taken = [(d.start, d.end) for d in [*found, *out]]
        for first, second in zip(runs, runs[1:]):
            if not re.fullmatch(_REPAIR_GAP, text[first.end:second.start], re.IGNORECASE):
                continue
            if any(s < second.end and first.start < e for s, e in taken) or first.composed or second.composed:
                continue
            kind = self._corrected(text, first, second)
            if kind:
                out.append(Detection(first.start, second.end, kind, SCORE, self.name, text[first.start:second.end]))
        return out

    @staticmethod
    def _corrected(text: str, first: NumberRun, second: NumberRun) -> str | None:
        candidates = [second] + [NumberRun(first.start, second.end, first.groups[:k] + second.groups,
                                           first.seps[:k - 1] + (" ",) + second.seps, first.spoken or second.spoken, False,
                                           first.token_ends[:k] + second.token_ends,
                                           first.token_starts[:k] + second.token_starts)
                                 for k in range(len(first.groups) - 1, 0, -1)]
        for run in candidates:
            kinds = [f.type for f in classify(text, run) if f.start == run.start or run is not second]
            named = [k for k in kinds if k != NUMMER]
            if named and len(run.digits) >= 6:
                return named[0]
        return NUMMER if len(first.digits) + len(second.digits) >= 6 else None
