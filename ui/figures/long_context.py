"""Figures of the "Long context" page (pages/long_context.py; data from model.pricing context and speed tiers)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from model.pricing.context_tiers import ContextSweep
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

USD_HOVER = "%{x:,.0f} tokens: $%{y:.3g} per 1M<extra></extra>"
SCENARIO, BEST = PALETTE["scenario"], PALETTE["best"]


def knee_points(fig: go.Figure, ctx, cost, knees: dict[str, float]) -> go.Figure:
    """Each finite knee inside the curve as a marker on it, named (with its value) in the legend."""
    for (name, tokens), symbol in zip(knees.items(), ("diamond", "square", "triangle-up")):
        if np.isfinite(tokens) and ctx[0] <= tokens <= ctx[-1]:
            y = float(np.exp(np.interp(np.log(tokens), np.log(ctx), np.log(cost))))
            points(fig, tokens, y, f"{name}: {fmt.tokens(tokens)}", "#111111", symbol, 11, hover=USD_HOVER)
    return fig


def output_cost_vs_context(sweep: ContextSweep, knees: dict[str, float], boundary: float, prices: tuple[float, float],
                           here: tuple[float, float]) -> go.Figure:
    fig = log_log("Cost per 1M output tokens against context", "context (tokens in each KV cache, log)",
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
    fig = log_log("Cost per 1M input tokens against prompt length", "prompt (tokens, log)",
                  "USD per 1M input tokens (log)", y_format="$.2~g")
    line(fig, sweep.ctx_tokens, sweep.best_input, "largest batch that fits", BEST, hover=USD_HOVER)
    fit_split(fig, sweep.ctx_tokens, sweep.usd_per_m_input[0], sweep.fits, f"batch {sweep.batch}", SCENARIO, USD_HOVER)
    points(fig, here[0], here[1], "this scenario's prompt", SCENARIO, "star", 14, hover=USD_HOVER)
    return fig


def capacity_vs_context(sweep: ContextSweep, knee_ctx, knee_batch, capacity_knee: float) -> go.Figure:
    fig = log_log("Capacity: the largest batch that fits", "context (tokens, log)", "sequences (log)", y_format="~s")
    hover = "%{x:,.0f} tokens: %{y:,.0f} sequences<extra></extra>"
    line(fig, sweep.ctx_tokens, np.where(sweep.max_batch >= 1, sweep.max_batch, np.nan), "max batch that fits in HBM",
         BEST, hover=hover)
    line(fig, knee_ctx, knee_batch, "batch knee (FLOP time = memory time)", PALETTE["compute"], dash="dash", hover=hover)
    horizontal_marker(fig, sweep.batch, f"scenario batch {sweep.batch}", SCENARIO)
    if np.isfinite(capacity_knee) and capacity_knee > 0:
        vertical_marker(fig, capacity_knee, f"capacity knee {fmt.tokens(capacity_knee)}")
    return fig


def multiplier_vs_boundary(ctx, out_curve, in_curve, published: list[dict], boundary: float) -> go.Figure:
    fig = log_log("Multiplier the upper tier needs, by boundary", "tier boundary (tokens, log)",
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
