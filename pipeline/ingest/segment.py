"""Split turns into segments, the coding unit, with stable ids.

A segment id is derived from the segment's content and its position: the
informant, the speaker, the text, and how many identical (speaker, text)
segments came before it in the transcript. Editing one part of a transcript
therefore leaves the ids — and so the codings — of every unchanged segment
elsewhere intact; renaming the transcript file changes none.

The id is a hash of the *raw* text, so it is keyed with the study secret
(:mod:`pipeline.secret`): without the key nobody can test a guessed original
against a shared id. :func:`legacy_segment_id` is the unkeyed id of earlier
versions, used only to migrate old human coding files.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from ..nlp import sentence_components
from ..records import Segment, Turn
from ..secret import keyed_hex


SEGMENT_ID_PURPOSE = "segment-id"


def segment_id(secret: bytes, informant_id: str, speaker: str, text: str, occurrence: int) -> str:
    key = "\x1f".join((informant_id, speaker, " ".join(text.split()), str(occurrence)))
    return "s" + keyed_hex(secret, SEGMENT_ID_PURPOSE, key, 8)


def legacy_segment_id(file: str, speaker: str, text: str, occurrence: int) -> str:
    """The unkeyed id of qualpipe before keyed ids (computable from raw text: never written)."""
    key = "\x1f".join((file, speaker, " ".join(text.split()), str(occurrence)))
    return "s" + hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def occurrences(segments: Iterable[Segment]) -> list[int]:
    """For each segment (one transcript, in order): how many identical (speaker, text) came before."""
    seen: Counter[tuple[str, str]] = Counter()
    found = []
    for s in segments:
        key = (s.speaker, " ".join(s.text.split()))
        found.append(seen[key])
        seen[key] += 1
    return found


def sentence_spans(nlp: Language, texts: Iterable[str], batch_size: int = 64) -> list[list[tuple[int, int]]]:
    """Character spans of the sentences of each text, whitespace trimmed."""
    keep = set(sentence_components(nlp))
    disable = [name for name in nlp.pipe_names if name not in keep]
    with nlp.select_pipes(disable=disable):
        return [doc_sentence_spans(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]


def doc_sentence_spans(doc: Doc, text: str | None = None) -> list[tuple[int, int]]:
    """The sentences of one parsed text as character spans, whitespace trimmed. ``text``: the text
    the Doc was made from, where the caller has it (``Doc.text`` builds it again from a Token
    object per token; spaCy's tokenizer keeps every character, so the two are equal)."""
    found = []
    if text is None:
        text = doc.text
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        # Split sentences the model ran across paragraph breaks.
        for piece_start, piece_end in _split_paragraphs(text, start, end):
            if piece_end > piece_start:
                found.append((piece_start, piece_end))
    return found


def _split_paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces, cursor = [], start
    while True:
        cut = text.find("\n", cursor, end)
        stop = end if cut == -1 else cut
        left, right = cursor, stop
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        pieces.append((left, right))
        if cut == -1:
            return pieces
        cursor = cut + 1


def turn_spans(turns: list[Turn], nlp: Language | None, unit: str) -> list[list[tuple[int, int]]]:
    """Where the segments of each turn lie: sentences, or the whole turn."""
    if unit == "turn":
        return [[(0, len(t.text))] for t in turns]
    return sentence_spans(nlp, (t.text for t in turns))


def parse_transcript_job(item: tuple[list[Turn], str, str]) -> tuple[list[list[tuple[int, int]]], str, bytes]:
    """The one spaCy pass over one transcript (``pipeline.parse``): (segment spans per turn, parse key,
    DocBin bytes). The study's pipeline is loaded where it runs (a worker of ``--workers N`` loads it
    once); ``item`` = (turns, model setting, unit)."""
    from ..nlp import load_nlp, model_id
    from ..parse import new_docbin, parse_key, parsed_texts

    turns, model, unit = item
    nlp = load_nlp(model)
    texts = parsed_texts([t.text for t in turns])  # same offsets as the raw turns
    docs, spans = new_docbin(), []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=32)):
        docs.add(doc)
        spans.append([(0, len(text))] if unit == "turn" else doc_sentence_spans(doc, text))
    return spans, parse_key(texts, model_id(nlp)), docs.to_bytes()


def segment_turns(turns: list[Turn], informant_id: str, nlp: Language | None, unit: str, secret: bytes,
                  spans: list[list[tuple[int, int]]] | None = None) -> list[Segment]:
    """Segments of all turns of one transcript, in order; ``secret`` keys their ids.
    ``spans`` (from :func:`turn_spans`) when they were found elsewhere."""
    if spans is None:
        spans = turn_spans(turns, nlp, unit)
    seen: Counter[tuple[str, str]] = Counter()
    segments: list[Segment] = []
    for turn, its_spans in zip(turns, spans):
        for start, end in its_spans:
            text = turn.text[start:end]
            key = (turn.speaker, " ".join(text.split()))
            occurrence = seen[key]
            seen[key] += 1
            segments.append(Segment(
                segment_id=segment_id(secret, informant_id, turn.speaker, text, occurrence),
                informant_id=informant_id, file=turn.file, turn_index=turn.turn_index,
                speaker=turn.speaker, start=start, end=end, text=text,
            ))
    return segments
