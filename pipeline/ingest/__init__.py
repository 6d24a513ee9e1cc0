"""Ingest: raw transcripts + informants table -> turns and segments (private store).

Everything is read and checked before anything is written, so bad input
leaves the stores as they were. Only new or changed transcripts are segmented
again; a transcript is "changed" when its bytes, the speaker labels, the
coding unit or the spaCy pipeline changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import parallel
from ..errors import QualpipeError
from ..nlp import load_nlp, model_id
from ..progress import Track, no_progress
from ..records import Informant, Transcript
from ..safeio import check_inside, check_spreadsheet, read_input_bytes, safe_text
from ..secret import keyed_hex, study_secret
from ..settings import LimitSettings, Study
from ..store import PrivateStore, StudyStore
from .informants import (InformantTable, check_against_transcripts, check_shareable_informants, find_table,
                         read_informants, shareable_file_name)
from .readers import SUPPORTED_SUFFIXES, read_transcript
from .segment import parse_transcript_job, segment_turns
from .turns import LabelMatcher, parse_turns

__all__ = ["IngestResult", "ingest_study", "read_study_transcripts", "load_informant_table", "parse_file"]


@dataclass
class IngestResult:
    informants: list[Informant]
    segmented: list[str] = field(default_factory=list)  # files (re)segmented this run
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def list_transcript_files(transcripts_dir: Path) -> list[str]:
    if not transcripts_dir.is_dir():
        raise QualpipeError("transcripts folder not found", transcripts_dir)
    files = sorted(p.name for p in transcripts_dir.iterdir()
                   if p.is_file() and not p.name.startswith((".", "~$")))
    unsupported = [f for f in files if Path(f).suffix.lower() not in SUPPORTED_SUFFIXES]
    if unsupported:
        raise QualpipeError(
            f"unsupported transcript format (use {', '.join(SUPPORTED_SUFFIXES)})", transcripts_dir / unsupported[0])
    if not files:
        raise QualpipeError("no transcripts found", transcripts_dir)
    return files


def parse_file(path: Path, matcher: LabelMatcher, limits: LimitSettings | None = None,
               root: Path | None = None) -> Transcript:
    """Read and parse one transcript file into turns (within ``limits``; a symbolic link may
    not leave the study folder ``root``)."""
    limits = limits or LimitSettings()
    data = read_input_bytes(path, limits.max_file_bytes, root)
    raw = read_transcript(path, data, limits)
    turns, notes = parse_turns(path, raw.lines, matcher)
    return Transcript(file=path.name, format=raw.format, encoding=raw.encoding,
                      sha256=hashlib.sha256(data).hexdigest(), turns=tuple(turns),
                      notes=tuple(raw.notes + notes))


def load_informant_table(study: Study) -> InformantTable:
    path = find_table(study.raw_dir)
    # Bounded like every input: inside the study, within limits.max_file_mb (and the unpack budget for .xlsx).
    check_inside(path, study.root)
    check_spreadsheet(path, study.settings.limits.max_file_bytes, study.settings.limits.max_unpacked_bytes)
    return read_informants(path, study.settings.groups)


def read_study_transcripts(study: Study, track: Track = no_progress) -> tuple[InformantTable, list[Transcript]]:
    """Read and check every transcript and the informants table; writes nothing."""
    table = load_informant_table(study)
    files = list_transcript_files(study.transcripts_dir)
    check_against_transcripts(table, files, study.transcripts_dir)
    transcripts = [parse_file(study.transcripts_dir / f, file_matcher(study, table, f), study.settings.limits,
                              study.root)
                   for f in track(files, description="Leser transkripsjoner", total=len(files))]
    return table, transcripts


def file_matcher(study: Study, table: InformantTable, file: str) -> LabelMatcher:
    """The study's speaker labels plus the informants table's labels for this file's informant."""
    informant = next((i for i in table.informants if i.file == file), None)
    own, interviewer = table.labels.get(informant.id, ((), ())) if informant else ((), ())
    try:
        return LabelMatcher.from_settings(study.settings.speaker_labels, own, interviewer)
    except QualpipeError as error:
        raise QualpipeError(f"informant '{informant.id if informant else file}': {error.problem}",
                            table.path) from None


