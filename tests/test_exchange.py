"""REFI-QDA exchange: .qdpx/.qdc export, schema validity, stable GUIDs, round trip,
files in the style other tools write, rejection of bad files, the leak guard.

Studies are small and built directly in the StudyStore, so these tests do not
depend on the anonymisation or coding stages.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from pipeline.codebook import load_codebook
from pipeline.anonymise.guard import Guard
from pipeline.errors import LeakError, QualpipeError
from pipeline.exchange import export_qdc, export_qdpx, import_qdpx
from pipeline.exchange import common
from pipeline.exchange.schema import load_schemas, validation_errors
from pipeline.exchange.text import SPEAKER_LABELS, build_source_text
from pipeline.records import Coding, Informant, Segment
from pipeline.secret import study_secret
from pipeline.settings import load_study
from pipeline.store import StudyStore

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO.parent / "shared" / "data" / "refi-qda"


def schemas():
    """Both schemas; their absence fails the test (CI always has ../shared beside the clone)."""
    if not SCHEMAS.is_dir():
        pytest.fail(f"REFI-QDA schemas not found in {SCHEMAS}: clone next to ../shared (see its SOURCE.md)")
    return load_schemas(SCHEMAS)
NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}

CODEBOOK = """\
version: "2.1"
name: Testkodebok
codes:
  - id: economy
    label: Økonomi
    colour: "#333333"
    definition: Penger og lån.
  - id: discount
    label: Rabatt og pris
    parent: economy
    colour: "#d95f02"
    definition: Rabatten, prisen og taksten.
    include: [Rabatt ved kjøp.]
  - id: stability
    label: Stabilitet og trygghet
    colour: "#1b9e77"
    definition: Trygghet i bosituasjonen.
  - id: standard
    label: Boligens standard
    colour: "#7570b3"
    definition: Tilstand og vedlikehold.
"""

# "name" is private: the leak guard knows it, the store (and so the export) never has it.
INFORMANTS = ("id,file,group,name,age_group,year_bought,refugee_background\n"
              "1,a.txt,stayed,Hamid Rahimi,40-49,2010,yes\n2,b.txt,sold_bought,Bjørg Lien,50-59,2012,no\n"
              "S1,c.txt,staff,Hilde Strand,,,\n")

# (speaker, [(start, text)]) per turn; offsets are within the anonymised turn text.
TURNS = {
    "a.txt": [
        ("interviewer", [(0, "Hvordan var det å kjøpe boligen?")]),
        ("informant", [(0, "Det var trygt for oss."), (23, "Vi fikk rabatt, og ungene slapp å bytte skole.")]),
        ("interviewer", [(0, "Og huset?")]),
        # two spaces between the sentences, and a line break inside the first one
        ("informant", [(0, "Badet var\ngammelt."), (20, "Men <PERSON_1> hjalp oss med det.")]),
    ],
    "b.txt": [
        ("interviewer", [(0, "Fortell om salget.")]),
        ("informant", [(0, "Vi solgte i 2017 med god fortjeneste."), (38, "Nå bor vi i <STED_1>.")]),
    ],
    "c.txt": [
        ("interviewer", [(0, "Hva er din rolle?")]),
        ("informant", [(0, "Jeg jobber med startlån i kommunen.")]),
    ],
}
INFORMANT_OF = {"a.txt": "1", "b.txt": "2", "c.txt": "S1"}


def guid(study, kind: str, key: str) -> str:
    """The study's (keyed) GUID, as the exporter computes it."""
    return common.guid(kind, key, study_secret(study))


def sid(file: str, turn: int, k: int) -> str:
    return f"s{file[0]}{turn}{k}"


def build_segments() -> dict[str, list[Segment]]:
    found: dict[str, list[Segment]] = {}
    for file, turns in TURNS.items():
        found[file] = [Segment(segment_id=sid(file, t, k), informant_id=INFORMANT_OF[file], file=file, turn_index=t,
                               speaker=speaker, start=start, end=start + len(text), text=text)
                       for t, (speaker, parts) in enumerate(turns) for k, (start, text) in enumerate(parts)]
    return found


HUMAN = {"forsker1": {sid("a.txt", 1, 0): {"stability"}, sid("a.txt", 1, 1): {"discount", "stability"},
                      sid("a.txt", 3, 0): {"standard"}, sid("a.txt", 3, 1): set(),
                      sid("b.txt", 1, 0): {"discount"}}}


