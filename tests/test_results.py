"""Stage results on disk: DataFrames survive JSON exactly; a stale or foreign result is refused."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from pipeline.errors import QualpipeError
from pipeline.results import frame_from_json, frame_to_json, read_result, result_text


def test_frames_round_trip_with_nan_infinity_bools_and_index():
    frame = pd.DataFrame({"code": ["a", "b", "c"], "n": [1, 2, 3], "odds": [math.inf, math.nan, 0.125],
                          "tested": [True, False, True]})
    back = frame_from_json(json.loads(json.dumps(frame_to_json(frame), allow_nan=False)))
    assert back.equals(frame) and list(back.dtypes) == list(frame.dtypes)
    indexed = pd.DataFrame({"x": [0.1, 0.2]}, index=pd.Index(["S1", "S2"], name="informant_id"))
    again = frame_from_json(json.loads(json.dumps(frame_to_json(indexed))))
    assert again.equals(indexed) and again.index.name == "informant_id"
    empty = pd.DataFrame(columns=["a", "b"])
    assert list(frame_from_json(frame_to_json(empty)).columns) == ["a", "b"]


def test_read_result_checks_kind_version_input_and_settings(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(result_text("compare", 1, "in1", "set1", {"k": 1}), encoding="utf-8")
    assert read_result(path, "compare", 1, "in1", "set1", "compare") == {"k": 1}
    with pytest.raises(QualpipeError, match="older than the coded data"):
        read_result(path, "compare", 1, "in2", "set1", "compare")
    with pytest.raises(QualpipeError, match="other settings"):
        read_result(path, "compare", 1, "in1", "set2", "compare")
    with pytest.raises(QualpipeError, match="another version"):
        read_result(path, "compare", 2, "in1", "set1", "compare")
    with pytest.raises(QualpipeError, match="no topics results yet.*qualpipe topics"):
        read_result(tmp_path / "missing.json", "topics", 1, "in1", "set1", "topics")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(QualpipeError, match="unreadable"):
        read_result(path, "compare", 1, "in1", "set1", "compare")
