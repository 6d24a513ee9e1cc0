"""Context tables: public statistics shown next to the interview findings.

Every ``*.csv`` in ``data/raw/context/`` becomes a table and a chart in the
report's context chapter. A context CSV is an ordinary CSV with a few leading
``# Key: value`` lines that say what it is (see docs/report.md):

    # Tittel: Kommunale boliger solgt til leietakerne, Trondheim kommune 2009–2018
    # Kilde: SSB KOSTRA
    # Diagram: søyle
    # Sum: ja
    år,solgte boliger (antall)
    2009,9
    ...

``Kilde`` (source) is required: a figure without its source must not reach a
report. The first column holds the categories (usually years); every other
column must be numeric (``.`` as decimal mark, empty = missing) and should
name its unit in parentheses, because the column name becomes the chart's
axis label.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import QualpipeError

# Accepted header keys (Norwegian or English) -> field name.
_KEYS = {
    "tittel": "title", "title": "title",
    "kilde": "source", "source": "source",
    "enhet": "unit", "unit": "unit",
    "diagram": "chart", "chart": "chart",
    "sum": "total", "total": "total",
    "merknad": "note", "note": "note",
}
_CHARTS = {"søyle": "bar", "soyle": "bar", "bar": "bar", "linje": "line", "line": "line"}
_YES = {"ja": True, "yes": True, "true": True, "nei": False, "no": False, "false": False}


@dataclass(frozen=True)
class ContextTable:
    """One context CSV, parsed and checked."""

    name: str  # file stem, also the figure's file name
    path: Path
    title: str
    source: str
    unit: str
    chart: str  # "bar" or "line"
    total: bool  # add a sum row (counts per year)
    note: str
    columns: tuple[str, ...]  # first = categories, rest = numeric series
    categories: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]  # one tuple per numeric column
    decimals: tuple[int, ...]  # decimals to show per numeric column (as written, at most 2)

    @property
    def series(self) -> list[tuple[str, tuple[float | None, ...], int]]:
        """(column name, values, decimals) per numeric column."""
        return list(zip(self.columns[1:], self.values, self.decimals))

    def totals(self) -> tuple[float | None, ...]:
        return tuple(sum(v for v in values if v is not None) if any(v is not None for v in values) else None
                     for values in self.values)


def read_context_table(path: Path) -> ContextTable:
    """Parse one context CSV; any problem is a QualpipeError naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QualpipeError("context table is not UTF-8 text", path) from exc
    meta: dict[str, str] = {}
    body: list[tuple[int, str]] = []  # (line number, line): rows are one line each
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#") and not body:
            key, sep, value = stripped.lstrip("#").partition(":")
            field = _KEYS.get(key.strip().lower())
            if not sep or field is None:
                raise QualpipeError(
                    f"line {number}: unknown header line '{stripped}' "
                    f"(use '# Key: value' with key one of {', '.join(sorted(set(_KEYS)))})", path)
            meta[field] = value.strip()
        else:
            body.append((number, line))
    if not meta.get("source"):
        raise QualpipeError("missing '# Kilde: ...' line (every context table needs its source)", path)
    rows = [(number, next(csv.reader([line]))) for number, line in body]
    if len(rows) < 2:
        raise QualpipeError("context table needs a header row and at least one data row", path)
    header = [cell.strip() for cell in rows[0][1]]
    if len(header) < 2 or any(not cell for cell in header):
        raise QualpipeError("header needs a category column and at least one named numeric column", path)
    categories: list[str] = []
    columns: list[list[float | None]] = [[] for _ in header[1:]]
    decimals = [0] * (len(header) - 1)
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise QualpipeError(f"line {line}: {len(row)} cells, header has {len(header)}", path)
        categories.append(row[0].strip())
        for index, cell in enumerate(row[1:]):
            cell = cell.strip().replace(" ", "")
            if not cell:
                columns[index].append(None)
                continue
            try:
                columns[index].append(float(cell))
            except ValueError:
                raise QualpipeError(
                    f"line {line}: '{cell}' in column '{header[index + 1]}' is not a number "
                    "(use . as decimal mark)", path) from None
            if "." in cell:
                decimals[index] = min(2, max(decimals[index], len(cell.split(".", 1)[1])))
    chart = meta.get("chart", "bar").lower()
    if chart not in _CHARTS:
        raise QualpipeError(f"'Diagram: {chart}' is not known (use søyle or linje)", path)
    total_setting = meta.get("total", "nei").lower()
    if total_setting not in _YES:
        raise QualpipeError(f"'Sum: {total_setting}' must be ja or nei", path)
    table = ContextTable(
        name=path.stem, path=path, title=meta.get("title") or path.stem, source=meta["source"],
        unit=meta.get("unit", ""), chart=_CHARTS[chart], total=_YES[total_setting], note=meta.get("note", ""),
        columns=tuple(header), categories=tuple(categories), values=tuple(tuple(c) for c in columns),
        decimals=tuple(decimals),
    )
    return table


def read_context_tables(context_dir: Path) -> list[ContextTable]:
    """All context tables of a study, sorted by file name; none if the folder is absent."""
    if not context_dir.is_dir():
        return []
    return [read_context_table(p) for p in sorted(context_dir.glob("*.csv"))]


def format_number(value: float | None, decimals: int = 0) -> str:
    """Norwegian number style: no-break space as thousands separator, comma as decimal mark."""
    from ..norwegian import number

    return number(value, decimals)
