"""Figures of the Prefill-vs-decode page (pages/prefill_decode.py): prices and their ratio, the decode
step breakdown, published API ratios."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from model.pricing.published import RatioGroup
from model.pricing.sweeps import PriceSweep
from ui.figures import factory
from ui.figures.factory import PALETTE
from ui.text.prefill_decode import PART_LABELS

RATIO_COLOR = "#555555"
BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.28, xanchor="left", x=0)


def price_figure(sweep: PriceSweep, title: str, x_title: str, current_x: float, current_label: str,
                 no_fit_from: float, no_fit_label: str) -> go.Figure:
    """USD per 1M input and output tokens (left, log) and their ratio (right, log) against a log x."""
    traces = [
        factory.trace(sweep.x, sweep.usd_per_m_output, "output (decode)", PALETTE["decode"],
                      hover="%{x:,.0f}: $%{y:.3g} per 1M output tokens<extra></extra>"),
        factory.trace(sweep.x, sweep.usd_per_m_input, "input (prefill)", PALETTE["prefill"],
                      hover="%{x:,.0f}: $%{y:.3g} per 1M input tokens<extra></extra>"),
        factory.trace(sweep.x, sweep.output_input_ratio, "output / input (right axis)", RATIO_COLOR, "dash",
                      hover="%{x:,.0f}: output costs %{y:.3g}x input<extra></extra>", yaxis="y2"),
    ]
    fig = factory.figure(
        title, x_title, "USD per 1M tokens", traces, log_x=True, log_y=True, height=430, legend=BOTTOM_LEGEND,
        x_axis=dict(range=[math.log10(sweep.x.min()), math.log10(sweep.x.max())]),
        y_axis=factory.log_ticks(np.concatenate([sweep.usd_per_m_input, sweep.usd_per_m_output]), lambda x: f"${x:g}"),
        yaxis2=factory.right_log_axis("output / input cost (x)", sweep.output_input_ratio, lambda x: f"{x:g}x"))
    if no_fit_from < sweep.x.max():
        fig.add_vrect(x0=no_fit_from, x1=float(sweep.x.max()), fillcolor="#999999", opacity=0.15, line_width=0,
                      annotation_text=no_fit_label, annotation_position="bottom left", annotation_font_size=10)
        fig.layout.annotations[-1].update(x=math.log10(no_fit_from))
    return factory.vertical_marker(fig, current_x, current_label)


def breakdown_figure(batches, parts_s: dict[str, np.ndarray], step_s, batch: int) -> go.Figure:
    """Shares of the decode step time (stacked to 100%) and the step time itself (right axis)."""
    traces = [go.Scatter(
        x=batches, y=seconds * 1e3, name=PART_LABELS[name], mode="lines", stackgroup="parts", groupnorm="percent",
        line=dict(width=0.5, color=PALETTE[name]), fillcolor=PALETTE[name],
        hovertemplate=f"batch %{{x:,.0f}}: {PART_LABELS[name]} %{{y:.3g}} ms<extra></extra>")
        for name, seconds in parts_s.items()]
    traces.append(factory.trace(batches, step_s * 1e3, "step time = TPOT (right axis)", PALETTE["floor"], "dot",
                                hover="batch %{x:,.0f}: step %{y:.3g} ms<extra></extra>", yaxis="y2"))
    fig = factory.figure("Where a decode step's time goes", "batch (sequences per decode step)",
                         "share of decode step time (%)", traces, log_x=True, y_range=[0, 100], height=430,
                         legend=BOTTOM_LEGEND,
                         yaxis2=factory.right_log_axis("decode step time (ms)", step_s * 1e3, lambda x: f"{x:g} ms"))
    return factory.vertical_marker(fig, batch, f"batch {batch}")


def api_ratio_figure(groups: list[RatioGroup], model_ratio: float, model_label: str) -> go.Figure:
    """Published output/input price ratios (grouped by provider and ratio) beside the model's."""
    names = [f"{g.provider} ({len(g.models)} model{'s' if len(g.models) > 1 else ''})" for g in groups]
    traces = [
        go.Bar(x=[g.out_in_ratio for g in groups], y=names, orientation="h", name="published API list prices",
               marker_color=PALETTE["published"], text=[f"{g.out_in_ratio:.3g}x" for g in groups],
               customdata=[", ".join(g.models) for g in groups],
               hovertemplate="%{y}: %{x:.3g}x<br>%{customdata}<extra></extra>"),
        go.Bar(x=[model_ratio], y=[model_label], orientation="h", name="this scenario (model)",
               marker_color=PALETTE["model"], text=[f"{model_ratio:.3g}x"], hovertemplate="%{y}: %{x:.3g}x<extra></extra>"),
    ]
    fig = factory.figure("Output / input: published API prices vs this scenario's cost", "output / input (x): price for APIs, cost for this scenario", "",
                         traces, category_y=True, y_axis=dict(automargin=True), height=430, legend=BOTTOM_LEGEND,
                         bargap=0.3)
    return factory.vertical_marker(fig, model_ratio, "", PALETTE["model"])
