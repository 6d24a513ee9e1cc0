"""The leak guard: one check before anything shareable is written. It fails closed.

``require_guard(study)`` returns the study's :class:`Guard` or raises; there is
no code path that returns None or skips it. Shareable files (data/coded/,
reports/, exports) are written only by :func:`pipeline.store.write_shareable`,
which takes a ``Guard`` and nothing else. ``guard.check(text, target, source)``
raises :class:`~pipeline.errors.LeakError` when ``text`` contains any original
from the pseudonym key, any known identifier (settings, the private
known-identifiers file) or any informant's name, so nothing is written. The
error names the target file, where the text came from (``source``: a
transcript by its informant, ``study.yaml (report.title)``, a column of the
informants table) and the setting that keeps a term, never the identifier
itself (the line may end up in a log).

Matching follows ``matcher.py`` (word tokens, case-insensitive, across
separators: ``Hamid_Rahimi``, ``HAMID-RAHIMI`` and ``hamid.rahimi`` all hold
"Hamid Rahimi"; an original that is an ordinary word only when capitalised and
not sentence-initial), the rule the anonymiser uses to re-apply the key, so a
correct run never trips it, and goes further where an identifier is written in
ways transcripts are not:

* numbers across any grouping: an original holding 6 or more digits is found
  in any run of digit groups separated by single spaces, dots, slashes,
  hyphens or underscores ("14 08 63 271 64", "1408.6327/164"), beginning and
  ending where a group does (so "+47 924 18 337" and "14086327164 92418337"
  hold their numbers, a longer id or a decimal not its middle digits); with
  commas too for 8 digits or more (a comma also separates CSV columns, where
  a short number would turn up by chance).

With no key yet it still checks the known identifiers and names. An encrypted
key without its passphrase makes :func:`require_guard` raise: nothing is
written.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from ..errors import LeakError
from ..settings import Study
from .detection import TYPES
from .gazetteer import load_gazetteer
from .keystore import read_key_data
from .matcher import KeepTerms, Match, StringMatcher, as_lower_case_word, fold_separators, tokens_of
from .sources import informant_variants, keep_strings, known_identifiers, label_texts, load_decisions, own_words

KEEP_HINT = ("review step: qualpipe anonymise --review lists every detection (data/private/); if a term "
             "is no identifier, decide 'keep' for it there and import the sheet with qualpipe anonymise "
             "--decisions FILE, or keep it with anonymisation.keep_terms in study.yaml")
MIN_DIGITS = 6
MIN_DIGITS_WITH_COMMAS = 8
_NUMBER = re.compile(r"\d(?:[ \t./\-_,]?\d)*")
_NO_COMMA = re.compile(r"\d(?:[ \t./\-_]?\d)*")
_GROUP = re.compile(r"\d+")
_COUNTRY_CODE = re.compile(r"^(?:00)?47(?=\d{8}$)")
_CLEAN_KEPT = 100_000  # digests of clean texts a guard remembers


class _Typed:
    """A refused string's type; its source and ordinary-word flag from the key decide how strictly
    it matches (matcher.py), exactly as the anonymiser re-applies it."""

    __slots__ = ("type", "source", "ordinary_word", "informant")

    def __init__(self, kind: str, source: str = "detected", ordinary_word: bool = False, informant: str = ""):
        self.type = kind
        self.source = source
        self.ordinary_word = ordinary_word
        self.informant = informant  # the informant's id, for an informant's name


def informant_entries(study: Study) -> list[tuple[str, _Typed]]:
    """Every informant name form the guard refuses (each informant's name and its variants, outside
    the keep terms), with the informant's id. The one list both the guard and the anonymiser's
    informant-name pass read (``Anonymiser.informant_names``), through :func:`name_matcher`: what the
    guard flags from the informants table, the anonymiser has replaced."""
    keep = KeepTerms(keep_strings(study, load_decisions(study)))
    entries = [(variant, _Typed("PERSON", "informant", informant=informant.id))
               for informant, name, variants in informant_variants(study) for variant in [name, *variants]]
    return [(o, t) for o, t in entries if tokens_of(o) and not keep.holds(o)]


def name_matcher(entries: Iterable[tuple[str, object]], g=None) -> StringMatcher:
    """The guard's string rule (matcher.py: case, separators, possessive -s, spelled and split
    forms) over ``entries``; the anonymiser's informant-name pass builds the same."""
    return StringMatcher(list(entries), g or load_gazetteer())


def guard_text(text: str) -> str:
    """The text as the guard reads it for names: an underscore as a space (same length). The
    matcher reads every text so itself (``matcher.fold_separators``): the anonymiser's key and the
    guard part nowhere over a separator."""
    return fold_separators(text)


