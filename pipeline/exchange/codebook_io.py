"""Codebooks from other tools: ``qualpipe import qdc|codebook FILE``, ``export codebook --format csv``.

Two formats come in:

* a REFI-QDA codebook (``.qdc``, ``urn:QDA-XML:codebook:1.0``): nested ``Code``
  elements with ``name``, ``color`` and an optional ``Description``. Taguette
  writes an empty ``<Sets/>`` (not valid against Codebook.xsd, accepted here)
  and no nesting: its hierarchy is a dotted name (``Overordnet.Underkode``);
* Taguette's codebook CSV (``tag,description,number of highlights,number of
  documents``), the only codebook format Taguette imports, also with dotted
  names for hierarchy.

Each imported code is matched to a code of ``codebook.yaml`` by label or id
(case and spacing ignored). A new code is added with its definition, parent
and a colour; a matched code whose definition differs is a *conflict*: it is
reported and nothing changes unless ``replace`` is given. An imported code
without a description adds no definition and so never conflicts; a new code
without one gets a placeholder definition that the summary names, so the
researcher writes one. Any change raises the codebook ``version`` (codings
made under the old version then say so), and ``codebook.yaml`` is edited in
place — only the added codes and replaced definitions change, comments and
layout stay — then loaded again to prove the result is valid before it is
written atomically.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from lxml import etree

from ..anonymise.guard import Guard, require_guard
from ..errors import QualpipeError
from ..safeio import unescape_cell
from ..settings import Study
from ..store import atomic_write_text, rows_to_csv, write_shareable
from .common import CODEBOOK_NS, study_codes

TAGUETTE_COLUMNS = ["tag", "description", "number of highlights", "number of documents"]
PLACEHOLDER = "Importert uten definisjon: skriv definisjonen her."
# Colours for new codes (ColorBrewer Dark2 then Set1), taken in turn; codes keep theirs if they have one.
_PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
            "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999"]
_RGB = re.compile(r"^#?([0-9a-fA-F]{6})$")
MAX_CODEBOOK_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ImportedCode:
    """One code as the other tool wrote it; ``path`` is its name and its parents' names, top first."""

    path: tuple[str, ...]
    description: str = ""
    colour: str | None = None

    @property
    def name(self) -> str:
        return self.path[-1]


@dataclass
class CodebookImport:
    added: list[str] = field(default_factory=list)  # ids of new codes
    replaced: list[str] = field(default_factory=list)  # ids whose definition was replaced
    conflicts: list[str] = field(default_factory=list)  # ids whose definition differs (not replaced)
    unchanged: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # new codes without a definition
    version: tuple[str, str] | None = None  # (old, new) when the codebook changed
    written: bool = False

    def summary(self, path: Path) -> str:
        lines = []
        if self.written:
            lines.append(f"{path}: {len(self.added)} nye koder, {len(self.replaced)} definisjoner erstattet; "
                         f"versjon {self.version[0]} → {self.version[1]}")
        else:
            lines.append(f"{path}: ingen endringer")
        if self.added:
            lines.append("Nye koder: " + ", ".join(self.added))
        if self.replaced:
            lines.append("Definisjon erstattet: " + ", ".join(self.replaced))
        if self.unchanged:
            lines.append(f"{len(self.unchanged)} koder fantes fra før med samme (eller ingen) definisjon")
        if self.placeholders:
            lines.append("Uten definisjon i filen (skriv en i codebook.yaml): " + ", ".join(self.placeholders))
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def _split_dotted(name: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in name.split("."))
    # "Dr. Hansen" or "1.2" are names, not hierarchies: split only into non-empty word parts.
    if len(parts) > 1 and all(part and not part.isdigit() for part in parts):
        return parts
    return (name.strip(),)


def _colour(value: str | None) -> str | None:
    found = _RGB.match((value or "").strip())
    return f"#{found.group(1).lower()}" if found else None


