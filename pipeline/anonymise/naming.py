"""Persons the sentence itself names, in any case: the clause says "this word is someone's name".

In a transcript without capitals a first name is a lower-case word, and many first names are
ordinary words ("liv", "sol", "frode" is a verb form), so neither case nor the lexicon decides.
What does is a clause whose only reading makes the word a name:

* naming verbs: "X heter han/hun/ho" and "heter X", "kaller de meg X", "kalt X"; where the
  subject of the naming verb is a person (a personal pronoun or a kin or role noun: "hun heter
  signe", "kona mi, hu heter ...", "eieren heter storm", "så heiter ho liv") the word after it is
  the person's name even when it is an ordinary word (``_person_named``, for review);
* an age given as "X som er ti (år)": "to unger liv som er ti og tor einar som er sju";
* a cleft with a speech or deed verb: "det var frode som sa ...", "det var tor einar som ringte";
* an identification: "sol det er dattera mi", "frode er naboen vår";
* another name of a person: "oddemann som vi kaller han", "tuppen eh hun heter egentlig tove";
  a name spelled out: "hetta er det med to t".

Two first names in a row are one name ("tor einar"); a following last name of the gazetteer
joins it ("frode hunnestad heter han": the whole two-word subject of "heter"). The naming verb
and the age clause accept any word that is no stop word (the clause names it), the other-name and
spelling clauses one word whatever it is, an ordinary word too; the cleft and the
identification need a gazetteer first name, as there a common noun fits too ("det var mora som
sa", "huset er naboen sitt"). A detected name that is an ordinary word is still not spread by the
key to the word's other uses (stage.py); this recognizer only finds it where the clause names it.
"""

from __future__ import annotations

import re

from spacy.lang.nb.stop_words import STOP_WORDS

from .detection import PERSON, Detection, Recognizer, literals, may_hold
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import is_word
from .numbers import WORD_PATTERN
from .recognizers import CHILD_WORDS, KIN_AND_ROLE_WORDS

_W = r"[^\W\d_][\w'’-]*"
_NAME = rf"(?P<name>{_W}(?:\s+{_W}){{0,2}})"
# Before the clause word, as few words as will do (the leftmost match then holds no words before the name).
_NAME_BEFORE = rf"(?P<name>{_W}(?:\s+{_W}){{0,2}}?)"
_PRONOUN = r"(?:han|hun|ho|hon|jeg|eg|æ|je|vi|dem|de)"
_NAMING_VERB = r"(?:heter|het|heiter|heite|hete|heitte|hette|kalles|vart\s+kalla|ble\s+kalt)"
# Adverbs between a naming verb and the name ("heter egentlig tove", "heiter jo Kari").
_ADVERB = r"(?:\s+(?:bare|berre|for|egentlig|eigentleg|eigentlig|jo|visst))?"
# "frode hunnestad heter han", "liv heiter ho"
_NAME_THEN_VERB = re.compile(rf"(?<![\w'’-]){_NAME_BEFORE}\s+{_NAMING_VERB}\s+{_PRONOUN}(?![\w'’-])", re.IGNORECASE)
# "han heter frode", "kaller de meg bare hegga", "vi kalte ham tor", "kalt hegga"
_VERB_THEN_NAME = re.compile(
    rf"(?<![\w'’-])(?:(?:{_NAMING_VERB}|kalt|kalla){_ADVERB}"
    rf"|(?:kaller|kalte|kalla|kallar)\s+(?:de|dem|vi|folk|alle|han|hun|ho|dei)\s+(?:meg|mæ|me|deg|han|henne|ho|ham|oss)"
    rf"(?:\s+(?:bare|berre|for))?)\s+{_NAME}", re.IGNORECASE)
_AGE = rf"(?:{WORD_PATTERN}|\d{{1,2}})"
# "liv som er ti", "tor einar som er sju år", "sol som e fem"
_NAME_AGE = re.compile(rf"(?<![\w'’-]){_NAME_BEFORE}\s*,?\s+som\s+(?:er|e|var|va|blir|fyller|fylte)\s+{_AGE}"
                       rf"(?:\s+(?:år|månader|måneder))?(?![\w'’-])", re.IGNORECASE)
_CLEFT = re.compile(
    rf"(?<![\w'’-])det\s+(?:var|va|er|e|vart|ble)\s+{_NAME_BEFORE}\s+som\s+(?:sa|sei|seier|sier|sagt|fortalte|forklarte"
    rf"|mente|meinte|ringte|ringde|hjalp|hjelpte|skreiv|skrev|sendte|spurte|tok|fikk|fekk|kom)(?![\w'’-])",
    re.IGNORECASE)
