"""Plotly figure factories with one look: log axes where the physics is multiplicative."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

PALETTE = {
    "prefill": "#1f77b4", "decode": "#d62728", "weights": "#7f7f7f", "kv_cache": "#ff7f0e",
    "activations": "#bcbd22", "compute": "#2ca02c", "comms": "#9467bd", "overhead": "#8c564b",
    "model": "#1f77b4", "published": "#ff7f0e", "floor": "#111111",
}
HEIGHT = 380


def _axis_type(log: bool, category: bool) -> str:
    return "category" if category else "log" if log else "linear"


def figure(title: str, x_title: str, y_title: str, log_x: bool = False, log_y: bool = False,
           category_x: bool = False, category_y: bool = False) -> go.Figure:
    """An empty figure: title, axis titles with units, legend below the plot, 1-2-5 ticks on log axes."""
    fig = go.Figure()
    fig.update_layout(
        title=title, height=HEIGHT, margin=dict(l=10, r=10, t=50, b=10), hovermode="closest",
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0),
    )
    fig.update_xaxes(title=x_title, type=_axis_type(log_x, category_x), dtick="D2" if log_x else None)
    fig.update_yaxes(title=y_title, type=_axis_type(log_y, category_y), dtick="D2" if log_y else None)
    return fig


def line(fig: go.Figure, x, y, name: str, color: str | None = None, dash: str | None = None,
         hover: str | None = None, customdata=None, mode: str = "lines") -> go.Figure:
    fig.add_trace(go.Scatter(
        x=x, y=y, name=name, mode=mode, line=dict(color=color, dash=dash), customdata=customdata,
        hovertemplate=hover,
    ))
    return fig


def _axis_value(fig: go.Figure, axis: str, value: float) -> float:
    """Annotation coordinate of a data value: plotly wants log10(value) on a log axis."""
    return float(np.log10(value)) if fig.layout[axis].type == "log" else value


def vertical_marker(fig: go.Figure, x: float, text: str, color: str = "#444444") -> go.Figure:
    """A dotted vertical line labelled at the top (log or linear x axis)."""
    fig.add_vline(x=x, line=dict(color=color, dash="dot", width=1.5))
    if text:
        fig.add_annotation(x=_axis_value(fig, "xaxis", x), y=1, xref="x", yref="y domain", text=text, showarrow=False,
                           xanchor="left", yanchor="top", font=dict(color=color, size=11),
                           bgcolor="rgba(255,255,255,0.7)")
    return fig


def horizontal_marker(fig: go.Figure, y: float, text: str, color: str = "#444444") -> go.Figure:
    """A dashed horizontal line labelled at the right (log or linear y axis)."""
    fig.add_hline(y=y, line=dict(color=color, dash="dash", width=1.5))
    if text:
        fig.add_annotation(x=1, y=_axis_value(fig, "yaxis", y), xref="x domain", yref="y", text=text, showarrow=False,
                           xanchor="right", yanchor="bottom", font=dict(color=color, size=11),
                           bgcolor="rgba(255,255,255,0.7)")
    return fig
