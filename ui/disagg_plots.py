"""Cached sweeps, tables and figures for the prefill/decode disaggregation page (model/disaggregation/)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from model.disaggregation.plan import ServingPlan
from model.disaggregation.replicas import compare_checked
from model.disaggregation.sweep import PlanSweep, plan_sweep, sweep_values

from . import format as fmt
from .charts import PALETTE
from .serving_plots import figure

PLANS = ("colocated", "disaggregated")
DASH = {"colocated": "dash", "disaggregated": "solid"}
TTFT_PARTS = {"prefill": ("prefill of the prompt", PALETTE["prefill"]),
              "queueing": ("queueing for a prefill slot", "#ff7f0e"),
              "kv_transfer": ("KV-cache transfer", PALETTE["comms"]),
              "decode_step_in_flight": ("waiting for the decode step in flight", "#7f7f7f")}
TPOT_PARTS = {"decode_step": ("decode step", PALETTE["decode"]),
              "prefill_stall": ("stalled behind other requests' prefills", "#ff7f0e")}
AXES = {"rate": ("rate_per_s", "request rate, requests/s (log)"),
        "prompt": ("prompt_tokens", "prompt tokens (log)")}


@st.cache_data(max_entries=64, show_spinner=False)
def plans(keys: tuple, _prefill_dep, _decode_dep, prompt: int, out: int, rate: float, batch: int,
          link_bytes_per_s: float | None) -> dict[str, ServingPlan]:
    """`replicas.compare_checked` (both plans once each replica holds what it must); `keys` keys the cache."""
    return compare_checked(_prefill_dep, _decode_dep, prompt, out, rate, batch, link_bytes_per_s=link_bytes_per_s)


@st.cache_data(max_entries=32, show_spinner="Sweeping both plans...")
def sweep(keys: tuple, _prefill_dep, _decode_dep, prompt: int, out: int, rate: float, batch: int, axis: str,
          max_prompt: int, link_bytes_per_s: float | None) -> PlanSweep:
    """`sweep.plan_sweep` on the page's grid; `keys` (the two deployments' reprs) keys the cache."""
    name = AXES[axis][0]
    values = sweep_values(name, rate, prompt, max_prompt)
    return plan_sweep(_prefill_dep, _decode_dep, prompt, out, rate, batch, name, values,
                      link_bytes_per_s=link_bytes_per_s)


def parts_bars(title: str, parts: dict[str, dict[str, float]], legend: dict) -> go.Figure:
    """Stacked horizontal bars (ms), one per plan, one segment per latency term."""
    fig = figure(title, "ms", "", barmode="stack", height=320, legend=dict(
        orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0, traceorder="normal"))
    for key, (name, color) in legend.items():
        fig.add_trace(go.Bar(y=list(PLANS), x=[parts[p][key] * 1e3 for p in PLANS], name=name, orientation="h",
                             marker_color=color, hovertemplate="%{y}: %{x:,.4g} ms<extra>" + name + "</extra>"))
    return fig


def _current(fig: go.Figure, x: float, y: float, color: str) -> None:
    fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", marker=dict(color=color, size=9, symbol="circle-open",
                                                                          line=dict(width=2)),
                             showlegend=False, cliponaxis=False, hovertemplate="now: %{y:,.4g}<extra></extra>"))


def latency_sweep(data: PlanSweep, x_title: str, now: float, plans: dict[str, ServingPlan]) -> go.Figure:
    """TTFT and TPOT of both plans along the sweep (log-log), the current point circled."""
    fig = figure("TTFT and TPOT, colocated (dashed) vs disaggregated", x_title, "ms (log)", log_x=True, log_y=True)
    for metric, color in (("ttft_s", PALETTE["prefill"]), ("tpot_s", PALETTE["decode"])):
        for plan in PLANS:
            fig.add_trace(go.Scatter(
                x=data.values, y=getattr(data, plan)[metric] * 1e3, name=f"{metric[:4].upper()} {plan}", mode="lines",
                line=dict(color=color, dash=DASH[plan]), hovertemplate="%{x:,.4g}: %{y:,.4g} ms<extra></extra>"))
            _current(fig, now, getattr(plans[plan], metric) * 1e3, color)
    return fig


def cost_sweep(data: PlanSweep, x_title: str, now: float, plans: dict[str, ServingPlan]) -> go.Figure:
    """USD per 1M tokens (prompt + output) of both plans along the sweep, the current point circled."""
    fig = figure("Cost per 1M tokens (prompt + output)", x_title, "USD per 1M tokens (log)", log_x=True, log_y=True)
    for plan, color in (("colocated", "#7f7f7f"), ("disaggregated", PALETTE["comms"])):
        fig.add_trace(go.Scatter(
            x=data.values, y=getattr(data, plan)["usd_per_m_tokens"], name=plan, mode="lines",
            line=dict(color=color, dash=DASH[plan]), customdata=getattr(data, plan)["chips"],
            hovertemplate="%{x:,.4g}: $%{y:.3g} per 1M tokens on %{customdata:,.0f} chips<extra></extra>"))
        _current(fig, now, plans[plan].usd_per_m_tokens, color)
    return fig


def plans_frame(plans: dict[str, ServingPlan]) -> pd.DataFrame:
    """Every field of both plans, units in the column names."""
    rows = []
    for p in plans.values():
        rows.append({
            "plan": p.name, "prefill_replicas": p.prefill_replicas, "decode_replicas": p.decode_replicas,
            "chips": p.chips, "prefill_replicas_exact": p.prefill_replicas_exact,
            "decode_replicas_exact": p.decode_replicas_exact, "decode_batch_in_flight": p.decode_batch,
            "prefill_utilization_pct": 100 * p.prefill_utilization, "ttft_ms": p.ttft_s * 1e3,
            "tpot_ms": p.tpot_s * 1e3, "kv_transfer_ms": p.kv_transfer_s * 1e3, "usd_per_hour": p.usd_per_s * 3600,
            "usd_per_m_input": p.usd_per_m_input, "usd_per_m_output": p.usd_per_m_output,
            "usd_per_m_tokens": p.usd_per_m_tokens,
        })
    return pd.DataFrame(rows).round(4)



def number(value: float) -> str:
    """'0.156', '12.5', '65,536'."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _change(name: str, before: float, after: float) -> str:
    verb = "cuts" if after < before else "raises" if after > before else "keeps"
    return f"{verb} {name} from {fmt.ms(before)} to {fmt.ms(after)}"


def verdict(data: PlanSweep, colo: ServingPlan, dis: ServingPlan) -> str:
    """What disaggregation does to both latencies now, and along the sweep."""
    lower, valid = data.tpot_lower_disaggregated()
    return (f"Now disaggregation {_change('TPOT', colo.tpot_s, dis.tpot_s)} and {_change('TTFT', colo.ttft_s, dis.ttft_s)}; "
            f"its TPOT is the lower at {lower} of {valid} swept points. TTFT grows where the prefill pool runs busier "
            "than the colocated replicas' prefill share, plus the KV transfer.")
