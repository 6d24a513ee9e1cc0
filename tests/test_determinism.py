"""Outputs are a function of the inputs: a study run with its transcripts added in two rounds
(and then re-run with nothing changed) writes the same files, byte for byte, as the same study
run once from scratch — pseudonym numbers, segment ids, model confidences, tables and report."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import pytest

from pipeline.settings import load_study
from pipeline.store import copy_study_inputs
from pipeline.workflow import run_all

from conftest import DEMO_EPOCH

REPO = Path(__file__).resolve().parents[1]
# The second round: two buyers of different groups, one .vtt, one staff member.
LATER = ["ansatt4.txt", "kjoper08.txt", "kjoper12.vtt", "kjoper13.txt"]


def _informant_rows() -> tuple[list[str], list[dict]]:
    with open(REPO / "data" / "raw" / "informants.csv", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _keep_only(root: Path, files: set[str]) -> None:
    """The study's inputs restricted to ``files`` (human coding files stay whole)."""
    fields, rows = _informant_rows()
    with open(root / "data" / "raw" / "informants.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if r["file"] in files)
    for path in (root / "data" / "raw" / "transcripts").iterdir():
        if path.name not in files:
            path.unlink()


def _outputs(root: Path) -> dict[str, bytes]:
    """Every file under data/coded/ and reports/ (the SQLite store by its content, without times)."""
    found = {}
    for folder in ("data/coded", "reports"):
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file() or ".sqlite" in path.name:
                continue
            found[str(path.relative_to(root))] = path.read_bytes()
    db = sqlite3.connect(root / "data" / "coded" / "study.sqlite")
    try:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' "
                                   "ORDER BY name"):
            columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})") if not c[1].endswith("_at")]
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}").fetchall()
            found[f"study.sqlite:{table}"] = repr(rows).encode("utf-8")
    finally:
        db.close()
    return found


@pytest.mark.slow
def test_incremental_runs_equal_a_fresh_run_byte_for_byte(demo_run, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DEMO_EPOCH)  # the report's one generated-at line
    everything = {p.name for p in (REPO / "data" / "raw" / "transcripts").iterdir()}
    assert set(LATER) < everything

    fresh = demo_run[0]  # the session's one fresh run of the whole demo (conftest.demo_run), read only

    rounds = copy_study_inputs(REPO, tmp_path / "rounds")
    _keep_only(rounds, everything - set(LATER))
    run_all(load_study(rounds), echo=lambda line: None)
    first_round = _outputs(rounds)
    fields, rows = _informant_rows()
    shutil.copy(REPO / "data" / "raw" / "informants.csv", rounds / "data" / "raw" / "informants.csv")
    for name in LATER:
        shutil.copy(REPO / "data" / "raw" / "transcripts" / name, rounds / "data" / "raw" / "transcripts" / name)
    run_all(load_study(rounds), echo=lambda line: None)
    after_second = _outputs(rounds)
    run_all(load_study(rounds), echo=lambda line: None)  # nothing changed
    after_noop = _outputs(rounds)

    expected = _outputs(fresh)
    assert first_round != expected  # the first round really was a different study
    assert sorted(after_second) == sorted(expected)
    assert [name for name in expected if after_second[name] != expected[name]] == []
    assert [name for name in expected if after_noop[name] != expected[name]] == []


def _without_coding_of(root: Path, shared_name: str) -> None:
    """The human coding files without their rows on one transcript (by its shareable name)."""
    for path in sorted((root / "data" / "coded" / "human").glob("*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        column = lines[0].rstrip("\n").split(",").index("file")
        path.write_text("".join(lines[:1] + [l for l in lines[1:] if l.split(",")[column] != shared_name]),
                        encoding="utf-8")


def _segments_naming(root: Path, label: str) -> set[str]:
    """The transcripts whose stored segments hold ``label``."""
    db = sqlite3.connect(root / "data" / "coded" / "study.sqlite")
    try:
        return {file for file, text in db.execute("SELECT file, text FROM segments") if label in text}
    finally:
        db.close()


@pytest.mark.slow
def test_a_new_transcript_other_interviews_name_reuses_the_model_and_equals_a_fresh_run(tmp_path, monkeypatch):
    """ansatt5's informant is named in other interviews: when the transcript joins, those names become its
    label ("ansatt S5") where they were "[PERSON_n]". The features read both as [PERSON_X], so the model and
    the held-out figure are reused (the transcript is not coded yet), and the outputs are a fresh run's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DEMO_EPOCH)
    named, shared, label = "ansatt5.txt", "S5.txt", "ansatt S5"
    everything = {p.name for p in (REPO / "data" / "raw" / "transcripts").iterdir()}

    fresh = copy_study_inputs(REPO, tmp_path / "fresh")
    _without_coding_of(fresh, shared)
    run_all(load_study(fresh), echo=lambda line: None)

    rounds = copy_study_inputs(REPO, tmp_path / "rounds")
    _without_coding_of(rounds, shared)
    _keep_only(rounds, everything - {named})
    run_all(load_study(rounds), echo=lambda line: None)
    assert _segments_naming(rounds, label) == set()
    shutil.copy(REPO / "data" / "raw" / "informants.csv", rounds / "data" / "raw" / "informants.csv")
    shutil.copy(REPO / "data" / "raw" / "transcripts" / named, rounds / "data" / "raw" / "transcripts" / named)
    lines: list[str] = []
    run_all(load_study(rounds), echo=lines.append)

    assert _segments_naming(rounds, label) - {shared}  # other transcripts name the informant now
    summary = "\n".join(lines)
    assert "modell (uendret, gjenbrukt)" in summary
    assert "samsvar på holdt-ut informanter: uendret, gjenbrukt" in summary
    expected, found = _outputs(fresh), _outputs(rounds)
    assert sorted(found) == sorted(expected)
    assert [name for name in expected if found[name] != expected[name]] == []
