"""Plotly figure factories with one look: log axes where the physics is multiplicative."""

from __future__ import annotations

import plotly.graph_objects as go

PALETTE = {
    "prefill": "#1f77b4", "decode": "#d62728", "weights": "#7f7f7f", "kv_cache": "#ff7f0e",
    "activations": "#bcbd22", "compute": "#2ca02c", "comms": "#9467bd", "overhead": "#8c564b",
    "model": "#1f77b4", "published": "#ff7f0e", "floor": "#111111",
}
HEIGHT = 380


def figure(title: str, x_title: str, y_title: str, log_x: bool = False, log_y: bool = False) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=title, height=HEIGHT, margin=dict(l=10, r=10, t=50, b=10), hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
    )
    fig.update_xaxes(title=x_title, type="log" if log_x else "linear")
    fig.update_yaxes(title=y_title, type="log" if log_y else "linear")
    return fig


def line(fig: go.Figure, x, y, name: str, color: str | None = None, dash: str | None = None,
         hover: str | None = None, customdata=None, mode: str = "lines") -> go.Figure:
    fig.add_trace(go.Scatter(
        x=x, y=y, name=name, mode=mode, line=dict(color=color, dash=dash), customdata=customdata,
        hovertemplate=hover,
    ))
    return fig


def vertical_marker(fig: go.Figure, x: float, text: str, color: str = "#444444") -> go.Figure:
    fig.add_vline(x=x, line=dict(color=color, dash="dot", width=1.5), annotation_text=text,
                  annotation_position="top left")
    return fig


def horizontal_marker(fig: go.Figure, y: float, text: str, color: str = "#444444") -> go.Figure:
    fig.add_hline(y=y, line=dict(color=color, dash="dash", width=1.5), annotation_text=text,
                  annotation_position="bottom right")
    return fig
