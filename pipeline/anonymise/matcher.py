"""Find known strings in text: one matching rule shared by the anonymiser and the leak guard.

Both must agree exactly: whatever the guard would refuse, the anonymiser has
already replaced (it re-applies every original in the key to every
transcript), so a correct run never trips the guard.

The rule (documented in docs/anonymisation.md):

* Text and originals are compared as sequences of word tokens (letters and digits, ``[^\\W_]+``),
  case-insensitively, so punctuation and spacing between tokens do not matter
  ("Ole Petter" finds "ole  petter", "Kari-Anne" finds "Kari Anne") and word
  boundaries are implied ("Lade" is not found in "Ladesletta"). An underscore separates words
  like a space (``fold_separators``: the text is read with each ``_`` as a space, same length):
  "Hamid Rahimi" finds "Hamid_Rahimi", "HAMID-RAHIMI" and "hamid.rahimi" (a file name, a user
  name quoted in a turn), exactly as the guard reads them; an e-mail address in the key is an
  original of its own and matches whole, its longer match winning over a name inside it.
* A possessive -s on the last token matches too ("Hildes", "Kari-Annes").
* An original that is a single ordinary word ("Lade", "Strand", "Liv", see
  ``Gazetteer.is_common_word``) matches only when written with a capital
  letter: "bodde på Lade" and "Lade var fint" match, "lade telefonen" does
  not. For the few such words that often open a sentence (``SENTENCE_WORDS``:
  "Per i dag", "Jo, ...") a sentence-initial capital does not count either,
  except in the possessive ("Sols kontor": the word's own genitive would be "solens").
* A detected name, place or firm that is a single dictionary word ("ruta", "takst": a form of a
  common word in the lexicon) follows the same rule: one false detection of an ordinary word does
  not spread to its lower-case uses, and the guard does not refuse those (informants' names and
  known identifiers, which the researchers gave, match in any case). When the study itself uses
  the word in lower case or in its codebook (the key's ``ordinary_word``), it matches only
  capitalised mid-sentence, so a code label, a list item or a report sentence opening with the
  word is not refused, and the anonymiser does not spread it to sentence starts (it replaces one
  there only where the sentence is about a person, and lists it for review).
* Numbers (phone, fødselsnummer, account) of 8 or more digits also match
  whatever the separators: "92418337" finds "924 18 337" and "+47 924 18 337".
* A one-word name, place or firm also matches spelled letter by letter, in any case, with
  spaces, hyphens or dots between the letters ("Minh" finds "m i n h", "M-I-N-H", "M.I.N.H."):
  interviews spell names, and captions write the spelling as single letters. Lower-case letters
  with dots only between them are an abbreviation ("t.o.m."), and a name that is an ordinary word
  is not found spelled ("Tom" is not "t o m").
* A person's name or a place of six letters or more that is no ordinary word also matches split
  into two to six words in any other way, not all of them words ("Kazlauskiene" finds "kazla us
  kiene", "Vågsbygd" "vågs bygd"; "Nygård" does not find "ny gård"): automatic transcription cuts
  a name it does not know into pieces of words it knows, and writes them in Norwegian spelling, so
  the pieces are compared with the name by sound (``sound_key``: "mari sel de la krus" finds
  "Maricel Dela Cruz", "hodan abdi var same" "Hodan Abdi Warsame"); the first piece may be one
  letter ("o lena koval enko"), and the longest join that is a name wins. Pieces that are all words
  are the name too where the same text also says the name whole ("skjelvåg eh skjel våg", "rune
  fossmo eller rune foss mo"): a speaker spelling out or repeating a name, which the transcriber
  heard twice; and where the name has three words or more and twelve letters (``_long_name``).

Keep terms (``KeepTerms``, the one rule by which the anonymiser, the learned recognizer and the
guard keep text) match in any case when the researcher wrote them with a capital ("NAV",
"Husbanken", "Leie til eie"). One written in lower case ("liv", "storm", "vår", "startlån") is the
ordinary word: it keeps the word written in lower case, and capitalised only where the capital may
be the sentence's (opening a sentence, or anywhere in a turn without sentence punctuation, and no
capitalised word or name tag right after it: "Storm i fjor haust" is the word, "Storm Bjørkedal
ringte" a name). The capitalised name mid-sentence
("Det var Liv på NAV") and a capitalised word inside a name of several words ("Liv Standal",
"Ho Vår Eikrem") are not kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from .gazetteer import Gazetteer, load_gazetteer

# A word token: letters and digits. ``\w`` would take "_" in, and "Hamid_Rahimi" would be one token
# that no original "Hamid Rahimi" matches while the guard (which reads "_" as a space) finds it.
TOKEN = re.compile(r"[^\W_]+")
DIGIT_RUN = re.compile(r"\+?\d(?:\d|[ .\-](?=\d))*")
_NON_DIGIT = re.compile(r"\D")
DIGIT_TYPES = {"TELEFON", "FØDSELSNUMMER", "KONTONUMMER", "NUMMER"}
# Three or more single letters with spaces, hyphens, dots or commas between them: a word spelled out
# ("W, L, O, D, ...": a pause between letters is written as a comma).
SPELLED_RUN = re.compile(r"(?<!\w)[^\W\d_](?:(?:\s*[.,\-]\s*|[ \t]+)[^\W\d_](?!\w)){2,}")
_LETTER = re.compile(r"[^\W\d_]")
# Lower-case letters with dots only between them ("t.o.m", "m.a.o", "p.g.a"): how Norwegian writes
# an abbreviation; a spelling is written with spaces or hyphens, or in capitals ("M.I.N.H.").
_ABBREVIATION = re.compile(r"[^\W\d_A-ZÆØÅ](?:\.[^\W\d_A-ZÆØÅ])+")
_SENTENCE_END = set(".!?:\n")
_SKIP_BACK = set(" \t«»\"'“”‘’–—-([")


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    original: str
    payload: Any


def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in TOKEN.findall(text))


def fold_separators(text: str) -> str:
    """``text`` as the matcher (and the guard) read it: each underscore a space, the same length, so
    every offset stays that of ``text``. "_" joins words in file names, user names and captions
    ("Hamid_Rahimi", "m_i_n_h"); read as a space, every rule below (a sentence start, a name split
    into words, a spelled run) treats it as the gap between two words it is."""
    return text.replace("_", " ") if "_" in text else text


def digits_of(text: str, kind: str | None = None) -> str:
    digits = re.sub(r"\D", "", text)
    if any(c.isalpha() for c in text):  # read aloud: "tjuetre null sju ..." says 2307...
        from .numbers import number_runs, resolved_digits

        corrected = resolved_digits(text)  # "924 18 337 – nei, 924 18 338" says one number, the second
        spoken = "".join(run.digits for run in number_runs(text))
        if corrected:
            digits = corrected
        elif len(spoken) > len(digits):
            digits = spoken
    if kind == "TELEFON" and len(digits) > 8:
        # +47 / 0047: compare the national number only.
        digits = re.sub(r"^(?:00)?47(?=\d{8}$)", "", digits)
    return digits


def said_digits(text: str, kind: str | None = None) -> tuple[str, ...]:
    """``digits_of(text)`` and, after a self-correction ("924 18 337 – nei, 924 18 338"), the wrong
    number too when it was said whole (as many digits as the corrected one): it was said aloud,
    and may be a real number (an old phone, a digit misread), so the key and the guard know it."""
    digits = digits_of(text, kind)
    if not any(c.isalpha() for c in text):
        return (digits,)
    from .numbers import number_runs, resolved_digits

    if not resolved_digits(text):
        return (digits,)
    others = (digits_of(text[run.start:run.end], kind) for run in number_runs(text))
    return (digits, *sorted({d for d in others if d != digits and len(d) == len(digits)}))


# Ordinary words that often start a sentence; as originals they match only mid-sentence.
SENTENCE_WORDS = frozenset({"per", "jo", "bo", "tom", "mai", "august", "le", "an", "ski", "vår", "sol", "lange",
                            "ila", "dal", "berg", "sand", "moe", "mo", "lie", "storm", "vik", "lian"})


# HTML elements that begin a block of their own: a word right after one opens it ("<li>Takst, ...").
_BLOCK_TAGS = frozenset({"p", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "div", "ul", "ol",
                         "dt", "dd", "caption", "figcaption", "blockquote", "title", "section", "table", "thead",
                         "tbody", "header", "footer", "article", "nav", "main", "figure", "body", "head", "html"})
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*/?>$")


def sentence_initial(text: str, start: int) -> bool:
    """First word of a sentence, a line, a CSV field (a comma right before it, no space) or an
    HTML block ("<li>", "<td>"; an inline tag such as "<strong>" is read through)."""
    i = start - 1
    spaced = False
    while i >= 0:
        if text[i] in _SKIP_BACK:
            spaced = spaced or text[i] in " \t"
            i -= 1
        elif text[i] == ">" and (tag := _TAG.search(text, max(0, i - 200), i + 1)) is not None:
            if tag.group(1).lower() in _BLOCK_TAGS:
                return True
            i = tag.start() - 1
        elif text[i] in "])" and text.rfind("[(" [text[i] == ")"], 0, i) >= 0:
            # Transcriber notes ("[latter] Jobba ...", "(pause)") do not end or start a sentence.
            i = text.rfind("[(" [text[i] == ")"], 0, i) - 1
            spaced = False
        else:
            break
    return i < 0 or text[i] in _SENTENCE_END or (text[i] in ",;\t" and not spaced)


_SENTENCE_MARK = re.compile(r"[.!?…]")
_WORDS = TOKEN  # words as the matcher counts them: "_" separates two


@lru_cache(maxsize=4096)
def unpunctuated(text: str) -> bool:
    """A turn written without sentence punctuation (automatic captions, a hurried typist): fewer
    than one sentence mark per 30 words in a turn of 8 or more. There a sentence may open anywhere,
    and its capital with it."""
    words = len(_WORDS.findall(text))
    return words >= 8 and len(_SENTENCE_MARK.findall(text)) * 30 < words


def caption_start(text: str, start: int) -> bool:
    """Could the capitalised word at ``start`` open a sentence? Where ``sentence_initial`` says so,
    and in an unpunctuated turn (``unpunctuated``) after any word: "... mest norsk Kona heter
    Sanna ...". Callers ask it of dictionary words only: a capital there says nothing."""
    return sentence_initial(text, start) or (text[start:start + 1].isupper() and unpunctuated(text))


