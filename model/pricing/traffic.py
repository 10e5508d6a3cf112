"""Tier prices from traffic: each tier breaks even on the requests it serves (docs/formulas.md F157–F159).

Traffic is a distribution of prompt lengths L (tokens) over the sweep's context grid: a log-normal
(median, sigma of ln L; F157) truncated to the contexts served, or the lengths of an uploaded CSV
binned onto the grid. Each request brings L input tokens priced at the input cost of an L-token
prefill, and its output tokens priced at the output cost at context L (output tokens per request
taken as independent of L, so output weights follow the request counts).

Tier price above/below a boundary T (F158): the token-weighted mean cost of that tier's requests,
so each tier's revenue equals its cost. Multiplier: upper price / lower price.
Suggested boundary (F159): the T that minimises the cross-subsidy, the USD that requests pay above
their own cost (equal to what the others pay below it) as a share of the total cost.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.base.fields import FieldError
from model.base.limits import MAX_TOKENS
from model.catalog.csv_rows import PresetError, read_rows
from model.catalog.presets import PRESET_DIR

MAX_UPLOAD_ROWS = 100_000
MAX_UPLOAD_BYTES = 1_000_000
LENGTH_COLUMN = "prompt_tokens"


DEFAULTS_FILE = "long_context.csv"


def tier_defaults(directory=PRESET_DIR) -> dict[str, float]:
    """The sourced defaults of presets/long_context.csv (slo_tps, traffic_median_tokens, traffic_sigma)."""
    return dict(_read_tier_defaults(str(directory)))


@functools.lru_cache(maxsize=8)
def _read_tier_defaults(directory: str) -> tuple[tuple[str, float], ...]:
    """The file read once per directory (preset data does not change while the process runs)."""
    path = Path(directory) / DEFAULTS_FILE
    values = {}
    for line, row in read_rows(path):
        try:
            values[row["key"].strip()] = float(row["value"])
        except (KeyError, ValueError):
            raise PresetError(f"{DEFAULTS_FILE}: line {line}: value: must be a number") from None
        if not (row.get("source") or "").strip():
            raise PresetError(f"{DEFAULTS_FILE}: line {line}: source: is empty; every value needs its source")
    return tuple(values.items())


@dataclass(frozen=True)
class Traffic:
    """Requests per grid context (`requests`, summing to 1) and where they came from."""

    ctx_tokens: np.ndarray
    requests: np.ndarray
    label: str

    @property
    def input_weights(self) -> np.ndarray:
        return self.requests * self.ctx_tokens

    @property
    def output_weights(self) -> np.ndarray:
        return self.requests


def _normalised(ctx: np.ndarray, weights: np.ndarray, label: str) -> Traffic:
    total = float(np.sum(weights))
    if not total > 0:
        raise ValueError("traffic: no request falls inside the contexts this scenario serves")
    return Traffic(ctx, weights / total, label)


def _log_edges(ctx: np.ndarray) -> np.ndarray:
    x = np.log(ctx)
    mid = (x[1:] + x[:-1]) / 2
    return np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])


def lognormal(ctx: np.ndarray, median_tokens: float, sigma: float) -> Traffic:
    """Share of requests at each grid context: a log-normal's mass in that context's ln-L bin."""
    if not (median_tokens >= 1 and sigma > 0):
        raise ValueError(f"traffic: median must be >= 1 token and sigma > 0; got {median_tokens!r}, {sigma!r}")
    z = (_log_edges(ctx) - math.log(median_tokens)) / (sigma * math.sqrt(2.0))
    cdf = 0.5 * (1.0 + np.vectorize(math.erf)(z))
    return _normalised(ctx, np.diff(cdf), f"log-normal, median {median_tokens:,.0f} tokens, sigma {sigma:g}")


def from_lengths(ctx: np.ndarray, lengths: np.ndarray, label: str = "uploaded lengths") -> Traffic:
    """Lengths binned onto the grid's ln-L bins; lengths outside the grid are dropped."""
    counts, _ = np.histogram(np.log(np.asarray(lengths, dtype=float)), bins=_log_edges(ctx))
    return _normalised(ctx, counts.astype(float), f"{label} ({int(counts.sum()):,} of {len(lengths):,} in range)")


