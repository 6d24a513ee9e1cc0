"""All file and database I/O of a study, at the edge.

Two SQLite databases, both with WAL, transactions and a schema version:

* ``data/private/ingested.sqlite`` (:class:`PrivateStore`): parsed raw
  transcripts — raw turns and segments. Git-ignored, never shared.
* ``data/coded/study.sqlite`` (:class:`StudyStore`): informants, *anonymised*
  segments, codes and codings with provenance. Derived, git-ignored; the public
  data contract is the CSV exports next to it, and the durable record of human
  work is ``data/coded/human/<coder>.csv``.

Every file written here is written atomically (temporary file + ``os.replace``)
so an interrupted run leaves the last good output in place. Shareable files
(data/coded/, reports/, exports) are written only by :func:`write_shareable`,
which cannot be called without the study's leak guard.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import re
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import QualpipeError
from .records import Coding, Informant, Segment, Transcript, Turn
from .safeio import MAY_NEED_ESCAPE, escape_cell, unescape_cell

if TYPE_CHECKING:
    from .anonymise.guard import Guard



def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------- files

PRIVATE_MODE = 0o600
# Every temporary file is ``.<target name>.<8 random characters>.tmp`` beside its target
# (tempfile.mkstemp), so two writers never share one and a stale one is recognisable.
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
_LEGACY_TEMP_NAMES = frozenset({".coding_model.joblib.tmp"})
FAULT_ENV = "QUALPIPE_FAULT_POINT"
_fault_counts: dict[str, int] = {}


FAULT_HOLD_ENV = "QUALPIPE_FAULT_HOLD"


def fault_point(name: str) -> None:
    """Test hook: ``QUALPIPE_FAULT_POINT=name`` (or ``name:N``, the N-th time) kills this
    process with SIGKILL right here, so tests can interrupt a run at a chosen step. With
    ``QUALPIPE_FAULT_HOLD=PATH`` it first writes ``PATH.reached`` and waits for ``PATH`` to
    exist (so a test can act while the process holds the study lock at that step)."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    point, _, nth = wanted.rpartition(":") if wanted.rsplit(":", 1)[-1].isdigit() else (wanted, "", "")
    if point != name:
        return
    _fault_counts[name] = _fault_counts.get(name, 0) + 1
    if _fault_counts[name] != int(nth or 1):
        return
    hold = os.environ.get(FAULT_HOLD_ENV)
    if hold:
        Path(f"{hold}.reached").write_text(str(os.getpid()))
        while not Path(hold).exists():
            time.sleep(0.02)
    os.kill(os.getpid(), signal.SIGKILL)


