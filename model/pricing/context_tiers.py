"""Long-context price tiers from the roofline model: cost against context, tier prices, multiplier
and a suggested boundary.

Everything here reuses `roofline.decode_step` / `roofline.prefill` and `metrics`; no formula is
re-derived. Units: contexts and prompts in tokens, prices in USD per 1M tokens.

Definitions (also stated on the dashboard pages):
- tier batch at context L: `slo.slo_batch` (F77), the largest batch that fits in HBM at L and meets
  the tier's per-user speed target; with no target ("best case") the largest batch that fits
  (capped at MAX_BATCH), the provider's cheapest way to serve L.
- log-uniform mean of a cost curve c(L) over [a, b]: ∫ c d(ln L) / ln(b/a), with c interpolated
  linearly in ln L between grid points (requests spread evenly over orders of magnitude of context).
- tier multiplier at boundary T: the log-uniform mean of c over [T, L_max] divided by its mean over
  [L_min, T]. Each tier then charges its mean cost, so each tier breaks even on its own.
- suggested boundary: the first context where the best-case cost per output token reaches
  `SUGGESTED_FACTOR` times its short-context (L_min) value, interpolated in ln L.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.limits import MAX_BATCH
from model.core import metrics
from model.core.deployment import Deployment
from model.core.grids import context_grid, last_true_integer
from model.core.roofline import decode_step, prefill
from model.pricing.slo import slo_batch

MIN_CONTEXT_TOKENS = 128  # left end of every context sweep (the dashboard's smallest context)
SUGGESTED_FACTOR = 2.0  # suggested boundary: best-case output cost has doubled


@dataclass(frozen=True)
class ContextSweep:
    """Costs against context L; row 0 of the 2-row arrays is the scenario batch, row 1 the tier batch
    (the SLO batch, or the best case without a target).

    Input cost at L is the prefill of prompts of L tokens (the prompt fills the context). Costs are
    NaN at the tier batch where no batch fits and meets the target.
    """

    ctx_tokens: np.ndarray
    batch: int  # the scenario's batch
    max_batch: np.ndarray  # sequences that fit at each context (capped at MAX_BATCH)
    usd_per_m_output: np.ndarray  # shape (2, contexts)
    usd_per_m_input: np.ndarray  # shape (2, contexts)
    tier_batch: np.ndarray | None = None  # the SLO batch at each context (0 = none qualifies)
    target_tpot_s: float | None = None  # the tier's TPOT target; None = best case

    @property
    def fits(self) -> np.ndarray:
        """Whether the scenario batch fits in HBM at each context."""
        return self.batch <= self.max_batch

    @property
    def best_output(self) -> np.ndarray:
        return self.usd_per_m_output[1]

    @property
    def best_input(self) -> np.ndarray:
        return self.usd_per_m_input[1]


def context_sweep(dep: Deployment, batch: int, max_context: float | None = None, points: int = 161,
                  target_tpot_s: float | None = None) -> ContextSweep:
    """Cost per 1M output and input tokens against context, at `batch` and at the tier batch
    (`slo_batch` with `target_tpot_s`; None = best case), on `points` contexts evenly spaced in ln L
    from MIN_CONTEXT_TOKENS to `max_context` (default the model's; at least twice
    MIN_CONTEXT_TOKENS), not rounded."""
    top = max(float(dep.model.max_context if max_context is None else max_context), 2.0 * MIN_CONTEXT_TOKENS)
    ctx = context_grid(MIN_CONTEXT_TOKENS, top, points, integer=False)
    fit = np.minimum(metrics.max_batch(dep, ctx), MAX_BATCH)
    tier = np.array([float(slo_batch(dep, c, target_tpot_s)) for c in ctx]) if target_tpot_s else fit
    batches = np.stack([np.full_like(ctx, float(batch)), np.maximum(tier, 1.0)])
    out = metrics.cost_per_m_output_usd(dep, decode_step(dep, batches, ctx).time_s, batches)
    inp = metrics.cost_per_m_input_usd(dep, prefill(dep, ctx, batch=batches).time_s, batches, ctx)
    unservable = tier < 1
    out[1, unservable] = np.nan
    inp[1, unservable] = np.nan
    return ContextSweep(ctx, int(batch), fit, out, inp, tier, target_tpot_s)


def max_context_for_batch_tokens(dep: Deployment, batch: int, limit_tokens: float) -> int:
    """Largest context (≤ limit) at which `batch` sequences fit in HBM; 0 if they never fit."""
    limit = int(limit_tokens)
    found = last_true_integer(lambda c: metrics.max_batch(dep, c) >= batch, 1, limit)
    return max(found, 0)


# --- tier boundary and multiplier --------------------------------------------------------------
def servable_prefix(ctx: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The curve up to its first non-finite value (contexts where not one sequence fits)."""
    bad = ~np.isfinite(cost)
    end = int(np.argmax(bad)) if bad.any() else cost.size
    return ctx[:end], cost[:end]


def tier_prices_usd(ctx: np.ndarray, cost: np.ndarray, boundary_tokens):
    """(log-uniform mean cost below the boundary, mean above it), on the servable part of the curve.

    `boundary_tokens` may be an array (then two arrays). NaN where the boundary is not strictly
    inside the servable contexts."""
    ctx, cost = servable_prefix(np.asarray(ctx, dtype=float), np.asarray(cost, dtype=float))
    boundary = np.asarray(boundary_tokens, dtype=float)
    lo = np.full(boundary.shape, np.nan)
    hi = np.full(boundary.shape, np.nan)
    inside = (boundary > ctx[0]) & (boundary < ctx[-1]) if ctx.size >= 2 else np.zeros(boundary.shape, dtype=bool)
    if np.any(inside):
        x = np.log(ctx)
        area = np.concatenate([[0.0], np.cumsum((cost[1:] + cost[:-1]) * np.diff(x) / 2)])
        xb = np.log(boundary[inside])
        yb = np.interp(xb, x, cost)
        i = np.searchsorted(x, xb, side="right") - 1  # the grid point at or below each boundary
        below = area[i] + (xb - x[i]) * (cost[i] + yb) / 2
        lo[inside] = below / (xb - x[0])
        hi[inside] = (area[-1] - below) / (x[-1] - xb)
    if boundary.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def tier_multiplier(ctx: np.ndarray, cost: np.ndarray, boundary_tokens):
    """Mean cost above the boundary / mean below it (log-uniform in context; see module docstring)."""
    lo, hi = tier_prices_usd(ctx, cost, boundary_tokens)
    return hi / lo


def multiplier_curve(ctx: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """`tier_multiplier` with each grid context as the boundary (NaN at both ends and where unservable)."""
    return tier_multiplier(ctx, cost, np.asarray(ctx, dtype=float))


def suggested_boundary_tokens(ctx: np.ndarray, cost: np.ndarray, factor: float = SUGGESTED_FACTOR) -> float:
    """First context where `cost` reaches `factor` x cost at the first context (inf if never)."""
    ctx, cost = servable_prefix(ctx, cost)
    if ctx.size == 0:
        return float("inf")
    gap = (cost - factor * cost[0])[:, None]
    return float(metrics.first_crossing(ctx, gap)[0])