def guard_entries(study: Study, key_data: dict | None) -> list[tuple[str, _Typed]]:
    """Every string the guard refuses, with its type (never printed).

    A detected ordinary word that the codebook or the report's fixed prose uses ("takst") is left
    out: the researchers' own term is no identifier in their codebook or report, and the
    anonymiser re-applies it only where it reads as a name (stage.py), each time for review."""
    entries: list[tuple[str, _Typed]] = []
    own = own_words(study)
    tool_words = {kind.lower() for kind in TYPES}
    for item in (key_data or {}).get("entities", []):
        ordinary = item.get("ordinary_word", False)
        source = item.get("source", "detected")
        for original in item.get("originals", []):
            toks = tokens_of(original)
            if ordinary and source == "detected" and len(toks) == 1 and toks[0] in own:
                continue
            # The tool's own type names ("EPOST" in a tag, a column of the audit) are its wording;
            # a lower-case "epost" taken for a name must not make every shareable file refuse.
            if source == "detected" and len(toks) == 1 and toks[0] in tool_words:
                continue
            entries.append((original, _Typed(item["type"], source, ordinary)))
    for kind, original in known_identifiers(study):
        entries.append((original, _Typed(kind or "kjent identifikator", "known")))
    keep = KeepTerms(keep_strings(study, load_decisions(study)))
    return [(o, t) for o, t in entries if tokens_of(o) and not keep.holds(o)] + informant_entries(study)


class _Numbers:
    """The numbers among the originals, compared as bare digits."""

    def __init__(self, entries: Iterable[tuple[str, object]]):
        self.kinds: dict[str, tuple[str, object]] = {}  # digits -> (original, payload)
        for original, payload in entries:
            for run in _NUMBER.finditer(original):
                digits = re.sub(r"\D", "", run.group())
                for form in sorted({digits, _COUNTRY_CODE.sub("", digits)}):
                    if len(form) >= MIN_DIGITS:
                        self.kinds.setdefault(form, (original, payload))
        self.lengths = sorted({len(d) for d in self.kinds}, reverse=True)

    def find(self, text: str) -> list[tuple[int, int, tuple[str, object]]]:
        """(start, end, (original, payload)) of each run of digits that holds a number of the originals."""
        if not self.kinds:
            return []
        found = []
        for pattern, shortest in ((_NO_COMMA, MIN_DIGITS), (_NUMBER, MIN_DIGITS_WITH_COMMAS)):
            lengths = [n for n in self.lengths if n >= shortest]
            if not lengths:
                continue
            wanted = set(lengths)
            # Only the runs with as many digits as the shortest number (``lengths`` is longest first):
            # a shorter run holds none, and most runs of a table (ids, offsets) are short.
            for run in _runs_of(pattern.pattern, lengths[-1]).finditer(text):
                groups = _GROUP.findall(run.group())
                digits = "".join(groups)
                # A number starts and ends where a group does: "14086327164 92418337" holds both
                # numbers, a longer number (an id, a decimal) does not hold its middle digits.
                cuts = [0]
                for group in groups:
                    cuts.append(cuts[-1] + len(group))
                hit = next((digits[a:b] for i, a in enumerate(cuts) for b in cuts[i + 1:]
                            if b - a in wanted and digits[a:b] in self.kinds), None)
                if hit is not None:
                    found.append((run.start(), run.end(), self.kinds[hit]))
        return found


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=32).digest()


@lru_cache(maxsize=32)
def _runs_of(pattern: str, digits: int) -> re.Pattern:
    """``pattern`` (``_NUMBER`` or ``_NO_COMMA``: a digit, then separated digits) matching only its
    runs of ``digits`` digits or more. A run is maximal, so this finds exactly those runs of it."""
    assert pattern.startswith("\\d(?:") and pattern.endswith(")*"), pattern
    return re.compile(f"{pattern[:-1]}{{{digits - 1},}}")


