"""The published-fleet checks as a table (Validation page): one row per check, with a link to its scenario."""

from __future__ import annotations

import pandas as pd

COLUMNS = {"scenario": "named scenario", "metric": "what is compared", "basis": "basis", "published": "published",
           "predicted": "model", "error_pct": "model vs published, %", "implied_utilisation_pct":
           "share of the day busy it implies, %", "source": "source", "link": "open"}


def fleet_frame(rows: list[dict]) -> pd.DataFrame:
    """`model.report.fleet.fleet_rows` shaped for display: whole numbers above 100, a day average's
    error left empty (its gap is load, not physics: the implied busy share stands instead)."""
    shown = []
    for row in rows:
        day = row["basis"] == "day average"
        shown.append({
            "scenario": row["scenario"], "metric": row["metric"], "basis": row["basis"],
            "published": _rounded(row["published"]), "predicted": _rounded(row["predicted"]),
            "error_pct": None if day else round(row["error_pct"], 1),
            "implied_utilisation_pct": round(row["implied_utilisation_pct"], 1) if day else None,
            "source": row["source"], "link": f"/?preset={row['scenario']}"})
    return pd.DataFrame(shown, columns=list(COLUMNS))


def _rounded(value: float) -> float:
    return float(round(value)) if abs(value) >= 100 else round(value, 1)