# Bump when reading, turn parsing or segmenting changes, so every transcript is redone.
INGEST_VERSION = 4


def _config_fingerprint(study: Study, model: str, secret: bytes) -> str:
    settings = study.settings
    config = {"labels": settings.speaker_labels.model_dump(), "unit": settings.coding.unit, "model": model,
              "ingest_version": INGEST_VERSION,
              # Another secret gives other segment ids (a keyed digest; the secret itself is never stored).
              "secret": keyed_hex(secret, "ingest-config", "", 8)}
    return json.dumps(config, sort_keys=True)


def _file_labels(table: InformantTable, file: str) -> str:
    """The informants table's labels for one file: they change how that file is parsed."""
    informant = next((i for i in table.informants if i.file == file), None)
    return json.dumps(table.labels.get(informant.id) if informant else None)


def ingest_study(study: Study, track: Track = no_progress) -> IngestResult:
    """Parse, check and segment the study's transcripts into the private store."""
    table, transcripts = read_study_transcripts(study, track)
    check_shareable_informants(study, table)  # what reaches data/coded/ passes the leak guard first
    by_file = {i.file: i for i in table.informants}
    nlp = load_nlp(study.settings.model)
    secret = study_secret(study)
    config = _config_fingerprint(study, model_id(nlp), secret)
    result = IngestResult(informants=table.informants)
    with PrivateStore(study.private_store_path) as private:
        known = private.fingerprints()
        shared_before = {f: shareable_file_name(i, f) for f, i in private.informant_ids().items()}
        fingerprints = {t.file: hashlib.sha256((t.sha256 + config + _file_labels(table, t.file)).encode()).hexdigest()
                        for t in transcripts}
        todo = [t for t in transcripts if known.get(t.file) != fingerprints[t.file]]
        result.unchanged = [t.file for t in transcripts if t not in todo]
        result.removed = sorted(set(known) - set(fingerprints))
        # The one spaCy pass per transcript (pipeline/parse.py) is per-transcript work: on the run's
        # executor (--workers N); segment ids here. Its Docs are kept for the recognizers. Each
        # transcript is stored as its parse comes back (the workers parse the next ones meanwhile),
        # and no list of all parses is held.
        unit = study.settings.coding.unit
        found = parallel.current().imap(parse_transcript_job,
                                        [(list(t.turns), study.settings.model, unit) for t in todo],
                                        track=track, description="Analyserer og deler i segmenter")
        for transcript, (spans, parse_key, docs) in zip(todo, found):
            informant = by_file[transcript.file]
            segments = segment_turns(list(transcript.turns), informant.id, nlp, unit, secret, spans)
            private.replace_transcript(informant.id, transcript, segments, fingerprints[transcript.file],
                                       parse=(parse_key, docs))
            result.segmented.append(transcript.file)
        if result.removed:
            private.remove_transcripts(result.removed)
    with StudyStore(study.store_path) as store:
        # Shareable: the transcript under its neutral name, never the raw file name.
        store.replace_informants([replace(i, file=shareable_file_name(i.id, i.file)) for i in table.informants])
        if result.removed:
            store.remove_transcripts([shared_before[f] for f in result.removed])
    # Notes are printed and may be logged: they name a transcript by its shareable name, never by
    # its file name (which often holds the informant's name); informants.csv maps one to the other.
    result.notes = [_shareable_note(note, t.file, by_file[t.file].id) for t in transcripts for note in t.notes]
    return result


def _shareable_note(note: str, file: str, informant_id: str) -> str:
    head, sep, rest = note.partition(": ")
    if sep and Path(head).name in (file, safe_text(file)):
        return f"{shareable_file_name(informant_id, file)} (informant {informant_id}): {rest}"
    return note