class Guard:
    """Refuses text holding an identifier of the study; see the module docstring for the rule.

    Build it with :func:`require_guard` (the study's) or from explicit
    ``entries`` — (original, payload with a ``type``) pairs — keep terms and the study's own labels
    (``sources.label_texts``).
    """

    def __init__(self, entries: Iterable[tuple[str, object]], keep: Iterable[str] = (), labels: Iterable[str] = ()):
        entries = list(entries)
        keep = list(keep)
        g = load_gazetteer()
        self._matcher = name_matcher(entries, g)
        # The study's labels, each with what the guard finds in it read on its own. The tool writes a
        # label verbatim (an informant's pseudonym "Kjøpte og ble boende B1" in a turn, a line of
        # study.yaml, a heading of the report), so a word of it is read where it stands in the label:
        # a detected ordinary word the matcher takes only capitalised mid-sentence ("kjøpte") is no
        # hit where the label opens with it, wherever the label is written. What the label alone
        # holds (a name, an informant's name, a known identifier) is found in it still.
        self._labels = {label: frozenset((m.start, m.end) for m in self._matcher.find(guard_text(label)))
                        for label in sorted({x for x in labels if tokens_of(x)}, key=lambda x: (-len(x), x))}
        # An original found only inside a keep term ("finn" in "finn.no") is no leak, exactly as
        # the anonymiser leaves it (the same rule: a term in lower case keeps the lower-case word).
        self._keeper = KeepTerms(keep, g)
        self._numbers = _Numbers(entries)
        # A keep term as a file name writes it without æ, ø, å ("startlan"): the same term, whole
        # ("kari nordmanns minnefond"): a word of it alone is no keep term ("kari nordmann").
        # A term kept only as the lower-case word (KeepTerms) is that in its folded spelling too.
        folds: dict[str, bool] = {}
        for k in keep:
            if key := fold_key(k):
                folds[key] = folds.get(key, True) and k in self._keeper.lower_case_terms
        self._kept_folds = folds
        # Digests of the texts this guard found clean: its verdict is a function of its entries and
        # the text alone, so a text checked again (segments.csv, written by the anonymisation stage
        # and again by the coding stage with the same key) is not read again.
        self._clean: set[bytes] = set()

    def findings(self, text: str) -> Counter[str]:
        """How many identifiers of each type ``text`` holds (empty: none)."""
        return Counter(getattr(p, "type", None) or "identifikator" for p in self._payloads(text))

    def _payloads(self, text: str) -> list[object]:
        """The payload of every identifier ``text`` holds."""
        return [m.payload for m in self.leaks(text)]

    def leaks(self, text: str) -> list[Match]:
        """Every identifier ``text`` holds, as the guard finds it: where it stands, the original of
        the entries it matched and its payload. The one answer :meth:`check` refuses by, and the
        one the anonymiser replaces by (``Anonymiser.render_turn``), so the two cannot disagree."""
        digest = _digest(text)
        if digest in self._clean:
            return []
        words = guard_text(text)  # same length: offsets stay those of ``text``
        hits = self._matcher.find(words)
        if hits and len(self._keeper):
            spans = [(m.start, m.end) for m in self._keeper.find(words)]
            hits = [h for h in hits if not any(ks <= h.start and h.end <= ke for ks, ke in spans)]
        if hits and self._labels:
            hits = [h for h in hits if not self._read_in_label(text, h)]
        taken = [(h.start, h.end) for h in hits]
        for start, end, (original, payload) in self._numbers.find(text):
            if not any(s < end and start < e for s, e in taken):  # one number counts once
                hits.append(Match(start, end, original, payload))
                taken.append((start, end))
        if not hits:
            self._remember_clean(digest)
        return hits

    def _read_in_label(self, text: str, hit: Match) -> bool:
        """Whether ``hit``, a detected entry's, lies in an occurrence of one of the study's labels
        where the label read on its own holds no hit: then the label's context, not the word, made it
        one (a label opening with a capital, written after other words)."""
        if getattr(hit.payload, "source", "detected") != "detected":
            return False  # an informant's name, a known identifier, a decision: refused wherever they stand
        for label, own in self._labels.items():
            at = text.find(label, max(0, hit.end - len(label)))
            while 0 <= at <= hit.start:
                if hit.end <= at + len(label) and (hit.start - at, hit.end - at) not in own:
                    return True
                at = text.find(label, at + 1)
        return False

    def _remember_clean(self, digest: bytes) -> None:
        if len(self._clean) >= _CLEAN_KEPT:  # a long-lived guard (the workbench's) stays small
            self._clean.clear()
        self._clean.add(digest)

    def check_fields(self, fields: Iterable[tuple[str, str]], target: Path) -> None:
        """Check short texts that are not transcript text, which the researcher writes from the
        material (study.yaml, codebook.yaml, informant attributes): the guard's rule, the
        recognizers of structured identifiers (phone, fødselsnummer, account, e-mail), which need no
        context, and :func:`written_words`: a name there is in no key when no transcript names it.
        ``fields``: (where it came from, text)."""
        for source, text in fields:
            found = [describe(p) for p in self._payloads(text)]
            found += [f"{kind} ({ORIGINS['pattern']})" for kind, n in detected_identifiers(text).items()
                      for _ in range(n)]
            found += list(written_words(text, self._keeper, self._kept_folds).elements())
            if found:
                self._refuse(Counter(found), target, source)

    def check_table_fields(self, fields: Iterable[tuple[str, str]], target: Path) -> None:
        """:meth:`check_fields` for the cells of the informants table, and more: a capitalised word
        that the package's lists know as a person's name or a place and not as an ordinary word
        ("Møllenberg", "kona Gudrun"), outside a keep term. A cell gives a detector no context, and a
        name or place the transcripts never mention is in no list of the study, yet the cell reaches
        study.sqlite, informants.csv, the report's informant table and the .qdpx."""
        fields = list(fields)
        self.check_fields(fields, target)
        for source, text in fields:
            found = listed_words(text, self._keeper)
            if found:
                self._refuse(found, target, source)

    def check(self, text: str, target: Path, source: str | None = None) -> None:
        """Raise LeakError naming ``target`` and ``source`` (never the identifier) if ``text`` leaks."""
        digest = _digest(text)
        if digest in self._clean:  # found clean before (here or by ``leaks``): not read again
            return
        payloads = self._payloads(text)
        if payloads:
            self._refuse(Counter(describe(p) for p in payloads), target, source)
        self._remember_clean(digest)

    __call__ = check

    @staticmethod
    def _refuse(kinds: Counter[str], target: Path, source: str | None) -> None:
        summary = ", ".join(f"{n} × {k}" for k, n in sorted(kinds.items()))
        where = f"the text from {source}" if source else "the text"
        raise LeakError(f"refusing to write: {where} contains identifiers ({summary}); nothing was written; "
                        f"{KEEP_HINT}", target)


