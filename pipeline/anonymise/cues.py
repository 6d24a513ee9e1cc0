"""Names found by the slot they stand in, not by a list: rules a reviewer can check one by one.

* vocative: "Tusen takk, Berit." / "tusen takk krzysiek" — the word closing a thanks or greeting;
* children listed: "vi har to barn, kuba og Zosia" / "to unga, Vår og Ánte";
* left dislocation: "Marites, hun kom fra Filippinene" — a capitalised unknown word taken up by
  a personal pronoun;
* family: "Familien Nguyen", and a listed surname in lower case, "familien nguyen";
* employer: "jobber hos Bygg og Bad Nord", "på Coop Extra"; a name explained as a firm
  ("nordbygg, det er byggfirma");
* a role used as a title, or the office a caseworker sits in, right before a name: "saksbehandler
  per sa", "advokat hansen", "ringte nav kari" (``_ROLE_THEN_NAME``): a listed first name (after a
  title also a listed surname or a capitalised word); a name that is also a frequent word ("per",
  "liv", "dag") only where the clause goes on from it as from a subject (a finite verb, a surname) or
  ends there ("nav per telefon" stays);
* coordination (``coordinated_names``, run after all recognizers): a word joined by og/eller to a
  detected person is a person ("Vår og Ánte" once "Ánte" is found).

A word in a name slot counts when it is capitalised mid-sentence (Norwegian capitalises only
names there), or, in lower case, when it is a gazetteer first name that is no ordinary word;
another lower-case word counts only in a transcript written in lower case, and only if it is no
Norwegian word at all (``CASELESS`` candidates, decided by the stage with ``caseless_name``).
Stop words never count.
``person_context`` is the shared test for "a person is meant here" used by the stage for
lower-case transcripts.
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_word
from .matcher import sentence_initial
from .detection import MIN_SCORE, ORG, PERSON, STED, UPPER, Detection, Recognizer, literals, may_hold

_W = r"[^\W\d_][\w'’-]*"  # a word of letters (any script), maybe with - or '
PRONOUNS = frozenset({"han", "hun", "ho", "hon", "henne", "ham", "honom"})
# Words right before a name: "møte med sol", "time hos Sol", "takk Sol", relation nouns.
PERSON_CUES_BEFORE = frozenset({
    "med", "hos", "takk", "heter", "het", "heiter", "kalt", "kaller", "sier", "naboen", "kona", "mannen", "sønnen",
    "datteren", "dattera", "broren", "søsteren", "venninnen", "kollegaen", "saksbehandleren", "familien", "fru",
    "herr"})
_SENTENCE_END = re.compile(r"[.!?…\n]")
_TOKEN = re.compile(r"\w+")


def person_context(text: str, start: int, end: int, window: int = 6) -> bool:
    """Does the text around ``text[start:end]`` treat it as a person? A personal pronoun among
    the next ``window`` words of the same sentence ("sol var flink, hun snakket sakte"), or a
    person cue right before ("møte med sol", "tusen takk sol")."""
    stop = _SENTENCE_END.search(text, end)
    after = _TOKEN.findall(text, end, stop.start() if stop else len(text))[:window]
    if any(w.lower() in PRONOUNS for w in after):
        return True
    before = _TOKEN.findall(text, max(0, start - 30), start)
    return bool(before) and before[-1].lower() in PERSON_CUES_BEFORE


_YOU = frozenset({"du", "dere", "dokker", "dykk", "dåkker"})
# "og"/"eller" alone between the two, no punctuation: "Bures, og giitu" (a greeting, then a clause) is no pair.
_COORDINATION = re.compile(r"[ \t]+(?:og|eller)[ \t]+", re.IGNORECASE)


def addressed(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` the person a question or remark ends by addressing, right after its
    "du" ("ka tenkte du maks", "hva synes du, sol?"): nothing but punctuation follows it to the
    sentence's or the turn's end. Asked only of a name the key already holds as a person."""
    stop = _SENTENCE_END.search(text, end)
    if _TOKEN.search(text, end, stop.start() if stop else len(text)):
        return False
    before = _TOKEN.findall(text, max(0, start - 30), start)
    return bool(before) and before[-1].lower() in _YOU


