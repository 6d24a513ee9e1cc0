"""The notebooks in notebooks/ execute against a copy of the demo study, so they never rot.

The copy is run through the pipeline with one buyer held back; the first
notebook explores that study, the second brings the held-back interview in as
"a new interview round" (ingest, anonymise, code, review, recode, report).
The kernel is ``python3``, which jupyter_client starts with this interpreter.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from pipeline.codebook import load_codebook
from pipeline.coding.human import SegmentAnchors, read_human_rows
from pipeline.ingest.informants import shareable_file_name
from pipeline.settings import load_study
from pipeline.store import StudyStore

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # the demo study, end to end
NOTEBOOKS = REPO / "notebooks"


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory):
    """The demo study with its human coding, run through the pipeline without its last buyer.

    The held-back buyer's rows are taken out of the human coding files too, so
    the first round is coded and the "new round" is not: the situation the
    second notebook is for. Returns (root, held-back informants row).
    """
    from pipeline.workflow import stages

    from pipeline.store import copy_study_inputs

    root = copy_study_inputs(REPO, tmp_path_factory.mktemp("notebooks") / "demo", human_coding=False)
    table = root / "data" / "raw" / "informants.csv"
    with open(table, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    held = [r for r in rows if r["group"] != "staff"][-1]
    study = load_study(root)
    _copy_human_coding_without(study, _segment_ids(study, held), held["file"])
    _write_rows(table, [r for r in rows if r is not held])
    hidden = root / "held_back"
    hidden.mkdir()
    shutil.move(root / "data" / "raw" / "transcripts" / held["file"], hidden / held["file"])
    for name, stage in stages():
        if name != "report":
            stage(study)
    return root, held


def _segment_ids(study, row: dict) -> set[str]:
    """The segment ids ingest gives the held-back transcript (ids come from the raw text)."""
    from pipeline.ingest import parse_file
    from pipeline.ingest.segment import segment_turns
    from pipeline.ingest.turns import LabelMatcher
    from pipeline.nlp import load_nlp
    from pipeline.secret import study_secret

    transcript = parse_file(study.transcripts_dir / row["file"], LabelMatcher.from_settings(study.settings.speaker_labels))
    segments = segment_turns(list(transcript.turns), row["id"], load_nlp(study.settings.model),
                             study.settings.coding.unit, study_secret(study))
    return {s.segment_id for s in segments}


def _copy_human_coding_without(study, segment_ids: set[str], file: str) -> None:
    source = REPO / "data" / "coded" / "human"
    if not source.is_dir():
        return
    study.human_dir.mkdir(parents=True)
    for path in sorted(source.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        # By anchor (any pipeline) or, for rows without one, by the ids this pipeline gives.
        kept = [r for r in rows if r["segment_id"] not in segment_ids and r.get("file") != file]
        assert len(kept) < len(rows) or not rows or path.stem != "forsker1"
        _write_rows(study.human_dir / path.name, kept, fieldnames=list(rows[0]) if rows else None)


def _write_rows(path: Path, rows: list[dict], fieldnames: list[str] | None = None) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames or list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def execute(name: str, study: Path, monkeypatch) -> dict:
    """Run a notebook top to bottom; any cell error fails the test with the cell's traceback."""
    monkeypatch.setenv("QUALPIPE_STUDY", str(study))
    monkeypatch.setenv("QUALPIPE_DEMO_FILL_IN", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return notebook


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_notebooks_are_committed_without_outputs():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert len(names) >= 2
    for name in names:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), name


def test_compare_themes_notebook_runs(demo_round, monkeypatch):
    root, _held = demo_round
    notebook = execute("01_sammenlign_temaer.ipynb", root, monkeypatch)
    text = _text(notebook)
    assert "informantsegmenter" in text and "klynger" in text
    images = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # heatmap and dendrogram


def test_new_round_notebook_codes_reviews_and_reports(demo_round, monkeypatch):
    root, held = demo_round
    table = root / "data" / "raw" / "informants.csv"
    with open(table, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    _write_rows(table, [*rows, held])
    shutil.move(root / "held_back" / held["file"], root / "data" / "raw" / "transcripts" / held["file"])
    coder = load_study(root).settings.coding.primary_coder or "forsker1"
    decisions = root / "data" / "coded" / "human" / f"{coder}.csv"
    before = _rows(decisions)
    notebook = execute("02_ny_intervjurunde.ipynb", root, monkeypatch)
    text = _text(notebook)
    assert f"Nye informanter: {held['id']}" in text
    # The sheet for the new round holds only the new informant's segments; 15 were "reviewed" and imported.
    sheet = _rows(root / "reports" / "review" / "ny_runde.csv")
    assert sheet and {r["informant_id"] for r in sheet} == {held["id"]}
    # Every decision of the first round stays as the coder made it, whatever this pipeline's segments
    # (the demo's coding was made under nb_norne_sm 1.0.0; a rewrite never merges re-found rows),
    # the new round's rows are added, and every row is placed on a segment of the study now.
    after = _rows(decisions)
    as_cells = lambda rows: [tuple(row.values()) for row in rows]  # noqa: E731
    assert set(as_cells(before)) <= set(as_cells(after))
    added = [row for row in after if tuple(row.values()) not in set(as_cells(before))]
    assert len(after) == len(before) + len(added) and len(added) == min(15, len(sheet))
    assert {row["file"] for row in added} == {shareable_file_name(held["id"], held["file"])}
    study = load_study(root)
    with StudyStore(study.store_path) as store:
        ids = {s.segment_id for s in store.segments(speaker="informant")}
    placed = read_human_rows(decisions, ids, set(load_codebook(study.codebook_path).ids), SegmentAnchors.load(study))
    assert placed.unplaced == []
    assert f"{min(15, len(sheet))} av {len(sheet)} rader registrert" in text
    assert "alle koder" in text  # the agreement table (pipeline.coding.agreement.ALL_CODES)
    markdown = (root / "reports" / "rapport.md").read_text(encoding="utf-8")
    assert f"| {held['id']} |" in markdown
