"""Shared by the .qdpx and .qdc writers: stable keyed GUIDs, the study's codes, XML helpers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lxml import etree

from ..errors import QualpipeError
from ..secret import keyed_digest, study_secret
from ..settings import Study
from ..store import StudyStore

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

GUID_PURPOSE = "refi-qda-guid"

_RGB = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def guid(kind: str, key: str, secret: bytes) -> str:
    """A UUID keyed with the study secret over ``"<kind>:<stable key>"``: a re-export gives every
    code, source, case and selection the GUID it had before, so a file coded elsewhere is matched
    back by GUID; without the secret no GUID can be computed from a guessed text."""
    return str(uuid.UUID(bytes=keyed_digest(secret, GUID_PURPOSE, f"{kind}:{key}", 16), version=4))


def normalise_guid(value: str | None) -> str:
    """GUIDs compare without braces and case (tools write both forms)."""
    return (value or "").strip().strip("{}").lower()


def origin() -> str:
    try:
        return f"qualpipe {version('qualpipe')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "qualpipe"


@dataclass(frozen=True)
class CodeInfo:
    id: str
    label: str
    definition: str
    parent: str | None
    colour: str | None
    guid: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def description(self) -> str:
        """The definition, then the include/exclude criteria coders elsewhere need too."""
        parts = [self.definition]
        if self.include:
            parts.append("Ta med:\n" + "\n".join(f"- {item}" for item in self.include))
        if self.exclude:
            parts.append("Ikke ta med:\n" + "\n".join(f"- {item}" for item in self.exclude))
        return "\n\n".join(parts)


@dataclass(frozen=True)
class StudyCodes:
    codes: list[CodeInfo]  # codebook order
    version: str
    name: str
    source: Path
    secret: bytes = field(repr=False)

    def by_id(self) -> dict[str, CodeInfo]:
        return {code.id: code for code in self.codes}

    def guid(self, kind: str, key: str) -> str:
        """This study's GUID of a user, variable, case, source, selection or coding."""
        return guid(kind, key, self.secret)


def study_codes(study: Study, store: StudyStore | None = None) -> StudyCodes:
    """The codes of ``codebook.yaml``; without that file, the store's codes table.

    The store table is what the coding stage last loaded, so it is the best
    record when a study folder was shared without its codebook.
    """
    secret = study_secret(study)
    if study.codebook_path.exists():
        from ..anonymise.guard import check_codebook, require_guard
        from ..codebook import load_codebook

        book = load_codebook(study.codebook_path)
        # Read here from codebook.yaml, not from the store the coding stage checked.
        check_codebook(require_guard(study), book, study.root / "reports" / "exchange")
        codes = [CodeInfo(id=c.id, label=c.label, definition=c.definition, parent=c.parent, colour=c.colour,
                          guid=guid("code", c.id, secret), include=tuple(c.include), exclude=tuple(c.exclude))
                 for c in book.codes]
        return StudyCodes(codes=codes, version=book.version, name=book.name, source=study.codebook_path,
                          secret=secret)
    if store is not None:
        rows = store.code_rows()
        if rows:
            codes = [CodeInfo(id=r["id"], label=r["label"], definition=r["definition"], parent=r["parent"],
                              colour=r["colour"], guid=guid("code", r["id"], secret)) for r in rows]
            return StudyCodes(codes=codes, version=rows[0]["codebook_version"], name="Kodebok",
                              source=study.store_path, secret=secret)
    raise QualpipeError("codebook not found and the study store holds no codes", study.codebook_path)


def code_elements(parent: etree._Element, namespace: str, codes: list[CodeInfo]) -> None:
    """Append the codes as nested ``Code`` elements (children under their parent)."""
    known = {code.id for code in codes}
    children: dict[str | None, list[CodeInfo]] = {}
    for code in codes:
        # A parent missing from the list cannot nest anything: show the code at the top.
        key = code.parent if code.parent in known else None
        children.setdefault(key, []).append(code)

    def add(into: etree._Element, code: CodeInfo, seen: frozenset[str]) -> None:
        attrs = {"guid": code.guid, "name": code.label, "isCodable": "true"}
        if code.colour and _RGB.match(code.colour):
            attrs["color"] = code.colour
        element = etree.SubElement(into, f"{{{namespace}}}Code", attrs)
        etree.SubElement(element, f"{{{namespace}}}Description").text = code.description()
        for child in children.get(code.id, []):
            if child.id not in seen:  # the codebook loader rejects cycles; never loop here
                add(element, child, seen | {child.id})

    for code in children.get(None, []):
        add(parent, code, frozenset({code.id}))


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
