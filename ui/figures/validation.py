"""Figures of the Validation page (pages/validation.py): predicted against measured."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.figures import factory

BAND = 0.25  # the +-25% band drawn around y = x


def scatter(frame: pd.DataFrame, title: str) -> go.Figure:
    """Predicted against measured, log-log, one colour per hardware, y = x and a +-25% band."""
    used = frame[frame["predicted"].notna()]
    fig = factory.figure(title, "measured (as published)", "predicted (same definition)", log_x=True, log_y=True)
    for hw, group in used.groupby("hw"):
        fig.add_trace(go.Scatter(
            x=group["measured"], y=group["predicted"], mode="markers", name=hw,
            customdata=np.stack([group["id"], group["model"], group["phase"], group["quantity"], group["error_pct"]], axis=1),
            hovertemplate="row %{customdata[0]}: %{customdata[1]} (%{customdata[2]})<br>%{customdata[3]}: measured "
                          "%{x:.4g}, predicted %{y:.4g}<br>error %{customdata[4]:+.0f}%<extra>%{fullData.name}</extra>"))
    if not used.empty:
        lo, hi = used[["measured", "predicted"]].min().min() / 1.5, used[["measured", "predicted"]].max().max() * 1.5
        for factor, dash in ((1, None), (1 + BAND, "dot"), (1 - BAND, "dot")):
            fig.add_trace(go.Scatter(x=[lo, hi], y=[lo * factor, hi * factor], mode="lines", showlegend=factor == 1,
                                     name="y = x (dotted: +-25%)", line=dict(color="#555", dash=dash, width=1),
                                     hoverinfo="skip"))
    return factory.fit_log_ticks(fig)


def assumption_bars(rows: list[dict], title: str) -> go.Figure:
    """One fleet check's answer with each assumption changed alone: % against the scenario as stated."""
    ordered = sorted(rows, key=lambda r: r["vs_base_pct"])
    fig = factory.figure(title, "change in the model's answer, %", "")
    fig.add_trace(go.Bar(x=[r["vs_base_pct"] for r in ordered], y=[r["change"] for r in ordered], orientation="h",
                         marker_color=["#c0392b" if r["vs_base_pct"] < 0 else "#2e86c1" for r in ordered],
                         hovertemplate="%{y}: %{x:+.1f}%<extra></extra>"))
    fig.update_layout(showlegend=False)
    return fig