# Where a refused string came from, so the researcher knows which list to look at.
ORIGINS = {"detected": "detected in the transcripts, not yet reviewed",
           "informant": "an informant's name from the informants table",
           "known": "a known identifier (data/private/known_identifiers.txt)",
           "decision": "a 'remove' decision of the anonymisation review",
           "pattern": "a number or address pattern",
           "lists": "a name or place of the package's lists, in a table cell",
           "written": "in a text the study writes"}


def _kept_spans(text: str, keeper: KeepTerms | None) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in keeper.find(text)] if keeper is not None and len(keeper) else []


def listed_words(text: str, keeper: KeepTerms | None = None) -> Counter[str]:
    """Capitalised words of ``text`` that the package's lists know as a place or a person's name and
    not as an ordinary word, outside a keep term. A word ending in -s is also read without it: the
    genitive ("Sigrids mann", "Hansens bakeri") is not in the lists."""
    g = load_gazetteer()
    kept = _kept_spans(text, keeper)
    found: Counter[str] = Counter()
    for m in re.finditer(r"[^\W\d_]+", text):
        word = m.group()
        if not word[:1].isupper() or g.is_common_word(word):
            continue
        if any(s <= m.start() and m.end() <= e for s, e in kept):
            continue
        forms = [word] + ([word[:-1]] if word[-1:] in ("s", "S") and not g.is_common_word(word[:-1]) else [])
        if any(g.is_place(f) for f in forms):
            found[f"STED ({ORIGINS['lists']})"] += 1
        elif any(g.is_name(f) for f in forms):
            found[f"PERSON ({ORIGINS['lists']})"] += 1
    return found


def ascii_fold(word: str) -> str:
    """``word`` in lower case as an ASCII file name writes it: æ ae, ø o, å a."""
    return word.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")


_FOLD_TOKEN = re.compile(r"[^\W_]+")
_FOLD_GAP = re.compile(r"[\W_]{1,3}")


def fold_key(term: str) -> str:
    """``term``'s words ASCII-folded (:func:`ascii_fold`), one space between: "Startlån i Trondheim"
    and the file name's "startlan_i_trondheim" give the same key."""
    return " ".join(ascii_fold(t) for t in _FOLD_TOKEN.findall(term))


def _folded_spans(text: str, kept_folds: Mapping[str, bool]) -> list[tuple[int, int]]:
    """Where ``text`` spells a whole keep term ASCII-folded, its words in order with at most a
    little punctuation between (``kept_folds``: :func:`fold_key` of each term -> whether it is kept
    only as the lower-case word, ``matcher.as_lower_case_word``)."""
    if not kept_folds:
        return []
    longest = max(key.count(" ") + 1 for key in kept_folds)
    tokens = list(_FOLD_TOKEN.finditer(text))
    folded = [ascii_fold(t.group()) for t in tokens]
    spans = []
    for i in range(len(tokens)):
        for n in range(1, min(longest, len(tokens) - i) + 1):
            if n > 1 and not _FOLD_GAP.fullmatch(text, tokens[i + n - 2].end(), tokens[i + n - 1].start()):
                break
            exact = kept_folds.get(" ".join(folded[i:i + n]))
            if exact is None or exact and not as_lower_case_word(
                    text, [(t.start(), t.end(), f) for t, f in zip(tokens[i:i + n], folded[i:i + n])]):
                continue
            spans.append((tokens[i].start(), tokens[i + n - 1].end()))
    return spans


