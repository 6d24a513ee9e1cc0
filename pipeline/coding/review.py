"""Human review: export the machine's suggestions as a sheet, import the decisions.

``qualpipe review export`` writes ``reports/review/review.xlsx`` and a CSV twin
with one row per informant segment no human has decided yet: the interviewer's
preceding question (context), the segment's anonymised text, the suggested
codes with confidence, the keyword hits, and one column per code, pre-marked
"x" where the machine suggests it. The most uncertain suggestions come first,
so a coder's first hour goes where it teaches the model most.

``--blind`` writes a sheet for an independent second coder: every informant
segment in transcript order, the code columns empty and no suggestion,
confidence, keyword hit or uncertainty shown, so nothing of the machine's or
the first coder's view leads the second coder.

The coder marks ``reviewed`` (x) on every row they decided and sets the code
columns (x = applies, blank = does not). ``qualpipe review import FILE --coder
ID`` records those rows as that coder's decisions — in
``data/coded/human/<coder>.csv`` and in the store. Rows not marked reviewed are
ignored. The whole file is rejected, and nothing recorded, if it has an
unknown code column, an unknown or repeated segment id, edited segment text,
or a cell that is neither blank nor a yes/no mark.

A sheet exported before an anonymisation decision changed is not rejected for
that: a row whose text differs from the segment's current text only where the
anonymiser's output differs (a tag such as ``[PERSON_3]``, an informant
reference, an invented name in place of a word, or the other way round) is
accepted, and a row whose segment id is gone is re-found in the same turn of the
same informant by that comparison (re-anchored). The summary counts both.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..codebook import load_codebook
from ..errors import QualpipeError
from ..settings import Study
from ..store import Shareable, StudyStore, read_csv, rows_to_csv, write_shareable
from ..safeio import check_spreadsheet, xlsx_cell
from .human import apply_human_decisions, check_coder_id
from .queue import Candidate, most_uncertain_code, next_segments
from .rules import RULE_CONFIDENCE

FIXED_COLUMNS = ["segment_id", "informant_id", "turn", "question", "text", "suggested", "confidence",
                 "keyword_hits", "uncertainty", "reviewed"]
COMMENT_COLUMN = "comment"
YES = frozenset({"x", "1", "ja", "j", "yes", "y", "true", "sann"})
NO = frozenset({"", "0", "nei", "n", "no", "false", "usann"})


@dataclass
class ReviewExport:
    xlsx: Path
    csv: Path
    rows: int
    all_decided: bool = False  # no row because a human has decided every informant segment

    def summary(self) -> str:
        text = f"{self.rows} segmenter til gjennomgang: {self.xlsx} (og {self.csv.name})"
        if self.all_decided:
            text += ("\nMerk: alle informantsegmenter er avgjort av et menneske, så det er ingenting å foreslå; "
                     "«--all» tar med de avgjorte, «--blind» gir arket for en uavhengig andrekoder.")
        return text


@dataclass
class ReviewImport:
    coder: str
    decided: int
    rows: int
    path: Path
    reanchored: int = 0  # rows accepted although anonymisation had changed their text (or id) since export

    def summary(self) -> str:
        line = (f"{self.decided} av {self.rows} rader registrert som {self.coder}s avgjørelser "
                f"({self.path}); kjør «qualpipe code» for å trene modellen på dem")
        if self.reanchored:
            line += (f"; {self.reanchored} rader forankret på nytt fordi anonymiseringen hadde endret "
                     "teksten siden arket ble laget")
        return line


def _uncertainty(probabilities: dict[str, float], thresholds: dict[str, float], rule_hits: set[str],
                 rule_codes: list[str]) -> float:
    """1 at a code's threshold, 0 far from it; the segment takes its most uncertain code."""
    worst = 0.0
    for code, p in probabilities.items():
        t = thresholds[code]
        span = t if p < t else 1 - t
        worst = max(worst, 1 - abs(p - t) / span if span else 0.0)
    for code in rule_codes:
        # A keyword hit alone is a guess: as uncertain as the rule's fixed confidence says.
        if code in rule_hits:
            worst = max(worst, 1 - abs(RULE_CONFIDENCE - 0.5) / 0.5)
    return round(worst, 4)


