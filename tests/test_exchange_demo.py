"""REFI-QDA exchange on the demo study, end to end: the stages up to coding run on a
copy of the demo, then the export must validate against both schemas, the round trip
must be lossless, and agreement between the imported coder and forsker1 must run."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pipeline.coding.human import coder_decisions
from pipeline.exchange import export_qdc, export_qdpx, import_qdpx
from pipeline.exchange.schema import load_schemas, validation_errors
from pipeline.settings import load_study
from pipeline.store import StudyStore

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO.parent / "shared" / "data" / "refi-qda"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def coded_demo(tmp_path_factory):
    """A copy of the demo study, run through every stage up to and including coding."""
    from pipeline.workflow import stages

    from pipeline.store import copy_study_inputs

    root = copy_study_inputs(REPO, tmp_path_factory.mktemp("demo"))
    study = load_study(root)
    names = [name for name, _ in stages()]
    assert "code" in names, names
    for name, stage in stages()[: names.index("code") + 1]:
        stage(study)
    return study


@pytest.mark.skipif(not SCHEMAS.is_dir(), reason=f"REFI-QDA schemas not found in {SCHEMAS} (see SOURCE.md there)")
def test_demo_export_validates(coded_demo, tmp_path):
    project_schema, codebook_schema = load_schemas(SCHEMAS)
    for include in (False, True):
        path = export_qdpx(coded_demo, tmp_path / f"demo{include}.qdpx", include_suggestions=include).path
        with zipfile.ZipFile(path) as archive:
            assert validation_errors(project_schema, archive.read("project.qde")) == []
            assert len([n for n in archive.namelist() if n.startswith("Sources/")]) == len(
                list((REPO / "data" / "raw" / "transcripts").iterdir()))
    assert validation_errors(codebook_schema, export_qdc(coded_demo, tmp_path / "demo.qdc").read_bytes()) == []


def test_demo_round_trip_and_agreement(coded_demo, tmp_path):
    from pipeline.coding.agreement import coder_agreement

    with StudyStore(coded_demo.store_path) as store:
        assert "forsker1" in store.human_coders(), "the demo study ships forsker1's codings"
        forsker1 = coder_decisions(store, "forsker1")
    path = export_qdpx(coded_demo, tmp_path / "demo.qdpx").path
    import_qdpx(coded_demo, path, "roundtrip", from_user="forsker1")
    with StudyStore(coded_demo.store_path) as store:
        roundtrip = coder_decisions(store, "roundtrip")
        pairs = {coder: {(c.segment_id, c.code) for c in store.codings(source="human", coder=coder)}
                 for coder in ("roundtrip", "forsker1")}
    assert pairs["roundtrip"] == pairs["forsker1"]
    assert {k: v for k, v in roundtrip.items() if v} == {k: v for k, v in forsker1.items() if v}
    rows = [r for r in coder_agreement(coded_demo, "roundtrip", "forsker1") if r.level == "segment"]
    both = len(set(forsker1) & set(roundtrip))
    assert both > 0 and rows and all(r.n == both and r.percent == 100.0 for r in rows)
