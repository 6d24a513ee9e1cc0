"""The anonymised segments as spaCy Docs, derived from ingest's one parse (no second pass).

Coding (rules and classifier) and topics need lemmas, part-of-speech tags and a
tokenisation of the *anonymised* segments. Running the pipeline on them again
would be a second spaCy pass over the whole study; instead the anonymisation
stage derives them from the raw Docs parsed once at ingest (pipeline/parse.py)
and the replacements it made (``TurnResult.replaced``, raw offsets):

* a token outside every replaced span keeps its text, lemma, tag and morphology
  (it was parsed with the whole turn around it);
* the tokens overlapping a replaced span become the tokens of its replacement as
  the features read it (``coding_text``: ``[STED_7]`` is ``[STED_X]``, an informant's label
  "ansatt S5" is ``[PERSON_X]`` as a detected name is, lemma the
  tag in lower case, as lemmatising the anonymised text gave; tag ``PROPN``, so a
  surrogate name is never a topic word); what a partly covered token had outside
  the span stays as a token of its own.

Each Doc is built with ``Doc(vocab, words, spaces, lemmas=..., pos=...)``; its
text is ``coding_text`` of the stored anonymised segment, which
:func:`derive_docs` checks (a segment that does not line up is lemmatised by the
pipeline instead, and counted). The Docs of one transcript are one DocBin in the
private store (``PrivateStore.segment_docs``), rebuilt only when its key — the raw
parse, the replacements, the segments' texts, :data:`DERIVE_VERSION` — changes.
They derive from the raw parse, so they stay in data/private. Readers take one
transcript at a time (:class:`SegmentDocs`): no corpus-wide list of Docs.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

import numpy
from spacy.attrs import LEMMA, LENGTH, MORPH, NORM, ORTH, POS, SENT_START, SPACY, TAG
from spacy.language import Language
from spacy.parts_of_speech import NAMES
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from .coding.text import coding_text
from .errors import QualpipeError
from .parse import append_columns

DERIVE_VERSION = "2"  # 2: informant labels read as [PERSON_X]
ATTRS = ["ORTH", "SPACY", "LEMMA", "POS", "TAG", "MORPH", "SENT_START"]
REPLACEMENT_POS = "PROPN"


def derived_key(parse_key: str, replaced: Sequence[Sequence[tuple]], texts: Sequence[str], people=None) -> str:
    """What the derived Docs of one transcript depend on: its raw parse, replacements and segment texts,
    as the features read them (``people``: :func:`~pipeline.coding.text.people_pattern`)."""
    blob = json.dumps([DERIVE_VERSION, parse_key,
                       [[(s, e, coding_text(new, people)) for s, e, _k, _id, new in turn] for turn in replaced],
                       [coding_text(t, people) for t in texts]], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class _Names:
    """The strings of hashes as ``Token`` gives them, looked up once per distinct hash: ``lemma_``
    and ``tag_`` the strings of their hashes, ``pos_`` the symbol's name, ``str(morph)`` the FEATS
    string with the empty analysis as ""."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.by_column: dict[int, dict[int, str]] = {LEMMA: {0: ""}, TAG: {0: ""}, MORPH: {0: ""}, POS: {}}
        self.replacements: dict[str, list[tuple]] = {}  # a replacement's text -> its pieces

    def of(self, column: int, keys: numpy.ndarray) -> dict[int, str]:
        found = self.by_column[column]
        strings, empty = self.vocab.strings, self.vocab.morphology.EMPTY_MORPH
        for key in numpy.unique(keys).tolist():
            if key not in found:
                if column == POS:
                    found[key] = NAMES[key]
                else:
                    text = strings[key]
                    found[key] = "" if column == MORPH and text == empty else text
        return found

    def fill(self, arrays: Sequence[numpy.ndarray]) -> None:
        """Look up every hash of the lemma, pos, tag and morph columns of these ``TURN_COLUMNS``
        arrays (a transcript's turns) at once: one ``numpy.unique`` per column for the transcript,
        not four per turn. What is stored for a hash does not depend on when it was looked up."""
        arrays = [a for a in arrays if len(a)]
        if arrays:
            joined = numpy.concatenate(arrays)
            for i, column in ((2, LEMMA), (3, POS), (4, TAG), (5, MORPH)):
                self.of(column, joined[:, i])