_KIN = (r"dattera|datteren|dotter|dottera|sønnen|sonen|guten|gutten|jenta|mannen|kona|kone|mora|moren|faren|far|mor"
        r"|broren|bror|søstera|søsteren|syster|naboen|nabo|venninna|venninnen|kameraten|kjæresten|samboeren"
        r"|svigermor|svigerfar|svogeren|saksbehandleren|saksbehandlaren|sjefen|tolken|legen|fastlegen")
_POSSESSIVE = r"(?:min|mi|mitt|mine|di|din|ditt|hans|hennes|vår|vårt|deres|dokkers|sin|si|sitt)"
# "sol det e dattera di", "frode, det er naboen vår", "tor einar er broren min"
_IDENTIFIED = re.compile(
    rf"(?<![\w'’-]){_NAME_BEFORE}\s*,?\s+(?:det\s+|han\s+|hun\s+|ho\s+)?(?:er|e|var|va)\s+(?:{_POSSESSIVE}\s+)?(?:{_KIN})"
    rf"(?:\s+{_POSSESSIVE})?(?![\w'’-])", re.IGNORECASE)

# "oddemann som vi kaller han", "tuppen som alle kallar ho": a relative naming clause.
_NAME_AS_CALLED = re.compile(
    rf"(?<![\w'’-]){_NAME_BEFORE}\s*,?\s+som\s+(?:vi|me|de|dei|alle|folk|mange|du|dokker)\s+(?:kaller|kallar|kalte"
    rf"|kalla|kalt)\s+(?:han|ham|henne|ho|hu|meg|mæ|oss|deg)(?![\w'’-])", re.IGNORECASE)
# A word, then a clause saying what that person is really called: the word is another name of
# theirs. The clause is a third-person pronoun and any naming verb with a "really" adverb, in either
# order, after a filler or a conjunction: "naboen tuppen eh hun heter egentlig tove", "kåre, men
# han het eigentleg ...", "buddy, egentlig heter han ...", "tuppen ho heiter i røynda ...". After a
# conjunction the word may end any clause ("det var greit, men han het egentlig ..."): there it must
# be a name of the lists or no word of the lexicon.
_REALLY = r"(?:egentlig|eigentleg|eigentlig|egentleg|egentli|eigentli|i\s+virkeligheten|i\s+røynda|i\s+røyndomen)"
_THIRD_PERSON = r"(?:han|hun|ho|hu|hon)"
_NAME_REALLY = re.compile(
    rf"(?<![\w'’-]){_NAME_BEFORE}\s*,?\s+(?:(?:eh|ehm|øh|æh|altså|(?P<conj>men|og|så))\s+)?"
    rf"(?:{_THIRD_PERSON}\s+{_NAMING_VERB}\s+{_REALLY}|{_REALLY}\s+{_NAMING_VERB}\s+{_THIRD_PERSON})(?![\w'’-])",
    re.IGNORECASE)

# "hetta er det med to t", "Annette, med dobbel t": a name spelled out (a doubled letter in a word is
# said only of a name; a common word's spelling is nobody's question in an interview).
_SPELLED = r"med\s+(?:to|dobbel|dobbelt|doble)[\s-]+[a-zæøå](?![\w'’-])"
_NAME_SPELLED = re.compile(rf"(?<![\w'’-]){_NAME_BEFORE}\s*,?\s+(?:(?:er|e)\s+det\s+|skrives\s+|staves\s+|skrivast\s+)?"
                           rf"{_SPELLED}", re.IGNORECASE)