def _term_compound(word: str, keeper: KeepTerms | None, kept_folds: Mapping[str, bool], g) -> bool:
    """A hyphenated compound whose first part is an acronym ("NAV", "UDI") or a keep term and whose
    rest is ordinary words in lower case ("NAV-prosjektmedarbeidar", "Husbanken-lånet"): a kind of
    person or thing named after an office, no name. The capital is the first part's; the rest passes
    the test a lower-case word of the text passes (``unexplained.explanation``)."""
    from .unexplained import explanation

    first, _hyphen, rest = word.partition("-")
    if not rest or not all(p and p.islower() and explanation(p, g) is not None for p in rest.split("-")):
        return False
    if len(first) >= 2 and first.isupper() and first.isalpha():
        return True  # an acronym
    lower_only = kept_folds.get(fold_key(first))  # True: kept only as the lower-case word
    return (lower_only is False or (lower_only is True and first.islower())
            or (0, len(first)) in _kept_spans(first, keeper))


def written_words(text: str, keeper: KeepTerms | None = None, kept_folds: Mapping[str, bool] | None = None) -> Counter[str]:
    """Words of a text the researcher wrote (study.yaml, codebook.yaml, a cell of the informants
    table) that may be a name no list of the study holds, outside a keep term:

    * a word nothing explains as an ordinary word (``unexplained.explanation``, the test the
      anonymiser masks unexplained words by): "Eidsvaag", "petter fagerbakk", "tveitnes" — the lists'
      names in lower case too, where :func:`listed_words` reads capitals only;
    * a capitalised word that opens no sentence and is no ordinary word: a surname or a firm is often
      a compound of words ("Ulvestad", "Myrvold", "Lysheim"), which explains it in lower case only;
    * a first name of the lists followed by a surname of the lists, in any case ("kari nordmann"): each
      an ordinary word, together a name (no such pair in the demo's 4 006 anonymised segments).

    Such a text gives a detector no context, and nothing is lost by refusing it: the refusal names
    the field and ``anonymisation.keep_terms`` keeps a term (also in the ASCII spelling of a file name:
    "startlan" for "startlån")."""
    from .lexicon import is_ordinary
    from .matcher import sentence_initial
    from .unexplained import WORD, explanation

    g = load_gazetteer()
    kept = _kept_spans(text, keeper) + _folded_spans(text, kept_folds or {})
    found: Counter[str] = Counter()
    previous = None
    for m in WORD.finditer(text):
        word = m.group()
        if any(s <= m.start() and m.end() <= e for s, e in kept):
            previous = None
            continue
        if (previous is not None and not text[previous.end():m.start()].strip() and g.is_first(previous.group())
                and g.is_last(word)):
            found[f"PERSON (a first name and a surname of the lists, {ORIGINS['written']})"] += 1
        previous = m
        if explanation(word, g) is None and not _term_compound(word, keeper, kept_folds or {}, g):
            found[f"PERSON ELLER STED (a word no dictionary explains, {ORIGINS['written']})"] += 1
        elif (word[:1].isupper() and not word.isupper() and not sentence_initial(text, m.start())
              and not any(is_ordinary(p) or g.is_common_word(p) for p in (word, word.rstrip("s")))
              and not _term_compound(word, keeper, kept_folds or {}, g)):
            found[f"PERSON ELLER STED (a capitalised word that is no ordinary word, {ORIGINS['written']})"] += 1
    return found


def unknown_capitalised(text: str, keeper: KeepTerms | None = None) -> int:
    """How many title-case words of ``text`` are no ordinary word and no keep term: a name the lists
    do not hold ("Sigve Aasheim", "Oddvar") looks exactly like this. Used where a text can simply be
    left out (a quoted value of an error line, an id used as a file name), not to refuse a cell."""
    g = load_gazetteer()
    kept = _kept_spans(text, keeper)
    return sum(1 for m in re.finditer(r"[^\W\d_]+", text)
               if m.group()[:1].isupper() and not m.group().isupper() and not g.is_common_word(m.group())
               and not any(s <= m.start() and m.end() <= e for s, e in kept))


def describe(payload: object) -> str:
    """A refused string's type and origin, never the string: "ORGANISASJON (detected ...)"."""
    kind = getattr(payload, "type", None) or "identifikator"
    origin = ORIGINS.get(getattr(payload, "source", None) or "", "")
    if getattr(payload, "ordinary_word", False):
        origin += ", an ordinary word"
    return f"{kind} ({origin})" if origin else kind


