"""Run the recognizers and merge what they found (Presidio's AnalyzerEngine, in small).

Merging rules (docs/anonymisation.md):

1. Keep terms win: a detection inside a keep term ("Trondheim" in "Trondheim
   kommune") is dropped; one that starts with a keep term and goes on ("NAV
   Heimdal") is cut to the rest ("Heimdal", a place). One that merely contains
   a keep term ("7045 Trondheim") stays whole.
2. Detections scoring at least ``min_score`` that overlap are joined into one
   span (their union), typed by the highest-scoring member: replacing a bit
   too much is safer than leaving half a name behind.
3. Weaker detections are kept for the review sheet unless they overlap a
   replaced span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.lang.nb.stop_words import STOP_WORDS as _STOP_WORDS

from .casing import lower_case_transcript, truecase
from .cues import person_context
from .detection import ADRESSE, DATO, EPOST, FNR, KONTO, NUMMER, ORG, PERSON, SAK, STED, TELEFON, TYPES, Detection
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import in_dictionary, is_word
from .matcher import KeepTerms, sentence_initial
from .numbers import WORD_PATTERN, dialect_forms
from .persons import particle_tail, split_syllable
from .registry import RecognizerRegistry
from .recognizers import MONTH_ALT, WEEKDAY, lower_case_words, names_more_than_kept
from .unexplained import ORDINAL, english_word

# Ties between equally scored overlapping detections: the more specific type wins.
_TYPE_RANK = {t: i for i, t in enumerate(TYPES)}
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def nlp_disable(nlp) -> list[str]:
    """Components the recognizers do not need (lemmas)."""
    return [n for n in nlp.pipe_names if "lemmatizer" in n]


def detect(texts: list[str], registry: RecognizerRegistry, nlp=None, batch_size: int = 32,
           track=None, caseless: list[bool] | None = None) -> list[list[Detection]]:
    """Every enabled recognizer's detections for each text, unmerged.

    ``caseless``: per text, whether it comes from a transcript written without capitals; the
    model and the recognizers then read a truecased copy (``casing.truecase``, same offsets)."""
    if not isinstance(registry, RecognizerRegistry):
        registry = RecognizerRegistry(registry)
    if caseless is not None and any(caseless):
        texts = [truecase(t) if flag else t for t, flag in zip(texts, caseless)]
    found = []
    if registry.needs_doc and nlp is not None:
        with nlp.select_pipes(disable=nlp_disable(nlp)):
            docs: Iterable = nlp.pipe(texts, batch_size=batch_size)
            if track is not None:
                docs = track(docs, description="Finner identifikatorer", total=len(texts))
            # Each Doc is analysed as it comes and then dropped: holding all of them (with their
            # tok2vec tensors) would cost memory in proportion to the whole corpus.
            for text, doc in zip(texts, docs):
                found.append(registry.analyze(text, doc))
    else:
        found = [registry.analyze(text, None) for text in texts]
    return with_split_numbers(texts, found, registry)


def with_split_numbers(texts: list[str], found: list[list[Detection]], registry: RecognizerRegistry
                       ) -> list[list[Detection]]:
    """The detections of one transcript's turns with those of the enabled transcript recognizers
    (``crossturn.py``: a phone number said over two turns, an identifier resumed after a pause in
    a later turn, an identifier's digits said again; ``RecognizerRegistry.analyze_transcript``),
    each turn's sorted by position."""
    return registry.analyze_transcript(texts, found)


def detect_job(item: tuple, registry: RecognizerRegistry) -> list[list[Detection]]:
    """``detect`` for the turns of one transcript, with the study's pipeline loaded where it runs
    (a worker of ``--workers N`` loads it once); ``item`` = (turn texts, model setting[, stored parse]).

    The stored parse (key, DocBin bytes) is ingest's one spaCy pass (pipeline/parse.py): where
    its key matches these texts and this pipeline, the recognizers read its Docs and the model
    does not run again; else the texts are parsed here."""
    from ..nlp import load_nlp, model_id

    texts, model, *rest = item
    stored = rest[0] if rest else None
    nlp = load_nlp(model) if registry.needs_doc else None
    if nlp is not None and stored is not None:
        from ..parse import parse_key, parsed_texts, read_docs

        read = parsed_texts(texts)  # truecased for a transcript written without capitals, as detect does
        if stored[0] == parse_key(read, model_id(nlp)):
            return with_split_numbers(read, [registry.analyze(text, doc)
                                             for text, doc in zip(read, read_docs(stored[1], nlp))], registry)
    # A transcript written without capitals is read truecased (casing.py), all its turns alike.
    caseless = [lower_case_transcript(texts)] * len(texts)
    return detect(texts, registry, nlp, caseless=caseless)


# The study's key: its strings as written, and in transcripts without capitals the key's persons
# in lower case (stage.py).
KEY_RECOGNIZERS = frozenset({"key", "key_caseless"})


def apply_keep(text: str, detections: list[Detection], keep: KeepTerms,
               g: Gazetteer | None = None, spans: list[tuple[int, int]] | None = None) -> list[Detection]:
    """``spans``: the keep terms' spans in ``text`` when the caller has them already.

    A detection by the study's key (``KEY_RECOGNIZERS``: an informant's name, a known identifier, a
    'remove' decision or a name replaced elsewhere, found by the guard's own rule) is dropped only
    inside a keep term, where the guard does not look either; a kept term it starts with is cut
    off it ("NAV Karimova" -> "Karimova"). The rules below that take a word after a kept term for
    part of it (lower-case or dialect words, a firm's second word) read what the recognizers
    guessed; dropping a key string would leave what the guard refuses ("Husbanken Sæter" with the
    informant Liv Sæter)."""
    g = g or load_gazetteer()
    if spans is None:
        spans = [(m.start, m.end) for m in keep.find(text)] if len(keep) else []
    if not spans:
        return detections
    kept = []
    for d in detections:
        drop = False
        for ks, ke in spans:
            if ks <= d.start and d.end <= ke:
                if (ks, ke) == (d.start, d.end) and key_name_over_kept_word(text, d, keep):
                    d = Detection(d.start, d.end, d.type, min(d.score, KEPT_WORD_NAME_SCORE), d.recognizer, d.text)
                    break
                drop = True
                break
            from_key = d.recognizer in KEY_RECOGNIZERS
            # "NAV Heimdal" -> "Heimdal"; but a place kept as a term stays part of a longer
            # name ("Bergen Bussdrift AS" is a firm, not Bergen + a firm), and so does any kept term
            # before an institution or firm word ("Notodden sjukeheim", "Tinn Eigedom"). An address or
            # a number or e-mail address is one identifier of a form, whatever words it is spoken in: a
            # kept word opening it ("liv punktum rask krøllalfa ..." with the keep term liv) is its part.
            if ks <= d.start < ke < d.end and d.type not in _WHOLE_FORMS and not g.is_place(text[ks:ke]) \
                    and not names_more_than_kept(text[ks:ke], text[ke:d.end]):
                start = ke
                while start < d.end and not text[start].isalnum():
                    start += 1
                if start >= d.end:
                    drop = True
                    break
                rest = text[start:d.end]
                if not from_key and lower_case_words(rest.split()):
                    drop = True  # "Førde sidan eg", "NAV-kontoret ho": the name was the kept term
                    break
                if _brand_word(rest, d, g):
                    drop = True  # "Coop Extra", "Google Translate": the firm's second word
                    break
                kind = STED if g.is_place(rest) else d.type
                d = Detection(start, d.end, kind, d.score, d.recognizer, rest)
            # The same word found alone right after the kept firm ("Google Translate").
            if d.start > ke and re.fullmatch(r" ", text[ke:d.start]) and not g.is_place(text[ks:ke]) \
                    and _brand_word(d.text, d, g):
                drop = True
                break
        if not drop:
            kept.append(d)
    return kept


# A name of the key over a kept word is replaced for review (the reviewer sees the word kept elsewhere).
KEPT_WORD_NAME_SCORE = 0.7
# How far on in its sentence a personal pronoun makes the word opening it a person ("Stein på
# økonomi er grei, altså, men han har ..."): a clause or two, not the rest of a long turn.
_PRONOUN_WORDS = 12


def key_name_over_kept_word(text: str, d: Detection, keep: KeepTerms) -> bool:
    """A person of the study's key ("Stein" of "Stein Halvorsen") written as a keep term the study
    lists in lower case ("stein", the ordinary word), with a capital that opens a sentence: the
    keep rule reads such a capital as the sentence's, so the word would be kept, but the capital
    says nothing either way. Where the rest of the sentence speaks of a person (a personal pronoun
    in its next words, or a person cue right before), it is the study's person, not the word."""
    return (d.type == PERSON and d.recognizer in KEY_RECOGNIZERS and d.text[:1].isupper()
            and d.text.lower() in keep.lower_case_terms and sentence_initial(text, d.start)
            and person_context(text, d.start, d.end, window=_PRONOUN_WORDS))


# Identifiers of a form (an address, an e-mail address, a number): a keep term inside one does not cut it.
_WHOLE_FORMS = frozenset({ADRESSE, EPOST, TELEFON, FNR, KONTO, SAK, NUMMER})
_LETTERS_ONLY = re.compile(r"[^\W\d_]+")


def _brand_word(rest: str, d: Detection, g: Gazetteer) -> bool:
    """One capitalised word taken as a person right after a kept firm or service ("Coop Extra",
    "Google Translate", "Coop Marked") names its chain or product when it is a listed Norwegian form
    (no compound reading: "Signe" = sign + e is one) or an English word, and no listed first name or surname ("fra NAV Mattis" in captions without punctuation
    stays a person). Any other word stays replaced ("NAV Amira"): a name no list holds reads the
    same, and a missed name is a leak. The key's own detections are never dropped."""
    words = rest.split()
    return (d.type == PERSON and d.recognizer not in KEY_RECOGNIZERS and len(words) == 1
            and words[0][:1].isupper() and (in_dictionary(words[0]) or english_word(words[0]))
            and not (g.is_first(words[0]) or g.is_last(words[0])))


# Pronouns, answer words and conjunctions (Bokmål, Nynorsk, common dialect forms): words that open
# or close a clause and are never part of a name. In text without sentence punctuation (automatic
# captions: "det var han fra NAV Mattis Aira Han er veldig grei", "Ja Luca s beste venn") a name
# span runs into the next clause's first word; entered in the key, that word ("Han", "Ja") would
# be replaced as the name wherever the study writes it.
CLAUSE_WORDS = frozenset({
    "han", "hun", "ho", "hen", "dei", "dem", "vi", "me", "jeg", "eg", "æ", "je", "du", "dere", "dokker",
    "meg", "mæ", "deg", "dæ", "seg", "sæ", "oss", "ja", "jada", "joda", "nei", "neida", "nja", "ok",
    "okei", "og", "å", "men", "eller", "at", "som", "så", "da", "når", "fordi", "hvis", "viss", "om"})
_NAME_TYPES = frozenset({PERSON, ORG, STED})


def trim_clause_words(text: str, d: Detection) -> Detection | None:
    """``d`` without the clause words (``CLAUSE_WORDS``) at either edge of a name of several
    words; None when nothing else is left (the whole span was such words)."""
    if d.type not in _NAME_TYPES:
        return d
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, d.start, d.end)]
    if len(words) < 2:
        return d
    first, last = 0, len(words) - 1
    while first <= last and text[words[first][0]:words[first][1]].lower() in CLAUSE_WORDS:
        first += 1
    while last >= first and text[words[last][0]:words[last][1]].lower() in CLAUSE_WORDS:
        last -= 1
    if first > last:
        return None
    if first == 0 and last == len(words) - 1:
        return d
    start, end = words[first][0], words[last][1]
    if last == len(words) - 1:
        end = d.end  # keep what the span held after its last word (a closing letter or digit)
    return Detection(start, end, d.type, d.score, d.recognizer, text[start:end])


