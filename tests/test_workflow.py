"""`qualpipe run`'s order of stages and what it does between them."""

from __future__ import annotations

import gc

from pipeline import workflow
from pipeline.settings import load_study


def test_what_a_stage_leaves_is_frozen_for_the_next_and_the_run_unfreezes_it(make_study, monkeypatch):
    """Between two stages the objects alive are out of the cyclic collector's full collections
    (gc.freeze); when the run ends they are back in them, so a process that runs again collects
    their cycles."""
    root = make_study({"a.txt": "I: Hei.\nIP: Hei.\n"}, informants="id,file,group\n1,a.txt,a\n")
    seen = []

    def stage(name):
        def run(study, track):
            seen.append((name, gc.get_freeze_count()))
            return name
        return run

    monkeypatch.setattr(workflow, "stages", lambda: [(name, stage(name)) for name in ("first", "second", "third")])
    monkeypatch.setattr("pipeline.status.record_run_inputs", lambda study: None)
    gc.unfreeze()
    lines = []
    workflow.run_all(load_study(root), echo=lines.append)
    assert lines == ["[first] first", "[second] second", "[third] third"]
    assert seen[0] == ("first", 0)
    assert all(count > 0 for _name, count in seen[1:])
    assert gc.get_freeze_count() == 0
