"""The findings report on a small coded study built in the test (no NLP, no demo data).

The study store is filled directly (informants, anonymised segments, rule/model
suggestions, one human coder), so these tests check the report itself: the
three formats, the figures they reference, determinism, the leak guard and
small-n warnings.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone

import docx
import pytest

from pipeline.codebook import load_codebook
from pipeline.errors import LeakError
from pipeline.ingest.segment import segment_id
from pipeline.records import Coding, Segment
from pipeline.report.model import build_report
from pipeline.report.render import generated_line, md_unescape
from pipeline.report.writers import render_report, write_report
from pipeline.secret import study_secret
from pipeline.settings import load_study
from pipeline.store import StudyStore

CODEBOOK = """\
version: "2.0"
codes:
  - id: stability
    label: Stabilitet og trygghet
    colour: "#0072b2"
    definition: Å kunne bli boende og slippe å flytte.
    include: [Å slippe å flytte.]
    examples: {positive: ["Nå kan ingen si at vi må ut."]}
  - id: discount
    label: Pris og rabatt
    colour: "#e69f00"
    definition: Rabatten, taksten og prisen.
  - id: standard
    label: Boligens standard
    colour: "#009e73"
    definition: Tilstand, vedlikehold og felleskostnader.
"""

SETTINGS = """\
name: Teststudie
groups: [stayed, sold_bought, staff]
group_labels: {stayed: boligkjøper, sold_bought: boligkjøper, staff: ansatt}
coding: {primary_coder: forsker1}
report:
  title: Testrapport om leie til eie
  group_names: {stayed: Bor fortsatt, sold_bought: Solgt og kjøpt, staff: Ansatte}
  small_group_warning_below: 3
