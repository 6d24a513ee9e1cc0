"""DOCX from the report's Markdown: real Word headings, tables, pictures with alt text.

The Markdown that ``templates/macros_md.j2`` writes uses a small, fixed set of
block shapes; this module reads exactly those back and builds the Word
document with python-docx. So the DOCX says what the Markdown says, from the
same template, without a second copy of the report's structure.

Deterministic: core properties (created/modified) are set to the report's
generated-at time, and the zip is rewritten with fixed entry dates, so the
same data and generated-at give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime, timezone

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .render import md_unescape

_IMAGE = re.compile(r"^!\[(?P<alt>(?:\\.|[^\]\\])*)\]\((?P<path>[^)]+)\)$")
_CAPTION = re.compile(r"^\*(?P<kind>Tabell|Figur) (?P<n>\d+): (?P<text>.*)\*$")
# **bold**, *italic*, or plain text with escapes; escapes never start a run.
_INLINE = re.compile(r"\*\*(?P<bold>(?:\\.|[^*\\])+)\*\*|\*(?P<italic>(?:\\.|[^*\\])+)\*|(?P<plain>(?:\\.|[^*\\])+)")
_FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def markdown_to_docx(markdown: str, pngs: Mapping[str, bytes], title: str, generated_at: datetime) -> bytes:
    """Build the DOCX. ``pngs``: figure path as written in the Markdown -> PNG bytes.

    ``generated_at`` becomes the document's created/modified time (the only
    time stamp in the file).
    """
    document = Document()
    _base_style(document)
    lines = markdown.splitlines()
    i = 0
    pending_caption: str | None = None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            text = md_unescape(line[level:].strip())
            document.add_heading(text, level=0 if level == 1 else min(level - 1, 9))
            i += 1
        elif line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            _table(document, block, pending_caption)
            pending_caption = None
        elif line.startswith("> "):
            text = line[2:]
            if text.startswith("**Merk:**"):
                _inline(document.add_paragraph(style="Intense Quote"), text)
            else:
                _inline(document.add_paragraph(style="Quote"), text)
            i += 1
        elif line.startswith("- "):
            while i < len(lines) and lines[i].startswith("- "):
                _inline(document.add_paragraph(style="List Bullet"), lines[i][2:])
                i += 1
        elif (image := _IMAGE.match(line)):
            _picture(document, pngs[image.group("path")], md_unescape(image.group("alt")))
            i += 1
        elif (caption := _CAPTION.match(line)):
            if caption.group("kind") == "Tabell":
                pending_caption = line  # Word puts a table's caption above it: keep it for the table
            else:
                _caption(document, line)
            i += 1
        else:
            _inline(document.add_paragraph(), line)
            i += 1
    moment = generated_at.astimezone(timezone.utc).replace(microsecond=0)
    properties = document.core_properties
    properties.title = title
    properties.author = "qualpipe"
    properties.last_modified_by = "qualpipe"
    properties.language = "nb-NO"
    properties.created = moment
    properties.modified = moment
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def docx_text(data: bytes) -> str:
    """All text of a DOCX (paragraphs, table cells, picture alt texts), one per line: for the leak guard."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    parts.extend(element.get("descr", "") for element in document.element.body.iter(qn("wp:docPr")))
    properties = document.core_properties
    parts.extend([properties.title or "", properties.author or ""])
    return "\n".join(parts)


# ------------------------------------------------------------------ blocks


def _base_style(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2.2)


def _inline(paragraph, text: str) -> None:
    for match in _INLINE.finditer(text):
        if match.group("bold") is not None:
            paragraph.add_run(md_unescape(match.group("bold"))).bold = True
        elif match.group("italic") is not None:
            paragraph.add_run(md_unescape(match.group("italic"))).italic = True
        else:
            paragraph.add_run(md_unescape(match.group("plain")))


def _caption(document, line: str) -> None:
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(md_unescape(line.strip("*")))


def _cells(row: str) -> list[str]:
    inner = row.strip()[1:-1] if row.strip().endswith("|") else row.strip()[1:]
    cells = re.split(r"(?<!\\)\|", inner)
    return [md_unescape(c.strip()) for c in cells]


def _table(document, block: list[str], caption: str | None) -> None:
    if caption:
        _caption(document, caption)
    header = _cells(block[0])
    right = ["---:" in spec for spec in block[1].strip("|").split("|")]
    body = [_cells(row) for row in block[2:]]
    table = document.add_table(rows=1 + len(body), cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for r, (row, values) in enumerate(zip(table.rows, [header, *body])):
        cells = row.cells  # python-docx builds the row's cells anew on every access
        for c, value in enumerate(values):
            cell = cells[c]
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(9)
            if r == 0:
                run.bold = True
                _shade(cell, "EAF2F8")
            if c < len(right) and right[c]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # Repeat the header row on every page a long table spans.
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    document.add_paragraph()


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _picture(document, png: bytes, alt: str) -> None:
    document.add_picture(io.BytesIO(png), width=Cm(16))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # Word reads alt text from the drawing's docPr "descr" attribute.
    inline = document.inline_shapes[-1]._inline
    inline.docPr.set("descr", alt)
    inline.docPr.set("title", alt[:60])


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed entry dates (python-docx stamps them with the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return buffer.getvalue()

