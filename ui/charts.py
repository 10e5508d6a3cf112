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


LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0)


def _axis(title: str, log: bool, category: bool) -> dict:
    """Log axes: ticks at 1, 2, 5 per decade, written out; other axes keep plotly's automatic
    type unless told they are categories (so bar charts keep their labels)."""
    if log:
        return dict(title=title, type="log", dtick="D2", tickformat=",.3~r")
    return dict(title=title, type="category") if category else dict(title=title)


def _log_position(value: float, log: bool) -> float:
    """Annotations on a log axis are placed in log10 units (shapes take data values)."""
    return float(np.log10(value)) if log else value


def _marker_shapes(vlines, hlines, log_x: bool, log_y: bool) -> tuple[list, list]:
    grey = "#444444"
    shapes, notes = [], []
    for x, text in vlines:
        shapes.append(dict(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                           line=dict(color=grey, dash="dot", width=1.5)))
        notes.append(dict(x=_log_position(x, log_x), xref="x", y=1, yref="paper", text=text, showarrow=False,
                          xanchor="left", yanchor="top", bgcolor="rgba(255,255,255,0.7)"))
    for y, text in hlines:
        shapes.append(dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=y, y1=y,
                           line=dict(color=grey, dash="dash", width=1.5)))
        notes.append(dict(x=1, xref="paper", y=_log_position(y, log_y), yref="y", text=text, showarrow=False,
                          xanchor="right", yanchor="bottom", bgcolor="rgba(255,255,255,0.7)"))
    return shapes, notes


def figure(title: str, x_title: str, y_title: str, traces: list | tuple = (), log_x: bool = False,
           log_y: bool = False, category_x: bool = False, category_y: bool = False, vlines=(), hlines=(),
           y_range: list | None = None, height: int = HEIGHT, **layout) -> go.Figure:
    """A figure built in one constructor call (plotly re-validates on every update, ~6 ms a chart).

    `traces` are go traces (see `trace`); `vlines`/`hlines` are (position, label) pairs drawn as
    dotted/dashed markers; `layout` keys (barmode, legend, margin, yaxis=..., ...) replace the defaults.
    """
    shapes, notes = _marker_shapes(vlines, hlines, log_x, log_y)
    y_axis = _axis(y_title, log_y, category_y) | ({"range": y_range} if y_range is not None else {})
    base = dict(
        title=title, height=height, margin=dict(l=10, r=10, t=50, b=10), hovermode="closest", legend=LEGEND_BELOW,
        xaxis=_axis(x_title, log_x, category_x), yaxis=y_axis,
        shapes=shapes, annotations=notes,
    )
    return go.Figure(data=list(traces), layout=base | layout)


def trace(x, y, name: str, color: str | None = None, dash: str | None = None, hover: str | None = None,
          mode: str = "lines", **kwargs) -> go.Scatter:
    """One scatter trace in the house style."""
    return go.Scatter(x=x, y=y, name=name, mode=mode, line=dict(color=color, dash=dash), hovertemplate=hover, **kwargs)


def line(fig: go.Figure, x, y, name: str, color: str | None = None, dash: str | None = None,
         hover: str | None = None, customdata=None, mode: str = "lines") -> go.Figure:
    """Add a `trace` to an existing figure."""
    fig.add_trace(trace(x, y, name, color, dash, hover, mode, customdata=customdata))
    return fig


def vertical_marker(fig: go.Figure, x: float, text: str, color: str = "#444444") -> go.Figure:
    """A dotted vertical line labelled at the top (log or linear x axis)."""
    fig.add_vline(x=x, line=dict(color=color, dash="dot", width=1.5))
    if text:
        fig.add_annotation(x=_log_position(x, fig.layout.xaxis.type == "log"), y=1, xref="x", yref="y domain", text=text, showarrow=False,
                           xanchor="left", yanchor="top", font=dict(color=color, size=11),
                           bgcolor="rgba(255,255,255,0.7)")
    return fig


def horizontal_marker(fig: go.Figure, y: float, text: str, color: str = "#444444") -> go.Figure:
    """A dashed horizontal line labelled at the right (log or linear y axis)."""
    fig.add_hline(y=y, line=dict(color=color, dash="dash", width=1.5))
    if text:
        fig.add_annotation(x=1, y=_log_position(y, fig.layout.yaxis.type == "log"), xref="x domain", yref="y", text=text, showarrow=False,
                           xanchor="right", yanchor="bottom", font=dict(color=color, size=11),
                           bgcolor="rgba(255,255,255,0.7)")
    return fig
