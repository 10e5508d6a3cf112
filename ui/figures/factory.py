"""The one figure factory: every dashboard figure is built here, in one look.

Log axes where the physics is multiplicative (ticks written out, 1-2-5 per decade over short
spans, one per decade or every other decade over long ones: `fit_log_ticks`), the legend
under the plot, dotted/dashed labelled markers, and the few trace kinds the pages share.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

PALETTE = {
    "prefill": "#1f77b4", "decode": "#d62728", "weights": "#7f7f7f", "kv_cache": "#ff7f0e",
    "activations": "#bcbd22", "compute": "#2ca02c", "comms": "#9467bd", "overhead": "#8c564b",
    "all_to_all": "#e377c2", "draft": "#17becf",
    "model": "#1f77b4", "published": "#ff7f0e", "floor": "#111111", "scenario": "#d62728", "best": "#1f77b4",
}
HEIGHT = 380
TALL = HEIGHT + 40  # figures with longer legends (serving and disaggregation pages)


LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0)


SPAN_1_2_5 = 2.5  # decades up to which a log axis is labelled at 1, 2 and 5 of each decade
SPAN_EVERY_DECADE = 6  # decades up to which it is labelled at every power of ten, beyond: every other


def log_dtick(lo: float, hi: float) -> str | int | None:
    """Plotly's log-axis dtick for data from `lo` to `hi` (> 0): under a decade None (plotly's own evenly
    spaced, fully written ticks, as 1, 2, 5 may not fall inside), 'D2' (1-2-5 per decade) for short
    spans, 1 (every decade) or 2 (every other decade) for long ones, so labels do not overlap on a
    third-width chart at 1280 px (about eight labels at most)."""
    span = math.log10(hi / lo) if 0 < lo < hi else 0.0
    if span < 1:
        return None
    return "D2" if span <= SPAN_1_2_5 else 1 if span <= SPAN_EVERY_DECADE else 2


def _positive(values) -> np.ndarray:
    try:
        v = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):  # category labels
        return np.empty(0)
    return v[np.isfinite(v) & (v > 0)]


def fit_log_ticks(fig: go.Figure) -> go.Figure:
    """Set each house log axis's tick density (`log_dtick`) from the span of the traces drawn on it,
    or from its explicit range. Axes with their own tickvals or dtick are left alone."""
    for name in ("x", "y"):
        axis = fig.layout[f"{name}axis"]
        if axis.type != "log" or axis.tickvals is not None or axis.dtick != "D2":
            continue
        if axis.range is not None:
            lo, hi = (10.0 ** float(r) for r in axis.range)
        else:
            values = [_positive(getattr(t, name, None)) for t in fig.data
                      if getattr(t, f"{name}axis", None) in (None, name) and getattr(t, name, None) is not None]
            values = np.concatenate(values) if values else np.empty(0)
            if not values.size:
                continue
            lo, hi = float(values.min()), float(values.max())
        axis.dtick = log_dtick(lo, hi)
    return fig


def _axis(title: str, log: bool, category: bool) -> dict:
    """Log axes: ticks written out, at 1, 2, 5 per decade until `fit_log_ticks` sees the data; other
    axes keep plotly's automatic type unless told they are categories (so bar charts keep their labels)."""
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
           y_range: list | None = None, height: int = HEIGHT, x_axis: dict | None = None,
           y_axis: dict | None = None, **layout) -> go.Figure:
    """A figure built in one constructor call (plotly re-validates on every update, ~6 ms a chart).

    `traces` are go traces (see `trace`); `vlines`/`hlines` are (position, label) pairs drawn as
    dotted/dashed markers; `x_axis`/`y_axis` keys (tickformat, range, tickvals, ...) are added to
    the house axes; `layout` keys (barmode, legend, margin, yaxis2=..., ...) replace the defaults.
    """
    shapes, notes = _marker_shapes(vlines, hlines, log_x, log_y)
    y_base = _axis(y_title, log_y, category_y) | ({"range": y_range} if y_range is not None else {})
    base = dict(
        title=title, height=height, margin=dict(l=10, r=10, t=50, b=10), hovermode="closest", legend=LEGEND_BELOW,
        xaxis=_axis(x_title, log_x, category_x) | (x_axis or {}), yaxis=y_base | (y_axis or {}),
        shapes=shapes, annotations=notes,
    )
    fig = go.Figure(data=list(traces), layout=base | layout)
    return fit_log_ticks(fig) if traces and (log_x or log_y) else fig