STRUCTURED_TYPES = frozenset({"TELEFON", "FØDSELSNUMMER", "KONTONUMMER", "EPOST"})


@lru_cache(maxsize=1)
def _pattern_recognizers() -> tuple:
    from .registry import default_recognizers

    return tuple(r for r in default_recognizers([], set()) if not r.needs_doc)


def detected_identifiers(text: str) -> Counter[str]:
    """Structured identifiers the pattern recognizers find in a short text without context."""
    found: Counter[str] = Counter()
    for recognizer in _pattern_recognizers():
        for d in recognizer.analyze(text):
            if d.type in STRUCTURED_TYPES:
                found[d.type] += 1
    return found


def settings_texts(study: Study) -> list[tuple[str, str]]:
    """(where, text) for every text of study.yaml that reaches shareable output."""
    s = study.settings
    found = [("study.yaml (name)", s.name), ("study.yaml (report.title)", s.report.title),
             ("study.yaml (report.subtitle)", s.report.subtitle),
             ("study.yaml (report.sample_note)", s.report.sample_note),
             ("study.yaml (report.context_note)", s.report.context_note)]
    found += [(f"study.yaml (groups: {g})", g) for g in s.groups]
    for field, mapping in (("group_labels", s.group_labels), ("report.group_names", s.report.group_names),
                           ("report.column_names", s.report.column_names)):
        found += [(f"study.yaml ({field}.{key})", f"{key} {value}") for key, value in sorted(mapping.items())]
    return [(where, text) for where, text in found if text]


def codebook_texts(codebook) -> list[tuple[str, str]]:
    """(where, text) for every text of codebook.yaml that reaches shareable output: the report prints
    labels, definitions, criteria and example quotes, the exports and study.sqlite the definitions.
    A code is named by its place, not its id (an id is one of the texts checked)."""
    found = [("codebook.yaml (name)", codebook.name)]
    for number, code in enumerate(codebook.codes, start=1):
        where = f"codebook.yaml (code {number}: {{}})"
        found += [(where.format(field), getattr(code, field)) for field in ("id", "label", "definition")]
        for field, texts in (("include", code.include), ("exclude", code.exclude),
                             ("examples.positive", code.examples.positive),
                             ("examples.negative", code.examples.negative)):
            found += [(where.format(f"{field} {i}"), text) for i, text in enumerate(texts, start=1)]
    return [(where, text) for where, text in found if text]


def context_texts(tables) -> list[tuple[str, str]]:
    """(where, text) for every text of the context tables (data/raw/context/*.csv) that reaches the
    report: the file name (the figure's file, the default title), title, source, unit, note, column
    names and categories. A table is named by its place, not its file name (one of the texts)."""
    found = []
    for number, table in enumerate(tables, start=1):
        where = f"data/raw/context (table {number} of {len(tables)}: {{}})"
        found += [(where.format("file name"), table.name.replace("_", " "))]
        found += [(where.format(field), getattr(table, field)) for field in ("title", "source", "unit", "note")]
        found += [(where.format(f"column {i}"), c) for i, c in enumerate(table.columns, start=1)]
        found += [(where.format(f"row {i}"), c) for i, c in enumerate(table.categories, start=1)]
    return [(where, text) for where, text in found if text]


def check_context(guard: Guard, tables, target: Path) -> None:
    """Refuse (LeakError naming the table by its place and the field) context tables whose texts hold
    an identifier: written by the researcher, like the codebook, and shown in the report and figures."""
    guard.check_fields(context_texts(tables), target)


def check_codebook(guard: Guard, codebook, target: Path) -> None:
    """Refuse (LeakError naming the field) a codebook whose texts hold an identifier of the study's
    lists or a structured one (a phone number in an example quote is in no key)."""
    guard.check_fields(codebook_texts(codebook), target)


def require_guard(study: Study) -> Guard:
    """The study's guard. Raises (QualpipeError) when it cannot be built — an encrypted key
    without its passphrase, a damaged key — or when a text of study.yaml that reaches the
    outputs holds an identifier (LeakError naming the setting); never returns None."""
    return guard_for_key(study, read_key_data(study))


# The guards built in this process, by what they refuse and keep (``_guard_of``): the stages of one
# run with the same key share one guard, and with it what it has found clean.
_GUARDS: dict[tuple, Guard] = {}
_GUARDS_KEPT = 4
_GUARDS_LOCK = threading.Lock()  # the workbench serves requests on threads


