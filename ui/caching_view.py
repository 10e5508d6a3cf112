"""Figures and tables of the "Caching & reasoning" page (pages/caching.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.caching.answer_cache import AnswerCacheResult
from model.caching.prefix_cache import published_bill_fraction
from model.caching.reasoning import PolicyComparison

from . import charts
from . import format as fmt

PUBLISHED = charts.PALETTE["published"]


def less_or_more(saving_fraction: float) -> str:
    """'40% less' / '12% more' / 'the same'."""
    if abs(saving_fraction) < 0.005:
        return "the same cost"
    return f"{fmt.percent(abs(saving_fraction))} {'less' if saving_fraction > 0 else 'more'}"


def hit_rate_figure(sizes, rates, cached: int, hit: float, cacheable: float):
    traces = [charts.trace(sizes, 100 * np.asarray(rates), "hit rate h(K)", charts.PALETTE["model"],
                       hover="K = %{x:,.0f}: %{y:.1f}% of queries<extra></extra>")]
    if cached > 0:
        traces.append(charts.trace([min(cached, sizes[-1])], [100 * hit], "this cache", PUBLISHED, mode="markers",
                               hover="K = %{x:,.0f}: %{y:.1f}%<extra></extra>", marker=dict(size=11)))
    return charts.figure("Answer-cache hit rate against cache size", "answers cached K (top K questions)",
                     "hit rate, % of all queries", traces, log_x=True,
                     y_range=[0, min(105, max(130 * cacheable, 10))],
                     hlines=[(100 * cacheable, f"cacheable share {fmt.percent(cacheable)} (ceiling)")])


def answer_table(result: AnswerCacheResult, chip_s_uncached: float) -> pd.DataFrame:
    rows = [("without the cache", 0.0, result.usd_per_request_uncached, result.latency_s_uncached, chip_s_uncached),
            ("with the cache", result.hit_rate, result.usd_per_request, result.latency_s, result.chip_s_per_request)]
    frame = pd.DataFrame(rows, columns=["case", "hit_rate", "usd_per_request", "latency_s", "chip_s_per_request"])
    frame["usd_per_1000_requests"] = 1e3 * frame["usd_per_request"]
    return frame


def _providers(published: list[dict], fraction: float) -> str:
    names = sorted({row["provider"] for row in published if row["cached_input_fraction"] == fraction})
    return ", ".join(names)


def prefix_figure(sweep: dict, fractions: list[float], published: list[dict], share: float, tier_label: str):
    x, low, high = 100 * sweep["cached_share"], fractions[0], fractions[-1]
    hover = "%{x:.0f}% cached: %{y:.1f}%<extra></extra>"
    traces = [
        charts.trace(x, 100 * sweep["cost_fraction"], f"this model: input cost (cache in {tier_label})",
                 charts.PALETTE["prefill"], hover=hover),
        charts.trace(x, 100 * sweep["flops_fraction"], "this model: prefill FLOPs", charts.PALETTE["compute"], "dot", hover),
        charts.trace(x, 100 * published_bill_fraction(sweep["cached_share"], high),
                 f"published: cached input at {high * 100:.3g}% ({_providers(published, high)})", PUBLISHED, "dash", hover),
        charts.trace(x, 100 * published_bill_fraction(sweep["cached_share"], low),
                 f"published: cached input at {low * 100:.3g}% ({_providers(published, low)})", PUBLISHED, "dot", hover,
                 fill="tonexty", fillcolor="rgba(255,127,14,0.12)"),
    ]
    return charts.figure("Input bill left with a cached prefix: this model vs published cached prices",
                     "cached prefix, % of the prompt", "% of the uncached input cost", traces, y_range=[0, 105],
                     vlines=[(100 * share, "this prefix")], height=460, legend=charts.LEGEND_BELOW,
                     margin=dict(l=10, r=10, t=40, b=10))


def reasoning_figure(curve: dict, linear, policies: PolicyComparison, knee_tokens: float):
    g = curve["reasoning_tokens"]
    hover = "%{x:,} reasoning tokens: $%{y:.3g} per 1,000<extra></extra>"
    traces = [
        charts.trace(g, 1e3 * curve["usd_per_answer"], "this model (roofline)", charts.PALETTE["decode"], hover=hover),
        charts.trace(g, 1e3 * np.asarray(linear), "if every token cost what the first ones do", charts.PALETTE["weights"],
                 "dash", hover),
    ]
    points = [("always-think", policies.always, PUBLISHED), ("adaptive, easy question", policies.easy,
                                                             charts.PALETTE["compute"])]
    for name, cost, color in points:
        traces.append(charts.trace([cost.reasoning_tokens], [1e3 * cost.usd_per_answer], name, color, hover=hover,
                               mode="markers", marker=dict(size=11)))
    knee = [(knee_tokens, "mean context passes the context knee")] if 0 < knee_tokens < g[-1] else []
    return charts.figure("Cost per 1,000 answers against reasoning tokens", "reasoning tokens per answer (G_reason)",
                     "USD per 1,000 answers", traces, vlines=knee)


def policy_table(policies: PolicyComparison) -> pd.DataFrame:
    always, easy, e = policies.always, policies.easy, policies.easy_share
    rows = [
        ("always-think (every question)", always.reasoning_tokens, always.usd_per_answer, always.latency_s,
         always.time_to_answer_s),
        ("adaptive: easy question", easy.reasoning_tokens, easy.usd_per_answer, easy.latency_s, easy.time_to_answer_s),
        ("adaptive: mean over questions", policies.reasoning_tokens_adaptive, policies.usd_per_1000_adaptive / 1e3,
         policies.latency_s_adaptive, e * easy.time_to_answer_s + (1 - e) * always.time_to_answer_s),
    ]
    frame = pd.DataFrame(rows, columns=["policy", "reasoning_tokens", "usd_per_answer", "latency_s",
                                        "time_to_visible_answer_s"])
    frame["usd_per_1000_answers"] = 1e3 * frame["usd_per_answer"]
    return frame