def _write_temp(path: Path, data: bytes, mode: int | None) -> str:
    """A fully written, fsynced temporary file beside ``path``; returns its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def create_if_absent(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``data`` only if it does not exist yet, atomically.

    Two processes creating the same file at once agree on one content: the
    file is linked into place (create-if-absent); the loser's data is dropped
    and it reads the winner's file.
    """
    path = Path(path)
    tmp = _write_temp(path, data, mode)
    try:
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so readers see the old or the new file, never half.

    The temporary file is created 0600 (``mkstemp``), so private data is never
    readable by others, not even half-written; ``mode`` is set before the swap.
    """
    path = Path(path)
    tmp = _write_temp(path, data, mode)
    try:
        fault_point("temp-written")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Atomically write UTF-8 text: private files and study inputs only; anything shareable is
    written by :func:`write_shareable`."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


PENDING_NAME = ".pending-writes.json"


def atomic_write_set(root: Path, files: Mapping[Path, bytes | str], mode: int | None = None) -> list[Path]:
    """Write several files of one study as a set: all new, or (after a crash) all old.

    Every file is first written to a temporary file beside its target; then a
    journal in ``data/private/`` lists the renames, the renames are done and the
    journal is removed. A process killed before the journal exists leaves the
    old set (its temporary files are removed at the next start); one killed
    during the renames leaves a journal that the next command taking the study
    lock completes (:func:`recover_study_files`). Text is written as UTF-8.
    """
    root = Path(root).resolve()
    journal = root / "data" / "private" / PENDING_NAME
    roll_forward(root)
    renames: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            blob = data.encode("utf-8") if isinstance(data, str) else data
            renames.append((_write_temp(path, blob, mode), path))
        fault_point("set-temps-written")
        entries = [[_relative(root, Path(tmp)), _relative(root, target)] for tmp, target in renames]
        journal.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(journal, json.dumps({"renames": entries}).encode("utf-8"), mode=PRIVATE_MODE)
    except BaseException:
        for tmp, _ in renames:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    fault_point("set-journal-written")
    for tmp, target in renames:
        os.replace(tmp, target)
        fault_point("set-swap")
    journal.unlink()
    return [target for _, target in renames]


def _relative(root: Path, path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def roll_forward(root: Path) -> int:
    """Complete a set of renames a killed writer left in its journal; returns how many."""
    root = Path(root)
    journal = root / "data" / "private" / PENDING_NAME
    if not journal.exists():
        return 0
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))["renames"]
    except (ValueError, KeyError, TypeError, OSError):
        entries = []  # a journal is written atomically; an unreadable one has no renames to do
    done = 0
    for tmp, target in entries:
        source = root / tmp
        if source.exists():
            os.replace(source, root / target)
            done += 1
    journal.unlink()
    return done


def secure_unlink(path: Path) -> None:
    """Overwrite a private file with zeros, then remove it (no plaintext left in its blocks
    on an ordinary file system; copy-on-write and SSD wear levelling may still keep copies)."""
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            with open(path, "r+b") as handle:
                chunk = b"\0" * min(size, 1 << 20)
                left = size
                while left > 0:
                    handle.write(chunk[:left])
                    left -= len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        path.unlink()


def is_temp_file(path: Path) -> bool:
    return bool(_TEMP_NAME.match(path.name)) or path.name in _LEGACY_TEMP_NAMES


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Remove temporary files killed writers left in the study (private ones overwritten first).

    Only called with the study lock held: then no other writer is working and
    every temporary file is stale.
    """
    root = Path(root)
    private = root / "data" / "private"
    removed: list[Path] = []
    for folder in (private, root / "data" / "coded", root / "reports", root):
        if not folder.is_dir():
            continue
        candidates = folder.glob(".*.tmp") if folder == root else folder.rglob(".*.tmp")
        for path in sorted(candidates):
            if not is_temp_file(path) or path.is_symlink() or not path.is_file():
                continue
            if path.is_relative_to(private):
                secure_unlink(path)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def recover_study_files(root: Path) -> None:
    """What a killed writer left: finish its journalled set, remove its temporary files."""
    roll_forward(root)
    remove_stale_temp_files(root)


# --------------------------------------------------------------------------- study lock

LOCK_NAME = ".lock"
LOCK_WAIT_ENV = "QUALPIPE_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 600.0


class _HeldLock:
    def __init__(self) -> None:
        self.mutex = threading.RLock()  # one thread of this process at a time
        self.depth = 0
        self.fd: int | None = None


_locks: dict[str, _HeldLock] = {}
_locks_mutex = threading.Lock()


def lock_path(root: Path) -> Path:
    return Path(root) / "data" / "private" / LOCK_NAME


def lock_holder(root: Path) -> str:
    """Who holds the study lock, as the holder wrote it ('' when nobody wrote anything)."""
    try:
        info = json.loads(lock_path(root).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return ""
    if not isinstance(info, dict) or "pid" not in info:
        return ""
    return f"pid {info.get('pid')}, qualpipe {info.get('command', '?')}, since {info.get('since', '?')}"


def _lock_wait() -> float:
    value = os.environ.get(LOCK_WAIT_ENV, "")
    try:
        return max(0.0, float(value)) if value else DEFAULT_LOCK_WAIT
    except ValueError:
        return DEFAULT_LOCK_WAIT


def _acquire(root: Path, command: str, wait: float, notify: Callable[[str], None] | None) -> int:
    import fcntl

    # The lock is on the study folder itself, so taking it writes nothing (a command refused
    # for bad input leaves the study as it was); who holds it is noted in data/private/.lock.
    fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = lock_holder(root) or "another process"
            if time.monotonic() >= deadline:
                os.close(fd)
                raise QualpipeError(
                    f"another qualpipe command is writing this study ({holder}); try again when it has "
                    f"finished (waited {wait:g} s; {LOCK_WAIT_ENV} sets how long)", root) from None
            if not told and notify is not None:
                notify(f"Venter på en annen qualpipe-kommando som skriver i studien ({holder}) ...")
                told = True
            time.sleep(0.05)
    _note_holder(root, {"pid": os.getpid(), "command": command, "since": utc_now()})
    return fd


def _note_holder(root: Path, info: dict | None) -> None:
    path = lock_path(root)
    if not path.parent.is_dir():
        return
    with contextlib.suppress(OSError):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE), "w") as handle:
            handle.write(json.dumps(info) if info else "")