def review_table(study: Study, include_decided: bool = False, blind: bool = False,
                 next_n: int | None = None) -> tuple[list[str], list[list[str]]]:
    """Rows of the review sheet, most uncertain first; ``next_n``: only the N that teach the model most
    (:func:`pipeline.coding.queue.next_segments`: uncertainty, spread over informants and codes)."""
    from .human import chosen_human_codes
    from .stage import machine_state

    codebook = load_codebook(study.codebook_path)
    with StudyStore(study.store_path) as store:
        if not store.segments(speaker="informant"):
            raise QualpipeError("no anonymised informant segments yet; run 'qualpipe run' first", study.store_path)
        state = machine_state(study, store, codebook)
        decided = chosen_human_codes(store, study.settings.coding.primary_coder)
    header = FIXED_COLUMNS + codebook.ids + [COMMENT_COLUMN]
    entries, candidates = [], []
    for i, (unit, rules, found) in enumerate(zip(state.analysed.units, state.analysed.rules,
                                                 state.suggestions.applied)):
        if blind:  # nothing of the machine's or another coder's view; transcript order
            row = [unit.segment_id, unit.informant_id, str(unit.segment.turn_index), unit.question,
                   unit.segment.text, "", "", "", "", "", *("" for _ in codebook.ids), ""]
            entries.append((0.0, i, row))
            continue
        if unit.segment_id in decided and not include_decided:
            continue
        probabilities = {code: float(state.suggestions.probabilities[code][i]) for code in state.plan.model_codes}
        uncertainty = _uncertainty(probabilities, state.suggestions.thresholds, set(rules.codes), state.plan.rule_codes)
        # Pre-mark what currently applies: a human's decision where one exists (--all), else the suggestion.
        marked = decided.get(unit.segment_id, frozenset(found))
        row = [
            unit.segment_id, unit.informant_id, str(unit.segment.turn_index), unit.question, unit.segment.text,
            "; ".join(sorted(found)),
            "; ".join(f"{code} {found[code][0]:.2f}" for code in sorted(found)),
            "; ".join(f"{h.code}: {h.matched}" for h in rules.hits),
            f"{uncertainty:.4f}",
            "",  # never pre-marked: a row counts as this coder's decision only when they mark it
            *("x" if code in marked else "" for code in codebook.ids),
            "",
        ]
        entries.append((-uncertainty, i, row))
        if next_n is not None:
            code, value = most_uncertain_code(probabilities, state.suggestions.thresholds)
            if not code and set(rules.codes) & set(state.plan.rule_codes):
                code, value = sorted(set(rules.codes) & set(state.plan.rule_codes))[0], uncertainty
            candidates.append(Candidate(key=i, informant=unit.informant_id, code=code, uncertainty=value))
    if next_n is not None:
        order = {c.key: rank for rank, c in enumerate(next_segments(candidates, next_n))}
        entries = sorted((e for e in entries if e[1] in order), key=lambda e: order[e[1]])
        return header, [row for _, _, row in entries]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return header, [row for _, _, row in entries]


def export_review(study: Study, out: Path | None = None, include_decided: bool = False,
                  blind: bool = False, next_n: int | None = None) -> ReviewExport:
    from ..anonymise.guard import require_guard

    guard = require_guard(study)
    header, rows = review_table(study, include_decided, blind, next_n)
    default = "review_blind.xlsx" if blind else "review.xlsx"
    xlsx = Path(out) if out is not None else study.reports_dir / "review" / default
    if xlsx.suffix.lower() != ".xlsx":
        xlsx = xlsx.with_suffix(".xlsx")
    csv_path = xlsx.with_suffix(".csv")
    csv_text = rows_to_csv(header, rows)
    # The guard reads both before either is written: both or neither.
    write_shareable(study.root, {xlsx: Shareable(_xlsx_bytes(header, rows), shown=(csv_text,)), csv_path: csv_text},
                    guard)
    return ReviewExport(xlsx=xlsx, csv=csv_path, rows=len(rows),
                        all_decided=not rows and not include_decided and not blind)


