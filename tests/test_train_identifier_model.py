"""The identifier model's training tool (tools/train_identifier_model.py): its feature cache."""

import importlib.util
import json
import stat
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "train_identifier_model.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("train_identifier_model", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _set(name):
    text = "jeg heter Kari Nordmann"
    return {"name": name, "turns": [{"file": "a.txt", "text": text, "gold": [(10, 23, "PERSON")],
                                     "replaced": [(10, 23, "PERSON")], "keep": [], "tokens": [(0, 3), (10, 14)],
                                     "X": [{"shape=<low>": 1}, {"shape=<Cap>": 1, "sent_start": 1}],
                                     "y": ["O", "PERSON"], "taken": [(10, 23)]}]}


def test_cache_is_json_in_a_private_folder_and_round_trips(tool, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(tool, "extract", lambda name: calls.append(name) or _set(name))
    cache = tmp_path / "cache"
    first = tool.load(cache, names=("setA",))
    assert first["setA"] == _set("setA")
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].suffix == ".json"
    json.loads(files[0].read_text(encoding="utf-8"))  # plain data: reading it runs nothing
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert tool.load(cache, names=("setA",)) == first and calls == ["setA"]  # read back, not extracted again
    assert "import pickle" not in TOOL.read_text(encoding="utf-8")


def test_cache_refuses_a_link(tool, tmp_path, monkeypatch):
    monkeypatch.setattr(tool, "extract", _set)
    real = tmp_path / "elsewhere"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(SystemExit, match="not a directory of this user's"):
        tool.load(link, names=("setA",))
    assert list(real.iterdir()) == []


def test_a_changed_gold_file_is_extracted_again(tool, tmp_path, monkeypatch):
    monkeypatch.setattr(tool, "GOLD", tmp_path / "gold_sets")
    (tmp_path / "gold_sets" / "setA" / "gold").mkdir(parents=True)
    record = tmp_path / "gold_sets" / "setA" / "gold" / "a.json"
    record.write_text('{"file": "a.txt", "spans": []}', encoding="utf-8")
    calls = []
    monkeypatch.setattr(tool, "extract", lambda name: calls.append(name) or _set(name))
    tool.load(tmp_path / "cache", names=("setA",))
    record.write_text('{"file": "a.txt", "spans": [{"turn": 0, "start": 10, "end": 23, "type": "PERSON"}]}',
                      encoding="utf-8")
    tool.load(tmp_path / "cache", names=("setA",))
    assert calls == ["setA", "setA"]