def _release(root: Path, fd: int) -> None:
    import fcntl

    _note_holder(root, None)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextlib.contextmanager
def study_lock(root: Path, command: str = "", wait: float | None = None,
               notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """One writer per study: an exclusive ``flock`` on the study folder.

    A second writer waits (telling ``notify`` once who holds the lock) up to
    ``wait`` seconds (default ``$QUALPIPE_LOCK_WAIT`` or 600), then fails with one
    line naming the holder. Re-entrant within a thread, so a command and the
    functions it calls may all take it. Readers (``status``) need no lock:
    SQLite WAL and atomic file swaps give them a consistent view. Taking the
    lock first completes or removes what a killed writer left behind.
    """
    root = Path(root).resolve()
    with _locks_mutex:
        held = _locks.setdefault(str(root), _HeldLock())
    with held.mutex:
        if held.depth == 0:
            held.fd = _acquire(root, command, _lock_wait() if wait is None else wait, notify)
            try:
                recover_study_files(root)
            except BaseException:
                _release(root, held.fd)
                held.fd = None
                raise
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0 and held.fd is not None:
                _release(root, held.fd)
                held.fd = None


def rows_to_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV text with a header, ``\\n`` line ends, ``None`` as empty; text cells that a
    spreadsheet would run as a formula are escaped (:func:`pipeline.safeio.escape_cell`)."""
    lines: list[str] = []
    # The csv module writes each row as one line: each is appended to ``lines``.
    writer = csv.writer(_Lines(lines), lineterminator="\n")
    # csv quotes a field with "\n" but not one with a bare "\r" (not in the line terminator),
    # which readers then split: rows holding one are written fully quoted.
    quoted = csv.writer(_Lines(lines), lineterminator="\n", quoting=csv.QUOTE_ALL)
    plain = MAY_NEED_ESCAPE
    for row in itertools.chain([header], rows):
        # escape_cell of each cell, called only where it may change one: a text cell that is empty or
        # starts with none of its triggers (nor an apostrophe) is unchanged, as are ints.
        cells = ["" if value is None else value if type(value) is int or (
                 type(value) is str and (not value or value[0] not in plain)) else escape_cell(value)
                 for value in row]
        writer.writerow(cells)
        # A bare "\r" in the written line can only come from a cell: only then are the cells read.
        if "\r" in lines[-1] and any(isinstance(c, str) and "\r" in c for c in cells):
            lines.pop()
            quoted.writerow(cells)
    return "".join(lines)


class _Lines:
    """A file for ``csv.writer`` that keeps each line it is given."""

    __slots__ = ("write",)

    def __init__(self, lines: list[str]):
        self.write = lines.append


@dataclass(frozen=True)
class Shareable:
    """A shareable file's content and the texts the guard reads in it.

    Text content is checked as it is. Binary content (a PNG, a DOCX, a ZIP) must say
    what text it shows (``shown``: the figure's labels, the document's text, each member
    of an archive), each a text or a (text, where it came from) pair; ``source`` names
    where the content came from, for a refusal (e.g. ``study.yaml (report.title)``).
    """

    content: str | bytes
    shown: tuple[str | tuple[str, str], ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class Table:
    """A CSV table (:func:`rows_to_csv`) whose free-text columns the guard reads cell by cell.

    :func:`write_shareable` writes ``rows_to_csv(header, rows)`` and checks, instead of that one long
    text, (a) the table's frame: the same CSV with the cells of ``text_columns`` empty, so every other
    cell stands in its row and place and an identifier across them is found as in the whole file;
    (b) each distinct cell of ``text_columns`` as written (escaped as :func:`rows_to_csv` escapes
    it), each a string of its own. A cell that is exactly a text the same guard passed before (an
    anonymised turn that is one segment, an answer repeated) is then not read again: the guard's
    memo of clean texts (``Guard.check``) holds it. Both the file and what is checked are made
    from these rows here, so what the guard reads is by construction what is written.

    What the whole-file check also found and this does not: a match made of the first or last
    words of a transcript text and the neighbouring machine-made cell (an offset, a hashed id) —
    no cell holds an identifier there (docs/scale.md, fourteenth session).
    """

    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    text_columns: tuple[str, ...]

    def content(self) -> str:
        return rows_to_csv(list(self.header), self.rows)

    def checked_texts(self) -> list[tuple[str, str]]:
        """(text, where it came from) of every string the guard reads for this table."""
        columns = [self.header.index(c) for c in self.text_columns]  # a column not in the header: ValueError
        blank = set(columns)
        frame = rows_to_csv(list(self.header), ([None if i in blank else v for i, v in enumerate(row)]
                                                for row in self.rows))
        texts = [(frame, "the table without its text columns")]
        seen: set[str] = set()
        for k, row in enumerate(self.rows, start=1):
            for i in columns:
                value = row[i]
                cell = "" if value is None else str(escape_cell(value))
                if cell and cell not in seen:
                    seen.add(cell)
                    texts.append((cell, f"the '{self.header[i]}' column (row {k})"))
        return texts


def write_shareable(root: Path, files: Mapping[Path, str | Shareable | Table], guard: "Guard",
                    mode: int | None = None) -> list[Path]:
    """The one writer of shareable files (data/coded/, reports/, exports).

    ``guard`` must be the study's :class:`~pipeline.anonymise.guard.Guard`
    (``require_guard(study)``): anything else, None included, is refused. The
    guard reads every text of every file first; only when all pass are the
    files written, as one set (:func:`atomic_write_set`; ``root`` is the study
    folder, whose data/private/ holds the journal). A refusal writes nothing.
    """
    from .anonymise.guard import Guard

    if not isinstance(guard, Guard):
        raise TypeError("write_shareable needs the study's Guard (pipeline.anonymise.guard.require_guard)")
    contents: dict[Path, str | bytes] = {}
    for path, item in files.items():
        if isinstance(item, Table):
            for text, source in item.checked_texts():
                guard.check(text, Path(path), source)
            contents[Path(path)] = item.content()
            continue
        item = item if isinstance(item, Shareable) else Shareable(item)
        if isinstance(item.content, str):
            texts = (item.content, *item.shown)
        elif item.shown:
            texts = item.shown
        else:
            raise TypeError(f"binary shareable content needs the text it shows (Shareable(shown=...)): {path}")
        for text in texts:
            text, source = text if isinstance(text, tuple) else (text, item.source)
            guard.check(text, Path(path), source)
        contents[Path(path)] = item.content
    return atomic_write_set(root, contents, mode=mode)


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
    """Rows of a CSV the tool wrote (or a person edited), with formula escaping undone."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [{unescape_cell(k) if isinstance(k, str) else k: _unescape_value(v) for k, v in row.items()}
                for row in csv.DictReader(handle)]


