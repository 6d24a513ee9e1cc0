"""Context tables (data/raw/context/*.csv): parsing, errors, figures, and the demo study's two tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import QualpipeError
from pipeline.report.context import format_number, read_context_table, read_context_tables
from pipeline.report.figures import context_figure
from pipeline.report.model import _context_section

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_context_tables_hold_the_published_figures():
    tables = {t.name: t for t in read_context_tables(REPO / "data" / "raw" / "context")}
    kostra = tables["kostra_solgte_kommunale_boliger"]
    assert kostra.source == "SSB KOSTRA" and kostra.categories[0] == "2009" and kostra.categories[-1] == "2018"
    assert kostra.values[0] == (9, 21, 29, 27, 24, 24, 13, 33, 23, 26) and kostra.totals() == (229,)
    startlan = tables["husbanken_startlan_trondheim"]
    assert startlan.source == "Husbanken" and len(startlan.columns) == 7 and len(startlan.categories) == 9
    by_column = dict(zip(startlan.columns[1:], startlan.values))
    assert by_column["utbetalt (mill. kr)"][0] == 205.4 and by_column["gjennomsnittlig kjøpesum (kr)"][-1] == 2000000
    assert startlan.decimals == (0, 0, 1, 1, 0, 1)


def test_table_and_chart_rendering(tmp_path):
    table = read_context_table(write(tmp_path, "# Kilde: Husbanken\n# Tittel: Lån\n# Diagram: linje\n"
                                               "år,utbetalt (mill. kr),andel (%)\n2010,205.4,35.3\n2011,,34.5\n"))
    section = _context_section(table)
    assert section.table.header == ("År", "Utbetalt (mill. kr)", "Andel (%)")
    assert section.table.rows == (("2010", "205,4", "35,3"), ("2011", "–", "34,5"))
    assert section.table.note == "Kilde: Husbanken."
    figure = context_figure(table)
    assert figure.png[:4] == b"\x89PNG" and figure.png == context_figure(table).png
    assert "Kilde: Husbanken" in figure.alt and "Linjediagram" in figure.alt
    # Axis labels carry the units; æøå survive.
    assert "Mill. kr" in figure.text and "%" in figure.text and "år" in figure.text


@pytest.mark.parametrize("text, message", [
    ("år,n\n2010,1\n", "missing '# Kilde"),
    ("# Source: x\n# Farge: rød\når,n\n2010,1\n", "unknown header line"),
    ("# Kilde: x\når,n\n2010,mange\n", "line 3: 'mange' in column 'n' is not a number"),
    ("# Kilde: x\når,n\n2010,1,2\n", "line 3: 3 cells, header has 2"),
    ("# Kilde: x\når\n2010\n", "header needs a category column"),
    ("# Kilde: x\n# Diagram: kake\når,n\n2010,1\n", "'Diagram: kake' is not known"),
    ("# Kilde: x\når,n\n", "needs a header row and at least one data row"),
])
def test_bad_context_tables_are_one_clear_error(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(QualpipeError, match=message) as caught:
        read_context_table(path)
    assert caught.value.path == path


def test_no_context_folder_means_no_context(tmp_path):
    assert read_context_tables(tmp_path / "missing") == []


def test_norwegian_number_format():
    assert format_number(1322200) == "1\u00a0322\u00a0200"
    assert format_number(205.4, 1) == "205,4"
    assert format_number(None) == "–"
