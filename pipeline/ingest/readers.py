"""Read transcript files of every supported format into plain text lines.

Each reader returns :class:`RawLines`: the lines in reading order and the
encoding the bytes were decoded from. Subtitle readers (WebVTT, SubRip) give
one line per cue text line and the cue's start time, so the turn parser can
treat all formats alike. Every failure is a :class:`QualpipeError` naming the
file and the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QualpipeError
from ..safeio import BoundedZip, parse_xml, read_input_bytes, safe_text
from ..settings import LimitSettings

SUPPORTED_SUFFIXES = (".txt", ".docx", ".odt", ".vtt", ".srt")


@dataclass
class Line:
    text: str
    timestamp: str | None = None  # a subtitle cue's start time
    cue: bool = False  # from a subtitle cue: continuation joins with a space


@dataclass
class RawLines:
    format: str
    encoding: str
    lines: list[Line]
    notes: list[str] = field(default_factory=list)


def read_transcript(path: Path, data: bytes | None = None, limits: LimitSettings | None = None,
                    root: Path | None = None) -> RawLines:
    """Dispatch on the file suffix.

    ``limits`` bound the file (``max_file_mb``) and what its container may unpack
    (``max_unpacked_mb``); ``root`` is the study folder a symbolic link may not leave.
    """
    path = Path(path)
    limits = limits or LimitSettings()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise QualpipeError(f"unsupported transcript format '{safe_text(suffix)}' (use {', '.join(SUPPORTED_SUFFIXES)})",
                            path)
    if data is None:
        data = read_input_bytes(path, limits.max_file_bytes, root)
    elif len(data) > limits.max_file_bytes:
        raise QualpipeError(f"file is over the limit of {limits.max_file_mb:g} MB (limits.max_file_mb in study.yaml)",
                            path)
    if not data.strip():
        raise QualpipeError("file is empty", path)
    if suffix == ".docx":
        return _read_docx(path, data, limits.max_unpacked_bytes)
    if suffix == ".odt":
        return _read_odt(path, data, limits.max_unpacked_bytes)
    text, encoding, notes = decode_text(path, data)
    if suffix == ".txt":
        lines = [Line(line) for line in text.split("\n")]
        return RawLines("txt", encoding, lines, notes)
    return RawLines(suffix[1:], encoding, _read_cues(path, text, suffix), notes)


# ------------------------------------------------------------------ plain text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def decode_text(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """Decode bytes to text with ``\\n`` line ends.

    UTF-8 (with or without BOM) and UTF-16 with BOM are taken as they are.
    Otherwise Windows-1252 then Latin-1 — the encodings Norwegian Word and
    older transcription tools write — and the conversion is reported. Text
    that decodes only to control characters is refused as undecodable.
    """
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = _strict(path, data[3:], "utf-8"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = _strict(path, data, "utf-16"), "utf-16"
        notes.append(f"{safe_text(path.name)}: converted from UTF-16")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            for candidate in ("cp1252", "latin-1"):
                try:
                    text = data.decode(candidate)
                except UnicodeDecodeError:
                    continue
                if not _CONTROL.search(text):
                    encoding = candidate
                    notes.append(f"{safe_text(path.name)}: not UTF-8; decoded as {candidate} and converted")
                    break
            else:
                raise QualpipeError("undecodable bytes: not UTF-8, UTF-16, Windows-1252 or Latin-1 text", path)
    if "\x00" in text or len(_CONTROL.findall(text)) > max(3, len(text) // 1000):
        raise QualpipeError(f"undecodable bytes: binary data or control characters in {encoding} text", path)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise QualpipeError("file is empty", path)
    return text, encoding, notes


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise QualpipeError(f"undecodable bytes at position {exc.start} (file says {encoding})", path) from exc


# ------------------------------------------------------------- word processors
#
# Both formats are ZIP containers of XML. Only the one XML part holding the text is
# unpacked (within the unpack budget) and parsed without entities, DTDs or comments and
# with libxml2's depth limit (pipeline.safeio), so a hostile file costs a bounded time.

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OFFICE_DOCUMENT = "/officeDocument"


def _docx_main_part(archive: BoundedZip, path: Path) -> str:
    """The main document part named by _rels/.rels (word/document.xml in practice)."""
    rels = archive.find("_rels/.rels")
    if rels is not None:
        root = parse_xml(archive.read(rels), path, "the package relationships (_rels/.rels)")
        for rel in root:
            if isinstance(rel.tag, str) and (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT):
                target = (rel.get("Target") or "").lstrip("/")
                found = archive.find(target)
                if found is not None:
                    return found
    found = archive.find("word/document.xml")
    if found is None:
        raise QualpipeError("not a valid .docx file (no main document part)", path)
    return found


def _read_docx(path: Path, data: bytes, max_unpacked: int) -> RawLines:
    with BoundedZip(data, path, "not a valid .docx file", max_unpacked) as archive:
        part = _docx_main_part(archive, path)
        # python-docx's parser settings (blank text between elements dropped), with our bounds.
        root = parse_xml(archive.read(part), path, f"the document ({safe_text(part)})", remove_blank_text=True)
    body = root.find(f"{_W}body")
    if body is None:
        raise QualpipeError("not a valid .docx file (the document has no body)", path)
    lines: list[Line] = []
    # Walk paragraphs and tables in document order; a two-column table row
    # (speaker | text) is read as "speaker: text", as some transcribers write.
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            lines.extend(Line(part) for part in _paragraph_text(child).split("\n"))
        elif child.tag == f"{_W}tbl":
            for cells in _table_rows(child, path):
                cells = [cell.strip() for cell in cells]
                cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
                if len(cells) >= 2 and len(cells[0]) <= 30:
                    label = cells[0].rstrip(":")
                    lines.append(Line(f"{label}: {' '.join(cells[1:])}"))
                elif cells:
                    lines.append(Line(" ".join(cells)))
    if not any(line.text.strip() for line in lines):
        raise QualpipeError("file is empty (the document has no text)", path)
    return RawLines("docx", "utf-8", lines)


def _int_val(element, default: int) -> int:
    value = (element.get(f"{_W}val") or "").strip() if element is not None else ""
    return int(value) if value.isdigit() else default


def _table_rows(table, path: Path) -> list[list[str]]:
    """The cell texts of each row, as python-docx's ``row.cells`` gives them: a cell spanning
    n grid columns n times, a vertically merged cell (vMerge continue) with the text of the
    cell it continues. One pass, no recursion: a hostile chain of 10 000 merged cells costs
    10 000 steps (python-docx walks it again for every row)."""
    rows: list[list[str]] = []
    above: dict[int, tuple[str, int]] = {}  # grid offset -> (text, span) of the row above
    for tr in table.findall(f"{_W}tr"):
        properties = tr.find(f"{_W}trPr")
        offset = _int_val(properties.find(f"{_W}gridBefore") if properties is not None else None, 0)
        here: dict[int, tuple[str, int]] = {}
        cells: list[str] = []
        for tc in tr.findall(f"{_W}tc"):
            tc_pr = tc.find(f"{_W}tcPr")
            span = max(1, _int_val(tc_pr.find(f"{_W}gridSpan") if tc_pr is not None else None, 1))
            merge = tc_pr.find(f"{_W}vMerge") if tc_pr is not None else None
            if merge is not None and (merge.get(f"{_W}val") or "continue") == "continue":
                if offset not in above:
                    raise QualpipeError("not a valid .docx file (a merged table cell continues nothing)", path)
                text, span = above[offset]
            else:
                text = "\n".join(_docx_paragraph_text(p) for p in tc.findall(f"{_W}p"))
            here[offset] = (text, span)
            cells.extend([text] * span)
            offset += span
        rows.append(cells)
        above = here
    return rows


def _docx_paragraph_text(p) -> str:
    """A table cell paragraph's text as python-docx reads it: runs and hyperlinks directly in
    the paragraph; in a run its text, tabs, line (not page) breaks and non-breaking hyphens."""
    parts: list[str] = []
    ordered = []  # runs and the runs of hyperlinks, in document order
    for child in p:
        if child.tag == f"{_W}r":
            ordered.append(child)
        elif child.tag == f"{_W}hyperlink":
            ordered.extend(r for r in child if r.tag == f"{_W}r")
    for run in ordered:
        for node in run:
            tag = node.tag
            if tag == f"{_W}t":
                parts.append(node.text or "")
            elif tag == f"{_W}tab" or tag == f"{_W}ptab":
                parts.append("\t")
            elif tag == f"{_W}br":
                parts.append("\n" if (node.get(f"{_W}type") or "textWrapping") == "textWrapping" else "")
            elif tag == f"{_W}cr":
                parts.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
    return "".join(parts)


def _paragraph_text(element) -> str:
    """Text of a w:p element, with w:br/w:cr as line breaks and w:tab as a tab."""
    parts: list[str] = []
    for node in element.iter():
        if not isinstance(node.tag, str):  # comments and processing instructions carry no text
            continue
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t" and node.text:
            parts.append(node.text)
        elif tag in ("br", "cr"):
            parts.append("\n")
        elif tag == "tab":
            parts.append("\t")
    return "".join(parts)


_ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
# <text:s text:c="N"/> is N spaces; a hostile file could ask for billions.
_MAX_SPACES = 1000


def _read_odt(path: Path, data: bytes, max_unpacked: int) -> RawLines:
    with BoundedZip(data, path, "not a valid .odt file", max_unpacked) as archive:
        content = archive.find("content.xml")
        if content is None:
            raise QualpipeError("not a valid .odt file (no content.xml)", path)
        root = parse_xml(archive.read(content), path, "the document (content.xml)")
    body = root.find(f"{_ODF_OFFICE}body")
    text = body.find(f"{_ODF_OFFICE}text") if body is not None else None
    if text is None:
        raise QualpipeError("not a valid .odt file (no text body; is it a text document?)", path)
    lines: list[Line] = []
    for paragraph in _odt_paragraphs(text):
        lines.extend(Line(part) for part in _odt_text(paragraph).split("\n"))
    if not any(line.text.strip() for line in lines):
        raise QualpipeError("file is empty (the document has no text)", path)
    return RawLines("odt", "utf-8", lines)


def _odt_paragraphs(element):
    """Paragraphs and headings in document order, descending into lists, sections and tables
    (not into a paragraph: its frames and notes are part of its text)."""
    stack = list(reversed([child for child in element if isinstance(child.tag, str)]))
    while stack:
        node = stack.pop()
        if node.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"):
            yield node
        else:
            stack.extend(reversed([child for child in node if isinstance(child.tag, str)]))


def _odt_text(element) -> str:
    """A paragraph's text as odfpy's teletype.extractText reads it: text:s, text:tab and
    text:line-break unwrapped, every other element's text included."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            if child.tag == f"{_ODF_TEXT}line-break":
                parts.append("\n")
            elif child.tag == f"{_ODF_TEXT}tab":
                parts.append("\t")
            elif child.tag == f"{_ODF_TEXT}s":
                count = (child.get(f"{_ODF_TEXT}c") or "1").strip()
                parts.append(" " * min(int(count) if count.isdigit() else 1, _MAX_SPACES))
            else:
                parts.append(_odt_text(child))  # depth is bounded by the XML parser (256)
        parts.append(child.tail or "")
    return "".join(parts)


