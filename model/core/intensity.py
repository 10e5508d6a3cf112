"""Roofline geometry: roofs, arithmetic intensity, where each op and each pass sits on the roofline.

Every quantity is computed by the model (`roofline.decode_step`, `roofline.prefill`,
`metrics.max_batch`); this module evaluates them over grids in one vectorised call and reduces
the results. Definitions (SI units: FLOP, bytes, seconds):

- arithmetic intensity I = FLOPs / bytes moved to or from HBM (weights + KV cache + activations),
  FLOP/byte. Intensity is the same per chip and per replica (both scale with the chip count).
- roof of a chip: attainable FLOP/s = min(F, I · BW), with F the chip's dense peak at a precision
  and BW its HBM bandwidth. The ridge point R = F / BW: ops with I > R are compute-bound.
- efficiency-adjusted roof: min(mfu · F, I · mbu · BW). The model times each op exactly on it, so
  an op's point lies on it, or below it when KV heads are replicated across chips or the KV
  bandwidth fraction differs from the weights' one.
- attained FLOP/s per chip of an op or a pass = FLOPs / (chips · time).
- aggregate intensity of a pass = Σ FLOPs / Σ bytes over its ops (what the pass does as a whole).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.core import metrics
from model.core.deployment import Deployment
from model.core.hardware import Hardware
from model.core.ops import OpCost
from model.core.roofline import PassTiming, decode_step


# --- roofs --------------------------------------------------------------------------------------
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