"""

INFORMANTS = """\
id,file,group,name,age_group,year_bought,year_sold,current_situation,role
1,k1.txt,stayed,Kari Nordbø,40-49,2010,,bor fortsatt i boligen,boligkjøper
2,k2.txt,stayed,Per Haugland,50-59,2011,,bor fortsatt i boligen,boligkjøper
3,k3.txt,stayed,Ola Brekkestø,60-69,2012,,bor fortsatt i boligen,boligkjøper
4,k4.txt,sold_bought,Siri Lyngvær,40-49,2010,2015,kjøpt annen bolig,boligkjøper
5,k5.txt,sold_bought,Tone Fjellheim,30-39,2012,2017,kjøpt annen bolig,boligkjøper
S1,a1.txt,staff,Gunn Tveitane,,,,,saksbehandler for startlån
"""

SENTENCES = {
    "stability": ["Det viktigste var at ungene slapp å bytte skole og kunne bli boende her.",
                  "Nå er det vårt eget hjem, ingen kan si at vi må flytte ut igjen."],
    "discount": ["Rabatten på femti tusen betydde mye for at vi turte å kjøpe den.",
                 "Prisen var satt av takstmannen, så vi slapp budrunde og det var greit."],
    "standard": ["Badet var gammelt og måtte pusses opp nesten med en gang etter kjøpet.",
                 "Felleskostnadene i borettslaget har gått opp hvert år siden vi flyttet inn."],
}
# Which codes each informant talks about: a pattern with real group differences.
TALKS_ABOUT = {"1": ["stability", "standard"], "2": ["stability"], "3": ["stability", "discount"],
               "4": ["discount", "standard"], "5": ["discount"], "S1": ["discount", "standard"]}
WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def report_files(reports) -> dict:
    """The files the report stage owns: rapport.* and its own figures (compare's are its stage's)."""
    return {p.name: p.read_bytes() for p in reports.rglob("*") if p.is_file()
            and p.name.startswith(("rapport", "kontekst_"))}


def fill_store(root, leak: str | None = None) -> None:
    """Anonymised segments, machine suggestions and human decisions, straight into the store."""
    study = load_study(root)
    codebook = load_codebook(study.codebook_path)
    secret = study_secret(study)
    from pipeline.ingest import load_informant_table

    informants = load_informant_table(study).informants
    with StudyStore(study.store_path) as store:
        store.replace_informants(informants)
        store.replace_codes(codebook.store_rows(), codebook.version)
        rule, model, human = [], [], {}
        for informant in informants:
            rows = []
            for code in TALKS_ABOUT[informant.id]:
                for k, sentence in enumerate(SENTENCES[code]):
                    text = sentence if k or informant.id != "1" or not leak else f"{sentence} Det sa {leak}."
                    rows.append((segment_id(secret, informant.id, "informant", text, 0), code, text))
            rows.append((segment_id(secret, informant.id, "informant", "Ja.", 0), None, "Ja."))
            segments = [Segment(sid, informant.id, informant.file, n, "informant", 0, len(text), text)
                        for n, (sid, _code, text) in enumerate(rows)]
            question = "Hvordan var det å kjøpe boligen?"
            segments.append(Segment(segment_id(secret, informant.id, "interviewer", question, 0), informant.id,
                                    informant.file, 99, "interviewer", 0, len(question), question))
            store.replace_segments(informant.file, informant.id, "sha", len(rows) + 1, segments)
            for n, (sid, code, _text) in enumerate(rows):
                if code is None:
                    continue
                rule.append(Coding(sid, code, "rule", "rules", 0.6 + 0.05 * n, "suggested", codebook.version))
                if n % 2:
                    model.append(Coding(sid, code, "model", "model", 0.8, "suggested", codebook.version))
                if n == 0:
                    human[sid] = {code}
        store.replace_machine_codings("rule", rule)
        store.replace_machine_codings("model", model)
        store.record_human_decisions("forsker1", human, codebook.version, reviewed_at="2024-04-01T10:00:00+00:00")
    # The report reads the comparison the compare stage persisted (as `qualpipe run` leaves it) ...
    from pipeline.compare import compare_stage

    compare_stage(study)
    # ... and the held-out agreement the coding stage persisted: written here with figures made up for the
    # layout (test_coding checks that the coding stage computes the real ones).
    write_heldout(study)


def write_heldout(study, kappa: float = 0.61) -> None:
    from pipeline.coding.heldout import HeldOutAgreement, HeldOutScore, heldout_fingerprint, heldout_path

    with StudyStore(study.store_path) as store:
        fingerprint = heldout_fingerprint(study, store, "forsker1")
    scores = [HeldOutScore("segment", code, 0.75, 0.5, 0.6, kappa, 2, 1) for code in ("stability", "discount")]
    scores += [HeldOutScore("segment", "micro", 0.75, 0.5, 0.6, kappa, 4, 2),
               HeldOutScore("turn", "micro", 0.8, 0.5, 0.62, kappa + 0.01, 4, 2)]
    from pipeline.coding.agreement import ALL_CODES, IntervalRow
    from pipeline.coding.heldout import trust_statement

    intervals = [IntervalRow("model – forsker1", level, code, 6, 80.0, k, k - 0.2, min(k + 0.2, 1.0), k, k - 0.25,
                             min(k + 0.2, 1.0))
                 for level, code, k in (("segment", "stability", kappa), ("segment", "discount", kappa),
                                        ("segment", ALL_CODES, kappa), ("turn", ALL_CODES, kappa + 0.01),
                                        ("turn", "discount", 0.85))]
    result = HeldOutAgreement(coder="forsker1", fingerprint=fingerprint, n_informants=6, n_segments=6, n_turns=6,
                              scores=scores, rules_only={"standard": 6}, intervals=intervals, trusted=["discount"],
                              needs_review=["stability"],
                              statement=trust_statement("forsker1", ["discount"], ["stability"]))
    heldout_path(study).write_text(result.to_json(), encoding="utf-8")


@pytest.fixture
def coded_study(make_study):
    transcripts = {f"{name}.txt": "I: Hei.\nIP: Hei.\n" for name in ("k1", "k2", "k3", "k4", "k5", "a1")}
    root = make_study(transcripts, informants=INFORMANTS, settings=SETTINGS, codebook=CODEBOOK)
    context = root / "data" / "raw" / "context"
    context.mkdir(parents=True)
    (context / "salg.csv").write_text(
        "# Tittel: Boliger solgt per år\n# Kilde: SSB KOSTRA\n# Sum: ja\når,solgte boliger (antall)\n"
        "2009,9\n2010,21\n2011,29\n", encoding="utf-8")
    fill_store(root)
    return root


def _build(root, when=WHEN):
    return build_report(load_study(root), generated_at=when, with_topics=False)


def _markdown_table(markdown: str, caption: str) -> list[list[str]]:
    """Rows (header first) of the pipe table whose caption line contains ``caption``."""
    lines = markdown.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("*Tabell") and caption in line)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([md_unescape(cell.strip()) for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))])
    return [rows[0], *rows[2:]]


def test_report_writes_html_markdown_and_docx(coded_study):
    study = load_study(coded_study)
    files = write_report(study, _build(coded_study))
    for path in (files.html, files.markdown, files.docx):
        assert path.exists() and path.stat().st_size > 0
    markdown = files.markdown.read_text(encoding="utf-8")
    informants = _markdown_table(markdown, "Informantene")
    # Every attribute column of the informants table, in file order, headed by its own name (no
    # study.yaml headings here); the private name column never.
    assert informants[0] == ["ID", "Gruppe", "Age group", "Year bought", "Year sold", "Current situation", "Role"]
    assert [row[0] for row in informants[1:]] == ["1", "2", "3", "4", "5", "S1"]
    assert informants[4][1] == "Solgt og kjøpt" and "2015" in informants[4]
    # Names are private: never in the report.
    for name in ("Nordbø", "Haugland", "Tveitane"):
        assert name not in markdown
    # A chapter per code, in codebook order, with quotes attributed by group label and id (never by an attribute).
    headings = re.findall(r"^## (.*)$", markdown, flags=re.M)
    assert headings[:5] == ["1 Sammendrag", "2 Metode", "3 Stabilitet og trygghet", "4 Pris og rabatt",
                            "5 Boligens standard"]
    assert "*(boligkjøper 1)*" in markdown and "*(ansatt S1)*" in markdown
    assert "*(saksbehandler" not in markdown  # the role attribute is shown in the table, not used to attribute
    assert "Vedlegg A: Kodeboka" in markdown and "Vedlegg B: Informantenes kodeprofiler" in markdown
    # Prevalence: 3 of 3 stayed-informants talk about stability, 0 of 2 who sold.
    stability = _markdown_table(markdown, "Stabilitet og trygghet: utbredelse")
    assert stability[1][:2] == ["Bor fortsatt", "3 av 3"] and stability[2][:2] == ["Solgt og kjøpt *", "0 av 2"]
    # Context table with its source and total.
    context = _markdown_table(markdown, "Boliger solgt per år")
    assert context[-1] == ["Sum", "59"]
    assert "Kilde: SSB KOSTRA." in markdown


def test_docx_opens_with_real_tables_headings_and_pictures(coded_study):
    study = load_study(coded_study)
    report = _build(coded_study)
    files = write_report(study, report)
    document = docx.Document(str(files.docx))
    assert len(document.tables) == len(report.tables)
    first_cells = {table.rows[0].cells[0].text: table for table in document.tables}
    informants = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["ID", "Gruppe"])
    assert [row.cells[0].text for row in informants.rows[1:]] == ["1", "2", "3", "4", "5", "S1"]
    assert "Tema" in first_cells
    styles = [p.style.name for p in document.paragraphs]
    assert styles.count("Heading 1") == len(re.findall(r"^## ", files.markdown.read_text(encoding="utf-8"), re.M))
    assert "Quote" in styles and "List Bullet" in styles
    assert len(document.inline_shapes) == len(report.figures)
    alts = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert all(alt and len(alt) > 20 for alt in alts)
    assert document.core_properties.created == WHEN.replace(tzinfo=None) or \
        document.core_properties.created == WHEN


def test_every_referenced_figure_exists_and_html_is_self_contained(coded_study):
    study = load_study(coded_study)
    report = _build(coded_study)
    files = write_report(study, report)
    markdown = files.markdown.read_text(encoding="utf-8")
    referenced = re.findall(r"!\[[^\]]+\]\((figures/[^)]+)\)", markdown)
    assert len(referenced) == len(report.figures) >= 6
    for relative in referenced:
        path = study.reports_dir / relative
        assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = files.html.read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', html)
    assert len(images) == len(referenced)
    assert all(src.startswith("data:image/png;base64,") and alt for src, alt in images)
    assert 'src="figures/' not in html and "<html lang=\"nb\">" in html


def test_output_is_deterministic_except_the_generated_line(coded_study):
    first = render_report(_build(coded_study))
    again = render_report(_build(coded_study))
    assert first.markdown == again.markdown and first.html == again.html
    assert first.docx == again.docx  # fixed core properties and zip dates
    assert first.figures == again.figures
    later = _build(coded_study, when=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    other = render_report(later)
    for a, b in ((first.markdown, other.markdown), (first.html, other.html)):
        changed = [(x, y) for x, y in zip(a.splitlines(), b.splitlines()) if x != y]
        assert len(a.splitlines()) == len(b.splitlines()) and len(changed) == 1
        assert generated_line(later) in changed[0][1]
    assert first.figures == other.figures


def test_docx_is_byte_identical_on_disk_across_runs(coded_study):
    study = load_study(coded_study)
    write_report(study, _build(coded_study))
    docx_bytes = (study.reports_dir / "rapport.docx").read_bytes()
    write_report(study, _build(coded_study))
    assert (study.reports_dir / "rapport.docx").read_bytes() == docx_bytes
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_leak_guard_blocks_the_report_and_keeps_the_last_good_one(coded_study):
    study = load_study(coded_study)
    write_report(study, _build(coded_study))
    before = report_files(study.reports_dir)
    # An identifier that slipped through anonymisation: an informant's own name in a segment.
    fill_store(coded_study, leak="Kari Nordbø")
    report = _build(coded_study, when=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert any("Kari Nordbø" in q.text for c in report.chapters for g in c.quotes for q in g.quotes)
    with pytest.raises(LeakError) as caught:
        write_report(study, report)
    assert "Kari" not in str(caught.value) and "nothing was written" in str(caught.value)
    after = report_files(study.reports_dir)
    assert after == before


def test_leak_guard_blocks_before_a_first_report_is_written(coded_study):
    fill_store(coded_study, leak="Tveitane")
    study = load_study(coded_study)
    with pytest.raises(LeakError):
        write_report(study, _build(coded_study))
    assert report_files(study.reports_dir) == {}


def test_small_groups_are_flagged(coded_study):
    report = _build(coded_study)
    # small_group_warning_below: 3 -> "Solgt og kjøpt" (2) and "Ansatte" (1) are small, "Bor fortsatt" (3) is not.
    warned = " ".join(report.warnings)
    assert "«Solgt og kjøpt» har bare 2 informanter" in warned and "«Ansatte» har bare 1 informant " in warned
    assert "Bor fortsatt" not in warned
    markdown = render_report(report).markdown
    assert markdown.count("> **Merk:**") == 2
    # Main differences leave small groups out; the chapters flag them.
    assert all("Solgt og kjøpt" not in line and "Ansatte" not in line for line in report.differences)
    # Six informants: no distribution could reach p < 0,05, so nothing is tested and each chapter says why.
    assert all(not c.differences for c in report.chapters)
    assert all("kan ingen fordeling gi p under 0,05" in c.untested for c in report.chapters)
    assert "p = 1,000" not in markdown and "Holm-justert p =" not in markdown
    assert "ingen fordeling gi p under 0,05" in report.differences_note


def test_method_counts_coding_sources(coded_study):
    report = _build(coded_study)
    rows = {row[0]: row[1:] for row in report.coding_table.rows}
    # 6 informants each decided on their first segment by forsker1.
    assert rows["Gjennomgått av forsker (forsker1)"] == ("6", "6")
    coded = sum(len(TALKS_ABOUT[i]) * 2 for i in TALKS_ABOUT)
    assert rows["Regelbasert koding (mønstre i kodeboka)"] == (str(coded), str(coded))
    assert int(rows["Endelige koder satt eller bekreftet av forsker"][0]) + \
        int(rows["Endelige koder fra maskinforslag"][0]) == coded
    # One human coder: no table of humans against each other; the machine is shown on held-out informants
    # only, with n, 95 % intervals, a caveat and which codes can be trusted; no training-set figure.
    assert report.agreement_table is None and "Bare én forsker (forsker1)" in report.agreement_text[0]
    heldout = {row[0]: row for row in report.heldout_table.rows}
    assert heldout["Alle koder"][6].startswith("0,61 [") and heldout["Stabilitet og trygghet"][1:3] == ("2", "1")
    low, high = (float(v.replace(",", ".")) for v in heldout["Alle koder"][6][6:-1].split("–"))
    assert low <= 0.61 <= high and low < high
    assert "alfa" in report.heldout_table.header[7] and "turer" in report.heldout_table.header[8]
    assert "n = 6, 6 informanter" in report.heldout_table.caption
    text = " ".join(report.heldout_text)
    assert "leave-one-informant-out" in text and "bare 6 informanter og er usikre" in text
    assert "tall for treningsdata" not in text and "trent på alle" not in text
    assert "kappa 0,80 eller mer" in text or "gjennomgås av et menneske" in text
    assert not any("ikke beregnet" in w for w in report.warnings)


def test_missing_or_stale_heldout_agreement_is_said_not_hidden(coded_study):
    from pipeline.coding.heldout import heldout_path

    study = load_study(coded_study)
    with StudyStore(study.store_path) as store:  # a new human decision after the figure was computed
        segment = store.segments(speaker="informant")[1]
        store.record_human_decisions("forsker1", {segment.segment_id: set()}, "2.0")
    from pipeline.compare import compare_stage

    compare_stage(study)
    report = _build(coded_study)
    assert report.heldout_table is None
    assert any("ikke beregnet for kodingen slik den er nå" in w for w in report.warnings)
    heldout_path(study).unlink()
    assert any("kjør «qualpipe code»" in w for w in _build(coded_study).warnings)


def test_report_stage_summary_line(coded_study, monkeypatch):
    from pipeline.report.writers import report_stage

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714564800")
    line = report_stage(load_study(coded_study), with_topics=False)
    assert line.startswith("rapport skrevet: reports/rapport.html, reports/rapport.md, reports/rapport.docx")
    text = (coded_study / "reports" / "rapport.md").read_text(encoding="utf-8")
    assert "Generert 2024-05-01 12:00:00 UTC" in text


def test_report_without_coded_data_is_one_clear_error(make_study):
    from pipeline.errors import QualpipeError

    root = make_study({"k1.txt": "I: Hei.\nIP: Hei.\n"}, settings=SETTINGS, codebook=CODEBOOK)
    with pytest.raises(QualpipeError, match="no coded data yet"):
        build_report(load_study(root), with_topics=False)


@pytest.mark.parametrize("text", ["p < 0,05", "a <b> c", "*uthevet* | rør", "> sitat", "- punkt", "12. mai",
                                  "C:\\mappe", "[PERSON_1]s hus", "#1 på lista"])
def test_markdown_escaping_round_trips(text):
    from pipeline.report.render import md_escape

    escaped = md_escape(text)
    assert md_unescape(escaped) == text
    assert not re.match(r"^(#|>|- |\d+\. )", escaped)


def test_docx_reads_back_escaped_text_tables_and_quotes():
    from pipeline.report.docx import docx_text, markdown_to_docx
    from pipeline.report.render import md_escape

    tricky = "Hun sa *ikke* at | var < 5"
    markdown = "\n".join([
        "# Tittel", "", f"Et avsnitt med **fet** og *kursiv* og {md_escape(tricky)}.", "",
        "*Tabell 1: Tall*", "", "| Navn | n |", "|---|---:|", f"| {md_escape('a|b')} | 3 |", "",
        f"> «{md_escape(tricky)}» *(boligkjøper 2)*", "", "> **Merk:** liten gruppe", "", "- punkt én", "",
    ])
    data = markdown_to_docx(markdown, {}, title="T", generated_at=WHEN)
    document = docx.Document(io.BytesIO(data))
    paragraphs = {p.text: p for p in document.paragraphs}
    assert f"Et avsnitt med fet og kursiv og {tricky}." in paragraphs
    runs = paragraphs[f"Et avsnitt med fet og kursiv og {tricky}."].runs
    assert [r.text for r in runs if r.bold] == ["fet"] and [r.text for r in runs if r.italic] == ["kursiv"]
    assert paragraphs[f"«{tricky}» (boligkjøper 2)"].style.name == "Quote"
    assert paragraphs["Merk: liten gruppe"].style.name == "Intense Quote"
    assert paragraphs["Tabell 1: Tall"].style.name == "Caption"
    table = document.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [["Navn", "n"], ["a|b", "3"]]
    assert "a|b" in docx_text(data)


def test_report_stage_skips_a_study_with_nothing_coded(make_study):
    from pipeline.report.writers import NOTHING_YET, report_stage

    root = make_study({"k1.txt": "I: Hei.\nIP: Hei.\n"}, settings=SETTINGS, codebook=CODEBOOK)
    assert report_stage(load_study(root)) == NOTHING_YET
    assert not (root / "reports").exists()


def test_leak_guard_blocks_a_known_identifier_from_the_settings(coded_study):
    settings = coded_study / "study.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "anonymisation:\n  known_identifiers: [Fjordbyen Eiendom]\n", encoding="utf-8")
    fill_store(coded_study, leak="Fjordbyen Eiendom")
    study = load_study(coded_study)
    with pytest.raises(LeakError, match="rapport|figures"):
        write_report(study, _build(coded_study))
    assert report_files(study.reports_dir) == {}


# ---------------------------------------------------------------- a study that is not the demo

HOME_CARE_CODEBOOK = """\
version: "1.0"
codes:
  - id: kontinuitet
    label: Kontinuitet
    colour: "#0072b2"
    definition: De samme hjelperne over tid.
  - id: tid
    label: Tid
    colour: "#e69f00"
    definition: Tid til samtale og stell.