def coordinated(text: str, start: int, end: int, persons: list[tuple[int, int]]) -> bool:
    """Is ``text[start:end]`` joined by "og"/"eller" to one of ``persons`` (spans), right before
    or right after it ("tusen takk olena og maks", "stein og sol")? A comma, alone or before the
    "og", is not enough ("takk kari, storm i kveld")."""
    for s, e in persons:
        gap = text[e:start] if e <= start else text[end:s] if end <= s else None
        if gap is not None and _COORDINATION.fullmatch(gap):
            return True
    return False


# The copula, auxiliaries and verbs of doing a subject stands right before (dialect "e", "va", "ska").
_SUBJECT_VERBS = frozenset({"er", "e", "var", "va", "har", "hadde", "skal", "ska", "vil", "kan", "må", "blir", "ble",
                            "vart", "bor", "bodde", "går", "gikk", "jobber", "jobbar", "jobba", "kom", "kommer", "sa",
                            "sier", "fikk", "får", "fekk", "spiller", "spelar", "begynte", "begynner"})
_CLAUSE_OPENERS = frozenset({"og", "men", "at", "så", "når", "mens", "fordi"})


def subject_slot(text: str, start: int, end: int) -> bool:
    """Does ``text[start:end]`` open a clause (the turn's or a sentence's start, a comma, og/men/at/
    så/når) with a finite verb right after it ("og storm er i barnehagen", "sol e med i korpset")?
    A bare common noun rarely stands there without its article, so a name the study has already
    detected as a person (the key's) is the subject there; not asked of any other word."""
    nxt = re.match(r" (\w+)", text[end:end + 20])
    if not nxt or nxt.group(1).lower() not in _SUBJECT_VERBS:
        return False
    before = text[max(0, start - 30):start].rstrip()
    if not before or before[-1] in ".!?…,:;":
        return True
    words = _TOKEN.findall(before)
    return bool(words) and words[-1].lower() in _CLAUSE_OPENERS


# A lower-case word that is no Norwegian word and no known name ("krzysiek", "nordbygg") is a name
# only where case says nothing: such detections score this (review only) under a recognizer name
# ending in "_lower", and the stage raises them in transcripts written in lower case.
CASELESS = 0.45


def _rec(name: str, score: float) -> str:
    return name + "_lower" if score == CASELESS else name


def slot_score(word: str, text: str, start: int, g: Gazetteer, capitalised_score: float = 0.75) -> float:
    """How sure a word standing in a name slot is a name (0: not one)."""
    bare = word[:-1] if word.endswith("s") and len(word) > 3 and not g.is_first(word) and g.is_first(word[:-1]) else word
    low = bare.lower()
    if low in g.builtin_keep or len(low) < 2:
        return 0.0
    # A function word is no name, unless it is a first name capitalised mid-sentence ("Vår og Ánte").
    if low in STOP_WORDS and not (word[:1].isupper() and g.is_first(bare) and not sentence_initial(text, start)):
        return 0.0
    if word.isupper() and len(word) > 1:
        return 0.0  # an acronym (NAV, UNN) is an organisation, and keep terms decide those
    if word[:1].isupper():
        if g.is_place(bare):
            return 0.0
        if not sentence_initial(text, start):
            # Capitalised mid-sentence: a name, unless an ordinary word some transcribers capitalise
            # ("Mamma", "Pappa") that is no first name.
            return 0.0 if g.is_common_word(bare) and not g.is_first(bare) else capitalised_score
        return 0.7 if (g.is_first(bare) and not g.is_common_word(bare)) or not is_word(bare) else 0.0
    if g.is_common_word(bare):
        return 0.0
    if g.is_first(bare) and len(low) >= 3:
        return 0.75
    if len(low) >= 3:
        return CASELESS  # whether it is a Norwegian word is asked only where case says nothing
    return 0.0


