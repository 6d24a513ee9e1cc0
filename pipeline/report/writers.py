"""Write the report: HTML, Markdown (+ figures) and DOCX — all of them, or nothing.

Everything is rendered in memory first; the study's leak guard then checks
every text that would be shared (the Markdown, the HTML, the DOCX's text,
each figure's drawn text and alt text). Only when every check passes is
anything written, each file atomically, so a refused or failed run leaves the
last good report in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..analysis import NOTHING_YET
from ..anonymise.guard import Guard, require_guard
from ..progress import Track, no_progress
from ..settings import Study
from ..store import Shareable, write_shareable
from .docx import docx_text, markdown_to_docx
from .model import Report, build_report
from .render import render_html, render_markdown

HTML_NAME, MD_NAME, DOCX_NAME = "rapport.html", "rapport.md", "rapport.docx"
# Figures this module owns (and may remove when no longer referenced). The
# comparison's figures (compare_*, clusters_*) belong to pipeline.compare.
OWN_FIGURE_PREFIXES = ("rapport_", "kontekst_")
# The report is for sharing: readable by others (temporary files are created 0600).
SHARED_MODE = 0o644


@dataclass(frozen=True)
class RenderedReport:
    html: str
    markdown: str
    docx: bytes
    figures: dict[str, bytes]  # file name under reports/figures/ -> PNG, every figure the report shows
    own_figures: frozenset[str]  # the names of those the report draws (and writes) itself


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    markdown: Path
    docx: Path
    figures: list[Path]


def render_report(report: Report) -> RenderedReport:
    """All three formats and the figures, in memory."""
    figures = {f.name: f.png for f in report.figures if f.png is not None}
    markdown = render_markdown(report)
    html = render_html(report, figures)
    docx = markdown_to_docx(markdown, {f"figures/{name}": png for name, png in figures.items()},
                            title=report.title, generated_at=report.generated)
    own = frozenset(f.name for f in report.figures if f.png is not None and not f.external)
    return RenderedReport(html=html, markdown=markdown, docx=docx, figures=figures, own_figures=own)


_DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def report_files(study: Study, rendered: RenderedReport) -> dict[Path, Shareable]:
    """The report's three documents with the text the guard reads in each."""
    reports = study.reports_dir
    # The embedded PNGs are checked through their drawn text (figure_texts); their base64
    # letters are not text and could match a short name by chance.
    html = _DATA_URI.sub("data:image/png;base64,", rendered.html)
    return {reports / MD_NAME: Shareable(rendered.markdown),
            reports / HTML_NAME: Shareable(rendered.html.encode("utf-8"), shown=(html,)),
            reports / DOCX_NAME: Shareable(rendered.docx, shown=(docx_text(rendered.docx),))}


def figure_texts(study: Study, report: Report) -> dict[Path, str]:
    """Each figure's drawn text, alt text and caption: shareable text of the report."""
    return {study.reports_dir / f.relpath: "\n".join([f.alt, f.caption, f.text]) for f in report.figures}


def write_report(study: Study, report: Report, guard: Guard | None = None) -> ReportFiles:
    """Render, check with the leak guard (the study's unless given), then write everything."""
    guard = guard if guard is not None else require_guard(study)
    rendered = render_report(report)
    files = report_files(study, rendered)
    drawn = figure_texts(study, report)
    reports = study.reports_dir
    figures_dir = reports / "figures"
    written = []
    for name, png in sorted(rendered.figures.items()):
        path = figures_dir / name
        written.append(path)
        # The comparison's figures were written by its stage (the report only embeds them); unchanged
        # figures are left alone (same bytes), so their file times say when they last changed.
        if name in rendered.own_figures and (not path.exists() or path.read_bytes() != png):
            files[path] = Shareable(png, shown=(drawn.get(path, ""),))
    for path, text in sorted(drawn.items()):  # shown in the report even where not written now
        if path not in files:
            guard.check(text, path)
    # Checked, then one set: a killed run leaves the old report (all formats and figures) or the new one.
    write_shareable(study.root, files, guard, mode=SHARED_MODE)
    _remove_stale_figures(figures_dir, set(rendered.own_figures))
    return ReportFiles(html=reports / HTML_NAME, markdown=reports / MD_NAME, docx=reports / DOCX_NAME,
                       figures=written)


def _remove_stale_figures(figures_dir: Path, current: set[str]) -> None:
    """Remove report-owned figures no longer referenced (e.g. a context table that was deleted)."""
    if not figures_dir.is_dir():
        return
    for path in sorted(figures_dir.glob("*.png")):
        if path.name.startswith(OWN_FIGURE_PREFIXES) and path.name not in current:
            path.unlink()




def report_stage(study: Study, track: Track = no_progress, with_topics: bool = True) -> str:
    """Build the report from the study's data and write HTML, Markdown and DOCX.

    On a study with nothing coded yet it reports that it skipped (as the
    compare and topics stages do), so `qualpipe run` on a fresh study ends
    cleanly; :func:`build_report` itself raises a QualpipeError instead.
    """
    if not _has_segments(study):
        return NOTHING_YET
    report = build_report(study, with_topics=with_topics)
    files = write_report(study, report)
    root = study.root
    names = ", ".join(str(p.relative_to(root)) for p in (files.html, files.markdown, files.docx))
    line = (f"rapport skrevet: {names} ({len(report.chapters)} temakapitler, {len(report.tables)} tabeller, "
            f"{len(files.figures)} figurer)")
    return "\n".join([line, *(f"Merk: {w}" for w in report.warnings)])


def _has_segments(study: Study) -> bool:
    from ..store import StudyStore

    if not study.store_path.exists():
        return False
    with StudyStore(study.store_path) as store:
        return store.has_segments(speaker="informant")
