"""Price sweeps behind the dashboard's Prefill-vs-decode view: USD per 1M tokens over batch and context.

Every quantity is computed by the model (`roofline.decode_step`, `roofline.prefill`,
`metrics.cost_per_m_*`, `metrics.max_batch`); this module only evaluates them over grids
(`model.core.grids`) in one vectorised call. The roofline geometry of the same view is
`model.core.intensity`; the published prices it is compared with, `model.pricing.published`.

Price sweeps use the README's definitions (USD, seconds): input = prefill of `batch` prompts
together, output = one decode step of `batch` sequences; ratio = output / input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import decode_step, prefill

ALWAYS_SHOWN_PARTS = ("weights", "kv_cache", "compute", "comms")


# --- prices -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PriceSweep:
    """USD per 1M input and output tokens along a sweep variable `x`."""

    x: np.ndarray
    usd_per_m_input: np.ndarray
    usd_per_m_output: np.ndarray
    fits: np.ndarray  # the batch's KV caches fit in HBM at the decode context

    @property
    def output_input_ratio(self) -> np.ndarray:
        return self.usd_per_m_output / self.usd_per_m_input


def _prices(dep: Deployment, batch, prompt, ctx) -> tuple[np.ndarray, np.ndarray]:
    prefill_s = prefill(dep, prompt, batch=batch).time_s
    step_s = decode_step(dep, batch, ctx).time_s
    return (metrics.cost_per_m_input_usd(dep, prefill_s, batch, prompt),
            metrics.cost_per_m_output_usd(dep, step_s, batch))


def price_vs_batch(dep: Deployment, batches, ctx: float, prompt: float) -> PriceSweep:
    """Prices at each batch: prefill of `batch` prompts of `prompt` tokens; decode at context `ctx`."""
    batches = np.asarray(batches, dtype=float)
    usd_in, usd_out = _prices(dep, batches, prompt, ctx)
    return PriceSweep(batches, np.broadcast_to(usd_in, batches.shape), np.broadcast_to(usd_out, batches.shape),
                      batches <= metrics.max_batch(dep, ctx))


def price_vs_context(dep: Deployment, contexts_tokens, batch: float) -> PriceSweep:
    """Prices at each context L for requests whose prompt is the whole context: prefill of `batch`
    prompts of L tokens, decode of `batch` sequences at context L."""
    contexts = np.asarray(contexts_tokens, dtype=float)
    usd_in, usd_out = _prices(dep, batch, contexts, contexts)
    return PriceSweep(contexts, np.broadcast_to(usd_in, contexts.shape), np.broadcast_to(usd_out, contexts.shape),
                      batch <= metrics.max_batch(dep, contexts))


def decode_breakdown_vs_batch_s(dep: Deployment, batches, ctx: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Decode step time split into parts (PassTiming.breakdown_s) per batch, and the step time, s.

    Weights, KV cache, compute and comms are always returned; activations and overhead only when
    non-zero somewhere. The returned parts add up to the step time.
    """
    step = decode_step(dep, np.asarray(batches, dtype=float), ctx)
    parts = step.breakdown_s()
    kept = {k: v for k, v in parts.items() if k in ALWAYS_SHOWN_PARTS or bool(np.any(v > 0))}
    return kept, np.asarray(step.time_s, dtype=float)


def first_x_not_fitting(sweep_x, fits) -> float:
    """Smallest swept value whose batch no longer fits in HBM (inf when all fit)."""
    x = np.asarray(sweep_x, dtype=float)[~np.asarray(fits, dtype=bool)]
    return float(x.min()) if x.size else math.inf
