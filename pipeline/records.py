"""Plain typed records passed between stages.

Stages never pass database rows or DataFrames to each other; they pass these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Speaker = Literal["interviewer", "informant"]
CodingSource = Literal["rule", "model", "human"]
CodingStatus = Literal["suggested", "accepted", "rejected"]


@dataclass(frozen=True)
class Informant:
    """One row of ``data/raw/informants.csv``."""

    id: str
    file: str  # transcript file name, relative to data/raw/transcripts/
    group: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """One speaker turn. ``text`` has timestamps stripped; they are kept apart."""

    file: str
    turn_index: int  # 0-based order among all turns of the file
    speaker: Speaker
    label: str  # the label as written, e.g. "IP" or "Intervjuer"
    text: str
    timestamps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript file."""

    file: str
    format: str  # txt, docx, odt, vtt, srt
    encoding: str  # encoding the bytes were decoded from ("utf-8", "cp1252", ...)
    sha256: str  # of the raw file bytes; decides whether re-ingest is needed
    turns: tuple[Turn, ...]
    notes: tuple[str, ...] = ()  # things the researcher should know (e.g. re-encoding)


@dataclass(frozen=True)
class Segment:
    """The coding unit: a sentence (or a whole turn) of one speaker turn.

    ``start``/``end`` are character offsets within the turn text. Before
    anonymisation the text is raw; only anonymised segments reach data/coded/.
    """

    segment_id: str
    informant_id: str
    file: str
    turn_index: int
    speaker: Speaker
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Coding:
    """One code applied to one segment, with provenance."""

    segment_id: str
    code: str
    source: CodingSource
    coder: str  # "rules", "model", or a human coder id such as "forsker1"
    confidence: float | None = None
    status: CodingStatus = "suggested"
    codebook_version: str = ""
    created_at: str = ""
    updated_at: str = ""
