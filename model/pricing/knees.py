"""The three long-context knees (docs/formulas.md F154–F156), each a context in tokens:

- input knee P*: the prompt length at which one causal prefill's attention FLOPs equal its
  linear-layer FLOPs (lm_head excluded: it runs on the last token only). Full attention:
  P* = 2N / (L_attn · n_q · (d_qk + d_v)) (F154); local, sparse and linear layers change it as
  their FLOP counts say (`input_knee_tokens` finds it from the ops; infinity if it never comes).
  Above P* the cost of an input token grows about linearly with the prompt.
- output knee: at the SLO batch, the context where one decode step's KV-cache reads take as long
  as its weight reads (F155). Above it, cost per output token grows with context.
- capacity knee: the smallest context where the batch that fits in HBM is below the batch the
  speed target allows (F156): memory, not speed, then sets the batch and the price climbs faster.
  Without a target it is `metrics.capacity_knee_tokens` (fits below the batch knee).

Every SLO batch comes from `slo.slo_batch` (F77); times from `roofline`.
"""

from __future__ import annotations

import math

import numpy as np

from model.base.limits import MAX_BATCH
from model.core import metrics
from model.core.architecture import ModelConfig
from model.core.deployment import Deployment
from model.core.grids import context_grid
from model.core.roofline import decode_step, prefill
from model.pricing.slo import slo_batches

LINEAR_OPS = ("qkv_proj", "out_proj", "ffn", "moe_experts", "moe_shared_experts")  # lm_head excluded
_PROMPTS = context_grid(1, 1e9, 361, integer=False)
KNEE_POINTS = 25  # contexts per knee search, 128 tokens to 64 x the maximum (1.7x apart; the capacity knee is then bisected to the token)


def input_knee_full_tokens(m: ModelConfig) -> float:
    """F154 for full attention: 2N / (L_attn · n_q · (d_qk + d_v)), N = matmul parameters per token
    without lm_head, L_attn = softmax layers attending to the whole context (infinity if none)."""
    d_qk, d_v = m.attention_dims(decode=False)
    layers = m.global_layers
    if layers <= 0:
        return math.inf
    n = m.matmul_params_per_token - m.lm_head_params
    return 2.0 * n / (layers * m.heads * (d_qk + d_v))


def input_knee_tokens(dep: Deployment) -> float:
    """Prompt length where one prefill's attention FLOPs reach its linear-layer FLOPs (any kinds)."""
    ops = prefill(dep, _PROMPTS).ops
    attention = sum(op.cost.flops for op in ops if op.name == "attention")
    linear = sum(op.cost.flops for op in ops if op.name in LINEAR_OPS)
    gap = np.asarray(attention - linear, dtype=float)
    return float(metrics.first_crossing(_PROMPTS, gap[:, None])[0])


def knee_contexts(dep: Deployment) -> np.ndarray:
    return context_grid(128, max(dep.model.max_context, 1024) * 64.0, KNEE_POINTS, integer=False)


def knee_batches(dep: Deployment, target_tpot_s: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(contexts, SLO batch at each, batch that fits at each) on the knee grid."""
    ctx = knee_contexts(dep)
    batches = slo_batches(dep, ctx, target_tpot_s).astype(float)
    return ctx, batches, np.minimum(metrics.max_batch(dep, ctx), MAX_BATCH)


def output_knee_tokens(dep: Deployment, target_tpot_s: float | None, batches=None) -> float:
    """Context where, at the SLO batch, a decode step's KV read time reaches its weight read time
    (searched up to the first context no batch serves; nan if none is served)."""
    ctx, slo, _ = batches or knee_batches(dep, target_tpot_s)
    served = slo >= 1
    end = int(np.argmin(served)) if not served.all() else served.size
    if end == 0:
        return math.nan
    step = decode_step(dep, slo[:end], ctx[:end])
    gap = np.asarray(step.total("kv_s") - step.total("weights_s"), dtype=float)
    return float(metrics.first_crossing(ctx[:end], gap[:, None])[0])


def capacity_knee_tokens(dep: Deployment, target_tpot_s: float | None, batches=None) -> float:
    """Smallest context where the batch that fits is below the batch the speed target allows (one
    more sequence than fits would still meet the target), bisected to the token; inf if never."""
    if target_tpot_s is None:
        return metrics.capacity_knee_tokens(dep)
    ctx, slo, fits = batches or knee_batches(dep, target_tpot_s)
    if not (slo >= 1).any():
        return math.nan
    bound = _memory_bound(dep, target_tpot_s, ctx, fits)
    if not bound.any():
        return math.inf
    i = int(np.argmax(bound))
    if i == 0:
        return float(ctx[0])
    lo, hi = float(ctx[i - 1]), float(ctx[i])  # not bound at lo, bound at hi
    while hi - lo > 1.0:
        mid = math.floor((lo + hi) / 2)
        if _memory_bound(dep, target_tpot_s, mid, min(float(metrics.max_batch(dep, mid)), MAX_BATCH)):
            hi = mid
        else:
            lo = mid
    return float(hi)


def _memory_bound(dep: Deployment, target_tpot_s: float, ctx, fits):
    """At least one sequence fits, and one more than fits would still meet the speed target: the
    SLO batch (F77) is then the batch that fits."""
    fits = np.asarray(fits, dtype=float)
    return (fits >= 1) & (np.asarray(decode_step(dep, fits + 1.0, ctx).time_s) <= target_tpot_s)


def tpot_target_s(tokens_per_s_per_user: float) -> float | None:
    """The TPOT a per-user speed target asks for; 0 (no target) gives None = best case."""
    if not (tokens_per_s_per_user >= 0 and math.isfinite(tokens_per_s_per_user)):
        raise ValueError(f"slo_tps: must be a finite number >= 0 tokens/s per user; got {tokens_per_s_per_user!r}")
    return 1.0 / tokens_per_s_per_user if tokens_per_s_per_user > 0 else None
