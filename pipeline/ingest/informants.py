"""Read and check the informants table (``data/raw/informants.csv`` or ``.xlsx``).

Required columns: ``id``, ``file``, ``group``. Every further column becomes an
informant attribute for comparison (``age_group``, ``year_bought`` ...), except
``name``, which is private: it feeds the anonymiser (the informant is then
called by study id) and is never stored in data/coded/. So are the label
columns ``speaker_label`` (the informant's speaker label in their transcript,
for researchers who label turns by name: ``Ragnhild:``) and
``interviewer_label``; several labels are separated by ";".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QualpipeError
from ..records import Informant

REQUIRED = ("id", "file", "group")
LABEL_COLUMNS = ("speaker_label", "interviewer_label")
PRIVATE_COLUMNS = ("name", *LABEL_COLUMNS)


def shareable_file_name(informant_id: str, file: str) -> str:
    """The name a transcript has in everything shareable: the informant id and the file's suffix.

    Always, not only when a name is detected in it: people name transcripts after
    their informants (``Hamid_Rahimi.txt``, ``intervju_amina_92418337.docx``), and
    no detector is reliable on a bare file name. The raw name stays in data/raw/
    and data/private/ (see docs/anonymisation.md, "File names").
    """
    suffix = Path(file).suffix.lower()
    return f"{informant_id}{suffix}"


@dataclass(frozen=True)
class InformantTable:
    informants: list[Informant]
    names: dict[str, str]  # informant id -> real name (private; may be empty)
    path: Path
    # informant id -> (informant labels, interviewer labels) from the label columns (private)
    labels: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)


def find_table(raw_dir: Path) -> Path:
    for name in ("informants.csv", "informants.xlsx"):
        if (raw_dir / name).exists():
            return raw_dir / name
    raise QualpipeError("informants table not found (expected informants.csv or informants.xlsx)", raw_dir)


def check_shareable_informants(study, table: InformantTable) -> None:
    """Ids, groups and attribute values reach data/coded/ (study.sqlite, informants.csv, the
    .qdpx): each passes the study's leak guard and the structured-identifier recognizers first;
    a refusal names the table, the column and the row (never the id: it is one of the texts checked)."""
    from ..anonymise.guard import require_guard

    fields = []
    for number, informant in enumerate(table.informants, start=2):  # read_informants keeps the rows' order
        where = f"{table.path.name} (column '{{}}', row {number})"
        fields.append((where.format("id"), informant.id))
        fields.append((where.format("group"), informant.group))
        fields += [(where.format(column), value) for column, value in sorted(informant.attributes.items()) if value]
    require_guard(study).check_table_fields(fields, study.store_path)


def read_informants(path: Path, groups: list[str]) -> InformantTable:
    """Read the table and check ids, groups and required columns."""
    rows = _read_rows(path)
    if not rows:
        raise QualpipeError("informants table has no rows", path)
    header = list(rows[0].keys())
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise QualpipeError(f"missing column(s) {', '.join(missing)} (required: id,file,group)", path)
    informants: list[Informant] = []
    names: dict[str, str] = {}
    labels: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    seen_ids: dict[str, int] = {}
    seen_files: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"row {number}"
        informant_id, file, group = (row["id"], row["file"], row["group"])
        if not informant_id:
            raise QualpipeError(f"{where}: empty id", path)
        if informant_id in seen_ids:
            raise QualpipeError(f"duplicate informant id '{informant_id}' (rows {seen_ids[informant_id]} and {number})", path)
        seen_ids[informant_id] = number
        if not file:
            raise QualpipeError(f"{where}: empty file for informant '{informant_id}'", path)
        if file in seen_files:
            raise QualpipeError(f"{where}: file '{file}' is already used by informant '{seen_files[file]}'", path)
        seen_files[file] = informant_id
        if not group:
            raise QualpipeError(f"{where}: empty group for informant '{informant_id}'", path)
        if groups and group not in groups:
            raise QualpipeError(
                f"{where}: unknown group '{group}' for informant '{informant_id}' "
                f"(declared in study.yaml: {', '.join(groups)})", path)
        attributes = {k: v for k, v in row.items() if k not in REQUIRED and k not in PRIVATE_COLUMNS}
        if row.get("name"):
            names[informant_id] = row["name"]
        own, interviewer = (tuple(part.strip().rstrip(":").strip() for part in row.get(column, "").split(";")
                                  if part.strip().rstrip(":").strip()) for column in LABEL_COLUMNS)
        if own or interviewer:
            labels[informant_id] = (own, interviewer)
        informants.append(Informant(id=informant_id, file=file, group=group, attributes=attributes))
    return InformantTable(informants, names, path, labels)


def check_against_transcripts(table: InformantTable, transcript_files: list[str], transcripts_dir: Path) -> None:
    """Every row names an existing transcript and every transcript has a row."""
    present = set(transcript_files)
    for informant in table.informants:
        if informant.file not in present:
            raise QualpipeError(
                f"informant '{informant.id}': transcript file '{informant.file}' not found in {transcripts_dir}", table.path)
    listed = {i.file for i in table.informants}
    for file in transcript_files:
        if file not in listed:
            raise QualpipeError(f"transcript has no row in {table.path.name}", transcripts_dir / file)


def _read_rows(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252", errors="strict")
        except UnicodeDecodeError as exc:
            raise QualpipeError(f"informants table is neither UTF-8 nor Windows-1252 text (byte {exc.start})",
                                path) from None
    if not text.strip():
        raise QualpipeError("informants table is empty", path)
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    table = [row for row in reader if any(cell.strip() for cell in row)]
    return _rows_from_table(path, table)


def _read_xlsx(path: Path) -> list[dict[str, str]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise QualpipeError(f"not a valid .xlsx file ({exc})", path) from exc
    sheet = workbook.worksheets[0]
    table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    table = [row for row in table if any(cell for cell in row)]
    return _rows_from_table(path, table)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 2010 as 2010.0
    return str(value).strip()


def _rows_from_table(path: Path, table: list[list[str]]) -> list[dict[str, str]]:
    if not table:
        raise QualpipeError("informants table is empty", path)
    header = [h.strip().lstrip("\ufeff").lower() for h in table[0]]
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        raise QualpipeError("informants table has duplicate column names", path)
    rows = []
    for values in table[1:]:
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            raise QualpipeError(f"row {len(rows) + 2}: more values than columns", path)
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}
        rows.append(row)
    return rows
