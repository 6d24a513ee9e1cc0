"""Codebooks from and for other tools: `import qdc|codebook`, `export codebook --format csv`,
tried on the files Taguette 1.5.2 itself wrote (../shared/data/refi-qda/peers/, see its README)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.codebook import load_codebook
from pipeline.errors import QualpipeError
from pipeline.exchange import import_codebook
from pipeline.exchange.codebook_io import PLACEHOLDER, codebook_csv, next_version, read_qdc, read_taguette_csv
from pipeline.settings import load_study

REPO = Path(__file__).resolve().parents[1]
PEERS = REPO.parent / "shared" / "data" / "refi-qda" / "peers"

CODEBOOK = """\
# Kodebok for en test. Denne kommentaren skal overleve importen.
version: "1.0"
name: Testkodebok
codes:
  - id: stability
    label: Stabilitet og trygghet
    colour: "#1b9e77"
    # kommentar inne i en kode
    definition: >-
      Trygghet i bosituasjonen,
      over to linjer.
    patterns: [trygg]
  - id: discount
    label: Pris og rabatt
    colour: "#d95f02"
    definition: Rabatten og prisen.
"""


def peer(name: str) -> Path:
    path = PEERS / name
    if not path.is_file():
        pytest.fail(f"{path} not found: clone next to ../shared (see its README)")
    return path


@pytest.fixture
def study(make_study):
    return load_study(make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, codebook=CODEBOOK))


def test_taguette_qdc_adds_codes_and_hierarchy_and_keeps_the_file(study):
    codes = read_qdc(peer("taguette_codebook.qdc"))  # an empty <Sets/>, dotted names, upper-case GUIDs
    assert [c.path for c in codes] == [("interesting",), ("Stabilitet og trygghet",), ("Pris og rabatt",),
                                       ("Overordnet", "Underkode")]
    result = import_codebook(study, peer("taguette_codebook.qdc"))
    assert result.added == ["interesting", "overordnet", "underkode"] and result.version == ("1.0", "1.1")
    assert sorted(result.placeholders) == ["interesting", "overordnet", "underkode"]  # names only in a .qdc
    text = study.codebook_path.read_text(encoding="utf-8")
    assert "Denne kommentaren skal overleve importen." in text and "# kommentar inne i en kode" in text
    book = load_codebook(study.codebook_path)
    by_id = {c.id: c for c in book.codes}
    assert by_id["underkode"].parent == "overordnet" and by_id["underkode"].label == "Underkode"
    assert by_id["stability"].definition == "Trygghet i bosituasjonen, over to linjer."
    assert by_id["interesting"].definition == PLACEHOLDER
    assert len({c.colour for c in book.codes}) == len(book.codes)
    again = import_codebook(load_study(study.root), peer("taguette_codebook.qdc"))
    assert not again.written and not again.added  # idempotent


def test_taguette_csv_conflict_changes_nothing_without_replace(study):
    before = study.codebook_path.read_bytes()
    with pytest.raises(QualpipeError, match="defines stability differently"):
        import_codebook(study, peer("taguette_codebook.csv"))  # "Stabilitet og trygghet,fra Taguette"
    assert study.codebook_path.read_bytes() == before
    result = import_codebook(study, peer("taguette_codebook.csv"), replace=True)
    assert result.replaced == ["stability"] and "interesting" in result.added
    by_id = {c.id: c for c in load_codebook(study.codebook_path).codes}
    assert by_id["stability"].definition == "fra Taguette"
    assert by_id["stability"].patterns[0].pattern == "trygg"  # the rest of the code is untouched
    assert by_id["interesting"].definition == "Further review required"
    assert by_id["underkode"].definition == "barn av Overordnet" and by_id["underkode"].parent == "overordnet"
    assert by_id["discount"].definition == "Rabatten og prisen."  # empty description: no claim, no change


def test_csv_export_in_taguettes_layout_round_trips(study, tmp_path):
    import_codebook(study, peer("taguette_codebook.qdc"))
    study = load_study(study.root)
    text = codebook_csv(study)
    header = peer("taguette_codebook.csv").read_text(encoding="utf-8").splitlines()[0]
    assert text.splitlines()[0] == header
    assert "Overordnet.Underkode," in text
    (tmp_path / "ours.csv").write_text(text, encoding="utf-8")
    assert [c.path for c in read_taguette_csv(tmp_path / "ours.csv")][-1] == ("Overordnet", "Underkode")
    result = import_codebook(study, tmp_path / "ours.csv")
    assert not result.written and not result.conflicts


def test_cli_import_and_export_codebook(study, tmp_path):
    runner = CliRunner()
    shutil.copy(peer("taguette_codebook.qdc"), tmp_path / "t.qdc")
    result = runner.invoke(app, ["--study", str(study.root), "import", "qdc", str(tmp_path / "t.qdc")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--study", str(study.root), "import", "codebook", str(peer("taguette_codebook.csv"))])
    assert result.exit_code == 1 and "--replace" in result.output
    out = tmp_path / "cb.csv"
    result = runner.invoke(app, ["--study", str(study.root), "export", "codebook", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("tag,description,number of highlights,number of documents\n")


@pytest.mark.parametrize("content, message", [
    ("not,a,codebook\n1,2,3\n", "expected a 'tag' column"),
    ("tag,description\n,empty\n", "line 2: empty tag"),
])
def test_bad_csv_is_one_line(study, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QualpipeError, match=message):
        import_codebook(study, path)


def test_bad_qdc_is_one_line(study, tmp_path):
    path = tmp_path / "bad.qdc"
    path.write_text("<CodeBook><Codes><Code name='x'", encoding="utf-8")
    with pytest.raises(QualpipeError, match="not well-formed XML"):
        import_codebook(study, path)


@pytest.mark.parametrize("old, new", [("1.0", "1.1"), ("2", "3"), ("v1.9", "v1.10"), ("utkast", "utkast.1")])
def test_next_version(old, new):
    assert next_version(old) == new
