"""``.qdpx`` projects (REFI-QDA, QDA-XML 1.0): export the coded study, import codings.

Export (``qualpipe export qdpx``) writes a ZIP holding ``project.qde`` and
``Sources/<guid>.txt``: users (one per coder; ``rules`` and ``model`` are
coders of their own), the codebook, the informant attributes as variables,
one case per informant, and one text source per transcript with the
*anonymised* text only (see :mod:`pipeline.exchange.text` for the layout and
how positions count). Every coded segment is one ``PlainTextSelection`` with
one ``Coding`` per (code, coder). GUIDs are keyed hashes of stable keys
(:func:`pipeline.exchange.common.guid`), and the
ZIP has fixed timestamps, so exporting an unchanged study twice gives the
same bytes.

Import (``qualpipe import qdpx FILE --coder ID``) reads a ``.qdpx`` written
by us or by another tool and records its codings as one human coder's
decisions. Everything is checked before anything is written; any problem
rejects the whole file (see docs/exchange.md for the rules).
"""

from __future__ import annotations

import bisect
import difflib
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from ..errors import QualpipeError
from ..records import Coding, Segment
from ..safeio import BoundedZip, parse_xml, safe_text
from ..settings import LimitSettings, Study
from ..anonymise.guard import Guard, require_guard
from ..store import Shareable, StudyStore, natural_key, study_lock, write_shareable
from .common import PROJECT_NS, StudyCodes, code_elements, normalise_guid, origin, study_codes, to_bytes
from .text import PositionMap, SourceText, boundary_score, build_source_text, match_key

DEFAULT_QDPX = Path("reports") / "exchange" / "study.qdpx"

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so identical exports are identical bytes


