"""The recall fallback: mask what the other recognizers cannot explain, where a name can stand.

Recognizers that list forms (a name list, a legal form, a cue word) miss each new writer's forms:
on a blind set the rules built from the misses of the last set barely carried over. This
recognizer runs after the others (it reads their detections; only unexplained.py's come later) and asks a different question: *is there a
word here that the anonymiser cannot explain, standing where a name can stand?* It answers with a
few general rules, each named by its reason (the review sheet's ``recognizer`` column):

* ``fallback_capitalised``: a capitalised word mid-sentence (not a sentence start, not an
  acronym) that is rare as an ordinary word (``slots.rare_word``: never written in lower case in
  the Norwegian Dependency Treebank) and that nothing else detected. Norwegian capitalises only
  names mid-sentence; a study's own word (codebook, report prose) or a word the study writes in
  lower case elsewhere is dropped by the stage (``stage.Anonymiser._study_evidence``).
* ``fallback_person_slot``: a word the clause makes a person, also an ordinary word ("storm",
  "liv", "Lerke", "Jo"): a nickname ("alle sier bare X", "alle kaller X", "seier alle berre X"),
  an age said of it ("storm han er fjorten", "Lerke e fjorten"), a quoted call ("«Vår», sa han"),
  a first name in a list with persons ("Sol, Natan og Miriam"), a first name after a person noun
  ("en dame sol", "dattera mi liv"), as the subject of a verb of saying or doing after a clause
  boundary ("for liv begynte") or the object of a verb of contact or care ("passe sol").
  A capitalised bare noun given an age is one too ("Storm er tolv og spelar ski").
* ``fallback_alias``: another name of a detected person beside it ("Hanne-Mette Solheim, eller
  bare HM", "odd-rune nilsen eller oddemann", "lisa altså elisabeth nango").
* ``fallback_proprial_article``: the pronoun as a name's article (han, hun, ho, hu, hon, hen) before a
  name after a preposition ("med han mikkel gaup") or as the subject of a verb ("Ho semhar sa", "og
  hu tesfay kom", "då kom ho yordanos"), in lower case in a transcript with capitals too: a first
  name of the list, any word before a surname of the list, or a word no explanation covers
  (``unexplained.explanation``: no dictionary, dialect, compound or English word);
  ``fallback_kin_list``: children listed after kin and possessive ("ungene mine liv og storm").
* ``fallback_name_run``: lower-case names of several words: two first names ("mette lise"), and a
  detected person followed by a surname or a rare word ("gunnar kval vik").
* ``fallback_firm_head`` / ``fallback_place_head``: a firm by its business word without a legal form
  ("havbris sjømat", "Nordkalotten transport", "nordvest byggtakst") and a place by its area word
  ("hunnsløkka industriområde"), where the word before is no frequent ordinary word.
* ``fallback_place_slot``: in a transcript without capitals, a rare word after a place preposition
  that is no form of a common word.
* ``fallback_unknown_word``: a capitalised word that is no Norwegian word at all, after a place
  preposition or in a person context (kept where truecasing wrote its capital).
* ``fallback_reference``: a reference of letters and digit groups ("HB-21-883102").
* ``fallback_date``: a date spoken as ordinals ("første i tolvte tjuetjueto").

Types follow the evidence: a place slot or area word gives STED, a business word ORGANISASJON, a
person clause PERSON. A capitalised word with no such evidence is typed PERSON: the person is the
direct identifier, so the unexplained word is masked as the worst case, and the reviewer, who
sees the reason, releases it or retypes it. Every fallback detection scores below
``review_below`` (0.7), so each replacement is listed on the review sheet. A lower-case hit is
``CASELESS`` under a name ending in ``_lower``: the stage keeps it only in a transcript written in
lower case (``casing.lower_case_transcript``), where case says nothing; elsewhere a lower-case word
is an ordinary word. The rules never read one file's words: they read the lexicon, the gazetteer
and the clause (docs/anonymisation.md, "Recall fallback").
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .cues import CASELESS, person_context
from .dialect import dialect_word
from .lexicon import is_ordinary, is_word
from .detection import (DATO, LOWER, MIN_SCORE, ORG, PERSON, SAK, STED, UPPER, Detection, Recognizer, literals,
                        may_hold)
from .gazetteer import Gazetteer, load_gazetteer
from .matcher import sentence_initial
from .numbers import WORD_PATTERN
from .slots import compass_region, inflected_noun, place_word, rare_word, seen_in_treebank
from .unexplained import explanation

SCORE = 0.7  # replaced and listed for review (min_score 0.5 <= score < review_below 0.75)
_W = r"[^\W\d_][\w'’-]*"
_WORD = re.compile(_W)
_NUMBER_WORD = re.compile(WORD_PATTERN, re.IGNORECASE)
_B = r"(?<![\w'’-])"
_E = r"(?![\w'’-])"
# Answers and fillers that follow "sier bare" without being anyone's name.
_FILLERS = frozenset({"ja", "nei", "jo", "ok", "okei", "takk", "hei", "ha", "nå", "no", "da", "så", "at", "det",
                      "eh", "ehm", "øh", "mhm", "hm", "unnskyld", "sorry", "beklager", "hallo"})

# ------------------------------------------------------------------ person clauses
_SUBJECT = r"(?:alle|folk|mange|de|dei|vi|me|noen|nokon|ungene|ungane|gutta|jentene|vennene|kollegaene)"
_OBJ = r"(?:\s+(?:meg|mæ|me|deg|han|ham|henne|ho|oss|dokker))?"
_JUST = r"(?:\s+(?:bare|berre|alltid|for))?"
_ONLY = r"\s+(?:bare|berre)"
# "alle kaller tuppen", "folk kallar meg berre X", "alle sier bare linka", "seier alle berre Jo"
_NICKNAME = re.compile(
    rf"{_B}(?:{_SUBJECT}\s+(?:kaller|kallar|kalte|kalla){_OBJ}{_JUST}"
    rf"|{_SUBJECT}\s+(?:sier|seier|sei|sa)(?:\s+til\s+(?:meg|mæ|han|ham|henne|ho|oss))?{_ONLY}"
    rf"|(?:kaller|kallar|sier|seier)\s+(?:alle|folk){_OBJ}{_ONLY})\s+(?P<w>{_W}){_E}", re.IGNORECASE)
# An age is a whole number of years: "ni hundre", "fjorten tusen", "fem komma to" are amounts.
_NOT_AMOUNT = (rf"(?!\s*(?:,\s*)?(?:og\s+)?(?:hundre|tusen|million\w*|milliard\w*|kroner|kr|prosent|komma|%"
               rf"|{WORD_PATTERN}{_E}|\d))")
_AGE = rf"(?!(?:en|ei|et|ett|ein|eitt|eit){_E})(?:{WORD_PATTERN}|\d{{1,2}})"  # not an article
# "storm han er fjorten", "liv, hun er ni", "Lerke e fjorten"
_AGE_OF = re.compile(rf"{_B}(?P<w>{_W})\s*,?\s+(?P<pron>(?:han|hun|ho|hon)\s+)?(?:er|e|var|va|blir|fyller|fylte)"
                     rf"\s+(?P<age>{_AGE})(?:\s+(?:år|månader|måneder))?{_E}{_NOT_AMOUNT}", re.IGNORECASE)
_BOUNDARY = r"(?:og|men|for|fordi|at|så|når|da|mens|om|hvis|dersom|før|etter\s+at|sidan|siden|ja|nei)"
_DEED = (r"sa|sier|seier|begynte|begynner|byrja|gikk|går|kom|kommer|fikk|får|fekk|bor|bodde|jobber|jobbet|jobba"
         r"|ringte|ringde|tok|spurte|fortalte|skrev|skreiv|hjalp|hjelper|har|hadde|skal|ville|vil|kan|kunne|måtte|må")
_SUBJECT_OF = re.compile(rf"(?:^|{_B}{_BOUNDARY}\s+)(?P<w>[{LOWER}][\w'’-]*)\s+(?:{_DEED}){_E}",
                         re.IGNORECASE | re.MULTILINE)
_PLACE_PREPOSITIONS = frozenset({"på", "i", "fra", "frå", "ifra", "til", "ved", "utenfor", "nær", "rundt"})
# Verbs of contact or care whose object is a person ("kona ho passe sol", "snakket med liv").
_CONTACT = (r"passe|passer|passa|passet|hente|henter|henta|hentet|levere|leverer|leverte|følge|følger|fulgte|fylgde"
            r"|besøke|besøker|besøkte|ringe|ringer|ringte|ringde|snakke|snakker|snakket|snakka|prate|prater|pratet"
            r"|prata|møte|møter|møtte|spørre|spør|spurte|hjelpe|hjelper|hjalp|hjelpte|trøste|trøstet|trøsta")
_CONTACT_WORDS = literals(_CONTACT)
_OBJECT_OF = re.compile(rf"{_B}(?:{_CONTACT})(?:\s+(?:med|til|hos|på))?\s+(?P<w>[{LOWER}][\w'’-]*){_E}", re.IGNORECASE)
# Time and weather nouns that are also first names ("dag", "natt"): a time, not a person, after a verb.
_TIME_NOUNS = frozenset({"dag", "natt", "kveld", "morgen", "helg", "uke", "vår", "sommer", "høst", "vinter", "sol",
                         "regn", "snø", "storm"})
_COPULA = frozenset({"er", "e", "var", "va", "blir", "ble", "vart", "bli"})
_QUOTED_CALL = re.compile(rf"[«\"“]\s*(?P<w>{_W})\s*[,!]?\s*[»\"”]\s*,?\s*(?:sa|seier|sier|spurte|ropte|skreik|skrek)"
                          rf"{_E}", re.IGNORECASE)
_PERSON_NOUN = (r"dame|dama|kvinne|kvinna|kvinnen|mann|mannen|kar|karen|fyr|fyren|jente|jenta|jenten|gutt|guten"
                r"|gutten|venn|vennen|venninne|venninna|kollega|kollegaen|nabo|naboen|dattera|datteren|dottera"
                r"|sønnen|sonen|kona|kjæresten|samboeren|broren|søstera|søsteren|systera|barnebarnet|barnet")
_POSS = r"(?:\s+(?:mi|min|mitt|vår|hans|hennes|deira|deres|di|din|si|sin))?"
_PERSON_NOUN_WORDS = literals(_PERSON_NOUN)
_AFTER_PERSON_NOUN = re.compile(rf"{_B}(?:{_PERSON_NOUN}){_POSS}\s+(?P<w>{_W}){_E}", re.IGNORECASE)
_NEXT_WORD = re.compile(rf"\s+(?P<w>{_W})")
_LIST_ITEM = re.compile(rf"(?P<word>[{UPPER}][\w'’-]+)(?P<sep>\s*,\s*|\s+(?:og|eller|&)\s+)?")
_LISTED = re.compile(rf"{_B}(?P<w>[{UPPER}][\w'’-]+)\s*(?:,|\s+og|\s+eller)\s+(?P<next>[{UPPER}][\w'’-]+)")

# Another name of a detected person beside it: "Hanne-Mette Solheim, eller bare HM", "odd-rune nilsen
# eller oddemann", "lisa altså elisabeth nango".
_ALIAS_AFTER = re.compile(rf"\s*,?\s*(?:eller|også\s+kalt|kalt|alias)\s+(?P<just>(?:bare|berre)\s+)?(?P<w>{_W}){_E}",
                          re.IGNORECASE)
_ALIAS_BEFORE = re.compile(rf"{_B}(?P<w>{_W})\s*,?\s+(?:altså|dvs\.?|eller|egentlig|eigentleg)\s*,?\s*$", re.IGNORECASE)
# The proprial article of northern, western and Trøndelag speech, the pronoun before a name (han, hun,
# ho and the dialect forms hu, hon; hen, the neutral one), after a preposition ("time med han mikkel
# gaup"): after "med han" a noun stands only as a name.
_ARTICLE = r"(?i:han|hun|ho|hu|hon|hen)"
_PROPRIAL = re.compile(rf"{_B}(?i:med|til|hos|fra|frå|av|om|for|ved|mot)\s+{_ARTICLE}\s+(?P<w>{_W})"
                       rf"(?:\s+(?P<s>{_W}))?{_E}")
# The article before the subject of a verb ("Ho semhar sa ...", "og hu tesfay kom"), or after the verb
# when something else opens the clause ("då kom ho yordanos"): a pronoun and a word, then a verb.
_ARTICLE_SUBJECT = re.compile(rf"{_B}(?P<a>{_ARTICLE})\s+(?P<w>[{LOWER}][\w'’-]*)(?:\s+(?P<v>{_W}))?{_E}")
# Finite verbs of saying, doing and being after a subject (Bokmål, Nynorsk, dialect forms), for a
# turn read without its parse; the parse's VERB and AUX tags count too.
_SUBJECT_VERBS = frozenset(literals(_DEED)) | frozenset({
    "er", "e", "æ", "var", "va", "vart", "ble", "blei", "seie", "sei", "bur", "budde", "trur", "trudde", "tror",
    "trodde", "meinte", "meiner", "mente", "mener", "syns", "synest", "syntes", "tykte", "likar", "liker", "likte",
    "skulle", "sku", "kan", "kunne", "ska", "vil", "ville", "må", "måtte", "gjekk", "gjorde", "gjer", "gjør",
    "veit", "vet", "visste", "kjem", "kjøpte", "sende", "sendte", "hugsar", "husker", "vart", "fann", "fant"})
# Clause openers before the article: a conjunction or answer word (``_BOUNDARY``'s, one word).
_OPENERS = frozenset({"og", "men", "for", "fordi", "at", "så", "når", "da", "då", "mens", "om", "hvis", "viss",
                      "dersom", "før", "etter", "sidan", "siden", "ja", "nei", "jo", "både", "enten", "eller", "som"})
# Children listed after a plural kin noun and its possessive: "ungene mine liv og storm de har bodd".
_KIN_POSS_LIST = re.compile(
    rf"{_B}(?i:ungene|ungane|ungan|unga|barna|borna|sønnene|døtrene|jentene|jentane|guttene|gutane|tvillingene"
    rf"|søsknene|barnebarna)\s+(?i:mine|våre|hans|hennes|deres|dine|sine|dykkar|deira)\s+(?P<a>{_W})\s*(?:,|\s+og)\s+"
    rf"(?P<b>{_W}){_E}")
# Kin words that are said as names of one's own parents ("Mor er sytti"): no name for the age rule.
_KIN_AS_NAME = frozenset({"mor", "far", "mamma", "pappa", "mora", "faren", "bestemor", "bestefar", "farmor", "farfar",
                          "mormor", "morfar", "oldemor", "oldefar", "bror", "søster", "syster", "onkel", "tante",
                          # and pronouns the stop-word list lacks (Nynorsk, dialect)
                          "ho", "hu", "hon", "honom", "eg", "æ", "je", "dei", "dokker", "dykk", "me"})


def nickname_of(word: str, name: str) -> bool:
    """``word`` is a short form of the person's ``name``: its initials ("HM" of "Hanne-Mette
    Solheim"), or a form sharing three letters in a row with a part of it at the start of
    ``word`` ("lisa" of "Elisabeth", "oddemann" of "Odd-Rune")."""
    parts = [p for p in re.split(r"[\s\-]+", name) if p]
    if 2 <= len(word) <= 4 and word.isupper():
        initials = "".join(p[0] for p in parts).upper()
        return initials.startswith(word)
    low = word.lower()
    return len(low) >= 3 and any(low[:3] in p.lower() for p in parts if len(p) >= 3)


# ------------------------------------------------------------------ firms and places by their head word
# Words that end a firm's name, in any case after a preposition ("på havbris sjømat")...
_BUSINESS = (r"sjømat|fiskeri|industri|industrier|byggtakst|regnskap|regnskapskontor|transport|eiendom"
             r"|eiendomsmegling|byggservice|entreprenør|entreprenørservice|elektro|maskin|maskinservice|auto"
             r"|bilverksted|mekaniske|logistikk|consult|konsult|invest|holding|havbruk|oppdrett|rådgivning"
             r"|renhold|bemanning|catering|bakeri|eiendomsservice|byggteknikk|rørleggerservice")
# ... and ordinary nouns that end one only where the name is capitalised ("Uelands takst").
_BUSINESS_CAPITAL = r"takst|bygg|rør|service|transport|handel|import|eksport|marin|data|energi|kraft|trafikk|taxi|frakt"
_AREA = r"industriområde|industriområdet|næringsområde|næringsområdet|næringspark|handelspark|boligfelt|boligfeltet"
# A compound ending in a business word is one too ("fiskeindustri", "byggtransport").
_HEADED = re.compile(rf"{_B}(?:(?P<w1>{_W})\s+)?(?P<w2>{_W})\s+(?P<head>(?i:[{LOWER}]*(?:{_BUSINESS})|{_AREA}|{_BUSINESS_CAPITAL}))"
                     rf"{_E}")
_HEAD_WORDS = literals(f"{_BUSINESS}|{_AREA}|{_BUSINESS_CAPITAL}")  # one of them in every _HEADED match
_STRONG_HEAD = re.compile(rf"(?i:[{LOWER}]*(?:{_BUSINESS})|{_AREA})")
# An organisation's definite noun with its region ("frivillighetssentralen nord", "Bymisjonen Sør"), not
# a direction ("banken nord for torget").
_ORG_NOUNS = "sentralen|banken|foreningen|forbundet|klubben|senteret|misjonen|stiftelsen|tjenesten|tenesta|kontoret"
_ORG_REGION = re.compile(
    rf"{_B}(?P<org>[\w]*(?i:{_ORG_NOUNS}))\s+(?P<c>{_W}){_E}(?!\s+(?i:for|fra|frå|av|i|på|om|over|til|mot|ved)(?![\w'’-]))")
_ORG_WORDS = literals(_ORG_NOUNS)  # one of them in every _ORG_REGION match
_PREPOSITION = frozenset({"på", "i", "fra", "frå", "ifra", "for", "hos", "ved", "med", "til", "mot", "av", "om"})
_AREA_WORD = re.compile(rf"(?i:{_AREA})")
_COMPASS = frozenset({"nord", "sør", "vest", "øst", "nordvest", "nordaust", "nordøst", "sørvest", "sørøst", "søraust",
                      "midt", "vestre", "østre", "nordre", "søndre"})

# ------------------------------------------------------------------ places, references, dates
_PLACE_PREP = re.compile(rf"{_B}(?i:på|i|fra|frå|ifra|til|ved|utenfor|utafor|nær|rundt)\s+(?P<w>{_W}){_E}")
_REFERENCE = re.compile(r"(?<![\w-])(?P<ref>[A-ZÆØÅ]{1,5}(?:[-/ ]?\d+)(?:[-/.]\d+){1,4})(?![\w-])")
_ORDINALS = ("første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende|ellevte|tolvte"
             "|trettende|fjortende|femtende|sekstende|syttende|attende|nittende|tjuende|tjueførste|tjueandre"
             "|tjuetredje|tjuefjerde|tjuefemte|tjuesjette|tjuesjuende|tjueåttende|tjueniende|trettiende|trettiførste")
_MONTH_ORDINALS = "første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende|ellevte|tolvte"
_SPOKEN_DATE = re.compile(rf"{_B}(?:den\s+)?(?:{_ORDINALS})\s+i\s+(?:{_MONTH_ORDINALS})"
                          rf"(?:\s+(?:{WORD_PATTERN}|\d{{4}}))?{_E}", re.IGNORECASE)
_MONTH_ORDINAL_WORDS = literals(_MONTH_ORDINALS)  # one of them in every _SPOKEN_DATE match


def _plain(word: str, g: Gazetteer) -> bool:
    """A word no rule should take: stop word, filler, number word, keep term, too short."""
    low = word.lower()
    return (len(low) < 2 or low in STOP_WORDS or low in _FILLERS or low in g.builtin_keep
            or _NUMBER_WORD.fullmatch(low) is not None or not low.replace("-", "").isalpha())


class FallbackRecognizer(Recognizer):
    """The recall fallback (see the module docstring): runs after the others, adds only spans
    nobody detected, each under its reason and below the review threshold."""

    name = "fallback"
    always_review = True  # masks the unexplained as the worst case: a person confirms each
    version = "4"
    supported_entities = (PERSON, STED, ORG, SAK, DATO)
    reads_detections = True

    def __init__(self, gazetteer: Gazetteer | None = None, min_score: float = MIN_SCORE):
        self.g = gazetteer or load_gazetteer()
        self.min_score = min_score

    def params(self):
        return {"min_score": self.min_score}

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        taken = [(d.start, d.end) for d in found if d.replaced_at(self.min_score) or d.recognizer.endswith("_lower")]
        out: list[Detection] = []

        def free(start: int, end: int) -> bool:
            return not any(s < end and start < e for s, e in taken)

        def add(start: int, end: int, kind: str, reason: str, lower: bool | None = None, over: bool = False) -> None:
            """``over``: the span may overlap other detections (the merge joins them: a firm's head
            word after a detected place, letters before a detected number), unless one covers it."""
            if start >= end or (not over and not free(start, end)):
                return
            if over and any(s <= start and end <= e for s, e in taken):
                return
            span = text[start:end]
            if lower is None:
                lower = span[:1].islower()
            score = CASELESS if lower else SCORE
            name = f"fallback_{reason}" + ("_lower" if lower else "")
            out.append(Detection(start, end, kind, score, name, span))
            taken.append((start, end))

        persons = [d for d in found if d.type == PERSON and (d.replaced_at(self.min_score) or d.recognizer.endswith("_lower"))]
        self._references(text, add)
        self._dates(text, add)
        self._person_clauses(text, add, persons)
        self._aliases(text, add, persons)
        self._kin_names(text, doc, add)
        self._subjects(text, add)
        self._name_runs(text, add, persons, free)
        self._headed(text, add)
        self._org_regions(text, add)
        self._capitalised(text, add)
        self._place_slots(text, add)
        return out

    # -- rules -------------------------------------------------------------------------------
    def _references(self, text, add):
        for m in _REFERENCE.finditer(text):
            if sum(c.isdigit() for c in m.group("ref")) >= 5:
                add(m.start("ref"), m.end("ref"), SAK, "reference", lower=False, over=True)

    def _dates(self, text, add):
        for m in (_SPOKEN_DATE.finditer(text) if may_hold(text, _MONTH_ORDINAL_WORDS) else ()):
            add(m.start(), m.end(), DATO, "date", lower=False)

    def _person_clauses(self, text, add, persons):
        g = self.g
        for m in _NICKNAME.finditer(text):
            w = m.group("w")
            if (not _plain(w, g) or (w[:1].isupper() and g.is_first(w))) and not g.is_place(w):
                # The clause names the word: an ordinary word too ("alle kaller ham tuppen").
                add(m.start("w"), m.end("w"), PERSON, "person_slot")
        for m in _AGE_OF.finditer(text):
            w = m.group("w")
            if _plain(w, g) or g.is_place(w) or (inflected_noun(w) and not g.is_first(w)):
                continue  # "taksten var ...": a definite noun is a thing
            before = text[max(0, m.start("w") - 8):m.start("w")].split()
            if before and before[-1].lower() in _COPULA:
                continue  # "ayaan er eldst hun er seksten": a predicate, not a name
            # With a pronoun taking it up the clause is about a person; without one, only a name or a
            # word rare in Norwegian ("Lerke e fjorten"; not "huset er fjorten").
            # A capitalised bare noun with an age is one too ("Storm er tolv og spelar ski"): a thing's
            # age has its article or definite form, an amount its unit (``_NOT_AMOUNT``).
            bare = w[:1].isupper() and not w.isupper() and w.lower() not in _KIN_AS_NAME and not inflected_noun(w)
            if m.group("pron") or g.is_first(w) or rare_word(w) or bare:
                add(m.start("w"), m.end("w"), PERSON, "person_slot")
        for m in _QUOTED_CALL.finditer(text):
            w = m.group("w")
            if w[:1].isupper() and (g.is_first(w) or (rare_word(w) and not _plain(w, g))):
                add(m.start("w"), m.end("w"), PERSON, "person_slot", lower=False)
        for m in (_AFTER_PERSON_NOUN.finditer(text) if may_hold(text, _PERSON_NOUN_WORDS) else ()):
            w = m.group("w")
            if not _plain(w, g) and g.is_first(w) and not g.is_place(w):
                add(m.start("w"), m.end("w"), PERSON, "person_slot")
        starts = {d.start for d in persons}
        for m in _LISTED.finditer(text):
            # "Sol, Natan og Miriam": a capitalised first name listed with a detected person.
            if not g.is_first(m.group("w")):
                continue
            pos, items = m.start("next"), []
            for _ in range(4):
                item = _LIST_ITEM.match(text, pos)
                if not item:
                    break
                items.append(item.start("word"))
                if not item.group("sep"):
                    break
                pos = item.end()
            if starts.intersection(items):
                add(m.start("w"), m.end("w"), PERSON, "person_slot", lower=False)

    def _aliases(self, text, add, persons):
        """Another name of a detected person right beside it (``_ALIAS_AFTER``, ``_ALIAS_BEFORE``):
        after "eller bare" any word (a nickname is often a word: "tuppen"); after "eller" alone
        and before "altså" only a short form of the name (``nickname_of``): "Kari eller sjefen"
        names two people. In any case: the frame, not the capital, is the evidence."""
        g = self.g
        for d in persons:
            if not d.replaced_at(self.min_score):
                continue
            m = _ALIAS_AFTER.match(text, d.end)
            if m:
                w = m.group("w")
                initials = w.isupper() and nickname_of(w, d.text)  # "HM" is no filler here
                if initials or (not _plain(w, g) and (m.group("just") or nickname_of(w, d.text))):
                    add(m.start("w"), m.end("w"), PERSON, "alias", lower=False)
            m = _ALIAS_BEFORE.search(text, max(0, d.start - 40), d.start)
            if m:
                w = m.group("w")
                if not _plain(w, g) and nickname_of(w, d.text):
                    add(m.start("w"), m.end("w"), PERSON, "alias", lower=False)

    def _kin_names(self, text, doc, add):
        """Names in two dialect and family frames: the proprial article ("med han mikkel gaup": a
        first name of the list, or any word before a surname of the list) and children listed after
        a plural kin noun with its possessive (both words nouns or names to the parse, or first
        names of the list without one: "ungene mine liv og storm"; not "ungene mine går og leker")."""
        g = self.g
        low = text.lower()
        article = any(f"{a} " in low for a in ("han", "hun", "ho", "hu", "hon", "hen"))  # most turns have none
        for m in (_PROPRIAL.finditer(text) if article else ()):
            w, s = m.group("w"), m.group("s")
            if _plain(w, g) or g.is_place(w):
                continue
            surname = s is not None and not _plain(s, g) and g.is_last(s)
            if surname or g.is_first(w) or explanation(w, g) is None:
                add(m.start("w"), m.end("s") if surname else m.end("w"), PERSON, "proprial_article", lower=False)
        for m in (_ARTICLE_SUBJECT.finditer(text) if article else ()):
            w = m.group("w")
            if _plain(w, g) or g.is_place(w) or not (explanation(w, g) is None or g.is_first(w) and not is_ordinary(w)):
                continue  # "ho berre sa", "han itj kom": a word, its dialect form; the name lists decide the rest
            if self._article_subject(text, doc, m):
                add(m.start("w"), m.end("w"), PERSON, "proprial_article", lower=False)
        for m in _KIN_POSS_LIST.finditer(text):
            a, b = m.group("a"), m.group("b")
            if _plain(a, g) or _plain(b, g):
                continue
            if doc is not None:
                spans = [doc.char_span(m.start(k), m.end(k)) for k in ("a", "b")]
                named = all(sp is not None and all(t.pos_ in ("NOUN", "PROPN", "X") for t in sp) for sp in spans)
            else:
                named = g.is_first(a) and g.is_first(b)
            if named:
                add(m.start("a"), m.end("a"), PERSON, "kin_list", lower=False)
                add(m.start("b"), m.end("b"), PERSON, "kin_list", lower=False)

    @staticmethod
    def _article_subject(text, doc, m) -> bool:
        """The pronoun of ``m`` (``_ARTICLE_SUBJECT``) is the article of a subject: it opens a clause
        (a sentence's start, a comma or a conjunction before it) and a finite verb follows the word,
        or a finite verb stands right before it (the subject after its verb: "då kom ho yordanos")."""
        def verb(start: int, end: int, word: str) -> bool:
            if word.lower() in _SUBJECT_VERBS:
                return True
            span = doc.char_span(start, end) if doc is not None else None
            return span is not None and len(span) == 1 and span[0].pos_ in ("VERB", "AUX")

        before = list(_WORD.finditer(text, max(0, m.start() - 30), m.start()))
        prev = before[-1] if before else None
        between = text[prev.end():m.start()] if prev is not None else ""
        if prev is not None and not between.strip() and verb(prev.start(), prev.end(), prev.group()):
            return True
        opens = (sentence_initial(text, m.start()) or "," in between
                 or (prev is not None and not between.strip() and prev.group().lower() in _OPENERS))
        return opens and m.group("v") is not None and verb(m.start("v"), m.end("v"), m.group("v"))

    def _subjects(self, text, add):
        """A gazetteer first name that is also an ordinary word, as the subject of a verb of saying or
        doing right after a clause boundary ("for liv begynte i barnehagen", "og sol sa"): in lower
        case only (``_lower``), where the transcript's case cannot say it."""
        g = self.g
        for m in (_OBJECT_OF.finditer(text) if may_hold(text, _CONTACT_WORDS) else ()):
            w = m.group("w")
            if g.is_first(w) and not g.is_place(w) and not _plain(w, g) and not inflected_noun(w) \
                    and (w.lower() not in _TIME_NOUNS or not text[m.end("w"):].lstrip().startswith(("og", "i", "på"))):
                add(m.start("w"), m.end("w"), PERSON, "person_slot", lower=True)
        for m in _SUBJECT_OF.finditer(text):
            w = m.group("w")
            if g.is_first(w) and not g.is_place(w) and not _plain(w, g) and not inflected_noun(w):
                add(m.start("w"), m.end("w"), PERSON, "person_slot", lower=True)

    def _name_runs(self, text, add, persons, free):
        g = self.g
        # Each word is asked once whether it can be half of a pair (lower case, on the name list
        # first: few words are first names), not once as each pair's first and once as its second.
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        first = [w[:1].islower() and g.is_first(w) for _s, _e, w in words]
        for i in range(len(words) - 1):
            if not (first[i] and first[i + 1]):
                continue
            (a_start, a_end, wa), (b_start, b_end, wb) = words[i], words[i + 1]
            if text[a_end:b_start] != " " or _plain(wa, g) or _plain(wb, g):
                continue
            if g.is_common_word(wa) and g.is_common_word(wb):
                continue  # "dag liv": two ordinary words
            add(a_start, b_end, PERSON, "name_run", lower=True)
        for d in persons:
            # A surname after a detected first name, perhaps split by the transcription ("gunnar kval
            # vik"): up to two lower-case words, the last a gazetteer surname, any other rare.
            words_after, pos = [], d.end
            for _ in range(2):
                m = _NEXT_WORD.match(text, pos)
                if not m or _plain(m.group("w"), g) or not m.group("w")[:1].islower() \
                        or not free(m.start("w"), m.end("w")):
                    break
                words_after.append(m)
                pos = m.end("w")
            while words_after and not g.is_last(words_after[-1].group("w")):
                words_after.pop()
            if words_after and all(rare_word(m.group("w")) or g.is_last(m.group("w")) for m in words_after):
                add(words_after[0].start("w"), words_after[-1].end("w"), PERSON, "name_run", lower=True)

    def _headed(self, text, add):
        g = self.g
        if not may_hold(text, _HEAD_WORDS):
            return
        for m in _HEADED.finditer(text):
            w2 = m.group("w2")
            if _plain(w2, g) or w2.lower() in ("og", "&"):
                continue
            head = m.group("head")
            kind, reason = (STED, "place_head") if _AREA_WORD.fullmatch(head) else (ORG, "firm_head")
            capital = w2[:1].isupper() and not sentence_initial(text, m.start("w2"))
            distinctive = capital or w2.lower() in _COMPASS or compass_region(w2) or (not g.is_common_word(w2) and (
                place_word(w2) or not seen_in_treebank(w2)))
            if not distinctive or not (capital or _STRONG_HEAD.fullmatch(head)):
                continue
            if not capital:
                # In lower case the name needs its slot: a preposition before it ("jobber på havbris sjømat").
                first = m.start("w1") if m.group("w1") else m.start("w2")
                before = text[max(0, first - 12):first].split()
                if not (before and before[-1].lower() in _PREPOSITION) and not (
                        m.group("w1") and m.group("w1").lower() in _PREPOSITION):
                    continue
            start = m.start("w2")
            w1 = m.group("w1")
            if w1 and not _plain(w1, g) and w1[:1].isupper() == w2[:1].isupper() and (
                    (w1[:1].isupper() and not sentence_initial(text, m.start("w1"))) or place_word(w1)):
                start = m.start("w1")
            add(start, m.end("head"), kind, reason, lower=not capital and text[start:m.end()].islower(), over=True)

    def _org_regions(self, text, add):
        if not may_hold(text, _ORG_WORDS):
            return
        for m in _ORG_REGION.finditer(text):
            c = m.group("c").lower()
            if c in _COMPASS or compass_region(c):
                add(m.start("org"), m.end("c"), ORG, "firm_head")

    def _capitalised(self, text, add):
        g = self.g
        for m in _WORD.finditer(text):
            w = m.group()
            if not w[:1].isupper() or w.isupper() or len(w) < 3 or _plain(w, g) or sentence_initial(text, m.start()):
                continue
            if not rare_word(w) or g.is_common_word(w):
                continue
            before = text[max(0, m.start() - 12):m.start()].split()
            after_prep = bool(before) and before[-1].lower() in _PLACE_PREPOSITIONS
            place = g.is_place(w) or after_prep
            kind = STED if place and not g.is_first(w) else PERSON
            # No Norwegian word at all (nor a dialect form), where a person or place is meant: in a
            # transcript without capitals truecasing wrote the capital, and this is still evidence.
            unknown = not is_word(w) and not dialect_word(w) and (after_prep or person_context(text, m.start(), m.end()))
            add(m.start(), m.end(), kind, "unknown_word" if unknown else "capitalised", lower=False)

    def _place_slots(self, text, add):
        g = self.g
        for m in _PLACE_PREP.finditer(text):
            w = m.group("w")
            # Rare and no form of a common word: a preposition is a weaker slot than a residence verb
            # (slots.py), and "i adopsjon", "på skift" are rare nouns in interviews too.
            if w[:1].islower() and not _plain(w, g) and rare_word(w) and not g.is_first(w) and not inflected_noun(w) \
                    and not is_ordinary(w):
                add(m.start("w"), m.end("w"), STED, "place_slot", lower=True)