def log_ticks(values, label) -> dict:
    """Log-axis ticks 1-2-5 per decade (1 if too many, 1-1.5-2-3-5-7 if too few) around the positive
    `values`, each written by `label` (for axes whose labels carry a unit: '$2', '5 ms', '3x')."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = float(v.min()), float(v.max())
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    for mantissas in ((1, 2, 5), (1,), (1, 1.5, 2, 3, 5, 7)):
        ticks = [m * 10.0 ** e for e in decades for m in mantissas if lo / 1.6 <= m * 10.0 ** e <= hi * 1.6]
        if 2 <= sum(lo <= x <= hi for x in ticks) <= 8:
            break
    return dict(tickvals=ticks, ticktext=[label(x) for x in ticks])


def right_log_axis(title: str, values, label) -> dict:
    """A second, log y axis on the right (layout key `yaxis2`; its traces take yaxis="y2")."""
    return dict(title=title, overlaying="y", side="right", type="log", showgrid=False, **log_ticks(values, label))


def trace(x, y, name: str, color: str | None = None, dash: str | None = None, hover: str | None = None,
          mode: str = "lines", **kwargs) -> go.Scatter:
    """One scatter trace in the house style."""
    return go.Scatter(x=x, y=y, name=name, mode=mode, line=dict(color=color, dash=dash), hovertemplate=hover, **kwargs)


def line(fig: go.Figure, x, y, name: str, color: str | None = None, dash: str | None = None,
         hover: str | None = None, customdata=None, mode: str = "lines") -> go.Figure:
    """Add a `trace` to an existing figure."""
    fig.add_trace(trace(x, y, name, color, dash, hover, mode, customdata=customdata))
    return fit_log_ticks(fig)


def points(fig: go.Figure, x, y, name: str, color: str, symbol: str = "circle", size: int = 10,
           text=None, hover: str | None = None) -> go.Figure:
    """Markers (optionally labelled) that appear in the legend."""
    fig.add_trace(go.Scatter(x=np.atleast_1d(x), y=np.atleast_1d(y), name=name, mode="markers+text" if text is not None else "markers",
                             marker=dict(color=color, symbol=symbol, size=size), text=text, textposition="top center",
                             textfont=dict(size=10), hovertemplate=hover))
    return fit_log_ticks(fig)


def fit_split(fig: go.Figure, x, y, fits, name: str, color: str, hover: str) -> go.Figure:
    """A curve drawn solid where `fits`, dotted where it does not (the two pieces share their end point)."""
    fits = np.asarray(fits, dtype=bool)
    edge = np.append(fits[1:] != fits[:-1], False)
    line(fig, x, np.where(fits, y, np.nan), name, color, hover=hover)
    if not fits.all():
        line(fig, x, np.where(~fits | edge, y, np.nan), f"{name}: does not fit in HBM", color, dash="dot", hover=hover)
    return fig


def current_point(fig: go.Figure, x: float, y: float, color: str) -> None:
    """An open circle marking where the scenario is now on a curve (not in the legend)."""
    fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", marker=dict(color=color, size=9, symbol="circle-open",
                                                                          line=dict(width=2)),
                             showlegend=False, cliponaxis=False, hovertemplate="now: %{y:,.4g}<extra></extra>"))


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


def log_log(title: str, x_title: str, y_title: str, x_format: str = "~s", y_format: str = ".3~g",
            height: int = 430) -> go.Figure:
    """A log-log `figure` whose tick labels carry their magnitude (200, 500, 2k instead of bare 2, 5)."""
    return figure(title, x_title, y_title, log_x=True, log_y=True, height=height,
                  x_axis=dict(tickformat=x_format), y_axis=dict(tickformat=y_format))
