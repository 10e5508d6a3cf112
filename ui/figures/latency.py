"""Figures of the "Latency floor & fast tiers" page (pages/latency.py; data from model.pricing context and speed tiers)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from model.pricing.speed_tiers import BatchSweep, ChipSweep, SpeedTier
from ui import format as fmt
from ui.figures.factory import (
    PALETTE,
    fit_split,
    horizontal_marker,
    line,
    log_log,
    points,
    vertical_marker,
)

SCENARIO, BEST = PALETTE["scenario"], PALETTE["best"]


def tpot_vs_batch(sweep: BatchSweep, floor_s: float, batch: int, fit: float, tiers: list[SpeedTier]) -> go.Figure:
    fig = log_log("TPOT against batch", "batch (sequences per decode step, log)", "TPOT (ms per output token, log)")
    fit_split(fig, sweep.batch, sweep.tpot_s * 1e3, sweep.fits, "TPOT (one decode step)", PALETTE["decode"],
              "batch %{x:,.0f}: %{y:.3g} ms<extra></extra>")
    horizontal_marker(fig, floor_s * 1e3, f"latency floor {fmt.duration(floor_s)}", PALETTE["floor"])
    tier_points(fig, tiers, lambda t: t.batch, lambda t: t.tpot_s * 1e3)
    vertical_marker(fig, batch, f"batch {batch}", SCENARIO)
    return fig


def tier_points(fig: go.Figure, tiers: list[SpeedTier], x_of, y_of) -> None:
    for tier, symbol in zip(tiers, ("triangle-up", "triangle-down")):
        if tier.batch >= 1:
            name = f"{'fast' if tier.speedup > 1 else 'economy'} tier: batch {tier.batch}"
            points(fig, x_of(tier), y_of(tier), name, "#2ca02c", symbol, 13)


def frontier(sweep: BatchSweep, batch: int, now: tuple[float, float], tiers: list[SpeedTier]) -> go.Figure:
    fig = log_log("Speed against cost as batch varies", "tokens/s per user (log)", "USD per 1M output tokens (log)",
                  x_format=".3~g", y_format="$.2~g")
    speed, usd, fits = sweep.tokens_per_s_per_user, sweep.usd_per_m_output, sweep.fits
    hover = "%{customdata:,.0f} sequences: %{x:.3g} tok/s per user, $%{y:.3g} per 1M<extra></extra>"
    fig.add_trace(go.Scatter(x=speed[fits], y=usd[fits], customdata=sweep.batch[fits], mode="lines", name="batch sweep (fits)",
                             line=dict(color=BEST), hovertemplate=hover))
    labelled = fits & (np.log2(sweep.batch) % 1 == 0) & (np.log2(sweep.batch) % 2 == 0)
    points(fig, speed[labelled], usd[labelled], "batch 1, 4, 16, 64, ... (labelled)", BEST, size=6,
           text=[f"{b:,.0f}" for b in sweep.batch[labelled]], hover=hover.replace("%{customdata:,.0f}", "%{text}"))
    tier_points(fig, tiers, lambda t: 1 / t.tpot_s, lambda t: t.usd_per_m_output)
    points(fig, now[0], now[1], f"this scenario: batch {batch}", SCENARIO, "star", 15)
    return fig


def chips_chart(sweep: ChipSweep, chips_now: int) -> go.Figure:
    fig = log_log("Latency floor and batch-1 step against chips", "chips per replica (tensor parallel, log)",
                  "ms per output token (log)")
    hover = "%{x} chips: %{y:.3g} ms<extra></extra>"
    line(fig, sweep.chips, sweep.floor_s * 1e3, "floor W/(n·BW)", PALETTE["floor"], dash="dash", hover=hover, mode="lines+markers")
    line(fig, sweep.chips, sweep.step_s * 1e3, "batch-1 decode step (with all-reduces)", PALETTE["decode"], hover=hover,
         mode="lines+markers")
    line(fig, sweep.chips, np.where(sweep.comms_s > 0, sweep.comms_s * 1e3, np.nan), "of which communication (exposed)",
         PALETTE["comms"], dash="dot", hover=hover, mode="lines+markers")
    fig.update_xaxes(tickvals=list(sweep.chips), ticktext=[str(n) for n in sweep.chips])
    vertical_marker(fig, chips_now, f"{chips_now} chips now", SCENARIO)
    return fig