def seed_store(root: Path, human: dict | None = None) -> None:
    study = load_study(root)
    with StudyStore(study.store_path) as store:
        store.replace_informants([Informant("1", "a.txt", "stayed", {"age_group": "40-49", "year_bought": "2010",
                                                                      "refugee_background": "yes"}),
                                  Informant("2", "b.txt", "sold_bought", {"age_group": "50-59", "year_bought": "2012",
                                                                          "refugee_background": "no"}),
                                  Informant("S1", "c.txt", "staff", {"age_group": "", "year_bought": "",
                                                                     "refugee_background": ""})])
        for file, segments in build_segments().items():
            store.replace_segments(file, INFORMANT_OF[file], "0" * 64, len(TURNS[file]), segments)
        book = load_codebook(study.codebook_path)
        store.replace_codes(book.store_rows(), book.version)
        store.replace_machine_codings("rule", [
            Coding(sid("a.txt", 1, 1), "discount", "rule", "rules", 1.0, "suggested", "2.1"),
            Coding(sid("b.txt", 1, 1), "stability", "rule", "rules", 1.0, "suggested", "2.1"),
            Coding(sid("c.txt", 1, 0), "discount", "rule", "rules", 1.0, "rejected", "2.1"),
        ])
        store.replace_machine_codings("model", [
            Coding(sid("b.txt", 1, 1), "standard", "model", "model", 0.81, "suggested", "2.1"),
            Coding(sid("a.txt", 3, 1), "stability", "model", "model", 0.7, "suggested", "2.1"),  # human decided
            Coding(sid("c.txt", 1, 0), "economy", "model", "model", 0.9, "accepted", "2.1"),
        ])
        for coder, decisions in (HUMAN if human is None else human).items():
            store.record_human_decisions(coder, decisions, "2.1")


def no_leak(forbidden=("Hamid", "Rahimi")):
    """The real Guard type with explicit entries: refuses text holding a known identifier."""
    person = type("T", (), {"type": "PERSON"})()
    return Guard([(word, person) for word in forbidden])


@pytest.fixture
def study(make_study):
    root = make_study({name: "I: x\nIP: y\n" for name in TURNS}, informants=INFORMANTS, codebook=CODEBOOK)
    seed_store(root)
    return load_study(root)


def read_archive(path: Path) -> tuple[etree._Element, dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("Sources/")}
    return root, texts


def exported_pairs(root: etree._Element, user: str | None = None) -> dict[str, set[tuple[str, str]]]:
    """segment id (selection name) -> {(code guid, user name)} in an exported project."""
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", NS)}
    found: dict[str, set[tuple[str, str]]] = {}
    for selection in root.iterfind(".//q:PlainTextSelection", NS):
        for coding in selection.iterfind("q:Coding", NS):
            name = users[coding.get("creatingUser")]
            if user is None or name == user:
                found.setdefault(selection.get("name"), set()).add((coding.find("q:CodeRef", NS).get("targetGUID"), name))
    return found


def decisions_of(study, coder: str) -> dict[str, frozenset[str]]:
    from pipeline.coding.human import coder_decisions

    with StudyStore(study.store_path) as store:
        return coder_decisions(store, coder)


# ------------------------------------------------------------------ source text


def test_source_text_layout_and_positions():
    segments = build_segments()["a.txt"]
    source = build_source_text("a.txt", segments)
    lines = source.text.split("\n")
    assert source.text.endswith("\n") and "\r" not in source.text
    assert len(lines) == 5 and lines[-1] == ""  # four turns, one line each
    assert lines[0] == "Intervjuer: Hvordan var det å kjøpe boligen?"
    assert lines[1] == "Informant: Det var trygt for oss. Vi fikk rabatt, og ungene slapp å bytte skole."
    # the gap of two spaces is kept, the line break inside a segment is a space of the same length
    assert lines[3] == "Informant: Badet var gammelt.  Men <PERSON_1> hjalp oss med det."
    for segment in segments:
        start, end = source.spans[segment.segment_id]
        assert source.text[start:end] == segment.text.replace("\n", " ")
    # positions are characters, not bytes: "ø" and "å" before a segment count once
    start, _ = source.spans[sid("a.txt", 1, 0)]
    assert start == len("Intervjuer: Hvordan var det å kjøpe boligen?\n" + SPEAKER_LABELS["informant"] + ": ")


