"""Speed (fast/economy) tiers from the roofline model: cost and TPOT against batch, the tier a target
speed-up needs, and the latency floor against chip count.

Everything here reuses `roofline.decode_step` and `metrics`; no formula is re-derived. Units:
contexts in tokens, times in seconds, prices in USD per 1M output tokens.

Speed tier: a target speed-up s (tokens/s per user, s > 1 faster, s < 1 slower) asks for a TPOT of
at most TPOT_now / s; the tier runs the largest batch that meets it (TPOT never falls as batch
grows) and fits in HBM; its price multiple is cost per output token at that batch / now.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.limits import MAX_BATCH
from model.core import metrics
from model.core.deployment import Deployment
from model.core.grids import last_true_integer
from model.core.roofline import decode_step

CHIP_COUNTS = (1, 2, 4, 8, 16, 32, 64)
TPOT_TOLERANCE = 1e-9  # relative: a TPOT equal to the target (up to rounding) meets it


@dataclass(frozen=True)
class BatchSweep:
    """TPOT and cost per output token against batch, at one context."""

    batch: np.ndarray
    tpot_s: np.ndarray  # one decode step = time per output token for each user (excludes TTFT)
    usd_per_m_output: np.ndarray
    fits: np.ndarray  # the batch's KV cache fits in HBM at this context

    @property
    def tokens_per_s_per_user(self) -> np.ndarray:
        return 1.0 / self.tpot_s


def batch_sweep(dep: Deployment, ctx: float, batches: np.ndarray) -> BatchSweep:
    """One vectorised decode step over `batches` at context `ctx`."""
    step_s = decode_step(dep, batches, ctx).time_s
    fits = batches <= metrics.max_batch(dep, ctx)
    tpot_s = step_s / metrics.tokens_per_step(dep)  # τ tokens per step with speculative decoding (F125)
    return BatchSweep(batches, tpot_s, metrics.cost_per_m_output_usd(dep, step_s, batches), fits)


def largest_batch_within_s(dep: Deployment, ctx: float, target_tpot_s: float, batch_cap: int = MAX_BATCH) -> int:
    """Largest batch in [1, batch_cap] whose TPOT (decode step / tokens per step) at `ctx` is at most
    `target_tpot_s`; 0 if none.

    Relies on the decode step never getting shorter as batch grows (every op's FLOPs and bytes are
    non-decreasing in batch)."""
    limit = target_tpot_s * (1 + TPOT_TOLERANCE) * metrics.tokens_per_step(dep)
    return last_true_integer(lambda b: decode_step(dep, b, ctx).time_s <= limit, 1, int(batch_cap))


@dataclass(frozen=True)
class SpeedTier:
    """What a target speed-up (tokens/s per user vs now) needs and costs.

    status: 'ok'; 'hbm_limited' (the target allows a larger batch than fits, so the tier runs the
    largest that fits); 'below_floor' (target TPOT below the latency floor: impossible at any batch);
    'below_batch_one' (above the floor but below batch 1's TPOT at this context, so no batch meets it);
    'no_fit' (the weights or one sequence do not fit in HBM).
    """

    speedup: float
    target_tpot_s: float
    batch: int  # 0 when impossible
    tpot_s: float
    usd_per_m_output: float
    price_multiple: float  # usd_per_m_output / the current batch's
    status: str


def speed_tier(dep: Deployment, ctx: float, batch: int, speedup: float) -> SpeedTier:
    """The tier whose users get `speedup` x the current tokens/s per user (see module docstring)."""
    if speedup <= 0:
        raise ValueError(f"speedup: must be > 0; got {speedup!r}")
    per_step = metrics.tokens_per_step(dep)
    now_step_s = float(decode_step(dep, batch, ctx).time_s)
    now_usd = float(metrics.cost_per_m_output_usd(dep, now_step_s, batch))
    target_s = now_step_s / per_step / speedup
    fit = int(min(float(metrics.max_batch(dep, ctx)), MAX_BATCH))
    nan = float("nan")
    if target_s < metrics.latency_floor_per_token_s(dep):
        return SpeedTier(speedup, target_s, 0, nan, nan, nan, "below_floor")
    if fit < 1:
        return SpeedTier(speedup, target_s, 0, nan, nan, nan, "no_fit")
    tier_batch = largest_batch_within_s(dep, ctx, target_s, MAX_BATCH)
    if tier_batch < 1:
        return SpeedTier(speedup, target_s, 0, nan, nan, nan, "below_batch_one")
    status = "hbm_limited" if tier_batch > fit else "ok"
    tier_batch = min(tier_batch, fit)
    step_s = float(decode_step(dep, tier_batch, ctx).time_s)
    usd = float(metrics.cost_per_m_output_usd(dep, step_s, tier_batch))
    return SpeedTier(speedup, target_s, tier_batch, step_s / per_step, usd, usd / now_usd, status)


# --- latency floor against chip count ----------------------------------------------------------
@dataclass(frozen=True)
class ChipSweep:
    """The latency floor and the batch-1 decode step (with tensor-parallel all-reduces) per chip count."""

    chips: np.ndarray
    floor_s: np.ndarray  # metrics.latency_floor_s: weights touched at batch 1 / (n · peak HBM B/s)
    step_s: np.ndarray  # one decode step at batch 1 and the given context, all-reduces included
    comms_s: np.ndarray  # the exposed communication part of step_s (all-reduces, expert all-to-all)
    weights_fit: np.ndarray  # the weights and one sequence at this context fit in HBM

    @property
    def fastest_chips(self) -> int:
        """Chip count with the shortest batch-1 step (the fewest chips on a tie)."""
        return int(self.chips[int(np.argmin(self.step_s))])


def floor_vs_chips(dep: Deployment, ctx: float, chips: tuple[int, ...] = CHIP_COUNTS) -> ChipSweep:
    """Latency floor and batch-1 step for the same deployment on each chip count."""
    deps = [dep.on_chips(n) for n in chips]
    steps = [decode_step(d, 1, ctx) for d in deps]
    return ChipSweep(
        chips=np.array(chips),
        floor_s=np.array([metrics.latency_floor_s(d) for d in deps]),
        step_s=np.array([float(s.time_s) for s in steps]),
        comms_s=np.array([float(s.exposed_comms_s) for s in steps]),
        weights_fit=np.array([float(metrics.max_batch(d, ctx)) >= 1 for d in deps]),
    )