def read_qdc(path: Path) -> list[ImportedCode]:
    """The codes of a ``.qdc``, nested ones with their parents' names in ``path``."""
    data = _read_bytes(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise QualpipeError(f"not well-formed XML (line {exc.lineno})", path) from None
    if etree.QName(root).localname != "CodeBook":
        raise QualpipeError(f"root element is '{etree.QName(root).localname}', expected 'CodeBook'", path)
    codes_el = next((child for child in root if isinstance(child.tag, str)
                     and etree.QName(child).localname == "Codes"), None)
    if codes_el is None:
        raise QualpipeError("the codebook has no Codes element", path)
    found: list[ImportedCode] = []

    def walk(element: etree._Element, parents: tuple[str, ...], depth: int) -> None:
        if depth > 32:
            raise QualpipeError("codes are nested more than 32 levels deep", path)
        for child in element:
            if not isinstance(child.tag, str) or etree.QName(child).localname != "Code":
                continue
            name = (child.get("name") or "").strip()
            if not name:
                raise QualpipeError(f"a code without a name (line {child.sourceline})", path)
            description = next((" ".join((d.text or "").split()) for d in child
                                if isinstance(d.tag, str) and etree.QName(d).localname == "Description"), "")
            own = (name,) if parents else _split_dotted(name)
            found.append(ImportedCode(parents + own, description, _colour(child.get("color"))))
            walk(child, parents + own, depth + 1)

    walk(codes_el, (), 0)
    return found


def read_taguette_csv(path: Path) -> list[ImportedCode]:
    """Taguette's codebook CSV: a ``tag`` column, optionally ``description``; dotted tags nest."""
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QualpipeError("not UTF-8 text", path) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "tag" not in header:
        raise QualpipeError(f"expected a 'tag' column (Taguette's codebook CSV: {','.join(TAGUETTE_COLUMNS)})", path)
    found = []
    for number, row in enumerate(reader, start=2):
        # unescape_cell: our own export escapes formula-like text; its round trip keeps the text.
        row = {(key or "").strip().lower(): unescape_cell(value) if isinstance(value, str) else ""
               for key, value in row.items()}
        tag = row.get("tag", "").strip()
        if not tag:
            raise QualpipeError(f"line {number}: empty tag", path)
        found.append(ImportedCode(_split_dotted(tag), " ".join(row.get("description", "").split())))
    return found


def read_codebook_file(path: Path) -> list[ImportedCode]:
    suffix = Path(path).suffix.lower()
    if suffix == ".qdc":
        return read_qdc(path)
    if suffix == ".csv":
        return read_taguette_csv(path)
    raise QualpipeError("expected a REFI-QDA codebook (.qdc) or Taguette's codebook CSV (.csv)", path)


def _read_bytes(path: Path) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise QualpipeError("file not found", path)
    if path.stat().st_size > MAX_CODEBOOK_BYTES:
        raise QualpipeError(f"larger than {MAX_CODEBOOK_BYTES // (1024 * 1024)} MB; not a codebook", path)
    return path.read_bytes()


# --------------------------------------------------------------------------- planning


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def code_id_for(name: str, taken: set[str]) -> str:
    """A codebook id (lower-case letters, digits, _) from a code name, unique among ``taken``."""
    text = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "kode"
    if not base[0].isalpha():
        base = "kode_" + base
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def import_codebook(study: Study, file: Path, replace: bool = False) -> CodebookImport:
    """Add the codes of ``file`` (.qdc or Taguette .csv) to the study's ``codebook.yaml``."""
    imported = read_codebook_file(Path(file))
    path = study.codebook_path
    if not path.exists():
        raise QualpipeError("no codebook.yaml to import into (create one with at least version and name)", path)
    book = study_codes(study)
    by_key: dict[str, str] = {}
    for code in book.codes:
        by_key.setdefault(_key(code.label), code.id)
        by_key.setdefault(_key(code.id), code.id)
    definitions = {code.id: code.definition for code in book.codes}
    taken = set(definitions)
    result = CodebookImport()
    new_codes: list[dict] = []
    new_definitions: dict[str, str] = {}
    id_of_path: dict[tuple[str, ...], str] = {}
    used_colours = {code.colour for code in book.codes if code.colour}
    palette = [c for c in _PALETTE if c not in used_colours] or _PALETTE

    def ensure(path_: tuple[str, ...], description: str, colour: str | None) -> str:
        if path_ in id_of_path:
            return id_of_path[path_]
        parent = ensure(path_[:-1], "", None) if len(path_) > 1 else None
        existing = by_key.get(_key(path_[-1]))
        if existing is not None:
            id_of_path[path_] = existing
            return existing
        code_id = code_id_for(path_[-1], taken)
        taken.add(code_id)
        by_key[_key(path_[-1])] = code_id
        entry = {"id": code_id, "label": path_[-1], "colour": colour or palette[len(new_codes) % len(palette)],
                 "definition": description or PLACEHOLDER}
        if parent:
            entry["parent"] = parent
        if not description:
            result.placeholders.append(code_id)
        new_codes.append(entry)
        result.added.append(code_id)
        id_of_path[path_] = code_id
        return code_id

    created = {}  # id -> entry of the codes this import adds
    for code in imported:
        known = id_of_path.get(code.path)
        if known in created:
            # made earlier as the parent of a dotted name; now the code itself, maybe with a description
            if code.description and created[known]["definition"] == PLACEHOLDER:
                created[known]["definition"] = code.description
                result.placeholders.remove(known)
            continue
        existing = known or by_key.get(_key(code.name))
        if existing is None:
            ensure(code.path, code.description, code.colour)
            created.update((entry["id"], entry) for entry in new_codes)
            continue
        id_of_path[code.path] = existing
        ours = created[existing]["definition"] if existing in created else definitions.get(existing, "")
        if not code.description or _key(code.description) == _key(ours):
            result.unchanged.append(existing)
        elif existing in created:
            result.conflicts.append(existing)
        elif replace:
            new_definitions[existing] = code.description
            result.replaced.append(existing)
        else:
            result.conflicts.append(existing)
    if result.conflicts:
        shown = ", ".join(sorted(set(result.conflicts)))
        raise QualpipeError(
            f"the file defines {shown} differently from codebook.yaml; nothing was changed — "
            "compare the definitions, then import again with --replace to take the file's", Path(file))
    if not new_codes and not new_definitions:
        return result
    text = path.read_text(encoding="utf-8")
    old_version = book.version
    new_version = next_version(old_version)
    edited = edit_codebook_text(text, new_codes, new_definitions, new_version, path)
    _check_edited(edited, path, {c["id"] for c in new_codes} | taken, new_definitions, new_version)
    atomic_write_text(path, edited)
    result.version = (old_version, new_version)
    result.written = True
    return result


def next_version(version: str) -> str:
    """``1.0`` → ``1.1``, ``2`` → ``3``, ``v1.9`` → ``v1.10``; no number: ``.1`` appended."""
    found = re.search(r"(\d+)(?!.*\d)", version)
    if not found:
        return f"{version}.1"
    return version[:found.start()] + str(int(found.group(1)) + 1) + version[found.end():]


# --------------------------------------------------------------------------- editing codebook.yaml


def _scalar(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def edit_codebook_text(text: str, new_codes: list[dict], new_definitions: dict[str, str], version: str,
                       path: Path) -> str:
    """``codebook.yaml`` with codes appended, definitions and the version replaced; all else as it was."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        raise QualpipeError("codebook.yaml is not valid YAML", path) from None
    if not isinstance(root, yaml.MappingNode):
        raise QualpipeError("expected a mapping at the top of codebook.yaml", path)
    top = {key.value: value for key, value in root.value if isinstance(key, yaml.ScalarNode)}
    codes_node = top.get("codes")
    if not isinstance(codes_node, yaml.SequenceNode) or codes_node.flow_style:
        raise QualpipeError("codebook.yaml: 'codes' must be a block list to import into", path)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end

    def replace_scalar(node: yaml.Node, value: str) -> None:
        start, end = node.start_mark.index, node.end_mark.index
        trailing = text[start:end][len(text[start:end].rstrip("\n")):]
        edits.append((start, end, _scalar(value) + trailing))

    version_node = top.get("version")
    if isinstance(version_node, yaml.ScalarNode):
        replace_scalar(version_node, version)
    for item in codes_node.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        fields = {key.value: value for key, value in item.value}
        code_id = getattr(fields.get("id"), "value", None)
        if code_id in new_definitions and isinstance(fields.get("definition"), yaml.ScalarNode):
            replace_scalar(fields["definition"], new_definitions[code_id])
    if new_codes:
        items = codes_node.value
        indent = items[0].start_mark.column if items else 4
        dash = " " * max(indent - 2, 0)
        lines = []
        for entry in new_codes:
            keys = ["id", "label", "colour", "parent", "definition"]
            first = True
            for key in keys:
                if key not in entry:
                    continue
                lead = dash + "- " if first else " " * indent
                lines.append(f"{lead}{key}: {_scalar(entry[key])}")
                first = False
        block = "\n".join(lines) + "\n"
        if items:
            at = items[-1].end_mark.index
            # insert at the start of the line after the last code
            at = text.rfind("\n", 0, at) + 1 if at == len(text) or text[at - 1] == "\n" else at
            if at and text[at - 1] != "\n":
                block = "\n" + block
        else:
            raise QualpipeError("codebook.yaml has no codes to add to", path)
        edits.append((at, at, block))
    for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _check_edited(text: str, path: Path, ids: set[str], definitions: dict[str, str], version: str) -> None:
    """Load the edited text as the codebook loader does; any surprise stops before writing."""
    import os
    import tempfile

    from ..codebook import load_codebook

    handle, name = tempfile.mkstemp(suffix=".yaml", dir=path.parent, prefix=".codebook-check-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        book = load_codebook(Path(name))
    except QualpipeError as exc:
        raise QualpipeError(f"the imported codes would make codebook.yaml invalid ({exc.problem}); "
                            "nothing was changed", path) from None
    finally:
        Path(name).unlink(missing_ok=True)
    loaded = {code.id: code for code in book.codes}
    if book.version != version or not ids <= set(loaded) or any(
            loaded[i].definition != " ".join(d.split()) for i, d in definitions.items()):
        raise QualpipeError("could not edit codebook.yaml safely (unusual layout); nothing was changed", path)


# --------------------------------------------------------------------------- export


def codebook_csv(study: Study, counts: dict[str, tuple[int, int]] | None = None) -> str:
    """The codebook in Taguette's CSV layout; nested codes as dotted names of labels."""
    codes = study_codes(study).codes
    label = {code.id: code.label for code in codes}
    parent = {code.id: code.parent for code in codes}

    def dotted(code_id: str) -> str:
        names, seen = [], set()
        while code_id and code_id in label and code_id not in seen:
            seen.add(code_id)
            names.append(label[code_id])
            code_id = parent[code_id]
        return ".".join(reversed(names))

    rows = []
    for code in codes:
        highlights, documents = (counts or {}).get(code.id, (0, 0))
        rows.append([dotted(code.id), code.definition, highlights, documents])
    # rows_to_csv: a definition starting with = + - @ is not run as a formula (pipeline.safeio).
    return rows_to_csv(TAGUETTE_COLUMNS, rows)


def export_codebook_csv(study: Study, out: Path | None = None, guard: Guard | None = None) -> Path:
    """Write the codebook as Taguette's CSV (default ``reports/exchange/codebook.csv``)."""
    from ..store import StudyStore

    path = Path(out) if out is not None else study.root / "reports" / "exchange" / "codebook.csv"
    counts: dict[str, tuple[int, int]] = {}
    if study.store_path.exists():
        with StudyStore(study.store_path) as store:
            files = {s.segment_id: s.file for s in store.segments(speaker="informant")}
            per_code: dict[str, tuple[set, set]] = {}
            for coding in store.codings(source="human"):
                if coding.status == "accepted" and coding.segment_id in files:
                    segs, docs = per_code.setdefault(coding.code, (set(), set()))
                    segs.add(coding.segment_id)
                    docs.add(files[coding.segment_id])
            counts = {code: (len(s), len(d)) for code, (s, d) in per_code.items()}
    text = codebook_csv(study, counts)
    write_shareable(study.root, {path: text}, guard if guard is not None else require_guard(study))
    return path


__all__ = ["CODEBOOK_NS", "CodebookImport", "ImportedCode", "codebook_csv", "export_codebook_csv",
           "import_codebook", "read_codebook_file", "read_qdc", "read_taguette_csv"]