@pytest.mark.parametrize("crlf_counts_two", [True, False])
def test_crlf_positions_are_read_the_way_the_tool_counted(crlf_counts_two):
    from pipeline.exchange.qdpx import _choose_text, _Selection, _Source
    from pipeline.exchange.text import PositionMap

    ours = "".join(f"Informant: Linje nummer {i} handler om boligen.\n" for i in range(30))
    theirs = ours.replace("\n", "\r\n")
    marks = []
    for word in ("nummer 7 ", "boligen", "nummer 29"):
        at = ours.rindex(word) if word == "nummer 29" else ours.index(word)
        extra = ours[:at].count("\n") if crlf_counts_two else 0
        marks.append(_Selection("g", at + extra, at + extra + len(word.strip()), []))
    source = _Source(guid="g", name="x", text=theirs, selections=marks)
    chosen = _choose_text(source, Path("x.qdpx"))
    mapped = PositionMap(chosen, ours)
    assert [ours[mapped.start(m.start):mapped.end(m.end)] for m in marks] == ["nummer 7", "boligen", "nummer 29"]


# ------------------------------------------------------------------ export


def test_exports_validate_against_both_schemas(study, tmp_path):
    project_schema, codebook_schema = schemas()
    result = export_qdpx(study, tmp_path / "s.qdpx", include_suggestions=True, guard=no_leak())
    root, _ = read_archive(result.path)
    xml = etree.tostring(root)
    assert validation_errors(project_schema, xml) == []
    qdc = export_qdc(study, tmp_path / "c.qdc", guard=no_leak())
    assert validation_errors(codebook_schema, qdc.read_bytes()) == []
    # the validator is not a rubber stamp: a broken GUID and a bad type are caught
    broken = xml.replace(guid(study, "user", "forsker1").encode(), b"not-a-guid", 1)
    assert validation_errors(project_schema, broken)
    assert validation_errors(codebook_schema, qdc.read_bytes().replace(b'isCodable="true"', b'isCodable="maybe"', 1))


def test_export_contents(study, tmp_path):
    result = export_qdpx(study, tmp_path / "s.qdpx", guard=no_leak())
    root, texts = read_archive(result.path)
    assert root.get("name") == "Teststudie"
    # users: every human coder, plus machine coders whose codings are exported (here the accepted one)
    assert [u.get("name") for u in root.iterfind(".//q:User", NS)] == ["forsker1", "model"]
    # nested codes: "Rabatt og pris" under "Økonomi", definition as Description
    economy = root.find(f".//q:CodeBook/q:Codes/q:Code[@name='Økonomi']", NS)
    child = economy.find("q:Code", NS)
    assert child.get("name") == "Rabatt og pris" and child.get("color") == "#d95f02"
    assert child.find("q:Description", NS).text.startswith("Rabatten, prisen og taksten.")
    # variables with types; empty cells give no value
    kinds = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert kinds == {"group": "Text", "age_group": "Text", "year_bought": "Integer", "refugee_background": "Boolean"}
    case1 = root.find(".//q:Case[@name='1']", NS)
    assert case1.find("q:VariableValue/q:BooleanValue", NS).text == "true"
    assert case1.find("q:VariableValue/q:IntegerValue", NS).text == "2010"
    assert case1.find("q:SourceRef", NS).get("targetGUID") == guid(study, "source", "a.txt")
    assert len(root.find(".//q:Case[@name='S1']", NS).findall("q:VariableValue", NS)) == 1  # group only
    # one text source per transcript, text in Sources/, selections slice the text to the segment
    sources = root.findall(".//q:TextSource", NS)
    assert [s.get("name") for s in sources] == ["a", "b", "c"]
    segments = {s.segment_id: s for file in TURNS for s in build_segments()[file]}
    for source in sources:
        text = texts["Sources/" + source.get("plainTextPath").removeprefix("internal://")]
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == segments[selection.get("name")].text.replace("\n", " ")
    # default: human codings and accepted machine codings only; never rejected ones
    pairs = exported_pairs(root)
    code = {c: guid(study, "code", c) for c in ("discount", "stability", "standard", "economy")}
    assert pairs == {
        sid("a.txt", 1, 0): {(code["stability"], "forsker1")},
        sid("a.txt", 1, 1): {(code["discount"], "forsker1"), (code["stability"], "forsker1")},
        sid("a.txt", 3, 0): {(code["standard"], "forsker1")},
        sid("b.txt", 1, 0): {(code["discount"], "forsker1")},
        sid("c.txt", 1, 0): {(code["economy"], "model")},
    }
    assert result.codings == 6 and result.selections == 5


