"""The batch a service level allows: the largest batch that meets a per-user speed target and fits.

A tier promises each user a decode speed (a TPOT target, or tokens/s per user = 1 / TPOT). The
provider runs the largest batch whose decode step meets that target at the context served, but
never more sequences than fit in HBM (docs/formulas.md F77). Costs of a tier are evaluated at
this batch; "best case" (memory-bound only) is the same with no speed target.
"""

from __future__ import annotations

import math

import numpy as np

from model.base.limits import MAX_BATCH
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import decode_step
from model.pricing.speed_tiers import TPOT_TOLERANCE


def slo_batch(dep: Deployment, ctx: float, target_tpot_s: float | None) -> int:
    """min(batch that fits at `ctx`, largest batch with TPOT <= `target_tpot_s`); 0 if none qualifies.

    `target_tpot_s=None` means no speed target: the batch that fits (capped at MAX_BATCH)."""
    return int(slo_batches(dep, np.array([float(ctx)]), target_tpot_s)[0])


def slo_batches(dep: Deployment, ctx, target_tpot_s: float | None) -> np.ndarray:
    """`slo_batch` at every context of the array `ctx` (integers), by one bisection over batch for all
    contexts at once: the TPOT never falls as batch grows, so the batches meeting the target are 1..b."""
    ctx = np.asarray(ctx, dtype=float).reshape(-1)
    fits = np.clip(np.floor(metrics.max_batch(dep, ctx)), 0, MAX_BATCH).astype(np.int64)
    if target_tpot_s is None:
        return fits
    if not (target_tpot_s > 0 and math.isfinite(target_tpot_s)):
        raise ValueError(f"target_tpot_s: must be a positive finite time in s; got {target_tpot_s!r}")
    limit = target_tpot_s * (1 + TPOT_TOLERANCE) * metrics.tokens_per_step(dep)  # as largest_batch_within_s
    lo, hi = np.zeros_like(fits), fits.copy()  # the answer lies in [lo, hi]; lo meets the target (or is 0)
    while (open_ := lo < hi).any():
        mid = np.where(open_, (lo + hi + 1) // 2, np.maximum(lo, 1))
        meets = np.broadcast_to(decode_step(dep, mid.astype(float), ctx).time_s, ctx.shape) <= limit
        lo = np.where(open_ & meets, mid, lo)
        hi = np.where(open_ & ~meets, mid - 1, hi)
    return lo