TURN_COLUMNS = [LENGTH, SPACY, LEMMA, POS, TAG, MORPH, SENT_START]  # what a segment reads of its turn's tokens


class _TurnTokens:
    """One turn's raw tokens as plain columns, read once per turn (not once per segment): character
    offsets, and per token (word, lemma, pos, tag, morph, sent_start) as ``Token`` would give them,
    but the lemma the word where the parse gave none (as a segment's piece has it)."""

    __slots__ = ("starts", "ends", "rows")

    def __init__(self, raw_doc: Doc | numpy.ndarray, raw_text: str, names: _Names, filled: bool = False):
        """``raw_doc``: the raw Doc, or its ``TURN_COLUMNS`` as ``parse.read_columns`` reads them;
        ``filled``: ``names`` holds every hash of these columns already (``_Names.fill``)."""
        array = raw_doc if isinstance(raw_doc, numpy.ndarray) else raw_doc.to_array(TURN_COLUMNS)  # uint64: -1 wraps
        # a token ends after the lengths and trailing spaces of those before it and its own length
        lengths, spaces = array[:, 0].astype(numpy.int64), array[:, 1].astype(numpy.int64)
        ends_ = numpy.cumsum(lengths + spaces) - spaces
        self.starts, self.ends = starts, ends = (ends_ - lengths).tolist(), ends_.tolist()
        if filled:
            lemma_, pos_, tag_, morph_ = (names.by_column[column] for column in (LEMMA, POS, TAG, MORPH))
        else:
            lemma_, pos_, tag_, morph_ = (names.of(column, array[:, i]) for i, column in
                                          ((2, LEMMA), (3, POS), (4, TAG), (5, MORPH)))
        self.rows = [(word, lemma_[lemma] or word, pos_[pos], tag_[tag], morph_[morph], sent == 1)
                     for word, (_l, _s, lemma, pos, tag, morph, sent)
                     in zip([raw_text[s:e] for s, e in zip(starts, ends)], array.tolist())]


def _segment_pieces(nlp: Language, tokens: _TurnTokens, raw_text: str, start: int, end: int,
                    replaced: Sequence[tuple], expected: str, memo: dict | None = None,
                    people=None) -> tuple[list, list[bool]] | None:
    """The tokens of the anonymised segment ``[start, end)`` of one turn (raw offsets): (pieces, spaces),
    each piece (word, lemma, pos, tag, morph, sent_start); None if they do not line up with ``expected``.
    ``memo``: a replacement's text -> its pieces (tags repeat); ``people``: as :func:`derived_key`."""
    spans = [r for r in replaced if r[0] < end and start < r[1]]
    lo = min([start, *(r[0] for r in spans)])
    hi = max([end, *(r[1] for r in spans)])
    # (word, lemma, pos, tag, morph, sent_start), in order
    pieces: list[tuple[str, str, str, str, str, bool]] = []

    def plain(text: str) -> None:
        if text.strip():
            pieces.append((text, text.lower(), "X", "", "", False))

    emitted: set[int] = set()
    # the tokens that end after lo and start before hi (offsets ascend)
    first_token = bisect_right(tokens.ends, lo)
    last_token = bisect_left(tokens.starts, hi)
    starts, ends, rows = tokens.starts, tokens.ends, tokens.rows
    if not spans:  # nothing replaced in the segment: its tokens as they are
        pieces = [rows[n] for n in range(first_token, last_token) if not (ends[n] <= lo or starts[n] >= hi)]
    for n in range(first_token, last_token) if spans else ():
        t_start, t_end = starts[n], ends[n]
        if t_end <= lo or t_start >= hi:
            continue
        covering = [i for i, r in enumerate(spans) if r[0] < t_end and t_start < r[1]]
        if not covering:
            pieces.append(rows[n])
            continue
        first, last = spans[covering[0]], spans[covering[-1]]
        if t_start < first[0] and covering[0] not in emitted:
            plain(raw_text[t_start:first[0]])
        for i in covering:
            if i in emitted:
                continue
            emitted.add(i)
            text = coding_text(spans[i][4], people)
            parts = memo.get(text) if memo is not None else None
            if parts is None:
                parts = [(part.text, part.text.lower(), "PUNCT" if part.is_punct else REPLACEMENT_POS, "", "", False)
                         for part in nlp.tokenizer(text)]
                if memo is not None:
                    memo[text] = parts
            pieces.extend(parts)
        if t_end > last[1]:
            plain(raw_text[last[1]:t_end])
    # Spaces: the words laid over the expected text (a whitespace token is a word of its own).
    words, spaces, cursor = [], [], 0
    for word, *_ in pieces:
        if not expected.startswith(word, cursor):
            return None
        cursor += len(word)
        words.append(word)
        space = cursor < len(expected) and expected[cursor] == " "
        spaces.append(space)
        cursor += space
    if cursor != len(expected) or not words:
        return None
    return pieces, spaces


