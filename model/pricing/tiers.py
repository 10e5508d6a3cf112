"""Price tiers: long-context tiers and fast/economy (batch) tiers, from the roofline model.

Everything here reuses `roofline.decode_step` / `roofline.prefill` and `metrics`; no formula is
re-derived. Units: contexts and prompts in tokens, times in seconds, prices in USD per 1M tokens.

Definitions (also stated on the dashboard pages):
- best case at context L: the replica runs the largest batch whose KV cache fits in HBM at L
  (`metrics.max_batch`, capped at `BATCH_CAP`), the provider's cheapest way to serve context L.
- log-uniform mean of a cost curve c(L) over [a, b]: ∫ c d(ln L) / ln(b/a), with c interpolated
  linearly in ln L between grid points (requests spread evenly over orders of magnitude of context).
- tier multiplier at boundary T: the log-uniform mean of c over [T, L_max] divided by its mean over
  [L_min, T]. Each tier then charges its mean cost, so each tier breaks even on its own.
- suggested boundary: the first context where the best-case cost per output token reaches
  `SUGGESTED_FACTOR` times its short-context (L_min) value, interpolated in ln L.
- speed tier: a target speed-up s (tokens/s per user, s > 1 faster, s < 1 slower) asks for a
  TPOT of at most TPOT_now / s; the tier runs the largest batch that meets it (TPOT never falls as
  batch grows) and fits in HBM; its price multiple is cost per output token at that batch / now.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import decode_step, prefill

MIN_CONTEXT_TOKENS = 128  # left end of every context sweep (the dashboard's smallest context)
BATCH_CAP = 65536  # the scenario schema's largest batch
SUGGESTED_FACTOR = 2.0  # suggested boundary: best-case output cost has doubled
CHIP_COUNTS = (1, 2, 4, 8, 16, 32, 64)
_TOLERANCE = 1e-9  # relative: a TPOT equal to the target (up to rounding) meets it


# --- context sweep ---------------------------------------------------------------------------
def context_grid_tokens(max_context: float, points: int = 161, min_tokens: float = MIN_CONTEXT_TOKENS) -> np.ndarray:
    """`points` contexts, evenly spaced in ln L from `min_tokens` to `max_context` (tokens)."""
    return np.geomspace(min_tokens, max(float(max_context), min_tokens * 2), points)


@dataclass(frozen=True)
class ContextSweep:
    """Costs against context L; row 0 of the 2-row arrays is the scenario batch, row 1 the best case.

    Input cost at L is the prefill of prompts of L tokens (the prompt fills the context). Costs are
    NaN at the best case where not even one sequence fits.
    """

    ctx_tokens: np.ndarray
    batch: int  # the scenario's batch
    max_batch: np.ndarray  # sequences that fit at each context (capped at BATCH_CAP)
    usd_per_m_output: np.ndarray  # shape (2, contexts)
    usd_per_m_input: np.ndarray  # shape (2, contexts)

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


def context_sweep(dep: Deployment, batch: int, max_context: float | None = None, points: int = 161) -> ContextSweep:
    """Cost per 1M output and input tokens against context, at `batch` and at the best case."""
    ctx = context_grid_tokens(dep.model.max_context if max_context is None else max_context, points)
    fit = np.minimum(metrics.max_batch(dep, ctx), BATCH_CAP)
    batches = np.stack([np.full_like(ctx, float(batch)), np.maximum(fit, 1.0)])
    out = metrics.cost_per_m_output_usd(dep, decode_step(dep, batches, ctx).time_s, batches)
    inp = metrics.cost_per_m_input_usd(dep, prefill(dep, ctx, batch=batches).time_s, batches, ctx)
    unservable = fit < 1
    out[1, unservable] = np.nan
    inp[1, unservable] = np.nan
    return ContextSweep(ctx, int(batch), fit, out, inp)


def _last_true_integer(predicate, lo: int, hi: int, coarse_points: int = 64) -> int:
    """Largest integer n in [lo, hi] with predicate(n) true, for a predicate true up to some n and
    false after (vectorised: a log-spaced pass, then every integer of the bracketing interval).
    Returns lo - 1 if predicate(lo) is false."""
    coarse = np.unique(np.round(np.geomspace(lo, max(hi, lo), coarse_points)))
    ok = predicate(coarse)
    if not ok[0]:
        return lo - 1
    i = int(np.flatnonzero(ok)[-1])
    if i == coarse.size - 1:
        return int(coarse[-1])
    fine = np.arange(coarse[i], coarse[i + 1])
    return int(fine[predicate(fine)][-1])


def max_context_for_batch_tokens(dep: Deployment, batch: int, limit_tokens: float) -> int:
    """Largest context (≤ limit) at which `batch` sequences fit in HBM; 0 if they never fit."""
    limit = int(limit_tokens)
    found = _last_true_integer(lambda c: metrics.max_batch(dep, c) >= batch, 1, limit)
    return max(found, 0)


# --- tier boundary and multiplier --------------------------------------------------------------
def servable_prefix(ctx: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The curve up to its first non-finite value (contexts where not one sequence fits)."""
    bad = ~np.isfinite(cost)
    end = int(np.argmax(bad)) if bad.any() else cost.size
    return ctx[:end], cost[:end]


