"""Figures of the prefill/decode disaggregation page (pages/disaggregation.py; plans from ui.cached)."""

from __future__ import annotations

import plotly.graph_objects as go

from model.disaggregation.plan import ServingPlan
from model.disaggregation.sweep import PlanSweep
from ui.figures import factory
from ui.figures.factory import PALETTE

PLANS = ("colocated", "disaggregated")
DASH = {"colocated": "dash", "disaggregated": "solid"}
TTFT_PARTS = {"prefill": ("prefill of the prompt", PALETTE["prefill"]),
              "queueing": ("queueing for a prefill slot", "#ff7f0e"),
              "kv_transfer": ("KV-cache transfer", PALETTE["comms"]),
              "decode_step_in_flight": ("waiting for the decode step in flight", "#7f7f7f")}
TPOT_PARTS = {"decode_step": ("decode step", PALETTE["decode"]),
              "prefill_stall": ("stalled behind other requests' prefills", "#ff7f0e")}
AXIS_TITLES = {"rate": "request rate, requests/s (log)", "prompt": "prompt tokens (log)"}


def parts_bars(title: str, parts: dict[str, dict[str, float]], legend: dict) -> go.Figure:
    """Stacked horizontal bars (ms), one per plan, one segment per latency term."""
    traces = [go.Bar(y=list(PLANS), x=[parts[p][key] * 1e3 for p in PLANS], name=name, orientation="h",
                     marker_color=color, hovertemplate="%{y}: %{x:,.4g} ms<extra>" + name + "</extra>")
              for key, (name, color) in legend.items()]
    return factory.figure(title, "ms", "", traces, barmode="stack", height=320, legend=dict(
        orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0, traceorder="normal"))


def latency_sweep(data: PlanSweep, x_title: str, now: float, plans: dict[str, ServingPlan]) -> go.Figure:
    """TTFT and TPOT of both plans along the sweep (log-log), the current point circled."""
    fig = factory.figure("TTFT and TPOT, colocated (dashed) vs disaggregated", x_title, "ms (log)", log_x=True,
                         log_y=True, height=factory.TALL)
    for metric, color in (("ttft_s", PALETTE["prefill"]), ("tpot_s", PALETTE["decode"])):
        for plan in PLANS:
            factory.line(fig, data.values, getattr(data, plan)[metric] * 1e3, f"{metric[:4].upper()} {plan}", color,
                         DASH[plan], hover="%{x:,.4g}: %{y:,.4g} ms<extra></extra>")
            factory.current_point(fig, now, getattr(plans[plan], metric) * 1e3, color)
    return fig


def cost_sweep(data: PlanSweep, x_title: str, now: float, plans: dict[str, ServingPlan]) -> go.Figure:
    """USD per 1M tokens (prompt + output) of both plans along the sweep, the current point circled."""
    fig = factory.figure("Cost per 1M tokens (prompt + output)", x_title, "USD per 1M tokens (log)", log_x=True,
                         log_y=True, height=factory.TALL)
    for plan, color in (("colocated", "#7f7f7f"), ("disaggregated", PALETTE["comms"])):
        factory.line(fig, data.values, getattr(data, plan)["usd_per_m_tokens"], plan, color, DASH[plan],
                     hover="%{x:,.4g}: $%{y:.3g} per 1M tokens on %{customdata:,.0f} chips<extra></extra>",
                     customdata=getattr(data, plan)["chips"])
        factory.current_point(fig, now, plans[plan].usd_per_m_tokens, color)
    return fig
