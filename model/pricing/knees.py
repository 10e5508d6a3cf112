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
from model.pricing.slo import slo_batch
from model.pricing.speed_tiers import largest_batch_within_s

LINEAR_OPS = ("qkv_proj", "out_proj", "ffn", "moe_experts", "moe_shared_experts")  # lm_head excluded
_PROMPTS = context_grid(1, 1e9, 361, integer=False)
KNEE_POINTS = 49  # contexts per knee search, from 128 tokens to 64 x the model's maximum


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


def output_knee_tokens(dep: Deployment, target_tpot_s: float | None) -> float:
    """Context where, at the SLO batch, a decode step's KV read time reaches its weight read time."""
    ctx = knee_contexts(dep)
    batches = np.array([float(slo_batch(dep, c, target_tpot_s)) for c in ctx])
    served = batches >= 1
    if not served.any():
        return math.nan
    step = decode_step(dep, np.maximum(batches, 1.0), ctx)
    gap = np.where(served, step.total("kv_s") - step.total("weights_s"), np.nan)
    gap = gap[: int(np.argmin(served)) if not served.all() else gap.size]  # up to the first unservable
    return float(metrics.first_crossing(ctx[: gap.size], gap[:, None])[0]) if gap.size else math.nan


def capacity_knee_tokens(dep: Deployment, target_tpot_s: float | None) -> float:
    """Smallest context where the batch that fits is below the batch the speed target allows."""
    if target_tpot_s is None:
        return metrics.capacity_knee_tokens(dep)
    ctx = knee_contexts(dep)
    fits = np.minimum(metrics.max_batch(dep, ctx), MAX_BATCH)
    speed = np.array([float(largest_batch_within_s(dep, c, target_tpot_s)) for c in ctx])
    gap = speed - fits  # >= 0 once memory binds first
    if not (speed >= 1).any():
        return math.nan
    return float(metrics.first_crossing(ctx, np.where(speed >= 1, gap - 0.5, -1.0)[:, None])[0])


def tpot_target_s(tokens_per_s_per_user: float) -> float | None:
    """The TPOT a per-user speed target asks for; 0 (no target) gives None = best case."""
    if not (tokens_per_s_per_user >= 0 and math.isfinite(tokens_per_s_per_user)):
        raise ValueError(f"slo_tps: must be a finite number >= 0 tokens/s per user; got {tokens_per_s_per_user!r}")
    return 1.0 / tokens_per_s_per_user if tokens_per_s_per_user > 0 else None
