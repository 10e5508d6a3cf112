"""Captions of the Validation page (pages/validation.py)."""

from __future__ import annotations

import pandas as pd


def error_summary(frame: pd.DataFrame) -> str:
    """'median 12%, max 40% over 85 rows' of |error %|."""
    errors = frame["error_pct"].dropna().abs()
    return f"median {errors.median():.0f}%, max {errors.max():.0f}% over {len(errors)} rows"