def test_suggestions_only_with_flag(study, tmp_path):
    root, _ = read_archive(export_qdpx(study, tmp_path / "s.qdpx", include_suggestions=True, guard=no_leak()).path)
    pairs = exported_pairs(root)
    assert [u.get("name") for u in root.iterfind(".//q:User", NS)] == ["forsker1", "model", "rules"]
    assert pairs[sid("b.txt", 1, 1)] == {(guid(study, "code", "stability"), "rules"), (guid(study, "code", "standard"), "model")}
    # a suggestion on a segment forsker1 decided is settled, not exported (forsker1 decided "none")
    assert sid("a.txt", 3, 1) not in pairs
    # a rejected rule coding is never exported
    assert (guid(study, "code", "discount"), "rules") not in pairs[sid("c.txt", 1, 0)]


def test_guids_and_bytes_stable_across_exports(study, tmp_path):
    first = export_qdpx(study, tmp_path / "1.qdpx", guard=no_leak()).path.read_bytes()
    second = export_qdpx(study, tmp_path / "2.qdpx", guard=no_leak()).path.read_bytes()
    assert first == second
    guids = lambda data: sorted(  # noqa: E731
        value for element in etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("project.qde")).iter()
        for key, value in element.attrib.items() if key in ("guid", "targetGUID", "creatingUser"))
    # a new human coding adds GUIDs but changes none of the existing ones
    with StudyStore(study.store_path) as store:
        store.record_human_decisions("forsker2", {sid("c.txt", 1, 0): {"discount"}}, "2.1")
    third = export_qdpx(study, tmp_path / "3.qdpx", guard=no_leak()).path.read_bytes()
    assert set(guids(first)) < set(guids(third))


