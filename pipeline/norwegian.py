"""Numbers the Norwegian way, for everything a person reads: report, figures, console lines.

One decimal mark (comma), a no-break space between thousands, a proper minus
sign. Machine-readable files (CSV, JSON) keep the decimal point.
"""

from __future__ import annotations

import math

NBSP = "\u00a0"
MINUS = "\u2212"


def number(value: float | None, decimals: int = 0) -> str:
    """'1 322 200', '205,4', '−0,12'; '–' for a missing value (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    # "-0,0" is no number a reader wants to see.
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return text.replace(",", NBSP).replace(".", ",").replace("-", MINUS)


def decimal(value: float | None, digits: int = 2) -> str:
    """A statistic with fixed decimals and no thousands separator: '0,92', '−0,05', '–' if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    text = f"{value:.{digits}f}"
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace(".", ",").replace("-", MINUS)


def percent(n: int, total: int) -> str:
    """'75 %' (space before the sign, as Norwegian writes it); '–' where the base is zero."""
    return "–" if not total else f"{round(100 * n / total)}{NBSP}%"


def p_value(p: float | None) -> str:
    """'0,034', '< 0,001'; '–' where no test was made."""
    if p is None or p != p:
        return "–"
    return "< 0,001" if p < 0.001 else decimal(p, 3)
