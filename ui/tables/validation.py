"""Tables of the Validation page (pages/validation.py): measurement rows with predictions and errors."""

from __future__ import annotations

import pandas as pd

from model.calibration.validate import exclusion_summary
from ui import format as fmt

NUMERIC = ("chips", "wbits", "kvbits", "abits", "batch", "ctx", "prompt", "out", "measured", "predicted", "error_pct")


def rows_frame(rows) -> pd.DataFrame:
    """Validated measurement rows as a frame, numeric columns numeric (excluded rows hold NaN)."""
    frame = pd.DataFrame([r.as_dict() for r in rows])
    for column in NUMERIC:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")  # excluded rows hold ''
    return frame


def error_table(before: pd.DataFrame, after: pd.DataFrame, by: str) -> pd.DataFrame:
    """Median and max |error %| per group, before and after calibration."""
    def stats(frame):
        used = frame[frame["error_pct"].notna()].assign(abs_err=lambda f: f["error_pct"].abs())
        return used.groupby(by)["abs_err"].agg(n="count", median="median", max="max")

    table = stats(before).merge(stats(after), left_index=True, right_index=True,
                                suffixes=("_default_pct", "_calibrated_pct")).reset_index()
    return table.rename(columns={"n_default_pct": "rows"}).drop(columns=["n_calibrated_pct"]).round(1)


def every_row(before: pd.DataFrame, after: pd.DataFrame, after_name: str) -> pd.DataFrame:
    """The calibrated rows with the default prediction beside the `after_name` one."""
    shown = after.drop(columns=["metric"]).rename(columns={"predicted": f"predicted_{after_name}",
                                                           "error_pct": f"error_pct_{after_name}"})
    shown.insert(shown.columns.get_loc(f"predicted_{after_name}"), "predicted_default", before["predicted"])
    return fmt.rounded(shown)


def excluded(rows) -> pd.DataFrame:
    """Excluded measurement rows, one line per reason with their ids."""
    return pd.DataFrame(exclusion_summary(rows)).assign(ids=lambda f: f["ids"].map(", ".join))