def test_qdc_has_the_codebook(study, tmp_path):
    root = etree.fromstring(export_qdc(study, tmp_path / "c.qdc", guard=no_leak()).read_bytes())
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    names = [(c.get("name"), c.getparent().tag.split("}")[1]) for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert names == [("Økonomi", "Codes"), ("Rabatt og pris", "Code"), ("Stabilitet og trygghet", "Codes"),
                     ("Boligens standard", "Codes")]
    # same GUIDs as in the project export
    assert root.find(".//c:Code", NS).get("guid") == guid(study, "code", "economy")


def plant_name(study, text: str = "Nå bor vi hos Hamid Rahimi.") -> None:
    """A name the anonymiser missed, in segment b.txt/1/1."""
    with StudyStore(study.store_path) as store:
        segments = [s if s.segment_id != sid("b.txt", 1, 1) else
                    Segment(**{**s.__dict__, "text": text, "end": s.start + len(text)})
                    for s in store.segments(file="b.txt")]
        store.replace_segments("b.txt", "2", "0" * 64, 2, segments)


def test_leak_guard_blocks_export_and_keeps_last_good_file(study, tmp_path):
    out = tmp_path / "s.qdpx"
    export_qdpx(study, out)  # the study's own guard (pipeline.anonymise.guard)
    good = out.read_bytes()
    plant_name(study)
    with pytest.raises(LeakError) as error:
        export_qdpx(study, out)
    assert "Sources/" in str(error.value) and "Hamid" not in str(error.value)  # names the file, not the name
    assert out.read_bytes() == good
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_guard_sees_project_and_every_source(study, tmp_path, monkeypatch):
    seen: list[str] = []
    real = Guard.check

    def spy(self, text, target, source=None):
        seen.append(Path(source).name if source else Path(target).name)
        return real(self, text, target, source)

    monkeypatch.setattr(Guard, "check", spy)
    export_qdpx(study, tmp_path / "s.qdpx")
    assert sorted(seen) == sorted(["project.qde"] + [f"{guid(study, 'source', f)}.txt" for f in TURNS])
    export_qdc(study, tmp_path / "c.qdc")
    assert seen[-1] == "c.qdc"


def test_export_without_store_is_a_clear_error(make_study, tmp_path):
    root = make_study({"a.txt": "I: x\nIP: y\n"}, codebook=CODEBOOK)
    with pytest.raises(QualpipeError, match="run `qualpipe run`"):
        export_qdpx(load_study(root), tmp_path / "s.qdpx", guard=no_leak())


# ------------------------------------------------------------------ round trip


def test_round_trip_is_lossless(study, tmp_path):
    out = export_qdpx(study, tmp_path / "s.qdpx", guard=no_leak()).path
    import_qdpx(study, out, "roundtrip", from_user="forsker1")
    forsker1 = decisions_of(study, "forsker1")
    roundtrip = decisions_of(study, "roundtrip")
    # every coded segment comes back with exactly its codes
    assert {k: v for k, v in roundtrip.items() if v} == {k: v for k, v in forsker1.items() if v}
    # and every other informant segment of the coded sources is decided "none applies"
    informant_a_b = {s.segment_id for f in ("a.txt", "b.txt") for s in build_segments()[f] if s.speaker == "informant"}
    assert set(roundtrip) == informant_a_b
    with StudyStore(study.store_path) as store:
        pairs = lambda coder: {(c.segment_id, c.code) for c in store.codings(source="human", coder=coder)}  # noqa: E731
        assert pairs("roundtrip") == pairs("forsker1")
    # the durable CSV record is written and reads back to the same decisions
    from pipeline.coding.human import read_human_file

    csv = study.human_dir / "roundtrip.csv"
    assert csv.read_text(encoding="utf-8").splitlines()[0] == "segment_id,codes,codebook_version"
    back = read_human_file(csv, informant_a_b | {sid("c.txt", 1, 0)}, {"economy", "discount", "stability", "standard"})
    assert {k: d.codes for k, d in back.items()} == roundtrip
    assert {d.codebook_version for d in back.values()} == {"2.1"}


def test_agreement_runs_between_imported_coder_and_forsker1(study, tmp_path):
    from pipeline.coding.agreement import coder_agreement

    import_qdpx(study, export_qdpx(study, tmp_path / "s.qdpx").path, "roundtrip", from_user="forsker1")
    rows = [r for r in coder_agreement(study, "roundtrip", "forsker1") if r.level == "segment"]
    # forsker1 decided 5 segments; roundtrip every informant segment of a and b (6): 5 in common
    assert rows and all(r.n == 5 and r.percent == 100.0 for r in rows)
    assert {r.code: r.positives_a for r in rows if r.code in ("discount", "stability")} == {
        "discount": 2, "stability": 2}


def test_round_trip_with_suggestions_takes_every_user(study, tmp_path):
    out = export_qdpx(study, tmp_path / "s.qdpx", include_suggestions=True, guard=no_leak()).path
    result = import_qdpx(study, out, "kari")
    root, _ = read_archive(out)
    code_of = {guid(study, "code", c): c for c in ("discount", "stability", "standard", "economy")}
    expected = {seg: frozenset(code_of[g] for g, _ in pairs) for seg, pairs in exported_pairs(root).items()}
    got = {k: v for k, v in decisions_of(study, "kari").items() if v}
    assert got == expected
    assert result.codings == sum(len(v) for v in expected.values())
    # importing the same file again changes nothing
    import_qdpx(study, out, "kari")
    assert {k: v for k, v in decisions_of(study, "kari").items() if v} == expected


# ------------------------------------------------------------------ files from other tools


TRYGG = "{C0DE0000-0000-4000-8000-000000000001}"
RABATT = "{C0DE0000-0000-4000-8000-000000000002}"
KARI = "{11111111-2222-4333-8444-555555555555}"


def foreign_qdpx(study, path: Path, *, crlf_counts_two: bool = True, codes: dict | None = None,
                 extra_source: bool = False, text_edit=None) -> Path:
    """A .qdpx as NVivo/MAXQDA-style tools write it, by hand: their own (braced, upper-case)
    GUIDs, a nested code tree under a non-codable folder, code names as the coder typed
    them, and sources as .txt with a BOM and Windows line endings."""
    with StudyStore(study.store_path) as store:
        texts = {f: build_source_text(f, store.segments(file=f)).text for f in ("a.txt", "b.txt")}

    def pos(file: str, phrase: str, end: bool = False) -> int:
        text = texts[file]
        at = text.index(phrase) + (len(phrase) if end else 0)
        return at + (text[:at].count("\n") if crlf_counts_two else 0)  # CRLF: one more per line end

    # Kari codes a word inside a sentence, a span across several sentences, and one sentence.
    selections = {
        "a.txt": [(pos("a.txt", "trygt"), pos("a.txt", "trygt", True), TRYGG),
                  (pos("a.txt", "fikk rabatt"), pos("a.txt", "Men <PERSON_1> hjalp", True), RABATT)],
        "b.txt": [(pos("b.txt", "Nå bor vi"), pos("b.txt", "<STED_1>.", True), TRYGG)],
    }
    codes = codes if codes is not None else {TRYGG: "stabilitet og  trygghet", RABATT: "Rabatt og pris"}
    code_xml = "".join(f'<Code guid="{g}" name="{n}" isCodable="true"/>' for g, n in codes.items())
    sources, members = [], {}
    for i, (file, chosen) in enumerate(selections.items()):
        text = text_edit(texts[file]) if text_edit else texts[file]
        source_guid = f"AB12CD34-0000-4000-8000-00000000000{i}"
        members[f"Sources/{source_guid}.txt"] = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
        marks = "".join(
            f'<PlainTextSelection guid="{{5E1EC700-0000-4000-8000-0000000000{i}{k}}}" startPosition="{s}" '
            f'endPosition="{e}" creatingUser="{KARI}" creationDateTime="2024-03-01T10:00:00Z">'
            f'<Coding guid="{{C0D10000-0000-4000-8000-0000000000{i}{k}}}" creatingUser="{KARI}">'
            f'<CodeRef targetGUID="{c}"/></Coding></PlainTextSelection>'
            for k, (s, e, c) in enumerate(chosen))
        sources.append(f'<TextSource guid="{{{source_guid}}}" name="Intervju {file}" '
                       f'plainTextPath="internal://{source_guid}.txt">{marks}</TextSource>')
    if extra_source:
        sources.append('<TextSource guid="{AB12CD34-0000-4000-8000-0000000000FF}" name="Feltnotater">'
                       '<PlainTextContent>Notater fra feltarbeidet.</PlainTextContent></TextSource>')
    project = (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Leie til eie (NVivo)" origin="NVivo 14" '
        'creationDateTime="2024-03-01T10:00:00Z">\r\n'
        f'<Users><User guid="{KARI}" name="Kari Nordmann" id="KN"/></Users>\r\n'
        '<CodeBook><Codes><Code guid="{99999999-0000-4000-8000-000000000000}" name="Temaer" isCodable="false">'
        f'{code_xml}</Code></Codes></CodeBook>\r\n'
        f'<Sources>{"".join(sources)}</Sources>\r\n</Project>\r\n')
    return zip_with(path, {"project.qde": project.encode("utf-8"), **members})


@pytest.mark.parametrize("crlf_counts_two", [True, False], ids=["crlf-two-chars", "crlf-one-char"])
def test_import_file_in_the_style_of_other_tools(study, tmp_path, crlf_counts_two):
    path = foreign_qdpx(study, tmp_path / "nvivo.qdpx", crlf_counts_two=crlf_counts_two)
    result = import_qdpx(study, path, "kari")
    got = decisions_of(study, "kari")
    assert {k: v for k, v in got.items() if v} == {
        sid("a.txt", 1, 0): {"stability"},           # "trygt" lies inside the sentence
        sid("a.txt", 1, 1): {"discount"},            # covered from its 4th character on: >= 50 %
        sid("a.txt", 3, 0): {"discount"},            # "Badet var gammelt." fully covered
        # "Men <PERSON_1> hjalp" is 20 of 33 characters: >= 50 %
        sid("a.txt", 3, 1): {"discount"},
        sid("b.txt", 1, 1): {"stability"},
    }
    # the interviewer's line inside the long selection is not coded; other informant segments are "none"
    assert got[sid("b.txt", 1, 0)] == frozenset()
    assert sid("a.txt", 2, 0) not in got
    assert result.sources == 2 and result.segments_coded == 5
    assert any("Temaer" in note for note in result.notes)  # the unused folder code is reported


def test_source_changed_a_little_since_export_still_imports(study, tmp_path):
    """A study anonymised again since the export (a tag renumbered, a word changed): the
    shared words carry the positions over; a selection on changed words is reported."""
    path = foreign_qdpx(study, tmp_path / "edited.qdpx",
                        text_edit=lambda t: t.replace("trygt", "trygg").replace("<PERSON_1>", "<PERSON_2>"))
    result = import_qdpx(study, path, "kari")
    got = decisions_of(study, "kari")
    assert {k: v for k, v in got.items() if v} == {
        sid("a.txt", 1, 1): {"discount"}, sid("a.txt", 3, 0): {"discount"}, sid("a.txt", 3, 1): {"discount"},
        sid("b.txt", 1, 1): {"stability"},
    }
    assert sid("a.txt", 1, 0) not in {k for k, v in got.items() if v}  # only "trygg" was selected: changed
    assert any("endret siden eksporten" in note for note in result.notes)


def test_exported_selection_per_coder_with_owner_and_time(study, tmp_path):
    """QualCoder reads the owner from the selection and keeps one row per (code, position,
    owner): two coders of one segment need two selections, each naming its coder."""
    seed_store(study.root, human={**HUMAN, "forsker2": {sid("a.txt", 1, 0): {"stability"},
                                                        sid("a.txt", 1, 1): {"discount"}}})
    root, _ = read_archive(export_qdpx(study, tmp_path / "two.qdpx", guard=no_leak()).path)
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", NS)}
    owners: dict[str, list[str]] = {}
    for selection in root.iterfind(".//q:PlainTextSelection", NS):
        owner = users[selection.get("creatingUser")]
        assert selection.get("creationDateTime")
        assert {users[c.get("creatingUser")] for c in selection.iterfind("q:Coding", NS)} == {owner}
        assert all(c.get("creationDateTime") for c in selection.iterfind("q:Coding", NS))
        owners.setdefault(selection.get("name"), []).append(owner)
    assert sorted(owners[sid("a.txt", 1, 0)]) == ["forsker1", "forsker2"]
    assert sorted(owners[sid("a.txt", 1, 1)]) == ["forsker1", "forsker2"]
    guids = [s.get("guid") for s in root.iterfind(".//q:PlainTextSelection", NS)]
    assert len(guids) == len(set(guids))
    project_schema, _ = schemas()
    assert validation_errors(project_schema, etree.tostring(root)) == []


def test_less_than_half_a_segment_does_not_code_it(study, tmp_path):
    from xml.sax.saxutils import escape

    with StudyStore(study.store_path) as store:
        text = build_source_text("a.txt", store.segments(file="a.txt")).text
    # the last 7 of 46 characters of "Vi fikk rabatt, ... skole." and the interviewer's next line
    start, end = text.index(" skole."), text.index("Og huset?") + len("Og huset?")
    path = zip_with(tmp_path / "x.qdpx", {"project.qde": (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><CodeBook><Codes>'
        f'<Code guid="{guid(study, "code", "discount")}" name="omdøpt i NVivo" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{guid(study, "source", "a.txt")}" name="a">'
        f'<PlainTextContent>{escape(text)}</PlainTextContent>'
        f'<PlainTextSelection guid="00000000-0000-4000-8000-000000000001" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="00000000-0000-4000-8000-000000000002"><CodeRef targetGUID="{guid(study, "code", "discount")}"/>'
        '</Coding></PlainTextSelection>'
        f'<PlainTextSelection guid="00000000-0000-4000-8000-000000000003" startPosition="0" endPosition="{len(text)}">'
        f'<Coding guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="{guid(study, "code", "standard")}"/>'
        '</Coding></PlainTextSelection></TextSource></Sources></Project>')})
    result = import_qdpx(study, path, "kari")
    got = decisions_of(study, "kari")
    # a code renamed in the other tool is still ours by GUID, and so is one only referenced by GUID
    assert got[sid("a.txt", 1, 1)] == {"standard"}  # 7 of 46 characters: no "discount"
    assert got == {s: {"standard"} for s in (sid("a.txt", 1, 0), sid("a.txt", 1, 1), sid("a.txt", 3, 0),
                                             sid("a.txt", 3, 1))}
    assert any("intervjuerens" in note for note in result.notes)


# ------------------------------------------------------------------ rejection


def store_snapshot(study) -> tuple:
    with StudyStore(study.store_path) as store:
        return tuple(store.codings()), tuple(sorted(store.human_reviews().items()))


def zip_with(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("case,message", [
    ("not_zip", "not a .qdpx file"),
    ("no_project", "exactly one project.qde"),
    ("bad_xml", "not well-formed XML"),
    ("wrong_root", "expected 'Project'"),
    ("unknown_code", "codes not in the codebook: 'Nabolag'"),
    ("unknown_source", "do not match any transcript"),
    ("edited_text", "do not match any transcript"),
    ("guid_other_text", "has the GUID of a.txt but a different text"),
    ("outside_text", "after the end of the text"),
    ("bad_position", "is not a whole number"),
    ("missing_member", "missing from the archive"),
    ("undefined_code", "which the file does not define"),
])
def test_bad_files_are_rejected_whole(study, tmp_path, case, message):
    import_qdpx(study, foreign_qdpx(study, tmp_path / "ok.qdpx"), "kari")  # earlier good import
    before = store_snapshot(study)
    csv_before = (study.human_dir / "kari.csv").read_bytes()
    path = tmp_path / f"{case}.qdpx"
    good = zipfile.ZipFile(foreign_qdpx(study, tmp_path / "base.qdpx"))
    project = good.read("project.qde").decode("utf-8")
    sources = {n: good.read(n) for n in good.namelist() if n != "project.qde"}
    if case == "not_zip":
        path.write_text("hei")
    elif case == "no_project":
        zip_with(path, sources)
    elif case == "bad_xml":
        zip_with(path, {"project.qde": project[:-20], **sources})
    elif case == "wrong_root":
        zip_with(path, {"project.qde": "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>", **sources})
    elif case == "unknown_code":
        foreign_qdpx(study, path, codes={TRYGG: "Nabolag", RABATT: "Rabatt og pris"})
    elif case == "unknown_source":
        foreign_qdpx(study, path, extra_source=True)
    elif case == "edited_text":
        foreign_qdpx(study, path, text_edit=lambda t: " ".join(w[::-1] for w in t.split(" ")))
    elif case == "guid_other_text":  # b's text under a's GUID
        zip_with(path, {"project.qde": project.replace('guid="{AB12CD34-0000-4000-8000-000000000001}"',
                                                       f'guid="{guid(study, "source", "a.txt")}"'), **sources})
    elif case == "outside_text":
        zip_with(path, {"project.qde": project.replace('endPosition="', 'endPosition="9999', 1), **sources})
    elif case == "bad_position":
        zip_with(path, {"project.qde": project.replace('startPosition="', 'startPosition="x', 1), **sources})
    elif case == "missing_member":
        zip_with(path, {"project.qde": project})
    elif case == "undefined_code":  # a coding refers to a code the file's codebook lacks
        foreign_qdpx(study, path, codes={RABATT: "Rabatt og pris"})
    with pytest.raises(QualpipeError) as error:
        import_qdpx(study, path, "kari")
    assert message in str(error.value)
    assert str(path) in str(error.value)  # names the file
    assert "\n" not in str(error.value)
    assert store_snapshot(study) == before
    assert (study.human_dir / "kari.csv").read_bytes() == csv_before


def test_coder_and_user_are_checked(study, tmp_path):
    path = foreign_qdpx(study, tmp_path / "f.qdpx")
    for bad in ("model", "rules", "../x", ""):
        with pytest.raises(QualpipeError, match="coder id"):
            import_qdpx(study, path, bad)
    with pytest.raises(QualpipeError, match="no user 'Ola'.*Kari Nordmann"):
        import_qdpx(study, path, "kari", from_user="Ola")
    import_qdpx(study, path, "kari", from_user="KN")  # the user's id works as well as the name
    assert decisions_of(study, "kari")


# ------------------------------------------------------------------ CLI


def test_cli_export_and_import(study, tmp_path):
    from pipeline.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["--study", str(study.root), "export", "qdpx"])
    assert result.exit_code == 0, result.output
    default = study.root / "reports" / "exchange" / "study.qdpx"
    assert default.exists() and "3 kilder" in result.output
    result = runner.invoke(app, ["--study", str(study.root), "export", "qdc", "--out", str(tmp_path / "k.qdc")])
    assert result.exit_code == 0 and (tmp_path / "k.qdc").exists()
    result = runner.invoke(app, ["--study", str(study.root), "import", "qdpx", str(default), "--coder", "roundtrip",
                                 "--from-user", "forsker1"])
    assert result.exit_code == 0, result.output
    assert "roundtrip: 5 kodinger på 4 segmenter" in result.output
    bad = tmp_path / "bad.qdpx"
    bad.write_text("x")
    result = runner.invoke(app, ["--study", str(study.root), "import", "qdpx", str(bad), "--coder", "kari"])
    assert result.exit_code == 1 and "not a .qdpx file" in result.output
