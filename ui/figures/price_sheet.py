"""Figures of the "Price sheet" page (pages/price_sheet.py; data from model.pricing.frontier)."""

from __future__ import annotations

import plotly.graph_objects as go

from model.pricing.frontier import FrontierCurve
from ui.figures.factory import line, log_log, points

COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def frontier(curves: list[FrontierCurve], marks: list[tuple[str, float, float]]) -> go.Figure:
    """Tokens/s per chip against tokens/s per user, one line per scenario; `marks` are the sheet's
    tiers on this scenario (name, per user, per chip)."""
    fig = log_log("Throughput per chip against speed per user", "tokens/s per user (log)", "output tokens/s per chip (log)")
    for curve, color in zip(curves, COLORS):
        line(fig, curve.tokens_per_s_per_user, curve.tokens_per_s_per_chip, curve.label, color,
             hover=curve.label + ": %{x:.3g} tokens/s per user, %{y:,.0f} per chip<extra></extra>")
    for (name, x, y), symbol in zip(marks, ("circle", "triangle-up", "square")):
        points(fig, x, y, f"{name} tier", "#111111", symbol, 11)
    return fig