# Role words a transcript labels a speaker with beyond the study's declared labels: the interpreter
# and an observer speak too, and the text names them so ("Tolk sa ...", "Deltaker A og B").
ROLE_LABELS = ("Tolk", "Tolken", "Observatør")


class RoleLabels:
    """The study's speaker labels as words of a turn ("så bruker vi Deltaker A og B", "jeg kaller
    dere IP1 og IP2", "Tolk: ..."): a role, never a name. A label may carry a number or one
    letter ("IP1", "Informant 3", "Deltaker A"), as several speakers of one role are told apart.

    Only labels that can be no name are read so: of two letters or more and no word of them on the
    name lists or in ``names`` (an informant's name: a study that labels speakers by first name).
    """

    def __init__(self, labels: Iterable[str], g: Gazetteer | None = None, names: Iterable[str] = ()):
        g = g or load_gazetteer()
        named = {w.lower() for n in names for w in _WORD.findall(n)}
        roles = sorted({label.strip() for label in labels
                        if sum(c.isalpha() for c in label) >= 2 and not any(
                            g.is_name(w) or g.is_first(w) or g.is_last(w) or w.lower() in named
                            for w in _WORD.findall(label))}, key=lambda x: (-len(x), x))
        if not roles:
            self._label = None
            return
        one = (rf"(?i:{'|'.join(re.escape(r) for r in roles)})"
               rf"(?:\s?\d{{1,2}}(?!\w)|\s[^\W\d_](?![^\W\d_]))?(?![^\W_])")
        self._label = re.compile(one)
        self._lead = re.compile(rf"{one}[\s,:;]+")
        self._tail = re.compile(rf"[\s,:;]+{one}$")

    def without_labels(self, text: str, d: Detection) -> Detection | None:
        """``d`` without a speaker label at its start or end ("Deltaker A, Kari" -> "Kari"); None
        when the span is a label alone. A detection of no name type is left as it is."""
        if self._label is None or d.type not in _NAME_TYPES:
            return d
        span = text[d.start:d.end]
        if self._label.fullmatch(span.strip()):
            return None
        start, end = d.start, d.end
        lead = self._lead.match(span)
        if lead:
            start += lead.end()
        tail = self._tail.search(text, start, end)
        if tail:
            end = tail.start()
        if (start, end) == (d.start, d.end):
            return d
        if not text[start:end].strip():
            return None
        return Detection(start, end, d.type, d.score, d.recognizer, text[start:end])