def _mean_log_uniform(x: np.ndarray, y: np.ndarray) -> float:
    """Trapezoid mean of y over x (x = ln context)."""
    if x.size < 2 or x[-1] <= x[0]:
        return float(y[0]) if y.size else float("nan")
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2 / (x[-1] - x[0]))


def tier_prices_usd(ctx: np.ndarray, cost: np.ndarray, boundary_tokens: float) -> tuple[float, float]:
    """(log-uniform mean cost below the boundary, mean above it), on the servable part of the curve.

    NaN, NaN when the boundary is not strictly inside the servable contexts."""
    ctx, cost = servable_prefix(ctx, cost)
    if ctx.size < 2 or not ctx[0] < boundary_tokens < ctx[-1]:
        return float("nan"), float("nan")
    x = np.log(ctx)
    xb = float(np.log(boundary_tokens))
    yb = float(np.interp(xb, x, cost))
    below, above = x < xb, x > xb
    lo = _mean_log_uniform(np.append(x[below], xb), np.append(cost[below], yb))
    hi = _mean_log_uniform(np.insert(x[above], 0, xb), np.insert(cost[above], 0, yb))
    return lo, hi


def tier_multiplier(ctx: np.ndarray, cost: np.ndarray, boundary_tokens: float) -> float:
    """Mean cost above the boundary / mean below it (log-uniform in context; see module docstring)."""
    lo, hi = tier_prices_usd(ctx, cost, boundary_tokens)
    return hi / lo