# A naming verb whose subject is a person: what follows is that person's name, an ordinary word too
# ("hun heter signe", "ho heiter liv", "kona mi, hu heter ...", "eieren heter storm"). The subject is a
# singular personal pronoun or a kin or role noun (maybe with its possessive) right before the verb, or
# the pronoun right after it ("så heiter ho liv"); "det heter ...", "skolen heter ...", "hunden heter ..."
# name a thing, and an ordinary word after them stays what the thing is called.
_PERSON_PRONOUNS = frozenset({"han", "hun", "hu", "ho", "hon", "jeg", "eg", "æ", "je", "du"})
# The kin and role nouns are the recognizers' one list (``recognizers.KIN_AND_ROLE_WORDS``, with the
# words for one's girl or boy), so a name after "eieren" and "eieren heter X" read the same nouns.
_PERSON_NOUNS = frozenset(_KIN.split("|")) | KIN_AND_ROLE_WORDS | CHILD_WORDS
# A compound ending in a kin or role noun of this many letters names a person too ("lillebroren",
# "boligkonsulenten"); a shorter ending would make other words persons ("humor" of "mor").
_MIN_COMPOUND_TAIL = 5
_PERSON_TAILS = tuple(sorted(w for w in _PERSON_NOUNS if len(w) >= _MIN_COMPOUND_TAIL))
_POSSESSIVES = frozenset(_POSSESSIVE.strip("(?:)").split("|"))
# Words that stand between the verb and the name and are none ("hun heter faktisk ...", "han het visst ...").
_SKIPPED = frozenset({"bare", "berre", "egentlig", "eigentleg", "eigentlig", "egentleg", "jo", "visst", "vel", "liksom",
                      "faktisk", "forresten", "nemlig", "altså", "kanskje", "sikkert", "visstnok", "vist", "nå", "no",
                      "da", "også", "òg", "tidligere", "før", "fortsatt", "fremdeles", "ennå", "enda", "nok", "fullt",
                      "ut", "eh",
                      "ehm", "øh", "æh", "hm", "mm"})
# What a person is called that is no name ("hun heter noe sånt", "han heter hva", "han het ikkje det").
_NO_NAME = frozenset({"sånn", "sånt", "slik", "slikt", "noe", "noko", "nåkka", "nokke", "hva", "ka", "kva", "ikkje",
                      "ittj", "itte", "ingenting", "ingen", "samme", "same", "akkurat", "sa", "sier", "seier", "tror",
                      "trur", "mener", "meiner", "vet", "veit", "husker", "hugsar", "lenger", "lenge", "igjen"})
# What opens a clause whose verb comes before its pronoun subject: "så heiter ho ...", "nå heter han ...".
_INVERTING = frozenset({"så", "da", "nå", "no", "der", "her", "og", "men", "forresten", "egentlig", "eigentleg",
                        "eigentlig", "egentleg"})
# A question asks the name, it gives none: "hva heter han", "jeg vet ikke hva hun heter lenger".
_ASKING = frozenset({"hva", "ka", "kva", "kå", "hvem", "kven", "hvordan", "korleis", "åssen", "koss", "hvilken"})
_HESITATIONS = frozenset({"eh", "ehm", "øh", "æh", "hm", "mm"})
_NAMING_VERB_RE = re.compile(rf"(?<![\w'’-]){_NAMING_VERB}(?![\w'’-])", re.IGNORECASE)
_WORD_RE = re.compile(_W)
_GAP_THEN_WORD = re.compile(rf"[ \t]*,?[ \t]+(?P<w>{_W})")
_NUMBER_WORD = re.compile(WORD_PATTERN, re.IGNORECASE)


def _person_noun(word: str) -> bool:
    """A kin or role noun, or a compound ending in one of ``_MIN_COMPOUND_TAIL`` letters or more."""
    low = word.lower()
    return low in _PERSON_NOUNS or (len(low) > _MIN_COMPOUND_TAIL and low.endswith(_PERSON_TAILS))


# Each rule's fixed word, searched first: most turns have none, and the patterns that read words
# before it (lazily, at every word) are then not tried at all.
_NAMING_WORD = re.compile(rf"(?<![\w'’-])(?:{_NAMING_VERB}|kalt|kalla|kaller|kalte|kallar)(?![\w'’-])", re.IGNORECASE)
_SOM = re.compile(r"(?<![\w'’-])som(?![\w'’-])", re.IGNORECASE)
_SPELLED_WORD = re.compile(_SPELLED, re.IGNORECASE)
_AS_CALLED_WORD = re.compile(r"som\s+\w+\s+(?:kaller|kallar|kalte|kalla|kalt)(?![\w'’-])", re.IGNORECASE)
_REALLY_WORD = re.compile(rf"(?<![\w'’-]){_REALLY}(?![\w'’-])", re.IGNORECASE)
_KIN_NOUN = re.compile(rf"(?:{_KIN})", re.IGNORECASE)
_KIN_WORD = re.compile(rf"(?<![\w'’-])(?:{_KIN})(?![\w'’-])", re.IGNORECASE)
# What each fixed word holds, for ``may_hold`` before the search: every naming verb holds "het", "heit",
# "kall" or "kalt".
_NAMING_LETTERS = literals("het|heit|kall|kalt")
_CALLED_LETTERS = literals("kall|kalt")
_REALLY_LETTERS = literals("egentl|eigentl|virkelighet|røynd")
_KIN_WORDS = literals(_KIN)
# (pattern, its fixed word, what that word holds, does the name need to be a gazetteer first name, score,
# is it a person's name whatever word it is: the clause says it is what someone is called, of a person)
_RULES = ((_NAME_THEN_VERB, _NAMING_WORD, _NAMING_LETTERS, False, 0.8, False),
          (_VERB_THEN_NAME, _NAMING_WORD, _NAMING_LETTERS, False, 0.8, False),
          (_NAME_AGE, _SOM, ("som",), True, 0.8, False), (_CLEFT, _SOM, ("som",), True, 0.75, False),
          (_IDENTIFIED, _KIN_WORD, _KIN_WORDS, True, 0.75, False),
          (_NAME_AS_CALLED, _AS_CALLED_WORD, _CALLED_LETTERS, False, 0.7, True),
          (_NAME_REALLY, _REALLY_WORD, _REALLY_LETTERS, False, 0.7, True),
          (_NAME_SPELLED, _SPELLED_WORD, ("med",), False, 0.7, True))