def _segment_doc(nlp: Language, tokens: _TurnTokens, raw_text: str, start: int, end: int,
                 replaced: Sequence[tuple], expected: str, people=None) -> Doc | None:
    """The anonymised segment ``[start, end)`` of one turn (raw offsets) as a Doc, or None if it does not line up."""
    found = _segment_pieces(nlp, tokens, raw_text, start, end, replaced, expected, people=people)
    if found is None:
        return None
    pieces, spaces = found
    sent_starts = [True] + [p[5] for p in pieces[1:]]
    return Doc(nlp.vocab, words=[p[0] for p in pieces], spaces=spaces, lemmas=[p[1] for p in pieces],
               pos=[p[2] or "X" for p in pieces], tags=[p[3] for p in pieces],
               morphs=[p[4] for p in pieces], sent_starts=sent_starts)


def derive_docs(nlp: Language, turn_texts: Sequence[str], raw_docs: Sequence[Doc], replaced: Sequence[Sequence[tuple]],
                segments: Sequence, anonymised_texts: Sequence[str], people=None) -> tuple[list[Doc], int]:
    """(one Doc per segment in order, how many were lemmatised by the pipeline because they did not line up).

    ``segments`` are the raw segments (``turn_index``, ``start``, ``end``) of one transcript; ``replaced``
    and ``raw_docs`` are per turn, in turn order (``turn_texts`` the raw turn texts, same offsets);
    ``people``: as :func:`derived_key`.
    """
    from .coding.text import analyse

    docs: list[Doc | None] = []
    redo: list[int] = []
    columns: dict[int, _TurnTokens] = {}
    names = _Names(nlp.vocab)
    for n, (segment, text) in enumerate(zip(segments, anonymised_texts)):
        expected = coding_text(text, people)
        position = segment.turn_position
        doc = None
        if expected.strip():
            tokens = columns.get(position)
            if tokens is None:
                tokens = columns[position] = _TurnTokens(raw_docs[position], turn_texts[position], names)
            doc = _segment_doc(nlp, tokens, turn_texts[position], segment.start, segment.end,
                               replaced[position], expected, people)
        if doc is None:
            redo.append(n)
        docs.append(doc)
    if redo:
        for n, doc in zip(redo, analyse(nlp, [coding_text(anonymised_texts[n], people) for n in redo])):
            docs[n] = doc
    return docs, len(redo)


class SegmentBin(DocBin):
    """A DocBin whose ``add`` collects each Doc's strings from the distinct hashes of its columns
    instead of visiting every token in Python (``DocBin.add`` reads nine strings per token). It
    collects the same strings for the Docs :func:`_segment_doc` builds (no dependencies, entities,
    spans or user data; the empty dependency and entity labels are the string ""), so the bytes
    are ``DocBin``'s; any other Doc takes the general path."""

    def add(self, doc: Doc) -> None:
        if doc.spans or doc.user_data or doc.has_annotation("DEP") or doc.has_annotation("ENT_IOB"):
            return super().add(doc)
        append_columns(self, doc)
        strings = doc.vocab.strings
        if len(doc):
            self.strings.add("")  # dep_, ent_type_, ent_kb_id_, ent_id_ of every token
        for key in numpy.unique(doc.to_array([ORTH, TAG, LEMMA, NORM])).tolist():
            self.strings.add(strings[key] if key else "")
        empty = doc.vocab.morphology.EMPTY_MORPH
        for key in numpy.unique(doc.to_array([MORPH])).tolist():
            morph = strings[key] if key else ""
            self.strings.add("" if morph == empty else morph)  # str(token.morph)
        self.cats.append(doc.cats)
        self.span_groups.append(doc.spans.to_bytes())