def caseless_name(d: Detection) -> bool:
    """In a transcript written in lower case: is a ``CASELESS`` candidate a name? A gazetteer name
    is; another word only if it is no Norwegian word — for a firm, not listed itself, as firm
    names are often compounds of ordinary words ("nordbygg"). Only here is the lexicon loaded."""
    if d.recognizer.startswith(("gazetteer", "place_slot", "place_coordination", "org_form", "org_slot",
                                    "fallback", "unexplained")):
        return True  # a gazetteer name, or a word rare in Norwegian standing in a place or firm slot (slots.py)
    return not in_dictionary(d.text) if d.type == ORG else not is_word(d.text)



# --------------------------------------------------------------- recognizer

_VOCATIVE = re.compile(
    rf"(?<![\w])(?:takk|hei|hallo|heisann)(?:\s+(?:skal du ha|så mye|for (?:praten|samtalen|nå|i dag)))?"
    rf"\s*,?\s+(?P<name>{_W}(?:\s+{_W})?)\s*(?=[.!?…]|$)", re.IGNORECASE | re.MULTILINE)
_GREETING_WORDS = literals("takk|hei|hallo|heisann")  # one of them in every _VOCATIVE match
_KIN = (r"barn|barna|unger|ungene|unga|ungan|ungar|born|borna|døtre|døtrene|sønner|sønnene|søsken|søsknene|"
        r"brødre|søstre|tvillinger|tvillingene|barnebarn|barnebarna|gutter|jenter")
_KIN_LIST = re.compile(rf"(?<![\w])(?:{_KIN})\s*[,:]\s+", re.IGNORECASE)
_KIN_WORDS = literals(_KIN)  # one of them in every _KIN_LIST match
_LIST_ITEM = re.compile(rf"(?P<word>{_W})(?P<sep>\s*,\s*|\s+(?:og|eller|&)\s+)?")
_UPPER = UPPER  # every Latin capital: Sámi, Icelandic, Polish names too
_DISLOCATION = re.compile(rf"(?<![\w'’-])(?P<name>[{_UPPER}][\w'’-]*)\s*,\s+(?:han|hun|ho|hon)\b")
_FAMILY = re.compile(rf"(?<![\w])(?i:familien)\s+(?P<name>{_W})")
_CAP = rf"[{_UPPER}][\w'’&-]*"
_EMPLOYED = ("jobber|jobbet|jobba|jobbar|jobbe|jobb|arbeider|arbeidet|arbeida|arbeidar|ansatt|tilsett|praksis"
             "|lærling")
_EMPLOYER = re.compile(
    rf"(?<![\w])(?i:{_EMPLOYED})(?:\s+(?i:som|sum)\s+[\w-]+)?\s+"
    rf"(?:hos|i|på|for|ved)\s+(?P<org>{_CAP}(?:(?:\s+(?:og|&)\s+|\s+){_CAP}){{0,3}})")
_EMPLOYED_WORDS = literals(_EMPLOYED)  # one of them in every _EMPLOYER match
# "frå Herat i Afghanistan": a capitalised word said to be in a country is a place there.
_PLACE_IN_COUNTRY = re.compile(rf"(?<![\w])(?i:fra|frå|i|fødd i|født i)\s+(?P<place>[{_UPPER}][\w'’-]+)\s*,?\s+i\s+"
                               rf"(?P<country>[{_UPPER}][\w'’-]+(?:\s+[{_UPPER}][\w'’-]+)?)")
_FIRM_WORDS = r"firma|firmaet|bedrift|bedriften|selskap|selskapet|butikk|butikken|kjede|kjeden|restaurant|verksted"
_EXPLAINED_ORG = re.compile(
    rf"(?<![\w])(?P<name>{_W}),\s+det\s+er\s+(?:et\s+|en\s+|ei\s+)?\w*(?:{_FIRM_WORDS})(?![\w])", re.IGNORECASE)
