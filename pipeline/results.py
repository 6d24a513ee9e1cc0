"""Stage results on disk: typed records serialised as JSON beside their tables.

compare and topics write ``reports/tables/compare.json`` and
``reports/tables/topics.json`` next to their CSVs; the report reads them and
never recomputes. Each file carries

* ``kind`` and ``version`` (the record's schema; a reader refuses other versions),
* ``input``: :attr:`pipeline.analysis.AnalysisInput.fingerprint` of the data used,
* ``settings``: a hash of the settings that shaped the result,
* ``result``: the record itself (DataFrames as columns, dtypes and rows).

:func:`read_result` checks all four against the study as it is now and raises
a :class:`QualpipeError` naming the command that brings the result up to date,
so a report never shows figures from older data than its own quotes.

JSON is exact where CSV is rounded: floats are written in full, NaN as null
and infinities as the strings "inf"/"-inf" (strict JSON has neither).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import QualpipeError


def plain(value):
    """A JSON-able Python value for numpy/pandas scalars, NaN and infinities."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    return value


def number_from(value) -> float:
    """Inverse of :func:`plain` for a float: null -> NaN, "inf" -> inf."""
    return math.nan if value is None else float(value)


def frame_to_json(frame: pd.DataFrame) -> dict:
    """A DataFrame as {columns, dtypes, rows[, index_name, index]}; restored by :func:`frame_from_json`."""
    data = {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "rows": [[plain(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        data["index_name"] = frame.index.name
        data["index"] = [plain(v) for v in frame.index]
    return data


def frame_from_json(data: dict) -> pd.DataFrame:
    frame = pd.DataFrame(data["rows"], columns=data["columns"])
    for column, dtype in zip(data["columns"], data["dtypes"]):
        if dtype.startswith("float"):
            frame[column] = [number_from(v) for v in frame[column]]
            frame[column] = frame[column].astype(float)
        elif dtype.startswith("int") and len(frame):
            frame[column] = frame[column].astype(int)
        elif dtype == "bool" and len(frame):
            frame[column] = frame[column].astype(bool)
    if "index" in data:
        frame.index = pd.Index(data["index"], name=data.get("index_name"))
    return frame


def result_text(kind: str, version: int, input_fingerprint: str, settings_fingerprint: str, result: dict) -> str:
    """The JSON text of one stage result (stable: same result, same bytes)."""
    payload = {"kind": kind, "version": version, "input": input_fingerprint, "settings": settings_fingerprint,
               "result": result}
    return json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def read_result(path: Path, kind: str, version: int, input_fingerprint: str, settings_fingerprint: str,
                command: str) -> dict:
    """The ``result`` of a stage's JSON if it describes the current data and settings; else one clear error."""
    if not path.exists():
        raise QualpipeError(f"no {kind} results yet; run `qualpipe {command}` (or `qualpipe run`) first", path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise QualpipeError(f"{kind} results are unreadable ({exc.__class__.__name__}); "
                            f"run `qualpipe {command}` again", path) from None
    if not isinstance(payload, dict) or payload.get("kind") != kind or payload.get("version") != version:
        raise QualpipeError(f"{kind} results were written by another version of qualpipe; "
                            f"run `qualpipe {command}` again", path)
    if payload.get("input") != input_fingerprint:
        raise QualpipeError(f"{kind} results are older than the coded data (codes, segments or informants "
                            f"changed since); run `qualpipe {command}` (or `qualpipe run`)", path)
    if payload.get("settings") != settings_fingerprint:
        raise QualpipeError(f"{kind} results were made with other settings in study.yaml; "
                            f"run `qualpipe {command}` (or `qualpipe run`)", path)
    return payload["result"]


@dataclass(frozen=True)
class StageFigure:
    """A PNG a stage wrote under reports/figures/: its hash (so a reader knows it is the one) and drawn text."""

    name: str
    sha256: str
    text: str

    def to_json(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "text": self.text}

    @classmethod
    def from_json(cls, data: dict) -> "StageFigure":
        return cls(name=data["name"], sha256=data["sha256"], text=data["text"])
