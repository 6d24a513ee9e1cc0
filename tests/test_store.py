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


def test_segment_ids_are_the_ids_of_the_segments_of_a_speaker(tmp_path):
    segments = [Segment(segment_id=f"s{i}", informant_id="7", file="7.txt", turn_index=i, speaker=speaker,
                        start=0, end=3, text="Ja.") for i, speaker in enumerate(["interviewer", "informant", "informant"])]
    with StudyStore(tmp_path / "study.sqlite") as store:
        assert store.segment_ids() == set()
        store.replace_segments("7.txt", "7", "0" * 64, 3, segments)
        for speaker in (None, "informant", "interviewer"):
            assert store.segment_ids(speaker) == {s.segment_id for s in store.segments(speaker=speaker)}
        assert store.segment_ids("informant") == {"s1", "s2"}


def _rows_to_csv_cell_by_cell(header, rows):
    """rows_to_csv as it was written before its fast path: escape_cell on every cell, every row's cells
    searched for a bare CR."""
    import csv
    import io

    from pipeline.safeio import escape_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in [header, *rows]:
        cells = ["" if value is None else escape_cell(value) for value in row]
        (quoted if any(isinstance(c, str) and "\r" in c for c in cells) else writer).writerow(cells)
    return buffer.getvalue()


def test_rows_to_csv_writes_what_escaping_every_cell_wrote():
    """The fast path (a text cell that starts with no trigger and ints are not escaped; only a line
    holding a CR has its cells searched) writes the same text, formula cells, CRs and str subclasses too."""
    import itertools

    from pipeline.store import rows_to_csv

    class Text(str):
        pass

    cells = [None, 0, -3, 2.5, -0.25, True, "", "ja", "'", "''=1", "'ja", "=SUM(A1)", "+47 22", "-0.25", "-x",
             "@a", "\tb", "\rc", "a\rb", "a\nb", 'si "hei"', "a,b", " =a", "ø", Text("=x"), Text("ja")]
    rows = [list(combo) for combo in itertools.product(cells, repeat=2)]
    assert rows_to_csv(["id", "=h"], rows) == _rows_to_csv_cell_by_cell(["id", "=h"], rows)
    assert rows_to_csv(["a"], iter([("x",), ("\r",)])) == _rows_to_csv_cell_by_cell(["a"], [("x",), ("\r",)])


def _segments_of(file: str, speakers: list[str], text: str = "Ja.") -> list[Segment]:
    return [Segment(segment_id=f"{file}-{i}", informant_id=file.split(".")[0], file=file, turn_index=i,
                    speaker=speaker, start=0, end=len(text), text=text) for i, speaker in enumerate(speakers)]


def _reads_of_all_segments(store) -> list[str]:
    """Every statement the store's connection runs that reads the segments table whole (no WHERE)."""
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    return seen


def _whole_reads(seen: list[str]) -> int:
    return sum(1 for sql in seen if "FROM segments" in sql and "WHERE" not in sql and "COUNT" not in sql)


def test_the_segments_of_a_study_are_read_once_while_the_table_is_unchanged(tmp_path):
    with StudyStore(tmp_path / "study.sqlite") as store:
        store.replace_segments("7.txt", "7", "0" * 64, 3, _segments_of("7.txt", ["interviewer", "informant", "informant"]))
        store.replace_segments("8.txt", "8", "1" * 64, 2, _segments_of("8.txt", ["informant", "interviewer"]))
        seen = _reads_of_all_segments(store)
        first = store.segments()
        # what the query gives, in its order, for every filter a stage asks
        assert [s.segment_id for s in first] == ["7.txt-0", "7.txt-1", "7.txt-2", "8.txt-0", "8.txt-1"]
        assert store.segments(speaker="informant") == [s for s in first if s.speaker == "informant"]
        assert store.segments(speaker="interviewer") == [s for s in first if s.speaker == "interviewer"]
        assert store.segments(speaker="informant", file="8.txt") == [first[3]]
        assert store.segments() == first
        assert _whole_reads(seen) == 1
        first.clear()  # a caller's list is its own
        assert len(store.segments()) == 5


def test_a_write_to_the_segments_by_this_or_another_connection_reads_them_again(tmp_path):
    path = tmp_path / "study.sqlite"
    with StudyStore(path) as store:
        store.replace_segments("7.txt", "7", "0" * 64, 1, _segments_of("7.txt", ["informant"]))
        assert [s.text for s in store.segments()] == ["Ja."]
        store.replace_segments("7.txt", "7", "0" * 64, 1, _segments_of("7.txt", ["informant"], "Nei."))
        assert [s.text for s in store.segments()] == ["Nei."]
        with StudyStore(path) as other:  # another connection (another process in a real run)
            other.replace_segments("8.txt", "8", "1" * 64, 1, _segments_of("8.txt", ["informant"]))
        assert [s.file for s in store.segments(speaker="informant")] == ["7.txt", "8.txt"]
        store.remove_transcripts(["7.txt"])
        assert [s.file for s in store.segments()] == ["8.txt"]
        seen = _reads_of_all_segments(store)
        store.replace_codes([], "1")  # other tables' writes leave the read as it was
        store.segments()
        assert _whole_reads(seen) == 0
