"""The one figure writer and Norwegian numbers: nothing cut at the edges, one decimal mark."""

from __future__ import annotations

import io
import math

from PIL import Image

from pipeline.norwegian import decimal, number, p_value, percent
from pipeline.plotting import PALETTE, drawn_text, new_figure, norwegian_ticks, png_and_text, png_bytes


def _size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def test_png_writer_keeps_what_is_drawn_outside_the_axes():
    # A legend-like text right of the figure's own area: a plain savefig would cut it off.
    fig = new_figure(4, 3, constrained=False)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.plot([0, 1], [0, 1])
    fig.text(1.3, 0.5, "forklaring utenfor")
    png = png_bytes(fig)
    width, _ = _size(png)
    assert width > 4 * 150 * 1.25  # the bounding box grew to take the text in
    assert png == png_bytes(fig)  # deterministic
    assert b"Software" not in png[:200]


def test_ticks_and_text_use_the_decimal_comma():
    fig = new_figure(4, 3)
    ax = fig.subplots()
    ax.plot([0, 1], [0.0, 2.5])
    norwegian_ticks(ax.yaxis)
    text = drawn_text(fig)
    assert "2,5" in text and "2.5" not in text


def test_png_and_text_reads_the_texts_its_own_drawing_made():
    """One draw fewer than png_bytes + drawn_text, the same PNG and the same texts (tick labels are made
    at draw time: with automatic ticks on a long range and a wide, tall figure)."""
    def figure():
        fig = new_figure(7, 5)
        ax = fig.subplots()
        ax.plot(range(40), [v * 137.5 for v in range(40)], label="serie")
        ax.set_title("Tittel")
        ax.legend()
        norwegian_ticks(ax.yaxis)
        return fig

    png, text = png_and_text(figure())
    fig = figure()
    assert png == png_bytes(fig) and text == drawn_text(fig)
    assert "Tittel" in text and "5\u00a0000" in text


def test_norwegian_numbers():
    assert number(1322200) == "1\u00a0322\u00a0200" and number(205.44, 1) == "205,4"
    assert number(-0.04, 1) == "0,0" and number(None) == "–" and number(math.nan) == "–"
    assert decimal(0.9234) == "0,92" and decimal(-0.05) == "\u22120,05" and decimal(math.nan) == "–"
    assert percent(3, 4) == "75\u00a0%" and percent(1, 0) == "–"
    assert p_value(0.0004) == "< 0,001" and p_value(0.0339) == "0,034" and p_value(math.nan) == "–"


def test_one_palette_for_compare_and_report():
    import pipeline.compare as compare
    import pipeline.report.figures as report_figures

    assert not hasattr(compare, "OKABE_ITO") and not hasattr(report_figures, "OKABE_ITO")
    assert len(set(PALETTE)) == len(PALETTE) == 8
