"""The batch a service level allows: the largest batch that meets a per-user speed target and fits.

A tier promises each user a decode speed (a TPOT target, or tokens/s per user = 1 / TPOT). The
provider runs the largest batch whose decode step meets that target at the context served, but
never more sequences than fit in HBM (docs/formulas.md F77). Costs of a tier are evaluated at
this batch; "best case" (memory-bound only) is the same with no speed target.
"""

from __future__ import annotations

import math

from model.base.limits import MAX_BATCH
from model.core import metrics
from model.core.deployment import Deployment
from model.pricing.speed_tiers import largest_batch_within_s


def slo_batch(dep: Deployment, ctx: float, target_tpot_s: float | None) -> int:
    """min(batch that fits at `ctx`, largest batch with TPOT <= `target_tpot_s`); 0 if none qualifies.

    `target_tpot_s=None` means no speed target: the batch that fits (capped at MAX_BATCH)."""
    fits = int(min(float(metrics.max_batch(dep, ctx)), MAX_BATCH))
    if fits < 1 or target_tpot_s is None:
        return max(fits, 0)
    if not (target_tpot_s > 0 and math.isfinite(target_tpot_s)):
        raise ValueError(f"target_tpot_s: must be a positive finite time in s; got {target_tpot_s!r}")
    return min(fits, largest_batch_within_s(dep, ctx, target_tpot_s, batch_cap=fits))
