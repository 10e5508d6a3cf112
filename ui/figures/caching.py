"""Figures of the "Caching & reasoning" page (pages/caching.py)."""

from __future__ import annotations

import numpy as np

from model.caching.prefix_cache import published_bill_fraction
from model.caching.reasoning import PolicyComparison
from ui import format as fmt
from ui.figures import factory

PUBLISHED = factory.PALETTE["published"]


def hit_rate_figure(sizes, rates, cached: int, hit: float, cacheable: float):
    traces = [factory.trace(sizes, 100 * np.asarray(rates), "hit rate h(K)", factory.PALETTE["model"],
                       hover="K = %{x:,.0f}: %{y:.1f}% of queries<extra></extra>")]
    if cached > 0:
        traces.append(factory.trace([min(cached, sizes[-1])], [100 * hit], "this cache", PUBLISHED, mode="markers",
                               hover="K = %{x:,.0f}: %{y:.1f}%<extra></extra>", marker=dict(size=11)))
    return factory.figure("Answer-cache hit rate against cache size", "answers cached K (top K questions)",
                     "hit rate, % of all queries", traces, log_x=True,
                     y_range=[0, min(105, max(130 * cacheable, 10))],
                     hlines=[(100 * cacheable, f"cacheable share {fmt.fraction(cacheable)} (ceiling)")])


def _providers(published: list[dict], fraction: float) -> str:
    names = sorted({row["provider"] for row in published if row["cached_input_fraction"] == fraction})
    return ", ".join(names)


def prefix_figure(sweep: dict, fractions: list[float], published: list[dict], share: float, tier_label: str):
    x, low, high = 100 * sweep["cached_share"], fractions[0], fractions[-1]
    hover = "%{x:.0f}% cached: %{y:.1f}%<extra></extra>"
    traces = [
        factory.trace(x, 100 * sweep["cost_fraction"], f"this model: input cost (cache in {tier_label})",
                 factory.PALETTE["prefill"], hover=hover),
        factory.trace(x, 100 * sweep["flops_fraction"], "this model: prefill FLOPs", factory.PALETTE["compute"], "dot", hover),
        factory.trace(x, 100 * published_bill_fraction(sweep["cached_share"], high),
                 f"published: cached input at {high * 100:.3g}% ({_providers(published, high)})", PUBLISHED, "dash", hover),
        factory.trace(x, 100 * published_bill_fraction(sweep["cached_share"], low),
                 f"published: cached input at {low * 100:.3g}% ({_providers(published, low)})", PUBLISHED, "dot", hover,
                 fill="tonexty", fillcolor="rgba(255,127,14,0.12)"),
    ]
    return factory.figure("Input bill left with a cached prefix: this model vs published cached prices",
                     "cached prefix, % of the prompt", "% of the uncached input cost", traces, y_range=[0, 105],
                     vlines=[(100 * share, "this prefix")], height=460, legend=factory.LEGEND_BELOW,
                     margin=dict(l=10, r=10, t=40, b=10))


def reasoning_figure(curve: dict, linear, policies: PolicyComparison, knee_tokens: float):
    g = curve["reasoning_tokens"]
    hover = "%{x:,} reasoning tokens: $%{y:.3g} per 1,000<extra></extra>"
    traces = [
        factory.trace(g, 1e3 * curve["usd_per_answer"], "this model (roofline)", factory.PALETTE["decode"], hover=hover),
        factory.trace(g, 1e3 * np.asarray(linear), "if every token cost what the first ones do", factory.PALETTE["weights"],
                 "dash", hover),
    ]
    points = [("always-think", policies.always, PUBLISHED), ("adaptive, easy question", policies.easy,
                                                             factory.PALETTE["compute"])]
    for name, cost, color in points:
        traces.append(factory.trace([cost.reasoning_tokens], [1e3 * cost.usd_per_answer], name, color, hover=hover,
                               mode="markers", marker=dict(size=11)))
    knee = [(knee_tokens, "mean context passes the context knee")] if 0 < knee_tokens < g[-1] else []
    return factory.figure("Cost per 1,000 answers against reasoning tokens", "reasoning tokens per answer (G_reason)",
                     "USD per 1,000 answers", traces, vlines=knee)