_DEFINITE = re.compile(r"(?:en|et|a|ene|ane|ne)$")
# Roles said as a title before a name ("saksbehandler Per", "advokat hansen"), indefinite as titles are,
# and the offices and institutions a caseworker is named by ("nav kari", "husbanken per").
_TITLES = ("saksbehandler|saksbehandlar|rådgiver|rådgjevar|veileder|rettleiar|konsulent|boligkonsulent|fastlege|lege"
           "|doktor|advokat|rektor|lærer|lærar|megler|meglar|eiendomsmegler|prest|tolk|sykepleier|sjukepleiar"
           "|kontaktperson|miljøarbeider|miljøterapeut|vaktmester|vaktmeister|takstmann|dommer|professor|direktør"
           "|ordfører|programrådgiver|bostedsveileder|miljøveileder")
_INSTITUTIONS = ("nav|husbanken|kommunen|kommuna|bydelen|banken|skatteetaten|udi|imdi|boligkontoret|sosialkontoret"
                 "|flyktningtjenesten|flyktningkontoret|barnevernet|lånekassen|trygdekontoret|introsenteret")
_ROLE_THEN_NAME = re.compile(rf"(?<![\w'’-])(?:(?P<title>{_TITLES})|(?P<office>{_INSTITUTIONS}))[ \t]+(?P<name>{_W})"
                             rf"(?:[ \t]+(?P<second>{_W}))?", re.IGNORECASE)
_ROLE_WORDS = literals(f"{_TITLES}|{_INSTITUTIONS}")  # one of them in every _ROLE_THEN_NAME match
# Verbs a subject stands right before, for the name that is also a word: "saksbehandler per sa ...".
_AFTER_SUBJECT = _SUBJECT_VERBS | frozenset({"ringte", "ringde", "sendte", "skrev", "skreiv", "hjalp", "hjelpte",
                                             "spurte", "mente", "meinte", "ordnet", "ordna", "tok", "ville", "kunne",
                                             "skulle", "måtte", "hadde"})
_CLAUSE_END_AFTER = re.compile(r"\s*[.!?…]")
# A role after these is what someone is or works as, no title before a name ("jobber som lege",
# "han ble lærer", "en tolk").
_PREDICATIVE = frozenset({"som", "sum", "er", "e", "var", "va", "ble", "blei", "vart", "blitt", "vorte", "være", "vere",
                          "bli", "en", "ei", "et", "ein", "eit", "ny", "god", "flink"})


