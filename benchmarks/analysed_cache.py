"""The benchmarks' cache of analysed studies, as JSON (no pickle: reading it runs no code).

Analysing the demo and the blind sets (ingest and anonymise a copy, lemmatise, rule hits) takes
about a minute; the coding benchmarks keep the result between runs. The cache is tagged JSON:
each dataclass is written as ``{"__type__": name, field: value ...}`` and read back only if its
name is one of :data:`TYPES` (anything else is an error, not an import); tuples, frozensets and
dicts whose keys are not strings are tagged too, so what is read back is equal to what was
written (``tests/test_benchmark_cache.py``). The codebook is a pydantic model, written with its
own ``model_dump`` and validated again on reading.

The file holds the studies' anonymised text and lemmas: keep it where the study's private folder
is kept (the benchmarks are for synthetic data; write it under /tmp or ``data/private``).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pipeline.codebook import Codebook
from pipeline.coding.classifier import Example
from pipeline.coding.evaluation import Labelled
from pipeline.coding.machine import AnalysedUnits
from pipeline.coding.rules import RuleHit, RuleResult
from pipeline.coding.units import Unit
from pipeline.records import Segment

CACHE_VERSION = 2  # 2: keyed by the content of what the studies are analysed from, not by their paths
TYPES = {cls.__name__: cls for cls in (Labelled, AnalysedUnits, Unit, Segment, RuleResult, RuleHit, Example)}


def encode(value):
    if isinstance(value, Codebook):
        return {"__type__": "Codebook", "value": value.model_dump(mode="json")}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if TYPES.get(name) is not type(value):
            raise TypeError(f"analysed_cache: {name} is not a cached type")
        return {"__type__": name, **{f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {"__frozenset__": sorted((encode(v) for v in value), key=json.dumps)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"__dict__": {k: encode(v) for k, v in value.items()}}
        return {"__items__": [[encode(k), encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"analysed_cache: cannot write a {type(value).__name__}")


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tuple__" in value:
        return tuple(decode(v) for v in value["__tuple__"])
    if "__frozenset__" in value:
        return frozenset(decode(v) for v in value["__frozenset__"])
    if "__dict__" in value:
        return {k: decode(v) for k, v in value["__dict__"].items()}
    if "__items__" in value:
        return {decode(k): decode(v) for k, v in value["__items__"]}
    name = value.get("__type__")
    if name == "Codebook":
        return Codebook.model_validate(value["value"])
    if name not in TYPES:
        raise ValueError(f"analysed_cache: unknown type {name!r} in the cache")
    return TYPES[name](**{k: decode(v) for k, v in value.items() if k != "__type__"})


def _digest_files(digest, root: Path, paths) -> None:
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<absent>")
        digest.update(b"\0")


def cache_key(study, folders, nlp, code_root: Path | None = None) -> list[str]:
    """What the analysed studies are a function of: the study's and the folders' paths, and a digest of
    their content (the study's settings, codebook, stores and human coding files; every file of each
    folder), of the code that analyses them (every ``.py`` under ``code_root``, default the ``pipeline``
    package) and of the language model (spaCy's and the model's name and version). A corrected gold file,
    a new run of the study, a changed codebook or lemmatiser then analyses afresh."""
    import hashlib

    import spacy

    import pipeline

    root = Path(study.root).resolve()
    digest = hashlib.sha256()
    _digest_files(digest, root, [root / "study.yaml", Path(study.codebook_path), Path(study.store_path),
                                 Path(study.private_store_path), *Path(study.human_dir).glob("*.csv")])
    for folder in folders:
        folder = Path(folder).resolve()
        digest.update(b"\1" + str(folder).encode("utf-8") + b"\0")
        _digest_files(digest, folder, [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts])
    code = Path(code_root) if code_root else Path(pipeline.__file__).resolve().parent
    _digest_files(digest, code, [p for p in code.rglob("*.py") if "__pycache__" not in p.parts])
    meta = getattr(nlp, "meta", {}) or {}
    digest.update(json.dumps([spacy.__version__, meta.get("lang"), meta.get("name"), meta.get("version")]).encode())
    return [str(root)] + [str(Path(f).resolve()) for f in folders] + [digest.hexdigest()]


def write(path: Path, key: list[str], demo: Labelled, blinds: list[Labelled]) -> None:
    """``key``: what the studies were analysed from (:func:`cache_key`)."""
    from pipeline.store import PRIVATE_MODE, atomic_write_bytes

    payload = {"version": CACHE_VERSION, "key": key, "demo": encode(demo), "blinds": [encode(b) for b in blinds]}
    atomic_write_bytes(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"), mode=PRIVATE_MODE)


def read(path: Path, key: list[str]) -> tuple[Labelled, list[Labelled]] | None:
    """(demo, blind sets) from ``path``; None if it was written by another cache version or for another key."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("version") != CACHE_VERSION or payload.get("key") != key:
        return None
    return decode(payload["demo"]), [decode(b) for b in payload["blinds"]]
