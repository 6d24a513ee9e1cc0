"""Human codings: ``data/coded/human/<coder>.csv``, the durable record in git.

One file per coder, columns ``segment_id,codes,codebook_version``: one row per
segment the coder decided, ``codes`` separated by ";" (empty: none of the codes
applies), sorted by segment id. The file is the source of truth: every run
re-imports it into the store, and the machine never writes it, except
``qualpipe review import`` (and REFI-QDA import), which update that coder's
file (atomically) and the store together.

Files the tool writes also carry an *anchor* per row —
``file,turn_index,start,end,text_hash``: where the segment sits in its raw
turn (the transcript by its shareable name, see
:func:`~pipeline.ingest.informants.shareable_file_name`), and a short hash of
its raw text, keyed with the study secret (:mod:`pipeline.secret`). Turn parsing does not depend on the
spaCy pipeline but sentence splitting does, so a study re-ingested with
another model (say the official ``nb_core_news_md`` instead of the offline
``nb_norne_sm``) gets other segment ids. A row is therefore placed by its
anchor first: if the turn still holds the same text at that place, every
current segment covering at least half of its own length with the anchored
span or lying at least half inside it takes the row's codes (so a sentence
split in two keeps its codes on both halves, and two sentences joined into
one give it both rows' codes). Only where the anchor no longer fits (the
transcript was edited) does the segment id alone place the row. A row that
neither places is *unplaced*: it is kept in the file untouched, left out of
the store, and reported once per transcript turn (the coding stage's summary,
``unplaced_notes``) for a person to look at; it never stops a run. Anchors are
numbers and a keyed hash, as shareable as the segment ids themselves.

Files written before ids were keyed (unkeyed ids and hashes, raw file names)
are read as they are and rewritten once in the current form by
:func:`migrate_human_files`; no decision is lost.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..anonymise.guard import Guard, require_guard
from ..errors import QualpipeError
from ..ingest.informants import shareable_file_name
from ..ingest.segment import legacy_segment_id, occurrences
from ..safeio import check_inside
from ..secret import keyed_hex, study_secret
from ..settings import LimitSettings, Study
from ..store import StudyStore, read_csv, rows_to_csv, study_lock, write_shareable

HUMAN_COLUMNS = ["segment_id", "codes", "codebook_version"]
ANCHOR_COLUMNS = ["file", "turn_index", "start", "end", "text_hash"]
_CODER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Machine coders; a human file may not use these names.
RESERVED_CODERS = frozenset({"rules", "model", "machine", "human"})


@dataclass(frozen=True)
class HumanDecision:
    codes: frozenset[str]
    codebook_version: str


TEXT_HASH_PURPOSE = "anchor-text"


def text_hash(text: str, secret: bytes) -> str:
    """Short keyed hash of a raw segment text (whitespace-normalised) to check an anchor still fits."""
    return keyed_hex(secret, TEXT_HASH_PURPOSE, " ".join(text.split()), 6)


def legacy_text_hash(text: str) -> str:
    """The unkeyed anchor hash of earlier versions; read (to migrate), never written."""
    return hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Anchor:
    file: str
    turn_index: int
    start: int
    end: int
    text_hash: str


class SegmentAnchors:
    """Where each informant segment sits in its raw turn (read from the private store).

    ``segments`` and ``turn_texts`` carry the raw file names of the private
    store; anchors name the transcript by its shareable name
    (:func:`~pipeline.ingest.informants.shareable_file_name`), and their hash
    is keyed with ``secret``. Rows of files written before keyed ids (unkeyed
    segment ids, raw file names, unkeyed hashes) are recognised too, so an
    old file migrates without losing a decision (:func:`migrate_human_files`).
    """

    def __init__(self, segments: Iterable, turn_texts: Mapping[tuple[str, int], str], secret: bytes):
        self._secret = secret
        self._by_id: dict[str, Anchor] = {}
        self._by_turn: dict[tuple[str, int], list[tuple[str, int, int]]] = {}
        self._legacy_ids: dict[str, str] = {}  # unkeyed id of earlier versions -> current id
        self._shared: dict[str, str] = {}  # raw file name -> shareable name
        by_file: dict[str, list] = {}
        for segment in segments:
            by_file.setdefault(segment.file, []).append(segment)
        for file, found in by_file.items():
            shared = self._shared[file] = shareable_file_name(found[0].informant_id, file)
            for segment, occurrence in zip(found, occurrences(found)):
                if segment.speaker != "informant":
                    continue
                self._legacy_ids[legacy_segment_id(file, segment.speaker, segment.text, occurrence)] = \
                    segment.segment_id
                self._by_id[segment.segment_id] = Anchor(shared, segment.turn_index, segment.start, segment.end,
                                                         text_hash(segment.text, secret))
                self._by_turn.setdefault((shared, segment.turn_index), []).append(
                    (segment.segment_id, segment.start, segment.end))
        self._turns = {(self._shared.get(file, file), index): text for (file, index), text in turn_texts.items()}
        self._raw_turns = dict(turn_texts)

    @classmethod
    def load(cls, study: Study) -> "SegmentAnchors | None":
        """From data/private/ingested.sqlite; None before anything is ingested."""
        from ..store import PrivateStore

        if not study.private_store_path.exists():
            return None
        with PrivateStore(study.private_store_path) as private:
            segments = private.segments()
            turns = {(t.file, t.turn_index): t.text for file in private.files() for t in private.turns(file)}
        return cls(segments, turns, study_secret(study))

    def anchor(self, segment_id: str) -> Anchor | None:
        return self._by_id.get(segment_id)

    def has_file(self, file: str) -> bool:
        """Whether a transcript of this (anchor) file name is in the study."""
        files = getattr(self, "_files", None)
        if files is None:
            files = self._files = {name for name, _turn in self._turns}
        return file in files

    def current_id(self, segment_id: str) -> str | None:
        """The id of this segment now: itself, or the keyed id of an unkeyed one of earlier versions."""
        if segment_id in self._by_id:
            return segment_id
        return self._legacy_ids.get(segment_id)

    def current_anchor(self, anchor: Anchor) -> Anchor | None:
        """``anchor`` as written now (shareable file name, keyed hash), if it still fits its turn."""
        turn = self._turns.get((anchor.file, anchor.turn_index))
        if turn is not None and anchor.end <= len(turn) and \
                text_hash(turn[anchor.start:anchor.end], self._secret) == anchor.text_hash:
            return anchor
        turn = self._raw_turns.get((anchor.file, anchor.turn_index))  # written before keyed anchors
        if turn is not None and anchor.end <= len(turn) and \
                legacy_text_hash(turn[anchor.start:anchor.end]) == anchor.text_hash:
            return Anchor(self._shared.get(anchor.file, anchor.file), anchor.turn_index, anchor.start, anchor.end,
                          text_hash(turn[anchor.start:anchor.end], self._secret))
        return None

    def relocate(self, anchor: Anchor) -> list[str]:
        """Current segments that the anchored span covers (empty if the turn's text changed there)."""
        anchor = self.current_anchor(anchor)
        if anchor is None:
            return []
        found = []
        for segment_id, start, end in self._by_turn.get((anchor.file, anchor.turn_index), []):
            overlap = min(end, anchor.end) - max(start, anchor.start)
            if overlap > 0 and overlap * 2 >= min(end - start, anchor.end - anchor.start):
                found.append(segment_id)
        return found


def _row_anchor(row: dict[str, str]) -> Anchor | None:
    try:
        return Anchor(row["file"], int(row["turn_index"]), int(row["start"]), int(row["end"]), row["text_hash"])
    except (KeyError, TypeError, ValueError):
        return None


def check_coder_id(coder: str, path: Path | None = None) -> str:
    if not _CODER.match(coder) or coder.lower() in RESERVED_CODERS:
        raise QualpipeError(
            f"'{coder}' is not a valid human coder id (letters, digits, _ . -; not one of "
            f"{', '.join(sorted(RESERVED_CODERS))})", path)
    return coder


def human_file(study: Study, coder: str) -> Path:
    return study.human_dir / f"{check_coder_id(coder)}.csv"


def split_codes(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


@dataclass(frozen=True)
class UnplacedRow:
    """A row of a human file whose segment is not in the study as it is now.

    Its transcript is not (or no longer) ingested, or its text changed at the
    anchored place. The row is kept in the file as written (a later run may
    find it again) and reported by file and turn, so a person can look.
    """

    coder: str
    row: int  # line number in the file (1 is the header)
    segment_id: str
    file: str  # from the anchor; "" when the row has none
    turn_index: int | None
    cells: tuple[str, ...]  # the row as written, in file order
    missing_file: bool = False  # the anchored transcript is not in the study now


@dataclass(frozen=True)
class RelocatedRow:
    """A row of a human file re-found by its anchor on other segments than its own id (a study
    re-segmented by another pipeline). A rewrite of the file keeps it as written, so the
    decision is still the coder's own under the segmentation it was made in."""

    targets: frozenset[str]  # the current segments it is placed on
    cells: tuple[str, ...]  # the row as written, in file order


@dataclass
class HumanFile:
    """One coder's file as read against the study's current segments."""

    decisions: dict[str, HumanDecision]
    unplaced: list[UnplacedRow] = field(default_factory=list)
    relocated_rows: list[RelocatedRow] = field(default_factory=list)
    by_anchor_only: set[str] = field(default_factory=set)  # decided by re-found rows alone

    @property
    def relocated(self) -> int:
        """Rows found again by their anchor under other segment ids."""
        return len(self.relocated_rows)

    def updated(self, new: Mapping[str, HumanDecision]) -> tuple[dict[str, HumanDecision], list]:
        """What a rewrite with ``new`` decisions (current segment id -> decision) writes: the
        rows placed on their own id, with ``new`` replacing theirs, and, as they were written,
        every row not found now and every re-found row that still decides a segment ``new``
        leaves alone. A re-found row is never rewritten on today's segments: two rows a
        pipeline joins into one segment would become one row with both rows' codes, and the
        study read again under the first pipeline would give both sentences both codes."""
        decisions = {segment_id: d for segment_id, d in self.decisions.items()
                     if segment_id not in self.by_anchor_only}
        decisions.update(new)
        kept = [row for row in self.relocated_rows if not row.targets <= set(new)]
        return decisions, [*self.unplaced, *kept]


def _checked_rows(path: Path, max_bytes: int) -> tuple[list[dict], list[str]]:
    """A coder's file read as CSV rows, with its size, encoding, header and column counts checked."""
    if path.stat().st_size > max_bytes:
        raise QualpipeError(f"human coding file is over the limit of {max_bytes // (1024 * 1024)} MB "
                            "(limits.max_file_mb in study.yaml)", path)
    try:
        rows = read_csv(path)
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = [h.strip() for h in handle.readline().strip().split(",")]
    except UnicodeDecodeError:
        raise QualpipeError("human coding file is not UTF-8 text", path) from None
    except csv.Error as exc:
        raise QualpipeError(f"not a readable CSV file ({exc})", path) from None
    if header not in (HUMAN_COLUMNS, HUMAN_COLUMNS + ANCHOR_COLUMNS):
        raise QualpipeError(f"expected the header '{','.join(HUMAN_COLUMNS)}' (optionally followed by "
                            f"'{','.join(ANCHOR_COLUMNS)}')", path)
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row or any(value is None for value in row.values()):
            raise QualpipeError(f"row {number}: expected {len(header)} columns", path)
    return rows, header


def read_human_rows(path: Path, segment_ids: set[str], code_ids: set[str],
                    anchors: SegmentAnchors | None = None,
                    max_bytes: int = LimitSettings().max_file_bytes) -> HumanFile:
    """Validate and read one coder's file against the current segments.

    A malformed row (columns, codes, codebook version) rejects the file. A
    row is placed on its own segment id, or, when its anchor still fits its
    turn, on the current segments the anchored span covers (the anchor wins
    over an id that now names another place, as a repeated "Ja." can after
    re-segmentation). A row that fits nowhere is *unplaced*: returned, never
    an error, so a change of pipeline or a held-back transcript never stops a
    run. Rows placed on their own id win over re-found ones; several rows
    re-found on one segment join their codes.
    """
    coder = path.stem
    rows, header = _checked_rows(path, max_bytes)
    result = HumanFile(decisions={})
    relocated: dict[str, HumanDecision] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        segment_id = row["segment_id"].strip()
        if segment_id not in segment_ids and anchors is not None:
            segment_id = anchors.current_id(segment_id) or segment_id  # an unkeyed id of earlier versions
        codes = split_codes(row["codes"])
        unknown = sorted(set(codes) - code_ids)
        if unknown:
            raise QualpipeError(
                f"row {number}: unknown code '{unknown[0]}' (codebook codes: {', '.join(sorted(code_ids))})", path)
        version = row["codebook_version"].strip()
        if not version:
            raise QualpipeError(f"row {number}: codebook_version is empty", path)
        decision = HumanDecision(codes=frozenset(codes), codebook_version=version)
        anchor = _row_anchor(row)
        targets = anchors.relocate(anchor) if anchor is not None and anchors is not None else []
        if segment_id in targets or (not targets and segment_id in segment_ids):
            if segment_id in result.decisions:
                raise QualpipeError(f"row {number}: segment id '{segment_id}' appears twice", path)
            result.decisions[segment_id] = decision
        elif targets:
            result.relocated_rows.append(RelocatedRow(frozenset(targets), tuple(row[h] for h in header)))
            for target in targets:
                earlier = relocated.get(target)
                joined = decision.codes | (earlier.codes if earlier else frozenset())
                relocated[target] = HumanDecision(codes=joined, codebook_version=version)
        else:
            result.unplaced.append(UnplacedRow(
                coder=coder, row=number, segment_id=segment_id, file=anchor.file if anchor else "",
                turn_index=anchor.turn_index if anchor else None, cells=tuple(row[h] for h in header),
                missing_file=anchor is not None and anchors is not None and not anchors.has_file(anchor.file)))
    own_id = set(result.decisions)
    for segment_id, decision in relocated.items():
        result.decisions.setdefault(segment_id, decision)
    result.by_anchor_only = set(relocated) - own_id
    return result


def read_human_file(path: Path, segment_ids: set[str], code_ids: set[str],
                    anchors: SegmentAnchors | None = None,
                    max_bytes: int = LimitSettings().max_file_bytes) -> dict[str, HumanDecision]:
    """The decisions of one coder's file that have a segment now (see :func:`read_human_rows`)."""
    return read_human_rows(path, segment_ids, code_ids, anchors, max_bytes).decisions


def unplaced_summary(unplaced: Iterable[UnplacedRow]) -> list[str]:
    """Lines for a person to act on, each place once: one per transcript the study does not
    have (now), one per turn whose text changed where a decision was anchored."""
    by_place: dict[tuple[str, int | None, bool], dict[str, list[int]]] = {}
    for item in unplaced:
        turn = None if item.missing_file else item.turn_index
        by_place.setdefault((item.file, turn, item.missing_file), {}).setdefault(
            f"{item.coder}.csv", []).append(item.row)
    lines = []
    for (file, turn, missing), coders in sorted(by_place.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1)):
        n = sum(len(rows) for rows in coders.values())
        rows = "; ".join(f"{coder} {_row_list(numbers)}" for coder, numbers in sorted(coders.items()))
        if not file:
            lines.append(f"{n} menneskelige kodebeslutninger uten anker har et segment-id studien ikke har ({rows}); "
                         "kod segmentene på nytt eller fjern radene")
        elif missing:
            lines.append(f"{file}: {n} menneskelige kodebeslutninger venter ({rows}) – transkripsjonen er ikke i "
                         "studien nå; de brukes igjen når den er det, ellers fjern radene")
        else:
            lines.append(f"{file}, tur {turn}: {n} menneskelige kodebeslutninger ikke funnet igjen ({rows}) – "
                         "teksten er endret der; se på turen og kod den på nytt, eller fjern radene")
    return lines


def _row_list(numbers: list[int], shown: int = 8) -> str:
    numbers = sorted(numbers)
    text = ", ".join(map(str, numbers[:shown])) + (f" og {len(numbers) - shown} til" if len(numbers) > shown else "")
    return ("rad " if len(numbers) == 1 else "rader ") + text


def check_human_file(path: Path, code_ids: set[str], max_bytes: int = LimitSettings().max_file_bytes) -> int:
    """What can be checked of a coder's file without the study's segments: size, encoding,
    header, columns, codes, versions. ``qualpipe run`` calls this for every file before its
    first stage writes anything; :func:`read_human_file` then checks the segment ids."""
    rows, _header = _checked_rows(path, max_bytes)
    for number, row in enumerate(rows, start=2):
        unknown = sorted(set(split_codes(row["codes"])) - code_ids)
        if unknown:
            raise QualpipeError(
                f"row {number}: unknown code '{unknown[0]}' (codebook codes: {', '.join(sorted(code_ids))})", path)
        if not row["codebook_version"].strip():
            raise QualpipeError(f"row {number}: codebook_version is empty", path)
    return len(rows)


def check_human_files(study: Study, code_ids: Iterable[str]) -> dict[str, int]:
    """:func:`check_human_file` for every coder's file; coder id -> rows."""
    code_ids = set(code_ids)
    limit = study.settings.limits.max_file_bytes
    return {coder: check_human_file(path, code_ids, limit) for coder, path in human_files(study).items()}


def human_file_text(decisions: Mapping[str, HumanDecision], anchors: SegmentAnchors | None = None,
                    unplaced: Iterable[UnplacedRow] = ()) -> str:
    """The file's text; with ``anchors``, each row also carries where its segment sits.

    ``unplaced`` rows (read but not found in the study now, or re-found by
    their anchor: :meth:`HumanFile.updated`) are written back as they were, so
    rewriting a coder's file never loses or changes a decision.
    """
    kept = [item for item in unplaced if isinstance(item, RelocatedRow) or item.segment_id not in decisions]
    if anchors is None and not any(len(item.cells) > len(HUMAN_COLUMNS) for item in kept):
        return rows_to_csv(HUMAN_COLUMNS, sorted([(segment_id, ";".join(sorted(d.codes)), d.codebook_version)
                                                  for segment_id, d in decisions.items()]
                                                 + [item.cells[:len(HUMAN_COLUMNS)] for item in kept]))
    rows = []
    for segment_id, d in sorted(decisions.items()):
        anchor = anchors.anchor(segment_id) if anchors is not None else None
        where = (anchor.file, anchor.turn_index, anchor.start, anchor.end, anchor.text_hash) if anchor else ("",) * 5
        rows.append((segment_id, ";".join(sorted(d.codes)), d.codebook_version, *where))
    width = len(HUMAN_COLUMNS + ANCHOR_COLUMNS)
    rows += [tuple(item.cells) + ("",) * (width - len(item.cells)) for item in kept]
    return rows_to_csv(HUMAN_COLUMNS + ANCHOR_COLUMNS, sorted(rows, key=lambda r: str(r[0])))


def write_human_file(study: Study, path: Path, decisions: Mapping[str, HumanDecision], guard: Guard,
                     anchors: SegmentAnchors | None = None, unplaced: Iterable[UnplacedRow] = ()) -> None:
    """Write one coder's file (shareable: through the study's guard), atomically."""
    write_shareable(study.root, {path: human_file_text(decisions, anchors, unplaced)}, guard)


def migrate_human_files(study: Study, anchors: SegmentAnchors | None, guard: Guard) -> list[str]:
    """Rewrite (atomically) every human file that still has unkeyed ids or anchors; the coders migrated.

    Row by row: an unkeyed id becomes the segment's keyed id, and its anchor
    the segment's current one; an anchor of earlier versions that still fits
    its turn is rewritten keyed (its row keeps its id, to be re-found by the
    anchor). Every other cell, and every row, stays as it was.
    """
    if anchors is None:
        return []
    migrated = []
    for coder, path in human_files(study).items():
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                header = [h.strip() for h in handle.readline().strip().split(",")]
            rows = read_csv(path)
        except UnicodeDecodeError as exc:
            raise QualpipeError("human coding file is not UTF-8 text", path) from exc
        if header not in (HUMAN_COLUMNS, HUMAN_COLUMNS + ANCHOR_COLUMNS) or any(None in r for r in rows):
            continue  # read_human_file reports what is wrong with it
        anchored = header == HUMAN_COLUMNS + ANCHOR_COLUMNS
        changed = False
        for row in rows:
            old = (row.get("segment_id") or "").strip()
            new = anchors.current_id(old)
            if new is not None and new != old:
                row["segment_id"] = new
                changed = True
                if anchored and anchors.anchor(new) is not None:
                    row.update(_anchor_cells(anchors.anchor(new)))
            elif anchored and new is None and (anchor := _row_anchor(row)) is not None:
                current = anchors.current_anchor(anchor)
                if current is not None and current != anchor:
                    row.update(_anchor_cells(current))
                    changed = True
        if changed:
            rows.sort(key=lambda r: r["segment_id"])
            write_shareable(study.root, {path: rows_to_csv(header, [[r[h] for h in header] for r in rows])}, guard)
            migrated.append(coder)
    return migrated


def _anchor_cells(anchor: Anchor) -> dict[str, str]:
    return {"file": anchor.file, "turn_index": str(anchor.turn_index), "start": str(anchor.start),
            "end": str(anchor.end), "text_hash": anchor.text_hash}


def human_files(study: Study) -> dict[str, Path]:
    """coder id -> file, for every ``*.csv`` in data/coded/human/."""
    if not study.human_dir.is_dir():
        return {}
    found = {}
    for path in sorted(study.human_dir.glob("*.csv")):
        check_inside(path, study.root)  # a symbolic link out of the study is refused
        found[check_coder_id(path.stem, path)] = path
    return found


def store_decisions(store: StudyStore, coder: str, decisions: Mapping[str, HumanDecision],
                    replace: bool = True) -> None:
    """Put one coder's decisions into the store (grouped by codebook version)."""
    with store.transaction():
        if replace:
            store.delete_human_coder(coder)
        by_version: dict[str, dict[str, set[str]]] = {}
        for segment_id, decision in sorted(decisions.items()):
            by_version.setdefault(decision.codebook_version, {})[segment_id] = set(decision.codes)
        for version, chosen in sorted(by_version.items()):
            store.record_human_decisions(coder, chosen, version)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class HumanImport:
    """What re-importing the human files found: decisions per coder, rows not found again."""

    counts: dict[str, int]
    unplaced: list[UnplacedRow]
    relocated: dict[str, int]

    def notes(self) -> list[str]:
        return unplaced_summary(self.unplaced)


UNPLACED_META = "human_unplaced"


def import_human_coding(study: Study, store: StudyStore, code_ids: Iterable[str]) -> HumanImport:
    """Re-import every coder's file; coders whose file is gone leave the store.

    Every file is validated before anything is stored, so one bad file leaves
    the store as it was. A file unchanged since its last import is skipped,
    which keeps the times its decisions were first recorded. Rows not found in
    the study now are kept in the file, left out of the store, and listed (also
    in the store's meta, for status and the report).
    """
    files = human_files(study)
    segment_ids = store.segment_ids(speaker="informant")
    code_ids = set(code_ids)
    anchors = SegmentAnchors.load(study) if files else None
    if files:
        migrate_human_files(study, anchors, require_guard(study))
    limit = study.settings.limits.max_file_bytes
    parsed = {coder: read_human_rows(path, segment_ids, code_ids, anchors, limit) for coder, path in files.items()}
    unplaced = [item for coder in sorted(parsed) for item in parsed[coder].unplaced]
    with store.transaction():
        for coder in store.human_coders():
            if coder not in files:
                store.delete_human_coder(coder)
                store.delete_meta(f"human_file_sha256:{coder}")
        for coder, read in parsed.items():
            # The decisions placed depend on the file *and* the current segments (a re-segmented study).
            digest = _digest(files[coder]) + ":" + _placement_digest(read)
            if store.get_meta(f"human_file_sha256:{coder}") == digest and coder in store.human_coders():
                continue
            store_decisions(store, coder, read.decisions)
            store.set_meta(f"human_file_sha256:{coder}", digest)
        store.set_meta(UNPLACED_META, json.dumps(unplaced_summary(unplaced), ensure_ascii=False))
    return HumanImport(counts={coder: len(read.decisions) for coder, read in parsed.items()}, unplaced=unplaced,
                       relocated={coder: read.relocated for coder, read in parsed.items() if read.relocated})


def import_human_files(study: Study, store: StudyStore, code_ids: Iterable[str]) -> dict[str, int]:
    """coder -> decisions placed; see :func:`import_human_coding`."""
    return import_human_coding(study, store, code_ids).counts


def unplaced_notes(store: StudyStore) -> list[str]:
    """The lines of the last import about human decisions not found again (empty: all placed)."""
    stored = store.get_meta(UNPLACED_META)
    return list(json.loads(stored)) if stored else []


def stored_unplaced_notes(study: Study) -> list[str]:
    """:func:`unplaced_notes` of the study's store (empty before anything is coded)."""
    if not study.store_path.exists():
        return []
    with StudyStore(study.store_path) as store:
        return unplaced_notes(store)


def _placement_digest(read: HumanFile) -> str:
    blob = json.dumps(sorted((sid, sorted(d.codes), d.codebook_version) for sid, d in read.decisions.items()))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def chosen_human_codes(store: StudyStore, primary_coder: str | None) -> dict[str, frozenset[str]]:
    """segment id -> the deciding human's codes (empty set = decided, none apply).

    The same choice of coder as :func:`pipeline.coding.effective.effective_codes`:
    the primary coder where they decided the segment, else the latest decision.
    """
    from .effective import deciding_coders

    chosen = deciding_coders(store, primary_coder)
    codes: dict[str, set[str]] = {segment_id: set() for segment_id in chosen}
    for coding in store.codings(source="human"):
        if chosen.get(coding.segment_id) == coding.coder and coding.status == "accepted":
            codes[coding.segment_id].add(coding.code)
    return {segment_id: frozenset(found) for segment_id, found in sorted(codes.items())}


def coder_decisions(store: StudyStore, coder: str) -> dict[str, frozenset[str]]:
    """segment id -> codes, for every segment this human coder decided."""
    decided = store.human_reviews(coder)
    codes: dict[str, set[str]] = {segment_id: set() for segment_id in decided}
    for coding in store.codings(source="human", coder=coder):
        if coding.status == "accepted" and coding.segment_id in codes:
            codes[coding.segment_id].add(coding.code)
    return {segment_id: frozenset(found) for segment_id, found in sorted(codes.items())}


def apply_human_decisions(study: Study, store: StudyStore, coder: str, decisions: Mapping[str, Iterable[str]],
                          codebook_version: str, code_ids: Iterable[str]) -> int:
    """Record new decisions of one coder in their file *and* the store (file first).

    Used by ``review import`` (and any other importer of human work). Existing
    rows of the coder's file for other segments are kept as written (also those
    re-found by their anchor under another pipeline's segments); rows for these
    segments are replaced. The file is written atomically before the store is
    touched, so a crash leaves a file that the next run re-imports.
    """
    check_coder_id(coder)
    path = human_file(study, coder)
    # Read, merge and write under the study lock: two imports for one coder at once would
    # otherwise both read the old file and the second write would drop the first's rows.
    with study_lock(study.root, command="human decisions"):
        segment_ids = store.segment_ids(speaker="informant")
        anchors = SegmentAnchors.load(study)
        limit = study.settings.limits.max_file_bytes
        existing = (read_human_rows(path, segment_ids, set(code_ids), anchors, limit) if path.exists()
                    else HumanFile({}))
        merged, kept = existing.updated({segment_id: HumanDecision(frozenset(codes), codebook_version)
                                         for segment_id, codes in decisions.items()})
        write_human_file(study, path, merged, require_guard(study), anchors=anchors, unplaced=kept)
        with store.transaction():
            # What the file now places (kept re-found rows included) is what the store holds.
            placed = read_human_rows(path, segment_ids, set(code_ids), anchors, limit)
            store_decisions(store, coder, placed.decisions)
            store.set_meta(f"human_file_sha256:{coder}", _digest(path) + ":" + _placement_digest(placed))
    return len(decisions)