"""
HOME_CARE_SETTINGS = """\
name: Hjemmetjenester i Bodø
groups: [bruker, pårørende]
anonymisation:
  keep_terms: [Bodø]  # the study's site, in its name: a place the guard refuses unless the study keeps it
"""
HOME_CARE_INFORMANTS = """\
id,file,group,name,age_group,living_situation
B1,b1.txt,bruker,Ragnhild Skjelstad,80+,bor alene
B2,b2.txt,bruker,Arvid Mørkved,70-79,bor med ektefelle
B3,b3.txt,bruker,Solveig Hunstad,80+,bor alene
P1,p1.txt,pårørende,Kjell Skjelstad,50-59,
"""
HOME_CARE_TEXT = {
    "kontinuitet": "Det er de samme damene som kommer hver uke, og det betyr mye for meg her hjemme.",
    "tid": "De har dårlig tid om morgenen, så det blir lite prat før de må videre til neste.",
}


def test_another_study_gets_a_neutral_report_from_its_own_settings(make_study):
    from pipeline.compare import compare_stage
    from pipeline.ingest import load_informant_table

    transcripts = {f"{name}.txt": "I: Hei.\nIP: Hei.\n" for name in ("b1", "b2", "b3", "p1")}
    root = make_study(transcripts, informants=HOME_CARE_INFORMANTS, settings=HOME_CARE_SETTINGS,
                      codebook=HOME_CARE_CODEBOOK)
    study = load_study(root)
    codebook = load_codebook(study.codebook_path)
    informants = load_informant_table(study).informants
    secret = study_secret(study)
    with StudyStore(study.store_path) as store:
        store.replace_informants(informants)
        store.replace_codes(codebook.store_rows(), codebook.version)
        rule = []
        for informant in informants:
            segments = []
            for n, (code, text) in enumerate(HOME_CARE_TEXT.items()):
                sid = segment_id(secret, informant.id, "informant", text, 0)
                segments.append(Segment(sid, informant.id, informant.file, n, "informant", 0, len(text), text))
                if code == "tid" or informant.group == "bruker":
                    rule.append(Coding(sid, code, "rule", "rules", 0.7, "suggested", codebook.version))
            store.replace_segments(informant.file, informant.id, "sha", 2, segments)
        store.replace_machine_codings("rule", rule)
    compare_stage(study)
    report = build_report(study, generated_at=WHEN, with_topics=False)
    markdown = render_report(report).markdown

    # The informant table: the study's own attribute columns, in file order, headed by their names.
    table = _markdown_table(markdown, "Informantene")
    assert table[0] == ["ID", "Gruppe", "Age group", "Living situation"]
    assert table[1] == ["B1", "bruker", "80+", "bor alene"] and table[4][-1] == "–"
    # Quotes named by group id and study id (no group_labels in this study.yaml).
    assert "*(bruker B1)*" in markdown and "*(pårørende P1)*" in markdown
    # Sections only with data: no context tables, no Kontekst chapter; no topics asked for, no topics chapter.
    headings = re.findall(r"^## (.*)$", markdown, flags=re.M)
    assert not any("Kontekst" in h for h in headings) and not any("Emergente" in h for h in headings)
    assert "Emergente temaer er ikke tatt med" in markdown
    # 3 against 1 informant: no test can inform, so none is shown as if it did.
    assert "p = " not in markdown and "kan ingen fordeling gi p under 0,05" in markdown
    # Nothing of the demo study's wording or headings.
    for demo in ("boligkjøper", "Kjøpt (år)", "Solgt (år)", "strategisk valgt", "offentlig statistikk",
                 "ansatte med rollen", "Situasjon nå", "Trondheim", "startlån"):
        assert demo not in markdown, demo


def test_study_settings_narrow_the_informant_table_and_supply_the_wording(coded_study):
    settings = coded_study / "study.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "  small_group_warning_below: 3\n",
        "  small_group_warning_below: 3\n  informant_columns: [current_situation, age_group]\n"
        "  column_names: {current_situation: Situasjon nå, age_group: Aldersgruppe}\n"
        "  sample_note: Utvalget er strategisk valgt.\n  context_note: Tallene er fra KOSTRA.\n"), encoding="utf-8")
    from pipeline.compare import compare_stage

    compare_stage(load_study(coded_study))  # other settings: the comparison is redone (as `qualpipe run` would)
    write_heldout(load_study(coded_study))
    markdown = render_report(_build(coded_study)).markdown
    assert _markdown_table(markdown, "Informantene")[0] == ["ID", "Gruppe", "Situasjon nå", "Aldersgruppe"]
    assert "Tallene er fra KOSTRA. Tabellene og figurene under" in markdown
    headings = re.findall(r"^## (.*)$", markdown, flags=re.M)
    assert "Kontekst" in headings[-4]  # numbered, after the other chapters


def test_report_refuses_stale_comparison_results(coded_study):
    from pipeline.errors import QualpipeError

    fill_store(coded_study)
    with StudyStore(load_study(coded_study).store_path) as store:  # other machine codes after compare ran
        store.replace_machine_codings("rule", [])
    with pytest.raises(QualpipeError, match="compare results are older than the coded data.*qualpipe compare"):
        _build(coded_study)


def test_html_contents_are_numbered_once(coded_study):
    html = render_report(_build(coded_study)).html
    nav = re.search(r"<nav.*?</nav>", html, flags=re.S).group(0)
    assert "<ol" not in nav and '<ul class="toc">' in nav
    assert '<a href="#sammendrag">1 Sammendrag</a>' in nav


def test_numbers_people_read_use_the_decimal_comma(coded_study):
    report = _build(coded_study)
    markdown = render_report(report).markdown
    # Version numbers ("versjon 2.0") are names, not decimals.
    prose = re.sub(r"\(figures/[^)]+\)|versjon [\d.]+", "", markdown.replace(generated_line(report), ""))
    assert not re.search(r"\d\.\d", prose), re.findall(r".{20}\d\.\d.{20}", prose)[:3]
    for figure in report.figures:
        assert not re.search(r"\d\.\d", figure.text + figure.alt), figure.name
