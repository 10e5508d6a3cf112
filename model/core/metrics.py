"""Derived quantities: latency floor, memory capacity, knees, cost per token, request time.

Definitions (also in the README):
- weights read by a pass: the weight bytes its matmuls and norms stream from HBM, attention
  weights once per chip under attention DP. The input embedding is a lookup of the pass's rows,
  counted apart (`embedding_lookup_bytes`); so a decode step reads fewer bytes than the weights
  stored (`Deployment.weight_bytes`) and a long prefill's lookups can add more than the table holds.
- latency floor: weights one decode step reads at batch 1 (for MoE the experts it touches),
  divided by the replica's peak HBM bandwidth. Nothing (smaller batch, better kernels) makes a
  step faster. At context L (docs/formulas.md F75) add one sequence's KV cache at L as the chips
  store it (copies under tensor parallelism included): the floor of a batch-1 step at L.
- max batch at context L: sequences whose KV cache fits in HBM after the weights and a
  headroom of MEMORY_HEADROOM of HBM (activations, runtime, fragmentation).
- batch knee at context L: the batch where the decode step's total FLOP time reaches its total
  memory time. Below it, cost per output token falls ~1/batch; above it, it is flat.
- context knee: the context where one sequence's KV-cache read time per step reaches its
  compute time per step (docs/formulas.md F36: L_crit ≈ 2·N_act/(R·k_tok) with efficiencies).
  Above it, decode is memory-bound at every batch and cost per output token grows ∝ context.
- capacity knee: the smallest context where the largest batch that fits is below the batch
  knee, so the replica can no longer reach the compute roofline.
- tokens per step: τ = 1 + a + … + a^γ tokens per sequence per decode step with γ speculative
  drafts of acceptance a (docs/formulas.md F125); 1 without speculation.
- latency floor per token: the floor of one pass ÷ τ; with speculation the pass is the batch-1
  verification pass over 1 + γ tokens plus the drafts' weights (F127). The floor per pass is
  untouched by speculation (the weights must still be streamed); the floor per token is not.
- cost per 1M output tokens: replica USD/s × decode step time / (batch · τ) × 1e6.
- cost per 1M input tokens: replica USD/s × prefill time of `batch` prompts / (batch·prompt) × 1e6.
- a decode run: `steps` decode steps at one batch whose context grows by one per step from a
  start context. `decode_run` evaluates at most `samples` evenly spaced contexts, each standing
  for steps/samples steps; the run's time is the sum, and its timeline the cumulative sum.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.base.units import PER_MILLION, SECONDS_PER_HOUR
from model.core.deployment import Deployment
from model.core.grids import batch_grid, context_grid
from model.core.ops import cache_bytes_per_sequence
from model.core.roofline import PassTiming, decode_step, forward_pass
from model.core.speculative import tokens_per_step as _tokens_per_step

MEMORY_HEADROOM = 0.10  # vLLM reserves 10%: gpu_memory_utilization defaults to 0.9 (vLLM docs)
DECODE_SAMPLES = 256  # contexts sampled along a decode run
_BATCH_GRID = batch_grid(1e7, 481, integer=False)  # candidate batches for the batch knee
_CTX_GRID = context_grid(1, 1e9, 541, integer=False)  # candidate contexts for the knees, tokens


EMBEDDING_OP = "embedding_lookup"  # the op whose "weight" traffic is rows looked up, not a weight read


def weights_read_bytes(dep: Deployment, timing: PassTiming) -> float:
    """Weight bytes a scalar pass reads (embedding lookup excluded; attention weights once per chip
    under attention DP, as the roofline times them)."""
    return sum(float(np.max(op.cost.weight_traffic_bytes)) * dep.weight_copies(op.name)
               for op in timing.ops if op.name != EMBEDDING_OP)


def embedding_lookup_bytes(timing: PassTiming) -> float:
    """Bytes of embedding rows a scalar pass looks up (one row per token)."""
    return sum(float(np.max(op.cost.weight_traffic_bytes)) for op in timing.ops if op.name == EMBEDDING_OP)


def floor_weight_bytes(dep: Deployment) -> float:
    """Weights one decode pass reads at batch 1 (MoE: the experts one token touches); F26."""
    return weights_read_bytes(dep, forward_pass(dep, 1, 1, 0, decode=True))


def tokens_per_step(dep: Deployment) -> float:
    """Mean tokens a decode step yields per sequence: 1, or τ with speculative drafts (F125)."""
    return _tokens_per_step(dep.spec_tokens, dep.spec_accept)


def draft_weight_bytes(dep: Deployment) -> float:
    """Weights the γ drafts of a batch-1 step read: γ MTP layers (a layer's share of the pass's
    weights each) or γ passes of the draft model (F127); 0 without speculation."""
    if not dep.spec_tokens:
        return 0.0
    if dep.draft_model is None:
        return dep.spec_tokens * floor_weight_bytes(dep) / dep.model.layers
    draft = forward_pass(dataclasses.replace(dep, model=dep.draft_model, spec_tokens=0, draft_model=None,
                                             ep=1, tp=None), 1, 1, 0, decode=True)
    return dep.spec_tokens * weights_read_bytes(dep, draft)


def latency_floor_per_token_s(dep: Deployment) -> float:
    """Floor per output token at batch 1 (F127): (weights the batch-1 verification pass reads +
    the drafts' weights) ÷ peak HBM bandwidth ÷ τ; the pass floor (F26) without speculation."""
    if not dep.spec_tokens:
        return latency_floor_s(dep)
    verify = forward_pass(dep, 1, 1 + dep.spec_tokens, 0, decode=True)
    read = weights_read_bytes(dep, verify) + draft_weight_bytes(dep)
    return read / dep.hbm_bytes_per_s / tokens_per_step(dep)


def latency_floor_s(dep: Deployment) -> float:
    """Weights one decode step reads at batch 1 ÷ replica peak HBM bandwidth (docs/formulas.md F26)."""
    return floor_weight_bytes(dep) / dep.hbm_bytes_per_s


def floor_kv_bytes(dep: Deployment, ctx: float) -> float:
    """One sequence's KV cache at context `ctx` as the replica stores it (TP copies included)."""
    return float(kv_bytes_per_sequence(dep, ctx)) * dep.kv_replication


def latency_floor_at_context_s(dep: Deployment, ctx: float) -> float:
    """(Weights a batch-1 decode step reads + one sequence's KV cache at `ctx`, copies included)
    ÷ replica peak HBM bandwidth (docs/formulas.md F75): no batch-1 step at `ctx` is faster."""
    return (floor_weight_bytes(dep) + floor_kv_bytes(dep, ctx)) / dep.hbm_bytes_per_s


def kv_bytes_per_sequence(dep: Deployment, ctx) -> np.ndarray:
    """KV-cache bytes of one sequence at context `ctx` (local layers capped; the sparse indexer's
    keys and the linear layers' fixed state included)."""
    return cache_bytes_per_sequence(dep.model, dep.precision, ctx)


def free_hbm_bytes_per_chip(dep: Deployment) -> float:
    """HBM per chip left for the KV cache after headroom and the chip's share of the weights."""
    return dep.hardware.hbm_bytes * (1 - MEMORY_HEADROOM) - dep.weight_bytes_per_chip


def weights_fit(dep: Deployment) -> bool:
    """True when the chip's share of the weights fits in HBM after headroom (KV cache aside)."""
    return free_hbm_bytes_per_chip(dep) > 0


def max_batch(dep: Deployment, ctx) -> np.ndarray:
    """Largest number of sequences of context `ctx` whose KV cache fits (0 if weights don't)."""
    per_seq = kv_bytes_per_sequence(dep, np.maximum(ctx, 1)) * dep.kv_chip_fraction
    free = free_hbm_bytes_per_chip(dep)
    return np.floor(np.maximum(free, 0.0) / per_seq)


def cost_per_m_output_usd(dep: Deployment, step_s, batch) -> np.ndarray:
    """USD per 1M output tokens of decode steps of `step_s` at `batch` (τ tokens per sequence each)."""
    return PER_MILLION * replica_usd_per_s(dep) * step_s / (np.asarray(batch, dtype=float) * tokens_per_step(dep))


def cost_per_m_input_usd(dep: Deployment, prefill_s, batch, prompt) -> np.ndarray:
    tokens = np.asarray(batch, dtype=float) * np.asarray(prompt, dtype=float)
    return PER_MILLION * replica_usd_per_s(dep) * prefill_s / tokens


def replica_usd_per_s(dep: Deployment) -> float:
    return dep.usd_per_chip_hour * dep.chips / SECONDS_PER_HOUR


def first_crossing(grid: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Where `gap` (rows follow `grid`) first turns ≥ 0, interpolated on log(grid); inf if never."""
    nonneg = gap >= 0
    first = np.argmax(nonneg, axis=0)
    never = ~nonneg.any(axis=0)
    at_start = nonneg[0]
    prev = np.maximum(first - 1, 0)
    cols = np.arange(gap.shape[1])
    g0, g1 = gap[prev, cols], gap[first, cols]
    x0, x1 = np.log(grid[prev]), np.log(grid[first])
    frac = np.divide(-g0, g1 - g0, out=np.zeros_like(g0), where=(g1 - g0) != 0)
    result = np.exp(x0 + frac * (x1 - x0))
    result = np.where(at_start, grid[0], result)
    return np.where(never, np.inf, result)


def batch_knee(dep: Deployment, ctx) -> np.ndarray:
    """Batch at which the decode step's FLOP time reaches its memory time, per context."""
    ctx = np.atleast_1d(np.asarray(ctx, dtype=float))
    step = decode_step(dep, _BATCH_GRID[:, None], ctx[None, :])
    gap = step.total("compute_s") - step.total("memory_s")
    gap = np.broadcast_to(gap, (_BATCH_GRID.size, ctx.size))
    return first_crossing(_BATCH_GRID, gap)


def context_knee_tokens(dep: Deployment) -> float:
    """Context where one sequence's KV read time per step reaches its compute time per step."""
    step = decode_step(dep, 1, _CTX_GRID)
    gap = step.total("kv_s") - step.total("compute_s")
    return float(first_crossing(_CTX_GRID, gap[:, None])[0])


def capacity_knee_tokens(dep: Deployment) -> float:
    """Smallest context at which the batch that fits is below the batch knee (0 if always)."""
    grid = context_grid(1, max(dep.model.max_context, 1) * 8.0, 97, integer=False)
    gap = batch_knee(dep, grid) - max_batch(dep, grid)
    if gap[0] > 0:
        return 0.0
    return float(first_crossing(grid, gap[:, None])[0])


def decode_samples(start_ctx: float, steps: int, samples: int = DECODE_SAMPLES) -> tuple[np.ndarray, float]:
    """Contexts of `steps` decode steps (start_ctx … start_ctx + steps − 1), at most `samples` of
    them evenly spaced, and the number of steps each sample stands for. Empty when steps = 0."""
    count = int(min(steps, samples))
    return np.linspace(start_ctx, start_ctx + steps - 1, count), (steps / count if count else 0.0)


@dataclass(frozen=True)
class DecodeRun:
    """Time of decode runs (s); with a timeline, steps done and seconds elapsed after each sample."""

    total_s: float | np.ndarray  # a float for one run, an array for an array of step counts
    steps_done: np.ndarray | None = None  # 0, then the steps done after each sample
    elapsed_s: np.ndarray | None = None  # 0, then the seconds since the run started


def decode_run(dep: Deployment, batch, start_ctx: float, steps, samples: int = DECODE_SAMPLES,
               timeline: bool = False) -> DecodeRun:
    """`steps` decode steps at batch `batch`, context growing by one per step from `start_ctx`.

    Each of the `decode_samples` contexts stands for its share of the steps. `steps` may be an
    array of step counts: one run per count, all in one decode-step call. `timeline` (one run
    only) adds the cumulative steps and seconds after each sample.
    """
    counts = np.asarray(steps)
    runs = [decode_samples(start_ctx, int(n), samples) for n in counts.reshape(-1)]
    width = max((contexts.size for contexts, _ in runs), default=0)
    contexts = np.full((len(runs), max(width, 1)), float(start_ctx))
    valid = np.zeros(contexts.shape, dtype=bool)
    for row, (sampled, _) in enumerate(runs):
        contexts[row, :sampled.size] = sampled
        valid[row, :sampled.size] = True
    step_s = np.broadcast_to(decode_step(dep, batch, contexts).time_s, contexts.shape)
    weights = np.array([each for _, each in runs], dtype=float)[:, None]
    per_sample = np.where(valid, step_s, 0.0) * weights
    totals = per_sample.sum(axis=1)
    if counts.ndim:
        if timeline:
            raise ValueError("timeline: only for one run (a single step count)")
        return DecodeRun(totals.reshape(counts.shape))
    if not timeline:
        return DecodeRun(float(totals[0]))
    done = np.concatenate([[0.0], np.cumsum(np.where(valid[0], weights[0], 0.0))])[: width + 1]
    elapsed = np.concatenate([[0.0], np.cumsum(per_sample[0])])[: width + 1]
    return DecodeRun(float(totals[0]), done, elapsed)


def mean_decode_step_s(dep: Deployment, batch, prompt: int, out: int, samples: int = DECODE_SAMPLES) -> float:
    """Mean decode step time over one request's `out` output tokens (context grows from `prompt`)."""
    return decode_run(dep, batch, prompt, out, samples).total_s / out
