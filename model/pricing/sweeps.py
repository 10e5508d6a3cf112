"""Sweeps and roofline geometry behind the dashboard's Roofline and Prefill-vs-decode views.

Every quantity is computed by the model (`roofline.decode_step`, `roofline.prefill`,
`metrics.cost_per_m_*`, `metrics.max_batch`); this module only evaluates them over grids in
one vectorised call and reduces the results. No UI code.

Definitions (SI units: FLOP, bytes, seconds, USD):
- arithmetic intensity I = FLOPs / bytes moved to or from HBM (weights + KV cache + activations),
  FLOP/byte. Intensity is the same per chip and per replica (both scale with the chip count).
- roof of a chip: attainable FLOP/s = min(F, I · BW), with F the chip's dense peak at a precision
  and BW its HBM bandwidth. The ridge point R = F / BW: ops with I > R are compute-bound.
- efficiency-adjusted roof: min(mfu · F, I · mbu · BW). The model times each op exactly on it, so
  an op's point lies on it, or below it when KV heads are replicated across chips or the KV
  bandwidth fraction differs from the weights' one.
- attained FLOP/s per chip of an op or a pass = FLOPs / (chips · time).
- aggregate intensity of a pass = Σ FLOPs / Σ bytes over its ops (what the pass does as a whole).
- price sweeps use the README's definitions: input = prefill of `batch` prompts together,
  output = one decode step of `batch` sequences; ratio = output / input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.core import metrics
from model.core.deployment import Deployment
from model.core.hardware import Hardware
from model.core.ops import OpCost
from model.core.roofline import PassTiming, decode_step, prefill

ALWAYS_SHOWN_PARTS = ("weights", "kv_cache", "compute", "comms")


# --- grids --------------------------------------------------------------------------------------
def batch_grid(hi: int = 4096, include: int | None = None, per_octave: int = 1) -> np.ndarray:
    """Batches 1, 2, 4, ... up to max(hi, include) (with `per_octave`=2 also 3, 6, 12, ...), plus `include`."""
    top = max(hi, include or 1)
    powers = 2.0 ** np.arange(int(math.floor(math.log2(top))) + 1)
    values = set(powers) | ({p * 1.5 for p in powers if p > 1 and p * 1.5 <= top} if per_octave == 2 else set())
    if include is not None:
        values.add(float(include))
    return np.array(sorted(values))


def context_grid_tokens(lo: float, hi: float, points: int = 48, include: float | None = None) -> np.ndarray:
    """Log-spaced contexts from `lo` to `hi` tokens (integers), plus `include` when in range."""
    grid = np.unique(np.round(np.geomspace(lo, max(hi, lo), points)))
    if include is not None and lo <= include <= hi:
        grid = np.unique(np.append(grid, float(include)))
    return grid


# --- roofline geometry --------------------------------------------------------------------------
def compute_roofs_flops_per_s(hw: Hardware) -> dict[str, float]:
    """The chip's dense compute peaks by precision, FLOP/s: 'bf16' and, where different, '8-bit'."""
    eight = hw.eight_bit_flops_per_s
    if eight and eight != hw.bf16_flops_per_s:
        return {"bf16": hw.bf16_flops_per_s, "8-bit": eight}
    return {"bf16 = 8-bit" if eight else "bf16": hw.bf16_flops_per_s}


def roof_flops_per_s(intensity_flop_per_byte, peak_flops_per_s: float, hbm_bytes_per_s: float) -> np.ndarray:
    """Attainable FLOP/s = min(peak, intensity · bandwidth)."""
    return np.minimum(peak_flops_per_s, np.asarray(intensity_flop_per_byte, dtype=float) * hbm_bytes_per_s)


