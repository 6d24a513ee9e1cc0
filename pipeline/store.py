"""All file and database I/O of a study, at the edge.

Two SQLite databases, both with WAL, transactions and a schema version:

* ``data/private/ingested.sqlite`` (:class:`PrivateStore`): parsed raw
  transcripts — raw turns and segments. Git-ignored, never shared.
* ``data/coded/study.sqlite`` (:class:`StudyStore`): informants, *anonymised*
  segments, codes and codings with provenance. Derived, git-ignored; the public
  data contract is the CSV exports next to it, and the durable record of human
  work is ``data/coded/human/<coder>.csv``.

Every file written here is written atomically (temporary file + ``os.replace``)
so an interrupted run leaves the last good output in place.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from .records import Coding, Informant, Segment, Transcript, Turn

# A guard checks shareable text before it is written and raises LeakError.
Guard = Callable[[str, Path], None]


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------- files


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so readers see the old or the new file, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, guard: Guard | None = None, mode: int | None = None) -> None:
    """Atomically write UTF-8 text; a ``guard`` sees the text first and may refuse."""
    if guard is not None:
        guard(text, Path(path))
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def rows_to_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV text with a header, ``\\n`` line ends, ``None`` as empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]], guard: Guard | None = None) -> None:
    atomic_write_text(path, rows_to_csv(header, rows), guard=guard)


def copy_study_inputs(source: Path, target: Path, human_coding: bool = True) -> Path:
    """Copy what a study is made from — settings, codebook, data/raw and (optionally) the
    human coding files — into ``target``; never derived stores, data/private or reports."""
    source, target = Path(source), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("study.yaml", "codebook.yaml"):
        if (source / name).exists():
            shutil.copy(source / name, target / name)
    shutil.copytree(source / "data" / "raw", target / "data" / "raw")
    human = source / "data" / "coded" / "human"
    if human_coding and human.exists():
        shutil.copytree(human, target / "data" / "coded" / "human")
    return target


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------------ database


class _Database:
    """SQLite with WAL, foreign keys, and numbered migrations.

    ``MIGRATIONS[i]`` brings the schema from version ``i`` to ``i + 1``. Add new
    migrations at the end; never edit one that has shipped.
    """

    MIGRATIONS: list[str] = []

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        for version in range(current, len(self.MIGRATIONS)):
            with self.transaction():
                for statement in _split_sql(self.MIGRATIONS[version]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version + 1}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: an exception inside rolls every statement back."""
        if self.conn.in_transaction:  # nested: join the outer transaction
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def remove_transcripts(self, files: Iterable[str]) -> None:
        """Forget transcripts (their segments go with them: ON DELETE CASCADE)."""
        with self.transaction() as db:
            db.executemany("DELETE FROM transcripts WHERE file = ?", [(f,) for f in files])

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


_SEGMENT_COLUMNS = "segment_id, informant_id, file, turn_index, speaker, start, end, text"


def _insert_segments(db: sqlite3.Connection, segments: list[Segment]) -> None:
    """Both stores keep segments in one table shape, ordered within a file by ``seq``."""
    db.executemany(
        f"INSERT INTO segments({_SEGMENT_COLUMNS}, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(s.segment_id, s.informant_id, s.file, s.turn_index, s.speaker, s.start, s.end, s.text, i)
         for i, s in enumerate(segments)],
    )


def _segment(row: sqlite3.Row) -> Segment:
    return Segment(
        segment_id=row["segment_id"], informant_id=row["informant_id"], file=row["file"],
        turn_index=row["turn_index"], speaker=row["speaker"], start=row["start"],
        end=row["end"], text=row["text"],
    )