_BEFORE_VERB = (_NAME_THEN_VERB, _NAME_AGE, _CLEFT, _IDENTIFIED, _NAME_AS_CALLED, _NAME_REALLY, _NAME_SPELLED)


class NamingClauseRecognizer(Recognizer):
    """A person named by the clause around the word (see the module docstring)."""

    name = "naming_clause"
    version = "4"
    supported_entities = (PERSON,)

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.g = gazetteer or load_gazetteer()

    def analyze(self, text, doc=None):
        found: list[Detection] = []
        for pattern, anchor, letters, need_first, score, any_word in _RULES:
            if not may_hold(text, letters) or not anchor.search(text):
                continue
            for m in pattern.finditer(text):
                span = self._name_span(m, text, before_verb=pattern in _BEFORE_VERB, need_first=need_first,
                                       any_word=any_word)
                if span is not None:
                    found.append(self._d(text, span[0], span[1], PERSON, score))
        if may_hold(text, _NAMING_LETTERS) and _NAMING_WORD.search(text):
            found.extend(d for d in self._person_named(text)
                         if not any(o.start < d.end and d.start < o.end for o in found))
        return found

    def _person_named(self, text: str) -> list[Detection]:
        """The name after a naming verb whose subject is a person (``_PERSON_PRONOUNS`` or a kin or
        role noun, maybe with its possessive, right before the verb, or the pronoun right after it),
        over the adverbs and hesitations between them (``_SKIPPED``): any word but a function word
        or one of ``_NO_NAME``, with the listed first names and surnames right after it. A listed
        name, a word the lexicon lacks or a capitalised word scores 0.8; an ordinary word in lower
        case 0.7, which is replaced and listed for review (a naming cue, not a list, says it is a name)."""
        g = self.g
        out = []
        for verb in _NAMING_VERB_RE.finditer(text):
            words = self._words_after(text, verb.end())
            if not words:
                continue
            before = [m.group().lower() for m in _WORD_RE.finditer(text, max(0, verb.start() - 60), verb.start())]
            if not self._subject_before(text, verb.start()):
                if words[0][2].lower() not in _PERSON_PRONOUNS or not self._opens_inverted(text, verb.start()):
                    continue  # "det heter ...", "skolen heter ...": a thing's name; "hva heter han"
                words = words[1:]
            elif len(before) > 1 and before[-2] in _ASKING:
                continue  # "hva hun heter nå"
            prev = None
            while words and words[0][2].lower() in _SKIPPED:
                prev = words[0][2].lower()
                words = words[1:]
            if not words:
                continue
            s, e, w = words[0]
            if "," in text[max(0, s - 3):s] and prev not in _HESITATIONS:
                continue  # "hva heter han, sa du": a comma before the word ends the naming clause
            low = w.lower()
            # A first name that is also a function word ("hans", "dag", "vår") is the name here: after a
            # person's naming verb no possessive or adverb can stand alone ("han heitte hans sen").
            function_word_name = low in STOP_WORDS and g.is_first(low) and low not in _PERSON_PRONOUNS
            if ((low in STOP_WORDS and not function_word_name) or low in _NO_NAME or low in g.builtin_keep
                    or low in _PERSON_PRONOUNS or len(low) < 2 or _NUMBER_WORD.fullmatch(low) or _person_noun(w)):
                continue  # "hun heter noe annet", "han het det samme", "ho heiter mor"
            end = e
            for s2, e2, w2 in words[1:]:
                if text[end:s2] != " " or w2.lower() in STOP_WORDS or not g.is_name(w2):
                    break
                end = e2  # "hun heter signe hansen"
            score = 0.8 if g.is_name(w) or not is_word(w) or w[:1].isupper() else 0.7
            out.append(self._d(text, s, end, PERSON, score))
        return out

    @staticmethod
    def _words_after(text: str, pos: int) -> list[tuple[int, int, str]]:
        """The words of the clause after ``pos``, up to six, over spaces and commas (a hesitation
        "heter, eh, signe"); a sentence's end stops them."""
        words = []
        while len(words) < 6:
            m = _GAP_THEN_WORD.match(text, pos)
            if not m:
                break
            words.append((m.start("w"), m.end("w"), m.group("w")))
            pos = m.end()
        return words

    @staticmethod
    def _opens_inverted(text: str, pos: int) -> bool:
        """Before a naming verb that its pronoun follows ("så heiter ho ..."): the clause's first
        place holds an adverb or a conjunction (``_INVERTING``), or the verb opens the sentence. Any
        other word there is what the person is called ("hodan heiter ho fullt ut"), or asks it ("hva
        heter han"): the words after the pronoun are then no name."""
        found = list(_WORD_RE.finditer(text, max(0, pos - 60), pos))
        if not found or re.search(r"[.!?…:;]\s*$", text[found[-1].end():pos]):
            return True
        return found[-1].group().lower() in _INVERTING and re.fullmatch(r"[ \t]*", text[found[-1].end():pos]) is not None

    @staticmethod
    def _subject_before(text: str, pos: int) -> bool:
        """The subject right before the naming verb at ``pos`` is a person: a personal pronoun,
        a kin or role noun, or one with its possessive ("kona mi heter", "eieren heter")."""
        found = list(_WORD_RE.finditer(text, max(0, pos - 60), pos))
        if not found or not re.fullmatch(r"[ \t]*,?[ \t]*", text[found[-1].end():pos]):
            return False
        before = [m.group() for m in found]
        last = before[-1].lower()
        if last in _PERSON_PRONOUNS or _person_noun(last):
            return True
        return last in _POSSESSIVES and len(before) > 1 and _person_noun(before[-2])

    def _name_span(self, m: re.Match, text: str, before_verb: bool, need_first: bool,
                   any_word: bool = False) -> tuple[int, int] | None:
        """The name inside the ``name`` group: the first names and a last name next to the clause
        word (the end of the group before the verb, its start after it); None if there is none.
        After the verb the name runs to the last name-list word before a stop word, so a word the
        list lacks between two it knows is part of it ("heite elle marja sara men ...")."""
        words = [(w.start(), w.end(), w.group()) for w in re.finditer(_W, m.group("name"))]
        base = m.start("name")
        words = [(s + base, e + base, w) for s, e, w in words]
        if before_verb:
            words = words[::-1]  # read back from the verb
        taken: list[tuple[int, int, str]] = []
        for s, e, w in words:
            low = w.lower()
            if low in STOP_WORDS or low in self.g.builtin_keep or low.isdigit():
                break
            if taken and before_verb and not (self.g.is_first(w) or self.g.is_last(w)):
                break  # only names extend a name ("tor einar", "frode hunnestad")
            if any_word and taken:
                break  # one word: "tuppen eh hun heter egentlig ..."
            if any_word and _KIN_NOUN.fullmatch(w):
                return None  # "naboen, hun heter egentlig ...": the person's role, the name comes after
            taken.append((s, e, w))
        while len(taken) > 1 and not (self.g.is_first(taken[-1][2]) or self.g.is_last(taken[-1][2])):
            taken.pop()  # after the verb: "heter kari hansen bor ..." ends at "hansen"
        if not taken:
            return None
        if any_word:
            word = taken[0][2]
            if "conj" in m.groupdict() and m.group("conj") and not self.g.is_name(word) and is_word(word.lower()):
                return None
            return taken[0][0], taken[0][1]
        names = [w for _s, _e, w in taken]
        if need_first and not any(self.g.is_first(w) for w in names):
            return None
        if len(taken) == 1 and not need_first and not self.g.is_name(names[0]) and is_word(names[0]):
            return None  # "det heter bare lån": an ordinary word after a naming verb is what something is called
        start, end = min(s for s, _e, _w in taken), max(e for _s, e, _w in taken)
        return start, end