def _q(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


# =========================================================================== export


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sources: int
    cases: int
    selections: int
    codings: int
    users: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        line = (f"{self.path}: {self.sources} kilder, {self.cases} caser, {self.selections} markeringer (segment og koder), "
                f"{self.codings} kodinger fra {', '.join(self.users) or 'ingen kodere'}")
        return "\n".join([line, *self.notes])


@dataclass
class _Project:
    xml: bytes
    sources: dict[str, str]  # archive member name -> text
    result: dict


def export_qdpx(study: Study, out: Path | None = None, include_suggestions: bool = False,
                guard: Guard | None = None) -> ExportResult:
    """Write the study as a ``.qdpx`` (default ``reports/exchange/study.qdpx``).

    Human codings (accepted) are always exported; machine codings only when
    accepted, or with ``include_suggestions`` also the suggestions on segments
    no human has decided yet. Rejected codings are never exported. The leak
    guard (the study's unless given) checks ``project.qde`` and every source
    text before anything is written; the file is written atomically.
    """
    path = Path(out) if out is not None else study.root / DEFAULT_QDPX
    if not study.store_path.exists():
        raise QualpipeError("no study store yet: run `qualpipe run` (ingest and anonymise) first", study.store_path)
    with StudyStore(study.store_path) as store:
        project = _build_project(study, store, include_suggestions)
    shown = ((project.xml.decode("utf-8"), "project.qde"),
             *((text, name) for name, text in sorted(project.sources.items())))
    write_shareable(study.root, {path: Shareable(_zip(project), shown=shown)},
                    guard if guard is not None else require_guard(study))
    return ExportResult(path=path, **project.result)


def _zip(project: _Project) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        members = [("project.qde", project.xml)]
        members += [(name, text.encode("utf-8")) for name, text in sorted(project.sources.items())]
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _exported_codings(store: StudyStore, segments: dict[str, Segment], include_suggestions: bool,
                      codes: StudyCodes, notes: list[str]) -> list[Coding]:
    reviewed = store.human_reviews()
    chosen: list[Coding] = []
    orphans = 0
    for coding in store.codings():
        if coding.status == "rejected":
            continue
        if coding.source == "human":
            keep = coding.status == "accepted"
        elif coding.status == "accepted":
            keep = True
        else:
            # A suggestion on a segment a human has decided was settled by that
            # decision (accepted ones are the human's own codings now).
            keep = include_suggestions and coding.segment_id not in reviewed
        if not keep:
            continue
        if coding.segment_id not in segments:
            orphans += 1
            continue
        chosen.append(coding)
    if orphans:
        notes.append(f"{orphans} kodinger hører til segmenter som ikke finnes lenger og ble ikke eksportert")
    unknown = sorted({c.code for c in chosen} - set(codes.by_id()))
    if unknown:
        raise QualpipeError(
            f"codings use codes that are not in the codebook: {', '.join(unknown)} (re-run coding or restore them)",
            codes.source)
    return chosen


def _variable_type(values: list[str]) -> str:
    """Integer if every value is a whole number, Boolean for yes/no, Float for decimals, else Text."""
    if not values:
        return "Text"
    if all(re.fullmatch(r"[+-]?\d+", v) for v in values):
        return "Integer"
    if all(v.casefold() in _BOOLEAN for v in values):
        return "Boolean"
    if all(re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", v) for v in values):
        return "Float"
    return "Text"


_BOOLEAN = {"yes": "true", "no": "false", "ja": "true", "nei": "false", "true": "true", "false": "false"}
_VALUE_ELEMENT = {"Text": "TextValue", "Integer": "IntegerValue", "Boolean": "BooleanValue", "Float": "FloatValue"}


def _typed_value(kind: str, value: str) -> str:
    if kind == "Boolean":
        return _BOOLEAN[value.casefold()]
    if kind == "Float":
        return value.replace(",", ".")
    if kind == "Integer":
        return str(int(value))
    return value


def _created(timestamp: str) -> dict[str, str]:
    """``creationDateTime`` from a coding's timestamp (ISO 8601, UTC), when it has one."""
    return {"creationDateTime": timestamp} if timestamp else {}


def source_name(file: str) -> str:
    """A source's name in other tools: the transcript's file name without its extension."""
    return PurePosixPath(file).stem


def _build_project(study: Study, store: StudyStore, include_suggestions: bool) -> _Project:
    all_segments = store.segments()
    if not all_segments:
        raise QualpipeError("the study store holds no anonymised segments: run `qualpipe run` first", study.store_path)
    codes = study_codes(study, store)
    code_by_id = codes.by_id()
    notes: list[str] = []

    by_file: dict[str, list[Segment]] = defaultdict(list)
    for segment in all_segments:
        by_file[segment.file].append(segment)
    files = sorted(by_file, key=natural_key)
    texts = {file: build_source_text(file, by_file[file]) for file in files}
    segments = {s.segment_id: s for s in all_segments}

    codings = _exported_codings(store, segments, include_suggestions, codes, notes)
    users = sorted({c.coder for c in codings} | set(store.human_coders()), key=natural_key)

    root = etree.Element(_q("Project"), {"name": study.settings.name, "origin": origin()},
                         nsmap={None: PROJECT_NS})
    if users:
        users_el = etree.SubElement(root, _q("Users"))
        for user in users:
            etree.SubElement(users_el, _q("User"), {"guid": codes.guid("user", user), "name": user, "id": user})
    if codes.codes:
        code_elements(etree.SubElement(etree.SubElement(root, _q("CodeBook")), _q("Codes")), PROJECT_NS, codes.codes)

    # ---- variables and cases: the informants table (names never reach the store)
    informants = store.informants()
    attribute_names = sorted({name for i in informants for name in i.attributes})
    kinds = {"group": "Text"}
    for name in attribute_names:
        kinds[name] = _variable_type([i.attributes.get(name, "").strip() for i in informants
                                      if i.attributes.get(name, "").strip()])
    variable_names = ["group", *attribute_names]
    if informants:
        variables_el = etree.SubElement(root, _q("Variables"))
        for name in variable_names:
            etree.SubElement(variables_el, _q("Variable"),
                             {"guid": codes.guid("variable", name), "name": name, "typeOfVariable": kinds[name]})
        cases_el = etree.SubElement(root, _q("Cases"))
        for informant in informants:
            case = etree.SubElement(cases_el, _q("Case"), {"guid": codes.guid("case", informant.id), "name": informant.id})
            values = {"group": informant.group, **informant.attributes}
            for name in variable_names:
                value = (values.get(name) or "").strip()
                if not value:
                    continue  # an empty cell is no value, not an empty text
                item = etree.SubElement(case, _q("VariableValue"))
                etree.SubElement(item, _q("VariableRef"), {"targetGUID": codes.guid("variable", name)})
                etree.SubElement(item, _q(_VALUE_ELEMENT[kinds[name]])).text = _typed_value(kinds[name], value)
            if informant.file in texts:
                etree.SubElement(case, _q("SourceRef"), {"targetGUID": codes.guid("source", informant.file)})

    # ---- sources with one selection per coded segment and coder
    # QualCoder and others read a coding's owner from the selection and keep one row per
    # (code, position, owner): a selection shared by several coders would lose all but one.
    per_selection: dict[tuple[str, str], list[Coding]] = defaultdict(list)
    for coding in codings:
        per_selection[(coding.segment_id, coding.coder)].append(coding)
    coders_of: dict[str, list[str]] = defaultdict(list)
    for segment_id, coder in sorted(per_selection, key=lambda key: (key[0], natural_key(key[1]))):
        coders_of[segment_id].append(coder)
    sources_el = etree.SubElement(root, _q("Sources"))
    members: dict[str, str] = {}
    n_selections = 0
    for file in files:
        source: SourceText = texts[file]
        source_guid = codes.guid("source", file)
        member = f"{source_guid}.txt"
        members[f"Sources/{member}"] = source.text
        text_el = etree.SubElement(sources_el, _q("TextSource"), {
            "guid": source_guid, "name": source_name(file), "plainTextPath": f"internal://{member}"})
        coded = sorted((s for s in by_file[file] if s.segment_id in coders_of),
                       key=lambda s: source.spans[s.segment_id])
        for segment in coded:
            start, end = source.spans[segment.segment_id]
            for coder in coders_of[segment.segment_id]:
                group = sorted(per_selection[(segment.segment_id, coder)], key=lambda c: c.code)
                user = codes.guid("user", coder)
                selection = etree.SubElement(text_el, _q("PlainTextSelection"), {
                    "guid": codes.guid("selection", f"{segment.segment_id}:{coder}"), "name": segment.segment_id,
                    "startPosition": str(start), "endPosition": str(end), "creatingUser": user,
                    **_created(min((c.created_at for c in group if c.created_at), default=""))})
                for coding in group:
                    coding_el = etree.SubElement(selection, _q("Coding"), {
                        "guid": codes.guid("coding", f"{segment.segment_id}:{coding.code}:{coding.coder}"),
                        "creatingUser": user, **_created(coding.created_at)})
                    etree.SubElement(coding_el, _q("CodeRef"), {"targetGUID": code_by_id[coding.code].guid})
                n_selections += 1
    etree.SubElement(root, _q("Description")).text = (
        "Anonymiserte transkripsjoner eksportert av qualpipe. Én linje per taletur. "
        "Posisjoner teller tegn (Unicode-kodepunkter) fra 0, slutt eksklusiv; linjeskift er LF.")
    result = {"sources": len(files), "cases": len(informants), "selections": n_selections,
              "codings": len(codings), "users": tuple(users), "notes": tuple(notes)}
    return _Project(xml=to_bytes(root), sources=members, result=result)


# =========================================================================== import


@dataclass(frozen=True)
class ImportResult:
    coder: str
    sources: int  # sources of the file whose codings were applied
    segments_decided: int
    segments_coded: int
    codings: int
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        line = (f"{self.coder}: {self.codings} kodinger på {self.segments_coded} segmenter importert fra "
                f"{self.sources} kilder ({self.segments_decided} segmenter vurdert)")
        return "\n".join([line, *self.notes])


@dataclass
class _Selection:
    guid: str
    start: int
    end: int
    codes: list[tuple[str, str]]  # (code GUID, user GUID or "")


@dataclass
class _Source:
    guid: str
    name: str
    text: str
    selections: list[_Selection] = field(default_factory=list)
    whole_source_codings: int = 0


@dataclass
class _Archive:
    users: dict[str, str]  # user GUID -> display name
    user_ids: dict[str, str]  # user GUID -> id attribute
    codes: dict[str, str]  # code GUID -> name (all nesting levels)
    sources: list[_Source]
    other_sources: list[str]  # names of non-text sources


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    # Matched by local name: tools differ in how (and whether) they qualify names.
    return [child for child in element if _local(child) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _decode(data: bytes, what: str, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise QualpipeError(f"{what} is not valid UTF-16 text", path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QualpipeError(f"{what} is not UTF-8 text (the standard requires UTF-8)", path) from exc


def _int_attribute(element: etree._Element, name: str, what: str, path: Path) -> int:
    value = element.get(name)
    try:
        return int((value or "").strip())
    except ValueError:
        raise QualpipeError(f"{what}: {name} '{value}' is not a whole number", path) from None


def read_qdpx(path: Path, limits: LimitSettings | None = None) -> _Archive:
    """Parse a ``.qdpx`` into users, codes, text sources and their selections.

    The archive is untrusted: it is read within ``limits.max_unpacked_mb`` in total, each
    member at most once (two sources sharing one text file are refused), and its XML
    without entities or DTDs and with libxml2's depth limit (pipeline.safeio). Messages
    name sources by their number in the file, never by their names (which may hold
    identifiers).
    """
    path = Path(path)
    limits = limits or LimitSettings()
    if not path.is_file():
        raise QualpipeError("file not found", path)
    with BoundedZip(path, path, "not a .qdpx file (a .qdpx is a ZIP archive)", limits.max_unpacked_bytes) as archive:
        return _read_archive(archive, path)


def _read_archive(archive: BoundedZip, path: Path) -> _Archive:
    members = archive.members
    project_names = [name for name in members if "/" not in name and name.lower().endswith(".qde")]
    if len(project_names) != 1:
        raise QualpipeError(
            "expected exactly one project.qde at the top of the archive, found "
            f"{len(project_names) or 'none'}", path)
    root = parse_xml(archive.read(project_names[0]), path, "project.qde")
    if _local(root) != "Project":
        raise QualpipeError(f"project.qde has root element '{safe_text(_local(root))[:40]}', expected 'Project'",
                            path)

    users: dict[str, str] = {}
    user_ids: dict[str, str] = {}
    users_el = _child(root, "Users")
    for user in _children(users_el, "User") if users_el is not None else []:
        key = normalise_guid(user.get("guid"))
        users[key] = user.get("name") or user.get("id") or key
        user_ids[key] = user.get("id") or ""

    codes: dict[str, str] = {}
    book = _child(root, "CodeBook")
    codes_el = _child(book, "Codes") if book is not None else None
    if codes_el is not None:
        for code in codes_el.iter():
            if _local(code) == "Code":
                if not code.get("guid"):
                    raise QualpipeError(f"code '{safe_text(code.get('name') or '?')[:80]}' has no guid", path)
                codes[normalise_guid(code.get("guid"))] = code.get("name") or ""

    sources: list[_Source] = []
    others: list[str] = []
    used_by: dict[str, int] = {}  # archive member -> the source number that reads it
    sources_el = _child(root, "Sources")
    for number, element in enumerate(list(sources_el) if sources_el is not None else [], start=1):
        kind = _local(element)
        if not kind:
            continue
        name = element.get("name") or element.get("guid") or "?"
        if kind != "TextSource":
            others.append(f"{name} ({kind})")
            continue
        # Named by position: a source's name in another tool is often the informant's.
        what = f"source {number}"
        content = _child(element, "PlainTextContent")
        plain_path = (element.get("plainTextPath") or "").strip()
        if content is not None and content.text is not None:
            text = content.text
        elif plain_path:
            if not plain_path.lower().startswith("internal://"):
                raise QualpipeError(f"{what}: its text is outside the archive (plainTextPath is not "
                                    "internal://); export the project with the sources included", path)
            member = archive.find("sources/" + plain_path[len("internal://"):].replace("\\", "/").lstrip("/"))
            if member is None:
                raise QualpipeError(f"{what}: its text file (plainTextPath) is missing from the archive", path)
            if member in used_by:
                raise QualpipeError(f"sources {used_by[member]} and {number} use the same text file; each "
                                    "source needs its own", path)
            used_by[member] = number
            text = _decode(archive.read(member), f"{what}'s text file", path)
        else:
            raise QualpipeError(f"{what} has no plain text (neither plainTextPath nor PlainTextContent)", path)
        source = _Source(guid=normalise_guid(element.get("guid")), name=what, text=text)
        for selection in _children(element, "PlainTextSelection"):
            sel_what = f"{what}, selection {safe_text(selection.get('guid') or '?')[:40]}"
            start = _int_attribute(selection, "startPosition", sel_what, path)
            end = _int_attribute(selection, "endPosition", sel_what, path)
            if end < start or start < 0:
                raise QualpipeError(f"{sel_what}: positions {start}-{end} are not a valid range", path)
            selection_user = normalise_guid(selection.get("creatingUser"))
            found: list[tuple[str, str]] = []
            for coding in _children(selection, "Coding"):
                ref = _child(coding, "CodeRef")
                if ref is None or not ref.get("targetGUID"):
                    raise QualpipeError(f"{sel_what}: a Coding without CodeRef", path)
                found.append((normalise_guid(ref.get("targetGUID")),
                              normalise_guid(coding.get("creatingUser")) or selection_user))
            source.selections.append(_Selection(normalise_guid(selection.get("guid")), start, end, found))
        source.whole_source_codings = len(_children(element, "Coding"))
        sources.append(source)
    return _Archive(users=users, user_ids=user_ids, codes=codes, sources=sources, other_sources=others)


def _norm_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _map_codes(archive: _Archive, used: set[str], codes: StudyCodes, path: Path, notes: list[str]) -> dict[str, str]:
    """Their code GUID -> our code id, for every code a coding uses; unknown codes reject the file."""
    by_guid = {code.guid: code.id for code in codes.codes}
    by_name: dict[str, str] = {}
    for code in codes.codes:
        by_name.setdefault(_norm_name(code.id), code.id)
        by_name.setdefault(_norm_name(code.label), code.id)
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for code_guid in sorted(set(archive.codes) | used):
        if code_guid in by_guid:
            mapping[code_guid] = by_guid[code_guid]
        elif code_guid in archive.codes and _norm_name(archive.codes[code_guid]) in by_name:
            mapping[code_guid] = by_name[_norm_name(archive.codes[code_guid])]
        elif code_guid not in archive.codes:
            raise QualpipeError(f"a coding refers to code {code_guid}, which the file does not define", path)
        elif code_guid in used:
            unknown.append(archive.codes[code_guid])
    if unknown:
        raise QualpipeError(
            f"codes not in the codebook: {', '.join(repr(n) for n in sorted(unknown))} — add them to "
            "codebook.yaml (or remove them in the other tool) and import again; nothing was imported", path)
    unused = sorted(archive.codes[g] for g in archive.codes if g not in mapping)
    if unused:
        notes.append(f"Koder i filen som ikke er i kodeboken og ikke er brukt, ble oversett: {', '.join(unused)}")
    return mapping


def _users_wanted(archive: _Archive, from_user: str | None, path: Path) -> set[str] | None:
    if from_user is None:
        return None
    wanted = _norm_name(from_user)
    found = {g for g in archive.users
             if wanted in (_norm_name(archive.users[g]), _norm_name(archive.user_ids.get(g, "")))
             or normalise_guid(from_user) == g}
    if not found:
        names = ", ".join(sorted(archive.users.values())) or "none"
        raise QualpipeError(f"no user '{from_user}' in the file (users: {names})", path)
    return found


# A source whose text differs from ours (the study was anonymised again since the export:
# a renumbered tag, a replaced word) is still the same transcript when this much is shared.
MIN_SIMILARITY = 0.9


def _match_sources(archive: _Archive, ours: dict[str, SourceText], codes: StudyCodes, path: Path,
                   notes: list[str]) -> dict[int, str]:
    """Index of their source -> our transcript file, by GUID or else by text."""
    by_guid = {codes.guid("source", file): file for file in ours}
    by_key: dict[str, list[str]] = defaultdict(list)
    for file, source in ours.items():
        by_key[match_key(source.text)].append(file)
    matched: dict[int, str] = {}
    unknown: list[str] = []
    changed = 0
    for index, source in enumerate(archive.sources):
        if source.guid in by_guid:
            file = by_guid[source.guid]
            if not PositionMap.same_content(source.text, ours[file].text):
                if PositionMap(source.text, ours[file].text).similarity < MIN_SIMILARITY:
                    raise QualpipeError(
                        f"source {index + 1} has the GUID of {file} but a different text (edited in the other "
                        "tool, or the study was anonymised again since the export); nothing was imported", path)
                changed += 1
        else:
            files = by_key.get(match_key(source.text), [])
            if len(files) > 1:
                raise QualpipeError(f"source {index + 1} matches several transcripts ({', '.join(files)})", path)
            if not files:
                file = _most_similar(source.text, ours)
                if file is None:
                    unknown.append(index + 1)
                    continue
                changed += 1
                files = [file]
            file = files[0]
        if file in matched.values():
            raise QualpipeError(f"two sources in the file are the same transcript ({file})", path)
        matched[index] = file
    if unknown or archive.other_sources:
        count = len(unknown) + len(archive.other_sources)
        shown = ", ".join(str(n) for n in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise QualpipeError(
            f"{count} source(s) do not match any transcript of the study by GUID or text"
            + (f" (text sources number {shown} in file order)" if unknown else "")
            + (f"; {len(archive.other_sources)} are not text sources" if archive.other_sources else "")
            + "; nothing was imported", path)
    if changed:
        notes.append(f"{changed} kilder har tekst som er litt endret siden eksporten (f.eks. anonymisert på nytt); "
                     "markeringene ble overført ord for ord")
    return matched


def _most_similar(text: str, ours: dict[str, SourceText]) -> str | None:
    """Our transcript whose text the given one shares at least MIN_SIMILARITY of, if exactly one does best."""
    words = text.split()
    scored = []
    for file, source in ours.items():
        quick = difflib.SequenceMatcher(None, words, source.text.split(), autojunk=False).quick_ratio()
        if quick >= MIN_SIMILARITY:
            scored.append((quick, file))
    for _, file in sorted(scored, reverse=True)[:3]:
        if PositionMap(text, ours[file].text).similarity >= MIN_SIMILARITY:
            return file
    return None


def _choose_text(source: _Source, path: Path) -> str:
    """The reading of the source text its positions refer to.

    The standard counts characters of the text as stored, so a CRLF line end
    is two; some tools count it as one. When the text has CR characters, the
    reading whose selection edges fall on more word boundaries wins (ties: as
    stored).
    """
    readings = [source.text]
    if "\r" in source.text:
        readings.append(source.text.replace("\r\n", "\n").replace("\r", "\n"))
    edges = [(s.start, s.end) for s in source.selections]
    valid = [text for text in readings if all(end <= len(text) for _, end in edges)]
    if not valid:
        worst = max(source.selections, key=lambda s: s.end)
        raise QualpipeError(
            f"{source.name}: selection {safe_text(worst.guid)[:40]} ends at {worst.end}, after the end of the text "
            f"({len(source.text)} characters)", path)
    return max(valid, key=lambda text: (boundary_score(text, edges), -readings.index(text)))


def _segments_hit(spans: list[tuple[int, int, str]], starts: list[int], start: int, end: int) -> list[str]:
    """Segments a selection [start, end) codes: it covers at least half of the
    segment's characters, or lies wholly inside the segment."""
    hit = []
    index = max(bisect.bisect_right(starts, start) - 1, 0)
    while index < len(spans) and spans[index][0] < end:
        seg_start, seg_end, segment_id = spans[index]
        overlap = min(end, seg_end) - max(start, seg_start)
        if seg_end > seg_start and overlap > 0 and (
                2 * overlap >= seg_end - seg_start or (seg_start <= start and end <= seg_end)):
            hit.append(segment_id)
        index += 1
    return hit


def plan_import(archive: _Archive, ours: dict[str, SourceText], codable: set[str], codes: StudyCodes,
                from_user: str | None, path: Path) -> tuple[dict[str, set[str]], list[str], int]:
    """Decisions per segment for the coder, notes, and the number of sources applied.

    ``codable``: the segments a human decision may cover (the informant's;
    the interviewer's questions are context and are never coded). Raises
    QualpipeError for anything that must reject the whole file.
    """
    notes: list[str] = []
    wanted = _users_wanted(archive, from_user, path)
    matched = _match_sources(archive, ours, codes, path, notes)
    used = {code for source in archive.sources for s in source.selections for code, _ in s.codes}
    mapping = _map_codes(archive, used, codes, path, notes)

    decisions: dict[str, set[str]] = {}
    applied = 0
    empty = outside = interviewer = whole = changed = 0
    for index, source in enumerate(archive.sources):
        whole += source.whole_source_codings
        selections = [s for s in source.selections
                      if any(wanted is None or user in wanted for _, user in s.codes)]
        if not selections:
            continue  # nothing coded here (by the chosen user): this source was not coded
        ours_text = ours[matched[index]]
        position_map = PositionMap(_choose_text(source, path), ours_text.text)
        spans = sorted((start, end, segment_id) for segment_id, (start, end) in ours_text.spans.items())
        starts = [span[0] for span in spans]
        file_decisions: dict[str, set[str]] = {segment_id: set() for segment_id in ours_text.spans
                                               if segment_id in codable}
        for selection in selections:
            if selection.end == selection.start:
                empty += 1
                continue
            if position_map.shared_share(selection.start, selection.end) < 0.5:
                changed += 1
                continue
            start, end = position_map.start(selection.start), position_map.end(selection.end)
            hit = _segments_hit(spans, starts, start, end) if end > start else []
            if not hit:
                outside += 1
                continue
            hit = [segment_id for segment_id in hit if segment_id in codable]
            if not hit:
                interviewer += 1
                continue
            for code_guid, user in selection.codes:
                if wanted is None or user in wanted:
                    for segment_id in hit:
                        file_decisions[segment_id].add(mapping[code_guid])
        decisions.update(file_decisions)
        applied += 1
    if empty:
        notes.append(f"{empty} tomme markeringer ble oversett")
    if changed:
        notes.append(f"{changed} markeringer lå i tekst som er endret siden eksporten og ble oversett "
                     "(kod dem på nytt)")
    if outside:
        notes.append(f"{outside} markeringer traff ikke noe segment (f.eks. bare talerbetegnelsen) og ble oversett")
    if interviewer:
        notes.append(f"{interviewer} markeringer traff bare intervjuerens tekst, som ikke kodes, og ble oversett")
    if whole:
        notes.append(f"{whole} kodinger av hele kilder (ikke av tekst) ble oversett")
    return decisions, notes, applied


def import_qdpx(study: Study, file: Path, coder: str, from_user: str | None = None,
                guard: Guard | None = None) -> ImportResult:
    """Record the codings of a ``.qdpx`` as human coder ``coder``'s decisions.

    Every informant segment of each source that has at least one coding (by
    ``from_user``, when given) gets a decision: the codes of the selections
    that cover it by the overlap rule, or none. Sources without codings are
    left alone. The store and ``data/coded/human/<coder>.csv`` are updated
    together, or not at all.
    """
    from ..coding.human import HumanDecision, HumanFile, SegmentAnchors, human_file, read_human_rows, write_human_file

    human_path = human_file(study, coder)  # checks the coder id first
    guard = guard if guard is not None else require_guard(study)
    path = Path(file)
    archive = read_qdpx(path, study.settings.limits)
    if not study.store_path.exists():
        raise QualpipeError("no study store yet: run `qualpipe run` first", study.store_path)
    with StudyStore(study.store_path) as store:
        by_file: dict[str, list[Segment]] = defaultdict(list)
        for segment in store.segments():
            by_file[segment.file].append(segment)
        if not by_file:
            raise QualpipeError("the study store holds no anonymised segments: run `qualpipe run` first",
                                study.store_path)
        codable = {s.segment_id for segments in by_file.values() for s in segments if s.speaker == "informant"}
        ours = {file: build_source_text(file, segments) for file, segments in by_file.items()}
        codes = study_codes(study, store)
        decisions, notes, applied = plan_import(archive, ours, codable, codes, from_user, path)
        if not decisions:
            raise QualpipeError("the file holds no codings of the informants' text"
                                + (f" by user '{from_user}'" if from_user else ""), path)
        # The coder's earlier decisions on other segments stay; these replace theirs on the same
        # segments. Read, merged and written under the study lock (one writer of the file at a time).
        with study_lock(study.root, command="import qdpx"):
            anchors = SegmentAnchors.load(study)
            existing = (read_human_rows(human_path, codable, set(codes.by_id()), anchors) if human_path.exists()
                        else HumanFile({}))
            merged, kept = existing.updated({segment_id: HumanDecision(frozenset(found), codes.version)
                                             for segment_id, found in decisions.items()})
            with store.transaction():
                store.record_human_decisions(coder, decisions, codes.version)
                # Inside the transaction: if the CSV cannot be written, the store rolls back too.
                write_human_file(study, human_path, merged, guard, anchors=anchors, unplaced=kept)
    return ImportResult(coder=coder, sources=applied, segments_decided=len(decisions),
                        segments_coded=sum(1 for found in decisions.values() if found),
                        codings=sum(len(found) for found in decisions.values()), notes=tuple(notes))
