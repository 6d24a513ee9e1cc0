"""The anonymiser's per-run memos (stage.py: ``Anonymiser._informant_hits``, ``_normalised``)
change no output: on readable gold sets and the demo, the stage run with them and with each read
afresh writes the same turns, review items, key and exports, byte for byte, while the memos do save work."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipeline.anonymise import stage as stage_module
from pipeline.anonymise.operators import normalise
from pipeline.anonymise.stage import Anonymiser, anonymise_study
from pipeline.evaluate import ANONYMISATION_INFORMANT_COLUMNS, scratch_copy
from pipeline.ingest import ingest_study
from pipeline.settings import load_study

DATA = Path(__file__).resolve().parent / "data"
REPO = DATA.parents[1]
# Readable sets only (tuned on); the blind sets are never read here.
READABLE = ["anon_gold", "anon_gold_blind", "anon_gold_blind25", "anon_gold_blind29"]


def _fresh(monkeypatch) -> dict[str, int]:
    """Every memo bypassed: each call asks its matcher or ``normalise`` again. Counts the matcher's reads."""
    calls = {"informant_find": 0}

    def informant_hits(self, out):
        calls["informant_find"] += 1
        return tuple(self.informant_names.find(out))

    monkeypatch.setattr(Anonymiser, "_informant_hits", informant_hits)
    monkeypatch.setattr(Anonymiser, "_normalised", lambda self, kind, span: normalise(kind, span))
    return calls


def _counting(monkeypatch) -> dict[str, int]:
    """The memos as they are, counting how often the informant matcher really reads a text."""
    calls = {"informant_find": 0}
    real = Anonymiser.seed_key

    def seed_key(self):
        real(self)
        if self.informant_names is not None:
            find = self.informant_names.find

            def counted(text):
                calls["informant_find"] += 1
                return find(text)

            self.informant_names.find = counted

    monkeypatch.setattr(Anonymiser, "seed_key", seed_key)
    return calls


def _outputs(study) -> tuple:
    """What the stage made: every turn's text, replacements and review items, the key, the exports."""
    for f in study.coded_dir.iterdir():
        if f.is_file():
            f.unlink()  # every transcript written again, so the exports are this run's
    result = anonymise_study(study)
    turns = {f: [dataclasses.astuple(r) for r in rs] for f, rs in result.outputs.items()}
    exports = {p.name: p.read_bytes() for p in sorted(study.coded_dir.glob("*.csv"))}
    key = (study.private_dir / "anonymisation_key.json").read_bytes()
    return turns, exports, key


def _compare(study, monkeypatch):
    with monkeypatch.context() as m:
        counted = _counting(m)
        memo = _outputs(study)
    with monkeypatch.context() as m:
        fresh_calls = _fresh(m)
        fresh = _outputs(study)
    assert memo[0] == fresh[0]
    assert memo[1] == fresh[1] and memo[1]
    assert memo[2] == fresh[2]
    return counted["informant_find"], fresh_calls["informant_find"]


@pytest.mark.parametrize("name", READABLE)
def test_the_memos_change_no_output_of_a_readable_gold_set(name, monkeypatch):
    with scratch_copy(DATA / name, "qualpipe-memo-", ANONYMISATION_INFORMANT_COLUMNS) as root:
        study = load_study(root)
        ingest_study(study)
        memo_reads, fresh_reads = _compare(study, monkeypatch)
    # Each turn is read in the seeded reading and in each round: the memo reads a text once.
    assert fresh_reads == 0 or memo_reads < fresh_reads


def test_the_memos_change_no_output_of_the_demo(demo_study, monkeypatch):
    study = load_study(demo_study)
    ingest_study(study)
    memo_reads, fresh_reads = _compare(study, monkeypatch)
    assert 0 < memo_reads < fresh_reads


def test_a_new_informant_matcher_starts_an_empty_memo(demo_study):
    study = load_study(demo_study)
    anon = Anonymiser(study, stage_module.fresh_key(study), {})
    anon.seed_key()
    assert anon.informant_names is not None
    anon._informant_hits("Ingen navn her.")
    assert anon._informant_hits_of
    anon.seed_key()  # a matcher built again: none of the old answers is taken as its own
    assert not anon._informant_hits_of
