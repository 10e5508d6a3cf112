"""Figures and a page-local control for the long-context and latency pages (model.pricing context and speed tiers)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from model.pricing.context_tiers import ContextSweep
from model.pricing.speed_tiers import BatchSweep, ChipSweep, SpeedTier

from . import format as fmt
from .charts import PALETTE, figure, horizontal_marker, line, vertical_marker

USD_HOVER = "%{x:,.0f} tokens: $%{y:.3g} per 1M<extra></extra>"
SCENARIO = "#d62728"
BEST = "#1f77b4"


def chart_figure(title: str, x_title: str, y_title: str, x_format: str = "~s", y_format: str = ".3~g",
                 log_x: bool = True, log_y: bool = True) -> go.Figure:
    """ui.charts.figure with the legend under the plot (long legends no longer cover the title) and
    tick labels that carry their magnitude on log axes (200, 500, 2k instead of bare 2, 5)."""
    fig = figure(title, x_title, y_title, log_x=log_x, log_y=log_y)
    fig.update_layout(height=430, legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    fig.update_xaxes(tickformat=x_format, dtick="D2" if log_x else None)
    fig.update_yaxes(tickformat=y_format, dtick="D2" if log_y else None)
    return fig


def points(fig: go.Figure, x, y, name: str, color: str, symbol: str = "circle", size: int = 10,
           text=None, hover: str | None = None) -> go.Figure:
    """Markers (optionally labelled) that appear in the legend."""
    fig.add_trace(go.Scatter(x=np.atleast_1d(x), y=np.atleast_1d(y), name=name, mode="markers+text" if text is not None else "markers",
                             marker=dict(color=color, symbol=symbol, size=size), text=text, textposition="top center",
                             textfont=dict(size=10), hovertemplate=hover))
    return fig


def fit_split(fig: go.Figure, x, y, fits, name: str, color: str, hover: str) -> go.Figure:
    """A curve drawn solid where `fits`, dotted where it does not (the two pieces share their end point)."""
    fits = np.asarray(fits, dtype=bool)
    edge = np.append(fits[1:] != fits[:-1], False)
    line(fig, x, np.where(fits, y, np.nan), name, color, hover=hover)
    if not fits.all():
        line(fig, x, np.where(~fits | edge, y, np.nan), f"{name}: does not fit in HBM", color, dash="dot", hover=hover)
    return fig


def knee_points(fig: go.Figure, ctx, cost, knees: dict[str, float]) -> go.Figure:
    """Each finite knee inside the curve as a marker on it, named (with its value) in the legend."""
    for (name, tokens), symbol in zip(knees.items(), ("diamond", "square", "triangle-up")):
        if np.isfinite(tokens) and ctx[0] <= tokens <= ctx[-1]:
            y = float(np.exp(np.interp(np.log(tokens), np.log(ctx), np.log(cost))))
            points(fig, tokens, y, f"{name}: {fmt.tokens(tokens)}", "#111111", symbol, 11, hover=USD_HOVER)
    return fig


def output_cost_vs_context(sweep: ContextSweep, knees: dict[str, float], boundary: float, prices: tuple[float, float],
                           here: tuple[float, float]) -> go.Figure:
    fig = chart_figure("Cost per 1M output tokens against context", "context (tokens in each KV cache, log)",
                       "USD per 1M output tokens (log)", y_format="$.2~g")
    line(fig, sweep.ctx_tokens, sweep.best_output, "largest batch that fits (best case)", BEST, hover=USD_HOVER)
    fit_split(fig, sweep.ctx_tokens, sweep.usd_per_m_output[0], sweep.fits, f"batch {sweep.batch}", SCENARIO, USD_HOVER)
    tier_step(fig, sweep.ctx_tokens, boundary, prices)
    knee_points(fig, sweep.ctx_tokens, sweep.best_output, knees)
    points(fig, here[0], here[1], "this scenario", SCENARIO, "star", 14, hover=USD_HOVER)
    return fig


def tier_step(fig: go.Figure, ctx, boundary: float, prices: tuple[float, float]) -> go.Figure:
    """The two-tier price (each tier charges its mean best-case cost) with the boundary marked."""
    if np.all(np.isfinite(prices)):
        line(fig, [ctx[0], boundary, boundary, ctx[-1]], [prices[0], prices[0], prices[1], prices[1]],
             "two-tier price (mean best-case cost per tier)", "#2ca02c", dash="dash",
             hover="$%{y:.3g} per 1M<extra>tier price</extra>")
        vertical_marker(fig, boundary, f"tier boundary {fmt.tokens(boundary)}", "#2ca02c")
    return fig


def input_cost_vs_prompt(sweep: ContextSweep, here: tuple[float, float]) -> go.Figure:
    fig = chart_figure("Cost per 1M input tokens against prompt length", "prompt (tokens, log)",
                       "USD per 1M input tokens (log)", y_format="$.2~g")
    line(fig, sweep.ctx_tokens, sweep.best_input, "largest batch that fits", BEST, hover=USD_HOVER)
    fit_split(fig, sweep.ctx_tokens, sweep.usd_per_m_input[0], sweep.fits, f"batch {sweep.batch}", SCENARIO, USD_HOVER)
    points(fig, here[0], here[1], "this scenario's prompt", SCENARIO, "star", 14, hover=USD_HOVER)
    return fig


def capacity_vs_context(sweep: ContextSweep, knee_ctx, knee_batch, capacity_knee: float) -> go.Figure:
    fig = chart_figure("Capacity: the largest batch that fits", "context (tokens, log)", "sequences (log)", y_format="~s")
    hover = "%{x:,.0f} tokens: %{y:,.0f} sequences<extra></extra>"
    line(fig, sweep.ctx_tokens, np.where(sweep.max_batch >= 1, sweep.max_batch, np.nan), "max batch that fits in HBM",
         BEST, hover=hover)
    line(fig, knee_ctx, knee_batch, "batch knee (FLOP time = memory time)", PALETTE["compute"], dash="dash", hover=hover)
    horizontal_marker(fig, sweep.batch, f"scenario batch {sweep.batch}", SCENARIO)
    if np.isfinite(capacity_knee) and capacity_knee > 0:
        vertical_marker(fig, capacity_knee, f"capacity knee {fmt.tokens(capacity_knee)}")
    return fig


def multiplier_vs_boundary(ctx, out_curve, in_curve, published: list[dict], boundary: float) -> go.Figure:
    fig = chart_figure("Multiplier the upper tier needs, by boundary", "tier boundary (tokens, log)",
                       "upper-tier price / lower-tier price (x, log)")
    hover = "boundary %{x:,.0f} tokens: %{y:.3g}x<extra></extra>"
    line(fig, ctx, out_curve, "model: output tokens", PALETTE["decode"], hover=hover)
    line(fig, ctx, in_curve, "model: input tokens", PALETTE["prefill"], hover=hover)
    for kind, color, symbol in (("output", PALETTE["decode"], "diamond"), ("input", PALETTE["prefill"], "square")):
        rows = [r for r in published if np.isfinite(r[f"{kind}_mult"])]
        if rows:
            points(fig, [r["threshold_tokens"] for r in rows], [r[f"{kind}_mult"] for r in rows],
                   f"published {kind} tier ({', '.join(sorted({r['provider'] for r in rows}))})", PALETTE["published"],
                   symbol, 12, hover=f"{kind} x%{{y}} above %{{x:,.0f}} tokens<extra>published</extra>")
    vertical_marker(fig, boundary, f"boundary {fmt.tokens(boundary)}", "#2ca02c")
    return fig


def boundary_control(options: list[int], default: int, key: str) -> int:
    """A page-local log slider for the tier boundary (not a scenario key: not in the link)."""
    return st.select_slider("Tier boundary (tokens of context)", options=options, value=default, key=key,
                            format_func=lambda v: f"{v:,}",
                            help="Move it to see the multiplier the upper tier needs. Starts at the suggested boundary.")


# --- latency ---------------------------------------------------------------------------------------
def tpot_vs_batch(sweep: BatchSweep, floor_s: float, batch: int, fit: float, tiers: list[SpeedTier]) -> go.Figure:
    fig = chart_figure("TPOT against batch", "batch (sequences per decode step, log)", "TPOT (ms per output token, log)")
    fit_split(fig, sweep.batch, sweep.tpot_s * 1e3, sweep.fits, "TPOT (one decode step)", PALETTE["decode"],
              "batch %{x:,.0f}: %{y:.3g} ms<extra></extra>")
    horizontal_marker(fig, floor_s * 1e3, f"latency floor {fmt.ms(floor_s)}", PALETTE["floor"])
    tier_points(fig, tiers, lambda t: t.batch, lambda t: t.tpot_s * 1e3)
    vertical_marker(fig, batch, f"batch {batch}", SCENARIO)
    return fig


def tier_points(fig: go.Figure, tiers: list[SpeedTier], x_of, y_of) -> None:
    for tier, symbol in zip(tiers, ("triangle-up", "triangle-down")):
        if tier.batch >= 1:
            name = f"{'fast' if tier.speedup > 1 else 'economy'} tier: batch {tier.batch}"
            points(fig, x_of(tier), y_of(tier), name, "#2ca02c", symbol, 13)


def frontier(sweep: BatchSweep, batch: int, now: tuple[float, float], tiers: list[SpeedTier]) -> go.Figure:
    fig = chart_figure("Speed against price as batch varies", "tokens/s per user (log)", "USD per 1M output tokens (log)",
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
    fig = chart_figure("Latency floor and batch-1 step against chips", "chips per replica (tensor parallel, log)",
                       "ms per output token (log)")
    hover = "%{x} chips: %{y:.3g} ms<extra></extra>"
    line(fig, sweep.chips, sweep.floor_s * 1e3, "floor W/(n·BW)", PALETTE["floor"], dash="dash", hover=hover, mode="lines+markers")
    line(fig, sweep.chips, sweep.step_s * 1e3, "batch-1 decode step (with all-reduces)", PALETTE["decode"], hover=hover,
         mode="lines+markers")
    line(fig, sweep.chips, np.where(sweep.comms_s > 0, sweep.comms_s * 1e3, np.nan), "of which all-reduces",
         PALETTE["comms"], dash="dot", hover=hover, mode="lines+markers")
    fig.update_xaxes(tickvals=list(sweep.chips), ticktext=[str(n) for n in sweep.chips])
    vertical_marker(fig, chips_now, f"{chips_now} chips now", SCENARIO)
    return fig


def tier_sentence(tier: SpeedTier, batch: int, floor_s: float, batch_one_s: float) -> tuple[str, bool]:
    """What a speed tier needs and costs, in one sentence; the flag is False when it is impossible."""
    fast = tier.speedup >= 1
    ask = f"{tier.speedup:.3g}x faster" if fast else f"{1 / tier.speedup:.3g}x slower"
    need = f"{ask} tokens per user means TPOT ≤ {fmt.ms(tier.target_tpot_s)}"
    if tier.status == "below_floor":
        return (f"Impossible: {need}, below the latency floor of {fmt.ms(floor_s)}. No batch, kernel or context gets "
                "there on this replica; only more chips (a lower floor) or fewer weight bytes would."), False
    if tier.status == "below_batch_one":
        return (f"Impossible here: {need}, above the floor ({fmt.ms(floor_s)}) but below batch 1's TPOT at this context "
                f"({fmt.ms(batch_one_s)}: KV reads, all-reduces and bandwidth efficiency add to the floor)."), False
    if tier.status == "no_fit":
        return "No tier: the weights (or one sequence) do not fit in HBM on this replica.", False
    change = (f"{fmt.ratio(tier.price_multiple)} the price per output token" if tier.price_multiple >= 1
              else f"saves {fmt.percent(1 - tier.price_multiple)} per output token")
    full = " (HBM is full: a larger batch would not fit)" if tier.status == "hbm_limited" else ""
    return (f"{need}: the largest batch that meets it is **{tier.batch:,}**{full} (TPOT {fmt.ms(tier.tpot_s)}), "
            f"{change}: {fmt.usd(tier.usd_per_m_output)} per 1M output tokens vs batch {batch}."), True
