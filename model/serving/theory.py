"""What static batching gives up, in expectation (docs/formulas.md F43).

`slot_gain(dist, B)`: E[max_{i≤B} G_i] / E[G], the throughput a static batch of B gives up by
running until its longest request ends, computed exactly for the drawn integer distribution
(E[X] = Σ_{k≥0} P(X > k) and P(max ≤ k) = F(k)^B). Closed forms: `harmonic(B)` = H_B for
(uncapped) exponential G, `uniform_gain(B)` = 2B/(B+1) for uniform G on [1, G_max].
`gain_check` sets a simulated saturated comparison beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.fields import check_int
from model.serving.results import ServingResult
from model.serving.workload import (
    SIMULATOR_MAX_BATCH,
    SIMULATOR_MAX_OUTPUT_TOKENS,
    LengthDist,
    length_dist,
)


def _cdf(dist: LengthDist) -> np.ndarray:
    """P(G ≤ k) for k = 0 … high_tokens."""
    k = np.arange(dist.high_tokens + 1, dtype=float)
    if dist.kind == "fixed":
        return (k >= dist.low_tokens).astype(float)
    if dist.kind == "uniform":
        return np.clip((k - dist.low_tokens + 1) / (dist.high_tokens - dist.low_tokens + 1), 0.0, 1.0)
    theta = max(dist.mean_tokens - 0.5, 1e-9)  # G = clip(ceil(Exp(θ)), 1, cap), as LengthDist.sample draws it
    cdf = np.where(k >= 1, -np.expm1(-k / theta), 0.0)
    cdf[-1] = 1.0
    return cdf


def slot_gain(dist: LengthDist, batch: int) -> float:
    """E[max of `batch` iid draws] / E[draw]: static batching's idle-slot factor."""
    batch = check_int("batch", batch, 1, SIMULATOR_MAX_BATCH, "sequences")
    cdf = _cdf(dist)[:-1]  # P(G > k) = 1 − F(k) for k = 0 … high − 1
    return float(np.sum(1.0 - cdf**batch) / np.sum(1.0 - cdf))


def harmonic(batch: int) -> float:
    """H_B = 1 + 1/2 + … + 1/B: E[max]/E[G] for B exponential draws."""
    return float(np.sum(1.0 / np.arange(1, batch + 1)))


def uniform_gain(batch: int) -> float:
    """2B/(B + 1): E[max]/E[G] for B uniform draws on [1, G_max], large G_max."""
    return 2 * batch / (batch + 1)


@dataclass(frozen=True)
class GainCheck:
    """A saturated static-vs-continuous run beside the expected slot gain at the static batch limit."""

    batch: int  # B: the static batch limit
    simulated: float  # continuous / static output tokens/s
    occupancy_gain: float  # 1 / static slot occupancy
    expected: float  # slot_gain(output distribution, B)
    closed_form: float | None  # H_B (exponential), 2B/(B+1) (uniform); None for fixed lengths


def gain_check(static: ServingResult, continuous: ServingResult, output_kind: str,
               output_mean_tokens: int) -> GainCheck:
    """Compare the two saturated results with the gain `length_dist(output_kind, output_mean_tokens)` predicts."""
    dist = length_dist(output_kind, output_mean_tokens, SIMULATOR_MAX_OUTPUT_TOKENS)
    batch = static.batch_limit
    closed = {"exponential": harmonic, "uniform": uniform_gain}.get(output_kind)
    return GainCheck(batch=batch, simulated=continuous.throughput_gain_over(static),
                     occupancy_gain=1 / static.slot_occupancy, expected=slot_gain(dist, batch),
                     closed_form=closed(batch) if closed else None)
