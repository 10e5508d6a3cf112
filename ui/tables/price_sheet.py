"""Tables of the "Price sheet" page (pages/price_sheet.py): the sheet, the market beside it, the
published ratios beside the sheet's, the hardware comparison."""

from __future__ import annotations

import dataclasses

import pandas as pd

from model.catalog.ownership import OWNERSHIP_FIELDS, Ownership
from model.pricing.market import MarketRow, PublishedRatio
from model.pricing.sheet import PriceSheet, sheet_table
from ui import format as fmt


def sheet_frame(sheet: PriceSheet) -> pd.DataFrame:
    return fmt.rounded(pd.DataFrame(sheet_table(sheet)))


def market_frame(rows: list[MarketRow]) -> pd.DataFrame:
    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
    return fmt.rounded(frame) if len(frame) else frame


def ratio_frame(ours: dict[str, float], published: dict[str, PublishedRatio]) -> pd.DataFrame:
    rows = [{"ratio": name, "sheet": value, "published_median": published[name].median,
             "published_min": published[name].low, "published_max": published[name].high,
             "published_rows": published[name].rows} for name, value in ours.items()]
    return fmt.rounded(pd.DataFrame(rows))


def hardware_frame(rows: list[dict]) -> pd.DataFrame:
    return fmt.rounded(pd.DataFrame(rows))


def ownership_frame(own: Ownership, overridden=()) -> pd.DataFrame:
    """Each ownership number with its unit and source (`overridden`: attributes set in the sheet)."""
    sources = dict(own.sources)
    where = {"capex_usd_per_chip": "capex_source", "server_network_usd_per_chip": "server_source",
             "depreciation_years": "depreciation_source", "capital_rate": "capital_source", "power_w": "power_source"}
    rows = [{"number": name, "value": getattr(own, name), "unit": spec.unit,
             "source": "set in this sheet" if name in overridden else sources.get(where.get(name, "facility_source"), "")}
            for name, spec in OWNERSHIP_FIELDS.items()]
    return pd.DataFrame(rows)
