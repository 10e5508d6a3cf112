"""The tier a price implies (docs/formulas.md F160–F161): given a published long-context tier (boundary,
input and output multipliers) and a deployment, what the model needs to reproduce it.

The knob is f, the fraction of the model's full-attention layers that keep the whole context; the
others become local layers (the model's own window, or LOCAL_WINDOW_TOKENS if it has none), so
parameters and weights stay the same and only what grows with context shrinks (F160). For each
multiplier the bisection finds the f at which the model's break-even multiplier (traffic.py, at
the tier's SLO batch) equals the published one; the growing KV bytes per token are then f times the
model's. A preset lies in the implied set when its own growing KV bytes per token (read per decode
step, all chips) are at most the implied ones (F161). The memory pool enters through the
deployment (chips x HBM): `implied_tier` can be asked again with more chips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from model.core.deployment import Deployment
from model.pricing import traffic as tr
from model.pricing.context_tiers import context_sweep

LOCAL_WINDOW_TOKENS = 128  # gpt-oss's window: a bounded state of the size open models use
SWEEP_POINTS = 33
BISECTIONS = 9


def with_full_fraction(dep: Deployment, fraction: float) -> Deployment:
    """`dep` with only `fraction` of its full-attention layers kept full (the rest local)."""
    m = dep.model
    moved = (1.0 - fraction) * m.global_layers
    window = m.sliding_window or LOCAL_WINDOW_TOKENS
    return replace(dep, model=replace(m, sliding_layers=m.sliding_layers + moved, sliding_window=window))


def model_tier(dep: Deployment, boundary_tokens: float, target_tpot_s: float | None, median_tokens: float,
               sigma: float, max_context: float | None = None) -> tr.TierPrices:
    """Break-even tier prices of `dep` at the boundary under log-normal traffic, at the SLO batch."""
    sweep = context_sweep(dep, 1, max_context, SWEEP_POINTS, target_tpot_s)
    traffic = tr.lognormal(sweep.ctx_tokens, median_tokens, sigma)
    return tr.tier_prices(traffic, sweep.usd_per_m_input[1], sweep.usd_per_m_output[1], boundary_tokens)


def growing_kv_bytes_per_token(dep: Deployment) -> float:
    """Bytes a decode step reads per sequence for each extra token of context, all layers, all
    copies (full layers' KV, sparse layers' indexer keys; local, top-k and linear layers add none)."""
    m, p = dep.model, dep.precision
    full = 0.0 if m.is_sparse else m.global_layers * m.kv_elements_per_token_per_layer * p.bytes_per_kv_element
    return (full + m.global_layers * m.indexer_bytes_per_token_per_layer) * dep.kv_replication


@dataclass(frozen=True)
class ImpliedTier:
    """What reproduces a published tier on a deployment (nan where no f in [0, 1] does)."""

    boundary_tokens: float
    input_mult: float
    output_mult: float
    full_fraction_output: float  # f reproducing the output multiplier
    full_fraction_input: float  # f reproducing the input multiplier
    range_output: tuple[float, float]  # the model's output multiplier at f = 0 and f = 1
    range_input: tuple[float, float]
    growing_kv_bytes_per_token: float  # implied by the output multiplier: f x the model's
    model_growing_kv_bytes_per_token: float
    chips: int


def _solve(evaluate, goal: float) -> tuple[float, tuple[float, float]]:
    """f in [0, 1] with evaluate(f) = goal, by bisection (evaluate grows with f); nan outside."""
    lo_value, hi_value = evaluate(0.0), evaluate(1.0)
    if not (math.isfinite(goal) and math.isfinite(lo_value) and math.isfinite(hi_value)):
        return math.nan, (lo_value, hi_value)
    if not lo_value <= goal <= hi_value:
        return math.nan, (lo_value, hi_value)
    lo, hi = 0.0, 1.0
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if evaluate(mid) < goal else (lo, mid)
    return (lo + hi) / 2, (lo_value, hi_value)


def implied_tier(dep: Deployment, boundary_tokens: float, input_mult: float, output_mult: float,
                 target_tpot_s: float | None, median_tokens: float, sigma: float,
                 max_context: float | None = None) -> ImpliedTier:
    """The full-attention fraction (and growing KV bytes per token) each published multiplier implies."""
    top = max(float(max_context or dep.model.max_context), 2.0 * boundary_tokens)
    cache: dict[float, tr.TierPrices] = {}

    def tier(f: float) -> tr.TierPrices:
        if f not in cache:
            cache[f] = model_tier(with_full_fraction(dep, f), boundary_tokens, target_tpot_s, median_tokens, sigma, top)
        return cache[f]

    f_out, range_out = _solve(lambda f: tier(f).output_mult, output_mult)
    f_in, range_in = _solve(lambda f: tier(f).input_mult, input_mult)
    own = growing_kv_bytes_per_token(dep)
    return ImpliedTier(float(boundary_tokens), float(input_mult), float(output_mult), f_out, f_in, range_out,
                       range_in, f_out * own if math.isfinite(f_out) else math.nan, own, dep.chips)


def same_deployment(dep: Deployment, models: dict) -> dict[str, Deployment]:
    """`dep` (hardware, chips, precision, efficiencies) with each of `models` instead of its own."""
    return {name: replace(dep, model=m) for name, m in models.items()}


def presets_in_set(implied: ImpliedTier, deployments: dict[str, Deployment]) -> list[dict]:
    """Each deployment's growing KV bytes per token beside the implied ones, and whether it lies in
    the set (at most the implied bytes)."""
    rows = []
    for name, dep in deployments.items():
        own = growing_kv_bytes_per_token(dep)
        inside = bool(np.isfinite(implied.growing_kv_bytes_per_token) and own <= implied.growing_kv_bytes_per_token)
        rows.append({"model": name, "attention": dep.model.attention_pattern,
                     "growing_kv_bytes_per_token": own, "in_implied_set": inside})
    return rows