class PrivateStore(_Database):
    """Raw parsed transcripts (turns, segments). Lives in data/private/ only."""

    MIGRATIONS = [
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE transcripts (
            file TEXT PRIMARY KEY, informant_id TEXT NOT NULL, sha256 TEXT NOT NULL,
            fingerprint TEXT NOT NULL, format TEXT NOT NULL, encoding TEXT NOT NULL,
            notes TEXT NOT NULL, ingested_at TEXT NOT NULL);
        CREATE TABLE turns (
            file TEXT NOT NULL REFERENCES transcripts(file) ON DELETE CASCADE,
            turn_index INTEGER NOT NULL, speaker TEXT NOT NULL, label TEXT NOT NULL,
            text TEXT NOT NULL, timestamps TEXT NOT NULL,
            PRIMARY KEY (file, turn_index));
        CREATE TABLE segments (
            segment_id TEXT PRIMARY KEY,
            file TEXT NOT NULL REFERENCES transcripts(file) ON DELETE CASCADE,
            informant_id TEXT NOT NULL, turn_index INTEGER NOT NULL, speaker TEXT NOT NULL,
            start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, seq INTEGER NOT NULL);
        CREATE INDEX segments_by_file ON segments(file, seq)
        """,
    ]

    def __init__(self, path: Path):
        super().__init__(path)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)

    def fingerprints(self) -> dict[str, str]:
        """file -> fingerprint of (raw bytes, settings, model) it was segmented with."""
        return {r["file"]: r["fingerprint"] for r in self.conn.execute("SELECT file, fingerprint FROM transcripts")}

    def raw_hashes(self) -> dict[str, str]:
        """file -> sha256 of the raw file bytes as ingested."""
        return {r["file"]: r["sha256"] for r in self.conn.execute("SELECT file, sha256 FROM transcripts")}

    def replace_transcript(self, informant_id: str, transcript: Transcript, segments: list[Segment],
                           fingerprint: str) -> None:
        """Store one parsed transcript and its segments, replacing any older version."""
        with self.transaction() as db:
            db.execute("DELETE FROM transcripts WHERE file = ?", (transcript.file,))
            db.execute(
                "INSERT INTO transcripts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (transcript.file, informant_id, transcript.sha256, fingerprint, transcript.format,
                 transcript.encoding, json.dumps(list(transcript.notes), ensure_ascii=False), utc_now()),
            )
            db.executemany(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?)",
                [(t.file, t.turn_index, t.speaker, t.label, t.text, json.dumps(list(t.timestamps)))
                 for t in transcript.turns],
            )
            _insert_segments(db, segments)

    def files(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT file FROM transcripts ORDER BY file")]

    def turns(self, file: str) -> list[Turn]:
        rows = self.conn.execute("SELECT * FROM turns WHERE file = ? ORDER BY turn_index", (file,))
        return [Turn(file=r["file"], turn_index=r["turn_index"], speaker=r["speaker"], label=r["label"],
                     text=r["text"], timestamps=tuple(json.loads(r["timestamps"]))) for r in rows]

    def segments(self, file: str | None = None) -> list[Segment]:
        if file is None:
            rows = self.conn.execute(f"SELECT {_SEGMENT_COLUMNS} FROM segments ORDER BY file, seq")
        else:
            rows = self.conn.execute(f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE file = ? ORDER BY seq", (file,))
        return [_segment(r) for r in rows]

    def segment(self, segment_id: str) -> Segment | None:
        row = self.conn.execute(f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE segment_id = ?", (segment_id,)).fetchone()
        return _segment(row) if row else None

    def transcript_notes(self) -> dict[str, list[str]]:
        return {r["file"]: json.loads(r["notes"]) for r in self.conn.execute("SELECT file, notes FROM transcripts")}


class StudyStore(_Database):
    """Shareable, anonymised study data: informants, segments, codes, codings."""

    MIGRATIONS = [
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE informants (
            id TEXT PRIMARY KEY, file TEXT NOT NULL UNIQUE, grp TEXT NOT NULL,
            attributes TEXT NOT NULL);
        CREATE TABLE transcripts (
            file TEXT PRIMARY KEY, informant_id TEXT NOT NULL, sha256 TEXT NOT NULL,
            n_turns INTEGER NOT NULL, anonymised_at TEXT NOT NULL);
        CREATE TABLE segments (
            segment_id TEXT PRIMARY KEY,
            file TEXT NOT NULL REFERENCES transcripts(file) ON DELETE CASCADE,
            informant_id TEXT NOT NULL, turn_index INTEGER NOT NULL, speaker TEXT NOT NULL,
            start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, seq INTEGER NOT NULL);
        CREATE INDEX coded_segments_by_file ON segments(file, seq);
        CREATE TABLE codes (
            id TEXT PRIMARY KEY, label TEXT NOT NULL, parent TEXT, definition TEXT NOT NULL,
            colour TEXT, codebook_version TEXT NOT NULL);
        CREATE TABLE codings (
            segment_id TEXT NOT NULL, code TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('rule', 'model', 'human')),
            coder TEXT NOT NULL, confidence REAL,
            status TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
            codebook_version TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (segment_id, code, coder));
        CREATE INDEX codings_by_source ON codings(source, coder);
        CREATE TABLE human_reviews (
            segment_id TEXT NOT NULL, coder TEXT NOT NULL, codebook_version TEXT NOT NULL,
            reviewed_at TEXT NOT NULL, PRIMARY KEY (segment_id, coder))
        """,
        # 1 -> 2: anonymisation audit (counts only: shareable, holds no identifier).
        """
        CREATE TABLE anonymisation_audit (
            file TEXT NOT NULL, type TEXT NOT NULL, replaced INTEGER NOT NULL,
            for_review INTEGER NOT NULL, PRIMARY KEY (file, type))
        """,
    ]

    # ---- informants
    def replace_informants(self, informants: list[Informant]) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM informants")
            db.executemany(
                "INSERT INTO informants VALUES (?, ?, ?, ?)",
                [(i.id, i.file, i.group, json.dumps(i.attributes, ensure_ascii=False)) for i in informants],
            )

    def informants(self) -> list[Informant]:
        rows = self.conn.execute("SELECT * FROM informants")
        found = [Informant(id=r["id"], file=r["file"], group=r["grp"], attributes=json.loads(r["attributes"]))
                 for r in rows]
        return sorted(found, key=lambda i: natural_key(i.id))

    # ---- anonymised segments
    def transcript_hashes(self) -> dict[str, str]:
        return {r["file"]: r["sha256"] for r in self.conn.execute("SELECT file, sha256 FROM transcripts")}

    def replace_segments(self, file: str, informant_id: str, sha256: str, n_turns: int,
                         segments: list[Segment]) -> None:
        """Store the anonymised segments of one transcript, replacing older ones.

        Codings are keyed by segment id and are left alone: a segment whose raw
        text did not change keeps its id and so its codings.
        """
        with self.transaction() as db:
            db.execute("DELETE FROM transcripts WHERE file = ?", (file,))
            db.execute("INSERT INTO transcripts VALUES (?, ?, ?, ?, ?)", (file, informant_id, sha256, n_turns, utc_now()))
            _insert_segments(db, segments)

    def segments(self, speaker: str | None = None, file: str | None = None) -> list[Segment]:
        sql = f"SELECT {_SEGMENT_COLUMNS} FROM segments"
        where, args = [], []
        if speaker:
            where.append("speaker = ?")
            args.append(speaker)
        if file:
            where.append("file = ?")
            args.append(file)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY file, seq"
        return [_segment(r) for r in self.conn.execute(sql, args)]

    def segment(self, segment_id: str) -> Segment | None:
        row = self.conn.execute(f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE segment_id = ?", (segment_id,)).fetchone()
        return _segment(row) if row else None

    # ---- codes and codings
    def replace_codes(self, codes: list[dict], codebook_version: str) -> None:
        """``codes``: dicts with id, label, parent, definition, colour."""
        with self.transaction() as db:
            db.execute("DELETE FROM codes")
            db.executemany(
                "INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?)",
                [(c["id"], c["label"], c.get("parent"), c["definition"], c.get("colour"), codebook_version)
                 for c in codes],
            )

    def replace_machine_codings(self, source: str, codings: list[Coding]) -> None:
        """Replace every coding of one machine source ('rule' or 'model').

        Human codings live under their own coder ids and are never touched here.
        """
        if source == "human":
            raise ValueError("human codings are never replaced wholesale")
        now = utc_now()
        with self.transaction() as db:
            db.execute("DELETE FROM codings WHERE source = ?", (source,))
            db.executemany(
                "INSERT INTO codings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.segment_id, c.code, source, c.coder, c.confidence, c.status, c.codebook_version,
                  c.created_at or now, now) for c in codings],
            )

    def upsert_human_codings(self, codings: list[Coding]) -> None:
        """Insert or update human codings (one coder's decision per segment and code)."""
        now = utc_now()
        with self.transaction() as db:
            for c in codings:
                if c.source != "human":
                    raise ValueError(f"not a human coding: {c}")
                db.execute(
                    """INSERT INTO codings VALUES (?, ?, 'human', ?, ?, ?, ?, ?, ?)
                       ON CONFLICT(segment_id, code, coder) DO UPDATE SET
                         confidence = excluded.confidence, status = excluded.status,
                         codebook_version = excluded.codebook_version, updated_at = excluded.updated_at""",
                    (c.segment_id, c.code, c.coder, c.confidence, c.status, c.codebook_version,
                     c.created_at or now, c.updated_at or now),
                )

    def record_human_decisions(self, coder: str, decisions: dict[str, set[str]], codebook_version: str,
                               reviewed_at: str | None = None) -> None:
        """One human coder's complete decision for each listed segment.

        ``decisions`` maps segment id -> the codes that apply (empty: none
        applies). Earlier decisions of this coder on these segments are
        replaced; other coders and machine codings are untouched.
        """
        now = reviewed_at or utc_now()
        with self.transaction() as db:
            for segment_id, codes in decisions.items():
                db.execute("DELETE FROM codings WHERE source = 'human' AND coder = ? AND segment_id = ?",
                           (coder, segment_id))
                db.execute("INSERT OR REPLACE INTO human_reviews VALUES (?, ?, ?, ?)",
                           (segment_id, coder, codebook_version, now))
                db.executemany(
                    "INSERT INTO codings VALUES (?, ?, 'human', ?, NULL, 'accepted', ?, ?, ?)",
                    [(segment_id, code, coder, codebook_version, now, now) for code in sorted(codes)],
                )

    def human_reviews(self, coder: str | None = None) -> dict[str, dict[str, str]]:
        """segment id -> {coder: reviewed_at} for segments a human has decided."""
        sql, args = "SELECT segment_id, coder, reviewed_at FROM human_reviews", ()
        if coder:
            sql, args = sql + " WHERE coder = ?", (coder,)
        found: dict[str, dict[str, str]] = {}
        for row in self.conn.execute(sql, args):
            found.setdefault(row["segment_id"], {})[row["coder"]] = row["reviewed_at"]
        return found

    def human_coders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT coder FROM human_reviews ORDER BY coder")]

    def delete_human_coder(self, coder: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM codings WHERE source = 'human' AND coder = ?", (coder,))
            db.execute("DELETE FROM human_reviews WHERE coder = ?", (coder,))

    def codings(self, source: str | None = None, coder: str | None = None) -> list[Coding]:
        sql, where, args = "SELECT * FROM codings", [], []
        if source:
            where.append("source = ?")
            args.append(source)
        if coder:
            where.append("coder = ?")
            args.append(coder)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY segment_id, code, coder"
        return [Coding(segment_id=r["segment_id"], code=r["code"], source=r["source"], coder=r["coder"],
                       confidence=r["confidence"], status=r["status"], codebook_version=r["codebook_version"],
                       created_at=r["created_at"], updated_at=r["updated_at"])
                for r in self.conn.execute(sql, args)]

    # ---- anonymisation audit (counts by type per transcript; no identifiers)
    def replace_anonymisation_audit(self, counts: dict[str, dict[str, tuple[int, int]]]) -> None:
        """``counts``: file -> type -> (replaced, for_review). Replaces the whole table."""
        with self.transaction() as db:
            db.execute("DELETE FROM anonymisation_audit")
            db.executemany(
                "INSERT INTO anonymisation_audit VALUES (?, ?, ?, ?)",
                [(f, t, n[0], n[1]) for f, types in sorted(counts.items()) for t, n in sorted(types.items())],
            )

    def anonymisation_audit(self) -> list[tuple[str, str, int, int]]:
        rows = self.conn.execute("SELECT file, type, replaced, for_review FROM anonymisation_audit ORDER BY file, type")
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    # ---- exports: the public data contract (see README)
    def export_csv(self, coded_dir: Path, guard: Guard | None = None) -> list[Path]:
        """Write segments.csv, codings.csv and informants.csv for pandas/R/Excel."""
        segments = self.segments()
        seg_path = coded_dir / "segments.csv"
        cod_path = coded_dir / "codings.csv"
        inf_path = coded_dir / "informants.csv"
        seg_text = rows_to_csv(
            ["segment_id", "informant_id", "file", "turn_index", "speaker", "start", "end", "text"],
            [(s.segment_id, s.informant_id, s.file, s.turn_index, s.speaker, s.start, s.end, s.text) for s in segments],
        )
        order = {s.segment_id: i for i, s in enumerate(segments)}
        codings = sorted(self.codings(), key=lambda c: (order.get(c.segment_id, len(order)), c.code, c.source, c.coder))
        cod_text = rows_to_csv(
            ["segment_id", "code", "source", "coder", "confidence", "status"],
            [(c.segment_id, c.code, c.source, c.coder,
              "" if c.confidence is None else f"{c.confidence:.4f}", c.status) for c in codings],
        )
        informants = self.informants()
        attribute_names = sorted({k for i in informants for k in i.attributes})
        inf_text = rows_to_csv(
            ["id", "file", "group", *attribute_names],
            [(i.id, i.file, i.group, *(i.attributes.get(k, "") for k in attribute_names)) for i in informants],
        )
        # Check everything before writing anything: all three or none.
        if guard is not None:
            for text, path in ((seg_text, seg_path), (cod_text, cod_path), (inf_text, inf_path)):
                guard(text, path)
        for text, path in ((seg_text, seg_path), (cod_text, cod_path), (inf_text, inf_path)):
            atomic_write_text(path, text)
        return [seg_path, cod_path, inf_path]


def natural_key(value: str) -> tuple:
    """Sort "2" before "10" and "S1" after all numbers."""
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", value))
