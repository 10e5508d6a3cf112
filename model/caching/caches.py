"""Answer caching, prefix caching and reasoning-token efficiency (FORMULAS.md section 14).

Answer cache (frequent, static questions): query i of a catalogue of M distinct questions has
Zipf popularity p_i = i^(−s) / H(M, s), with H(n, s) = Σ_{i≤n} i^(−s) the generalised harmonic
number. A cache of the K most popular answers is hit with probability

    h(K) = f · H(K, s) / H(M, s)            (f: the fraction of traffic that is cacheable at all)

and a request then costs, on average, h·c_hit + (1 − h)·(c_in(P) + c_out(G)) (section 14), with
the miss priced by the roofline (`request.request_cost`: prefill plus decode) and a hit costing
`hit_usd` (default 0: no GPU) and taking `hit_latency_s` (an assumption, default 5 ms for a
lookup in a key-value store; no published source). Hit rates of real traffic are not published:
the Zipf exponent and the cacheable fraction are model inputs.

Prefix cache: a prompt of P tokens whose first p are cached needs the prefill of the P − p new
tokens attending to the p cached ones, F_prefill(P) − F_prefill(p) FLOPs, plus reading the cache
(section 14, SB-inf "Prefix Caching"). In HBM that read is the roofline's KV term; from another
tier (host DRAM, SSD) it first costs p·k_tok / tier bandwidth.

Reasoning tokens: an answer with G_reason hidden and G_ans visible tokens costs
P·c_in + (G_reason + G_ans)·c_out(L̄), decode steps timed as the context grows from P
(`metrics.mean_decode_step_s`), so the KV term makes cost grow faster than linearly in G once
L̄ passes the context knee; latency = TTFT + (G_reason + G_ans)·TPOT.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.core import metrics
from model.core.deployment import Deployment
from model.core.request import RequestCost, check_float, check_int, request_cost
from model.core.roofline import prefill

MAX_CATALOGUE = 10**12
MAX_EXPONENT = 4.0
MAX_CURVE_POINTS = 1000
_EXACT_TERMS = 100_000  # H(n, s) summed term by term up to here, Euler-Maclaurin beyond
DEFAULT_HIT_LATENCY_S = 0.005


# --- Zipf popularity --------------------------------------------------------------------------


def generalized_harmonic(n, s: float) -> np.ndarray:
    """H(n, s) = Σ_{i=1..n} i^(−s), vectorised over integer `n` ≥ 0.

    Exact summation up to 100,000 terms; above that an Euler-Maclaurin tail (relative error
    below 1e-12 for the accepted exponents).
    """
    n = np.asarray(n, dtype=float)
    terms = np.arange(1, _EXACT_TERMS + 1, dtype=float) ** -s
    prefix = np.concatenate([[0.0], np.cumsum(terms)])
    small = prefix[np.clip(n, 0, _EXACT_TERMS).astype(np.int64)]
    a = float(_EXACT_TERMS)
    big = np.maximum(n, a)
    integral = np.log(big / a) if s == 1 else (big ** (1 - s) - a ** (1 - s)) / (1 - s)
    d1 = -s * (big ** (-s - 1) - a ** (-s - 1))
    d3 = -s * (s + 1) * (s + 2) * (big ** (-s - 3) - a ** (-s - 3))
    tail = integral + (big ** -s - a ** -s) / 2 + d1 / 12 - d3 / 720
    return np.where(n > _EXACT_TERMS, prefix[-1] + tail, small)


def zipf_hit_rate(cached_items, catalogue_size: int, exponent: float, cacheable_fraction: float = 1.0) -> np.ndarray:
    """Probability a request is answered from a cache of the `cached_items` most popular answers.

    h = f · H(K, s) / H(M, s) for Zipf(s) popularity over M = `catalogue_size` questions.
    `cached_items` may be an array (at most 100,000 values), clipped to [0, M].
    """
    m = check_int("catalogue_size", catalogue_size, 1, MAX_CATALOGUE, "questions")
    s = check_float("exponent", exponent, 0.0, MAX_EXPONENT)
    f = check_float("cacheable_fraction", cacheable_fraction, 0.0, 1.0)
    k = np.asarray(cached_items, dtype=float)
    if k.size > 100_000 or not np.all(np.isfinite(k)) or np.any(k < 0):
        raise ValueError("cached_items: must be at most 100,000 finite counts ≥ 0")
    k = np.minimum(np.floor(k), m)
    return f * generalized_harmonic(k, s) / generalized_harmonic(m, s)


# --- answer cache -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerCacheResult:
    """Expected cost (USD) and latency (s) per request with and without the answer cache."""

    hit_rate: float
    usd_per_request: float
    latency_s: float
    usd_per_request_uncached: float
    latency_s_uncached: float
    chip_s_per_request: float  # GPU time per request, misses only

    @property
    def usd_saving_fraction(self) -> float:
        return 1.0 - self.usd_per_request / self.usd_per_request_uncached


def answer_cache(dep: Deployment, hit_rate: float, prompt_tokens: int, output_tokens: int, batch: int = 64,
                 hit_usd: float = 0.0, hit_latency_s: float = DEFAULT_HIT_LATENCY_S) -> AnswerCacheResult:
    """Expected cost and latency of a request: h·hit + (1 − h)·(roofline prefill + decode)."""
    h = check_float("hit_rate", hit_rate, 0.0, 1.0)
    hit_usd = check_float("hit_usd", hit_usd, 0.0, 1.0, "USD per hit")
    hit_latency_s = check_float("hit_latency_s", hit_latency_s, 0.0, 60.0, "s")
    miss = request_cost(dep, prompt_tokens, output_tokens, batch)
    return AnswerCacheResult(
        hit_rate=h,
        usd_per_request=h * hit_usd + (1 - h) * miss.usd_total,
        latency_s=h * hit_latency_s + (1 - h) * miss.latency_s,
        usd_per_request_uncached=miss.usd_total,
        latency_s_uncached=miss.latency_s,
        chip_s_per_request=(1 - h) * miss.chip_s,
    )


# --- prefix cache -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrefixCacheResult:
    """Prefill with `cached_tokens` of the prompt already cached, against no cache."""

    prompt_tokens: int
    cached_tokens: int
    flops_fraction: float  # (F_prefill(P) − F_prefill(p)) / F_prefill(P), from the op counts
    load_s: float  # reading the cached KV from a slower tier before the prefill (0 in HBM)
    ttft_s: float
    ttft_s_uncached: float
    usd_input: float  # per request, prefill share of a `batch` of such prompts
    usd_input_uncached: float

    @property
    def usd_saving_fraction(self) -> float:
        return 1.0 - self.usd_input / self.usd_input_uncached


def _flops(timing) -> float:
    return float(sum(np.sum(op.cost.flops) for op in timing.ops))


def prefix_cache(dep: Deployment, prompt_tokens: int, cached_tokens: int, batch: int = 1,
                 tier_bytes_per_s: float | None = None) -> PrefixCacheResult:
    """Prefill of a `prompt_tokens` prompt whose first `cached_tokens` are in a prefix cache.

    `tier_bytes_per_s`: bandwidth of the tier holding the cache when it is not HBM (e.g. the
    host link); None means the cache sits in HBM, where the read is already in the prefill's KV
    term. The load time is added to TTFT and charged at the replica's price shared by `batch`.
    """
    prompt = check_int("prompt_tokens", prompt_tokens, 1, 10_000_000, "tokens")
    cached = check_int("cached_tokens", cached_tokens, 0, prompt - 1, "tokens (at least one prompt token is new)")
    with_cache = request_cost(dep, prompt, 1, batch, cached_tokens=cached)
    without = request_cost(dep, prompt, 1, batch)
    load_s = 0.0
    if tier_bytes_per_s is not None:
        tier = check_float("tier_bytes_per_s", tier_bytes_per_s, 1e6, 1e15, "B/s")
        load_s = float(metrics.kv_bytes_per_sequence(dep, cached)) / tier
    full_flops = _flops(prefill(dep, prompt))
    new_flops = _flops(prefill(dep, prompt - cached, cached=cached))
    usd_per_s = metrics.replica_usd_per_s(dep)
    return PrefixCacheResult(
        prompt_tokens=prompt,
        cached_tokens=cached,
        flops_fraction=new_flops / full_flops,
        load_s=load_s,
        ttft_s=load_s + with_cache.ttft_s,
        ttft_s_uncached=without.ttft_s,
        usd_input=with_cache.usd_input + usd_per_s * load_s / with_cache.batch,
        usd_input_uncached=without.usd_input,
    )


# --- reasoning tokens -------------------------------------------------------------------------


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
    reasoning = check_int("reasoning_tokens", reasoning_tokens, 0, 1_000_000, "tokens")
    answer = check_int("answer_tokens", answer_tokens, 1, 1_000_000, "tokens")
    whole = request_cost(dep, prompt_tokens, reasoning + answer, batch)
    thinking_s = 0.0
    if reasoning:
        thinking_s = reasoning * metrics.mean_decode_step_s(dep, whole.batch, whole.prompt_tokens, reasoning)
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
    """`reasoning_cost` over an array of reasoning-token counts (at most 1000 points).

    Returns arrays keyed reasoning_tokens, usd_per_answer, latency_s, usd_per_output_token.
    """
    counts = np.asarray(reasoning_tokens).reshape(-1)
    if counts.size > MAX_CURVE_POINTS:
        raise ValueError(f"reasoning_tokens: at most {MAX_CURVE_POINTS} points; got {counts.size}")
    costs = [reasoning_cost(dep, prompt_tokens, int(g), answer_tokens, batch) for g in counts]
    usd = np.array([c.usd_per_answer for c in costs])
    return {
        "reasoning_tokens": counts.astype(np.int64),
        "usd_per_answer": usd,
        "latency_s": np.array([c.latency_s for c in costs]),
        "usd_per_output_token": np.array([c.request.usd_output / c.request.output_tokens for c in costs]),
    }
