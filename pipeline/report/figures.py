"""Report-only figures (context charts, informants per group, coding sources).

The comparison's own figures (heatmap, prevalence bars, dendrogram) are drawn
and written by :mod:`pipeline.compare`; the report only embeds them.

Palette, style and the PNG writer are the shared ones in
:mod:`pipeline.plotting` (tight bounding box, no ``Software`` or date entry),
so every figure of a study looks alike and the same data give the same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..norwegian import number
from ..plotting import STYLE, colour, new_figure, norwegian_ticks, png_and_text
from .context import ContextTable


@dataclass(frozen=True)
class ReportFigure:
    """A PNG the report shows: ``name`` is its file name under ``reports/figures/``.

    ``external`` marks a figure another stage wrote (the comparison's): the
    report embeds its PNG, read from disk, and never rewrites it.
    """

    name: str
    alt: str  # alt text: what the figure shows, for screen readers
    caption: str
    png: bytes | None = None
    text: str = ""  # every text drawn on the figure, for the leak guard
    external: bool = False

    @property
    def relpath(self) -> str:
        """Path relative to the report files (reports/)."""
        return f"figures/{self.name}"


def _new_figure(width: float, height: float) -> Figure:
    return new_figure(width, height)


def _split_unit(column: str) -> tuple[str, str]:
    """'utbetalt (mill. kr)' -> ('utbetalt', 'mill. kr')."""
    found = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", column)
    return (found.group(1), found.group(2)) if found else (column, "")


def _number_axis(ax, decimals: int) -> None:
    norwegian_ticks(ax.yaxis, decimals)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))


def context_figure(table: ContextTable) -> ReportFigure:
    """One panel per numeric column (own axis and unit); bars or lines as the table asks."""
    series = table.series
    ncols = 1 if len(series) == 1 else 2
    nrows = math.ceil(len(series) / ncols)
    with matplotlib.rc_context(STYLE):
        fig = _new_figure(7.0 if ncols == 1 else 8.0, 3.2 if nrows == 1 else 2.6 * nrows)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        x = list(range(len(table.categories)))
        for index, (column, values, decimals) in enumerate(series):
            ax = axes[index // ncols][index % ncols]
            name, unit = _split_unit(column)
            series_colour = colour(index)
            present = [(i, v) for i, v in zip(x, values) if v is not None]
            if table.chart == "bar":
                ax.bar([i for i, _ in present], [v for _, v in present], color=series_colour, width=0.7)
                for i, v in present:
                    ax.annotate(number(v, decimals), (i, v), ha="center", va="bottom", fontsize=7,
                                xytext=(0, 2), textcoords="offset points")
            else:
                ax.plot([i for i, _ in present], [v for _, v in present], color=series_colour, marker="o", linewidth=1.8)
                low, high = min(v for _, v in present), max(v for _, v in present)
                if low >= 0:  # counts and shares: start at zero so changes are not exaggerated
                    ax.set_ylim(0, high * 1.12 if high > 0 else 1)
            ax.set_title(name[:1].upper() + name[1:] if len(series) > 1 else "")
            ylabel = unit or table.unit or name
            ax.set_ylabel(ylabel[:1].upper() + ylabel[1:])
            ax.set_xlabel(table.columns[0])
            ax.set_xticks(x, table.categories, rotation=45 if len(x) > 8 else 0, ha="right" if len(x) > 8 else "center")
            _number_axis(ax, decimals)
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
        for index in range(len(series), nrows * ncols):
            axes[index // ncols][index % ncols].set_visible(False)
        if len(series) == 1:
            fig.suptitle(table.title, fontsize=10)
        png, text = png_and_text(fig)
    # The numbers themselves are in the table next to the figure; the alt text
    # says what is drawn and the range of each series.
    first, last = table.categories[0], table.categories[-1]
    kind = "Søylediagram" if table.chart == "bar" else "Linjediagram"
    panels = f" i {len(series)} deler" if len(series) > 1 else ""
    described = "; ".join(_range_text(c, vals, d) for c, vals, d in series)
    alt = (f"{kind}{panels}: {table.title}, {table.columns[0]} {first}–{last}. {described}. "
           f"Tallene står i tabellen. Kilde: {table.source}.")
    return ReportFigure(name=f"kontekst_{table.name}.png", alt=alt,
                        caption=f"{table.title}. Kilde: {table.source}.", png=png, text=text)


def _range_text(column: str, values: Sequence[float | None], decimals: int) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return f"{column}: ingen verdier"
    return f"{column} fra {number(min(present), decimals)} til {number(max(present), decimals)}"


def group_bar_figure(name: str, labels: Sequence[str], counts: Sequence[int], ylabel: str, title: str,
                     caption: str, alt_intro: str) -> ReportFigure:
    """A bar per group with the count on top (informants per group and the like)."""
    with matplotlib.rc_context(STYLE):
        fig = _new_figure(max(4.5, 1.3 * len(labels)), 3.0)
        ax = fig.subplots()
        positions = list(range(len(labels)))
        ax.bar(positions, counts, color=[colour(i) for i in positions], width=0.65)
        for i, value in zip(positions, counts):
            ax.annotate(str(value), (i, value), ha="center", va="bottom", xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(positions, [_wrap(label, 16) for label in labels])
        ax.set_ylabel(ylabel)
        ax.set_xlabel("Gruppe")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        png, text = png_and_text(fig)
    alt = alt_intro + ": " + ", ".join(f"{label} {count}" for label, count in zip(labels, counts)) + "."
    return ReportFigure(name=name, alt=alt, caption=caption, png=png, text=text)


def stacked_source_figure(name: str, codes: Sequence[str], sources: Sequence[str],
                          counts: dict[str, dict[str, int]], caption: str) -> ReportFigure:
    """Horizontal stacked bars: per code, segments whose code came from each source."""
    with matplotlib.rc_context(STYLE):
        fig = _new_figure(7.0, 0.5 * len(codes) + 1.4)
        ax = fig.subplots()
        left = [0] * len(codes)
        positions = list(range(len(codes)))
        for index, source in enumerate(sources):
            widths = [counts.get(code, {}).get(source, 0) for code in codes]
            ax.barh(positions, widths, left=left, color=colour(index), label=source, height=0.6)
            left = [a + b for a, b in zip(left, widths)]
        ax.set_yticks(positions, [_wrap(code, 28) for code in codes])
        ax.invert_yaxis()
        ax.set_xlabel("Segmenter (antall)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0.04)
        # Below the axes: a legend inside could cover the longest bar.
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(sources), fontsize=8)
        png, text = png_and_text(fig)
    alt = "Liggende stablede søyler, segmenter per kode etter kilde: " + "; ".join(
        f"{code}: " + ", ".join(f"{source} {counts.get(code, {}).get(source, 0)}" for source in sources)
        for code in codes) + "."
    return ReportFigure(name=name, alt=alt, caption=caption, png=png, text=text)


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)