class _Columns:
    """What ``Doc(vocab, words, spaces, lemmas=, pos=, tags=, morphs=, sent_starts=)`` followed by
    ``SegmentBin.add`` would store of a segment, computed from its pieces without building the Doc:
    the stored columns (``ATTRS``, as hashes) and the strings a Doc's tokens name (text, tag, lemma,
    norm, morphology; the empty dependency and entity labels)."""

    def __init__(self, vocab, attrs: Sequence[int], limit: int = 1 << 18):
        self.vocab, self.attrs, self.limit = vocab, list(attrs), limit
        self._words: dict[str, tuple[int, str]] = {}  # word -> (orth, norm_ of its lexeme)
        self._morphs: dict[str, tuple[int, str]] = {}  # morph -> (key, str(token.morph))
        self._hashes: dict[str, int] = {}  # lemma or tag -> its hash
        self._symbols: dict[str, int] = {}  # part of speech -> its symbol
        # a piece -> (its row of the stored columns, the strings it names): a study repeats its tokens
        self._pieces: dict[tuple, tuple[tuple, tuple]] = {}
        self._sent = self.attrs.index(SENT_START)

    def _piece(self, piece: tuple) -> tuple[tuple, tuple]:
        """The row (in ``attrs`` order) and the strings of one piece (word, lemma, pos, tag, morph,
        sent_start), as a Doc built from it gives them; a sentence start of the piece's own."""
        vocab, hashes = self.vocab, self._hashes
        word, lemma, pos, tag, morph, sent = piece
        known = self._words.get(word)
        if known is None:
            lexeme = vocab[word]
            known = self._words[word] = (lexeme.orth, lexeme.norm_)
        analysis = self._morphs.get(morph)
        if analysis is None:
            key = vocab.morphology.add(morph)
            text = vocab.strings[key]
            analysis = self._morphs[morph] = (key, "" if text == vocab.morphology.EMPTY_MORPH else text)
        for value in (lemma, tag):
            if value not in hashes:
                hashes[value] = vocab.strings.add(value)
        pos = pos or "X"
        symbol = self._symbols[pos] if pos in self._symbols else self._pos(pos)
        values = {ORTH: known[0], LEMMA: hashes[lemma], TAG: hashes[tag], MORPH: analysis[0], POS: symbol,
                  SENT_START: 1 if sent else _MINUS_ONE}
        return tuple(values[attr] for attr in self.attrs), (word, lemma, tag, known[1], analysis[1])

    def add(self, box: DocBin, pieces: Sequence[tuple], spaces: Sequence[bool]) -> None:
        names = box.strings
        names.add("")
        known = self._pieces
        if len(known) > self.limit:
            known.clear()  # bounds its memory on a long study (the rows do not depend on it)
        rows, strings = [], []
        for piece in pieces:
            found = known.get(piece)
            if found is None:
                found = known[piece] = self._piece(piece)
            rows.append(found[0])
            strings += found[1]
        names.update(strings)  # in the order a token-by-token update adds them
        array = numpy.array(rows, dtype=numpy.uint64).reshape((len(rows), len(self.attrs)))
        if len(rows):
            array[0, self._sent] = 1  # a Doc's first token starts a sentence
        box.tokens.append(array)
        box.spaces.append(numpy.asarray(spaces, dtype=bool).reshape((-1, 1)))
        box.flags.append({"has_unknown_spaces": False})
        box.cats.append({})
        box.span_groups.append(_NO_SPANS)

    def _pos(self, pos: str) -> int:
        found = self._symbols[pos] = self.vocab.strings[pos]
        return found


_MINUS_ONE = (1 << 64) - 1  # -1 (not a sentence start) as the uint64 column holds it
_NO_SPANS = Doc(Vocab()).spans.to_bytes()