_NAME_TYPES = {"PERSON", "STED", "ORGANISASJON"}


def _detected(payload: Any) -> bool:
    """A key entity the pipeline detected (not an informant, known identifier or decision); the
    guard's entries carry no source and count as detected."""
    return getattr(payload, "source", "detected") == "detected"


def _in_dictionary(word: str) -> bool:
    from .lexicon import is_ordinary

    return is_ordinary(word)


class StringMatcher:
    """Finds any of many strings in a text by the rule above.

    ``entries``: (original string, payload) pairs. ``strict_common``: apply
    the ordinary-word rule (the keep-term matcher does not need it). ``lower_case_exact``: originals
    written in lower case that match only as the lower-case word (the keep terms' rule, ``KeepTerms``).
    """

    def __init__(self, entries: Iterable[tuple[str, Any]], gazetteer: Gazetteer | None = None,
                 strict_common: bool = True, digit_types: set[str] | None = None, strict_dictionary: bool = True,
                 ordinary_mid_sentence: bool | Callable[[Any], bool] = True,
                 lower_case_exact: frozenset[str] = frozenset()):
        self.gazetteer = gazetteer or load_gazetteer()
        self.index: dict[str, list[tuple[tuple[str, ...], bool, str, Any]]] = {}
        self.digits: dict[str, tuple[str, Any]] = {}
        self.digit_lengths: set[int] = set()
        digit_types = DIGIT_TYPES if digit_types is None else digit_types
        for original, payload in entries:
            toks = tokens_of(original)
            if not toks:
                continue
            kind = getattr(payload, "type", payload if isinstance(payload, str) else None)
            if kind in digit_types:
                for digits in said_digits(original, kind):
                    if len(digits) >= 8:
                        self.digits.setdefault(digits, (original, payload))
                        self.digit_lengths.add(len(digits))
            # 0: any case; 1: only capitalised; 2: only capitalised mid-sentence (a detected ordinary
            # word: "Ruta" opening a code label or a sentence is the word, not the person).
            # 3: only as the lower-case word (``lower_case_exact``, a keep term written in lower case).
            strict = 3 if original in lower_case_exact and lower_case_term(original) else 0
            if strict_common and len(toks) == 1:
                mid_only = ordinary_mid_sentence(payload) if callable(ordinary_mid_sentence) else ordinary_mid_sentence
                if strict_dictionary and mid_only and getattr(payload, "ordinary_word", False):
                    strict = 2
                elif self.gazetteer.is_common_word(toks[0]) or (
                        strict_dictionary and kind in _NAME_TYPES and _detected(payload) and _in_dictionary(toks[0])):
                    strict = 1
            self.index.setdefault(toks[0], []).append((toks, strict, original, payload))
        for candidates in self.index.values():
            # Longest first; ties by original so the result never depends on input order.
            candidates.sort(key=lambda c: (-len(c[0]), c[2]))
        self._size = sum(len(v) for v in self.index.values()) + len(self.digits)
        # Built once, so that a text costs the same whatever the number of originals: the
        # lower-cased tokens that can start a match (a first token, or one + possessive -s, as
        # _match_at looks them up) and, per first token, how many tokens a match can span.
        self._starts = frozenset(self.index) | frozenset(w + "s" for w in self.index if len(w) >= 2)
        self._span = {w: len(c[0][0]) for w, c in self.index.items()}
        # First tokens all of whose originals have two tokens or more ("27" of "27 september 1975",
        # "47" of a phone number): the tokens that may follow them. Such a word is common in text
        # that holds none of those originals (a number in a table), so the next token is looked
        # at first, before the match is tried.
        self._followers = {w: frozenset(f for toks, _s, _o, _p in c
                                        for f in ((toks[1], toks[1] + "s") if len(toks) == 2 else (toks[1],)))
                           for w, c in self.index.items() if all(len(toks) > 1 for toks, _s, _o, _p in c)}
        self._min_digits = min(self.digit_lengths, default=0)
        self._spelled = {toks[0]: (original, payload) for w, c in sorted(self.index.items())
                         for toks, strict, original, payload in reversed(c)
                         if len(toks) == 1 and not strict and len(w) >= 3 and w.isalpha()
                         and getattr(payload, "type", payload) in _NAME_TYPES}
        joined = {"".join(toks): (original, payload) for c in self.index.values()
                  for toks, strict, original, payload in sorted(c, key=lambda x: x[2], reverse=True)
                  if not strict and getattr(payload, "type", payload) in _SPLIT_TYPES
                  and len("".join(toks)) >= 6 and "".join(toks).isalpha()}
        # Split pieces are compared by sound (``sound_key``): speech recognition writes a name it
        # does not know in the language's spelling ("mari sel de la krus" for "Maricel Dela Cruz").
        self._joined = {}
        for j in sorted(joined):
            self._joined.setdefault(sound_key(j), joined[j])
        # A head is the start of an original as written, of any length ("o lena" for "Olena").
        self._heads = frozenset(j[:k] for j in joined for k in range(1, len(j) - 1))
        # Every proper prefix of a joined original's sound key: a join of tokens that is none of
        # them can grow into no original, so the walk stops there (the same matches, fewer look-ups).
        self._joined_prefixes = frozenset(j[:k] for j in self._joined for k in range(1, len(j)))
        self._lengths_longest_first = sorted(self.digit_lengths, reverse=True)

    def __len__(self) -> int:
        return self._size

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, leftmost-longest; offsets are those of ``text``."""
        text = fold_separators(text)
        found: list[Match] = []
        if self.index:
            found = self._token_matches(text)
        if self.digits:
            found.extend(self._digit_matches(text))
        if self._spelled:
            found.extend(self._spelled_matches(text))
        if self._joined:
            found.extend(self._split_matches(text))
        return _non_overlapping(found)

    def _split_matches(self, text: str) -> list[Match]:
        """Originals split into other words (module docstring): two to four consecutive tokens
        whose letters joined are an original's, the first a start of one (tested on the text's
        distinct words first, so a text without such a word costs one set intersection)."""
        heads = _forms_of(text, self._heads)
        if not heads:
            return []
        from .lexicon import is_word

        found = []
        prefixes = self._joined_prefixes
        said: set[str] | None = None  # the text's words, read once and only for pieces that are all words
        # Only the head tokens are visited (each a whole token, as TOKEN finds them), and the
        # up to three tokens after one are read from the text: no list of every token.
        if len(heads) <= 32 and len(text) > _SHORT:
            starts = _word_regex(frozenset(heads)).finditer(text)
        elif len(heads) <= _FEW:
            starts = _whole_tokens(text, heads)
        else:
            starts = (t for t in TOKEN.finditer(text) if t.group() in heads)
        for t in starts:
            joined = t.group().lower()
            pieces = [t]
            best = None
            for _more in range(_MAX_PIECES - 1):
                key = sound_key(joined)
                # The last letter's sound may depend on the next piece's first ("mari" + "cel"), so a
                # join whose key less its last letter starts an original goes on too.
                if key not in prefixes and key[:-1] not in prefixes:
                    break  # no original starts so: a longer join cannot be one
                end = pieces[-1].end()
                if end == len(text) or not text[end].isspace():
                    # The character after a token is no word character: unless it is white space,
                    # the gap to the next token is not all white space (the search's test below).
                    break
                nxt = TOKEN.search(text, end)
                if nxt is None or not text[end:nxt.start()].isspace():
                    break
                pieces.append(nxt)
                joined += nxt.group().lower()
                hit = self._joined.get(sound_key(joined))
                if hit and all(is_word(p.group()) for p in pieces) and not _long_name(hit[0]):
                    if said is None:
                        said = {w.lower() for w in _distinct_tokens(text)}
                    if not said.issuperset(tokens_of(hit[0])):
                        # ordinary words that spell a name joined ("en ny gård", "sol berg") are the words
                        hit = None
                if hit:
                    best = Match(t.start(), nxt.end(), *hit)  # the longest join that is an original wins
            if best is not None:
                found.append(best)
        return found

    def _spelled_matches(self, text: str) -> list[Match]:
        """One-word names spelled letter by letter (module docstring): of each run of single
        letters, the longest stretch of three or more that spells one."""
        found = []
        for run in SPELLED_RUN.finditer(text):
            if _ABBREVIATION.fullmatch(run.group()):
                continue
            letters = list(_LETTER.finditer(text, run.start(), run.end()))
            hit = next(((i, j) for n in range(len(letters), 2, -1) for i in range(len(letters) - n + 1)
                        for j in (i + n,)
                        if "".join(m.group() for m in letters[i:j]).lower() in self._spelled), None)
            if hit:
                i, j = hit
                original, payload = self._spelled["".join(m.group() for m in letters[i:j]).lower()]
                found.append(Match(letters[i].start(), letters[j - 1].end(), original, payload))
        return found

    def _token_matches(self, text: str) -> list[Match]:
        """The rule of the walk "try each token left to right, skip what a match consumed", but
        it only visits tokens that can start a match: a set intersection (C speed) says which
        distinct words of the text those are, one small regex finds where they stand."""
        forms = _forms_of(text, self._starts)
        if not forms:
            return []
        found: list[Match] = []
        consumed = 0  # end of the last match: tokens starting before it were consumed
        if len(forms) <= 32 and len(text) > _SHORT:
            starts = _word_regex(frozenset(forms)).finditer(text)
        elif len(forms) <= _FEW:
            starts = _whole_tokens(text, forms)
        else:
            # A short text (a turn) is walked faster than a regex is compiled; and a regex tries
            # its alternatives one by one, so with many it is slower than the walk.
            starts = (t for t in TOKEN.finditer(text) if t.group() in forms)
        for m in starts:
            if m.start() < consumed:
                continue
            word = m.group().lower()
            followers = self._followers.get(word)
            if followers is not None and not (word.endswith("s") and len(word) > 2 and word[:-1] in self.index):
                following = TOKEN.search(text, m.end())
                if following is None or following.group().lower() not in followers:
                    continue  # no original can match here (``_match_at`` would find none)
            span = max(self._span.get(word, 0), self._span.get(word[:-1], 0) if word.endswith("s") else 0)
            if span == 1:  # the usual case: a one-word original, the token itself is all it needs
                toks = [(m.start(), m.end(), word)]
            else:
                toks = [(t.start(), t.end(), t.group().lower())
                        for t in islice(TOKEN.finditer(text, m.start()), span)]
            hit = self._match_at(text, toks, 0)
            if hit:
                found.append(hit[1])
                consumed = hit[1].end
        return found

    def _match_at(self, text: str, toks: list[tuple[int, int, str]], i: int):
        word = toks[i][2]
        keys = [word] + ([word[:-1]] if word.endswith("s") and len(word) > 2 else [])
        for key in keys:
            for cand, strict, original, payload in self.index.get(key, ()):
                n = len(cand)
                if i + n > len(toks):
                    continue
                ok = n == 1 or all(toks[i + k][2] == cand[k] for k in range(n - 1))
                last = toks[i + n - 1][2]
                if not ok or not (last == cand[-1] or last == cand[-1] + "s"):
                    continue
                if n == 1 and key != word and last != cand[-1] + "s":
                    continue
                start, end = toks[i][0], toks[i + n - 1][1]
                if strict == 3:
                    if not as_lower_case_word(text, toks[i:i + n]):
                        continue
                    return n, Match(start, end, original, payload)
                # A possessive -s ("Sols kontor", "Vårs bursdag") marks a name even first in a sentence:
                # the ordinary word's genitive is definite ("solens", "vårens"), unless "-s" is a word.
                possessive = n == 1 and last == cand[0] + "s" and not self.gazetteer.is_common_word(last)
                if strict and (not text[start].isupper() or (
                        (strict == 2 or cand[0] in SENTENCE_WORDS) and sentence_initial(text, start) and not possessive)):
                    continue
                return n, Match(start, end, original, payload)
        return None

    def _digit_matches(self, text: str) -> list[Match]:
        found = []
        shortest = self._min_digits
        for run in DIGIT_RUN.finditer(text):
            if run.end() - run.start() < shortest:
                continue  # fewer characters than the shortest number: cannot hold it
            digits = _NON_DIGIT.sub("", run.group())
            for length in self._lengths_longest_first:
                hit = next((digits[k:k + length] for k in range(len(digits) - length + 1)
                            if digits[k:k + length] in self.digits), None)
                if hit:
                    original, payload = self.digits[hit]
                    found.append(Match(run.start(), run.end(), original, payload))
                    break
        return found


def _long_name(original: str) -> bool:
    """A name of three words or more and twelve letters: ordinary words do not spell one by chance,
    so its pieces are the name even where each is a word ("mari sel de la krus"). A name of two
    words they may ("rune foss mo kom" is a sentence about Rune Foss)."""
    toks = tokens_of(original)
    return len(toks) >= 3 and len("".join(toks)) >= 12


# A name said in more pieces than words: "mari sel de la krus" (3 words, 5 pieces).
_MAX_PIECES = 6
# Letters written for the same sound, in the spelling automatic transcription writes Norwegian in:
# the foreign spelling of a name and the ASR's pieces of it meet in one key.
_SOUND_PAIRS = (("ph", "f"), ("th", "t"), ("w", "v"), ("z", "s"), ("q", "k"), ("x", "ks"), ("æ", "e"), ("aa", "å"))
_SOFT_C = re.compile(r"c(?=[eiy])")


@lru_cache(maxsize=65536)
def sound_key(word: str) -> str:
    """``word`` (lower case, letters) as it sounds to a Norwegian transcriber: accents dropped (å
    kept), c as s before e/i/y and k elsewhere, w as v, z as s, æ as e ("maricelcruz" and
    "mariselkrus", "warsame" and "varsame" share a key). Doubled letters stay: read once, a
    possessive -s before an s ("Hildes strand") would join into the name ("Hilde Strand"). Used for
    names split into pieces only, where the join must still be a known name."""
    out = []
    for c in unicodedata.normalize("NFC", word):
        out.append(c if c == "å" else "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x)))
    key = "".join(out)
    for a, b in _SOUND_PAIRS:
        key = key.replace(a, b)
    return _SOFT_C.sub("s", key).replace("c", "k")


# The types whose originals also match split into pieces (``_split_matches``): a firm's name is
# often words of the language ("Spare Banken") and stays matched whole only.
_SPLIT_TYPES = frozenset({"PERSON", "STED"})


def lower_case_term(term: str) -> bool:
    """A string written in lower case: letters, none of them a capital ("liv", "leie til eie")."""
    return any(c.isalpha() for c in term) and not any(c.isupper() for c in term)


def _title_case(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and any(c.islower() for c in word[1:])


# The word after a keep term, skipping spaces only, and a tag the anonymiser wrote there ("[PERSON_3]",
# "[STED_2]": a name stood there).
_NEXT_WORD = re.compile(r"[ \t]+(\[?)(\w+)")


def as_lower_case_word(text: str, toks: list[tuple[int, int, str]]) -> bool:
    """The words ``toks`` of ``text`` read as the lower-case word they spell: every one written
    without a capital, but the first may carry a capital that may be a sentence's start
    (``caption_start``: opening a sentence, or anywhere in a turn without sentence punctuation,
    where a capital says nothing) when the word after them does not go on as a name (a title-case
    word or a tag: "Liv Standal", "Storm [PERSON_3]"). A capital mid-sentence, or a word in
    capitals, is not the lower-case word."""
    first = text[toks[0][0]:toks[0][1]]
    if any(any(c.isupper() for c in text[s:e]) for s, e, _w in toks[1:]):
        return False
    if not any(c.isupper() for c in first):
        return True
    if not _title_case(first) or not caption_start(text, toks[0][0]):
        return False
    after = _NEXT_WORD.match(text, toks[-1][1])
    return after is None or not (_title_case(after.group(2)) or (after.group(1) and after.group(2)[:1].isupper()))


class KeepTerms:
    """The study's keep terms (``anonymisation.keep_terms``, the built-in list, "keep" decisions) and
    the one rule by which they keep text (module docstring): a term written with a capital in any
    case, one written in lower case as the lower-case word only. The anonymiser (``analyzer.apply_keep``),
    the learned recognizer and the guard all read them through this."""

    def __init__(self, terms: Iterable[str], gazetteer: Gazetteer | None = None):
        g = gazetteer or load_gazetteer()
        self.terms = tuple(dict.fromkeys(t for t in terms if tokens_of(t)))
        # The built-in list (countries, national organisations, "finn.no") holds names, read in
        # lower case (``Gazetteer.builtin_keep``): kept in any case, whoever lists them.
        lower = [t for t in self.terms if lower_case_term(t) and t not in g.builtin_keep]
        self.matcher = StringMatcher([(t, "KEEP") for t in self.terms], g, strict_common=False, digit_types=set(),
                                     lower_case_exact=frozenset(lower))
        self.lower_case_terms = frozenset(lower)  # the terms kept only as the lower-case word
        self._any_case = frozenset(tokens_of(t) for t in self.terms if t not in lower)
        self._lower_case = frozenset(tokens_of(t) for t in lower)

    def __len__(self) -> int:
        return len(self.matcher)

    def find(self, text: str) -> list[Match]:
        return self.matcher.find(text) if len(self.matcher) else []

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [(m.start, m.end) for m in self.find(text)]

    def holds(self, string: str) -> bool:
        """``string``, as written, is a keep term wherever it stands: its words are those of a term
        written with a capital, or of a term written in lower case and it has no capital itself. An
        original of the key or a known identifier that a keep term holds is left out of the key and
        the guard; "Liv", detected as a name, is no keep term "liv"."""
        toks = tokens_of(string)
        return bool(toks) and (toks in self._any_case or (toks in self._lower_case
                                                          and not any(c.isupper() for c in string)))


_CHUNK = 1 << 20
_SHORT = 20_000
_SPACE = re.compile(r"\s")


def _distinct_tokens(text: str) -> set[str]:
    """The distinct ``TOKEN`` tokens of ``text``; a long text is read in pieces cut at white
    space (no token spans it), so a whole-export check never holds a list of all its words."""
    if len(text) <= _CHUNK:
        return set(TOKEN.findall(text))
    found: set[str] = set()
    start = 0
    while start < len(text):
        cut = _SPACE.search(text, min(start + _CHUNK, len(text)))
        end = cut.start() if cut else len(text)
        found.update(TOKEN.findall(text, start, end))
        start = end + 1
    return found


# A short text holding this many start words or fewer is searched for each of them (str.find)
# rather than walked token by token.
_FEW = 8
_WORD_CHAR = re.compile(r"[^\W_]")  # a character of a TOKEN


def _whole_tokens(text: str, forms: set[str]) -> list[re.Match]:
    """The ``TOKEN`` matches of ``text`` that are one of ``forms`` (each a whole ``TOKEN`` token), in
    order: the same as ``[t for t in TOKEN.finditer(text) if t.group() in forms]``, found by
    searching for each form (C speed) and keeping the occurrences with no word character on
    either side, which are exactly the tokens equal to it."""
    starts = []
    end = len(text)
    for w in forms:
        n = len(w)
        i = text.find(w)
        while i >= 0:
            j = i + n
            if (i == 0 or _WORD_CHAR.match(text, i - 1) is None) and (j == end or _WORD_CHAR.match(text, j) is None):
                starts.append(i)
            i = text.find(w, i + 1)
    starts.sort()
    return [TOKEN.match(text, i) for i in starts]


def _forms_of(text: str, lowered: frozenset[str]) -> set[str]:
    """The distinct ``TOKEN`` tokens of ``text`` (as written) whose lower case is in ``lowered``:
    the text's lower-cased words met with ``lowered`` in one set intersection (C speed), then the
    forms of the few that are in it."""
    by_lower = _forms_by_lower(text)
    # frozenset.intersection walks the text's words (a dict's keys); ``keys() & frozenset`` would
    # walk the frozenset (thousands of originals).
    return {w for low in lowered.intersection(by_lower) for w in by_lower[low]}


def _forms_by_lower(text: str) -> dict[str, tuple[str, ...]]:
    """The distinct ``TOKEN`` tokens of ``text`` by their lower case. A short text (a turn) is read
    by several matchers one after the other (the key's, the decisions', the keep terms'): the
    answers for the last few are kept (``_short_forms_by_lower``; a bounded cache, a few MB)."""
    if len(text) <= _SHORT:
        return _short_forms_by_lower(text)
    return _by_lower(_distinct_tokens(text))


def _by_lower(tokens: set[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for w in tokens:
        low = w.lower()
        forms = found.get(low)
        found[low] = (w,) if forms is None else forms + (w,)
    return found


@lru_cache(maxsize=256)
def _short_forms_by_lower(text: str) -> dict[str, tuple[str, ...]]:
    return _by_lower(set(TOKEN.findall(text)))


@lru_cache(maxsize=4096)
def _word_regex(words: frozenset[str]) -> re.Pattern:
    """Whole-token occurrences of any of ``words`` (exact strings, as written in the text)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


def _non_overlapping(matches: list[Match]) -> list[Match]:
    matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for m in matches:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept
