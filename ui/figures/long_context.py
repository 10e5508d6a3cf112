"""Figures of the "Long context" page (pages/long_context.py; data from model.pricing context tiers,
knees and traffic)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from model.pricing.context_tiers import ContextSweep
from ui import format as fmt
from ui.figures.factory import PALETTE, line, log_log, points, vertical_marker

USD_HOVER = "%{x:,.0f} tokens: $%{y:.3g} per 1M<extra></extra>"
SCENARIO, BEST = PALETTE["scenario"], PALETTE["best"]
KNEE_SYMBOLS = ("diamond", "square", "triangle-up", "circle")


def knee_points(fig: go.Figure, ctx, cost, knees: dict[str, float]) -> go.Figure:
    """Each finite knee inside the curve as a marker on it, named (with its value) in the legend."""
    ok = np.isfinite(cost)
    for (name, tokens), symbol in zip(knees.items(), KNEE_SYMBOLS):
        if ok.sum() >= 2 and np.isfinite(tokens) and ctx[ok][0] <= tokens <= ctx[ok][-1]:
            y = float(np.exp(np.interp(np.log(tokens), np.log(ctx[ok]), np.log(cost[ok]))))
            points(fig, tokens, y, f"{name}: {fmt.tokens(tokens)}", "#111111", symbol, 11, hover=USD_HOVER)
    return fig


def price_vs_context(kind: str, sweep: ContextSweep, best: np.ndarray, knees: dict[str, float], boundary: float,
                     prices: tuple[float, float], published: list[float], model_max: float) -> go.Figure:
    """Cost per 1M `kind` tokens against context: at the tier's SLO batch, at the best case, the
    two-tier break-even price, the knees, the published thresholds and the model's maximum."""
    ctx = sweep.ctx_tokens
    row = sweep.usd_per_m_output if kind == "output" else sweep.usd_per_m_input
    fig = log_log(f"Cost per 1M {kind} tokens against context", "context (tokens, log)",
                  f"USD per 1M {kind} tokens (log)", y_format="$.2~g")
    inside = ctx <= model_max
    line(fig, ctx, np.where(inside, row[1], np.nan), "at the SLO batch (tier)", SCENARIO, hover=USD_HOVER)
    if not inside.all():
        line(fig, ctx, np.where(~inside | (ctx == ctx[inside][-1]), row[1], np.nan),
             "beyond the model's maximum context", SCENARIO, dash="dot", hover=USD_HOVER)
    line(fig, ctx, best, "largest batch that fits (best case)", BEST, dash="dash", hover=USD_HOVER)
    if np.all(np.isfinite(prices)):
        line(fig, [ctx[0], boundary, boundary, ctx[-1]], [prices[0], prices[0], prices[1], prices[1]],
             "two-tier break-even price", "#2ca02c", dash="dash", hover="$%{y:.3g} per 1M<extra>tier price</extra>")
        vertical_marker(fig, boundary, f"boundary {fmt.tokens(boundary)}", "#2ca02c")
    for threshold in sorted(set(published)):
        vertical_marker(fig, threshold, f"published {fmt.tokens(threshold)}", PALETTE["published"])
    return knee_points(fig, ctx, row[1], knees)


def multiplier_vs_boundary(ctx, out_curve, in_curve, published: list[dict], boundary: float) -> go.Figure:
    fig = log_log("Multiplier the upper tier needs, by boundary (traffic-weighted)", "tier boundary (tokens, log)",
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
