"""The study lock, temporary files, file sets written together, private file modes (pipeline.store)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import QualpipeError
from pipeline.store import (PENDING_NAME, PrivateStore, atomic_write_set, lock_holder, remove_stale_temp_files,
                            secure_unlink, study_lock)

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def hold_lock(root: Path, seconds: float, command: str = "run") -> subprocess.Popen:
    """Another process holding the study lock for ``seconds``; returns once it holds it."""
    ready = root / "holder-ready"
    code = ("import sys, time, pathlib; from pipeline.store import study_lock\n"
            f"with study_lock(pathlib.Path({str(root)!r}), command={command!r}):\n"
            f"    pathlib.Path({str(ready)!r}).write_text('x'); time.sleep({seconds})\n")
    process = subprocess.Popen([sys.executable, "-c", code], env=ENV)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert process.poll() is None and time.monotonic() < deadline, "lock holder did not start"
        time.sleep(0.02)
    ready.unlink()
    return process


@pytest.fixture
def study_root(make_study):
    root = make_study({"a.txt": "I: Hei?\nIP: Hei.\n"})
    (root / "data" / "private").mkdir(parents=True)
    return root


def test_second_writer_fails_after_waiting_with_one_line_naming_the_holder(study_root):
    holder = hold_lock(study_root, 30, command="review import")
    try:
        assert f"pid {holder.pid}" in lock_holder(study_root)
        started = time.monotonic()
        with pytest.raises(QualpipeError) as error:
            with study_lock(study_root, command="run", wait=0.3):
                pass
        assert 0.25 < time.monotonic() - started < 5
        message = str(error.value)
        assert "\n" not in message and f"pid {holder.pid}" in message and "qualpipe review import" in message
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_waits_with_a_message_then_runs(study_root):
    holder = hold_lock(study_root, 0.8)
    told: list[str] = []
    started = time.monotonic()
    try:
        with study_lock(study_root, command="code", wait=30, notify=told.append):
            assert time.monotonic() - started > 0.5  # it ran only after the holder had finished
            assert "qualpipe code" in lock_holder(study_root)
    finally:
        holder.wait()
    assert len(told) == 1 and "Venter" in told[0] and f"pid {holder.pid}" in told[0]


def test_cli_writer_fails_fast_and_readers_work_during_a_run(study_root):
    holder = hold_lock(study_root, 30)
    try:
        env = {**ENV, "QUALPIPE_LOCK_WAIT": "0"}
        result = subprocess.run([sys.executable, "-m", "pipeline.cli", "--study", str(study_root), "ingest"],
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Feil:") and f"pid {holder.pid}" in lines[0]
        assert "Traceback" not in result.stderr + result.stdout
        status = CliRunner().invoke(app, ["--study", str(study_root), "status"])
        assert status.exit_code == 0, status.output  # read-only: no lock needed
    finally:
        holder.kill()
        holder.wait()


def test_lock_is_reentrant_in_one_thread(study_root):
    with study_lock(study_root, command="run"):
        with study_lock(study_root, command="review import"):
            pass
        assert "qualpipe run" in lock_holder(study_root)
    assert lock_holder(study_root) == ""


def test_taking_the_lock_writes_nothing_in_a_fresh_study(make_study):
    root = make_study({"a.txt": "I: Hei?\nIP: Hei.\n"})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    with study_lock(root, command="run"):
        pass
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_stale_temp_files_are_removed_at_start_private_ones_overwritten(study_root):
    private = study_root / "data" / "private"
    key_temp = private / ".anonymisation_key.json.k3y_tmp1.tmp"
    key_temp.write_text('{"entities": ["Kari Nordmann"]}')
    # A second name for the same bytes shows whether they were overwritten before the unlink.
    witness = private / "witness"
    os.link(key_temp, witness)
    legacy = private / ".coding_model.joblib.tmp"
    legacy.write_bytes(b"model")
    shared = study_root / "data" / "coded" / ".segments.csv.abcd1234.tmp"
    shared.parent.mkdir(parents=True, exist_ok=True)
    shared.write_text("segment_id\n")
    keep = [study_root / "data" / "coded" / "segments.csv", private / ".lock.tmpnot"]
    for path in keep:
        path.write_text("keep")
    with study_lock(study_root, command="run"):
        pass
    assert not key_temp.exists() and not legacy.exists() and not shared.exists()
    assert set(witness.read_bytes()) == {0}  # the plaintext is gone from the file's blocks
    assert all(path.read_text() == "keep" for path in keep)


def test_secure_unlink_overwrites_large_files(tmp_path):
    path = tmp_path / "secret"
    path.write_bytes(b"x" * (3 << 20) + b"tail")
    os.link(path, tmp_path / "witness")
    secure_unlink(path)
    assert not path.exists() and set((tmp_path / "witness").read_bytes()) == {0}


def _write_set_in_subprocess(root: Path, point: str) -> int:
    code = ("import pathlib; from pipeline.store import atomic_write_set\n"
            f"root = pathlib.Path({str(root)!r})\n"
            "atomic_write_set(root, {root / 'reports' / f'{n}.csv': f'new {n}\\n' for n in 'abc'})\n")
    env = {**ENV, "QUALPIPE_FAULT_POINT": point}
    return subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode


@pytest.mark.parametrize("point, expected", [
    ("set-temps-written", "old"),  # killed before the journal: the old set stays
    ("set-journal-written", "new"),  # killed after it: the next writer completes the new set
    ("set-swap:1", "new"),  # killed after the first of three renames
    ("set-swap:2", "new"),
])
def test_a_set_killed_anywhere_is_whole_after_the_next_start(study_root, point, expected):
    reports = study_root / "reports"
    reports.mkdir()
    for n in "abc":
        (reports / f"{n}.csv").write_text(f"old {n}\n")
    assert _write_set_in_subprocess(study_root, point) == -9
    with study_lock(study_root, command="run"):
        pass
    assert [(reports / f"{n}.csv").read_text() for n in "abc"] == [f"{expected} {n}\n" for n in "abc"]
    assert sorted(p.name for p in reports.iterdir()) == ["a.csv", "b.csv", "c.csv"]
    assert not (study_root / "data" / "private" / PENDING_NAME).exists()


def test_atomic_write_set_writes_all_files(study_root):
    paths = atomic_write_set(study_root, {study_root / "reports" / "x.txt": "x", study_root / "reports" / "y.bin": b"y"})
    assert [p.read_bytes() for p in paths] == [b"x", b"y"]
    assert remove_stale_temp_files(study_root) == []


def test_private_database_and_its_wal_are_0600(tmp_path):
    path = tmp_path / "private" / "ingested.sqlite"
    with PrivateStore(path) as store:
        store.set_meta("x", "y")
        modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    assert modes and all(mode == 0o600 for mode in modes.values()), modes


def test_saved_coding_model_is_private(tmp_path):
    from pipeline.coding.stage import _save, model_path
    from pipeline.settings import load_study

    root = tmp_path / "s"
    root.mkdir()
    study = load_study(root)
    _save(study, "fingerprint", {"a": 1})
    assert model_path(study).stat().st_mode & 0o777 == 0o600
    assert [p.name for p in study.private_dir.iterdir()] == ["coding_model.joblib"]
