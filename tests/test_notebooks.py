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

from pipeline.settings import load_study

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory):
    """A demo copy run through the pipeline without its last buyer; returns (root, held-back row)."""
    from pipeline.workflow import stages

    root = tmp_path_factory.mktemp("notebooks") / "demo"
    root.mkdir()
    for name in ("study.yaml", "codebook.yaml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    table = root / "data" / "raw" / "informants.csv"
    with open(table, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    held = [r for r in rows if r["group"] != "staff"][-1]
    _write_rows(table, [r for r in rows if r is not held])
    hidden = root / "held_back"
    hidden.mkdir()
    shutil.move(root / "data" / "raw" / "transcripts" / held["file"], hidden / held["file"])
    study = load_study(root)
    for name, stage in stages():
        if name != "report":
            stage(study)
    return root, held


def _write_rows(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
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
    notebook = execute("02_ny_intervjurunde.ipynb", root, monkeypatch)
    text = _text(notebook)
    assert f"Nye informanter: {held['id']}" in text
    coder = load_study(root).settings.coding.primary_coder or "forsker1"
    decisions = root / "data" / "coded" / "human" / f"{coder}.csv"
    assert decisions.exists()
    markdown = (root / "reports" / "rapport.md").read_text(encoding="utf-8")
    assert f"| {held['id']} |" in markdown