def guard_for_key(study: Study, key_data: dict | None) -> Guard:
    """The guard for a key not yet written (the anonymise stage checks before it saves the key)."""
    guard = key_guard(study, key_data)
    guard.check_fields(settings_texts(study), study.root / "study.yaml")
    return guard


def key_guard(study: Study, key_data: dict | None) -> Guard:
    """:func:`guard_for_key` without its check of study.yaml: the guard the anonymiser asks, while
    it replaces, what the stage's guard will refuse in a rendered turn (the same object when the
    key is the same: ``_guard_of``)."""
    return _guard_of(guard_entries(study, key_data), keep_strings(study, load_decisions(study)), label_texts(study))


def _guard_of(entries: list[tuple[str, _Typed]], keep: list[str], labels: tuple[str, ...] = ()) -> Guard:
    """``Guard(entries, keep, labels)``, or the one built before from exactly these entries, keep terms
    and labels."""
    key = (tuple((o, t.type, t.source, t.ordinary_word) for o, t in entries), tuple(keep), tuple(labels),
           id(load_gazetteer()))
    with _GUARDS_LOCK:
        guard = _GUARDS.pop(key, None)
        if guard is None:
            guard = Guard(entries, keep, labels)
            while len(_GUARDS) >= _GUARDS_KEPT:
                del _GUARDS[next(iter(_GUARDS))]
        _GUARDS[key] = guard  # the most recently used last
    return guard


# A value in quotes, not the apostrophe of "informant's": in single quotes, with an apostrophe between
# letters inside it ("sigve o'neill"), or in double quotes (repr's choice for a value holding one).
_QUOTED = re.compile(r"""(?<!\w)(?:'(?:[^'\n]|(?<=\w)'(?=\w))*'|"[^"\n]*")(?!\w)""")


def _raw_file_names(root: Path, guard: Guard | None) -> dict[str, str]:
    """Every raw transcript name this study folder holds or its informants table names -> the name
    it may be shown by: the shareable one where the table maps it to an id that may be shown (see
    :func:`_showable`), else its place in the folder or, for a file the folder lacks, its row."""
    from ..ingest.informants import _read_rows, find_table, shareable_file_name

    raw_dir = root / "data" / "raw"
    shown: dict[str, str] = {}
    unshown: dict[str, int] = {}
    try:  # the table may be the very thing the error is about: read it leniently
        table = find_table(raw_dir)
        for number, row in enumerate(_read_rows(table), start=2):  # line 1 is the header
            if row.get("file") and row.get("id"):
                # Ingest checks the ids only after reading the transcripts: an error about a
                # transcript comes first, and its file must not be shown by an id that is a name.
                if _showable(guard, row["id"]):
                    shown.setdefault(row["file"], shareable_file_name(row["id"], row["file"]))
                else:
                    unshown.setdefault(row["file"], number)
    except Exception:  # noqa: BLE001 - no table, an unreadable one: every file is then unlisted
        table = None
    try:
        present = sorted(p.name for p in (raw_dir / "transcripts").iterdir())
    except OSError:
        present = []
    for number, name in enumerate(present, start=1):
        shown.setdefault(name, f"<transcript {number} of {len(present)} in data/raw/transcripts, by name>")
    for name, number in unshown.items():
        shown.setdefault(name, f"<the file of row {number} of {table.name}>")
    return shown


def _showable(guard: Guard | None, text: str) -> bool:
    """Whether a text of the study may stand in an error line: a guard to vouch for it, nothing it,
    the structured recognizers or the package's lists find, and no title-case word that is no
    ordinary word (a name no list holds)."""
    return (guard is not None and not guard._payloads(text) and not detected_identifiers(text)
            and not listed_words(text, guard._keeper) and not unknown_capitalised(text, guard._keeper))


def _names_in_any_case(text: str) -> bool:
    """Whether a word of ``text`` in any case is a name or place of the package's lists, an ordinary
    word too ("kari nordmann"): for a quoted cell of an error line, which loses nothing but the value
    by going, not for refusing a text."""
    g = load_gazetteer()
    return any(g.is_name(w) or g.is_place(w) for w in re.findall(r"[^\W\d_]+", text))


def _table_cells(root: Path) -> set[str]:
    """Every cell of the raw informants table, read leniently (empty where it cannot be read)."""
    from ..ingest.informants import _read_rows, find_table

    try:
        return {value for row in _read_rows(find_table(root / "data" / "raw")) for value in row.values() if value}
    except Exception:  # noqa: BLE001 - no table, an unreadable one: then there is no guard either
        return set()


