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


def test_the_key_follows_every_input_that_changes_the_analysis(tmp_path):
    from types import SimpleNamespace

    root, folder, code = tmp_path / "study", tmp_path / "gold", tmp_path / "code"
    for path, text in ((root / "study.yaml", "coding: {}\n"), (root / "codebook.yaml", "codes: []\n"),
                       (root / "data" / "coded" / "study.sqlite", "store"),
                       (root / "data" / "private" / "ingested.sqlite", "private store"),
                       (root / "data" / "coded" / "human" / "forsker1.csv", "s1,discount\n"),
                       (folder / "gold.csv", "1.txt,3,discount\n"), (folder / "transcripts" / "1.txt", "Ja.\n"),
                       (code / "rules.py", "PATTERNS = 1\n")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    study = SimpleNamespace(root=root, codebook_path=root / "codebook.yaml",
                            store_path=root / "data" / "coded" / "study.sqlite",
                            private_store_path=root / "data" / "private" / "ingested.sqlite",
                            human_dir=root / "data" / "coded" / "human")
    nlp = SimpleNamespace(meta={"lang": "nb", "name": "core", "version": "1.0"})

    def key():
        return analysed_cache.cache_key(study, [folder], nlp, code_root=code)

    first = key()
    assert key() == first  # a function of the content: the same inputs, the same key
    path = tmp_path / "cache.json"
    analysed_cache.write(path, first, labelled(), [])
    assert analysed_cache.read(path, key()) is not None
    changes = [lambda: (folder / "gold.csv").write_text("1.txt,3,stability\n"),  # a corrected gold file
               lambda: (folder / "transcripts" / "2.txt").write_text("Nei.\n"),  # a new transcript
               lambda: (root / "codebook.yaml").write_text("codes: [a]\n"),
               lambda: (root / "study.yaml").write_text("coding: {unit: turn}\n"),
               lambda: (root / "data" / "coded" / "study.sqlite").write_text("store, run again"),
               lambda: (root / "data" / "private" / "ingested.sqlite").write_text("ingested again"),
               lambda: (root / "data" / "coded" / "human" / "forsker2.csv").write_text("s1,standard\n"),
               lambda: (code / "rules.py").write_text("PATTERNS = 2\n"),  # the code that analyses
               lambda: nlp.meta.update(version="1.1")]  # another language model
    seen = {tuple(first)}
    for change in changes:
        change()
        now = key()
        assert tuple(now) not in seen
        assert analysed_cache.read(path, now) is None  # analysed afresh
        seen.add(tuple(now))