# A word joined to a name by "_" (a file or user name: "Hamid_Rahimi", "Kari_Nordmann_intervju"),
# right after or before a span.
_JOINED_AFTER = re.compile(r"_([^\W\d_]+)")
_JOINED_BEFORE = re.compile(r"([^\W\d_]+)_$")


def _joined_name_part(word: str, g: Gazetteer) -> bool:
    """A word joined by "_" to a name that is more of the name: capitalised, and no ordinary word
    unless a name list holds it ("Rahimi", "Nordmann"; not "Intervju", "intervju")."""
    return word[:1].isupper() and (g.is_name(word) or g.is_last(word) or g.is_first(word) or not is_word(word))


def over_joined_parts(text: str, replaced: list[Detection], g: Gazetteer | None = None) -> list[Detection]:
    """Each replaced name, place or firm grown over the words joined to it by "_" that are more of
    the name (``_joined_name_part``): a recognizer that reads "_" as part of a word, or a cue before
    a name, takes "Hamid" of "Hamid_Rahimi", and the rest would be left. A span is not grown into
    another replaced one."""
    g = g or load_gazetteer()
    out = []
    for d in replaced:
        if d.type not in _NAME_TYPES:
            out.append(d)
            continue
        start, end = d.start, d.end
        while (m := _JOINED_AFTER.match(text, end)) and _joined_name_part(m.group(1), g):
            end = m.end()
        while (m := _JOINED_BEFORE.search(text, max(0, start - 60), start)) and _joined_name_part(m.group(1), g) \
                and (m.start() == 0 or not (text[m.start() - 1].isalnum())):
            start = m.start()
        if (start, end) != (d.start, d.end) and not any(
                o is not d and o.start < end and start < o.end and not (d.start <= o.start and o.end <= d.end)
                for o in replaced):
            d = Detection(start, end, d.type, d.score, d.recognizer, text[start:end])
        out.append(d)
    return out


