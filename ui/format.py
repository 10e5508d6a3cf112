"""Number formatting for display: units always shown, SI inside the model, readable here.

Each formatter is named for what it takes (in SI units): `duration(seconds)`, `usd(usd)`,
`tokens(tokens)`, `bytes_(bytes)`, `token_rate(tokens_per_s)`, `fraction(fraction)`, ...
"""

from __future__ import annotations

import math

import pandas as pd

from model.base.text import significant

TABLE_DIGITS = 4  # significant digits of the numbers a table shows (and its CSV)


_significant = significant  # for `fraction`, whose argument has the same name


def plural(n: float, noun: str, plural_form: str | None = None) -> str:
    """A count and its noun, singular for exactly 1: '1 sequence', '8 chips', '65,536 tokens'."""
    word = noun if n == 1 else (plural_form or noun + "s")
    return f"{count(n)} {word}"


def rounded(frame: pd.DataFrame, digits: int = TABLE_DIGITS) -> pd.DataFrame:
    """A table's float columns rounded to `digits` significant digits (integers and text untouched)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(lambda v: _round_significant(v, digits))
    return out


def _round_significant(value: float, digits: int) -> float:
    if not math.isfinite(value) or value == 0:
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def usd(value: float) -> str:
    """USD: '$1.23', '$0.045', '$1,234'."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return "$" + significant(value)


def usd_big(value: float) -> str:
    """USD with a magnitude suffix from $1M: '$28.1M', '$2.3B'; smaller amounts as `usd`."""
    if math.isfinite(value) and abs(value) >= 1e6:
        return "$" + si(value, "").strip()
    return usd(value)


def duration(seconds: float) -> str:
    """Seconds, shown in ms below 1 s, else in s: '3.2 ms', '450 ms', '8.6 s', '155 s'."""
    if not math.isfinite(seconds):
        return "n/a"
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 0.9995:
        return f"{seconds:.1f} s"
    return significant(seconds * 1e3) + " ms"


def count(value: float) -> str:
    """A count with thousands separators; 'none' for infinity."""
    if math.isinf(value):
        return "none"
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}"


def number(value: float) -> str:
    """A plain number: '0.156', '12.5', '65,536'."""
    return significant(value)


def tokens(value: float) -> str:
    """Tokens: '8,192 tokens', '1.05M tokens'; 'never' for infinity."""
    if math.isinf(value):
        return "never"
    if not math.isfinite(value):
        return "n/a"
    if value >= 1e6:
        return si(value, "tokens")
    return f"{value:,.0f} tokens"


def bytes_(value: float) -> str:
    """Bytes in decimal units: 1 GB = 1e9 B."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= scale:
            return f"{significant(value / scale)} {unit}"
    return f"{value:.0f} B"


def flops(value: float) -> str:
    """A FLOP count: '1.56e24 FLOPs' from 1e15 on, else '16.1B FLOPs'."""
    if abs(value) >= 1e15:
        return f"{value:.3g} FLOPs".replace("e+", "e")
    return si(value, "FLOPs") if value else "0 FLOPs"


def si(value: float, unit: str) -> str:
    """A large count with a magnitude suffix: '20.2B params', '1.5T tokens', '1e15 tokens'."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1e15:
        return f"{value:.3g} {unit}".replace("e+", "e").strip()
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if abs(value) >= scale:
            return f"{significant(value / scale)}{suffix} {unit}"
    return f"{value:,.0f} {unit}"


def ratio(value: float) -> str:
    """A ratio: '3.2x'."""
    return f"{significant(value)}x" if math.isfinite(value) else "n/a"


def token_rate(tokens_per_s: float) -> str:
    """Tokens per second: '1,234 tok/s', '45.6 tok/s'."""
    if not math.isfinite(tokens_per_s):
        return "n/a"
    return f"{significant(tokens_per_s)} tok/s"


def fraction(value: float, significant: int | None = None) -> str:
    """A fraction (0.4) as a percentage: '40%'; with `significant` digits, '0.57%' ('n/a' if not finite)."""
    if not math.isfinite(value):
        return "n/a"
    if significant is None:
        return f"{value * 100:.0f}%"
    return f"{_significant(100 * value, significant)}%"

