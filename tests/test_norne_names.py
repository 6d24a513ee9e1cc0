"""The NorNE-derived first-name list (tools/build_norne_names.py) and how the gazetteer reads them."""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from pipeline.anonymise.gazetteer import _read, _read_gendered, load_gazetteer
from pipeline.anonymise.lexicon import is_ordinary

ROOT = Path(__file__).resolve().parents[1]
NORNE = ROOT.parent / "shared" / "data" / "norne"


def _norne_names() -> list[str]:
    return [line.split("\t")[0] for line in _read("norne_first.txt")]


def test_no_norne_name_is_an_ordinary_word():
    # The lists only add names that are no word, so a lower-case word never matches them.
    g = load_gazetteer()
    names = _norne_names()
    assert len(names) > 100
    words = [n for n in names if g.is_common_word(n) or is_ordinary(n) or g.is_place(n)]
    assert words == []


def test_gazetteer_reads_the_norne_lists_with_gender():
    g = load_gazetteer()
    assert g.is_first("Dagfinn") and g.gender("Dagfinn") == "m"
    assert g.is_first("Johanne") and g.gender("Johanne") == "f"
    assert g.is_first("barack") and g.gender("Barack") is None  # NDT gives no gender: both unknown
    assert not g.is_name("Stoltenberg")  # the surnames of NorNE are not taken


def test_a_line_without_gender_fails_loudly(monkeypatch):
    import pipeline.anonymise.gazetteer as gaz

    monkeypatch.setattr(gaz, "_read", lambda name: ["Dagfinn\tm", "Barack"])
    with pytest.raises(ValueError, match="Barack"):
        _read_gendered("norne_first.txt")


@pytest.mark.skipif(not (NORNE / "ndt" / "nob").is_dir(), reason="NorNE not in ../shared/data/norne")
def test_the_build_gives_the_shipped_lists(tmp_path):
    spec = importlib.util.spec_from_file_location("build_norne_names", ROOT / "tools" / "build_norne_names.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.main(str(NORNE), str(tmp_path))
    data = resources.files("pipeline.anonymise").joinpath("data")
    for name in ("norne_first.txt",):
        assert (tmp_path / name).read_text(encoding="utf-8") == data.joinpath(name).read_text(encoding="utf-8")