def _xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "gjennomgang"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Row numbers from the loop: sheet.max_row re-scans every row, which made the export quadratic.
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            # Text stays text: "=..." or "1/2" must not turn into formulas or dates (pipeline.safeio).
            xlsx_cell(sheet.cell(row=row_number, column=column), value)
    widths = {"question": 50, "text": 70, "suggested": 22, "confidence": 26, "keyword_hits": 30}
    for column, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(name, 14)
        if name in ("question", "text", "keyword_hits"):
            for cell in sheet[get_column_letter(column)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "F2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl stamps the current time into docProps; fix it so the same sheet gives the same bytes.
    return _fixed_timestamps(buffer.getvalue())


def _fixed_timestamps(data: bytes) -> bytes:
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<", b">2000-01-01T00:00:00Z<", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return target_buffer.getvalue()


# ------------------------------------------------------------------------ import


def _read_sheet(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.exists():
        raise QualpipeError("review file not found", path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise QualpipeError(f"cannot read the workbook ({exc})", path) from exc
        values = [["" if v is None else str(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        values = [row for row in values if any(v.strip() for v in row)]
        if not values:
            raise QualpipeError("the sheet is empty", path)
        header = [h.strip() for h in values[0]]
        while header and not header[-1]:
            header.pop()
        return header, [row[:len(header)] + [""] * (len(header) - len(row)) for row in values[1:]]
    if suffix == ".csv":
        try:
            rows = read_csv(path)
        except UnicodeDecodeError as exc:
            raise QualpipeError("the CSV is not UTF-8 text", path) from exc
        with open(path, encoding="utf-8-sig", newline="") as handle:
            import csv

            header = [h.strip() for h in next(csv.reader(handle), [])]
        body = []
        for number, row in enumerate(rows, start=2):
            if None in row:
                raise QualpipeError(f"row {number}: more cells than columns", path)
            body.append(["" if row.get(h) is None else row.get(h) for h in header])
        return header, body
    raise QualpipeError("expected a .xlsx or .csv review file", path)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


_TOKEN = re.compile(r"\[[A-ZÆØÅ][A-ZÆØÅ0-9_]*\]|\w+|[^\w\s]")
_TAG = re.compile(r"^\[[A-ZÆØÅ][A-ZÆØÅ0-9_]*_\d+\]$")
# The words a replacement may stand for (a name, an address): a handful, never a sentence.
_MAX_REPLACED_TOKENS = 6


def differs_only_by_anonymisation(exported: str, current: str, references: frozenset[str] = frozenset()) -> bool:
    """True when two texts differ only where an anonymiser's output could differ.

    Each differing stretch must have, on one side, only anonymisation output — tags
    (``[PERSON_3]``), informant references (``ansatt S1``), with at most a possessive
    ending or punctuation — against at most a few tokens on the other; or, for
    invented names (surrogates), a few capitalised words or numbers on both sides.
    Most of the text must be the same.
    """
    import difflib

    a, b = _TOKEN.findall(exported), _TOKEN.findall(current)
    if a == b:
        return True
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    same = sum(size for _, _, size in matcher.get_matching_blocks())
    if same * 2 < max(len(a), len(b)):
        return False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        left, right = a[i1:i2], b[j1:j2]
        if not (_is_anonymised(left, references) and len(right) <= _MAX_REPLACED_TOKENS
                or _is_anonymised(right, references) and len(left) <= _MAX_REPLACED_TOKENS
                or _is_pseudonym_swap(left, right)):
            return False
    return True


def _is_anonymised(tokens: list[str], references: frozenset[str]) -> bool:
    text = " ".join(tokens)
    found = False
    for reference in sorted(references, key=len, reverse=True):
        if reference and reference.lower() in text.lower():
            text = re.sub(re.escape(reference), " ", text, flags=re.IGNORECASE)
            found = True
    rest = []
    for token in text.split():
        if _TAG.match(token):
            found = True
        else:
            rest.append(token)
    return found and all(not t.isalnum() or (t.isalpha() and len(t) <= 2) for t in rest)


def _is_pseudonym_swap(left: list[str], right: list[str]) -> bool:
    def name_like(tokens: list[str]) -> bool:
        return 0 < len(tokens) <= 4 and all(t[:1].isupper() or t.isdigit() for t in tokens if t.isalnum())

    return name_like(left) and name_like(right)


@dataclass(frozen=True)
class SheetDecisions:
    decisions: dict[str, set[str]]  # segment id -> codes, for rows marked reviewed
    rows: int
    reanchored: int  # rows accepted or re-found although anonymisation had changed the text


def read_review_decisions(path: Path, segments: list, code_ids: list[str],
                          references: frozenset[str] = frozenset()) -> SheetDecisions:
    """Validate a filled-in review sheet against the current anonymised informant segments."""
    header, rows = _read_sheet(path)
    for needed in ("segment_id", "text", "reviewed"):
        if needed not in header:
            raise QualpipeError(f"column '{needed}' is missing (use the sheet 'qualpipe review export' wrote)", path)
    known = set(FIXED_COLUMNS) | {COMMENT_COLUMN}
    for name in header:
        if name not in known and name not in code_ids:
            raise QualpipeError(f"unknown code column '{name}' (codebook codes: {', '.join(code_ids)})", path)
    if len(set(header)) != len(header):
        raise QualpipeError("a column name appears twice", path)
    missing = [code for code in code_ids if code not in header]
    if missing:
        raise QualpipeError(f"the column for code '{missing[0]}' is missing", path)
    col = {name: index for index, name in enumerate(header)}
    texts = {s.segment_id: s.text for s in segments}
    by_turn: dict[tuple[str, str], list] = {}
    for segment in segments:
        by_turn.setdefault((segment.informant_id, str(segment.turn_index)), []).append(segment)
    decisions: dict[str, set[str]] = {}
    seen: set[str] = set()
    reanchored = 0
    for number, row in enumerate(rows, start=2):
        segment_id = row[col["segment_id"]].strip()
        text = row[col["text"]]
        if segment_id not in texts:
            # Re-find it by its place: the same informant's turn, a text that differs only by anonymisation.
            place = tuple(row[col[c]].strip() if c in col else "" for c in ("informant_id", "turn"))
            found = [s.segment_id for s in by_turn.get(place, [])
                     if differs_only_by_anonymisation(text, s.text, references)]
            if len(found) != 1:
                raise QualpipeError(f"row {number}: unknown segment id '{segment_id}'", path)
            segment_id = found[0]
            reanchored += 1
        elif not _same_text(text, texts[segment_id]):
            if not differs_only_by_anonymisation(text, texts[segment_id], references):
                raise QualpipeError(f"row {number}: the text of segment '{segment_id}' was edited; "
                                    "decide on the text as exported (edit the transcript instead)", path)
            reanchored += 1
        if segment_id in seen:
            raise QualpipeError(f"row {number}: segment id '{segment_id}' appears twice", path)
        seen.add(segment_id)
        marks = {}
        for name in ["reviewed", *code_ids]:
            value = row[col[name]].strip().lower()
            if value not in YES and value not in NO:
                raise QualpipeError(f"row {number}, column '{name}': '{row[col[name]]}' is not a mark "
                                    "(use x for yes, leave blank for no)", path)
            marks[name] = value in YES
        if marks["reviewed"]:
            decisions[segment_id] = {code for code in code_ids if marks[code]}
    return SheetDecisions(decisions, len(rows), reanchored)


def informant_references(study: Study, store: StudyStore) -> frozenset[str]:
    """How the anonymiser refers to informants in the text ("ansatt S1")."""
    from ..anonymise.sources import informant_label

    return frozenset(informant_label(study, i) for i in store.informants())


def import_review(study: Study, path: Path, coder: str) -> ReviewImport:
    check_coder_id(coder)
    codebook = load_codebook(study.codebook_path)
    limits = study.settings.limits
    check_spreadsheet(Path(path), limits.max_file_bytes, limits.max_unpacked_bytes)
    if not study.store_path.exists():
        raise QualpipeError("no anonymised segments yet; run 'qualpipe run' first", study.store_path)
    with StudyStore(study.store_path) as store:
        sheet = read_review_decisions(Path(path), store.segments(speaker="informant"), codebook.ids,
                                      informant_references(study, store))
        apply_human_decisions(study, store, coder, sheet.decisions, codebook.version, codebook.ids)
    return ReviewImport(coder=coder, decided=len(sheet.decisions), rows=sheet.rows,
                        path=study.human_dir / f"{coder}.csv", reanchored=sheet.reanchored)
