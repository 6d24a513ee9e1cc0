"""Read transcript files of every supported format into plain text lines.

Each reader returns :class:`RawLines`: the lines in reading order and the
encoding the bytes were decoded from. Subtitle readers (WebVTT, SubRip) give
one line per cue text line and the cue's start time, so the turn parser can
treat all formats alike. Every failure is a :class:`QualpipeError` naming the
file and the problem.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QualpipeError

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


def read_transcript(path: Path, data: bytes | None = None) -> RawLines:
    """Dispatch on the file suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise QualpipeError(f"unsupported transcript format '{suffix}' (use {', '.join(SUPPORTED_SUFFIXES)})", path)
    data = path.read_bytes() if data is None else data
    if not data.strip():
        raise QualpipeError("file is empty", path)
    if suffix == ".docx":
        return _read_docx(path, data)
    if suffix == ".odt":
        return _read_odt(path, data)
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
        notes.append(f"{path.name}: converted from UTF-16")
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
                    notes.append(f"{path.name}: not UTF-8; decoded as {candidate} and converted")
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


def _open_zip(path: Path, data: bytes, kind: str) -> None:
    """Check the container before handing it to a library with vaguer errors."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise QualpipeError(f"not a valid {kind} file (not a complete ZIP container: {exc})", path) from exc
    except Exception as exc:  # truncated members raise zlib/struct errors
        raise QualpipeError(f"not a valid {kind} file (damaged or truncated: {exc})", path) from exc
    if bad is not None:
        raise QualpipeError(f"not a valid {kind} file (damaged member {bad})", path)


def _read_docx(path: Path, data: bytes) -> RawLines:
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _open_zip(path, data, ".docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise QualpipeError(f"not a valid .docx file ({exc})", path) from exc
    except Exception as exc:  # lxml errors on damaged XML
        raise QualpipeError(f"not a valid .docx file (unreadable document XML: {exc})", path) from exc
    lines: list[Line] = []
    body = document.element.body
    # Walk paragraphs and tables in document order; a two-column table row
    # (speaker | text) is read as "speaker: text", as some transcribers write.
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.extend(Line(part) for part in _paragraph_text(child).split("\n"))
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = [cell.text.strip() for cell in row.cells]
                cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
                if len(cells) >= 2 and len(cells[0]) <= 30:
                    label = cells[0].rstrip(":")
                    lines.append(Line(f"{label}: {' '.join(cells[1:])}"))
                elif cells:
                    lines.append(Line(" ".join(cells)))
    if not any(line.text.strip() for line in lines):
        raise QualpipeError("file is empty (the document has no text)", path)
    return RawLines("docx", "utf-8", lines)


def _paragraph_text(element) -> str:
    """Text of a w:p element, with w:br/w:cr as line breaks and w:tab as a tab."""
    parts: list[str] = []
    for node in element.iter():
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t" and node.text:
            parts.append(node.text)
        elif tag in ("br", "cr"):
            parts.append("\n")
        elif tag == "tab":
            parts.append("\t")
    return "".join(parts)


def _read_odt(path: Path, data: bytes) -> RawLines:
    import io

    from odf import teletype
    from odf.opendocument import load

    _open_zip(path, data, ".odt")
    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises KeyError/XML errors on damaged files
        raise QualpipeError(f"not a valid .odt file ({exc.__class__.__name__}: {exc})", path) from exc
    lines: list[Line] = []
    for element in document.text.childNodes:
        for paragraph in _odt_paragraphs(element):
            lines.extend(Line(part) for part in teletype.extractText(paragraph).split("\n"))
    if not any(line.text.strip() for line in lines):
        raise QualpipeError("file is empty (the document has no text)", path)
    return RawLines("odt", "utf-8", lines)


def _odt_paragraphs(element):
    """Paragraphs and headings in document order, descending into lists and sections."""
    from odf.namespaces import TEXTNS

    if getattr(element, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
        yield element
        return
    for child in getattr(element, "childNodes", []):
        yield from _odt_paragraphs(child)


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
