"""Published API prices (presets/api_prices.csv, typed as `model.catalog.api_prices.ApiPrice`) in
the shapes the pricing and caching views compare the model with: output/input ratios, long-context
tiers and cached-input prices. Prices in USD per 1M tokens, thresholds in tokens; nan where a row
does not state a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.catalog.api_prices import ApiPrice


def or_nan(value: float | None) -> float:
    """A published number, or nan where the table has none."""
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class PublishedRatio:
    """One published API price row: USD per 1M tokens and the output/input ratio (nan if unknown)."""

    provider: str
    model: str
    usd_per_m_input: float
    usd_per_m_output: float
    out_in_ratio: float
    source: str
    date_seen: str


def published_ratios(rows: list[ApiPrice]) -> list[PublishedRatio]:
    """Every api_prices row; the ratio is the stated `out_in_ratio`, else output / input, else nan."""
    out = []
    for row in rows:
        usd_in, usd_out = or_nan(row.usd_per_m_input), or_nan(row.usd_per_m_output)
        ratio = or_nan(row.out_in_ratio)
        if math.isnan(ratio) and usd_in > 0:
            ratio = usd_out / usd_in
        out.append(PublishedRatio(row.provider, row.model, usd_in, usd_out, ratio, row.source, row.date_seen))
    return out


def rank_among(value: float, others) -> tuple[int, int, int]:
    """(how many of the finite `others` are below `value`, how many above, how many finite)."""
    v = np.asarray(others, dtype=float)
    v = v[np.isfinite(v)]
    return int(np.sum(v < value)), int(np.sum(v > value)), int(v.size)


@dataclass(frozen=True)
class RatioGroup:
    """Published rows of one provider that share one output/input ratio."""

    provider: str
    out_in_ratio: float
    models: tuple[str, ...]


def ratio_groups(published: list[PublishedRatio]) -> list[RatioGroup]:
    """Rows with a known ratio grouped by (provider, ratio), lowest ratio first."""
    groups: dict[tuple[str, float], list[str]] = {}
    for row in published:
        if math.isfinite(row.out_in_ratio):
            groups.setdefault((row.provider, row.out_in_ratio), []).append(row.model)
    return [RatioGroup(p, r, tuple(m)) for (p, r), m in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0]))]


def published_tiers(rows: list[ApiPrice]) -> list[dict]:
    """Published long-context tiers: rows that state a threshold.

    Keys: provider, model, threshold_tokens, input_mult, output_mult (nan if not stated), source, date_seen.
    """
    return [{"provider": row.provider, "model": row.model,
             "threshold_tokens": float(row.long_context_threshold_tokens),
             "input_mult": or_nan(row.long_context_input_mult), "output_mult": or_nan(row.long_context_output_mult),
             "source": row.source, "date_seen": row.date_seen}
            for row in rows if row.long_context_threshold_tokens is not None]


def published_cache_prices(rows: list[ApiPrice]) -> list[dict]:
    """Rows that state a cached-input fraction (cached-input price / input price).

    Keys: provider, model, input_usd_per_mtok, cached_input_usd_per_mtok (nan if not stated),
    cached_input_fraction, date_seen, source.
    """
    return [{"provider": row.provider, "model": row.model,
             "input_usd_per_mtok": or_nan(row.usd_per_m_input),
             "cached_input_usd_per_mtok": or_nan(row.usd_per_m_cached_input),
             "cached_input_fraction": row.cached_input_fraction,
             "date_seen": row.date_seen, "source": row.source}
            for row in rows if row.cached_input_fraction is not None]