# A number's type says what its digits are: a span of one that holds no digit and no number word
# ("D-nummer" beside a D-nummer, which a model reading the context types as the number) is none.
_NUMBER_TYPES = frozenset({FNR, KONTO, TELEFON, NUMMER, SAK})
_HOLDS_NUMBER = re.compile(rf"\d|(?<![\w])(?:{WORD_PATTERN})(?![\w])", re.IGNORECASE)
# A date names a day or a month: a digit, or a whole word that is a number word, an ordinal
# ("tjuefjerde", "sjuande"), a month's name or its abbreviation ("okt."), a weekday, or a holiday
# that dates a day ("julaften", "påska"). Whole words: "mail", "marked" and "Mario" name no month.
# Ordinals also in the forms dialect-near writing gives them ("fæmte", "sjætte": numbers.dialect_forms).
_DAY_ORDINALS = ("første", "fyrste", "andre", "tredje", "fjerde", "femte", "sjette", "sjuende", "sjuande", "syvende",
                 "åttende", "åttande", "niende", "niande", "tiende", "tiande", "ellevte", "tolvte", "trettende",
                 "fjortende", "femtende", "sekstende", "syttende", "attende", "nittende", "tjuende", "trettiende")
_DIALECT_ORDINAL = ("(?:(?:tjue|tjuge|tretti)?(?:" + "|".join(sorted({f for w in _DAY_ORDINALS for f in dialect_forms(w)},
                                                                     key=len, reverse=True)) + "))")
