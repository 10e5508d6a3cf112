"""Prefix (KV) caching (docs/formulas.md F57; [Austin 2025] Part 7 "Prefix caching").

A prompt of P tokens whose first p are cached needs the prefill of the P − p new tokens attending
to the p cached ones, F_prefill(P) − F_prefill(p) FLOPs, plus reading the cache. In HBM that read
is the roofline's KV term; from another tier (host DRAM, SSD) it first costs p·k_tok / tier
bandwidth. One vectorised evaluation (`prefix_cache_curve`) serves one cached length
(`prefix_cache`) and a sweep over cached shares x = p/P of the prompt (`prefix_sweep`).

    published discount   input bill left when a share x of the prompt is billed at fraction φ:
                         (1 − x) + φ·x
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.fields import check_float, check_int
from model.base.limits import MAX_BATCH, MAX_TOKENS
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import prefill

MAX_POINTS = 200  # cached lengths per sweep: bounds the work a page asks for


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


def prefix_cache_curve(dep: Deployment, prompt_tokens: int, cached_tokens, batch: int = 1,
                       tier_bytes_per_s: float | None = None) -> dict[str, np.ndarray]:
    """Prefill of a `prompt_tokens` prompt with each of `cached_tokens` (an array, at most 200
    values) already in a prefix cache, in one prefill call per quantity.

    `tier_bytes_per_s`: bandwidth of the tier holding the cache when it is not HBM (e.g. the
    host link); None means the cache sits in HBM, where the read is already in the prefill's KV
    term. The load time is added to TTFT and charged at the replica's price shared by `batch`.
    Returns arrays keyed cached_tokens, cached_share (p/P), flops_fraction, load_s, ttft_s,
    ttft_s_uncached, usd_input, usd_input_uncached, cost_fraction (usd_input / uncached).
    """
    prompt = check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens")
    batch = check_int("batch", batch, 1, MAX_BATCH, "sequences")
    cached = np.asarray(cached_tokens, dtype=float).reshape(-1)
    if cached.size > MAX_POINTS:
        raise ValueError(f"cached_tokens: at most {MAX_POINTS} values; got {cached.size}")
    for p in cached:
        check_int("cached_tokens", p, 0, prompt - 1, "tokens (at least one prompt token is new)")
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
        "load_s": load_s,
        "ttft_s": load_s + alone.time_s,
        "ttft_s_uncached": np.full_like(cached, float(full_alone.time_s)),
        "usd_input": usd_per_s * (batched.time_s + load_s) / batch,
        "usd_input_uncached": np.full_like(cached, usd_per_s * float(full_batched.time_s) / batch),
    }
    out["cost_fraction"] = out["usd_input"] / out["usd_input_uncached"]
    return out


def prefix_cache(dep: Deployment, prompt_tokens: int, cached_tokens: int, batch: int = 1,
                 tier_bytes_per_s: float | None = None) -> PrefixCacheResult:
    """Prefill of a `prompt_tokens` prompt whose first `cached_tokens` are in a prefix cache
    (`prefix_cache_curve` at one cached length)."""
    prompt = check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens")
    cached = check_int("cached_tokens", cached_tokens, 0, prompt - 1, "tokens (at least one prompt token is new)")
    one = {k: v[0] for k, v in prefix_cache_curve(dep, prompt, [cached], batch, tier_bytes_per_s).items()}
    return PrefixCacheResult(
        prompt_tokens=prompt, cached_tokens=cached, flops_fraction=float(one["flops_fraction"]),
        load_s=float(one["load_s"]), ttft_s=float(one["ttft_s"]), ttft_s_uncached=float(one["ttft_s_uncached"]),
        usd_input=float(one["usd_input"]), usd_input_uncached=float(one["usd_input_uncached"]),
    )


def cached_prefix_tokens(prompt_tokens: int, share: float) -> int:
    """p = round(share · P), at most P − 1 (at least one prompt token is new)."""
    prompt = check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens")
    share = check_float("share", share, 0.0, 1.0)
    return min(int(round(share * prompt)), prompt - 1)


def prefix_sweep(dep: Deployment, prompt_tokens: int, batch: int, shares,
                 tier_bytes_per_s: float | None = None) -> dict[str, np.ndarray]:
    """`prefix_cache_curve` at each cached share of the prompt (at most 200 shares; repeated
    cached lengths once, in increasing order)."""
    prompt = check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens")
    check_int("batch", batch, 1, MAX_BATCH, "sequences")
    shares = np.asarray(shares, dtype=float).reshape(-1)
    if shares.size > MAX_POINTS:
        raise ValueError(f"shares: at most {MAX_POINTS} values; got {shares.size}")
    cached = sorted({cached_prefix_tokens(prompt, float(x)) for x in shares})
    return prefix_cache_curve(dep, prompt, cached, batch, tier_bytes_per_s)


def published_bill_fraction(cached_share, price_fraction: float) -> np.ndarray:
    """Share of the uncached input bill left when `cached_share` of the prompt is billed at
    `price_fraction` of the input price: (1 − x) + φ·x."""
    x = np.asarray(cached_share, dtype=float)
    phi = check_float("price_fraction", price_fraction, 0.0, 1.0)
    return 1.0 - (1.0 - phi) * x
