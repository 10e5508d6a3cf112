"""Roofline pass times tabulated for the serving simulator (model/serving/).

A pass is decomposed as t_pass = t_lin(T tokens) + t_lm(S sampling sequences) + Σ t_attention(part);
see the model/serving/simulate.py docstring. Tables are built once per simulation so each simulated
iteration costs microseconds and reproduces roofline.decode_step / roofline.prefill.

Speculative decoding (docs/formulas.md F132): a decode step verifies 1 + γ tokens per sequence and
yields τ (F125) of them on average. The simulator counts in accepted tokens, in expectation: a decode
"step" of the tables is one accepted token per sequence and costs 1/τ of a verification step, so a
request of G tokens takes G/τ verification steps; a fused chunked iteration verifies 1 + γ tokens per
decoding sequence (`fused_s`) and advances them by τ on average (`Engine.fused_tokens`).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right

import numpy as np

from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import PassTiming, decode_step, draft_s, prefill


def _grid(top: float, dense: int = 4096, points: int = 2048) -> np.ndarray:
    """Integers 0..min(top, dense), then geometric steps up to `top` (ratio ≤ (top/dense)^(1/points))."""
    top = max(float(top), 1.0)
    head = np.arange(0.0, min(top, dense) + 1)
    if top <= dense:
        return head
    return np.unique(np.concatenate([head, np.geomspace(dense, top, points)]))


class _Curve:
    """A piecewise-linear function on a grid, with O(log n) value and integral lookups."""

    def __init__(self, xs: np.ndarray, ys: np.ndarray):
        xs = np.asarray(xs, dtype=float)
        ys = np.broadcast_to(np.asarray(ys, dtype=float), xs.shape)
        self.xs, self.ys = xs.tolist(), ys.tolist()
        self.slopes = (np.diff(ys) / np.diff(xs)).tolist() + [float((ys[-1] - ys[-2]) / (xs[-1] - xs[-2]))]
        self.cum = np.concatenate([[0.0], np.cumsum(np.diff(xs) * (ys[1:] + ys[:-1]) / 2)]).tolist()
        unit = np.flatnonzero(xs != np.arange(xs.size))  # first index where the grid leaves 0, 1, 2, ...
        self.unit_top = float(unit[0] - 1 if unit.size else xs.size - 1)

    def _segment(self, x: float) -> int:
        if 0.0 <= x < self.unit_top:  # the grid starts with unit steps from 0 (see _grid)
            return int(x)
        return min(max(bisect_right(self.xs, x) - 1, 0), len(self.xs) - 1)

    def __call__(self, x: float) -> float:
        i = self._segment(x)
        return self.ys[i] + self.slopes[i] * (x - self.xs[i])

    def integral(self, x: float) -> float:
        """∫ from the first grid point to x (linear extrapolation beyond the grid)."""
        i = self._segment(x)
        dx = x - self.xs[i]
        return self.cum[i] + dx * (self.ys[i] + 0.5 * self.slopes[i] * dx)


def _op(timing: PassTiming, name: str):
    return next(op for op in timing.ops if op.name == name)


def _draft_tables(dep: Deployment, batch: np.ndarray, ctx: np.ndarray) -> tuple[list[float], np.ndarray]:
    """The drafts of one verification step (F126): at context 0 for each batch (index = batch), and one
    sequence's extra at each context; zeros without speculation."""
    if not dep.spec_tokens:
        return [0.0] * (batch.size + 1), np.zeros_like(ctx)
    at_zero = [0.0] + np.asarray(draft_s(dep, batch, 0)).tolist()
    return at_zero, np.asarray(draft_s(dep, 1, ctx), dtype=float) - float(draft_s(dep, 1, 0))


