"""The market beside the sheet: published prices against the model's cost (docs/formulas.md F173,
F180-F181).

For every published row that serves the scenario's model (`ApiPrice.model_id`): the implied margin
of its input and output prices against the sheet's standard-tier cost (F173), the served chip-hour
cost at which its output price would earn the target margin (F180), and, for a price below the
model's cost, how far cost must fall and which assumption could do it. The published ratios
(output/input, cached/input, batch, priority and long-context multiples, cache write and storage per
hour against input) are summarised as
medians over the rows that state both prices (F181). Prices in USD per 1M tokens.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from model.base.text import significant
from model.catalog.api_prices import ApiPrice
from model.pricing.cost_basis import implied_chip_hour_usd, implied_margin
from model.pricing.published import or_nan
from model.pricing.sheet import PriceSheet


@dataclass(frozen=True)
class MarketRow:
    """One published price beside the model's cost of the same model."""

    provider: str
    model: str
    usd_per_m_input: float
    usd_per_m_output: float
    usd_per_m_cached_input: float
    cost_usd_per_m_input: float
    cost_usd_per_m_output: float
    implied_margin_input: float
    implied_margin_output: float
    implied_chip_hour_usd: float  # served chip-hour cost at which the output price earns the target margin
    below_cost: bool
    what_would_change: str
    trust: str
    date_seen: str
    source: str
    notes: str = ""


def _enough(factor: float, gap: float) -> str:
    return "enough" if factor >= gap else "not enough alone"


def what_would_change(gap: float, served_usd: float, full_usd: float, owned_usd: float = math.nan) -> str:
    """The assumption that would have to change for a price `gap` x below the model's cost: the served
    chip-hour cost it needs, what full utilisation and owning the chips (`owned_usd`, served, when
    known) would give, or more tokens per chip-second."""
    if not gap > 1:
        return ""
    parts = [f"cost must fall {significant(gap, 2)}x: a served chip-hour of at most ${significant(served_usd / gap)}"]
    if full_usd < served_usd:
        parts.append(f"full utilisation gives {significant(served_usd / full_usd, 2)}x ({_enough(served_usd / full_usd, gap)})")
    if owned_usd < served_usd:
        parts.append(f"owning the chips gives {significant(served_usd / owned_usd, 2)}x ({_enough(served_usd / owned_usd, gap)})")
    parts.append(f"or {significant(gap, 2)}x the tokens per chip-second (speculative decoding, FP8/FP4 weights, a larger batch)")
    return "; ".join(parts)


def market_rows(rows: list[ApiPrice], sheet: PriceSheet, model_id: str, served_usd_per_chip_hour: float,
                full_usd_per_chip_hour: float, margin: float, owned_usd_per_chip_hour: float = math.nan) -> list[MarketRow]:
    """Every published row serving `model_id`, beside the sheet's standard-tier cost (F173, F180);
    `owned_usd_per_chip_hour` (served, at the same utilisation) when the chips could be owned instead."""
    std = sheet.row("standard")
    if std is None:
        return []
    c_in, c_out = std.cost_usd_per_m_input, std.cost_usd_per_m_output
    out = []
    for row in rows:
        if row.model_id != model_id:
            continue
        p_in, p_out = or_nan(row.usd_per_m_input), or_nan(row.usd_per_m_output)
        gap = c_out / p_out if p_out > 0 else math.nan
        out.append(MarketRow(
            row.provider, row.model, p_in, p_out, or_nan(row.usd_per_m_cached_input), c_in, c_out,
            implied_margin(p_in, c_in), implied_margin(p_out, c_out),
            implied_chip_hour_usd(p_out, c_out, served_usd_per_chip_hour, margin), bool(gap > 1),
            what_would_change(gap, served_usd_per_chip_hour, full_usd_per_chip_hour, owned_usd_per_chip_hour),
            row.trust, row.date_seen, row.source, row.notes))
    return out


# ratio name -> (numerator, denominator) attributes of ApiPrice
PUBLISHED_RATIOS = {
    "output/input": ("usd_per_m_output", "usd_per_m_input"),
    "cached/input": ("usd_per_m_cached_input", "usd_per_m_input"),
    "batch/standard": ("usd_per_m_batch_output", "usd_per_m_output"),
    "fast/standard": ("usd_per_m_priority_output", "usd_per_m_output"),
    "long/standard": ("usd_per_m_long_output", "usd_per_m_output"),
    "cache_write/input": ("usd_per_m_cache_write_5m", "usd_per_m_input"),
    "storage_hour/input": ("usd_per_m_cache_storage_hour", "usd_per_m_input"),
}


@dataclass(frozen=True)
class PublishedRatio:
    name: str
    median: float  # nan when no row states both prices
    low: float
    high: float
    rows: int


def published_ratio_summary(rows: list[ApiPrice]) -> dict[str, PublishedRatio]:
    """F181: median, min and max of each PUBLISHED_RATIOS ratio over the rows stating both prices."""
    summary = {}
    for name, (top, bottom) in PUBLISHED_RATIOS.items():
        values = [or_nan(getattr(r, top)) / or_nan(getattr(r, bottom)) for r in rows
                  if getattr(r, top) is not None and getattr(r, bottom) not in (None, 0)]
        values = [v for v in values if math.isfinite(v)]
        if values:
            summary[name] = PublishedRatio(name, statistics.median(values), min(values), max(values), len(values))
        else:
            summary[name] = PublishedRatio(name, math.nan, math.nan, math.nan, 0)
    return summary


def sheet_ratios(sheet: PriceSheet) -> dict[str, float]:
    """The sheet's own values of PUBLISHED_RATIOS (prices; nan where a tier is missing)."""
    def price(tier: str, attr: str) -> float:
        row = sheet.row(tier)
        return math.nan if row is None else getattr(row, attr)

    std_out = price("standard", "usd_per_m_output")
    return {
        "output/input": std_out / price("standard", "usd_per_m_input"),
        "cached/input": price("standard", "usd_per_m_cached_input") / price("standard", "usd_per_m_input"),
        "batch/standard": price("batch", "usd_per_m_output") / std_out,
        "fast/standard": price("fast", "usd_per_m_output") / std_out,
        "long/standard": price("long_context", "usd_per_m_output") / std_out,
        "cache_write/input": price("cache_write", "usd_per_m_input") / price("standard", "usd_per_m_input"),
        "storage_hour/input": price("cache_storage", "usd_per_m_token_hour") / price("standard", "usd_per_m_input"),
    }
