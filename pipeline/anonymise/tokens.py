"""One turn's tokens as columns, read from the parse once for every recognizer that walks them.

The learned recognizer and the gazetteer recognizer each read every token's text, offset and
tags. Going through spaCy ``Token`` objects builds one Python object per token and a new string
per attribute read; ``Doc.to_array`` gives the same values for all tokens in one call, and the
strings are looked up once per distinct hash. The columns of the last parse asked for are kept,
so the recognizers of one turn share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.attrs import ENT_TYPE, IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LOWER, ORTH, POS, SENT_START

_ATTRS = [ORTH, LOWER, POS, ENT_TYPE, IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, SENT_START]


@dataclass(frozen=True)
class TokenColumns:
    """The non-space tokens of a parse, attribute by attribute (``Token``'s values: ``text``,
    ``lower_``, ``pos_``, ``ent_type_`` ("" outside an entity), ``idx``, ``is_alpha``,
    ``is_punct``, ``is_sent_start`` (True, False or None where the parse did not say))."""

    text: list[str]
    lower: list[str]
    pos: list[str]
    ent_type: list[str]
    idx: list[int]
    is_alpha: list[bool]
    is_punct: list[bool]
    is_sent_start: list[bool | None]


_last: list = [None, None]  # the last Doc asked for and its columns


def token_columns(doc) -> TokenColumns:
    """The columns of ``doc``'s non-space tokens (those of the last Doc asked for are kept)."""
    if _last[0] is doc:
        return _last[1]
    rows = doc.to_array(_ATTRS).tolist() if len(doc) else []
    strings = doc.vocab.strings
    names: dict[int, str] = {}

    def name(h: int) -> str:
        s = names.get(h)
        if s is None:
            s = names[h] = strings[h] if h else ""
        return s

    rows = [r for r in rows if not r[7]]
    columns = TokenColumns(
        text=[name(r[0]) for r in rows], lower=[name(r[1]) for r in rows], pos=[name(r[2]) for r in rows],
        ent_type=[name(r[3]) for r in rows], idx=[r[4] for r in rows], is_alpha=[bool(r[5]) for r in rows],
        is_punct=[bool(r[6]) for r in rows],
        # to_array's values are unsigned: a sentence start's -1 (not one) reads as 2**64 - 1
        is_sent_start=[True if r[8] == 1 else None if r[8] == 0 else False for r in rows])
    _last[0], _last[1] = doc, columns
    return columns
