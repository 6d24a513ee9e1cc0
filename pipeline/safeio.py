"""Bounded, careful reading of untrusted input — and escaping of what we write for spreadsheets.

Everything a study is made from may be hostile or simply broken: a transcript
of 200 MB, a .docx whose XML nests 10 000 levels deep, a .qdpx whose sources
all point at one huge member, a 12 KB YAML "alias bomb", a symlink to a file
outside the study, a file name with a newline in it. The readers here turn each
of these into one :class:`QualpipeError` naming the file and the problem, fast,
without reading more than a bound:

* :func:`read_input_bytes` — one input file: no symlink out of the study, no
  special files, at most ``limits.max_file_mb``.
* :class:`BoundedZip` — a ZIP container (.docx, .odt, .qdpx): at most
  ``limits.max_unpacked_mb`` unpacked in total, each member read at most once.
* :func:`parse_xml` — XML without entities, DTDs, network or comments; libxml2's
  depth limit (256 levels) without ``huge_tree``.
* :func:`load_yaml` — YAML with a depth limit, a budget for what aliases expand
  to, and duplicate keys found while composing (never by following aliases).

And for output: :func:`escape_cell` (OWASP's rule against CSV/formula injection)
and :func:`safe_text` (control characters in names and messages made visible).
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from pathlib import Path

import yaml

from .errors import QualpipeError

MB = 1024 * 1024
# study.yaml and codebook.yaml are read before any setting is known: a fixed bound.
MAX_SETTINGS_BYTES = 5 * MB
MAX_ZIP_MEMBERS = 20_000
YAML_MAX_DEPTH = 60
# Values a YAML document may expand to (aliases counted as often as they are used).
YAML_MAX_NODES = 200_000


# --------------------------------------------------------------------- output escaping

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text starting with none of these never needs escaping (apostrophes may stand before a trigger):
# a cheap test before :func:`needs_escape`, for writers of many cells (store.rows_to_csv).
MAY_NEED_ESCAPE = frozenset(("'", *FORMULA_TRIGGERS))
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


def needs_escape(value: str) -> bool:
    """True for text a spreadsheet would evaluate (a plain number such as -0.25 is just a number)."""
    bare = value.lstrip("'")
    return bool(bare) and bare[0] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.match(bare)


def escape_cell(value):
    """OWASP's rule for CSV injection: text starting with = + - @ tab or CR gets a leading
    apostrophe. Text that already starts with apostrophes before such a character gets one
    more, so :func:`unescape_cell` gives back exactly what was written. Non-text is unchanged."""
    if isinstance(value, str) and needs_escape(value):
        return "'" + value
    return value


def unescape_cell(value):
    """Undo :func:`escape_cell` (for reading our own CSVs back: human files, review sheets)."""
    if isinstance(value, str) and value.startswith("'") and needs_escape(value[1:]):
        return value[1:]
    return value


def xlsx_cell(cell, value) -> None:
    """Put ``value`` into an openpyxl cell so that no spreadsheet runs it: text is stored as a
    string, never a formula, and formula-like text is marked quote-prefixed (Excel's own
    leading apostrophe, which also keeps it text when someone edits the cell)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if needs_escape(value):
            cell.quotePrefix = True


