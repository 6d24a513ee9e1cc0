"""A real, small study for the workbench tests: three demo transcripts, processed once.

The demo study copied with :func:`pipeline.store.copy_study_inputs`, cut down to
three interviews (two that both demo coders coded, one staff interview) and
their rows of the human coding files, then ingested, anonymised and coded for
real. Built once per test session (about 10 s) and copied for each test module.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from pipeline.store import copy_study_inputs

REPO = Path(__file__).resolve().parents[1]
TRANSCRIPTS = ("kjoper02.txt", "kjoper13.txt", "ansatt1.txt")


def _keep_rows(path: Path, column: str, keep: set[str]) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    index = rows[0].index(column)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([rows[0], *(r for r in rows[1:] if r[index] in keep)])


def build(target: Path) -> Path:
    from pipeline.anonymise.stage import anonymise_stage
    from pipeline.coding.stage import code_stage
    from pipeline.settings import load_study
    from pipeline.workflow import ingest_stage

    root = copy_study_inputs(REPO, target)
    keep = set(TRANSCRIPTS)
    for path in (root / "data" / "raw" / "transcripts").iterdir():
        if path.name not in keep:
            path.unlink()
    _keep_rows(root / "data" / "raw" / "informants.csv", "file", keep)
    for path in (root / "data" / "coded" / "human").glob("*.csv"):
        _keep_rows(path, "file", keep)
    study = load_study(root)
    for stage in (ingest_stage, anonymise_stage, code_stage):
        stage(study)
    return root


def workbench_study(tmp_path_factory, name: str) -> Path:
    """A private copy of the processed three-interview study."""
    base = tmp_path_factory.getbasetemp() / "workbench-study"
    if not (base / "data" / "coded" / "study.sqlite").exists():
        if base.exists():
            shutil.rmtree(base)
        build(base)
    target = tmp_path_factory.mktemp(name) / "study"
    shutil.copytree(base, target)
    return target