def _message_guard(root: Path) -> Guard | None:
    """The study's guard; where it cannot be built because the very input the error is about is
    wrong (a bad row of the informants table), one from what can still be read: the key's
    originals, the known identifiers and every name of the raw table with each of its words (only the
    table's names where study.yaml itself cannot be read: an error about a setting quotes settings).
    None when not even the table can be read."""
    from ..ingest.informants import _read_rows, find_table
    from ..settings import load_study

    try:
        study = load_study(root)
    except Exception:  # noqa: BLE001 - study.yaml is what is wrong: no key or list can be found
        study = None
    if study is not None:
        try:
            return require_guard(study)
        except Exception:  # noqa: BLE001 - fall back to the lists that can be read
            pass
    entries: list[tuple[str, _Typed]] = []
    try:
        if study is not None:
            for item in (read_key_data(study) or {}).get("entities", []):
                entries += [(o, _Typed(item["type"])) for o in item.get("originals", [])]
            entries += [(o, _Typed(kind or "kjent identifikator", "known")) for kind, o in known_identifiers(study)]
        for row in _read_rows(find_table(root / "data" / "raw")):
            name = (row.get("name") or "").strip()
            entries += [(part, _Typed("PERSON", "informant")) for part in {name, *name.split()} if part]
    except Exception:  # noqa: BLE001 - an unreadable key or table: nothing can be vouched for
        return None
    return Guard(entries)


@lru_cache(maxsize=1)
def schema_keys() -> frozenset[str]:
    """Every key of study.yaml's and codebook.yaml's schemas."""
    from ..codebook import Codebook
    from ..settings import StudySettings
    from ..validation import all_keys

    return frozenset(all_keys(StudySettings) | all_keys(Codebook))


def shareable_message(root: Path, message: str) -> str:
    """An error line as it may be printed, pasted into an e-mail or an issue: no raw file name (each
    becomes its shareable name) and nothing the study's guard or the structured recognizers refuse.

    A message that holds an identifier (the guard's, the structured recognizers', the package's names
    and places) or quotes a table cell with a title-case word no list knows (``'Sigve Aasheim'``)
    loses its quoted values; one that holds one even then is replaced by its types. A transcript is
    shown by its shareable name only when its id may be shown (:func:`_showable`). Fails closed:
    without a guard (no informants table) the quoted values go whatever they hold, except the keys of
    the package's schemas (``did you mean 'report'?``). ``--debug`` shows the original.
    """
    root = Path(root)
    guard = _message_guard(root)
    names = _raw_file_names(root, guard)
    if names:
        # One pass, longest first, so that a shown name ("2.txt") is never read again as a raw one.
        folders = {str(root.resolve() / "data" / "raw" / "transcripts"), str(root / "data" / "raw" / "transcripts")}
        folder = "|".join(re.escape(f + "/") for f in sorted(folders, key=len, reverse=True))
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(f"(?:{folder})?(?<![\\w.-])({alternatives})(?![\\w])")
        message = pattern.sub(lambda m: names[m.group(1)], message)
    keeper = guard._keeper if guard is not None else None

    def found(text: str) -> Counter[str]:
        # The lists' names and places too: a group or id cell quoted in the line ("unknown group
        # 'Møllenberg'") is in no list of the study when no name column holds it.
        kinds = detected_identifiers(text) + listed_words(text, keeper)
        if guard is not None:
            kinds.update(describe(p) for p in guard._payloads(text))
        return kinds

    # A cell of the table quoted with a title-case word no list knows may be a name no name column
    # holds ("unknown group 'Sigve Aasheim'"); a package text quoted ("expected 'Project'") is not.
    # Any quoted value but a key of the schemas may be the study's text (a cell, a speaker label, a
    # code id): one with a word no dictionary explains ("'sigve aasheim'", "'oddvar'") goes too.
    cells = _table_cells(root)
    keys = schema_keys()
    shown = set(names.values())  # the shareable names put in above ("2.txt"): vouched for already
    quoted = [m.group()[1:-1] for m in _QUOTED.finditer(message)]
    if (guard is None or found(message) or any(q in cells and unknown_capitalised(q, keeper) for q in quoted)
            or any(q not in keys and q not in shown and written_words(q, keeper) for q in quoted)
            or any(q in cells and _names_in_any_case(q) for q in quoted)):
        # A key of the package's schemas is the package's text, not the study's: it stays, so that
        # "did you mean 'report'?" survives a study without lists.
        message = _QUOTED.sub(lambda m: m.group() if m.group()[1:-1] in keys else "'…'", message)
    kinds = found(message)
    if kinds:
        summary = ", ".join(f"{n} × {k}" for k, n in sorted(kinds.items()))
        message = (f"the error message holds identifiers ({summary}) and is not shown; "
                   "qualpipe --debug shows it on this machine")
    return message