class CueNameRecognizer(Recognizer):
    """Names and firms found by the slot they stand in (see the module docstring)."""

    name = "cue"
    version = "3"
    supported_entities = (PERSON, ORG, STED)

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.g = gazetteer or load_gazetteer()

    def analyze(self, text, doc=None):
        g = self.g
        found: list[Detection] = []
        for m in (_VOCATIVE.finditer(text) if may_hold(text, _GREETING_WORDS) else ()):
            words = list(re.finditer(_W, m.group("name")))
            first = words[0]
            score = slot_score(first.group(), text, m.start("name"), g, 0.8)
            if not score:
                continue
            end = m.start("name") + first.end()
            if len(words) > 1:
                second = words[1]
                if slot_score(second.group(), text, m.start("name") + second.start(), g) \
                        and second.group()[:1].isupper() == first.group()[:1].isupper():
                    end = m.start("name") + second.end()
                else:
                    continue  # "takk, flott kjøkken": the closing two words are no name
            found.append(Detection(m.start("name"), end, PERSON, score, _rec(self.name, score),
                                   text[m.start("name"):end]))
        for m in (_KIN_LIST.finditer(text) if may_hold(text, _KIN_WORDS) else ()):
            pos = m.end()
            while True:
                item = _LIST_ITEM.match(text, pos)
                if not item:
                    break
                score = slot_score(item.group("word"), text, item.start(), g)
                if not score:
                    break
                found.append(Detection(item.start("word"), item.end("word"), PERSON, score, _rec(self.name, score),
                                       item.group("word")))
                if not item.group("sep"):
                    break
                pos = item.end()
        for m in (_DISLOCATION.finditer(text) if "," in text else ()):
            word = m.group("name")
            if g.is_common_word(word) or g.is_place(word) or word.lower() in g.builtin_keep or word.isupper():
                continue
            if g.is_first(word) or g.is_last(word):
                found.append(self._d(text, m.start("name"), m.end("name"), PERSON, 0.85))
            elif not is_word(word):  # "Marites, hun ...", not "Datteren, hun ..."
                found.append(self._d(text, m.start("name"), m.end("name"), PERSON, 0.75))
        for m in _FAMILY.finditer(text):
            word = m.group("name")
            if g.is_common_word(word) or g.is_place(word) or word.lower() in g.builtin_keep:
                continue
            if word[:1].isupper():
                found.append(self._d(text, m.start("name"), m.end("name"), PERSON, 0.85 if g.is_last(word) else 0.8))
            elif word.lower() not in STOP_WORDS and g.is_last(word):
                # "familien tran": a transcriber who leaves names in lower case writes the family's
                # name so too; a listed surname there names it (reviewed), not what the family does.
                found.append(self._d(text, m.start("name"), m.end("name"), PERSON, 0.7))
        for m in (_EMPLOYER.finditer(text) if may_hold(text, _EMPLOYED_WORDS) else ()):
            org = m.group("org").rstrip(".")
            if org.isupper() or org.lower() in g.builtin_keep or g.is_place(org):
                continue  # acronyms and country names are keep terms' business; places are places
            found.append(self._d(text, m.start("org"), m.start("org") + len(org), ORG, 0.75))
        for m in _PLACE_IN_COUNTRY.finditer(text):
            place, country = m.group("place"), m.group("country")
            if country.lower() in g.builtin_keep and place.lower() not in g.builtin_keep \
                    and not g.is_common_word(place) and not g.is_first(place):
                found.append(self._d(text, m.start("place"), m.end("place"), STED, 0.8))
        found.extend(self._role_names(text))
        for m in (_EXPLAINED_ORG.finditer(text) if "," in text else ()):
            word = m.group("name")
            low = word.lower()
            if low in STOP_WORDS or g.is_common_word(word) or g.is_place(word) or low in g.builtin_keep:
                continue
            if word[:1].islower() and _DEFINITE.search(low):
                continue  # "boligbyggelaget, det er et selskap": a definite common noun explained
            score = CASELESS if word[:1].islower() else 0.7  # a firm's name is capitalised where case counts
            found.append(Detection(m.start("name"), m.end("name"), ORG, score, _rec(self.name, score), word))
        return found

    def _role_names(self, text: str) -> list[Detection]:
        """A name right after a title or an office (``_ROLE_THEN_NAME``, see the module docstring):
        0.75 capitalised mid-sentence, 0.7 in lower case (replaced, listed for review)."""
        g = self.g
        out = []
        for m in (_ROLE_THEN_NAME.finditer(text) if may_hold(text, _ROLE_WORDS) else ()):
            word, second = m.group("name"), m.group("second")
            low = word.lower()
            if (low in STOP_WORDS or low in g.builtin_keep or len(low) < 3 or word.isupper() or g.is_place(word)
                    or low in PERSON_CUES_BEFORE):
                continue
            capitalised = word[:1].isupper() and not sentence_initial(text, m.start("name"))
            title = m.group("title") is not None
            before = _TOKEN.findall(text, max(0, m.start() - 30), m.start())
            if title and before and before[-1].lower() in _PREDICATIVE:
                continue  # "hun jobber som lege liv er ...": the profession, not a title
            if not (g.is_first(word) or (title and (g.is_last(word) or (capitalised and not is_word(word))))):
                continue  # an office takes a listed first name; a title also a surname or a capitalised name
            surname = second is not None and second.lower() not in STOP_WORDS and g.is_last(second) \
                and not g.is_common_word(second) and second[:1].isupper() == word[:1].isupper()
            if g.is_common_word(word) and not surname:
                after = text[m.end("name"):]
                nxt = re.match(r"[ \t]+(\w+)", after)
                if not (_CLAUSE_END_AFTER.match(after) or (nxt and nxt.group(1).lower() in _AFTER_SUBJECT)):
                    continue  # "fra nav per telefon", "lege dag og natt": the word, not the name
            end = m.end("second") if surname else m.end("name")
            out.append(self._d(text, m.start("name"), end, PERSON, 0.75 if capitalised else 0.7))
        return out


