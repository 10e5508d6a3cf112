"""The parallel layout of a replica, stated: who holds which weights, how many tokens reach an expert,
and which network levels the collectives cross (docs/formulas.md F123, F122).

Routing is assumed balanced (DeepSeek's redundant experts and EPLB; DeepSeek's profiles simulate it):
every chip gets its share of the expert tokens, so no load-imbalance factor is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.core.deployment import Deployment

LOAD_IMBALANCE = 1.0  # slowest chip's expert tokens / the mean (balanced routing, stated assumption)


@dataclass(frozen=True)
class Layout:
    """A replica's layout for one decode step of `batch` sequences."""

    chips: int
    tp: int
    ep: int
    attention_dp: bool
    experts_per_chip: float  # routed experts each chip stores (whole experts under EP, shares under TP)
    tokens_per_expert: float  # routed token-expert pairs per expert per decode step
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
    return Layout(dep.chips, dep.tp_degree, dep.ep, dep.attention_dp, experts, per_expert * LOAD_IMBALANCE, s, g)