# ------------------------------------------------------------------- subtitles

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}"
)
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]+)?\s+([^>]+)>\s*")
_TAG = re.compile(r"</?[^>]+>")


def _read_cues(path: Path, text: str, suffix: str) -> list[Line]:
    """Cue text lines of a WebVTT or SubRip file, each with its cue's start time."""
    blocks = re.split(r"\n\s*\n", text.strip())
    if suffix == ".vtt":
        if not blocks[0].lstrip().startswith("WEBVTT"):
            raise QualpipeError("not a WebVTT file (the first line must be WEBVTT)", path)
        blocks = blocks[1:]
    lines: list[Line] = []
    cues = 0
    for block in blocks:
        block_lines = block.split("\n")
        if block_lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, line in enumerate(block_lines) if _TIMING.match(line)), None)
        if timing_at is None:
            continue  # a stray block without timing carries no speech
        cues += 1
        start = _TIMING.match(block_lines[timing_at]).group("start").replace(",", ".")
        for raw in block_lines[timing_at + 1:]:
            voice = _VOICE.match(raw)
            if voice:  # WebVTT voice span <v Intervjuer> -> "Intervjuer: ..."
                raw = f"{voice.group(1).strip()}: {raw[voice.end():]}"
            cleaned = _TAG.sub("", raw).strip()
            if cleaned:
                lines.append(Line(cleaned, timestamp=start, cue=True))
    if cues == 0:
        raise QualpipeError(f"no subtitle cues with timings found in this .{suffix[1:]} file", path)
    return lines
