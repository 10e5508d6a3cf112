"""Reasoning-token efficiency (docs/formulas.md F59–F61).

An answer with G_reason hidden and G_ans visible tokens costs P·c_in + (G_reason + G_ans)·c_out(L̄),
its decode steps timed as the context grows from P (`metrics.decode_run`), so the KV term makes
cost grow faster than linearly in G once L̄ passes the context knee; latency = TTFT +
(G_reason + G_ans)·TPOT. Units: tokens, seconds, USD.

    reasoning knee       G_reason at which the mean context P + (G_reason + G_ans)/2 reaches L_crit
    reasoning policies   always-think: every answer G_hard reasoning tokens; adaptive: a share e
                         of easy questions with G_easy, the rest G_hard → USD per 1,000 answers
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.base.fields import check_float, check_int
from model.base.limits import MAX_OUTPUT_TOKENS, MAX_TOKENS
from model.core import metrics
from model.core.deployment import Deployment
from model.core.request import RequestCost, request_cost

MAX_CURVE_POINTS = 1000
PER_THOUSAND = 1000


@dataclass(frozen=True)
class ReasoningCost:
    """One answer with hidden reasoning tokens: cost (USD) and latency (s)."""

    reasoning_tokens: int
    answer_tokens: int
    usd_per_answer: float
    latency_s: float  # TTFT + all output tokens
    time_to_answer_s: float  # TTFT + the reasoning tokens: when the visible answer starts
    tpot_s: float  # mean decode step over all output tokens
    request: RequestCost


def reasoning_cost(dep: Deployment, prompt_tokens: int, reasoning_tokens: int, answer_tokens: int,
                   batch: int = 64) -> ReasoningCost:
    """Cost and latency of an answer preceded by `reasoning_tokens` hidden tokens (module doc)."""
    reasoning = check_int("reasoning_tokens", reasoning_tokens, 0, MAX_OUTPUT_TOKENS, "tokens")
    answer = check_int("answer_tokens", answer_tokens, 1, MAX_OUTPUT_TOKENS, "tokens")
    whole = request_cost(dep, prompt_tokens, reasoning + answer, batch)
    thinking_s = metrics.decode_run(dep, whole.batch, whole.prompt_tokens, reasoning).total_s
    return ReasoningCost(
        reasoning_tokens=reasoning,
        answer_tokens=answer,
        usd_per_answer=whole.usd_total,
        latency_s=whole.latency_s,
        time_to_answer_s=whole.ttft_s + thinking_s,
        tpot_s=whole.tpot_s,
        request=whole,
    )


def reasoning_curve(dep: Deployment, prompt_tokens: int, answer_tokens: int, reasoning_tokens,
                    batch: int = 64) -> dict[str, np.ndarray]:
    """`reasoning_cost` over an array of reasoning-token counts (at most 1000 points), in one
    decode-step call over every answer's sampled contexts (`metrics.decode_run`).

    Returns arrays keyed reasoning_tokens, usd_per_answer, latency_s, usd_per_output_token.
    """
    counts = np.asarray(reasoning_tokens).reshape(-1)
    if counts.size > MAX_CURVE_POINTS:
        raise ValueError(f"reasoning_tokens: at most {MAX_CURVE_POINTS} points; got {counts.size}")
    for g in counts:
        check_int("reasoning_tokens", g, 0, MAX_OUTPUT_TOKENS, "tokens")
    answer = check_int("answer_tokens", answer_tokens, 1, MAX_OUTPUT_TOKENS, "tokens")
    first = request_cost(dep, prompt_tokens, answer, batch)  # prefill and prompt checks, shared by every point
    out = counts.astype(np.int64) + answer
    check_int("output_tokens", int(out.max()), 1, MAX_TOKENS, "tokens")
    decode_s = metrics.decode_run(dep, first.batch, first.prompt_tokens, out).total_s
    usd_output = metrics.replica_usd_per_s(dep) * decode_s / first.batch
    return {
        "reasoning_tokens": counts.astype(np.int64),
        "usd_per_answer": first.usd_input + usd_output,
        "latency_s": first.ttft_s + decode_s,
        "usd_per_output_token": usd_output / out,
    }


def reasoning_knee_tokens(context_knee_tokens: float, prompt_tokens: int, answer_tokens: int) -> float:
    """Reasoning tokens at which the mean context P + (G_reason + G_ans)/2 reaches the context
    knee: 2·(L_crit − P) − G_ans, and 0 when the prompt is already past it (inf if no knee)."""
    if math.isinf(context_knee_tokens):
        return math.inf
    return max(0.0, 2.0 * (context_knee_tokens - prompt_tokens) - answer_tokens)


def linear_reference(tokens, usd) -> np.ndarray:
    """The cost if every reasoning token cost what the first step of the curve did: a straight
    line through the first two points of (`tokens`, `usd`)."""
    g, c = np.asarray(tokens, dtype=float), np.asarray(usd, dtype=float)
    if g.size < 2 or g[1] == g[0]:
        raise ValueError("tokens: need two distinct reasoning-token counts for a slope")
    return c[0] + (g - g[0]) * (c[1] - c[0]) / (g[1] - g[0])


@dataclass(frozen=True)
class PolicyComparison:
    """Always-think against adaptive reasoning, per answer and per 1,000 answers."""

    always: ReasoningCost
    easy: ReasoningCost  # an easy question under the adaptive policy
    easy_share: float

    @property
    def usd_per_1000_always(self) -> float:
        return PER_THOUSAND * self.always.usd_per_answer

    @property
    def usd_per_1000_adaptive(self) -> float:
        e = self.easy_share
        return PER_THOUSAND * (e * self.easy.usd_per_answer + (1 - e) * self.always.usd_per_answer)

    @property
    def latency_s_adaptive(self) -> float:
        """Mean latency per answer under the adaptive policy."""
        return self.easy_share * self.easy.latency_s + (1 - self.easy_share) * self.always.latency_s

    @property
    def reasoning_tokens_adaptive(self) -> float:
        """Mean reasoning tokens per answer under the adaptive policy."""
        e = self.easy_share
        return e * self.easy.reasoning_tokens + (1 - e) * self.always.reasoning_tokens

    @property
    def saving_fraction(self) -> float:
        return 1.0 - self.usd_per_1000_adaptive / self.usd_per_1000_always


def reasoning_policies(dep: Deployment, prompt_tokens: int, answer_tokens: int, batch: int,
                       hard_reasoning_tokens: int, easy_reasoning_tokens: int, easy_share: float) -> PolicyComparison:
    """Always-think (every answer `hard_reasoning_tokens`) vs adaptive (`easy_share` of the
    questions answered with `easy_reasoning_tokens`, the rest with `hard_reasoning_tokens`)."""
    share = check_float("easy_share", easy_share, 0.0, 1.0)
    always = reasoning_cost(dep, prompt_tokens, hard_reasoning_tokens, answer_tokens, batch)
    easy = reasoning_cost(dep, prompt_tokens, easy_reasoning_tokens, answer_tokens, batch)
    return PolicyComparison(always, easy, share)