# -------------------------------------------------------------------- names, messages

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def safe_text(text: str) -> str:
    """Control, line-separator and bidi characters written as escapes (``\\n``, ``\\x1b``), so a
    file name with a newline cannot start a second line of output."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xff
                                           else f"\\x{ord(m.group()):02x}"), text)


# ------------------------------------------------------------------------- input files


def check_inside(path: Path, root: Path) -> Path:
    """Refuse a path that (through a symbolic link) leaves the study folder ``root``."""
    path = Path(path)
    real_root = Path(root).resolve()
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise QualpipeError("file not found (a broken symbolic link?)", path) from None
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise QualpipeError(f"cannot resolve the path ({type(exc).__name__})", path) from None
    if real != real_root and real_root not in real.parents:
        raise QualpipeError("is a symbolic link to a file outside the study folder; copy the file into "
                            "the study instead", path)
    return real


def read_input_bytes(path: Path, max_bytes: int, root: Path | None = None,
                     setting: str = "limits.max_file_mb") -> bytes:
    """The bytes of one input file, read only if it is a regular file inside ``root`` (when
    given) of at most ``max_bytes``; a larger file is refused before it is read."""
    path = Path(path)
    real = check_inside(path, root) if root is not None else path
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise QualpipeError("file not found", path) from None
    except OSError as exc:
        raise QualpipeError(f"cannot read the file ({exc.strerror})", path) from None
    if not stat.S_ISREG(info.st_mode):
        raise QualpipeError("not a regular file (a folder, device or pipe)", path)
    if info.st_size > max_bytes:
        raise QualpipeError(f"file is {_mb(info.st_size)}, over the limit of {_mb(max_bytes)} ({setting} in "
                            "study.yaml; raise it if this file is right)", path)
    try:
        with open(real, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise QualpipeError(f"cannot read the file ({exc.strerror})", path) from None
    if len(data) > max_bytes:  # grew while we looked
        raise QualpipeError(f"file is over the limit of {_mb(max_bytes)} ({setting} in study.yaml)", path)
    return data


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB" if size < 10 * MB else f"{size / MB:.0f} MB"


# ----------------------------------------------------------------------------- ZIP


class BoundedZip:
    """A ZIP container read within a budget of unpacked bytes, each member at most once.

    The budget counts the bytes actually unpacked (a member's declared size bounds what
    ``zipfile`` returns, so a lying header cannot unpack more). ``invalid`` starts the
    message for a broken container ("not a valid .docx file").
    """

    def __init__(self, source: bytes | Path, path: Path, invalid: str, max_unpacked: int,
                 setting: str = "limits.max_unpacked_mb"):
        self.path = Path(path)
        self.invalid = invalid
        self.budget = max_unpacked
        self.setting = setting
        self.unpacked = 0
        self._read: set[str] = set()
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
            raise QualpipeError(f"{invalid} (not a complete ZIP container: {type(exc).__name__})", path) from None
        if len(infos) > MAX_ZIP_MEMBERS:
            raise QualpipeError(f"{invalid} (the ZIP container lists {len(infos)} members)", path)
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not info.is_dir():
                self.members.setdefault(info.filename.replace("\\", "/").lstrip("/"), info)

    def __enter__(self) -> "BoundedZip":
        return self

    def __exit__(self, *exc) -> None:
        self._zip.close()

    def find(self, name: str) -> str | None:
        """The member called ``name`` (case-insensitive), or None."""
        if name in self.members:
            return name
        lowered = name.lower()
        return next((m for m in self.members if m.lower() == lowered), None)

    def check_declared(self) -> None:
        """Refuse a container whose members together declare more than the budget (for
        handing it to a library that unpacks every member, such as openpyxl)."""
        if sum(info.file_size for info in self.members.values()) > self.budget:
            raise QualpipeError(self.over_budget(), self.path)

    def over_budget(self) -> str:
        return f"unpacks to more than {_mb(self.budget)} ({self.setting} in study.yaml)"

    def read(self, name: str) -> bytes:
        """One member's bytes; reading a member a second time is an error (the caller decides
        whether two references to one member are legitimate)."""
        info = self.members[name]
        if name in self._read:
            raise QualpipeError(f"archive member number {list(self.members).index(name) + 1} is read twice",
                                self.path)
        self._read.add(name)
        if self.unpacked + info.file_size > self.budget:
            raise QualpipeError(self.over_budget(), self.path)
        chunks, size = [], 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(1 << 20):
                    size += len(chunk)
                    if self.unpacked + size > self.budget:
                        raise QualpipeError(self.over_budget(), self.path)
                    chunks.append(chunk)
        except QualpipeError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
                ValueError) as exc:
            raise QualpipeError(f"{self.invalid} (damaged or unreadable member {safe_text(name)!r}: "
                                f"{type(exc).__name__})", self.path) from None
        self.unpacked += size
        return b"".join(chunks)


# ----------------------------------------------------------------------------- XML


def parse_xml(data: bytes, path: Path, what: str, lookup=None, remove_blank_text: bool = False):
    """An lxml element tree of untrusted XML: no entities, DTD or network; comments and
    processing instructions dropped; nesting deeper than libxml2's 256 levels refused.
    ``lookup``: an element class lookup (python-docx's, to use its table classes)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True, remove_blank_text=remove_blank_text)
    if lookup is not None:
        parser.set_element_class_lookup(lookup)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = safe_text(str(exc.msg or "").split(",")[0])[:120]
        where = f"line {exc.lineno}: " if exc.lineno else ""
        raise QualpipeError(f"{what} is not well-formed XML ({where}{reason})", path) from None
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot use
        raise QualpipeError(f"{what} is not readable XML ({type(exc).__name__})", path) from None
    if root is None:
        raise QualpipeError(f"{what} holds no XML element", path)
    return root


# ---------------------------------------------------------------------------- YAML


def load_yaml(text: str, path: Path, max_depth: int = YAML_MAX_DEPTH, max_nodes: int = YAML_MAX_NODES):
    """``(data, root node)`` of one YAML document, within bounds.

    Refused, each as one line naming the file and line: nesting deeper than
    ``max_depth``; a document whose aliases expand it to more than ``max_nodes``
    values (or that contains itself); a key twice in one mapping (PyYAML keeps
    the last silently). Composing visits each node once, so none of these
    checks follows an alias.
    """
    loader = _BoundedLoader(text, Path(path), max_depth)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_expansion(root, Path(path), max_nodes)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise QualpipeError(f"{where}invalid YAML ({safe_text(str(problem))})", path) from None
    finally:
        loader.dispose()
    return data, root


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader with a nesting limit and a duplicate-key check made while composing."""

    def __init__(self, stream, path: Path, max_depth: int):
        super().__init__(stream)
        self.qp_path = path
        self.qp_max_depth = max_depth
        self.qp_depth = 0

    def compose_node(self, parent, index):
        self.qp_depth += 1
        try:
            if self.qp_depth > self.qp_max_depth:
                mark = self.peek_event().start_mark
                raise QualpipeError(f"line {mark.line + 1}: nested more than {self.qp_max_depth} levels deep",
                                    self.qp_path)
            return super().compose_node(parent, index)
        finally:
            self.qp_depth -= 1

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict[str, int] = {}
        for key, _value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            if key.value in seen:
                raise QualpipeError(
                    f"line {key.start_mark.line + 1}: key '{safe_text(key.value)}' appears twice in the same "
                    f"block (first on line {seen[key.value]})", self.qp_path)
            seen[key.value] = key.start_mark.line + 1
        return node


def _check_expansion(root, path: Path, max_nodes: int) -> None:
    """Size of the document with every alias expanded, computed once per node (no recursion)."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            total = 1 + sum(size[id(child)] for child in children)
            if total > max_nodes:
                line = node.start_mark.line + 1
                raise QualpipeError(f"line {line}: the document expands to more than {max_nodes} values through "
                                    "aliases (*name); write the values out or use fewer aliases", path)
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise QualpipeError(f"line {node.start_mark.line + 1}: an alias refers to a block that contains it",
                                path)
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise QualpipeError(f"line {child.start_mark.line + 1}: an alias refers to a block that contains it",
                                    path)
            if id(child) not in size:
                stack.append((child, False))


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_spreadsheet(path: Path, max_bytes: int, max_unpacked: int) -> None:
    """A sheet a person filled in (.xlsx or .csv): at most ``max_bytes``, and an .xlsx that
    unpacks to at most ``max_unpacked`` — checked before openpyxl reads any of it."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise QualpipeError("file not found", path) from None
    if size > max_bytes:
        raise QualpipeError(f"file is {_mb(size)}, over the limit of {_mb(max_bytes)} (limits.max_file_mb in "
                            "study.yaml)", path)
    if path.suffix.lower() == ".xlsx":
        with BoundedZip(path, path, "not a valid .xlsx file", max_unpacked) as archive:
            archive.check_declared()