_HOLIDAY = r"(?:jul(?:a|en|eaften|aften|ekvelden?)?|nyttår(?:saften)?|påske(?:n|a|aften)?|pinse(?:n|a)?|sankthans)"
_HOLDS_DATE = re.compile(rf"\d|(?<![\w])(?:{WORD_PATTERN}|{ORDINAL}|{_DIALECT_ORDINAL}|(?:{MONTH_ALT})\.?|{WEEKDAY}|{_HOLIDAY})(?![\w])",
                         re.IGNORECASE)
# The name of a kind of identifier ("D-nummer", "personnummeret", "epost", "e-posten") is the cue
# the number and e-mail recognizers read before one, never a name or an identifier itself.
_IDENTIFIER_KIND = re.compile(r"(?:[\wæøå]+-?)?(?:nummer|nummeret|numre|numrene|nr\.?)|e-?post(?:en|adresse|adressa"
                              r"|adressen)?|e-?mail(?:en|adresse|adressen)?", re.IGNORECASE)


def fits_its_form(text: str, d: Detection) -> bool:
    """False for a detection of a number type (fødselsnummer, account, phone, case number,
    NUMMER) whose span holds no digit and no number word, and for one that is only the name
    of a kind of identifier, and for a date without a day's or a month's word ("æ" after a
    date at the end of a caption): the words around a number are not it. Also for an e-mail
    address that is one word of letters alone ("leilighetan", typed EPOST by the learned model
    in a caseless transcript): an address written has its @ and dots, one said has several words."""
    span = text[d.start:d.end]
    if _IDENTIFIER_KIND.fullmatch(span.strip()):
        return False
    if d.type == EPOST and _LETTERS_ONLY.fullmatch(span.strip(" .,;:!?")):
        return False
    if d.type == DATO:
        return _HOLDS_DATE.search(span) is not None
    return d.type not in _NUMBER_TYPES or _HOLDS_NUMBER.search(span) is not None