class StepTimes:
    """Roofline pass times split into tabulated pieces (see the module docstring).

    `max_batch` bounds decode batches and sampling sequences, `max_context` the KV context of a
    decode step and the prompt of a prefill, `max_pass_tokens` the tokens of one pass.
    """

    def __init__(self, dep: Deployment, max_batch: int, max_context: int, max_pass_tokens: int):
        self.dep = dep
        self.tau = metrics.tokens_per_step(dep)  # accepted tokens per verification step (F125)
        self.positions = 1 + dep.spec_tokens  # tokens verified per sequence per step
        plain = dataclasses.replace(dep, spec_tokens=0, draft_model=None) if dep.spec_tokens else dep
        ctx = _grid(max_context + 1)
        attn = _op(decode_step(dep, 1, ctx), "attention")
        self.verify_attention = _Curve(ctx, attn.roofline_s)  # one sequence's verification at context L
        batch = np.arange(1, max_batch + 1, dtype=float)
        self.draft_base, draft_ctx = _draft_tables(dep, batch, ctx)
        self.draft_attention = _Curve(ctx, draft_ctx)  # one sequence's drafts at L beyond L = 0
        per_token = attn.roofline_s + draft_ctx if dep.spec_tokens else attn.roofline_s
        self.decode_attention = _Curve(ctx, per_token / self.tau)  # per accepted token (its kernels: in the pass)
        plain_attn = attn if plain is dep else _op(decode_step(plain, 1, ctx), "attention")
        self.decode_attention_memory = _Curve(ctx, plain_attn.memory_s)  # cached reads (chunks) as without drafts
        tokens = _grid(max(max_pass_tokens, max_context, max_batch * self.positions))
        full = prefill(dep, tokens)  # tokens = 0 is a pass with no attention (used by chunks at offset 0)
        pre_attn = _op(full, "attention")
        self.prefill_attention_compute = _Curve(tokens, pre_attn.compute_s)  # one prompt of P tokens
        self.prefill_attention_memory = _Curve(tokens, pre_attn.memory_s)
        self.linear = _Curve(tokens, full.time_s - pre_attn.roofline_s)  # T tokens, lm_head on one row (kernels incl.)
        base = decode_step(dep, batch, 0).time_s - batch * self.verify_attention(0.0)
        self.decode_base = [0.0] + np.asarray(base / self.tau).tolist()  # per accepted token, minus attention
        rows = np.arange(1, max_batch * self.positions + 1, dtype=float)
        plain_base = np.asarray(decode_step(plain, rows, 0).time_s - rows * float(plain_attn.roofline_s[0]))
        lin = np.array([self.linear(b) for b in rows])
        self.lm_extra = [0.0] + np.maximum(plain_base - lin, 0.0).tolist()  # lm_head rows 2..S

    def decode_s(self, batch: int, mean_ctx: float) -> float:
        """One decode step of `batch` sequences at mean context `mean_ctx`."""
        return self.decode_base[batch] + batch * self.decode_attention(mean_ctx)

    def decode_run_s(self, batch: int, mean_ctx: float, steps: int) -> float:
        """`steps` consecutive decode steps, contexts growing by one per step (midpoint rule)."""
        a = self.decode_attention
        attention = a.integral(mean_ctx + steps - 0.5) - a.integral(mean_ctx - 0.5)
        return steps * self.decode_base[batch] + batch * attention

    def prompt_attention_s(self, prompt: float) -> float:
        """Attention of one whole prompt prefilled from scratch."""
        return max(self.prefill_attention_compute(prompt), self.prefill_attention_memory(prompt))

    def chunk_attention_s(self, chunk: int, done: int) -> float:
        """Attention of a chunk of `chunk` prompt tokens after `done` tokens already cached."""
        flops_s = self.prefill_attention_compute(done + chunk) - self.prefill_attention_compute(done)
        cached_read_s = self.decode_attention_memory(done) - self.decode_attention_memory(0.0)
        return max(flops_s, cached_read_s + self.prefill_attention_memory(chunk))

    def pass_s(self, tokens: int, sampling: int, attention_s: float) -> float:
        """A pass over `tokens` tokens, `sampling` sequences producing a token, given attention time."""
        return self.linear(tokens) + self.lm_extra[min(sampling, len(self.lm_extra) - 1)] + attention_s

    def fused_s(self, chunk_tokens: int, seqs: int, completing: int, chunk_attention_s: float, mean_ctx: float) -> float:
        """A chunked iteration: prompt chunks (`completing` of them finishing their prompt) fused with
        one verification step of `seqs` decoding sequences at mean context `mean_ctx` (F132; without
        speculation a decode step of one token each)."""
        decode_tokens = seqs * self.positions
        attention = chunk_attention_s + (seqs * self.verify_attention(mean_ctx) if seqs else 0.0)
        time_s = self.pass_s(chunk_tokens + decode_tokens, completing + decode_tokens, attention)
        if self.dep.spec_tokens and seqs:
            time_s += self.draft_base[seqs] + seqs * self.draft_attention(mean_ctx)
        return time_s

    def prefill_s(self, prompt: int, batch: int = 1) -> float:
        """`batch` prompts of `prompt` tokens prefilled together (= roofline.prefill)."""
        return self.pass_s(prompt * batch, batch, batch * self.prompt_attention_s(prompt))
