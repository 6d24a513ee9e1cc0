"""The one figure writer: palette, style and PNG output shared by every stage that draws.

pipeline.compare (heatmap, prevalence bars, dendrogram) and pipeline.report
(context charts, informants per group, coding sources) draw on bare
:class:`matplotlib.figure.Figure` objects with the Agg canvas (no pyplot
state, works headless), in one colour-blind-safe palette, with Norwegian
number formatting on the axes, and save through :func:`png_bytes`: fixed dpi,
a tight bounding box (nothing cut at the edges: long tick labels, titles and
legends outside the axes stay in the picture) and no ``Software`` or date
entry, so the same data give the same bytes.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # headless: reports are built on servers and in CI

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .norwegian import number  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable with deuteranopia, protanopia and
# tritanopia. Ordered so black (heavy as a fill) and the pale yellow (faint on white) come last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
# Sequential map for heatmaps: perceptually uniform and readable with colour-vision deficiencies.
SEQUENTIAL = "cividis"
DPI = 150
STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib and has æ, ø, å
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "svg.hashsalt": "qualpipe",
}


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def new_figure(width: float, height: float, constrained: bool = True) -> Figure:
    """A bare figure in the shared style (call inside ``matplotlib.rc_context(STYLE)`` to style its artists)."""
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), dpi=DPI, layout="constrained" if constrained else None)


def norwegian_ticks(axis, decimals: int | None = None) -> None:
    """Tick labels with a decimal comma and thousands spaces (``decimals``: fixed; None: as needed)."""

    def label(value, _pos):
        if decimals is not None:
            return number(value, decimals if value % 1 else 0)
        return number(value, 0 if float(value).is_integer() else 1 if round(value, 1) == value else 2)

    axis.set_major_formatter(FuncFormatter(label))


def png_bytes(fig: Figure) -> bytes:
    """Render deterministically: fixed dpi, tight bounding box, no metadata that changes between runs."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight",
                pad_inches=0.1, facecolor="white")
    return buffer.getvalue()


def drawn_text(fig: Figure) -> str:
    """Every text drawn on ``fig`` (titles, ticks, labels, legend), one per line: the leak guard reads it."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # texts report their final content only once the figure has a canvas
    fig.canvas.draw()  # tick labels are made at draw time
    return _texts(fig)


def png_and_text(fig: Figure) -> tuple[bytes, str]:
    """(:func:`png_bytes`, :func:`drawn_text`) of ``fig`` with one draw fewer: the texts are read as
    the PNG's own drawing left them (tick labels are made at draw time), not drawn once more."""
    png = png_bytes(fig)
    return png, _texts(fig)


def _texts(fig: Figure) -> str:
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_text())
