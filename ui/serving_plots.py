"""Cached simulation and figures for the continuous-batching page (numbers from model/serving/)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from model.serving.results import ecdf
from model.serving.simulate import run_policies
from model.serving.theory import gain_check
from model.serving.workload import Workload

from . import charts
from . import format as fmt
from .charts import HEIGHT

CAPACITY_REQUESTS = 2000  # the saturated (all-at-once) comparison uses at most this many of the requests
LABELS = {"static": "static batching", "continuous": "continuous + PagedAttention",
          "chunked": "continuous + chunked prefill"}
BAR_LABELS = {"static": "static<br>batching", "continuous": "continuous +<br>PagedAttention",
              "chunked": "continuous +<br>chunked prefill"}
COLORS = {"static": "#7f7f7f", "continuous": "#1f77b4", "chunked": "#2ca02c"}


def figure(title: str, x_title: str, y_title: str, log_x: bool = False, log_y: bool = False,
           height: int = HEIGHT + 40, **layout) -> go.Figure:
    """The house figure (ui.charts.figure), a little taller for these pages' legends."""
    return charts.figure(title, x_title, y_title, log_x=log_x, log_y=log_y, height=height, **layout)


@st.cache_data(max_entries=32, show_spinner="Simulating the three policies...")
def simulate(dep_key: str, _dep, n: int, rate: float, prompt_kind: str, prompt: int, out_kind: str, out: int,
             max_batch: int):
    """(results, refusals) at the given rate, and (results, refusals) with every request at t = 0.

    `dep_key` (the deployment's repr) keys the cache; `_dep` is not hashed."""
    load = Workload.shaped(n, rate, prompt_kind, prompt, out_kind, out)
    at_rate = run_policies(_dep, load, max_batch)
    saturated = Workload.shaped(min(n, CAPACITY_REQUESTS), math.inf, prompt_kind, prompt, out_kind, out)
    return at_rate, run_policies(_dep, saturated, max_batch, ("static", "continuous"))


def comparison_frame(results: dict) -> pd.DataFrame:
    """One row per policy, units in the column names."""
    rows = []
    for policy, r in results.items():
        rows.append({
            "policy": LABELS[policy], "output_tokens_per_s": r.output_tokens_per_s,
            "ttft_p50_ms": r.ttft_p50_s * 1e3, "ttft_p95_ms": r.ttft_p95_s * 1e3,
            "tpot_p50_ms": r.tpot_p50_s * 1e3, "tpot_p95_ms": r.tpot_p95_s * 1e3,
            "latency_p50_s": r.latency_p50_s, "latency_p95_s": r.latency_p95_s,
            "usd_per_m_output": r.usd_per_m_output, "slot_occupancy_pct": 100 * r.slot_occupancy,
            "mean_decode_batch": r.mean_batch, "batch_limit": r.batch_limit,
            "kv_reserved_gb": r.kv_reserved_bytes / 1e9, "kv_used_gb": r.kv_used_bytes / 1e9,
            "kv_waste_pct": 100 * r.kv_waste_fraction, "kv_waste_tokens_per_seq": r.kv_waste_tokens_per_seq,
            "preemptions": r.preemptions, "decode_steps": r.decode_steps, "prefill_passes": r.prefill_passes,
            "makespan_s": r.makespan_s, "output_tokens": r.output_tokens,
        })
    return pd.DataFrame(rows).round(4)


def throughput_bars(results: dict) -> go.Figure:
    """Output tokens/s per policy, each bar labelled with its USD per 1M output tokens."""
    fig = figure("Throughput and cost per policy", "", "output tokens/s per replica")
    policies = list(results)
    fig.add_trace(go.Bar(
        x=[BAR_LABELS[p] for p in policies], y=[results[p].output_tokens_per_s for p in policies],
        marker_color=[COLORS[p] for p in policies], showlegend=False,
        text=[f"{fmt.rate(results[p].output_tokens_per_s)}<br>{fmt.usd(results[p].usd_per_m_output)} / 1M out"
              for p in policies], textposition="auto",
        hovertemplate="%{x}: %{y:,.0f} output tokens/s<extra></extra>"))
    return fig


def memory_bars(results: dict) -> go.Figure:
    """KV memory each policy reserved (mean over decode steps), split into what holds tokens and what is empty."""
    fig = figure("KV-cache memory: reserved vs used", "GB per replica (mean over decode steps)", "", barmode="stack")
    policies = list(results)[::-1]
    parts = (("used: holds tokens", COLORS["continuous"], lambda r: r.kv_used_bytes),
             ("reserved but empty (waste)", "#d62728", lambda r: r.kv_waste_bytes))
    for name, color, value in parts:
        fig.add_trace(go.Bar(
            y=[BAR_LABELS[p] for p in policies], x=[value(results[p]) / 1e9 for p in policies], name=name,
            orientation="h", marker_color=color, customdata=[results[p].kv_capacity_bytes / 1e9 for p in policies],
            hovertemplate="%{x:,.2f} GB of %{customdata:,.0f} GB for KV<extra>" + name + "</extra>"))
    return fig


def distribution(results: dict, attribute: str, title: str, x_title: str) -> go.Figure:
    """Empirical CDFs (ms, log x) of one per-request latency, one line per policy."""
    fig = figure(title, x_title, "fraction of requests", log_x=True, yaxis=dict(
        title="fraction of requests", range=[0, 1.02], tickformat=".0%"))
    for policy, r in results.items():
        x, y = ecdf(getattr(r, attribute))
        fig.add_trace(go.Scatter(x=x * 1e3, y=y, name=LABELS[policy], mode="lines", line=dict(color=COLORS[policy]),
                                 hovertemplate="%{y:.0%} of requests within %{x:,.4g} ms<extra></extra>"))
    return fig


def gain_rows(capacity: dict, kind: str, mean_tokens: int) -> tuple[pd.DataFrame, float, float]:
    """The saturated throughput gain, simulated, beside FORMULAS.md section 12's expectations.

    Returns (table, simulated gain, exact E[max G]/E[G] at the static batch limit)."""
    check = gain_check(capacity["static"], capacity["continuous"], kind, mean_tokens)
    batch = check.batch
    rows = [("simulated: continuous / static output tokens/s, all requests at t = 0", check.simulated),
            ("simulated: 1 / static slot occupancy", check.occupancy_gain),
            (f"expected E[max G]/E[G] for B = {batch} draws of this output distribution", check.expected)]
    if kind == "exponential":
        rows.append((f"closed form H_B, uncapped exponential, B = {batch}", check.closed_form))
    elif kind == "uniform":
        rows.append((f"closed form 2B/(B+1), uniform on [1, G_max], B = {batch}", check.closed_form))
    frame = pd.DataFrame([{"quantity": q, "gain_x": round(v, 3)} for q, v in rows])
    return frame, check.simulated, check.expected


def pct(fraction: float) -> str:
    """'69%', '0.57%': two significant digits."""
    return f"{100 * fraction:.2g}%" if math.isfinite(fraction) else "n/a"