def parse_lengths_csv(data: bytes) -> np.ndarray:
    """Prompt lengths from a CSV with a `prompt_tokens` column; FieldError naming what is wrong."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FieldError("upload", "range", f"must be at most {MAX_UPLOAD_BYTES:,} bytes; got {len(data):,}")
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FieldError("upload", "type", f"must be a UTF-8 CSV file ({exc})") from None
    if not rows or LENGTH_COLUMN not in rows[0]:
        raise FieldError(LENGTH_COLUMN, "required", "the CSV needs a prompt_tokens column with one length per row")
    if len(rows) > MAX_UPLOAD_ROWS:
        raise FieldError("upload", "range", f"must have at most {MAX_UPLOAD_ROWS:,} rows; got {len(rows):,}")
    values = []
    for line, row in enumerate(rows, start=2):
        text = (row.get(LENGTH_COLUMN) or "").strip()
        try:
            value = int(text)
        except ValueError:
            value = -1
        if not 1 <= value <= MAX_TOKENS:
            raise FieldError(LENGTH_COLUMN, "range",
                             f"line {line}: must be an integer in [1, {MAX_TOKENS:,}] tokens; got {text[:20]!r}")
        values.append(value)
    return np.array(values, dtype=float)


@dataclass(frozen=True)
class TierPrices:
    """Break-even prices (USD per 1M tokens) of the two tiers at one boundary."""

    boundary_tokens: float
    input_usd: tuple[float, float]  # (below, above)
    output_usd: tuple[float, float]
    share_above: float  # share of requests above the boundary

    @property
    def input_mult(self) -> float:
        return self.input_usd[1] / self.input_usd[0]

    @property
    def output_mult(self) -> float:
        return self.output_usd[1] / self.output_usd[0]


def upper_tier_coverage(traffic: Traffic, input_cost: np.ndarray, output_cost: np.ndarray, boundary_tokens: float,
                        input_mult: float, output_mult: float, output_per_input_token: float) -> float:
    """Revenue of the upper tier when it charges the lower tier's break-even prices times
    (`input_mult`, `output_mult`), divided by its cost (F162): 1 = breaks even, below 1 = loses.
    Every request decodes `output_per_input_token` x the traffic's mean prompt output tokens."""
    p = tier_prices(traffic, input_cost, output_cost, boundary_tokens)
    above = (traffic.ctx_tokens > boundary_tokens) & np.isfinite(input_cost) & np.isfinite(output_cost)
    out_tokens = output_per_input_token * float(np.sum(traffic.requests * traffic.ctx_tokens))
    n, length = traffic.requests[above], traffic.ctx_tokens[above]
    cost = np.sum(n * (length * input_cost[above] + out_tokens * output_cost[above]))
    revenue = np.sum(n * (length * input_mult * p.input_usd[0] + out_tokens * output_mult * p.output_usd[0]))
    return float(revenue / cost) if cost > 0 else math.nan


def _mean(weights: np.ndarray, cost: np.ndarray, mask: np.ndarray) -> float:
    w = np.where(mask & np.isfinite(cost), weights, 0.0)
    total = w.sum()
    return float(np.sum(w * np.nan_to_num(cost)) / total) if total > 0 else math.nan


def tier_prices(traffic: Traffic, input_cost: np.ndarray, output_cost: np.ndarray, boundary_tokens: float) -> TierPrices:
    """Each tier's token-weighted mean cost (F158): requests with L <= boundary are the lower tier."""
    below = traffic.ctx_tokens <= boundary_tokens
    prices = []
    for weights, cost in ((traffic.input_weights, input_cost), (traffic.output_weights, output_cost)):
        prices.append((_mean(weights, cost, below), _mean(weights, cost, ~below)))
    share = float(traffic.requests[~below].sum())
    return TierPrices(float(boundary_tokens), prices[0], prices[1], share)


