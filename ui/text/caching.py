"""Sentences of the "Caching & reasoning" page (pages/caching.py)."""

from __future__ import annotations

from ui import format as fmt


def less_or_more(saving_fraction: float) -> str:
    """'40% less' / '12% more' / 'the same cost'."""
    if abs(saving_fraction) < 0.005:
        return "the same cost"
    return f"{fmt.fraction(abs(saving_fraction))} {'less' if saving_fraction > 0 else 'more'}"
