"""End to end on a copy of the demo study: `qualpipe run` ends with the report in all three formats."""

from __future__ import annotations

import csv
import re

import docx
import pytest

from pipeline.report.render import md_unescape
from pipeline.settings import load_study
from pipeline.workflow import stages

from conftest import DEMO_EPOCH

BUYERS = [str(n) for n in range(1, 14)]
STAFF = [f"S{n}" for n in range(1, 6)]


@pytest.mark.slow
def test_demo_run_writes_the_report_with_all_informants(demo_run, demo_run_copy, monkeypatch):
    # The session's one demo run (conftest.demo_run: `run_all` on a fresh copy, as `qualpipe run`);
    # this test reads a copy of it, as it runs the report stage again.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DEMO_EPOCH)
    assert stages()[-1][0] == "report"
    demo_study = demo_run_copy
    study = load_study(demo_study)
    lines = demo_run[1]
    assert lines[-1].startswith("[report] rapport skrevet: reports/rapport.html, reports/rapport.md, reports/rapport.docx")
    # Every human decision of the demo (coded under one pipeline) is placed under whichever runs now.
    from pipeline.coding.human import unplaced_notes
    from pipeline.store import StudyStore

    with StudyStore(study.store_path) as store:
        assert unplaced_notes(store) == []
        assert len(store.human_reviews(coder="forsker1")) == len(store.segments(speaker="informant"))
    reports = demo_study / "reports"
    markdown = (reports / "rapport.md").read_text(encoding="utf-8")

    # The informant overview: the 13 buyers and the 5 staff, with the demo's attributes.
    lines_md = markdown.splitlines()
    start = next(k for k, line in enumerate(lines_md) if line.startswith("*Tabell") and "Informantene" in line)
    header = [md_unescape(c.strip()) for c in lines_md[start + 2].strip("|").split("|")]
    assert header == ["ID", "Gruppe", "Aldersgruppe", "Kjøpt (år)", "Solgt (år)", "Situasjon nå", "Rolle"]
    rows = []
    for line in lines_md[start + 4:]:
        if not line.startswith("|"):
            break
        rows.append([md_unescape(c.strip()) for c in line.strip("|").split("|")])
    assert [r[0] for r in rows] == BUYERS + STAFF
    by_id = {r[0]: r for r in rows}
    assert by_id["13"][1] == "Tilbake i kommunal leie" and by_id["13"][3:5] == ["2013", "2019"]
    assert by_id["S3"][1] == "Ansatte" and by_id["S3"][-1] == "saksbehandler for startlån"

    # The same table in Word, as a real table.
    document = docx.Document(str(reports / "rapport.docx"))
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["ID", "Gruppe"])
    assert [row.cells[0].text for row in table.rows[1:]] == BUYERS + STAFF
    assert any(p.style.name == "Heading 1" and "Sammendrag" in p.text for p in document.paragraphs)

    # Every figure the Markdown references exists; the HTML embeds the same number.
    referenced = re.findall(r"!\[[^\]]+\]\((figures/[^)]+\.png)\)", markdown)
    assert len(referenced) >= 7 and all((reports / r).is_file() for r in referenced)
    html = (reports / "rapport.html").read_text(encoding="utf-8")
    assert html.count('<img src="data:image/png;base64,') == len(referenced)

    # Context chapter: the KOSTRA series with its total and source, Husbanken's table.
    assert "| Sum | 229 |" in markdown and "Kilde: SSB KOSTRA." in markdown and "Kilde: Husbanken." in markdown
    # Quotes are attributed by group label and id (study.yaml group_labels), and no informant's name is
    # anywhere in the report.
    assert re.search(r"\*\(boligkjøper \d+\)\*", markdown) and re.search(r"\*\(ansatt S\d\)\*", markdown)
    # The demo's own wording comes from its study.yaml; the held-out agreement is shown with n.
    assert "Utvalget er lite og strategisk valgt" not in markdown or "p = " in markdown
    assert "Tallene er hentet fra offentlig statistikk." in markdown
    assert "leave-one-informant-out" in markdown and "tall for treningsdata" not in markdown
    # Machine against forsker1 and the two human coders, each with 95 % intervals; which codes to trust.
    assert markdown.count("[95 % KI]") >= 4 and "må gjennomgås av et menneske" in markdown
    assert "p = 1,000" not in markdown
    # Compare's figures are embedded as the compare stage wrote them (the report never redraws them).
    for name in ("compare_heatmap.png", "compare_prevalence.png", "clusters_dendrogram.png"):
        assert f"figures/{name}" in markdown
    with open(demo_study / "data" / "raw" / "informants.csv", encoding="utf-8") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    for name in names:
        for text in (markdown, html):
            assert name not in text

    # Same data, same SOURCE_DATE_EPOCH: the report stage gives byte-identical files.
    before = {p: p.read_bytes() for p in reports.rglob("*") if p.is_file() and p.suffix in (".md", ".html", ".docx", ".png")}
    dict(stages())["report"](study)
    after = {p: p.read_bytes() for p in before}
    assert after == before

    # The demo's planted identifiers (tests/data/planted) appear nowhere shareable after `qualpipe run`:
    # not in data/coded/, not in the report's text (HTML without style and embedded images), not in the DOCX.
    import zipfile
    from pathlib import Path

    planted = {line.strip() for path in (Path(__file__).parent / "data" / "planted").glob("*.txt")
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert len(planted) > 200
    shareable = {p.name: p.read_text(encoding="utf-8") for p in (demo_study / "data" / "coded").rglob("*.csv")}
    shareable |= {p.name: p.read_text(encoding="utf-8") for p in reports.rglob("*") if p.suffix in (".md", ".csv")}
    visible_html = re.sub(r"<style.*?</style>|data:image/png;base64,[A-Za-z0-9+/=]+|<[^>]+>", " ", html, flags=re.S)
    shareable["rapport.html"] = visible_html
    with zipfile.ZipFile(reports / "rapport.docx") as archive:
        shareable["rapport.docx"] = re.sub(r"<[^>]+>", " ", archive.read("word/document.xml").decode("utf-8"))
    leaks = sorted((item, name) for item in planted for name, text in shareable.items()
                   if re.search(r"(?<!\w)" + re.escape(item) + r"(?!\w)", text, re.IGNORECASE))
    assert leaks == []
