"""The parallel layout of a replica, stated: who holds which weights, how many tokens reach an expert,
and which network levels the collectives cross (docs/formulas.md F123, F122, F131).

Routing (key `routing`, F141): `balanced` gives every chip exactly its share of the expert tokens
(DeepSeek's profiles simulate that); `random` balances only the expected loads (EPLB's redundant,
rearranged experts) and routes each token-expert pair at random, so a step waits for the chip
that drew the most: mean + E[max of n normals]·σ of a binomial load.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from model.core.deployment import Deployment
from model.core.overlap import splits


@functools.lru_cache(maxsize=256)
def expected_max_normal(n: int) -> float:
    """E[max of n independent standard normals] = ∫ x·n·φ(x)·Φ(x)^(n−1) dx by quadrature (F141); 0 for n = 1."""
    if n < 2:
        return 0.0
    x = np.linspace(-9.0, 9.0, 3601)
    cdf = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    density = n * np.exp(-x * x / 2) / math.sqrt(2 * math.pi) * cdf ** (n - 1)
    return float(np.trapezoid(x * density, x))


def routing_imbalance(dep: Deployment, tokens) -> np.ndarray:
    """The slowest chip's routed token-expert pairs / the mean for one pass of `tokens` tokens (F141):
    1 when routing is balanced or there is no expert parallelism; with random routing
    1 + z_n / √μ, μ = tokens·k / n pairs per chip over the n = `ep` chips."""
    tokens = np.asarray(tokens, dtype=float)
    if not (dep.random_routing and dep.expert_parallel):
        return np.ones_like(tokens)
    pairs = np.maximum(tokens * dep.model.experts_active / dep.ep, 1.0)
    return 1 + expected_max_normal(dep.ep) / np.sqrt(pairs)


@dataclass(frozen=True)
class Layout:
    """A replica's layout for one decode step of `batch` sequences."""

    chips: int
    tp: int
    ep: int
    attention_dp: bool
    experts_per_chip: float  # routed experts each chip stores a share of (E / ep; whole when ep = chips)
    tokens_per_expert: float  # routed token-expert pairs per expert per decode step (the mean)
    imbalance: float  # slowest chip's routed pairs / the mean (1: balanced routing, F141)
    chips_per_domain: int
    domains: int
    expert_tp: int = 1  # chips each routed expert is tensor-parallel over (chips / ep under EP, F131)

    @property
    def experts_phrase(self) -> str:
        """'N routed experts per chip', with the share each holds under expert TP."""
        share = f" (each split over {self.expert_tp} chips)" if self.ep > 1 and self.expert_tp > 1 else ""
        return f"{self.experts_per_chip:.3g} routed experts per chip{share}"

    @property
    def routing_text(self) -> str:
        """The balance assumption in words (F141)."""
        if self.imbalance == 1:
            return "routing balanced: each chip its exact share"
        return f"routing random: the busiest chip gets {self.imbalance:.3f}x the mean"

    @property
    def label(self) -> str:
        if self.ep > 1:
            experts = f"EP{self.ep}" + (f" x expert TP{self.expert_tp}" if self.expert_tp > 1 else "")
            return f"{experts}, " + ("attention DP" if self.attention_dp else f"attention TP{self.tp}")
        return f"TP{self.chips}" + (", attention DP" if self.attention_dp else "")


def layout(dep: Deployment, batch: float) -> Layout:
    """The layout `dep` runs one decode step of `batch` sequences with (1 + spec tokens each)."""
    m = dep.model
    per_step = batch * (1 + dep.spec_tokens)
    experts = m.experts / dep.ep if dep.expert_parallel else float(m.experts)
    per_expert = per_step * m.experts_active / m.experts if m.is_moe else 0.0
    s, g = dep.network.domain(dep.chips)
    per_pass = per_step / 2 if dep.overlap and splits(batch, 1, decode=True) else per_step  # two micro-batches
    imbalance = float(routing_imbalance(dep, per_pass))
    return Layout(dep.chips, dep.tp_degree, dep.ep, dep.attention_dp, experts, per_expert, imbalance, s, g,
                  dep.expert_tp if dep.expert_parallel else dep.chips)