# ----------------------------------------------------------- coordination

_AFTER = re.compile(rf"\s*,?\s*(?:og|eller|&)\s+(?P<word>{_W})")
_BEFORE = re.compile(rf"(?P<word>{_W})\s*,?\s+(?:og|eller|&)\s*$")


def coordinated_names(text: str, detections: list[Detection], g: Gazetteer | None = None,
                      min_score: float = MIN_SCORE) -> list[Detection]:
    """Words joined by og/eller/& to a detected person, as persons ("kuba og Zosia", "Vår og Ánte").

    Applied twice, so a chain of three is covered. Only words in a name slot (``slot_score``), beside
    a person the stage replaces at ``min_score`` or a lower-case hit it keeps in a lower-case transcript.
    """
    g = g or load_gazetteer()
    # A span only listed for review (the model's sentence-opening "Bjørnar" at 0.45) is not taken.
    people = [d for d in detections if d.type == PERSON and (d.replaced_at(min_score) or d.recognizer.endswith("_lower"))]
    spans = [(d.start, d.end) for d in detections if d.replaced_at(min_score) or d.recognizer.endswith("_lower")]
    added: list[Detection] = []
    for _ in range(2):
        new: list[Detection] = []
        for d in people:
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
                score = min(slot_score(text[start:end], text, start, g), 0.75)
                if not score and end <= d.start and _couple_first_name(text[start:end], text, start, d, g):
                    score = 0.7
                if score:
                    det = Detection(start, end, PERSON, score, _rec("coordination", score), text[start:end])
                    new.append(det)
                    spans.append((start, end))
        if not new:
            break
        added += new
        people = new
    return added


def _couple_first_name(word: str, text: str, start: int, person: Detection, g: Gazetteer) -> bool:
    """"Bjørnar og Elin Stavrum", "Torgeir og Lise Bakke": a capitalised word opening a sentence
    before og/eller and a person named in two or more capitalised words is the first name of the
    pair, unless it can be the noun it spells: a frequent word, a definite or plural noun
    ("Søsteren og Elin Stavrum", "Barna og ..."), a place or a function word. ``slot_score``
    says nothing of a capital that opens a sentence; the pair's parallel form does."""
    from .slots import inflected_noun

    words = _TOKEN.findall(person.text)
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return False
    low = word.lower()
    return (word[:1].isupper() and not word.isupper() and len(low) >= 3 and sentence_initial(text, start)
            and low not in STOP_WORDS and low not in g.builtin_keep and not g.is_common_word(word)
            and not g.is_place(word) and not inflected_noun(word) and low not in PERSON_CUES_BEFORE)


class CoordinationRecognizer(Recognizer):
    """Runs after the others: words joined by og/eller/& to a person they found (``coordinated_names``)."""

    name = "coordination"
    version = "1"
    supported_entities = (PERSON,)
    reads_detections = True

    def __init__(self, gazetteer: Gazetteer | None = None, min_score: float = MIN_SCORE):
        self.g = gazetteer or load_gazetteer()
        self.min_score = min_score

    def params(self):
        return {"min_score": self.min_score}

    def analyze(self, text, doc=None, found: list[Detection] = ()):
        return coordinated_names(text, list(found), self.g, self.min_score)
