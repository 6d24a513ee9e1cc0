"""Hostile and broken input: one line naming the file, exit 1, no traceback (pipeline.safeio and its users).

Each case builds one bad file into a small study and runs the command a researcher
would run on it. Expected outcome: either the command succeeds (a harmless oddity
such as an XML comment inside a paragraph, or 10**9 spaces asked for in an .odt), or it
exits 1 with exactly one output line "Feil: <file>: <problem>" — never a traceback,
and never an echo of text that may identify someone.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import QualpipeError
from pipeline.safeio import BoundedZip, escape_cell, load_yaml, needs_escape, safe_text, unescape_cell
from pipeline.store import read_csv, rows_to_csv

GOOD = "I: Hvordan var det å kjøpe?\nIP: Det var fint. Vi fikk rabatt.\n"
SECRET = "Kari Nordmann"  # planted in hostile files: must never appear in a message
# Small limits, so the size cases need only a few MB.
SETTINGS = "name: Teststudie\ngroups: [stayed]\nlimits:\n  max_file_mb: 1\n  max_unpacked_mb: 2\n"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


# ----------------------------------------------------------------------- builders


def zip_bytes(members: dict[str, bytes | str], compress=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(body: str, extra: dict | None = None) -> bytes:
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>'
    return zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": document, **(extra or {})})


def with_method(data: bytes, method: int) -> bytes:
    """The ZIP with every member's compression method set to ``method`` (99: AES, unsupported)."""
    import struct

    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset:start + offset + 2] = struct.pack("<H", method)
            start += 4
    return bytes(data)


def para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


ODF = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def odt(body: str, kind: str = "text") -> bytes:
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF}><office:body>'
               f'<office:{kind}>{body}</office:{kind}></office:body></office:document-content>')
    return zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content})


def alias_bomb(levels: int = 12) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for n in range(levels):
        name = f"l{n}"
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


def qdpx(project: str, members: dict[str, bytes | str] | None = None) -> bytes:
    return zip_bytes({"project.qde": project, **(members or {})})


def qde(sources: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">'
            f'<Sources>{sources}</Sources></Project>')


def text_source(number: int, member: str) -> str:
    return (f'<TextSource guid="00000000-0000-0000-0000-{number:012d}" name="{SECRET} {number}" '
            f'plainTextPath="internal://{member}"/>')


# -------------------------------------------------------------------------- cases
# (name, command, files to write (path relative to the study -> bytes/str), expected message part or None = ok)

