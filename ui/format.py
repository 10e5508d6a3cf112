"""Number formatting for display: units always shown, SI inside the model, readable here."""

from __future__ import annotations

import math


def usd(value: float) -> str:
    """'$1.23', '$0.045', '$1,234'."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:.3g}"


def ms(seconds: float) -> str:
    """Seconds shown in ms below 10 s, else in s."""
    if not math.isfinite(seconds):
        return "n/a"
    if seconds >= 10:
        return f"{seconds:,.1f} s"
    value = seconds * 1e3
    return f"{value:.3g} ms" if value < 100 else f"{value:,.0f} ms"


def count(value: float) -> str:
    """Integers with thousands separators; 'unlimited' for infinity."""
    if math.isinf(value):
        return "none"
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}"


def tokens(value: float) -> str:
    """'8,192 tokens', '1.05M tokens'."""
    if math.isinf(value):
        return "never"
    if not math.isfinite(value):
        return "n/a"
    if value >= 1e6:
        return f"{value / 1e6:.3g}M tokens"
    return f"{value:,.0f} tokens"


def bytes_(value: float) -> str:
    """Decimal units: 1 GB = 1e9 B."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.0f} B"


def ratio(value: float) -> str:
    return f"{value:.3g}x" if math.isfinite(value) else "n/a"


def rate(value: float) -> str:
    """Tokens per second."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f} tok/s" if value >= 100 else f"{value:.3g} tok/s"


def percent(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"
