"""benchmarks/anonymise.py's demo copies with the demo's human coding: every copy coded, on its own segments."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import anonymise  # noqa: E402

from pipeline.codebook import load_codebook  # noqa: E402
from pipeline.coding.human import SegmentAnchors, read_human_rows  # noqa: E402
from pipeline.ingest import ingest_study  # noqa: E402
from pipeline.settings import load_study  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::UserWarning")]


def test_two_copies_carry_the_demo_coding_on_their_own_segments(tmp_path):
    root = anonymise.demo_copy(tmp_path / "study", 2, with_coding=True)
    assert not (root / "data" / "private").exists()  # the timed run still starts from an empty store
    study = load_study(root)
    ingest_study(study)
    anchors = SegmentAnchors.load(study)
    segment_ids = {s.segment_id for s in anchors_segments(study)}
    code_ids = set(load_codebook(root / "codebook.yaml").ids)
    for demo in sorted((REPO / "data" / "coded" / "human").glob("*.csv")):
        copied = root / "data" / "coded" / "human" / demo.name
        demo_rows = len(demo.read_text(encoding="utf-8").splitlines()) - 1
        read = read_human_rows(copied, segment_ids, code_ids, anchors)
        assert not read.unplaced and not read.relocated  # every row on its own id, its anchor fitting
        # both copies coded; only turns a varied copy splits otherwise may stay uncoded
        assert 2 * demo_rows * 0.98 <= len(read.decisions) <= 2 * demo_rows
        files = {row["file"] for row in csv.DictReader(copied.open(encoding="utf-8"))}
        assert any(f.split(".")[0].endswith("_0") for f in files)
        assert any(f.split(".")[0].endswith("_1") for f in files)


def anchors_segments(study):
    from pipeline.store import PrivateStore

    with PrivateStore(study.private_store_path) as private:
        return private.segments()
