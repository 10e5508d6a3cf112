"""Long-context costs from the roofline model: cost per token against context at the scenario batch and
at the tier batch. Tier prices, multipliers and the suggested boundary come from traffic (traffic.py).

Everything here reuses `roofline.decode_step` / `roofline.prefill` and `metrics`; no formula is
re-derived. Units: contexts and prompts in tokens, prices in USD per 1M tokens.

Definitions (also stated on the dashboard pages):
- tier batch at context L: `slo.slo_batch` (F77), the largest batch that fits in HBM at L and meets
  the tier's per-user speed target; with no target ("best case") the largest batch that fits
  (capped at MAX_BATCH), the provider's cheapest way to serve L.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.limits import MAX_BATCH
from model.core import metrics
from model.core.deployment import Deployment
from model.core.grids import context_grid, last_true_integer
from model.core.roofline import decode_step, prefill
from model.pricing.slo import slo_batches

MIN_CONTEXT_TOKENS = 128  # left end of every context sweep (the dashboard's smallest context)


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
    def tier_output(self) -> np.ndarray:
        """Cost per 1M output tokens at the tier batch (the best case when there is no target)."""
        return self.usd_per_m_output[1]

    @property
    def tier_input(self) -> np.ndarray:
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
    tier = slo_batches(dep, ctx, target_tpot_s).astype(float) if target_tpot_s else fit
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


# --- the servable part of a curve ---------------------------------------------------------------
def servable_prefix(ctx: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The curve up to its first non-finite value (contexts where no batch fits and meets the target)."""
    bad = ~np.isfinite(cost)
    end = int(np.argmax(bad)) if bad.any() else cost.size
    return ctx[:end], cost[:end]