def derive_bytes(nlp: Language, turn_texts: Sequence[str], raw_docs: Sequence[Doc],
                 replaced: Sequence[Sequence[tuple]], segments: Sequence, anonymised_texts: Sequence[str],
                 writer: "_Columns | None" = None, names: _Names | None = None, people=None) -> tuple[bytes, int]:
    """:func:`to_bytes` of :func:`derive_docs` (the same bytes: tested), without building the Docs.
    ``writer`` and ``names`` (what is looked up once per distinct string) may serve many transcripts."""
    from .coding.text import analyse

    box = SegmentBin(attrs=ATTRS, store_user_data=False)
    writer = writer or _Columns(nlp.vocab, box.attrs)
    names = names or _Names(nlp.vocab)
    columns: dict[int, _TurnTokens] = {}
    # A stored parse's columns: their strings looked up once for the transcript (not per turn).
    filled = bool(raw_docs) and all(isinstance(raw, numpy.ndarray) for raw in raw_docs)
    if filled:
        names.fill(raw_docs)
    found: list[tuple | None] = []
    for segment, text in zip(segments, anonymised_texts):
        expected = coding_text(text, people)
        position = segment.turn_position
        pieces = None
        if expected.strip():
            tokens = columns.get(position)
            if tokens is None:
                tokens = columns[position] = _TurnTokens(raw_docs[position], turn_texts[position], names, filled)
            pieces = _segment_pieces(nlp, tokens, turn_texts[position], segment.start, segment.end,
                                     replaced[position], expected, names.replacements, people)
        found.append(pieces)
    redo = [n for n, pieces in enumerate(found) if pieces is None]
    again = dict(zip(redo, analyse(nlp, [coding_text(anonymised_texts[n], people) for n in redo]))) if redo else {}
    for n, pieces in enumerate(found):
        if pieces is None:
            box.add(again[n])
        else:
            writer.add(box, *pieces)
    return box.to_bytes(), len(redo)


def to_bytes(docs: Sequence[Doc]) -> bytes:
    box = SegmentBin(attrs=ATTRS, store_user_data=False)
    for doc in docs:
        box.add(doc)
    return box.to_bytes()


def from_bytes(blob: bytes, nlp: Language) -> list[Doc]:
    return list(DocBin(attrs=ATTRS, store_user_data=False).from_bytes(blob).get_docs(nlp.vocab))


class StoredTokens:
    """One stored Doc read from its DocBin columns, without building it: per token its text,
    trailing space, lemma and part of speech as ``Token.text``, ``whitespace_``, ``lemma_`` and
    ``pos_`` give them (tested against the Docs), and the Doc's text. For readers that need only
    those (topic words): building the Docs costs more than reading them."""

    __slots__ = ("words", "spaces", "lemmas", "pos")

    def __init__(self, words: list[str], spaces: list[bool], lemmas: list[str], pos: list[str]):
        self.words, self.spaces, self.lemmas, self.pos = words, spaces, lemmas, pos

    @property
    def text(self) -> str:
        return "".join(w + " " if space else w for w, space in zip(self.words, self.spaces))

    def rows(self):
        """(offset, text, part of speech, lemma) of each token, as ``topics`` reads a Doc's."""
        idx = 0
        for word, space, pos, lemma in zip(self.words, self.spaces, self.pos, self.lemmas):
            yield idx, word, pos, lemma
            idx += len(word) + space


def stored_tokens(blob: bytes, vocab) -> list[StoredTokens] | None:
    """The Docs of one stored DocBin as :class:`StoredTokens` (strings as ``vocab`` gives them);
    None where a Doc's spaces are not stored (``from_bytes`` then: ``Doc`` gives each token a space)."""
    box = DocBin(attrs=ATTRS, store_user_data=False).from_bytes(blob)
    if any(flags.get("has_unknown_spaces") for flags in box.flags):
        return None
    from spacy.strings import get_string_id

    string_of = {get_string_id(text): text for text in box.strings}
    string_of[0] = ""

    def strings(keys: list[int]) -> list[str]:
        return [string_of[k] if k in string_of else string_of.setdefault(k, vocab.strings[k]) for k in keys]

    orth, lemma, pos = (box.attrs.index(attr) for attr in (ORTH, LEMMA, POS))
    found = []
    for tokens, spaces in zip(box.tokens, box.spaces):
        found.append(StoredTokens(strings(tokens[:, orth].tolist()), spaces[:, 0].tolist(),
                                  strings(tokens[:, lemma].tolist()), [NAMES[p] for p in tokens[:, pos].tolist()]))
    return found