def roof_curve(peak_flops_per_s: float, hbm_bytes_per_s: float, lo: float, hi: float,
               points: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """(intensity FLOP/byte, attainable FLOP/s) on a log grid from `lo` to `hi`, ridge included."""
    ridge = peak_flops_per_s / hbm_bytes_per_s
    grid = np.geomspace(lo, hi, points)
    if lo < ridge < hi:
        grid = np.unique(np.append(grid, ridge))
    return grid, roof_flops_per_s(grid, peak_flops_per_s, hbm_bytes_per_s)


def intensity_range(values, margin_decades: float = 0.5) -> tuple[float, float]:
    """Whole decades of FLOP/byte covering the positive finite `values` with a margin."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return 0.1, 1e4
    lo = 10.0 ** math.floor(math.log10(v.min()) - margin_decades)
    hi = 10.0 ** math.ceil(math.log10(v.max()) + margin_decades)
    return lo, hi


# --- passes and ops -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PassTotals:
    """A whole pass: its ops' work summed into one OpCost, its time and attained FLOP/s per chip."""

    cost: OpCost
    time_s: np.ndarray
    attained_flops_per_s_per_chip: np.ndarray

    @property
    def intensity_flop_per_byte(self) -> np.ndarray:
        """Aggregate intensity Σ FLOPs / Σ bytes."""
        return self.cost.flops / self.cost.bytes


def pass_totals(dep: Deployment, timing: PassTiming) -> PassTotals:
    """FLOPs, bytes by kind, time and attained FLOP/s per chip of a whole pass."""
    sums = {k: sum(getattr(op.cost, k) for op in timing.ops) for k in ("flops", "weight_traffic_bytes", "kv_traffic_bytes", "act_traffic_bytes")}
    time_s = np.asarray(timing.time_s, dtype=float)
    return PassTotals(OpCost(name="pass", **sums), time_s, sums["flops"] / (dep.chips * time_s))


@dataclass(frozen=True)
class OpPoint:
    """One op of a scalar pass as a point of the roofline (per chip)."""

    name: str
    flops: float
    bytes: float
    intensity_flop_per_byte: float
    time_s: float
    attained_flops_per_s_per_chip: float
    bound: str


def op_points(dep: Deployment, timing: PassTiming) -> list[OpPoint]:
    """The ops of a scalar pass that do FLOPs (an op without FLOPs has no place on a log plot)."""
    points = []
    for op in timing.ops:
        flops, time_s = float(np.sum(op.cost.flops)), float(np.sum(op.time_s))
        if flops <= 0 or time_s <= 0:
            continue
        points.append(OpPoint(
            name=op.name, flops=flops, bytes=float(np.sum(op.cost.bytes)),
            intensity_flop_per_byte=float(np.sum(op.intensity_flop_per_byte)), time_s=time_s,
            attained_flops_per_s_per_chip=flops / (dep.chips * time_s),
            bound="compute" if bool(np.all(op.compute_bound)) else "memory",
        ))
    return points


@dataclass(frozen=True)
class DecodePath:
    """The decode step at each batch of `batch` (one context): where it sits on the roofline."""

    batch: np.ndarray
    intensity_flop_per_byte: np.ndarray
    attained_flops_per_s_per_chip: np.ndarray
    step_s: np.ndarray
    bound: np.ndarray  # 'compute', 'memory' or 'comms' per batch
    fits: np.ndarray  # the batch's KV caches fit in HBM at this context


def decode_path(dep: Deployment, batches, ctx: float) -> DecodePath:
    """Aggregate intensity and attained FLOP/s per chip of one decode step per batch (one model call)."""
    batches = np.asarray(batches, dtype=float)
    step = decode_step(dep, batches, ctx)
    totals = pass_totals(dep, step)
    return DecodePath(batch=batches, intensity_flop_per_byte=totals.intensity_flop_per_byte,
                      attained_flops_per_s_per_chip=totals.attained_flops_per_s_per_chip, step_s=totals.time_s,
                      bound=step.bound(), fits=batches <= metrics.max_batch(dep, ctx))


def decode_intensity_limit_flop_per_byte(dep: Deployment, ctx: float, batch: float = 1e12) -> float:
    """Aggregate intensity a decode step approaches as batch grows without bound, at context `ctx`.

    With the weights shared by all sequences, what is left per sequence is its FLOPs over its own
    KV-cache and activation bytes; evaluated at a batch (default 1e12) where the weights are negligible.
    """
    return float(pass_totals(dep, decode_step(dep, batch, ctx)).intensity_flop_per_byte)


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


# --- published prices --------------------------------------------------------------------------
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


def _number(text) -> float:
    try:
        return float(str(text).strip())
    except ValueError:
        return math.nan


def published_ratios(rows: list[dict]) -> list[PublishedRatio]:
    """Every api_prices row; the ratio is the stated `out_in_ratio`, else output / input, else nan."""
    out = []
    for row in rows:
        usd_in, usd_out = _number(row.get("input_usd_per_mtok", "")), _number(row.get("output_usd_per_mtok", ""))
        ratio = _number(row.get("out_in_ratio", ""))
        if math.isnan(ratio) and usd_in > 0:
            ratio = usd_out / usd_in
        out.append(PublishedRatio(row.get("provider", ""), row.get("model", ""), usd_in, usd_out, ratio,
                                  row.get("source", ""), row.get("date_seen", "")))
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
