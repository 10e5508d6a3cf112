"""Figures of the Overview page (pages/overview.py)."""

from __future__ import annotations

import plotly.graph_objects as go

from ui.figures import factory


def timeline_figure(ttft_s: float, elapsed_s, tokens) -> go.Figure:
    """Output tokens of one request against time: the prefill pass shaded, then one decode pass per token."""
    fig = factory.figure("Output tokens over time for one request", "seconds since the request arrived", "output tokens")
    fig.add_vrect(x0=0, x1=ttft_s, fillcolor=factory.PALETTE["prefill"], opacity=0.2, line_width=0,
                  annotation_text="prefill: 1 pass", annotation_position="top left")
    return factory.line(fig, ttft_s + elapsed_s, tokens, "decode: 1 pass through the weights per token",
                        factory.PALETTE["decode"], hover="%{y:.0f} tokens at %{x:.3f} s<extra></extra>")
