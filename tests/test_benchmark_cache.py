"""The coding benchmarks' cache of analysed studies is JSON that reads back equal, and runs no code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import analysed_cache  # noqa: E402

from pipeline.codebook import load_codebook  # noqa: E402
from pipeline.coding.classifier import Example  # noqa: E402
from pipeline.coding.evaluation import Labelled  # noqa: E402
from pipeline.coding.machine import AnalysedUnits  # noqa: E402
from pipeline.coding.rules import RuleHit, RuleResult  # noqa: E402
from pipeline.coding.units import Unit  # noqa: E402
from pipeline.records import Segment  # noqa: E402


def labelled() -> Labelled:
    segment = Segment(segment_id="s1", informant_id="7", file="7.txt", turn_index=3, speaker="informant",
                      start=0, end=20, text="Vi fikk rabatt, ja.")
    unit = Unit(segment=segment, question="Hva med prisen?", question_ids=("q1", "q2"))
    rules = RuleResult(codes=frozenset({"discount"}), hits=(RuleHit("discount", "rabatt", "rabatt", False),))
    example = Example(text="vi fikk rabatt, ja.", lemmas=("få", "rabatt"), rule_codes=frozenset({"discount"}),
                      turn=("7.txt", 3), position=4, informant="7", current_round=True)
    return Labelled(name="forsker1", codebook=load_codebook(REPO / "codebook.yaml"),
                    analysed=AnalysedUnits(units=[unit], rules=[rules], examples=[example]), segments=[segment],
                    labels={"s1": frozenset({"discount", "standard"})},
                    truth_turns={("7.txt", 3): frozenset({"discount"})}, segment_level=True)


def test_round_trip_is_equal_and_keyed(tmp_path):
    demo = labelled()
    path = tmp_path / "cache.json"
    analysed_cache.write(path, ["demo", "blind"], demo, [demo])
    read_demo, read_blinds = analysed_cache.read(path, ["demo", "blind"])
    assert read_demo == demo and read_blinds == [demo]
    assert isinstance(read_demo.analysed.examples[0].lemmas, tuple)
    assert isinstance(next(iter(read_demo.truth_turns)), tuple)
    assert path.stat().st_mode & 0o777 == 0o600  # anonymised text and lemmas: private like the study's
    assert analysed_cache.read(path, ["demo", "other"]) is None  # other folders: analysed afresh
    assert path.read_bytes().startswith(b"{")  # JSON, not a pickle


def test_unknown_type_is_an_error_not_an_import(tmp_path):
    path = tmp_path / "cache.json"
    path.write_text(json.dumps({"version": analysed_cache.CACHE_VERSION, "key": [],
                                "demo": {"__type__": "Popen", "args": ["true"]}, "blinds": []}))
    with pytest.raises(ValueError, match="unknown type 'Popen'"):
        analysed_cache.read(path, [])
    with pytest.raises(TypeError, match="cannot write"):
        analysed_cache.encode(object())
