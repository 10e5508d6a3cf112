"""Sweeps and comparisons behind the "Caching & reasoning" and "Model size & lifetime cost" views.

Small compositions of `model.caching` and `model.scaling` (FORMULAS.md sections 14 and 16) that a
page needs as arrays or side-by-side results. Units: tokens, seconds, USD, FLOPs, parameters.

    hit-rate curve       h(K) = f · H(K, s) / H(M, s) on a log grid of cache sizes K ≤ M
    prefix sweep         prefix_cache at cached shares x = p/P of the prompt
    published discount   input bill left when a share x of the prompt is billed at fraction φ:
                         (1 − x) + φ·x
    reasoning knee       G_reason at which the mean context P + (G_reason + G_ans)/2 reaches L_crit
    reasoning policies   always-think: every answer G_hard reasoning tokens; adaptive: a share e
                         of easy questions with G_easy, the rest G_hard → USD per 1,000 answers
    lifetime curves      lifetime cost of a model of N params trained to a target loss, for
                         several inference demands, relative to the Chinchilla-optimal model
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.caching import caches as caching
from model.core import metrics
from model.core.deployment import Deployment
from model.core.request import (
    MAX_BATCH,
    MAX_TOKENS,
    check_float,
    check_int,
    request_cost,
)
from model.core.roofline import decode_step, prefill
from model.scaling import laws as scaling

MAX_POINTS = 200  # points per curve: bounds the work a page asks for
PER_THOUSAND = 1000
_DECODE_SAMPLES = 256  # contexts sampled per answer, as metrics.mean_decode_step_s


def _points(name: str, points: int) -> int:
    return check_int(name, points, 2, MAX_POINTS, "points")


# --- answer cache --------------------------------------------------------------------------------


def hit_rate_curve(catalogue_size: int, exponent: float, cacheable_fraction: float,
                   points: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """(cache sizes K from 1 to M on a log grid, hit rate at each K)."""
    m = check_int("catalogue_size", catalogue_size, 1, caching.MAX_CATALOGUE, "questions")
    sizes = np.unique(np.round(np.geomspace(1, m, _points("points", points))))
    return sizes, caching.zipf_hit_rate(sizes, m, exponent, cacheable_fraction)


# --- prefix cache --------------------------------------------------------------------------------


def cached_prefix_tokens(prompt_tokens: int, share: float) -> int:
    """p = round(share · P), at most P − 1 (at least one prompt token is new)."""
    prompt = check_int("prompt_tokens", prompt_tokens, 1, 10_000_000, "tokens")
    share = check_float("share", share, 0.0, 1.0)
    return min(int(round(share * prompt)), prompt - 1)


def prefix_sweep(dep: Deployment, prompt_tokens: int, batch: int, shares,
                 tier_bytes_per_s: float | None = None) -> dict[str, np.ndarray]:
    """`caching.prefix_cache` at each cached share of the prompt (at most 200 shares), vectorised:
    the same definitions, computed in one prefill call per quantity instead of one per share.

    Returns arrays keyed cached_tokens, cached_share (p/P actually cached), flops_fraction,
    ttft_s, ttft_s_uncached, usd_input, usd_input_uncached, cost_fraction (usd_input / uncached).
    """
    prompt = check_int("prompt_tokens", prompt_tokens, 1, 10_000_000, "tokens")
    batch = check_int("batch", batch, 1, MAX_BATCH, "sequences")
    shares = np.asarray(shares, dtype=float).reshape(-1)
    if shares.size > MAX_POINTS:
        raise ValueError(f"shares: at most {MAX_POINTS} values; got {shares.size}")
    cached = np.array(sorted({cached_prefix_tokens(prompt, float(x)) for x in shares}), dtype=float)
    load_s = np.zeros_like(cached)
    if tier_bytes_per_s is not None:
        tier = check_float("tier_bytes_per_s", tier_bytes_per_s, 1e6, 1e15, "B/s")
        load_s = metrics.kv_bytes_per_sequence(dep, cached) / tier
    usd_per_s = metrics.replica_usd_per_s(dep)
    alone, batched = prefill(dep, prompt - cached, 1, cached), prefill(dep, prompt - cached, batch, cached)
    full_alone, full_batched = prefill(dep, prompt), prefill(dep, prompt, batch)
    full_flops = sum(float(np.sum(op.cost.flops)) for op in full_alone.ops)
    new_flops = sum(np.broadcast_to(op.cost.flops, cached.shape) for op in alone.ops)
    out = {
        "cached_tokens": cached.astype(np.int64),
        "cached_share": cached / prompt,
        "flops_fraction": new_flops / full_flops,
        "ttft_s": load_s + alone.time_s,
        "ttft_s_uncached": np.full_like(cached, float(full_alone.time_s)),
        "usd_input": usd_per_s * (batched.time_s + load_s) / batch,
        "usd_input_uncached": np.full_like(cached, usd_per_s * float(full_batched.time_s) / batch),
    }
    out["cost_fraction"] = out["usd_input"] / out["usd_input_uncached"]
    return out


def published_bill_fraction(cached_share, price_fraction: float) -> np.ndarray:
    """Share of the uncached input bill left when `cached_share` of the prompt is billed at
    `price_fraction` of the input price: (1 − x) + φ·x."""
    x = np.asarray(cached_share, dtype=float)
    phi = check_float("price_fraction", price_fraction, 0.0, 1.0)
    return 1.0 - (1.0 - phi) * x


def published_cache_prices(api_prices: list[dict]) -> list[dict]:
    """Rows of the API price list that state a cached-input price, with numbers parsed.

    Keys: provider, model, input_usd_per_mtok, cached_input_usd_per_mtok, cached_input_fraction,
    date_seen, source. Rows without a cached-input fraction are left out.
    """
    rows = []
    for row in api_prices:
        fraction = (row.get("cached_input_fraction") or "").strip()
        if not fraction:
            continue
        rows.append({
            "provider": row.get("provider", ""), "model": row.get("model", ""),
            "input_usd_per_mtok": float(row.get("input_usd_per_mtok") or "nan"),
            "cached_input_usd_per_mtok": float(row.get("cached_input_usd_per_mtok") or "nan"),
            "cached_input_fraction": float(fraction),
            "date_seen": row.get("date_seen", ""), "source": row.get("source", ""),
        })
    return rows


# --- reasoning tokens ----------------------------------------------------------------------------


def reasoning_knee_tokens(context_knee_tokens: float, prompt_tokens: int, answer_tokens: int) -> float:
    """Reasoning tokens at which the mean context P + (G_reason + G_ans)/2 reaches the context
    knee: 2·(L_crit − P) − G_ans, and 0 when the prompt is already past it (inf if no knee)."""
    if math.isinf(context_knee_tokens):
        return math.inf
    return max(0.0, 2.0 * (context_knee_tokens - prompt_tokens) - answer_tokens)


def reasoning_sweep(dep: Deployment, prompt_tokens: int, answer_tokens: int, reasoning_tokens,
                    batch: int = 64) -> dict[str, np.ndarray]:
    """`caching.reasoning_curve`, vectorised: one decode-step call over every answer's sampled
    contexts (the same samples as `metrics.mean_decode_step_s`) instead of one call per point.

    Returns arrays keyed reasoning_tokens, usd_per_answer, latency_s, usd_per_output_token.
    """
    counts = np.asarray(reasoning_tokens).reshape(-1)
    if counts.size > MAX_POINTS:
        raise ValueError(f"reasoning_tokens: at most {MAX_POINTS} points; got {counts.size}")
    for g in counts:
        check_int("reasoning_tokens", g, 0, 1_000_000, "tokens")
    answer = check_int("answer_tokens", answer_tokens, 1, 1_000_000, "tokens")
    first = request_cost(dep, prompt_tokens, answer, batch)  # prefill and prompt checks, shared by every point
    out = counts.astype(float) + answer
    check_int("output_tokens", int(out.max()), 1, MAX_TOKENS, "tokens")
    samples = np.minimum(out, _DECODE_SAMPLES)
    columns = np.arange(_DECODE_SAMPLES, dtype=float)
    steps = np.maximum(samples - 1, 1)[:, None]
    contexts = prompt_tokens + np.where(samples[:, None] > 1, columns[None, :] * (out[:, None] - 1) / steps, 0.0)
    valid = columns[None, :] < samples[:, None]
    step_s = decode_step(dep, first.batch, np.where(valid, contexts, prompt_tokens)).time_s
    tpot_s = np.sum(np.where(valid, step_s, 0.0), axis=1) / samples
    usd_output = metrics.replica_usd_per_s(dep) * out * tpot_s / first.batch
    return {
        "reasoning_tokens": counts.astype(np.int64),
        "usd_per_answer": first.usd_input + usd_output,
        "latency_s": first.ttft_s + out * tpot_s,
        "usd_per_output_token": usd_output / out,
    }


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

    always: caching.ReasoningCost
    easy: caching.ReasoningCost  # an easy question under the adaptive policy
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
    always = caching.reasoning_cost(dep, prompt_tokens, hard_reasoning_tokens, answer_tokens, batch)
    easy = caching.reasoning_cost(dep, prompt_tokens, easy_reasoning_tokens, answer_tokens, batch)
    return PolicyComparison(always, easy, share)


# --- model size and lifetime cost ----------------------------------------------------------------


def demand_levels(inference_tokens: float) -> list[float]:
    """Lifetime inference demands to draw beside the chosen one: 0, D/10, D, 10·D (or 0, 1e12,
    1e13, 1e14 tokens when D = 0), each at most scaling.MAX_TOKENS."""
    d = check_float("inference_tokens", inference_tokens, 0, scaling.MAX_TOKENS, "tokens")
    levels = [0.0, d / 10, d, d * 10] if d > 0 else [0.0, 1e12, 1e13, 1e14]
    return sorted({min(level, scaling.MAX_TOKENS) for level in levels})


@dataclass(frozen=True)
class LifetimeComparison:
    """The Chinchilla-optimal model of a reference size against the lifetime-optimal one that
    reaches the same loss, both serving the same lifetime inference demand."""

    chinchilla: scaling.LifetimePlan
    optimal: scaling.LifetimePlan
    by_usd: bool  # the optimum minimises USD (else FLOPs)

    @property
    def flops_saving_fraction(self) -> float:
        return 1.0 - self.optimal.total_flops / self.chinchilla.total_flops

    @property
    def usd_saving_fraction(self) -> float:
        return 1.0 - self.optimal.usd / self.chinchilla.usd


def lifetime_comparison(fit: scaling.LossFit, reference_params: float, inference_tokens: float,
                        usd_per_train_flop: float, usd_per_inference_flop: float,
                        by_usd: bool = False) -> LifetimeComparison:
    """Target loss = the Chinchilla-optimal `reference_params` model's; optimum by FLOPs (Sardana
    et al.) or, when `by_usd`, by USD. Both plans carry USD at the given prices per FLOP."""
    target = scaling.chinchilla_plan(fit, reference_params).loss
    chin = scaling.lifetime_plan(fit, reference_params, target, inference_tokens, usd_per_train_flop,
                                 usd_per_inference_flop)
    weights = (usd_per_train_flop, usd_per_inference_flop) if by_usd else (None, None)
    best = scaling.lifetime_optimal(fit, target, inference_tokens, *weights)
    optimal = scaling.lifetime_plan(fit, best.params, target, inference_tokens, usd_per_train_flop,
                                    usd_per_inference_flop)
    return LifetimeComparison(chin, optimal, by_usd)


def lifetime_cost_curves(fit: scaling.LossFit, target_loss: float, reference_params: float, demands,
                         params, train_weight: float = 1.0, inference_weight: float = 1.0) -> np.ndarray:
    """Lifetime cost of models of `params` trained to `target_loss`, one row per demand, relative
    to a `reference_params` model at the same demand; nan where a size cannot reach the loss.

    cost(N, D_inf) = w_train · 6·N·D(N, ℓ) + w_inf · 2·N·D_inf (weights 1: FLOPs; USD per FLOP: USD).
    """
    n = np.asarray(params, dtype=float).reshape(-1)
    d_inf = np.asarray(demands, dtype=float).reshape(-1)
    if n.size > MAX_POINTS or d_inf.size > 16:
        raise ValueError(f"params: at most {MAX_POINTS} sizes and 16 demands per call")
    for d in d_inf:
        check_float("inference_tokens", d, 0, scaling.MAX_TOKENS, "tokens")

    def cost(sizes):
        train = scaling.tokens_to_reach_loss(fit, sizes, target_loss)
        return (train_weight * scaling.training_flops(sizes, train)[None, :]
                + inference_weight * scaling.inference_flops(sizes[None, :], d_inf[:, None]))

    reference = cost(np.array([float(reference_params)]))
    with np.errstate(invalid="ignore"):
        relative = cost(n) / reference
    return np.where(np.isfinite(relative), relative, np.nan)


def size_grid(fit: scaling.LossFit, target_loss: float, reference_params: float, points: int = 80) -> np.ndarray:
    """Model sizes from just above the smallest that can reach `target_loss` to 3× the reference."""
    n_min = scaling.min_params_for_loss(fit, target_loss)
    hi = max(3.0 * reference_params, 4.0 * n_min)
    return np.geomspace(n_min * 1.02, hi, _points("points", points))


@dataclass(frozen=True)
class SardanaReproduction:
    """Sardana et al.'s Fig. 1 example recomputed with a loss fit: a 13B Chinchilla-optimal
    model vs a 7B model trained to the same loss, both serving 2T tokens."""

    big: scaling.LifetimePlan
    small: scaling.LifetimePlan
    optimal: scaling.LifetimePlan

    @property
    def saving_fraction(self) -> float:
        return 1.0 - self.small.total_flops / self.big.total_flops

    @property
    def optimal_saving_fraction(self) -> float:
        return 1.0 - self.optimal.total_flops / self.big.total_flops


SARDANA_REFERENCE_PARAMS = 13e9
SARDANA_SMALL_PARAMS = 7e9
SARDANA_INFERENCE_TOKENS = 2e12
SARDANA_PUBLISHED_SAVING = 0.17  # Sardana et al. 2024, Fig. 1: 1.7e22 FLOPs (17%)


def sardana_reproduction(fit: scaling.LossFit) -> SardanaReproduction:
    """The published example's setting with `fit`'s constants (FORMULAS.md section 16's caution:
    this does not give the published 17%; only the direction is robust)."""
    big = scaling.chinchilla_plan(fit, SARDANA_REFERENCE_PARAMS, SARDANA_INFERENCE_TOKENS)
    small = scaling.lifetime_plan(fit, SARDANA_SMALL_PARAMS, big.loss, SARDANA_INFERENCE_TOKENS)
    optimal = scaling.lifetime_optimal(fit, big.loss, SARDANA_INFERENCE_TOKENS)
    return SardanaReproduction(big, small, optimal)
