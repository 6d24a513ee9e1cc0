"""Numbers as transcripts write them, normalised once: digit groups with any separators, and number words.

``number_runs(text)`` finds every run of digits or Norwegian number words (Bokmål and Nynorsk:
"null", "ein", "sju"/"syv", "nittito", "tjuetre", "tjuge", "fjortan", "hundre og sju", "to tusen og
nitten", the year form "tjueatten", the unit first "to og nitti") joined by spaces, commas, dots,
hyphens or slashes, spaced or not (also spoken: "skråstrek", "stryk", "bindestrek", "punktum"; a hesitation
"eh" between two groups; a pause "..."; a spoken separator between commas or in two words, "skrå
strek"), and says which digits it holds. Number words come in their dialect forms too, made by
sound change (``dialect_forms``: "fæm", "sæks", "attån", "ellev"), and an accent of emphasis ("én")
is the plain letter. The recognizers then ask what those digits are (fødselsnummer, account,
phone, postcode, case number) instead of listing written formats; ``findings`` first reads a
self-correction inside a number ("9-3-8... nei, 9-3-5-4-1-7-0-2") as the number it corrects to.

A run read digit by digit or in pairs ("tjuetre null sju ...") concatenates its numbers; a number
built with "hundre"/"tusen" is one value ("hundre og sju" = 107). ``groups`` keeps each number's
digits and ``seps`` the separators, so callers can tell "1 650 000" (thousands) from "908 44 261".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# "tri" and "tvo"/"tvei" are the Nynorsk and western and inland dialect forms of three and two (a
# closed class: the other old forms, "fira", "sjau", "åtta", are ordinary words too and stay out).
UNITS = {"null": 0, "en": 1, "ein": 1, "éin": 1, "ett": 1, "eitt": 1, "to": 2, "tvo": 2, "tvei": 2, "tre": 3,
         "tri": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9}
# Teens and tens also in their Nynorsk and dialect forms ("fjortan", "tjuge", "søtti").
TEENS = {"ti": 10, "elleve": 11, "ellve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
         "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19, "trettan": 13, "fjortan": 14, "femtan": 15,
         "sekstan": 16, "syttan": 17, "attan": 18, "nittan": 19}
TENS = {"tjue": 20, "tjuge": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40, "firti": 40, "femti": 50,
        "seksti": 60, "sytti": 70, "søtti": 70, "åtti": 80, "nitti": 90}
BIG = {"hundre": 100, "hundrede": 100, "tusen": 1000}
# Spoken separators: "tjueatten stryk null fire ... bindestrek tre" is 2018/04417-3.
SEP_WORDS = {"skråstrek": "/", "stryk": "/", "slash": "/", "bindestrek": "-", "strek": "-",
             # The dot read aloud by its name: an account number written with dots ("3207.11.11007")
             # read "tre to null sju punktum elleve punktum ...". Not "komma": said between numbers it
             # is the decimal mark ("to komma en million", "én komma to, én komma tre").
             "punktum": ".", "prikk": "."}
_ARTICLES = frozenset({"en", "ein", "éin", "ett", "eitt"})  # also "one", but an article: no dialect forms made of them


def dialect_forms(word: str) -> set[str]:
    """The spellings a number word gets in dialect-near writing, by the sound changes such
    writing shows rather than a list per dialect: the short e of the first syllable, before a
    consonant, as æ ("fæm", "sæks", "sæksti", "fæmten"); the teen ending -ten as -tan or -tån
    ("attån", "fjortan"); a final unstressed -e dropped after a consonant ("ellev"); a
    one-syllable word's final m doubled ("fæmm"); y before a double consonant lowered to ø
    ("søtten", "søtti": Trøndelag and much of the west); a first tj written kj, the same sound
    ("kjue", "kjuge"). A form that is an ordinary word of its own ("fir", "ått", "søtten":
    ``lexicon.in_dictionary``) is left out: read as a number it would join runs it is no part
    of. ``compound_forms`` keeps those too, for the parts of a one-word number ("tjuesøtten")."""
    from .lexicon import in_dictionary

    return {word} | {f for f in compound_forms(word) if not in_dictionary(f)}


def compound_forms(word: str) -> set[str]:
    """Every dialect spelling of a number word by the sound changes of ``dialect_forms``, those
    that are ordinary words too: inside a number said as one word ("tjuesøtten" = 2017,
    "kjuetre" = 23) no ordinary word can be meant, so a dictionary form is safe there."""
    forms = {word}
    m = re.match(r"([^aeiouyæøå]*)y(?=([^aeiouyæøå])\2)", word)
    if m:
        forms.add(word[:m.end(1)] + "ø" + word[m.end(1) + 1:])
    if word.startswith("tj"):
        forms |= {"kj" + f[2:] for f in forms}
    m = re.match(r"([^aeiouyæøå]*)e(?=[^aeiouyæøå](?:[^aeiouyæøå]|$))", word)
    if m:
        forms.add(word[:m.end(1)] + "æ" + word[m.end(1) + 1:])
    for form in list(forms):
        if form.endswith("ten"):
            forms |= {form[:-3] + "tan", form[:-3] + "tån"}
        if re.search(r"[aeiouyæøå].*[^aeiouyæøå]e$", form):
            forms.add(form[:-1])
        if re.fullmatch(r"[^aeiouyæøå]*[aeiouyæøå]m", form):
            forms.add(form + "m")
    return forms


def _with_dialect_forms(words: dict[str, int], forms=dialect_forms) -> dict[str, int]:
    out = dict(words)
    for word, value in words.items():
        if word not in _ARTICLES and word != "null":
            for form in forms(word):
                out.setdefault(form, value)
    return out


# The parts of a number said as one word, with the dialect forms that are ordinary words as well.
_TEEN_PARTS, _TEN_PARTS = _with_dialect_forms(TEENS, compound_forms), _with_dialect_forms(TENS, compound_forms)
# The first part of a year said in one word: "tjueatten" = 2018, "nittensyttiåtte" = 1978.
_CENTURY_OF = {form: "20" for form in compound_forms("tjue") | compound_forms("tjuge")} | {
    form: "19" for form in compound_forms("nitten") | compound_forms("nittan")}
_CENTURIES = tuple(sorted(_CENTURY_OF, key=len, reverse=True))
UNITS, TEENS, TENS = _with_dialect_forms(UNITS), _with_dialect_forms(TEENS), _with_dialect_forms(TENS)
# Accents of emphasis ("én", "éin", "fèm") are read as the plain letter; one character for one
# keeps every offset.
_ACCENTS = str.maketrans("éèêóòôáàâ", "eeeoooaaa")

_U = "|".join(sorted((u for u in UNITS if u != "null"), key=len, reverse=True))
_T = "|".join(sorted(TEENS, key=len, reverse=True))
_X = "|".join(sorted(TENS, key=len, reverse=True))
_TP = "|".join(sorted(_TEEN_PARTS, key=len, reverse=True))
_XP = "|".join(sorted(_TEN_PARTS, key=len, reverse=True))
# One number word: a year form ("tjueatten", "nittensyttiåtte", "tjuesøtten"), tens+unit ("nittito",
# "søttifem"), tens, teen, unit, hundre, tusen; the parts of a compound in every dialect form.
_WORD = (rf"(?:(?:{'|'.join(_CENTURIES)})(?:(?:{_XP})(?:{_U})?|{_TP})|(?:{_XP})(?:{_U})|{_X}|{_T}|null|{_U}"
         rf"|hundrede|hundre|tusen)")
WORD_PATTERN = _WORD
# A year said in words, in one word or several ("tjueatten", "tjue søtten", "nitten hundre og fem",
# "to tusen og sytten"), its parts in every dialect form.
_BELOW_100 = rf"(?:(?:{_XP})(?:{_U})?|{_TP}|{_U})"
YEAR_WORDS_PATTERN = (rf"(?:(?:{'|'.join(_CENTURIES)})\s*(?:hundre\s*(?:og\s*)?)?{_BELOW_100}"
                      rf"|to\s*tusen(?:\s*og)?(?:\s*{_BELOW_100})?)")
# A digit said twice or three times in one word before it ("dobbel null", "trippel sju", "dobbelt 4"):
# one token of the repeated digits, as a phone number is read aloud.
REPEATS = {"dobbel": 2, "dobbelt": 2, "dobble": 2, "dobbeltt": 2, "trippel": 3, "tripple": 3, "trippelt": 3}
_REPEAT = "|".join(sorted(REPEATS, key=len, reverse=True))
_TOKEN = re.compile(rf"(?<![\wæøå])(?:(?P<repeat>{_REPEAT})\s+)?(?:(?P<word>{_WORD})|(?P<digits>\d+))(?![\wæøå])",
                    re.IGNORECASE)
# A decade or century named by its number, in words or digits, Bokmål and Nynorsk ("syttitalet",
# "nittitallet", "åttitala", "1970-talet"): a time, never a place or a name.
DECADE = re.compile(rf"(?:{_WORD}|\d{{2,4}}-?)tall?(?:et|a|ene|s)?", re.IGNORECASE)
# What may stand between two tokens of one run.
# A hyphen, dash or slash may have spaces around it ("030791 - 276 11", "21 / 3308": automatic
# captions space them); a country code may stand in brackets ("(+47) 913 70 442"); a hesitation
# may stand inside a number read aloud ("fire åtte seks, eh, en fire").
# A pause written as dots ("4-7-6-1... 2-0... 8-5") separates groups as a space does. A spoken
# separator may stand between commas ("to null en ni, skråstrek, fire ...") or in two words, as
# captions split it ("skrå strek", "binde strek").
_FILLER = r"(?:e+h+m*|ø+h+m*|e+m+|hm+|m+h*m+)"
_PAUSE = r"(?:\.{2,}|…)"
_SPOKEN_SEP = r"(?:og|skrå\s?strek|stryk|slash|binde\s?strek|strek|punktum|prikk)"
_GAP = re.compile(rf"(?:\s*,\s*|[.\-/]|\s*[-–/]\s*|\)\s*|\s*{_PAUSE}\s*|\s*,?\s+{_SPOKEN_SEP}\s*,?\s+"
                  rf"|\s*,?\s+{_FILLER}\s*,?\s+|\s+)", re.IGNORECASE)
_FILLER_GAP = re.compile(rf".*\b{_FILLER}\b", re.IGNORECASE)
_MAX_GAP = 14


@dataclass(frozen=True)
class NumberRun:
    start: int
    end: int
    groups: tuple[str, ...]  # each number's digits, in order
    seps: tuple[str, ...]  # the separator before each group after the first (" ", ",", ".", "-", "/", "og")
    spoken: bool  # any number word
    composed: bool  # a number built with hundre/tusen (an amount or a year, not a digit string)
    token_ends: tuple[int, ...]  # text offset where each group ends
    token_starts: tuple[int, ...]

    @property
    def digits(self) -> str:
        return "".join(self.groups)

    @property
    def spelled(self) -> bool:
        """Written digit by digit with separators ("4-7-6-1 2-0 8-5", "0-4-0-3-7-9"), as names are
        spelled letter by letter: the grouping says nothing about what the number is, as when read aloud."""
        return not self.spoken and len(self.groups) >= 4 and all(len(g) == 1 for g in self.groups)

    def sub(self, first: int, last: int) -> NumberRun:
        """Groups ``first`` to ``last`` (exclusive) as a run of their own."""
        return NumberRun(self.token_starts[first], self.token_ends[last - 1], self.groups[first:last],
                         self.seps[first:last - 1] if last - first > 1 else (), self.spoken, self.composed,
                         self.token_ends[first:last], self.token_starts[first:last])

    def formatted(self) -> str:
        """The digits with their slash/hyphen separators kept ("2018/04417-3")."""
        out = self.groups[0] if self.groups else ""
        for sep, group in zip(self.seps, self.groups[1:]):
            out += (sep if sep in "/-" else "") + group
        return out


def _word_value(word: str) -> str:
    """Digits said by one number word ("nittito" -> "92", "tjueatten" -> "2018", "null" -> "0")."""
    w = word.lower()
    if w in UNITS:
        return str(UNITS[w])
    if w in _TEEN_PARTS:
        return str(_TEEN_PARTS[w])
    for head in _CENTURIES:  # year forms: "tjueatten" = 2018, "nittensyttiåtte" = 1978
        if w.startswith(head) and len(w) > len(head) and w not in _TEN_PARTS and not w[len(head):] in UNITS:
            tail = w[len(head):]
            if tail in _TEEN_PARTS or any(tail.startswith(t) for t in _TEN_PARTS):
                return _CENTURY_OF[head] + _word_value(tail).zfill(2)
    for tens in sorted(_TEN_PARTS, key=len, reverse=True):
        if w.startswith(tens):
            unit = w[len(tens):]
            return str(_TEN_PARTS[tens] + (UNITS[unit] if unit else 0))
    raise ValueError(word)


def number_runs(text: str) -> list[NumberRun]:
    """Every run of digits and number words in ``text`` (see the module docstring)."""
    return list(_number_runs(text))


@lru_cache(maxsize=64)
def _number_runs(text: str) -> tuple[NumberRun, ...]:
    """Kept for the last texts: several recognizers read the runs of each turn in turn (the runs
    are frozen, and every caller gets a list of its own)."""
    text = text.translate(_ACCENTS)
    tokens = list(_TOKEN.finditer(text))
    runs: list[NumberRun] = []
    i = 0
    while i < len(tokens):
        j = i + 1
        while j < len(tokens):
            gap = text[tokens[j - 1].end():tokens[j].start()]
            if len(gap) > _MAX_GAP or not _GAP.fullmatch(gap) or "\n" in gap:
                break
            if _sep(gap) == "og" and not _is_big(tokens[j - 1]) and not _unit_before_tens(
                    tokens[j - 1], tokens[j]):
                break  # "to og tre" is two numbers; "hundre og sju" and "to og nitti" (92) are one
            j += 1
        run = _build(text, tokens[i:j])
        if run is not None:
            runs.append(run)
        i = j
    return tuple(runs)


def _is_big(token: re.Match) -> bool:
    return bool(token.group("word")) and token.group("word").lower() in BIG


def _unit_before_tens(unit: re.Match, tens: re.Match) -> bool:
    """The older and dialect order, the unit first: "to og nitti" = 92, "ni og åtti" = 89."""
    u, t = unit.group("word"), tens.group("word")
    return bool(u and t) and u.lower() in UNITS and u.lower() != "null" and t.lower() in TENS


def _sep(gap: str) -> str:
    g = gap.strip().strip("()").strip().lower()
    if _FILLER_GAP.match(g):
        return "," if "," in g else " "  # a hesitation separates no groups
    if not g or re.fullmatch(_PAUSE, g):
        return " "
    word = re.sub(r"[\s,]+", "", g)
    if word in SEP_WORDS or word == "og":
        return SEP_WORDS.get(word, "og")
    if g == "–":
        return "-"
    if g in SEP_WORDS:
        return SEP_WORDS[g]
    if g == "og":
        return "og"
    return g[0]


def _build(text: str, tokens: list[re.Match]) -> NumberRun | None:
    groups: list[str] = []
    seps: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    spoken = composed = False
    k = 0
    while k < len(tokens):
        t = tokens[k]
        gap = _sep(text[tokens[k - 1].end():t.start()]) if k else ""
        if t.group("digits"):
            value, end, k = t.group("digits"), t.end(), k + 1
        elif k + 1 < len(tokens) and _sep(text[t.end():tokens[k + 1].start()]) == "og" and _unit_before_tens(
                t, tokens[k + 1]):
            spoken = True
            value = str(TENS[tokens[k + 1].group("word").lower()] + UNITS[t.group("word").lower()])
            end, k = tokens[k + 1].end(), k + 2
        else:
            spoken = True
            value, end, k, built = _spoken_value(text, tokens, k)
            composed = composed or built
        if t.group("repeat") and len(value) == 1:
            value, spoken = value * REPEATS[t.group("repeat").lower()], True
        # "seksti to" (tens, a space, a unit) is one number; "seksti, to" two.
        if (groups and gap == " " and value.isdigit() and len(value) == 1 and value != "0" and tokens[k - 1].group("word")
                and len(groups[-1]) == 2 and groups[-1].endswith("0") and groups[-1] != "10"
                and _was_tens_word(text, starts[-1], ends[-1])):
            groups[-1] = groups[-1][0] + value
            ends[-1] = end
            continue
        if groups:
            seps.append(gap)
        groups.append(value)
        starts.append(t.start())
        ends.append(end)
    if not groups:
        return None
    return NumberRun(starts[0], ends[-1], tuple(groups), tuple(seps), spoken, composed, tuple(ends), tuple(starts))


def _was_tens_word(text: str, start: int, end: int) -> bool:
    return text[start:end].lower() in TENS


def _spoken_value(text: str, tokens: list[re.Match], k: int) -> tuple[str, int, int, bool]:
    """The value of the number word at ``k`` — with "hundre"/"tusen" the whole built number.
    Returns (digits, end offset, next token index, built with hundre/tusen)."""
    def word(i):
        return tokens[i].group("word").lower() if i < len(tokens) and tokens[i].group("word") else None

    def gap(i):
        return text[tokens[i - 1].end():tokens[i].start()].strip().lower()

    def small(i):  # a number word below 100 at i, or None
        w = word(i)
        if w is None or w in BIG:
            return None
        v = _word_value(w)
        return int(v) if len(v) <= 2 else None

    total, i, built = 0, k, False
    for big in (1000, 100):
        v = small(i)
        w_next = word(i + 1) if v is not None else word(i)
        if v is not None and w_next in BIG and BIG[w_next] == big and gap(i + 1) in ("",):
            total += v * big
            i += 2
            built = True
        elif v is None and word(i) in BIG and BIG[word(i)] == big:
            total += big
            i += 1
            built = True
        else:
            continue
        if i < len(tokens) and gap(i) == "og":
            pass  # "hundre og sju": the og is only glue
    if built:
        v = small(i)
        if v is not None and gap(i) in ("", "og"):
            total += v
            i += 1
        return str(total), tokens[i - 1].end(), i, True
    return _word_value(tokens[k].group("word")), tokens[k].end(), k + 1, False


# ------------------------------------------------------------------ what the digits are

FNR_CONTEXT = re.compile(r"person\s*nummer|f[øo]dsels\s*nummer|d-nummer|personnr|fnr|id-nummer", re.IGNORECASE)
ACCOUNT_CONTEXT = re.compile(r"konto|bank|overf[øo]r|betal|gebyr|innbetal", re.IGNORECASE)
PHONE_PREFIX = re.compile(r"(?:\+|\bpluss\s*|\bpluss$)$", re.IGNORECASE)
_PHONE_SHAPES = {(8,), (3, 2, 3), (2, 2, 2, 2), (4, 4), (3, 3, 2), (2, 3, 3), (2, 2, 4), (4, 2, 2)}
_CURRENCY_AFTER = re.compile(r"\s*(?:kr\b|kroner|krone|,-|nok\b|prosent|%|millioner|mill\b|euro|dollar)", re.IGNORECASE)
_DATE_OR_TIME = re.compile(r"\d{1,2}[.:]\d{1,2}(?:[.:]\d{2,4})?(?:\s*[-–/]\s*\d{1,2}[.:]\d{1,2}(?:[.:]\d{2,4})?)?")
_YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*[-–/]\s*(?:19|20)?\d{2}")
_CASE_FORM = re.compile(r"(?:(?:19|20)\d{2}|\d{2})/\d{3,7}(?:-\d{1,3})?")


@dataclass(frozen=True)
class NumberFinding:
    start: int
    end: int
    type: str  # FØDSELSNUMMER, KONTONUMMER, TELEFON, SAKSNUMMER, POSTNUMMER (postcode), NUMMER
    score: float
    # The digits the number says: after a self-correction the corrected number's, not the
    # digits of the whole span (wrong number and correction), which is what is masked.
    digits: str = ""


def classify(text: str, run: NumberRun) -> list[NumberFinding]:
    """What a run of digits is: the whole run, else the run without a word at an edge (an article
    "en", a count before it), else its comma-separated pieces; an unexplained rest of 6+ digits is NUMMER."""
    restart = _restart(text, run)
    if restart:
        # A false start: the number begun, a hesitation, then said again from its beginning
        # ("ni fire, eh, ni fire fem ..."): the number is what follows; the false start is
        # masked with it, as its digits are the number's own.
        found = classify(text, run.sub(restart, len(run.groups)))
        if found and found[0].start <= run.token_starts[restart]:
            head = found[0]
            return [NumberFinding(run.start, head.end, head.type, head.score, head.digits), *found[1:]]
    windows = [(0, len(run.groups))]
    n = len(run.groups)
    if run.spoken and n > 2:
        # Only a one-digit word is left out at an edge ("en", "to" before the number): a longer
        # one left out would pass its digits unmasked beside the identifier.
        head, tail = len(run.groups[0]) == 1, len(run.groups[-1]) == 1
        windows += [w for w, ok in (((1, n), head), ((0, n - 1), tail), ((1, n - 1), head and tail)) if ok]
    for first, last in windows:
        part = run.sub(first, last) if (first, last) != (0, n) else run
        found = _identify(text, part)
        if found:
            return [found]
    if not run.spoken and "," in run.seps:
        pieces, begin = [], 0
        for k, sep in enumerate(run.seps):
            if sep == ",":
                pieces.append((begin, k + 1))
                begin = k + 1
        pieces.append((begin, n))
        out = []
        for first, last in pieces:
            part = run.sub(first, last)
            found = _identify(text, part) or _unexplained(text, part)
            if found:
                out.append(found)
        if not out and not _a_list(run):
            rest = _unexplained(text, run)  # a number read out in comma-separated pieces ("1408, 6327, 165")
            return [rest] if rest else []
        return out
    rest = _unexplained(text, run)
    return [rest] if rest else []


def _restart(text: str, run: NumberRun) -> int | None:
    """The group where a spoken number starts again after a hesitation ("eh", a pause) when the
    groups before it are the first digits of what follows; None where there is no such restart."""
    if not run.spoken:
        return None
    for k in range(1, len(run.groups)):
        gap = text[run.token_ends[k - 1]:run.token_starts[k]].strip(" ,").lower()
        if not (_FILLER_GAP.match(gap) or re.fullmatch(_PAUSE, gap)):
            continue
        before, after = "".join(run.groups[:k]), "".join(run.groups[k:])
        if len(after) > len(before) and after.startswith(before):
            return k
    return None


def _identify(text: str, run: NumberRun) -> NumberFinding | None:
    digits = run.digits
    before = text[max(0, run.start - 60):run.start]
    # A group said as a round number inside a number read in groups ("tre tusen, null to, åttien
    # åtte tre ni" = 3000 02 81839) is digits like the others; the check digits decide.
    if len(digits) == 11 and (not run.composed or len(run.groups) >= 3):
        from stdnum.no import fodselsnummer, kontonr

        is_fnr, is_account = fodselsnummer.is_valid(digits), kontonr.is_valid(digits)
        if is_fnr or is_account:
            shape = tuple(len(g) for g in run.groups)
            account_shape = shape == (4, 2, 5) and len(set(run.seps)) == 1
            fnr_shape = shape in ((6, 5), (2, 2, 2, 5), (2, 2, 2, 3, 2))
            if is_fnr and (FNR_CONTEXT.search(before) or (not account_shape and (
                    fnr_shape or not is_account or not ACCOUNT_CONTEXT.search(before)))):
                return NumberFinding(run.start, run.end, "FØDSELSNUMMER", 1.0, digits)
            if is_account:
                return NumberFinding(run.start, run.end, "KONTONUMMER", 1.0, digits)
    phone = _phone(text, run)
    if phone:
        return phone
    if "/" in run.seps and _CASE_FORM.fullmatch(run.formatted()) and not _month_or_years(run):
        # Said ("tjueatten skråstrek ...") or written with spaces round the slash ("21 / 3308").
        return NumberFinding(run.start, run.end, "SAKSNUMMER", 0.9 if run.spoken else 0.85, digits)
    return None


def _month_or_years(run: NumberRun) -> bool:
    """"05/2015" (a month and year) or "2019/2020" (a year range), no case number."""
    head, _slash, tail = run.formatted().partition("/")
    year = len(tail) == 4 and tail[:2] in ("19", "20")
    return year and ((head.isdigit() and int(head) <= 12) or (len(head) == 4 and head[:2] in ("19", "20")))


def _phone(text: str, run: NumberRun) -> NumberFinding | None:
    """Eight digits, the first 2-9, after an optional +47/0047 ("pluss førtisju" when spoken);
    written in one of the usual groupings with spaces (908 44 261, 95 12 84 06, 4731 8820)."""
    if run.composed or "/" in run.seps:
        return None  # an amount, a year; a slash is said in a case number ("tjue tjue skråstrek elleve åttisju"), never in a phone number
    groups, start = list(run.groups), run.start
    prefix = PHONE_PREFIX.search(text[max(0, start - 7):start])
    national = None
    for code in ("0047", "47"):
        if "".join(groups).startswith(code) and len("".join(groups)) == 8 + len(code) and (
                code == "0047" or prefix):
            national = _drop_prefix(groups, len(code))
            if prefix:
                start -= len(prefix.group())
            break
    if national is None:
        national = groups
    digits = "".join(national)
    if len(digits) != 8 or digits[0] not in "23456789":
        return None
    if run.spoken or run.spelled:
        if digits in "0123456789" or digits in "9876543210":
            return None  # counting
        return NumberFinding(start, run.end, "TELEFON", 0.9, digits)
    if len(run.groups) > 1 and set(run.seps) != {" "} or _years(run):
        return None
    if tuple(len(g) for g in national) not in _PHONE_SHAPES or _CURRENCY_AFTER.match(text, run.end):
        return None
    return NumberFinding(start, run.end, "TELEFON", 0.95, digits)


def _years(run: NumberRun) -> bool:
    """Written groups that are all years ("i 2015 2016", "2015... 2016"): a list, no number."""
    return len(run.groups) > 1 and not run.spoken and all(len(g) == 4 and g[:2] in ("19", "20") for g in run.groups)


def _drop_prefix(groups: list[str], length: int) -> list[str]:
    out, left = [], length
    for g in groups:
        if left >= len(g):
            left -= len(g)
            continue
        out.append(g[left:])
        left = 0
    return out


def _a_list(run: NumberRun) -> bool:
    """Comma-separated numbers that are a list, not one number in pieces: years ("2010, 2012"),
    small counts ("12, 14, 16") or round amounts ("3500, 4000"). Four or more short pieces holding
    six or more digits are not a list: "92, 41, 83, 37" is a phone number read out in pairs."""
    if not all((len(g) == 4 and g[:2] in ("19", "20")) or len(g) <= 2 or g.endswith("00") for g in run.groups):
        return False
    short = [g for g in run.groups if len(g) <= 2]
    return len(short) < 4 or sum(map(len, short)) < 6


def _unexplained(text: str, run: NumberRun) -> NumberFinding | None:
    """6+ digits that are no amount, date, time or year range: masked (NUMMER), listed for review."""
    digits = run.digits
    if len(digits) < 6 or run.composed:
        return None
    if (run.spoken or run.spelled) and (digits in "0123456789" or digits in "9876543210"):
        return None  # counting
    written = text[run.start:run.end]
    if run.seps == ("/",) and _month_or_years(run):
        return None
    if not run.spoken:
        if re.fullmatch(r"\d{1,3}(?:[ .]\d{3})+", written):
            return None  # 1 650 000: thousands
        if len(run.groups) > 1 and set(run.seps) <= {" ", "."} and run.groups[-1] == "000" and len(digits) <= 9:
            # An amount under a billion, however a caption grouped the rest ("1 85 0 000", "1850 000"):
            # a number written with a group of three zeros at its end counts thousands, and no
            # Norwegian identifier is grouped so (fødselsnummer 6+5, account 4+2+5, phone 8 digits).
            return None
        if _DATE_OR_TIME.fullmatch(written) or _YEAR_RANGE.fullmatch(written) or _years(run):
            return None
    if _CURRENCY_AFTER.match(text, run.end):
        return None
    return NumberFinding(run.start, run.end, "NUMMER", 0.7, digits)


# A self-correction inside a number ("9-3-8... nei, 9-3-5-4-1-7-0-2", "fem en tre – nei, fem en
# to, to åtte", "H0203 – nei, unnskyld, H0302"): one or more correction words, after a pause or a dash.
REPAIR = r"(?:eller\s+)?nei(?:,?\s+vent)?|vent|unnskyld|eller\s+(?:var|er|va|e)\s+(?:det|d[eæ])|jeg\s+mener|eg\s+meiner|æ\s+mene|mener\s+jeg|meiner\s+eg"
# The pause after the correction word may be written as a dash too ("fem- nei- en åtte fem"). The
# corrected number may be said as what it is ("nittito fire fire … nei, vent, det er nittito
# førtifire ...", "... nei det e ..."): the restatement is part of the correction, as it is for names
# and dates ("… nei, det var Ingvild Brattekås", "– nei, unnskyld, det var 1. september").
_RESTATED = r"(?:det|dæ|de)\s+(?:er|var|e|va|æ)"
REPAIR_GAP = (rf"\s*{_PAUSE}?\s*[,–—-]?\s*(?:{REPAIR})(?:\s*[,.]?\s*(?:{REPAIR}))*(?:\s*,?\s+{_RESTATED})?"
              rf"\s*[,.:–—-]?\s+")
_REPAIR_GAP = re.compile(REPAIR_GAP, re.IGNORECASE)


def findings(text: str) -> list[NumberFinding]:
    """Every classified number in ``text`` (cached per text: several recognizers ask)."""
    return _findings(text)


@lru_cache(maxsize=256)
def _findings(text: str) -> list[NumberFinding]:
    runs, out, i = number_runs(text), [], 0
    while i < len(runs):
        if i + 1 < len(runs) and _REPAIR_GAP.fullmatch(text, runs[i].end, runs[i + 1].start):
            repaired = _repaired(text, runs[i], runs[i + 1])
            if repaired:
                out.append(repaired)
                i += 2
                continue
            joined = _repaired_unexplained(text, runs[i], runs[i + 1])
            if joined:
                out.append(joined)
                i += 2
                continue
        out += classify(text, runs[i])
        i += 1
    return out


def _repaired(text: str, first: NumberRun, second: NumberRun) -> NumberFinding | None:
    """Two runs around a correction as the one number they say: the second in place of all of
    the first (a number said again whole), else of its last groups, the most kept first; the first
    reading the checks accept is the number, over the whole span, wrong digits and correction
    included (they would identify as well)."""
    for keep in [0, *range(len(first.groups) - 1, 0, -1)]:
        run = NumberRun(first.start, second.end, first.groups[:keep] + second.groups,
                        first.seps[:keep] + second.seps,
                        first.spoken or second.spoken, first.composed or second.composed,
                        first.token_ends[:keep] + second.token_ends, first.token_starts[:keep] + second.token_starts)
        found = _identify(text, run)
        if found and not (found.type == "TELEFON" and keep and set(first.seps[:keep]) & {"/", "-"}):
            # (A written reference with a slash or hyphen whose last group is said again is no
            # phone number: "HB-2019-0447, eller var det null fire fire sju".)
            return NumberFinding(min(found.start, first.start), second.end, found.type, found.score, found.digits)
    return None


def _repaired_unexplained(text: str, first: NumberRun, second: NumberRun) -> NumberFinding | None:
    """Fail closed on a correction no check explains: the corrected number (the second run in
    place of the first's last group) is 6+ unexplained digits, so the whole span, wrong digits
    and correction included, is NUMMER; else neither run alone would hide the digits the other holds."""
    keep = max(len(first.groups) - 1, 0)
    run = NumberRun(first.start, second.end, first.groups[:keep] + second.groups,
                    first.seps[:keep] + second.seps, first.spoken or second.spoken,
                    first.composed or second.composed,
                    first.token_ends[:keep] + second.token_ends, first.token_starts[:keep] + second.token_starts)
    found = _unexplained(text, run)
    return NumberFinding(first.start, second.end, found.type, found.score, found.digits) if found else None


# A phone number dictated over two turns: the speaker stops mid-number (a dash, a pause or the end of
# the turn) when the listener breaks in ("vent, eg skriv"), and goes on with the rest at the start of
# their next turn. Neither piece alone has eight digits, so neither turn's recognizers see a number.
_PHONE_CUE = re.compile(r"telefon|mobil|tlf|nummer|ring", re.IGNORECASE)
_CUT_OFF = re.compile(r"\s*(?:[-–—]|\.{2,}|…)?\s*")
_OPENS_TURN = re.compile(rf"\s*(?:(?:ja|jo|og|altså|så|{_FILLER})\s*,?\s+)?", re.IGNORECASE)
_PIECE_ENDS = re.compile(r"\s*(?:[.,!?;:…–—-]|$)")
_PUNCTUATION = re.compile(r"[.,!?;:…]")


def split_phones(texts: list[str], look_ahead: int = 2) -> list[tuple[int, int, int, str]]:
    """The two pieces of each phone number said over two turns, as (turn index, start, end, digits
    of the whole number) — one entry per piece. The first piece is the last number of its turn,
    2-6 digits after a phone cue ("telefon", "mobil", "nummer", "ring") with nothing but a dash or a
    pause after it; the second opens one of the next ``look_ahead`` turns (a turn between holds no
    number but an article) and ends at a punctuation mark or the turn's end; together they are a phone number
    (eight digits, the first 2-9, after an optional +47) that is no count."""
    out: list[tuple[int, int, int, str]] = []
    for i, text in enumerate(texts):
        runs = number_runs(text)
        if not runs:
            continue
        last = runs[-1]
        if last.composed or not 2 <= len(last.digits) <= 6 or not _CUT_OFF.fullmatch(text, last.end):
            continue
        # The cue before the piece, in its turn or, where the piece opens its turn, at the end of
        # the turn before (captions cut a sentence into cues: "... nummeret til Tor på" / "nittien fire").
        cued = _PHONE_CUE.search(text, max(0, last.start - 60), last.start) or (
            i > 0 and _OPENS_TURN.fullmatch(text, 0, last.start) and _PHONE_CUE.search(texts[i - 1][-60:]))
        if not cued:
            continue
        for j in range(i + 1, min(len(texts), i + 1 + look_ahead)):
            # An article ("ein penn") is no number.
            following = [r for r in number_runs(texts[j])
                         if not (len(r.groups) == 1 and texts[j][r.start:r.end].lower() in _ARTICLES)]
            if not following:
                continue
            piece = following[0]
            # A turn without punctuation (automatic captions) ends the piece at its last number word.
            ends = _PIECE_ENDS.match(texts[j], piece.end) or not _PUNCTUATION.search(texts[j])
            if (_OPENS_TURN.fullmatch(texts[j], 0, piece.start) and not piece.composed
                    and ends and not _CURRENCY_AFTER.match(texts[j], piece.end)):
                digits = last.digits + piece.digits
                prefixed = PHONE_PREFIX.search(text[max(0, last.start - 7):last.start])
                national = digits[4:] if digits.startswith("0047") and len(digits) == 12 else (
                    digits[2:] if prefixed and digits.startswith("47") and len(digits) == 10 else digits)
                if (len(national) == 8 and national[0] in "23456789"
                        and national not in "0123456789" and national not in "9876543210"):
                    start = last.start - len(prefixed.group()) if prefixed and national != digits else last.start
                    out += [(i, start, last.end, national), (j, piece.start, piece.end, national)]
            break  # the first turn after with a number decides
    return out


# An identifier of eleven digits said over two turns ("fødselsnummer null ni null en seks åtte …" /
# "Du må ta resten også." / "Ja, to fire fem ni null."): a speaker who stops after the date part, or
# a list read out in turns, leaves neither piece the eleven digits the per-turn rules check. The
# control digits decide what the two pieces are together, as they do for one run (``_identify``).
_CHECKED_CUE = re.compile(rf"{FNR_CONTEXT.pattern}|{ACCOUNT_CONTEXT.pattern}", re.IGNORECASE)


def _next_number(lines: list[tuple[int, int, str]], k: int, look_ahead: int):
    """The first number of the first of the ``look_ahead`` lines after line ``k`` that holds one
    (an article alone, "en", is no number), as (turn index, line start, line text, run): that line
    decides whether a number cut off at the end of line ``k`` goes on there. None where none holds one."""
    for j, j_at, following_text in lines[k + 1:k + 1 + look_ahead]:
        following = [r for r in number_runs(following_text)
                     if not (len(r.groups) == 1 and following_text[r.start:r.end].lower() in _ARTICLES)]
        if following:
            return j, j_at, following_text, following[0]
    return None


def split_checked(texts: list[str], look_ahead: int = 2) -> list[tuple[int, int, int, str]]:
    """The two pieces of each fødselsnummer or account number said over two turns, or two lines of
    one turn (a speaker's lines or caption cues joined into one turn: a run of numbers ends at a line
    break), as (turn index, start, end, type) — one entry per piece. The first piece is the last
    number of its line with nothing but a dash or a pause after it, after a cue for either
    ("fødselsnummer", "d-nummer", "konto") in its line or the one before; the second opens one of the
    next ``look_ahead`` lines (after "ja", "og" or a filler at most; a line between holds no number
    but an article) and ends at a punctuation mark or the line's end; together they are eleven digits
    whose control digits hold (a fødselsnummer or D-nummer, else an account number)."""
    from stdnum.no import fodselsnummer, kontonr

    lines = [(i, m.start(), m.group()) for i, text in enumerate(texts) for m in re.finditer(r"[^\n]+", text)]
    out: list[tuple[int, int, int, str]] = []
    for k, (i, at, text) in enumerate(lines):
        runs = number_runs(text)
        if not runs:
            continue
        last = runs[-1]
        if last.composed or not 2 <= len(last.digits) <= 9 or not _CUT_OFF.fullmatch(text, last.end):
            continue
        cue = _CHECKED_CUE.search(text, max(0, last.start - 120), last.start) or (
            k > 0 and _CHECKED_CUE.search(lines[k - 1][2][-120:]))
        if not cue:
            continue
        if (nxt := _next_number(lines, k, look_ahead)) is None:
            continue
        j, j_at, following_text, piece = nxt
        ends = _PIECE_ENDS.match(following_text, piece.end) or not _PUNCTUATION.search(following_text)
        digits = last.digits + piece.digits
        if (_OPENS_TURN.fullmatch(following_text, 0, piece.start) and not piece.composed and ends
                and not _CURRENCY_AFTER.match(following_text, piece.end) and len(digits) == 11):
            kind = ("FØDSELSNUMMER" if fodselsnummer.is_valid(digits)
                    else "KONTONUMMER" if kontonr.is_valid(digits) else None)
            if kind:
                out += [(i, at + last.start, at + last.end, kind), (j, j_at + piece.start, j_at + piece.end, kind)]
    return out


# A case number cut at its slash: the speaker, or a caption's cue, stops after the year and the
# slash ("det va tjuetre stryk" / "fire fem seks sju trur æ", "va 21/" / "00871, og ...").
# A slash ends no number, so the next number said is its rest.
_DANGLING_SEP = re.compile(rf"[^\S\n]*(?:,?[^\S\n]+(?:skrå[^\S\n]?strek|stryk|slash)|[^\S\n]*/)"
                           rf"[^\S\n]*,?[^\S\n]*(?:{_PAUSE})?[^\S\n]*$", re.IGNORECASE)


def split_cases(texts: list[str], look_ahead: int = 2) -> list[tuple[int, int, int]]:
    """The two pieces of each case number cut at its separator over two lines or turns, as (turn
    index, start, end) per piece, the separator with the first: the first piece is the last number
    of its line (two or four digits, as a case number's year is written), a spoken or written slash
    after it and nothing more; the second opens one of the next ``look_ahead`` lines
    (after "ja", "og" or a filler at most; a line between holds no number but an article), no
    amount; together they have a case number's form (``_CASE_FORM``: 2018/04417, 23/4567-3) and
    are no month and year."""
    lines = [(i, m.start(), m.group()) for i, text in enumerate(texts) for m in re.finditer(r"[^\n]+", text)]
    out: list[tuple[int, int, int]] = []
    for k, (i, at, text) in enumerate(lines):
        runs = number_runs(text)
        if not runs:
            continue
        last = runs[-1]
        cut = _DANGLING_SEP.match(text, last.end)
        if last.composed or len(last.digits) not in (2, 4) or cut is None:
            continue
        if (nxt := _next_number(lines, k, look_ahead)) is None:
            continue
        j, j_at, following_text, piece = nxt
        if (_OPENS_TURN.fullmatch(following_text, 0, piece.start) and not piece.composed
                and not _CURRENCY_AFTER.match(following_text, piece.end)):
            joined = last.digits + "/" + piece.formatted()
            head, _slash, tail = joined.partition("/")
            month_year = len(tail) == 4 and tail[:2] in ("19", "20") and int(head) <= 12
            if _CASE_FORM.fullmatch(joined) and not month_year:
                end = last.end + len(cut.group().rstrip(" ,.…"))
                out += [(i, at + last.start, at + end), (j, j_at + piece.start, j_at + piece.end)]
    return out


def resolved_digits(text: str) -> str | None:
    """The digits of the one number ``text`` says with a self-correction inside it ("924 18 337
    – nei, 924 18 338" says 92418338): the pseudonym key and the guard compare these, so a later
    mention of the corrected number alone is the same entity. None where ``text`` holds no
    correction between numbers, or not exactly one number."""
    if not _REPAIR_GAP.search(text):
        return None
    found = findings(text)
    return found[0].digits if len(found) == 1 and found[0].digits else None


# Types whose digits a speaker may say again: the identifier's number, or its last groups.
_ECHOED_TYPES = frozenset({"FØDSELSNUMMER", "KONTONUMMER", "TELEFON", "SAKSNUMMER", "NUMMER"})
ECHO_MIN_DIGITS = 4


def echoes(texts: list[str], found: list[list[tuple[int, int, str]]]) -> list[tuple[int, int, int, str]]:
    """Numbers that say again the digits of an identifier found just before them: in the same turn
    or the next, a run of digits or number words (no amount) whose digits, four or more, are the
    identifier's whole number or its last groups ("LTE-0093, jeg husker fordi null null ni tre";
    "HB-2019-0447, eller var det null fire fire sju"; "ring 924 18 337 ... 18 337"). The digits
    identify as the identifier does, so they are masked as its type. ``found``: per turn, the
    (start, end, type) of its detections; returns (turn index, start, end, type) per echo."""
    out: list[tuple[int, int, int, str]] = []
    taken = [list((s, e) for s, e, _k in dets) for dets in found]
    for i, dets in enumerate(found):
        for start, end, kind in dets:
            if kind not in _ECHOED_TYPES:
                continue
            said = texts[i][start:end]
            # Its digit groups as written ("LTE-0093": 0093) and as the number runs read them.
            written = re.findall(r"\d+", said)
            read = [g for r in number_runs(said) for g in r.groups]
            tails = set()
            for parts in (written, read):
                for k in range(len(parts)):
                    tail = "".join(parts[k:])
                    if len(tail) >= ECHO_MIN_DIGITS:
                        tails.add(tail)
            if not tails:
                continue
            for j in (i, i + 1):
                if j >= len(texts):
                    break
                for run in number_runs(texts[j]):
                    if (run.composed or run.digits not in tails
                            or any(s < run.end and run.start < e for s, e in taken[j])
                            or _CURRENCY_AFTER.match(texts[j], run.end)):
                        continue
                    out.append((j, run.start, run.end, kind))
                    taken[j].append((run.start, run.end))
    return out


# A number cut off with a pause mark at the end of a turn and resumed with one at the start of a
# later turn ("... fødselsnummeret: fjortande i tredje syttiåtte…" / "Du treng ikkje…" / "…ett tre
# sju, tre åtte."): the transcriber's marks say the second piece goes on with the first.
_CUT_MARK = re.compile(r"\s*(?:…|\.{2,}|[–—])\s*$")
_RESUME_MARK = re.compile(r"\s*(?:…|\.{2,}|[–—])\s*")


def _birth_dates(text: str, dets: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The dates of ``dets`` said after a fødselsnummer cue in their sentence or the question before it (at most 120 characters
    back): the date is the number's first six digits, as people say it ("Det sto fødselsnummeret mitt
    på kvart ark, so eg kan det: fjortande i tredje syttiåtte …")."""
    out = []
    for d in dets:
        if d[2] != "DATO":
            continue
        sentence = max([d[0] - 120, 0] + [m.end() for m in _SENTENCE_END.finditer(text, max(0, d[0] - 120), d[0])])
        if FNR_CONTEXT.search(text, sentence, d[0]):
            out.append(d)
    return out


_SENTENCE_END = re.compile(r"[.!](?:\s|$)")  # not "?": "Fødselsnummeret? Det er …" names it


def continuations(texts: list[str], found: list[list[tuple[int, int, str]]], look_ahead: int = 2
                  ) -> list[tuple[int, int, int, str]]:
    """The second pieces of identifiers said over two turns with a pause between: turn ``i`` ends
    with a detected identifier of a number type (only a pause mark after it), and one of the next
    ``look_ahead`` turns opens with a pause mark and a number (no amount) that ends at punctuation
    or the turn's end; a turn between holds no number. A date said after a fødselsnummer cue counts as
    that number's first part, and five digits right after it in its own turn are its rest
    (``_birth_dates``). Returns (turn index, start, end, type)."""
    out: list[tuple[int, int, int, str]] = []
    for i, dets in enumerate(found):
        text = texts[i]
        for start, end, _kind in _birth_dates(text, dets):
            # The date said as a fødselsnummer's first six digits, its five last digits right after
            # it in the same turn ("fødselsnummeret er fjortande i tredje syttiåtte, ett tre sju tre åtte").
            # (The date's year and the digits may be read as one run: "syttiåtte, ett tre sju ...".)
            run = next((r for r in number_runs(text) if r.end > end), None)
            first = next((k for k, at in enumerate(run.token_starts) if at >= end), None) if run else None
            tail = run.sub(first, len(run.groups)) if first is not None else None
            if (tail is not None and len(tail.digits) == 5 and not tail.composed
                    and re.fullmatch(rf"[\s,]*(?:{_PAUSE}|[–—-])?[\s,]*", text[end:tail.start])):
                out.append((i, tail.start, tail.end, "FØDSELSNUMMER"))
        cut = _CUT_MARK.search(text)
        if cut is None:
            continue
        cut_off = [d for d in dets if d[2] in _ECHOED_TYPES] + [(s, e, "FØDSELSNUMMER") for s, e, _k in _birth_dates(text, dets)]
        last = max((d for d in cut_off if d[1] <= cut.start()), key=lambda d: d[1], default=None)
        if last is None or text[last[1]:cut.start()].strip():
            continue
        for j in range(i + 1, min(len(texts), i + 1 + look_ahead)):
            runs = [r for r in number_runs(texts[j])
                    if not (len(r.groups) == 1 and texts[j][r.start:r.end].lower() in _ARTICLES)]
            opens = _RESUME_MARK.match(texts[j])
            if opens and runs and runs[0].start == opens.end():
                run = runs[0]
                if (not run.composed and _PIECE_ENDS.match(texts[j], run.end)
                        and not _CURRENCY_AFTER.match(texts[j], run.end)):
                    out.append((j, run.start, run.end, last[2]))
                break
            if runs:
                break
    return out