def _unescape_value(value):
    if isinstance(value, str):
        return unescape_cell(value)
    if isinstance(value, list):  # DictReader puts surplus cells in a list under the key None
        return [unescape_cell(v) for v in value]
    return value


# ------------------------------------------------------------------------ database


class _Database:
    """SQLite with WAL, foreign keys, and numbered migrations.

    ``MIGRATIONS[i]`` brings the schema from version ``i`` to ``i + 1``. Add new
    migrations at the end; never edit one that has shipped.
    """

    MIGRATIONS: list[str] = []

    PRIVATE = False  # private databases (and their -wal/-shm files) are created 0600

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.PRIVATE:
            with contextlib.suppress(OSError):
                os.chmod(self.path.parent, 0o700)
            # Created 0600 before SQLite opens it: SQLite gives -wal and -shm the same mode.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE))
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.chmod(f"{self.path}{suffix}", PRIVATE_MODE)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        # Every segment, as the last read of all of them gave them (``_all_segments``), and when: a
        # stage asks for them several times (the coding stage: its units, the export, the held-out
        # folds) and gets one read.
        self._segments_read: tuple[tuple[int, int], tuple[Segment, ...]] | None = None
        self._segment_writes = 0  # this connection's writes to the segments table (``_segments_changed``)
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
            fault_point("db-commit")
            self.conn.execute("COMMIT")

    def remove_transcripts(self, files: Iterable[str]) -> None:
        """Forget transcripts (their segments go with them: ON DELETE CASCADE)."""
        self._segments_changed()
        with self.transaction() as db:
            db.executemany("DELETE FROM transcripts WHERE file = ?", [(f,) for f in files])

    def _segments_changed(self) -> None:
        """Called by every method of this connection that writes the segments table, before it does:
        the segments read before are read again."""
        self._segment_writes += 1
        self._segments_read = None

    def _all_segments(self) -> tuple[Segment, ...]:
        """Every segment in (file, seq) order, read once while the table stays as it was.

        Valid while this connection wrote no segment (``_segments_changed``) and no other connection
        committed a change to the database (SQLite's ``PRAGMA data_version`` moves then), so a
        repeated read returns what the query would."""
        version = (int(self.conn.execute("PRAGMA data_version").fetchone()[0]), self._segment_writes)
        if self._segments_read is None or self._segments_read[0] != version:
            rows = self.conn.execute(f"SELECT {_SEGMENT_COLUMNS} FROM segments ORDER BY file, seq")
            self._segments_read = (version, tuple(_segment(r) for r in rows))
        return self._segments_read[1]

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))

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
    # _SEGMENT_COLUMNS are Segment's fields in order (a test holds them so): positional, not by name
    return Segment(*row)


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
        # 1 -> 2: the one spaCy parse per transcript (pipeline/parse.py), a DocBin keyed by text and pipeline.
        """
        CREATE TABLE parses (
            file TEXT PRIMARY KEY REFERENCES transcripts(file) ON DELETE CASCADE,
            key TEXT NOT NULL, docs BLOB NOT NULL)
        """,
        # 2 -> 3: the anonymised segments' Docs derived from the parse (pipeline/segment_docs.py).
        """
        CREATE TABLE segment_docs (
            file TEXT PRIMARY KEY REFERENCES transcripts(file) ON DELETE CASCADE,
            shared TEXT NOT NULL, key TEXT NOT NULL, segment_ids TEXT NOT NULL, docs BLOB NOT NULL);
        CREATE INDEX segment_docs_by_shared ON segment_docs(shared)
        """,
    ]

    PRIVATE = True

    def fingerprints(self) -> dict[str, str]:
        """file -> fingerprint of (raw bytes, settings, model) it was segmented with."""
        return {r["file"]: r["fingerprint"] for r in self.conn.execute("SELECT file, fingerprint FROM transcripts")}

    def informant_ids(self) -> dict[str, str]:
        """file -> id of the informant whose transcript it is."""
        return {r["file"]: r["informant_id"] for r in self.conn.execute("SELECT file, informant_id FROM transcripts")}

    def raw_hashes(self) -> dict[str, str]:
        """file -> sha256 of the raw file bytes as ingested."""
        return {r["file"]: r["sha256"] for r in self.conn.execute("SELECT file, sha256 FROM transcripts")}

    def replace_transcript(self, informant_id: str, transcript: Transcript, segments: list[Segment],
                           fingerprint: str, parse: tuple[str, bytes] | None = None) -> None:
        """Store one parsed transcript and its segments, replacing any older version;
        ``parse`` = (key, DocBin bytes) of its one spaCy pass (pipeline/parse.py)."""
        self._segments_changed()
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
            if parse is not None:
                db.execute("INSERT INTO parses VALUES (?, ?, ?)", (transcript.file, parse[0], parse[1]))

    def parse(self, file: str) -> tuple[str, bytes] | None:
        """(key, DocBin bytes) of the transcript's stored parse, or None."""
        row = self.conn.execute("SELECT key, docs FROM parses WHERE file = ?", (file,)).fetchone()
        return (row["key"], bytes(row["docs"])) if row else None

    def parse_keys(self) -> dict[str, str]:
        """file -> key of its stored parse."""
        return {r["file"]: r["key"] for r in self.conn.execute("SELECT file, key FROM parses")}

    def segment_doc_keys(self) -> dict[str, str]:
        """file -> key of its stored derived segment Docs (pipeline/segment_docs.py)."""
        return {r["file"]: r["key"] for r in self.conn.execute("SELECT file, key FROM segment_docs")}

    def shared_segment_doc_keys(self) -> dict[str, str]:
        """shareable file name -> key of its stored derived segment Docs (what their readers go by)."""
        return {r["shared"]: r["key"] for r in self.conn.execute("SELECT shared, key FROM segment_docs")}

    def replace_segment_docs(self, file: str, shared: str, key: str, segment_ids: list[str], docs: bytes) -> None:
        """The anonymised segments' Docs of one transcript (a DocBin, ``segment_ids`` in its order)."""
        with self.transaction() as db:
            db.execute("DELETE FROM segment_docs WHERE file = ? OR shared = ?", (file, shared))
            db.execute("INSERT INTO segment_docs VALUES (?, ?, ?, ?, ?)",
                       (file, shared, key, json.dumps(segment_ids), docs))

    def segment_docs(self, shared: str) -> tuple[list[str], bytes] | None:
        """(segment ids, DocBin bytes) of the transcript with this shareable name, or None."""
        row = self.conn.execute("SELECT segment_ids, docs FROM segment_docs WHERE shared = ?", (shared,)).fetchone()
        return (json.loads(row["segment_ids"]), bytes(row["docs"])) if row else None

    def files(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT file FROM transcripts ORDER BY file")]

    def segment_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0])

    def turns(self, file: str) -> list[Turn]:
        rows = self.conn.execute("SELECT * FROM turns WHERE file = ? ORDER BY turn_index", (file,))
        return [Turn(file=r["file"], turn_index=r["turn_index"], speaker=r["speaker"], label=r["label"],
                     text=r["text"], timestamps=tuple(json.loads(r["timestamps"]))) for r in rows]

    def segments(self, file: str | None = None) -> list[Segment]:
        if file is None:
            return list(self._all_segments())
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
        self._segments_changed()
        with self.transaction() as db:
            db.execute("DELETE FROM transcripts WHERE file = ?", (file,))
            db.execute("INSERT INTO transcripts VALUES (?, ?, ?, ?, ?)", (file, informant_id, sha256, n_turns, utc_now()))
            _insert_segments(db, segments)

    def segments(self, speaker: str | None = None, file: str | None = None) -> list[Segment]:
        """The segments (of one ``speaker``, of one ``file``) in (file, seq) order. Those of the whole
        study come from one read while the table is unchanged (``_all_segments``): a filter keeps
        the query's order and its test (SQLite compares text by bytes, as ``==`` here)."""
        if file:
            sql = f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE file = ?"
            args: list[str] = [file]
            if speaker:
                sql += " AND speaker = ?"
                args.append(speaker)
            return [_segment(r) for r in self.conn.execute(sql + " ORDER BY seq", args)]
        if speaker:
            return [s for s in self._all_segments() if s.speaker == speaker]
        return list(self._all_segments())

    def segment(self, segment_id: str) -> Segment | None:
        row = self.conn.execute(f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE segment_id = ?", (segment_id,)).fetchone()
        return _segment(row) if row else None

    def segment_ids(self, speaker: str | None = None) -> set[str]:
        """The ids of :meth:`segments` (of one ``speaker``), without building the segments: a run's
        coding stage asks for them once per study (``coding.human.import_human_coding``)."""
        sql, args = "SELECT segment_id FROM segments", ()
        if speaker:
            sql, args = sql + " WHERE speaker = ?", (speaker,)
        return {row[0] for row in self.conn.execute(sql, args)}

    def has_segments(self, speaker: str | None = None) -> bool:
        sql, args = "SELECT 1 FROM segments", ()
        if speaker:
            sql, args = sql + " WHERE speaker = ?", (speaker,)
        return self.conn.execute(sql + " LIMIT 1", args).fetchone() is not None

    # ---- codes and codings
    def codes(self) -> dict[str, str]:
        """Code id -> label, in codebook order (the order the coding stage stored them)."""
        return {r["id"]: r["label"] for r in self.conn.execute("SELECT id, label FROM codes ORDER BY rowid")}

    def code_rows(self) -> list[dict]:
        """The stored codes (id, label, parent, definition, colour, codebook_version), in codebook order."""
        return [dict(r) for r in self.conn.execute(
            "SELECT id, label, parent, definition, colour, codebook_version FROM codes ORDER BY rowid")]

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

    def human_decision_versions(self) -> dict[tuple[str, str], int]:
        """(coder, codebook version) -> number of segments that coder decided under that version."""
        rows = self.conn.execute("SELECT coder, codebook_version, COUNT(*) FROM human_reviews "
                                 "GROUP BY coder, codebook_version ORDER BY coder, codebook_version")
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def human_review_versions(self) -> dict[tuple[str, str], str]:
        """(segment id, coder) -> the codebook version that human decision was made under."""
        rows = self.conn.execute("SELECT segment_id, coder, codebook_version FROM human_reviews")
        return {(r["segment_id"], r["coder"]): r["codebook_version"] for r in rows}

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
    def export_csv(self, coded_dir: Path, guard: "Guard", codings: bool = True,
                   extra: Mapping[Path, str] | None = None) -> list[Path]:
        """Write segments.csv, codings.csv and informants.csv for pandas/R/Excel, as one set.

        ``codings=False`` leaves codings.csv alone: a stage that does not code (anonymise)
        must not rewrite the coding stage's output, least of all from a store that holds no
        codings yet. ``extra`` files (path -> text) join the set. Everything is checked by
        the guard first; then all files are swapped in together (:func:`atomic_write_set`).
        """
        segments = self.segments()
        seg_path = coded_dir / "segments.csv"
        cod_path = coded_dir / "codings.csv"
        inf_path = coded_dir / "informants.csv"
        files: dict[Path, str | Table] = {}
        # The texts, each checked on its own: most passed the guard already as anonymised turns or
        # as the same answer elsewhere (Table).
        files[seg_path] = Table(
            ("segment_id", "informant_id", "file", "turn_index", "speaker", "start", "end", "text"),
            tuple((s.segment_id, s.informant_id, s.file, s.turn_index, s.speaker, s.start, s.end, s.text)
                  for s in segments),
            text_columns=("text",),
        )
        if codings:
            order = {s.segment_id: i for i, s in enumerate(segments)}
            found = sorted(self.codings(), key=lambda c: (order.get(c.segment_id, len(order)), c.code, c.source, c.coder))
            files[cod_path] = rows_to_csv(
                ["segment_id", "code", "source", "coder", "confidence", "status"],
                [(c.segment_id, c.code, c.source, c.coder,
                  "" if c.confidence is None else f"{c.confidence:.4f}", c.status) for c in found],
            )
        informants = self.informants()
        # The transcripts' detections are known only now (ingest checked the table against the
        # lists and patterns): a refusal names the column and the informant by its place in id
        # order, never by its id (one of the texts checked), so the researcher finds the cell.
        guard.check_table_fields([(f"the informants table (column '{column}', informant {k} of {len(informants)} "
                                   "in id order)", value)
                                  for k, i in enumerate(informants, start=1)
                                  for column, value in sorted(i.attributes.items()) if value],
                                 inf_path)
        attribute_names = sorted({k for i in informants for k in i.attributes})
        files[inf_path] = rows_to_csv(
            ["id", "file", "group", *attribute_names],
            [(i.id, i.file, i.group, *(i.attributes.get(k, "") for k in attribute_names)) for i in informants],
        )
        files.update(extra or {})
        # Checked by the guard before anything is written: all or none.
        return write_shareable(Path(coded_dir).parent.parent, files, guard)


def natural_key(value: str) -> tuple:
    """Sort "2" before "10" and "S1" after all numbers."""
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", value))
