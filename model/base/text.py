"""Numbers written for people: significant digits, never scientific notation (shared by the model's
generated sentences and the dashboard's formatting, `ui.format`)."""

from __future__ import annotations

import math


def significant(value: float, digits: int = 3) -> str:
    """`digits` significant digits, never in scientific notation, thousands separated:
    '0.00123', '16.8', '1,235' (an integer part longer than `digits` is kept whole)."""
    if not math.isfinite(value):
        return "n/a"
    if value == 0 or abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    text = f"{round(value, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
