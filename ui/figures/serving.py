"""Figures of the continuous-batching page (pages/serving.py; results from ui.cached.simulate)."""

from __future__ import annotations

import plotly.graph_objects as go

from model.serving.results import ecdf
from ui import format as fmt
from ui.figures import factory
from ui.text.serving import LABELS

BAR_LABELS = {"static": "static<br>batching", "continuous": "continuous +<br>PagedAttention",
              "chunked": "continuous +<br>chunked prefill"}
COLORS = {"static": "#7f7f7f", "continuous": "#1f77b4", "chunked": "#2ca02c"}


def throughput_bars(results: dict) -> go.Figure:
    """Output tokens/s per policy, each bar labelled with its USD per 1M output tokens."""
    fig = factory.figure("Throughput and cost per policy", "", "output tokens/s per replica", height=factory.TALL)
    policies = list(results)
    fig.add_trace(go.Bar(
        x=[BAR_LABELS[p] for p in policies], y=[results[p].output_tokens_per_s for p in policies],
        marker_color=[COLORS[p] for p in policies], showlegend=False,
        text=[f"{fmt.token_rate(results[p].output_tokens_per_s)}<br>{fmt.usd(results[p].usd_per_m_output)} / 1M out"
              for p in policies], textposition="auto",
        hovertemplate="%{x}: %{y:,.0f} output tokens/s<extra></extra>"))
    return fig


def memory_bars(results: dict) -> go.Figure:
    """KV memory each policy reserved (mean over decode steps), split into what holds tokens and what is empty."""
    fig = factory.figure("KV-cache memory: reserved vs used", "GB per replica (mean over decode steps)", "",
                         height=factory.TALL, barmode="stack")
    policies = list(results)[::-1]
    parts = (("used: holds tokens", COLORS["continuous"], lambda r: r.kv_used_bytes),
             ("reserved but empty (waste)", "#d62728", lambda r: r.kv_waste_bytes))
    for name, color, value in parts:
        fig.add_trace(go.Bar(
            y=[BAR_LABELS[p] for p in policies], x=[value(results[p]) / 1e9 for p in policies], name=name,
            orientation="h", marker_color=color, customdata=[results[p].kv_capacity_bytes / 1e9 for p in policies],
            hovertemplate="%{x:,.2f} GB of %{customdata:,.0f} GB for KV<extra>" + name + "</extra>"))
    return fig


def distribution(results: dict, attribute: str, title: str, x_title: str) -> go.Figure:
    """Empirical CDFs (ms, log x) of one per-request latency, one line per policy."""
    traces = []
    for policy, r in results.items():
        x, y = ecdf(getattr(r, attribute))
        traces.append(factory.trace(x * 1e3, y, LABELS[policy], COLORS[policy],
                                    hover="%{y:.0%} of requests within %{x:,.4g} ms<extra></extra>"))
    return factory.figure(title, x_title, "fraction of requests", traces, log_x=True, y_range=[0, 1.02],
                          y_axis=dict(tickformat=".0%"), height=factory.TALL)
