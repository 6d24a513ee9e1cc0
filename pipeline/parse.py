"""One spaCy pass per transcript: the parse that ingest and anonymisation read.

At ingest every transcript's turns go through the study's pipeline once, with
all its components (:func:`parse_job`, on the run's executor, so ``--workers N``
spreads it). The Docs are kept in the private store (``PrivateStore.parse``) as
a DocBin, keyed by :func:`parse_key`: a digest of the turn texts as parsed and
the pipeline's name and version. Sentence splitting (ingest) reads
``doc.sents``; the recognizers (anonymisation) read the same Docs'
entities through ``registry.analyze(text, doc)`` instead of running the model
again. A stored parse whose key does not match (another pipeline, an edited
turn) is never used: the detection then parses itself, as before.

Truecasing. A transcript written without capitals (``casing.lower_case_transcript``)
is parsed as its truecased copy (``casing.truecase``: likely names capitalised,
same length, so every offset is the raw text's). The NER needs the capitals to
find names at all, and the sentence splitter reads capitals at sentence starts;
parsing the raw lower-case text once for sentences and the copy again for names
would be two passes. Segments are still cut from the raw turn text by those
offsets, so nothing shown to anyone is truecased.

The stored Docs are raw text: private, never shareable. Coding and topics read
the anonymised segments' Docs that the anonymisation stage derives from them
(pipeline/segment_docs.py), so the model runs once per transcript.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence

import numpy
from spacy.attrs import LEMMA, MORPH, ORTH, TAG, ENT_TYPE
from spacy.language import Language
from spacy.tokens import Doc, DocBin

# What the later readers need: sentences, entities, lemmas and tags (no tensors, no user data).
DOC_ATTRS = ["ORTH", "SPACY", "LEMMA", "POS", "TAG", "MORPH", "SENT_START", "ENT_IOB", "ENT_TYPE"]


def parse_key(texts: Sequence[str], pipeline: str) -> str:
    """Digest of the texts as parsed and the pipeline (name-version): a stored parse is used only on a match."""
    blob = json.dumps([pipeline, list(texts)], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def parsed_texts(texts: Sequence[str]) -> list[str]:
    """The texts the one parse reads: the truecased copy for a transcript written without capitals."""
    from .anonymise.casing import lower_case_transcript, truecase

    texts = list(texts)
    return [truecase(t) for t in texts] if lower_case_transcript(texts) else texts


# The columns of DOC_ATTRS that hold string hashes: the strings a stored Doc needs back.
_STRING_ATTRS = [ORTH, LEMMA, TAG, MORPH, ENT_TYPE]


class ParseBin(DocBin):
    """A DocBin that collects the strings of the stored columns from their hashes.

    ``DocBin.add`` visits every token in Python to collect nine strings each (also
    those of attributes it does not store); here the distinct hashes of the stored
    string columns are looked up once per Doc. The Docs read back are the same.
    """

    def add(self, doc: Doc) -> None:
        if doc.spans or doc.user_data:
            return super().add(doc)  # the general path for what this one does not handle
        append_columns(self, doc)
        strings = doc.vocab.strings
        for key in numpy.unique(doc.to_array(_STRING_ATTRS)):
            if key:
                self.strings.add(strings[int(key)])
        self.cats.append(doc.cats)
        self.span_groups.append(doc.spans.to_bytes())


def append_columns(box: DocBin, doc: Doc) -> None:
    """What ``DocBin.add`` stores of a Doc besides its strings: the attribute columns, the spaces
    and the flags (the DocBins here collect the strings their own way)."""
    array = doc.to_array(box.attrs)
    if len(array.shape) == 1:
        array = array.reshape((array.shape[0], 1))
    box.tokens.append(array)
    box.spaces.append(numpy.asarray(doc.to_array("SPACY").reshape((-1, 1)), dtype=bool))
    box.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})


def new_docbin() -> DocBin:
    return ParseBin(attrs=DOC_ATTRS, store_user_data=False)


def read_docs(blob: bytes, nlp: Language) -> Iterator[Doc]:
    """The stored Docs again, one per turn in order (their strings travel with them)."""
    return new_docbin().from_bytes(blob).get_docs(nlp.vocab)


def read_columns(blob: bytes, nlp: Language, attrs: Sequence[int]) -> list[numpy.ndarray] | None:
    """``doc.to_array(attrs)`` of each stored Doc, read from the DocBin's columns without building
    the Docs (tested against them): ``attrs`` among the stored ones, ``SPACY`` and ``LENGTH``. None
    where a Doc's spaces are not stored (read the Docs then)."""
    from spacy.attrs import LENGTH, SPACY
    from spacy.strings import get_string_id

    box = new_docbin().from_bytes(blob)
    if any(flags.get("has_unknown_spaces") for flags in box.flags):
        return None
    for text in box.strings:  # as reading the Docs would: their strings are the vocab's from here on
        nlp.vocab.strings.add(text)
    length_of = {get_string_id(text): len(text) for text in box.strings}
    orth = box.attrs.index(ORTH)
    found = []
    for tokens, spaces in zip(box.tokens, box.spaces):
        columns = []
        for attr in attrs:
            if attr == LENGTH:
                keys = tokens[:, orth].tolist()
                columns.append([length_of[k] if k in length_of else length_of.setdefault(k, len(nlp.vocab.strings[k]))
                                for k in keys])
            elif attr == SPACY:
                columns.append(spaces[:, 0])
            else:
                columns.append(tokens[:, box.attrs.index(attr)])
        found.append(numpy.array(columns, dtype=numpy.uint64).T.reshape((len(tokens), len(attrs))))
    return found