T = "data/raw/transcripts/"
CASES = [
    # .docx
    ("docx_comment_in_paragraph", "ingest", {T + "b.docx": docx(
        "<w:p><w:r><w:t>IP: Det var</w:t></w:r><!-- a comment --><w:r><w:t> fint.</w:t></w:r></w:p>")}, None),
    ("docx_deeply_nested", "ingest", {T + "b.docx": docx(
        "<w:p>" + "<w:sdt><w:sdtContent>" * 3000 + "</w:sdtContent></w:sdt>" * 3000 + "</w:p>")}, "depth"),
    ("docx_unpack_bomb", "ingest", {T + "b.docx": docx(para("IP: " + "a" * (3 << 20)))}, "unpacks to more than"),
    ("docx_no_document", "ingest", {T + "b.docx": zip_bytes({"[Content_Types].xml": "<Types/>"})},
     "no main document part"),
    ("docx_document_not_xml", "ingest", {T + "b.docx": zip_bytes({"word/document.xml": b"\x00\xff garbage"})},
     "not well-formed XML"),
    ("docx_xxe", "ingest", {T + "b.docx": zip_bytes({"word/document.xml":
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document {W}><w:body>'
        f'<w:p><w:r><w:t>IP: &x;</w:t></w:r></w:p></w:body></w:document>'})}, "ANY"),
    ("docx_billion_laughs", "ingest", {T + "b.docx": zip_bytes({"word/document.xml":
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9)) +
        f']><w:document {W}><w:body><w:p><w:r><w:t>IP: &j;</w:t></w:r></w:p></w:body></w:document>'})}, "ANY"),
    ("docx_no_body", "ingest", {T + "b.docx": zip_bytes({"word/document.xml": f"<w:document {W}/>"})}, "no body"),
    ("docx_vertical_merge_chain", "ingest", {T + "b.docx": docx(
        "<w:tbl>" + "<w:tr><w:tc><w:p><w:r><w:t>IP</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p>"
        "</w:tc></w:tr>" + "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>b</w:t>"
        "</w:r></w:p></w:tc></w:tr>" * 1500 + "</w:tbl>")}, "ANY"),
    ("docx_bad_grid_span", "ingest", {T + "b.docx": docx(
        '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="zwei"/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>' + para("IP: x"))},
     "ANY"),
    ("docx_unsupported_compression", "ingest", {T + "b.docx": with_method(docx(para("IP: x")), 99)},
     "not a valid .docx"),
    ("docx_empty_file", "ingest", {T + "b.docx": b""}, "empty"),
    ("docx_truncated", "ingest", {T + "b.docx": docx(para("IP: hei") * 50)[:300]}, "not a valid .docx"),
    ("docx_many_members", "ingest", {T + "b.docx": zip_bytes({f"m{i}": b"" for i in range(20_001)},
                                                             compress=zipfile.ZIP_STORED)}, "ANY"),
    # .odt
    ("odt_deeply_nested", "ingest", {T + "b.odt": odt(
        "<text:p>" + "<text:span>" * 3000 + "IP: x" + "</text:span>" * 3000 + "</text:p>")}, "depth"),
    ("odt_huge_space_count", "ingest", {T + "b.odt": odt('<text:p>IP: a<text:s text:c="999999999"/>b</text:p>')}, None),
    ("odt_bad_space_count", "ingest", {T + "b.odt": odt('<text:p>IP: a<text:s text:c="-x"/>b</text:p>')}, None),
    ("odt_no_content", "ingest", {T + "b.odt": zip_bytes({"mimetype": "x"})}, "no content.xml"),
    ("odt_content_garbage", "ingest", {T + "b.odt": zip_bytes({"content.xml": "<a><b></a>"})}, "not well-formed"),
    ("odt_spreadsheet", "ingest", {T + "b.odt": odt("<x/>", kind="spreadsheet")}, "no text body"),
    ("odt_lists_200_deep", "ingest", {T + "b.odt": odt(
        "<text:list><text:list-item>" * 100 + "<text:p>IP: dypt</text:p>" + "</text:list-item></text:list>" * 100)},
     None),
    ("odt_unpack_bomb", "ingest", {T + "b.odt": odt("<text:p>IP: " + "a" * (3 << 20) + "</text:p>")},
     "unpacks to more than"),
    ("odt_not_zip", "ingest", {T + "b.odt": b"PK\x03\x04garbage"}, "not a valid .odt"),
    # plain text and subtitles
    ("txt_over_size_limit", "ingest", {T + "b.txt": "IP: " + "a" * (1 << 20) + "\n"}, "over the limit"),
    ("txt_binary", "ingest", {T + "b.txt": bytes(range(256)) * 20}, "undecodable"),
    ("txt_nul_bytes", "ingest", {T + "b.txt": b"IP: hei\x00\x00\x00 der\n"}, "undecodable"),
    ("txt_only_whitespace", "ingest", {T + "b.txt": "  \n\n \t\n"}, "empty"),
    ("vtt_no_header", "ingest", {T + "b.vtt": "00:00.000 --> 00:01.000\nIP: hei\n"}, "WEBVTT"),
    ("srt_no_cues", "ingest", {T + "b.srt": "bare tekst\nuten tider\n"}, "no subtitle cues"),
    ("utf16_odd_bytes", "ingest", {T + "b.txt": b"\xff\xfeI\x00:\x00 \x00h"}, "undecodable"),
    ("file_name_forges_a_line", "ingest", {T + "b\nFeil: alt er bra.txt": bytes(range(256)) * 4}, "2.txt"),
    ("file_name_with_escape_codes", "ingest", {T + "b\x1b[2J.txt": bytes(range(256)) * 4}, "2.txt"),
    # the informants table
    ("informants_over_size_limit", "ingest", {"data/raw/informants.csv": "id,file,group\n1,a.txt,stayed\n"
                                              + "#" * (2 << 20) + "\n"}, "over the limit"),
    ("informants_not_a_table", "ingest", {"data/raw/informants.csv": bytes(range(256)) * 8}, "ANY"),
    # settings files
    ("codebook_alias_bomb", "run", {"codebook.yaml": alias_bomb()}, "expands to more than"),
    ("codebook_deeply_nested", "run", {"codebook.yaml": "codes: " + "[" * 5000 + "]" * 5000}, "nested more than"),
    ("codebook_recursive_alias", "run", {"codebook.yaml": "version: '1'\ncodes: &c [*c]\n"}, "contains it"),
    ("codebook_duplicate_key", "run", {"codebook.yaml": "version: '1'\nversion: '2'\ncodes: []\n"}, "appears twice"),
    ("codebook_not_utf8", "run", {"codebook.yaml": b"version: '\xff\xfe'\n"}, "not UTF-8"),
    ("codebook_python_tag", "run", {"codebook.yaml": "version: !!python/object/apply:os.system ['echo hi']\n"},
     "invalid YAML"),
    ("codebook_too_large", "run", {"codebook.yaml": "# " + "x" * (6 << 20) + "\n"}, "over the limit"),
    ("study_yaml_deeply_nested", "ingest", {"study.yaml": "name: " + "[" * 5000 + "]" * 5000}, "nested more than"),
    ("study_yaml_alias_bomb", "ingest", {"study.yaml": alias_bomb()}, "expands to more than"),
    ("study_yaml_not_a_mapping", "ingest", {"study.yaml": "- a\n- b\n"}, "mapping"),
    ("study_yaml_bad_syntax", "ingest", {"study.yaml": "name: [unclosed\n"}, "invalid YAML"),
    ("study_yaml_negative_limit", "ingest", {"study.yaml": "limits:\n  max_file_mb: -1\n"}, "limits.max_file_mb"),
    # human coding files (checked before the first stage writes)
    ("human_bad_header", "run", {"data/coded/human/forsker1.csv": "id,kode\nx,y\n"}, "expected the header"),
    ("human_not_utf8", "run", {"data/coded/human/forsker1.csv": b"segment_id,codes,codebook_version\n\xff,\xfe,1\n"},
     "not UTF-8"),
    ("human_unknown_code", "run", {"data/coded/human/forsker1.csv":
                                   "segment_id,codes,codebook_version\ns1,ingen_slik_kode,1.0\n"}, "unknown code"),
    ("human_reserved_coder", "run", {"data/coded/human/model.csv": "segment_id,codes,codebook_version\n"},
     "not a valid human coder id"),
    ("human_ragged_row", "run", {"data/coded/human/forsker1.csv": "segment_id,codes,codebook_version\ns1,a\n"},
     "expected 3 columns"),
    # .qdpx import (read before the study store is needed)
    ("qdpx_not_zip", "qdpx", {"in.qdpx": b"not a zip"}, "not a .qdpx file"),
    ("qdpx_sources_share_one_member", "qdpx", {"in.qdpx": qdpx(
        qde("".join(text_source(n, "s.txt") for n in range(1, 41))), {"sources/s.txt": "IP: hei\n"})},
     "use the same text file"),
    ("qdpx_member_over_budget", "qdpx", {"in.qdpx": qdpx(qde(text_source(1, "s.txt")),
                                                         {"sources/s.txt": "a" * (3 << 20)})}, "unpacks to more than"),
    ("qdpx_deeply_nested", "qdpx", {"in.qdpx": qdpx("<Project>" + "<a>" * 3000 + "</a>" * 3000 + "</Project>")},
     "depth"),
    ("qdpx_missing_member_named_after_a_person", "qdpx", {"in.qdpx": qdpx(qde(text_source(1, "nope.txt")))},
     "source 1"),
    ("qdpx_text_outside_archive", "qdpx", {"in.qdpx": qdpx(qde(
        f'<TextSource guid="1" name="{SECRET}" plainTextPath="file:///etc/passwd"/>'))}, "outside the archive"),
    ("qdpx_xxe", "qdpx", {"in.qdpx": qdpx(
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0"><Description>&x;</Description></Project>')}, "ANY"),
    ("qdpx_no_project", "qdpx", {"in.qdpx": zip_bytes({"sources/a.txt": "x"})}, "exactly one project.qde"),
    ("qdpx_wrong_root", "qdpx", {"in.qdpx": qdpx("<Projekt/>")}, "expected 'Project'"),
    ("qdpx_source_not_utf8", "qdpx", {"in.qdpx": qdpx(qde(text_source(1, "s.txt")), {"sources/s.txt": b"\xff\xfe\xd8"})},
     "source 1"),
    # filled-in review sheets
    ("review_xlsx_bomb", "review", {"review.xlsx": zip_bytes({"xl/worksheets/sheet1.xml": "a" * (3 << 20)})},
     "unpacks to more than"),
    ("review_xlsx_garbage", "review", {"review.xlsx": b"PK\x03\x04 nonsense"}, "not a valid .xlsx"),
]


def run_case(make_study, tmp_path, command, files):
    root = make_study({"a.txt": GOOD}, settings=SETTINGS)
    outside = None
    for name, content in files.items():
        path = (tmp_path if name.endswith((".qdpx", ".xlsx")) else root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        outside = path
    names = sorted(p.name for p in (root / T).iterdir())
    rows = "".join(f'{i},"{name}",stayed\n' for i, name in enumerate(names, start=1))
    if "data/raw/informants.csv" not in files:
        (root / "data" / "raw" / "informants.csv").write_text("id,file,group\n" + rows, encoding="utf-8")
    args = {"ingest": ["ingest"], "run": ["run"],
            "qdpx": ["import", "qdpx", str(outside), "--coder", "forsker1"],
            "review": ["review", "import", str(outside), "--coder", "forsker1"]}[command]
    return root, CliRunner().invoke(app, ["--study", str(root), *args])


def assert_one_line_or_ok(result, expected):
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert SECRET not in result.output and "root:x:" not in result.output
    if expected is None:
        assert result.exit_code == 0, result.output
        return
    if expected == "ANY" and result.exit_code == 0:
        return
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Feil:"), result.output
    if expected != "ANY":
        assert expected in lines[0], lines[0]


def test_there_are_at_least_50_hostile_files():
    assert len(CASES) >= 50


@pytest.mark.parametrize("name, command, files, expected", CASES, ids=[case[0] for case in CASES])
def test_hostile_file_gives_one_line_and_no_traceback(make_study, tmp_path, name, command, files, expected):
    started = time.monotonic()
    _, result = run_case(make_study, tmp_path, command, files)
    assert_one_line_or_ok(result, expected)
    assert time.monotonic() - started < 30  # bounded: no case may run for minutes


def test_hostile_input_is_refused_before_anything_is_written(make_study, tmp_path):
    root, result = run_case(make_study, tmp_path, "run", {"codebook.yaml": alias_bomb()})
    assert result.exit_code == 1
    assert not (root / "data" / "private").exists() and not (root / "data" / "coded").exists()
    root2 = tmp_path / "s2"
    root2 = make_study({"a.txt": GOOD}, root=root2)
    (root2 / "data" / "coded" / "human").mkdir(parents=True)
    (root2 / "data" / "coded" / "human" / "forsker1.csv").write_text("id\n")
    assert CliRunner().invoke(app, ["--study", str(root2), "run"]).exit_code == 1
    assert not (root2 / "data" / "private").exists()  # the human file was checked before ingest wrote


def test_symlinks_leaving_the_study_are_refused(make_study, tmp_path):
    secret = tmp_path / "elsewhere.txt"
    secret.write_text(GOOD)
    root = make_study({"a.txt": GOOD}, informants="id,file,group\n1,a.txt,stayed\n2,b.txt,stayed\n")
    (root / T / "b.txt").symlink_to(secret)
    result = CliRunner().invoke(app, ["--study", str(root), "ingest"])
    assert result.exit_code == 1 and "symbolic link" in result.output and "2.txt" in result.output  # its shareable name (docs/anonymisation.md)
    (root / T / "b.txt").unlink()
    (root / T / "b.txt").symlink_to(root / T / "a.txt")  # a link inside the study is fine
    assert CliRunner().invoke(app, ["--study", str(root), "ingest"]).exit_code == 0
    outside_codebook = tmp_path / "codebook.yaml"
    outside_codebook.write_text((root / "codebook.yaml").read_text())
    (root / "codebook.yaml").unlink()
    (root / "codebook.yaml").symlink_to(outside_codebook)
    result = CliRunner().invoke(app, ["--study", str(root), "run"])
    assert result.exit_code == 1 and "symbolic link" in result.output


def test_a_symlink_loop_is_one_line(make_study):
    root = make_study({"a.txt": GOOD}, informants="id,file,group\n1,a.txt,stayed\n2,b.txt,stayed\n3,c.txt,stayed\n")
    (root / T / "b.txt").symlink_to(root / T / "c.txt")
    (root / T / "c.txt").symlink_to(root / T / "b.txt")
    result = CliRunner().invoke(app, ["--study", str(root), "ingest"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------- units


def test_yaml_alias_bomb_fails_fast_and_small_aliases_work():
    started = time.monotonic()
    with pytest.raises(QualpipeError, match="expands to more than"):
        load_yaml(alias_bomb(), Path("codebook.yaml"))
    assert time.monotonic() - started < 1
    data, _ = load_yaml("base: &b {k: 1}\nother: {<<: *b, j: 2}\nlist: [*b, *b]\n", Path("x.yaml"))
    assert data == {"base": {"k": 1}, "other": {"k": 1, "j": 2}, "list": [{"k": 1}, {"k": 1}]}


def test_duplicate_key_check_does_not_follow_aliases():
    # The same mapping reached through 9**8 alias paths is composed (and checked) once.
    text = "x: &x {a: 1}\n" + "".join(f"y{i}: &y{i} [" + ",".join([f"*{'x' if i == 0 else f'y{i-1}'}"] * 9) + "]\n"
                                      for i in range(4))
    started = time.monotonic()
    load_yaml(text, Path("x.yaml"))
    assert time.monotonic() - started < 1
    with pytest.raises(QualpipeError, match="line 5: key 'a' appears twice in the same block .first on line 4"):
        load_yaml("x: &x {a: 1}\ny: [*x, *x]\nz:\n  a: 1\n  a: 2\n", Path("x.yaml"))


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"klikk\")", "+1+1", "-2+3", "@SUM(1)", "\tTAB", "\rCR",
                                  "'=already", "''+x"])
def test_formula_like_text_is_escaped_and_read_back_exactly(text, tmp_path):
    assert needs_escape(text) and escape_cell(text).startswith("'")
    assert unescape_cell(escape_cell(text)) == text
    path = tmp_path / "x.csv"
    path.write_text(rows_to_csv(["a", "b"], [[text, 3]]), encoding="utf-8")
    assert path.read_text().splitlines()[1].lstrip('"').startswith("'")
    assert read_csv(path) == [{"a": text, "b": "3"}]


@pytest.mark.parametrize("text", ["-0.25", "+3", "12", "Nei, sa hun", "'sitat'", "", "a=b", "e-post"])
def test_numbers_and_ordinary_text_are_not_escaped(text):
    assert escape_cell(text) == text and unescape_cell(text) == text


def test_xlsx_cells_are_text_never_formulas(tmp_path):
    from openpyxl import Workbook, load_workbook

    from pipeline.safeio import xlsx_cell

    book = Workbook()
    for column, value in enumerate(["=1+1", "@SUM(1)", "vanlig", 7], start=1):
        xlsx_cell(book.active.cell(row=1, column=column), value)
    book.save(tmp_path / "x.xlsx")
    with zipfile.ZipFile(tmp_path / "x.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    cells = [c.value for c in load_workbook(tmp_path / "x.xlsx").active[1]]
    assert cells == ["=1+1", "@SUM(1)", "vanlig", 7]
    loaded = load_workbook(tmp_path / "x.xlsx").active
    assert loaded["A1"].data_type == "s" and loaded["A1"].quotePrefix


def test_safe_text_escapes_control_and_bidi_characters():
    assert safe_text("a\nFeil: b\r\t\x1b[0m\u202eexe.txt") == "a\\nFeil: b\\r\\t\\x1b[0m\\u202eexe.txt"
    assert safe_text("Ærlig talt – «fint»") == "Ærlig talt – «fint»"


def test_bounded_zip_reads_each_member_once_within_its_budget(tmp_path):
    data = zip_bytes({"a": "x" * 1000, "b": "y" * 1000})
    with BoundedZip(data, tmp_path / "f.zip", "not a valid test file", max_unpacked=1500) as archive:
        assert archive.read("a") == b"x" * 1000
        with pytest.raises(QualpipeError, match="read twice"):
            archive.read("a")
        with pytest.raises(QualpipeError, match="unpacks to more than"):
            archive.read("b")


def test_private_files_written_by_a_run_are_0600(make_study):
    from pipeline.settings import load_study
    from pipeline.workflow import ingest_stage

    root = make_study({"a.txt": GOOD})
    ingest_stage(load_study(root))
    private = root / "data" / "private"
    assert private.stat().st_mode & 0o777 == 0o700 or os.name != "posix"
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in private.iterdir() if p.is_file())
