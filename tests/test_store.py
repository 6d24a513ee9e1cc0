"""pipeline/store.py: how rows become records."""

from __future__ import annotations

import dataclasses

from pipeline.records import Segment
from pipeline.store import _SEGMENT_COLUMNS, StudyStore


def test_segment_rows_are_read_positionally_in_the_order_of_the_records_fields(tmp_path):
    """``_segment`` builds a Segment from a row positionally: the selected columns must be its fields in order."""
    assert [c.strip() for c in _SEGMENT_COLUMNS.split(",")] == [f.name for f in dataclasses.fields(Segment)]
    segment = Segment(segment_id="s1", informant_id="7", file="7.txt", turn_index=3, speaker="informant",
                      start=4, end=19, text="[PERSON_1] bor her.")
    with StudyStore(tmp_path / "study.sqlite") as store:
        store.replace_segments("7.txt", "7", "0" * 64, 4, [segment])
        assert store.segments() == [segment] and store.segment("s1") == segment
