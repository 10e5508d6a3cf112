"""Memory fit: how many chips (and which tp / ep layout) a model needs at a precision, context and
concurrency, with each chip's HBM broken down (docs/formulas.md F128).

Per chip: weights (its share plus the copies its layout keeps, `Deployment.weight_bytes_per_chip`; the
routed experts are stored once whatever `ep`, so a mixed EP x expert-TP layout (F131) holds what EP over
every chip with the same tp holds),
the KV cache of `batch` sequences at `ctx` (`metrics.kv_bytes_per_sequence` × the chip's fraction),
the activations of one layer of a decode step (an estimate: one layer's activation traffic on the
chip; they live inside the headroom) and the headroom (MEMORY_HEADROOM of HBM). The layout fits when
weights + KV ≤ HBM − headroom, the same rule as `metrics.max_batch`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.base.limits import MAX_CHIPS
from model.core import metrics
from model.core.deployment import Deployment, ep_choices
from model.core.ops import forward_ops


@dataclass(frozen=True)
class MemoryFit:
    """One layout's HBM per chip (bytes) and whether `batch` sequences at `ctx` fit."""

    chips: int
    tp: int
    ep: int
    attention_dp: bool
    hbm_bytes: float
    weights_bytes: float
    kv_bytes: float
    activations_bytes: float
    headroom_bytes: float

    @property
    def free_bytes(self) -> float:
        """HBM left after weights, KV cache and headroom (negative: does not fit)."""
        return self.hbm_bytes - self.headroom_bytes - self.weights_bytes - self.kv_bytes

    @property
    def fits(self) -> bool:
        return self.free_bytes >= 0

    @property
    def layout(self) -> str:
        attention = "attention DP" if self.attention_dp else f"attention TP{self.tp}"
        experts = f"EP{self.ep}" + (f" x expert TP{self.chips // self.ep}" if 1 < self.ep < self.chips else "")
        return f"TP{self.tp}" if self.ep == 1 else f"{experts}, {attention}, dense TP{self.tp}"


def memory_breakdown(dep: Deployment, batch: int, ctx: float) -> MemoryFit:
    """HBM per chip of `dep` holding `batch` sequences of context `ctx` (F128)."""
    kv = batch * float(metrics.kv_bytes_per_sequence(dep, max(ctx, 1))) * dep.kv_chip_fraction
    ops = forward_ops(dep.model, dep.precision, batch, 1 + dep.spec_tokens, ctx, decode=True)
    activations = sum(float(np.max(op.act_traffic_bytes)) for op in ops)
    return MemoryFit(
        chips=dep.chips, tp=dep.tp_degree, ep=dep.ep, attention_dp=dep.attention_dp,
        hbm_bytes=dep.hardware.hbm_bytes, weights_bytes=dep.weight_bytes_per_chip, kv_bytes=kv,
        activations_bytes=activations / dep.chips / dep.model.layers,
        headroom_bytes=metrics.MEMORY_HEADROOM * dep.hardware.hbm_bytes,
    )


DOMAIN_MULTIPLES = (1, 2, 3, 4, 6, 8, 12, 16, 18, 24, 32, 48, 64, 96, 128)  # whole domains tried (18: DeepSeek's decode unit)


def candidate_chips(dep: Deployment, limit: int = MAX_CHIPS) -> list[int]:
    """Chip counts tried: powers of two, and whole scale-up domains of the chip, up to `limit`."""
    counts = {2 ** i for i in range(11) if 2 ** i <= limit}
    domain = dep.hardware.scaleup_chips
    if domain and domain > 1:
        counts |= {domain * k for k in DOMAIN_MULTIPLES if domain * k <= limit}
    return sorted(counts)


def layouts(dep: Deployment, chips: int) -> list[Deployment]:
    """Tensor parallelism over all chips; for MoE also experts over all chips (EP; with more chips
    than experts the largest ep that divides them, each expert tensor-parallel over the rest) with
    attention and dense parts data-parallel (DeepSeek's layout)."""
    flat = dataclasses.replace(dep, chips=chips, tp=None, ep=1, attention_dp=dep.attention_dp)
    if not dep.model.is_moe or chips == 1:
        return [flat]
    ep = max(ep_choices(chips, dep.model.experts))  # chips, or fewer groups when chips exceed experts
    wide = dataclasses.replace(dep, chips=chips, tp=1, ep=ep, attention_dp=True)
    return [flat, wide]


def fit_plans(dep: Deployment, batch: int, ctx: float, limit: int = MAX_CHIPS) -> list[MemoryFit]:
    """Every candidate layout's breakdown, smallest chip count first (F128)."""
    return [memory_breakdown(layout, batch, ctx) for n in candidate_chips(dep, limit) for layout in layouts(dep, n)]


def smallest_fit(plans: list[MemoryFit]) -> MemoryFit | None:
    """The fitting layout with the fewest chips (ties: the one with more free HBM); None if none fits."""
    fitting = [p for p in plans if p.fits]
    return min(fitting, key=lambda p: (p.chips, -p.free_bytes)) if fitting else None


FIT_COLUMNS = ("chips", "layout", "weights_gb", "kv_gb", "activations_gb", "headroom_gb", "free_gb", "fits")


def plan_rows(plans: list[MemoryFit]) -> list[dict]:
    """One row per layout, HBM per chip in GB (FIT_COLUMNS)."""
    return [{"chips": p.chips, "layout": p.layout, "weights_gb": p.weights_bytes / 1e9, "kv_gb": p.kv_bytes / 1e9,
             "activations_gb": p.activations_bytes / 1e9, "headroom_gb": p.headroom_bytes / 1e9,
             "free_gb": p.free_bytes / 1e9, "fits": p.fits} for p in plans]


def around_first_fit(plans: list[MemoryFit], each: int = 2) -> list[MemoryFit]:
    """Per layout kind (TP, EP): the largest that does not fit and the first `each` that do."""
    shown = []
    for kind in (False, True):
        rows = [p for p in plans if (p.ep > 1) == kind]
        first = next((i for i, p in enumerate(rows) if p.fits), len(rows))
        shown += rows[max(first - 1, 0): first + each]
    return sorted(shown, key=lambda p: (p.chips, p.ep))