ANCHOR = 0.95


def merge(text: str, detections: list[Detection], min_score: float) -> tuple[list[Detection], list[Detection]]:
    """(spans to replace, weaker spans for review only); both sorted by position.

    Sure detections (score >= 0.95: validated numbers, known names, the key)
    are anchors: a vaguer overlapping span is cut around them rather than
    joined ("Marius Aune på Fjordbyen Eiendom" from the model is the person
    "Marius Aune" and the firm "Fjordbyen Eiendom", not one person).
    """
    strong = [d for d in detections if d.score >= min_score]
    anchors = _union_all(text, _extended(text, [d for d in strong if d.score >= ANCHOR],
                                         [d for d in strong if d.score < ANCHOR]))
    pieces = [p for d in strong if d.score < ANCHOR for p in _subtract(text, d, anchors)]
    merged = sorted(anchors + _union_all(text, pieces), key=lambda d: (d.start, d.end))
    weak: list[Detection] = []
    for d in sorted((d for d in detections if d.score < min_score), key=lambda d: (d.start, -d.score)):
        if any(d.start < m.end and m.start < d.end for m in merged):
            continue
        if weak and d.start < weak[-1].end:
            continue
        weak.append(d)
    return merged, weak


_WORD_BEFORE = re.compile(r"(?<![\w'’-])(\w+) $")


def with_first_names(text: str, replaced: list[Detection], g: Gazetteer | None = None) -> list[Detection]:
    """Each replaced lower-case surname grown over the lower-case first name right before it
    ("hege halvorsrud": captions write names in lower case, and a first name may also be a word, which no
    recognizer takes alone, while the surname is found): a listed first name, no function word
    and no common word ("i dag hansen" is today), before a span of one word that is a listed
    surname or no word of the lexicon."""
    g = g or load_gazetteer()
    out = []
    for d in replaced:
        if d.type == PERSON and d.text[:1].islower() and _WORD.fullmatch(d.text) and (
                g.is_last(d.text) or not is_word(d.text.lower())):
            m = _WORD_BEFORE.search(text, max(0, d.start - 40), d.start)
            word = m.group(1) if m else ""
            if (word.islower() and len(word) >= 3 and g.is_first(word) and not g.is_common_word(word)
                    and word not in _STOP_WORDS
                    and word not in CLAUSE_WORDS and not any(o.end > m.start(1) and o.start < m.end(1)
                                                             for o in replaced)):
                d = Detection(m.start(1), d.end, d.type, d.score, d.recognizer, text[m.start(1):d.end])
        out.append(d)
    return out


def _extended(text: str, anchors: list[Detection], vague: list[Detection]) -> list[Detection]:
    """Each anchor written in lower case grown over a vaguer span of its own type that only adds
    lower-case words beside it, none a function word: the model's "thi lan" inside the name
    list's "nguyen thi lan" is one person, and cutting would drop "nguyen" (a cut-off piece is
    kept only with a capital, which a transcript without capitals never has). A capitalised anchor
    alike: the model's "Eivind" inside "Eivind bråten" (the lower-case other half, ``neighbours.py``)
    would lose "bråten" the same way; and over a particle and the name after it ("Maria Santos"
    inside "Maria Santos dela Cruz", ``persons.particle_tail``), which the cut would leave as "Cruz";
    and over the syllables ``name_split`` vetted, which may sound like function words or be a
    surname element the stop list holds ("ingrid" in "ingrid som land", Sømland; ``persons.split_syllable``),
    though no other stop word ("jos lin budde her": "her" ends the name before it). With a capital, a function word or punctuation added
    ("Marius Aune på Fjordbyen Eiendom"), the vaguer span is cut around the anchor as before."""
    out = []
    for a in anchors:
        start, end = a.start, a.end
        for d in vague:
            if d.type != a.type or not (d.start <= a.start and a.end <= d.end) or (d.start, d.end) == (a.start, a.end):
                continue
            added = (text[d.start:a.start] + " " + text[a.end:d.end]).split()
            if all(w.isalpha() and w.islower() and w not in _STOP_WORDS for w in added) or (
                    d.start == a.start and particle_tail(text[a.end:d.end], _found_alone(anchors + vague, a, d))) or (
                    d.start == a.start and d.recognizer == "name_split"
                    and all(w.isalpha() and w.islower() and (w not in _STOP_WORDS or split_syllable(w))
                            for w in added)):
                start, end = min(start, d.start), max(end, d.end)
        out.append(a if (start, end) == (a.start, a.end) else
                   Detection(start, end, a.type, a.score, a.recognizer, text[start:end]))
    return out