def cross_subsidy(traffic: Traffic, input_cost: np.ndarray, output_cost: np.ndarray, boundary_tokens: float) -> float:
    """USD paid above cost by the requests that overpay, as a share of the total cost (F159)."""
    p = tier_prices(traffic, input_cost, output_cost, boundary_tokens)
    below = traffic.ctx_tokens <= boundary_tokens
    moved = total = 0.0
    for weights, cost, (lo, hi) in ((traffic.input_weights, input_cost, p.input_usd),
                                    (traffic.output_weights, output_cost, p.output_usd)):
        ok = np.isfinite(cost)
        price = np.where(below, lo, hi)
        moved += float(np.sum(np.where(ok, weights * np.abs(np.nan_to_num(price) - np.nan_to_num(cost)), 0.0)))
        total += float(np.sum(np.where(ok, weights * np.nan_to_num(cost), 0.0)))
    return moved / 2.0 / total if total > 0 else math.nan


def one_price_cross_subsidy(traffic: Traffic, input_cost: np.ndarray, output_cost: np.ndarray) -> float:
    """The cross-subsidy with no tier at all (one price for every length)."""
    return cross_subsidy(traffic, input_cost, output_cost, float(traffic.ctx_tokens[-1]) * 2.0)


def suggested_boundary(traffic: Traffic, input_cost: np.ndarray, output_cost: np.ndarray,
                       min_share: float = 0.001) -> float:
    """The grid context minimising the cross-subsidy, among boundaries leaving at least `min_share`
    of the requests in each tier (nan when none does)."""
    ctx = traffic.ctx_tokens
    above = 1.0 - np.cumsum(traffic.requests)
    candidates = [(cross_subsidy(traffic, input_cost, output_cost, t), t)
                  for t, a in zip(ctx[:-1], above[:-1]) if min_share <= a <= 1.0 - min_share]
    candidates = [(s, t) for s, t in candidates if math.isfinite(s)]
    return float(min(candidates)[1]) if candidates else math.nan


def multiplier_curves(traffic: Traffic, input_cost: np.ndarray, output_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(input, output) multipliers with each grid context as the boundary."""
    prices = [tier_prices(traffic, input_cost, output_cost, t) for t in traffic.ctx_tokens]
    return np.array([p.input_mult for p in prices]), np.array([p.output_mult for p in prices])


def against_published(traffic: Traffic, input_cost: np.ndarray, output_cost: np.ndarray, tiers: list[dict],
                      served_max_tokens: float, output_per_input_token: float) -> list[dict]:
    """Each published tier (model.pricing.published.published_tiers rows) beside this model's break-even
    multipliers at its boundary and the share of the upper tier's cost its multiples recover (nan
    where the boundary is outside the served contexts)."""
    rows = []
    for tier in tiers:
        t = tier["threshold_tokens"]
        inside = traffic.ctx_tokens[0] < t < served_max_tokens
        model = tier_prices(traffic, input_cost, output_cost, t) if inside else None
        covers = (upper_tier_coverage(traffic, input_cost, output_cost, t, tier["input_mult"], tier["output_mult"],
                                      output_per_input_token) if inside else math.nan)
        rows.append({"provider": tier["provider"], "model": tier["model"], "threshold_tokens": int(t),
                     "published_input_x": tier["input_mult"], "published_output_x": tier["output_mult"],
                     "this_model_input_x": model.input_mult if model else math.nan,
                     "this_model_output_x": model.output_mult if model else math.nan,
                     "published_covers_cost": covers, "source": tier["source"], "date_seen": tier["date_seen"]})
    return rows
