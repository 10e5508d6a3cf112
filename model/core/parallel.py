"""The parallel layout of a replica, stated: who holds which weights, how many tokens reach an expert,
and which network levels the collectives cross (docs/formulas.md F123, F122).

Routing (key `routing`, F141): `balanced` gives every chip exactly its share of the expert tokens
(DeepSeek's profiles simulate that); `random` balances only the expected loads (EPLB's redundant,
rearranged experts) and routes each token-expert pair at random, so a step waits for the chip
that drew the most: mean + E[max of n normals]·σ of a binomial load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.core.deployment import Deployment


def expected_max_normal(n: int) -> float:
    """E[max of n independent standard normals], the extreme-value approximation
    √(2 ln n) − (ln ln n + ln 4π) / (2√(2 ln n)) (F141); 0 for n = 1."""
    if n < 2:
        return 0.0
    root = math.sqrt(2 * math.log(n))
    return max(0.0, root - (math.log(math.log(n)) + math.log(4 * math.pi)) / (2 * root))


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
    experts_per_chip: float  # routed experts each chip stores (whole experts under EP, shares under TP)
    tokens_per_expert: float  # routed token-expert pairs per expert per decode step (the mean)
    imbalance: float  # slowest chip's routed pairs / the mean (1: balanced routing, F141)
    chips_per_domain: int
    domains: int

    @property
    def label(self) -> str:
        if self.ep > 1:
            return f"EP{self.ep}, " + ("attention DP" if self.attention_dp else f"attention TP{self.tp}")
        return f"TP{self.chips}" + (", attention DP" if self.attention_dp else "")


def layout(dep: Deployment, batch: float) -> Layout:
    """The layout `dep` runs one decode step of `batch` sequences with (1 + spec tokens each)."""
    m = dep.model
    per_step = batch * (1 + dep.spec_tokens)
    experts = m.experts / dep.chips if dep.expert_parallel else float(m.experts)
    per_expert = per_step * m.experts_active / m.experts if m.is_moe else 0.0
    s, g = dep.network.domain(dep.chips)
    imbalance = float(routing_imbalance(dep, per_step))
    return Layout(dep.chips, dep.tp_degree, dep.ep, dep.attention_dp, experts, per_expert, imbalance, s, g)