def _found_alone(detections: list[Detection], a: Detection, d: Detection) -> bool:
    """Another person than ``a`` and ``d`` holds the last word of ``d`` ("Kari" in the model's
    "Per da Kari", beside the anchor "Per"): a second person after the particle."""
    start = d.end - len(d.text.rsplit(" ", 1)[-1])
    return any(o is not a and o is not d and o.type == PERSON and o.start < d.end and start < o.end
               for o in detections)


def _union_all(text: str, detections: list[Detection]) -> list[Detection]:
    merged: list[Detection] = []
    group: list[Detection] = []
    end = -1
    for d in sorted(detections, key=lambda d: (d.start, -d.end)) + [None]:
        if d is not None and group and d.start < end:
            group.append(d)
            end = max(end, d.end)
            continue
        if group:
            merged.append(_union(group, text))
        if d is not None:
            group, end = [d], d.end
    return merged


def _subtract(text: str, d: Detection, anchors: list[Detection]) -> list[Detection]:
    cuts = [a for a in anchors if a.start < d.end and d.start < a.end]
    if not cuts:
        return [d]
    pieces, cursor = [], d.start
    for a in sorted(cuts, key=lambda a: a.start):
        pieces.append((cursor, a.start))
        cursor = max(cursor, a.end)
    pieces.append((cursor, d.end))
    out = []
    for start, end in pieces:
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        # "på Fjordbyen Eiendom" -> "Fjordbyen Eiendom": a lower-case word at the edge of a
        # cut-off piece was glue between two names, not part of one.
        while True:
            space = text.find(" ", start, end)
            if space == -1 or not text[start].islower():
                break
            start = space + 1
        piece = text[start:end]
        # Leftovers such as "på" or "og" are no identifier; keep only capitalised words or numbers.
        if piece and any(c.isupper() or c.isdigit() for c in piece) and not _sentence_word(text, start, end):
            out.append(Detection(start, end, d.type, d.score, d.recognizer, piece))
    return out


def _sentence_word(text: str, start: int, end: int) -> bool:
    """One ordinary word opening a sentence ("Y-A-S-M-I-N. Og", "H-A-D-D-A-D. Folk"): cut off a
    vaguer span that ran over a sentence end, its capital is the sentence's, not a name's."""
    piece = text[start:end]
    if not _WORD.fullmatch(piece) or not sentence_initial(text, start):
        return False
    return piece.lower() in _STOP_WORDS or piece.lower() in CLAUSE_WORDS or load_gazetteer().is_common_word(piece)


def _union(group: list[Detection], text: str) -> Detection:
    if len(group) == 1:
        return group[0]
    best = max(group, key=lambda d: (d.score, d.end - d.start, -_TYPE_RANK.get(d.type, 99)))
    start, end = min(d.start for d in group), max(d.end for d in group)
    names = "+".join(sorted({d.recognizer for d in group}))
    return Detection(start, end, best.type, best.score, names, text[start:end])