class SegmentDocs:
    """The derived Docs, one transcript at a time: ``of(shareable file name)`` -> {segment id: Doc} or None."""

    def __init__(self, study, nlp: Language):
        self.study = study
        self.nlp = nlp

    def stored(self, shared_file: str) -> tuple[list[str], bytes] | None:
        """(segment ids, DocBin bytes) as stored, undecoded (for a task on the run's executor), or None."""
        from .store import PrivateStore

        if not self.study.private_store_path.exists():
            return None
        with PrivateStore(self.study.private_store_path) as private:
            return private.segment_docs(shared_file)

    def of(self, shared_file: str) -> dict[str, Doc] | None:
        from .store import PrivateStore

        if not self.study.private_store_path.exists():
            return None
        with PrivateStore(self.study.private_store_path) as private:
            stored = private.segment_docs(shared_file)
        if stored is None:
            return None
        ids, blob = stored
        docs = from_bytes(blob, self.nlp)
        return dict(zip(ids, docs)) if len(docs) == len(ids) else None

    def stored_docs(self, shared_file: str) -> dict[str, StoredDoc] | None:
        """``of`` without building the Docs (:class:`StoredDoc`); the vocab learns the stored strings
        as ``of`` would teach it them."""
        return stored_docs_of(self.stored(shared_file), self.nlp.vocab)


def stored_docs_of(stored: tuple[list[str], bytes] | None, vocab) -> dict[str, StoredDoc] | None:
    """:meth:`SegmentDocs.stored_docs` of one transcript's stored (segment ids, DocBin bytes), for a
    task that was sent them; None where they are missing or do not line up."""
    if stored is None:
        return None
    ids, blob = stored
    box = DocBin(attrs=ATTRS, store_user_data=False).from_bytes(blob)
    if len(box.tokens) != len(ids):
        return None
    for text in box.strings:  # as DocBin.get_docs does
        vocab[text]
    return {sid: StoredDoc(box, i, vocab) for i, sid in enumerate(ids)}


class StoredDoc:
    """One stored segment Doc, not built until asked for: its tokens' (orth, lemma) hashes, read from
    the DocBin's columns, are what the coding stage reads of every segment (``coding.text.
    stored_keys_and_lemmas``); ``doc()`` builds the Doc as ``DocBin.get_docs`` does, for a segment
    the rules' matcher must read."""

    __slots__ = ("_box", "_index", "_vocab")

    def __init__(self, box: DocBin, index: int, vocab):
        self._box, self._index, self._vocab = box, index, vocab

    def hashes(self) -> tuple[list[int], list[int]]:
        """(orth, lemma) of each token."""
        tokens = self._box.tokens[self._index]
        return (tokens[:, self._box.attrs.index(ORTH)].tolist(), tokens[:, self._box.attrs.index(LEMMA)].tolist())

    def doc(self) -> Doc:
        box, i = self._box, self._index
        tokens = box.tokens[i]
        spaces = None if box.flags[i].get("has_unknown_spaces") else box.spaces[i]
        doc = Doc(self._vocab, words=tokens[:, box.attrs.index(ORTH)], spaces=spaces)
        doc = doc.from_array(box.attrs, tokens)
        doc.cats = box.cats[i]
        if box.span_groups[i] and box.span_groups[i] != _NO_SPANS:
            doc.spans.from_bytes(box.span_groups[i])
        return doc


def anonymised_texts(turns: Sequence, results: Sequence, segments: Sequence) -> list[str]:
    """The anonymised text of each raw segment of one transcript (``results``: its TurnResults, in turn order)."""
    from .anonymise.stage import map_offset

    by_turn = {t.turn_index: r for t, r in zip(turns, results)}
    texts = []
    for s in segments:
        r = by_turn[s.turn_index]
        start = map_offset(s.start, r.replaced, "start")
        end = map_offset(s.end, r.replaced, "end") if s.end > s.start else start
        texts.append(r.text[start:end])
    return texts