def multiplier_curve(ctx: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """`tier_multiplier` with each grid context as the boundary (NaN at both ends and where unservable)."""
    result = np.full(ctx.shape, np.nan)
    sctx, scost = servable_prefix(ctx, cost)
    if sctx.size < 3:
        return result
    x = np.log(sctx)
    area = np.concatenate([[0.0], np.cumsum((scost[1:] + scost[:-1]) * np.diff(x) / 2)])
    inner = slice(1, sctx.size - 1)
    below = area[inner] / (x[inner] - x[0])
    above = (area[-1] - area[inner]) / (x[-1] - x[inner])
    result[inner] = above / below
    return result


def suggested_boundary_tokens(ctx: np.ndarray, cost: np.ndarray, factor: float = SUGGESTED_FACTOR) -> float:
    """First context where `cost` reaches `factor` x cost at the first context (inf if never)."""
    ctx, cost = servable_prefix(ctx, cost)
    if ctx.size == 0:
        return float("inf")
    gap = (cost - factor * cost[0])[:, None]
    return float(metrics.first_crossing(ctx, gap)[0])


def published_tiers(api_prices: list[dict]) -> list[dict]:
    """Published long-context tiers: rows of presets/api_prices.csv that have a threshold."""
    tiers = []
    for row in api_prices:
        try:
            threshold = float(row.get("long_ctx_threshold_tokens") or "nan")
            input_mult = float(row.get("long_ctx_input_mult") or "nan")
            output_mult = float(row.get("long_ctx_output_mult") or "nan")
        except ValueError:
            continue
        if np.isfinite(threshold):
            tiers.append({"provider": row["provider"], "model": row["model"], "threshold_tokens": threshold,
                          "input_mult": input_mult, "output_mult": output_mult,
                          "source": row["source"], "date_seen": row["date_seen"]})
    return tiers


# --- batch sweep and speed tiers ---------------------------------------------------------------
def batch_grid(max_batch: float, points: int = 121) -> np.ndarray:
    """Integer batches from 1 to `max_batch` (at least 2), evenly spaced in ln batch, plus every power of two."""
    top = max(float(max_batch), 2.0)
    powers = 2.0 ** np.arange(int(np.log2(top)) + 1)
    return np.unique(np.concatenate([np.round(np.geomspace(1, top, points)), powers]))


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
    return BatchSweep(batches, step_s, metrics.cost_per_m_output_usd(dep, step_s, batches), fits)


def largest_batch_within_s(dep: Deployment, ctx: float, target_tpot_s: float, batch_cap: int = BATCH_CAP) -> int:
    """Largest batch in [1, batch_cap] whose decode step at `ctx` takes at most `target_tpot_s`; 0 if none.

    Relies on the decode step never getting shorter as batch grows (every op's FLOPs and bytes are
    non-decreasing in batch)."""
    limit = target_tpot_s * (1 + _TOLERANCE)
    return _last_true_integer(lambda b: decode_step(dep, b, ctx).time_s <= limit, 1, int(batch_cap))


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
    now_s = float(decode_step(dep, batch, ctx).time_s)
    now_usd = float(metrics.cost_per_m_output_usd(dep, now_s, batch))
    target_s = now_s / speedup
    fit = int(min(float(metrics.max_batch(dep, ctx)), BATCH_CAP))
    nan = float("nan")
    if target_s < metrics.latency_floor_s(dep):
        return SpeedTier(speedup, target_s, 0, nan, nan, nan, "below_floor")
    if fit < 1:
        return SpeedTier(speedup, target_s, 0, nan, nan, nan, "no_fit")
    tier_batch = largest_batch_within_s(dep, ctx, target_s, BATCH_CAP)
    if tier_batch < 1:
        return SpeedTier(speedup, target_s, 0, nan, nan, nan, "below_batch_one")
    status = "hbm_limited" if tier_batch > fit else "ok"
    tier_batch = min(tier_batch, fit)
    step_s = float(decode_step(dep, tier_batch, ctx).time_s)
    usd = float(metrics.cost_per_m_output_usd(dep, step_s, tier_batch))
    return SpeedTier(speedup, target_s, tier_batch, step_s, usd, usd / now_usd, status)


# --- latency floor against chip count ----------------------------------------------------------
@dataclass(frozen=True)
class ChipSweep:
    """The latency floor and the batch-1 decode step (with tensor-parallel all-reduces) per chip count."""

    chips: np.ndarray
    floor_s: np.ndarray  # metrics.latency_floor_s: weights touched at batch 1 / (n · peak HBM B/s)
    step_s: np.ndarray  # one decode step at batch 1 and the given context, all-reduces included
    comms_s: np.ndarray  # the all-reduce part of step_s
    weights_fit: np.ndarray  # the weights and one sequence at this context fit in HBM

    @property
    def fastest_chips(self) -> int:
        """Chip count with the shortest batch-1 step (the fewest chips on a tie)."""
        return int(self.chips[int(np.argmin(self.step_s))])


def floor_vs_chips(dep: Deployment, ctx: float, chips: tuple[int, ...] = CHIP_COUNTS) -> ChipSweep:
    """Latency floor and batch-1 step for the same deployment on each chip count."""
    deps = [replace(dep, chips=n) for n in chips]
    steps = [decode_step(d, 1, ctx) for d in deps]
    return ChipSweep(
        chips=np.array(chips),
        floor_s=np.array([metrics.latency_floor_s(d) for d in deps]),
        step_s=np.array([float(s.time_s) for s in steps]),
        comms_s=np.array([float(s.comms_s) for s in steps]),
        weights_fit=np.array([float(metrics.max_batch(d, ctx)) >= 1 for d in deps]),
    )
