"""Human review of uncertain detections, and de-anonymisation for authorised users.

``export_review`` writes data/private/anonymisation_review.xlsx and .csv: one
row per detection scoring below ``review_below`` (replaced or not), with the
original span, its context, type, score and an empty ``decision`` column
(keep / remove). These files hold originals, so they go to data/private only.

``import_decisions`` reads such a sheet back. A decision is about a string
(case-insensitive, whatever transcript it is in): ``keep`` makes it a keep
term, ``remove`` a known identifier. Decisions are remembered in
data/private/anonymisation_decisions.json and applied on every later run.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from ..errors import QualpipeError
from ..safeio import check_spreadsheet, xlsx_cell
from ..settings import Study
from ..store import PrivateStore, StudyStore, read_csv, rows_to_csv
from .keystore import read_key_data, write_private
from .operators import normalise
from .detection import TYPES
from .sources import DECISIONS_NAME, load_decisions
from .stage import CACHE_NAME, _read_cache

REVIEW_NAME = "anonymisation_review"
# count: how often this string of this type is replaced in the whole study (one decision covers all).
HEADER = ["file", "segment_id", "turn", "start", "end", "type", "score", "recognizer", "replaced", "original",
          "count", "context", "decision"]
KEEP_WORDS = {"keep", "behold", "k"}
REMOVE_WORDS = {"remove", "fjern", "r", "slett"}


def review_rows(study: Study) -> list[list]:
    cache = _read_cache(study).get("files", {})
    if not cache:
        raise QualpipeError("no anonymisation run found: run qualpipe anonymise first", study.private_dir / CACHE_NAME)
    decisions = load_decisions(study)
    rows = []
    with PrivateStore(study.private_store_path) as private:
        for file in sorted(cache):
            review = cache[file].get("review", {})
            if not review:
                continue
            turns = {t.turn_index: t for t in private.turns(file)}
            segments = private.segments(file)
            for turn_key in sorted(review, key=int):
                turn = turns.get(int(turn_key))
                if turn is None:
                    continue
                for item in review[turn_key]:
                    start, end = item["start"], item["end"]
                    original = turn.text[start:end]
                    context = (turn.text[max(0, start - 50):start] + "⟦" + original + "⟧"
                               + turn.text[end:end + 50]).replace("\n", " ")
                    seg = next((s.segment_id for s in segments
                                if s.turn_index == turn.turn_index and s.start <= start < max(s.end, s.start + 1)), "")
                    known = decisions.get(normalise(item["type"], original), {}).get("decision", "")
                    rows.append([file, seg, turn.turn_index, start, end, item["type"], f"{item['score']:.2f}",
                                 item["recognizer"], "ja" if item["replaced"] else "nei", original, context, known])
    return rows


def sheet_rows(study: Study) -> list[list]:
    """``review_rows`` with the count column the sheet shows after ``original``."""
    counts = replacement_counts(study)
    return [row[:10] + [counts.get((row[5], normalise(row[5], row[9])), 0)] + row[10:] for row in review_rows(study)]


def replacement_counts(study: Study) -> dict[tuple[str, str], int]:
    """(type, normalised original) -> how many times it is replaced in the study (private texts)."""
    counts: dict[tuple[str, str], int] = {}
    cache = _read_cache(study).get("files", {})
    with PrivateStore(study.private_store_path) as private:
        for file in sorted(cache):
            turns = {str(t.turn_index): t for t in private.turns(file)}
            for turn_key, spans in cache[file].get("replaced", {}).items():
                turn = turns.get(turn_key)
                if turn is None:
                    continue
                for start, end, kind in spans:
                    norm = (kind, normalise(kind, turn.text[start:end]))
                    counts[norm] = counts.get(norm, 0) + 1
    return counts


def export_review(study: Study) -> list[Path]:
    """Write the review sheet (xlsx + csv) to data/private; returns the paths."""
    import openpyxl

    rows = sheet_rows(study)
    csv_path = study.private_dir / f"{REVIEW_NAME}.csv"
    xlsx_path = study.private_dir / f"{REVIEW_NAME}.xlsx"
    write_private(study, csv_path, rows_to_csv(HEADER, rows).encode("utf-8"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "gjennomgang"
    sheet.append(HEADER)
    # Every cell as a value, never a formula: the context column is transcript text, and a
    # formula there could read this sheet's originals (pipeline.safeio.xlsx_cell).
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            xlsx_cell(sheet.cell(row=row_number, column=column), value)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKLM", (14, 20, 6, 6, 6, 14, 6, 14, 8, 24, 6, 80, 10)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    write_private(study, xlsx_path, buffer.getvalue())
    return [xlsx_path, csv_path]


def _read_sheet(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise QualpipeError("decisions file not found", path)
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            raise QualpipeError(f"not a readable .xlsx file ({type(exc).__name__})", path) from None
        table = [["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        if not table:
            return []
        header = [h.strip().lower() for h in table[0]]
        return [dict(zip(header, row)) for row in table[1:]]
    return [{k.strip().lower(): (v or "") for k, v in row.items() if k} for row in read_csv(path)]


def import_decisions(study: Study, path: Path) -> tuple[int, int]:
    """Read keep/remove decisions; returns (kept, removed) counts. Remembered in data/private."""
    limits = study.settings.limits
    check_spreadsheet(Path(path), limits.max_file_bytes, limits.max_unpacked_bytes)
    rows = _read_sheet(Path(path))
    if rows and not {"original", "type", "decision"} <= set(rows[0]):
        raise QualpipeError("decisions sheet needs the columns original, type and decision", path)
    batch: list[tuple[str, str, str]] = []
    for number, row in enumerate(rows, start=2):
        choice = str(row.get("decision", "")).strip().lower()
        if not choice:
            continue
        kind = str(row.get("type", "")).strip().upper()
        original = str(row.get("original", "")).strip()
        if kind not in TYPES:
            raise QualpipeError(f"row {number}: unknown type '{kind}'", path)
        if choice in KEEP_WORDS:
            decision = "keep"
        elif choice in REMOVE_WORDS:
            decision = "remove"
        else:
            raise QualpipeError(f"row {number}: decision must be keep or remove (behold/fjern)", path)
        if not original:
            raise QualpipeError(f"row {number}: empty original", path)
        batch.append((kind, original, decision))
    return record_decisions(study, batch)


def record_decisions(study: Study, batch: list[tuple[str, str, str]]) -> tuple[int, int]:
    """Remember (type, original, "keep"|"remove") decisions; returns (kept, removed) in all.

    Used by :func:`import_decisions` and the workbench's anonymisation review.
    """
    decisions = load_decisions(study)
    seen: dict[str, str] = {}
    for kind, original, decision in batch:
        if kind not in TYPES or decision not in ("keep", "remove") or not original.strip():
            raise QualpipeError(f"not a keep/remove decision on a known type: {kind}", study.private_dir)
        norm = normalise(kind, original)
        # "remove" wins over "keep" for the same string in one batch: the safe side.
        if seen.get(norm) == "remove":
            continue
        seen[norm] = decision
        decisions[norm] = {"decision": decision, "type": kind, "original": original}
    write_private(study, study.private_dir / DECISIONS_NAME,
                  json.dumps(decisions, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8"))
    kept = sum(1 for d in decisions.values() if d["decision"] == "keep")
    return kept, len(decisions) - kept


def deanonymise(study: Study, segment_id: str) -> tuple[str, str]:
    """(original text, anonymised text) of a segment. Only with the key: that is the authorisation."""
    data = read_key_data(study)  # raises when encrypted and no/wrong passphrase
    if data is None:
        raise QualpipeError("no anonymisation key in data/private: not authorised to de-anonymise",
                            study.private_dir)
    if not study.private_store_path.exists():
        raise QualpipeError("no private store (raw text) in this study copy", study.private_store_path)
    with PrivateStore(study.private_store_path) as private:
        raw = private.segment(segment_id)
    if raw is None:
        raise QualpipeError(f"no segment with id '{segment_id}'", study.private_store_path)
    anonymised = ""
    if study.store_path.exists():
        with StudyStore(study.store_path) as store:
            seg = store.segment(segment_id)
            anonymised = seg.text if seg else ""
    return raw.text, anonymised
