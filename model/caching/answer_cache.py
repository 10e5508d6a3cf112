"""Answer caching of frequent, static questions (docs/formulas.md F54–F56).

Query i of a catalogue of M distinct questions has Zipf popularity p_i = i^(−s) / H(M, s), with
H(n, s) = Σ_{i≤n} i^(−s) the generalised harmonic number. A cache of the K most popular answers
is hit with probability

    h(K) = f · H(K, s) / H(M, s)            (f: the fraction of traffic that is cacheable at all)

and a request then costs, on average, h·c_hit + (1 − h)·(c_in(P) + c_out(G)) (docs/formulas.md F56), with
the miss priced by the roofline (`request.request_cost`: prefill plus decode) and a hit costing
`hit_usd` (default 0: no GPU) and taking `hit_latency_s` (an assumption, default 5 ms for a
lookup in a key-value store; no published source). Hit rates of real traffic are not published:
the Zipf exponent and the cacheable fraction are model inputs. The hit-rate curve is h(K) on a
log grid of cache sizes K ≤ M.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.fields import check_float, check_int
from model.core.deployment import Deployment
from model.core.grids import log_grid
from model.core.request import request_cost

MAX_CATALOGUE = 10**12
MAX_EXPONENT = 4.0
MAX_POINTS = 200  # points per curve: bounds the work a page asks for
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


def hit_rate_curve(catalogue_size: int, exponent: float, cacheable_fraction: float,
                   points: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """(cache sizes K from 1 to M on a log grid, hit rate at each K)."""
    m = check_int("catalogue_size", catalogue_size, 1, MAX_CATALOGUE, "questions")
    sizes = log_grid(1, m, check_int("points", points, 2, MAX_POINTS, "points"))
    return sizes, zipf_hit_rate(sizes, m, exponent, cacheable_fraction)


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
