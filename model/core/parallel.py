"""The parallel layout of a replica, stated: who holds which weights, how many tokens reach an expert,
and which network levels the collectives cross (docs/formulas.md F123, F122, F131).

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
    experts_per_chip: float  # routed experts each chip stores a share of (E / ep; whole when ep = chips)
    tokens_per_expert: float  # routed token-expert pairs per expert per decode step
    chips_per_domain: int
    domains: int
    expert_tp: int = 1  # chips each routed expert is tensor-parallel over (chips / ep under EP, F131)

    @property
    def experts_phrase(self) -> str:
        """'N routed experts per chip', with the share each holds under expert TP."""
        share = f" (each split over {self.expert_tp} chips)" if self.ep > 1 and self.expert_tp > 1 else ""
        return f"{self.experts_per_chip:.3g} routed experts per chip{share}"

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
    return Layout(dep.chips, dep.tp_degree, dep.ep, dep.attention_dp, experts, per_expert * LOAD_IMBALANCE, s, g,
                  dep.expert_tp if dep.expert_parallel else dep.chips)