def refresh_segment_docs(study, files: Sequence[str], shared: dict[str, str], turns: dict, segments: dict,
                         outputs: dict, track=None) -> tuple[int, int]:
    """Derive and store the Docs of every transcript whose key changed: (transcripts rebuilt, segments re-lemmatised).

    Per transcript (``turns``, raw ``segments`` and the anonymiser's ``outputs`` by file): a pure task
    (:func:`derive_job`) on the run's executor (``--workers N``) reads its raw parse and derives its
    Docs; each transcript's DocBin is written here as it comes back, in file order, while the next
    ones are derived.
    """
    from . import parallel
    from .progress import no_progress
    from .store import PrivateStore

    labels = _labels(study)
    with PrivateStore(study.private_store_path) as private:
        todo = _derivations(private, files, turns, segments, outputs, labels)
        found = parallel.current().imap(derive_job, parallel.Lazy(lambda entry: _derive_item(study, private, turns,
                                                                                             segments, entry, labels),
                                                                  todo),
                                        track=track or no_progress, description="Avleder segmentenes analyser")
        return _store_derived(private, todo, found, shared, segments)


def start_segment_docs(study, files: Sequence[str], shared: dict[str, str], turns: dict, segments: dict,
                       outputs: dict, track=None) -> Callable[[], tuple[int, int]]:
    """:func:`refresh_segment_docs` in two steps: on a cluster every task is sent now and the
    workers derive while the client checks and writes the anonymised segments; the returned
    function stores the Docs (nothing is stored before it is called). In this process nothing
    starts early: the returned function does it all, one transcript's parse in memory at a time."""
    from . import parallel
    from .progress import no_progress
    from .store import PrivateStore

    executor = parallel.current()
    if not executor.remote:
        return lambda: refresh_segment_docs(study, files, shared, turns, segments, outputs, track)
    # What later stages read of the Docs (the coding stage's lemmas and rule hits, where the run asked
    # for them: executor.add_reader) is read by each task on the Docs it derived, while the client checks.
    readers = executor.readers(DERIVED)
    labels = _labels(study)
    with PrivateStore(study.private_store_path) as private:
        todo = _derivations(private, files, turns, segments, outputs, labels)
        # Every item now (the client holds every transcript's turns and results already; the parses
        # are what this adds), so the workers have all of them while the client is busy.
        items = [(*_derive_item(study, private, turns, segments, entry, labels),
                  *([[s.segment_id for s in segments[entry[0]]]] if readers else [])) for entry in todo]
    found = executor.imap(derive_job, items, tuple((r.fn, r.shared) for r in readers), ahead=len(items),
                          track=track or no_progress, description="Avleder segmentenes analyser")
    del items

    def finish() -> tuple[int, int]:
        read: dict[str, list] = {}
        with PrivateStore(study.private_store_path) as private:
            try:
                done = _store_derived(private, todo, found, shared, segments, read)
            except parallel.TaskFailedError as exc:
                # Asked for after the anonymise stage checked and wrote its outputs: those are
                # complete; what is missing is this private cache, which the next run derives.
                raise QualpipeError(derive_failed_message(exc.kind)) from None
        # Only now, the Docs stored (the checks passed): by shareable name, in its order.
        keys = {shared[f]: key for f, key, _replaced, _anonymised in todo}
        for index, reader in enumerate(readers):
            executor.keep(reader.name, reader.inputs(keys), [read[name][index] for name in sorted(read)])
        return done

    return finish


def derive_failed_message(kind: str) -> str:
    """What a derive task failing for good after the anonymise stage wrote its outputs means."""
    return (f"a task deriving the anonymised segments' analyses failed on the Dask cluster ({kind}); the "
            "anonymise stage's outputs were written and are complete, but the analyses the coding stage "
            "reads (a private cache) were not all stored and the stages after anonymise did not run — run "
            "again (it derives them), or with --workers 1 to see the error")


DERIVED = "segment-docs"  # the kind of result a reader of the derived Docs reads (executor.add_reader)


def _labels(study) -> tuple[str, ...]:
    """The informant labels the features read as ``[PERSON_X]`` (``coding.text.study_labels``)."""
    from .coding.text import study_labels
    from .store import StudyStore

    with StudyStore(study.store_path) as store:
        return study_labels(study, store)


