"""Render the report model with the jinja2 templates: HTML and Markdown (DOCX is built from the Markdown).

One body template (``templates/body.j2``) holds the report's content and
order; it calls building blocks (heading, paragraph, table, figure, quote)
from ``macros_html.j2`` or ``macros_md.j2``. Both formats therefore say the
same thing in the same order, and a change to the report is made once.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .figures import ReportFigure
from .model import Report

TEMPLATES = Path(__file__).parent / "templates"

@dataclass(frozen=True)
class Sections:
    """Chapter titles (numbered) and the table of contents, from the model."""

    title: dict[str, str]
    toc: list[tuple[str, str]]


def sections_of(report: Report) -> Sections:
    """Numbered chapters: only those the report has data for (no context tables, no context chapter)."""
    numbered = [("sammendrag", "Sammendrag"), ("metode", "Metode")]
    numbered += [(f"tema-{c.code}", c.label) for c in report.chapters]
    numbered.append(("fellestrekk", "Fellestrekk og forskjeller"))
    if report.with_topics:
        numbered.append(("emner", "Emergente temaer og kandidater til nye koder"))
    if report.context:
        numbered.append(("kontekst", "Kontekst"))
    title = {key: f"{k} {text}" for k, (key, text) in enumerate(numbered, start=1)}
    title.update({"vedlegg-kodebok": "Vedlegg A: Kodeboka",
                  "vedlegg-profiler": "Vedlegg B: Informantenes kodeprofiler",
                  "om-rapporten": "Om rapporten"})
    order = [key for key, _ in numbered] + ["vedlegg-kodebok", "vedlegg-profiler", "om-rapporten"]
    return Sections(title=title, toc=[(key, title[key]) for key in order])


# ------------------------------------------------------------------ Markdown escaping

# Characters that would start Markdown syntax inside running text: emphasis,
# code, table cells, and "<" only where it could open an HTML tag ("p < 0,05"
# stays readable). "_" and "[" are left alone: anonymisation tags like
# [PERSON_1] render as written in CommonMark, and escaping them would make the
# .md file hard to read.
_MD_SPECIAL = re.compile(r"([\\`*|]|<(?=[A-Za-z/!?]))")


def md_escape(text: object) -> str:
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    if re.match(r"^(#|>|[-+] |\d+[.)] )", text):  # would become a heading, quote or list item
        text = "\\" + text
    return text


def md_unescape(text: str) -> str:
    return re.sub(r"\\([\\`*<>|#\-+0-9])", r"\1", text)


def _md_row(cells) -> str:
    return "| " + " | ".join(md_escape(c) for c in cells) + " |"


def _md_align(numeric) -> str:
    return "|" + "|".join("---:" if right else "---" for right in numeric) + "|"


# ------------------------------------------------------------------ rendering


def _environment(fmt: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=(fmt == "html"), trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["t"] = (lambda text: text) if fmt == "html" else md_escape
    env.filters["mdrow"] = _md_row
    env.filters["mdalign"] = _md_align
    return env


def _context(report: Report, fmt: str, src: Callable[[ReportFigure], str]) -> dict:
    min_words, max_words, per_group = report.quote_rule
    return {
        "report": report, "fmt": fmt, "sections": sections_of(report), "src": src,
        "quote_rule": {"min_words": min_words, "max_words": max_words, "per_group": per_group},
        "generated_line": generated_line(report),
    }


def generated_line(report: Report) -> str:
    """The one line that may differ between two reports from the same data."""
    return f"Generert {report.generated_at} av qualpipe {report.version}."


def render_markdown(report: Report) -> str:
    """Markdown; figures are referenced as figures/<name>.png next to the file."""
    env = _environment("md")
    text = env.get_template("rapport.md.j2").render(**_context(report, "md", lambda f: f.relpath))
    return _tidy(text)


def render_html(report: Report, pngs: Mapping[str, bytes]) -> str:
    """Self-contained HTML: every figure is embedded as a base64 data URI."""

    def src(figure: ReportFigure) -> str:
        return "data:image/png;base64," + base64.b64encode(pngs[figure.name]).decode("ascii")

    env = _environment("html")
    text = env.get_template("rapport.html.j2").render(**_context(report, "html", src))
    return _tidy(text)


def _tidy(text: str) -> str:
    """At most one blank line between blocks, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"
