"""Number formatting for display: units always shown, SI inside the model, readable here.

Each formatter is named for what it takes (in SI units): `duration(seconds)`, `usd(usd)`,
`tokens(tokens)`, `bytes_(bytes)`, `token_rate(tokens_per_s)`, `fraction(fraction)`, ...
"""

from __future__ import annotations

import math


def usd(value: float) -> str:
    """USD: '$1.23', '$0.045', '$1,234'."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:.3g}"


def usd_big(value: float) -> str:
    """USD with a magnitude suffix from $1M: '$28.1M', '$2.3B'; smaller amounts as `usd`."""
    if math.isfinite(value) and abs(value) >= 1e6:
        return "$" + si(value, "").strip()
    return usd(value)


def duration(seconds: float) -> str:
    """Seconds, shown in ms below 10 s, else in s: '3.2 ms', '450 ms', '12.5 s'."""
    if not math.isfinite(seconds):
        return "n/a"
    if seconds >= 10:
        return f"{seconds:,.1f} s"
    value = seconds * 1e3
    return f"{value:.3g} ms" if value < 100 else f"{value:,.0f} ms"


def count(value: float) -> str:
    """A count with thousands separators; 'none' for infinity."""
    if math.isinf(value):
        return "none"
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}"


def number(value: float) -> str:
    """A plain number: '0.156', '12.5', '65,536'."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def tokens(value: float) -> str:
    """Tokens: '8,192 tokens', '1.05M tokens'; 'never' for infinity."""
    if math.isinf(value):
        return "never"
    if not math.isfinite(value):
        return "n/a"
    if value >= 1e6:
        return f"{value / 1e6:.3g}M tokens"
    return f"{value:,.0f} tokens"


def bytes_(value: float) -> str:
    """Bytes in decimal units: 1 GB = 1e9 B."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.0f} B"


def flops(value: float) -> str:
    """A FLOP count: '1.56e24 FLOPs'."""
    return f"{value:.3g} FLOPs".replace("e+", "e") if value else "0 FLOPs"


def si(value: float, unit: str) -> str:
    """A large count with a magnitude suffix: '20.2B params', '1.5T tokens', '1e15 tokens'."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1e15:
        return f"{value:.3g} {unit}".replace("e+", "e").strip()
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix} {unit}"
    return f"{value:,.0f} {unit}"


def ratio(value: float) -> str:
    """A ratio: '3.2x'."""
    return f"{value:.3g}x" if math.isfinite(value) else "n/a"


def token_rate(tokens_per_s: float) -> str:
    """Tokens per second: '1,234 tok/s', '45.6 tok/s'."""
    if not math.isfinite(tokens_per_s):
        return "n/a"
    return f"{tokens_per_s:,.0f} tok/s" if tokens_per_s >= 100 else f"{tokens_per_s:.3g} tok/s"


def fraction(value: float, significant: int | None = None) -> str:
    """A fraction (0.4) as a percentage: '40%'; with `significant` digits, '0.57%' ('n/a' if not finite)."""
    if significant is None:
        return f"{value * 100:.0f}%"
    return f"{100 * value:.{significant}g}%" if math.isfinite(value) else "n/a"