def _derivations(private, files: Sequence[str], turns: dict, segments: dict, outputs: dict,
                 labels: Sequence[str] = ()) -> list[tuple]:
    """(file, key, replacements, anonymised segment texts) of each transcript whose stored Docs are stale."""
    from .coding.text import people_pattern

    people = people_pattern(labels)
    stored_keys, parse_keys = private.segment_doc_keys(), private.parse_keys()
    todo = []
    for f in files:
        replaced = [r.replaced for r in outputs[f]]
        anonymised = anonymised_texts(turns[f], outputs[f], segments[f])
        key = derived_key(parse_keys.get(f, ""), replaced, anonymised, people)
        if stored_keys.get(f) != key:
            todo.append((f, key, replaced, anonymised))
    return todo


def _derive_item(study, private, turns: dict, segments: dict, entry: tuple, labels: Sequence[str] = ()) -> tuple:
    f, _key, replaced, anonymised = entry
    position = {t.turn_index: i for i, t in enumerate(turns[f])}
    located = [(position[s.turn_index], s.start, s.end) for s in segments[f]]
    return (study.settings.model, [t.text for t in turns[f]], private.parse(f), replaced, located, anonymised,
            tuple(labels))


def _store_derived(private, todo: list[tuple], found, shared: dict[str, str], segments: dict,
                   read: dict | None = None) -> tuple[int, int]:
    """Store each derived DocBin; ``read``: where the tasks' readers' results go, by shareable name."""
    rebuilt = redone = 0
    for (f, key, _replaced, _anonymised), (blob, n_redo, *by_readers) in zip(todo, found):
        private.replace_segment_docs(f, shared[f], key, [s.segment_id for s in segments[f]], blob)
        rebuilt += 1
        redone += n_redo
        if read is not None:
            read[shared[f]] = by_readers
    return rebuilt, redone


def derive_job(item: tuple, readers: tuple = ()) -> tuple:
    """The executor's task for one transcript: (DocBin bytes of its derived segment Docs, segments
    lemmatised by the pipeline). ``item`` = (model setting, raw turn texts, stored parse (key, DocBin
    bytes) or None, replacements per turn, (turn position, start, end) per raw segment, the segments'
    anonymised texts, the study's informant labels[, the segments' ids, with ``readers``]). The pipeline
    is loaded where it runs (a worker loads it once). ``readers``: (function, shared objects) of later
    stages' readings of the Docs (``executor.add_reader``); each one's result on (model setting, (ids,
    DocBin bytes)) follows: they read the Docs derived here, with these labels."""
    from .coding.text import people_pattern
    from .nlp import load_nlp, model_id
    from .parse import parse_key, parsed_texts, read_columns

    model, texts, parse, replaced, located, anonymised, labels, *ids = item
    nlp = load_nlp(model)
    read = parsed_texts(texts)
    raw_docs = None
    if parse is not None and parse[0] == parse_key(read, model_id(nlp)):
        raw_docs = read_columns(parse[1], nlp, TURN_COLUMNS)  # the columns a segment reads, no Docs built
    if raw_docs is None:  # no usable parse (another pipeline): the one pass, here
        raw_docs = list(nlp.pipe(read, batch_size=32))
    writer, names = _lookups(nlp.vocab)
    blob, redone = derive_bytes(nlp, texts, raw_docs, replaced, [_Located(*place) for place in located], anonymised,
                                writer, names, people_pattern(labels))
    if not readers:
        return blob, redone
    return blob, redone, *(fn((model, (ids[0], blob)), *shared) for fn, shared in readers)


_LOOKUPS: dict[int, tuple] = {}


def _lookups(vocab) -> tuple["_Columns", _Names]:
    """One ``_Columns`` and ``_Names`` per vocabulary for every transcript a process derives (what
    they hold is a function of the strings and the vocabulary alone, so the bytes are the same;
    a study's repeated words are looked up once)."""
    found = _LOOKUPS.get(id(vocab))
    if found is None or found[0].vocab is not vocab:
        if len(_LOOKUPS) >= 8:
            _LOOKUPS.clear()
        found = _LOOKUPS[id(vocab)] = (_Columns(vocab, SegmentBin(attrs=ATTRS, store_user_data=False).attrs),
                                       _Names(vocab))
    return found


class _Located:
    __slots__ = ("turn_position", "start", "end")

    def __init__(self, turn_position: int, start: int, end: int):
        self.turn_position, self.start, self.end = turn_position, start, end

