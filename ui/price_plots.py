"""Figures of the Prefill-vs-decode view: prices and their ratio, the decode step breakdown, API ratios."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from model.pricing.published import RatioGroup
from model.pricing.sweeps import PriceSweep

from . import charts

PART_LABELS = {"weights": "weights (HBM)", "kv_cache": "KV cache (HBM)", "activations": "activations (HBM)",
               "compute": "compute", "comms": "comms (all-reduce)", "overhead": "fixed overhead"}
RATIO_COLOR = "#555555"
BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.28, xanchor="left", x=0)


def from_to(values, show) -> str:
    """'from $48.81 to $0.989': the first and last value of a sweep, formatted by `show`."""
    return f"from {show(float(values[0]))} to {show(float(values[-1]))}"


def log_ticks(values, label) -> dict:
    """Log-axis ticks 1-2-5 per decade (1 if too many, 1-1.5-2-3-5-7 if too few) around the positive `values`."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = float(v.min()), float(v.max())
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    for mantissas in ((1, 2, 5), (1,), (1, 1.5, 2, 3, 5, 7)):
        ticks = [m * 10.0 ** e for e in decades for m in mantissas if lo / 1.6 <= m * 10.0 ** e <= hi * 1.6]
        if 2 <= sum(lo <= x <= hi for x in ticks) <= 8:
            break
    return dict(tickvals=ticks, ticktext=[label(x) for x in ticks])


def price_figure(sweep: PriceSweep, title: str, x_title: str, current_x: float, current_label: str,
                 no_fit_from: float, no_fit_label: str) -> go.Figure:
    """USD per 1M input and output tokens (left, log) and their ratio (right, log) against a log x."""
    fig = charts.figure(title, x_title, "USD per 1M tokens", log_x=True, log_y=True)
    charts.line(fig, sweep.x, sweep.usd_per_m_output, "output (decode)", charts.PALETTE["decode"],
                hover="%{x:,.0f}: $%{y:.3g} per 1M output tokens<extra></extra>")
    charts.line(fig, sweep.x, sweep.usd_per_m_input, "input (prefill)", charts.PALETTE["prefill"],
                hover="%{x:,.0f}: $%{y:.3g} per 1M input tokens<extra></extra>")
    charts.line(fig, sweep.x, sweep.output_input_ratio, "output / input (right axis)", RATIO_COLOR, "dash",
                hover="%{x:,.0f}: output costs %{y:.3g}x input<extra></extra>")
    fig.data[-1].update(yaxis="y2")
    fig.update_layout(yaxis2=dict(title="output / input price (x)", overlaying="y", side="right", type="log",
                                  showgrid=False, **log_ticks(sweep.output_input_ratio, lambda x: f"{x:g}x")))
    fig.update_layout(yaxis=log_ticks(np.concatenate([sweep.usd_per_m_input, sweep.usd_per_m_output]), lambda x: f"${x:g}"))
    if no_fit_from < sweep.x.max():
        fig.add_vrect(x0=no_fit_from, x1=float(sweep.x.max()), fillcolor="#999999", opacity=0.15, line_width=0,
                      annotation_text=no_fit_label, annotation_position="bottom left", annotation_font_size=10)
        fig.layout.annotations[-1].update(x=math.log10(no_fit_from))
    fig.update_layout(height=430, legend=BOTTOM_LEGEND)
    fig.update_xaxes(range=[math.log10(sweep.x.min()), math.log10(sweep.x.max())])
    return charts.vertical_marker(fig, current_x, current_label)


def breakdown_figure(batches, parts_s: dict[str, np.ndarray], step_s, batch: int) -> go.Figure:
    """Shares of the decode step time (stacked to 100%) and the step time itself (right axis)."""
    fig = charts.figure("Where a decode step's time goes", "batch (sequences per decode step)",
                        "share of decode step time (%)", log_x=True)
    for name, seconds in parts_s.items():
        fig.add_trace(go.Scatter(
            x=batches, y=seconds * 1e3, name=PART_LABELS[name], mode="lines", stackgroup="parts", groupnorm="percent",
            line=dict(width=0.5, color=charts.PALETTE[name]), fillcolor=charts.PALETTE[name],
            hovertemplate=f"batch %{{x:,.0f}}: {PART_LABELS[name]} %{{y:.3g}} ms<extra></extra>"))
    charts.line(fig, batches, step_s * 1e3, "step time = TPOT (right axis)", charts.PALETTE["floor"], "dot",
                hover="batch %{x:,.0f}: step %{y:.3g} ms<extra></extra>")
    fig.data[-1].update(yaxis="y2")
    fig.update_layout(yaxis2=dict(title="decode step time (ms)", overlaying="y", side="right", type="log", showgrid=False,
                                  **log_ticks(step_s * 1e3, lambda x: f"{x:g} ms")), yaxis=dict(range=[0, 100]), height=430, legend=BOTTOM_LEGEND)
    return charts.vertical_marker(fig, batch, f"batch {batch}")


def api_ratio_figure(groups: list[RatioGroup], model_ratio: float, model_label: str) -> go.Figure:
    """Published output/input price ratios (grouped by provider and ratio) beside the model's."""
    names = [f"{g.provider} ({len(g.models)} model{'s' if len(g.models) > 1 else ''})" for g in groups]
    fig = charts.figure("Output / input price: published APIs vs this scenario", "output price / input price (x)", "")
    fig.add_trace(go.Bar(
        x=[g.out_in_ratio for g in groups], y=names, orientation="h", name="published API list prices",
        marker_color=charts.PALETTE["published"], text=[f"{g.out_in_ratio:.3g}x" for g in groups], customdata=[", ".join(g.models) for g in groups],
        hovertemplate="%{y}: %{x:.3g}x<br>%{customdata}<extra></extra>"))
    fig.add_trace(go.Bar(
        x=[model_ratio], y=[model_label], orientation="h", name="this scenario (model)", marker_color=charts.PALETTE["model"],
        text=[f"{model_ratio:.3g}x"],
        hovertemplate="%{y}: %{x:.3g}x<extra></extra>"))
    charts.vertical_marker(fig, model_ratio, "", charts.PALETTE["model"])
    fig.update_yaxes(type="category", automargin=True)
    fig.update_layout(height=430, legend=BOTTOM_LEGEND, bargap=0.3)
    return fig
