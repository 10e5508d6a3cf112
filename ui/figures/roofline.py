"""The Roofline page's figure (pages/roofline.py): one chip's roofs per precision, ridge points, ops and the decode path."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from model import Deployment
from model.core.intensity import (
    DecodePath,
    OpPoint,
    PassTotals,
    compute_roofs_flops_per_s,
    roof_curve,
)
from ui.figures import factory

TERA = 1e12
ROOF_COLORS = {"bf16": "#111111", "8-bit": "#6b6b6b", "bf16 = 8-bit": "#111111"}
OP_SYMBOLS = {"prefill": "circle", "decode": "square"}
OP_HOVER = ("<b>%{customdata[0]}</b> (%{meta})<br>%{customdata[1]:.4g} GFLOP over %{customdata[2]:.4g} MB<br>"
            "intensity %{x:.3g} FLOP/byte<br>time %{customdata[3]:.3g} ms, %{customdata[4]}-bound<br>"
            "attained %{y:.3g} TFLOP/s per chip<extra></extra>")


def in_use_label(dep: Deployment) -> str:
    """Which roof the scenario computes on: '8-bit' when activations and chip are 8-bit."""
    roofs = compute_roofs_flops_per_s(dep.hardware)
    return "8-bit" if dep.eight_bit_compute and "8-bit" in roofs else next(iter(roofs))


def add_roofs(fig: go.Figure, dep: Deployment, lo: float, hi: float) -> None:
    """Solid roof per precision with its ridge point; the roof in use again at mfu/mbu, dashed."""
    hw, eff = dep.hardware, dep.efficiency
    in_use = in_use_label(dep)
    ridges_x, ridges_y, ridge_text = [], [], []
    for label, peak in compute_roofs_flops_per_s(hw).items():
        x, y = roof_curve(peak, hw.hbm_bytes_per_s, lo, hi)
        name = f"{label} roof: {peak / TERA:,.0f} TFLOP/s, {hw.hbm_bytes_per_s / TERA:.3g} TB/s"
        factory.line(fig, x, y / TERA, name + (" (in use)" if label == in_use else ""), ROOF_COLORS[label],
                    hover=f"{label} roof<br>%{{x:.3g}} FLOP/byte: %{{y:.4g}} TFLOP/s<extra></extra>")
        ridges_x.append(peak / hw.hbm_bytes_per_s)
        ridges_y.append(peak / TERA)
        ridge_text.append(f"ridge {peak / hw.hbm_bytes_per_s:,.0f}")
    fig.add_trace(go.Scatter(
        x=ridges_x, y=ridges_y, name="ridge point = peak / HBM bandwidth", mode="markers+text", text=ridge_text,
        textposition="top left", marker=dict(symbol="diamond", size=11, color="#111111"),
        hovertemplate="ridge point %{x:.4g} FLOP/byte at %{y:,.0f} TFLOP/s<extra></extra>"))
    peak = hw.peak_flops_per_s(dep.eight_bit_compute)
    x, y = roof_curve(peak * eff.mfu, hw.hbm_bytes_per_s * eff.weights_mbu, lo, hi)
    factory.line(fig, x, y / TERA, f"{in_use} roof at mfu {eff.mfu:g}, mbu {eff.weights_mbu:g}", "#2ca02c", "dash",
                hover="efficiency-adjusted roof<br>%{x:.3g} FLOP/byte: %{y:.4g} TFLOP/s<extra></extra>")


def add_ops(fig: go.Figure, points: list[OpPoint], phase: str, label: str) -> None:
    fig.add_trace(go.Scatter(
        x=[p.intensity_flop_per_byte for p in points], y=[p.attained_flops_per_s_per_chip / TERA for p in points],
        name=label, mode="markers", meta=phase, marker=dict(symbol=OP_SYMBOLS[phase], size=10,
                                                           color=factory.PALETTE[phase], line=dict(width=1, color="white")),
        customdata=[[p.name, p.flops / 1e9, p.bytes / 1e6, p.time_s * 1e3, p.bound] for p in points],
        hovertemplate=OP_HOVER))


def spaced(x, y, batches, batch: int, candidates, min_gap_decades: float = 0.12) -> list[bool]:
    """Which batch labels to draw: the current batch first, then candidates from the largest batch
    down, skipping any closer than `min_gap_decades` (log-log distance) to a label already drawn."""
    points = np.column_stack([np.log10(x), np.log10(y)])
    order = [int(np.flatnonzero(batches == batch)[0])]
    order += [i for i in range(len(batches) - 1, -1, -1) if batches[i] in candidates and batches[i] != batch]
    kept: list[int] = []
    for i in order:
        if all(np.hypot(*(points[i] - points[j])) >= min_gap_decades for j in kept):
            kept.append(i)
    return [i in kept for i in range(len(batches))]


def add_decode_path(fig: go.Figure, path: DecodePath, batch: int, labelled) -> None:
    """Decode step (all ops together) per batch; open markers where the batch does not fit in HBM."""
    keep = spaced(path.intensity_flop_per_byte, path.attained_flops_per_s_per_chip, path.batch, batch, labelled)
    text = [f"{b:.0f}" if k else "" for b, k in zip(path.batch, keep)]
    fig.add_trace(go.Scatter(
        x=path.intensity_flop_per_byte, y=path.attained_flops_per_s_per_chip / TERA, name="decode step as batch grows",
        mode="lines+markers+text", text=text, textposition="bottom right", textfont=dict(size=10, color="#8b1a1a"),
        line=dict(color="#e8a0a0", width=2),
        marker=dict(color="#d62728", size=7, symbol=np.where(path.fits, "circle", "circle-open")),
        customdata=np.column_stack([path.batch, path.step_s * 1e3, path.bound, np.where(path.fits, "fits", "does not fit")]),
        hovertemplate=("decode step at batch %{customdata[0]}<br>%{x:.3g} FLOP/byte, %{y:.3g} TFLOP/s per chip<br>"
                       "step %{customdata[1]:.3g} ms, %{customdata[2]}-bound; KV %{customdata[3]} in HBM<extra></extra>")))
    here = int(np.flatnonzero(path.batch == batch)[0])
    fig.add_trace(go.Scatter(
        x=[path.intensity_flop_per_byte[here]], y=[path.attained_flops_per_s_per_chip[here] / TERA],
        name=f"decode step at batch {batch} (current)", mode="markers",
        marker=dict(symbol="star", size=18, color="#d62728", line=dict(width=1, color="black")),
        hovertemplate="current decode step (batch %{meta})<br>%{x:.3g} FLOP/byte, %{y:.3g} TFLOP/s per chip<extra></extra>",
        meta=batch))


def add_pass(fig: go.Figure, totals: PassTotals, name: str) -> None:
    fig.add_trace(go.Scatter(
        x=[float(totals.intensity_flop_per_byte)], y=[float(totals.attained_flops_per_s_per_chip) / TERA], name=name,
        mode="markers", marker=dict(symbol="star", size=18, color=factory.PALETTE["prefill"], line=dict(width=1, color="black")),
        hovertemplate=name + "<br>%{x:.3g} FLOP/byte, %{y:.3g} TFLOP/s per chip<extra></extra>"))


def roofline_figure(dep: Deployment, lo: float, hi: float, prefill_ops: list[OpPoint], decode_ops: list[OpPoint],
                    prefill_total: PassTotals, path: DecodePath, batch: int, prompt: int, ctx: int) -> go.Figure:
    fig = factory.figure(f"Roofline of one {dep.hardware.name} (per chip)", "arithmetic intensity (FLOP/byte)",
                         "attained TFLOP/s per chip", log_x=True, log_y=True, height=560,
                         x_axis=dict(range=[np.log10(lo), np.log10(hi)], exponentformat="power"),
                         y_axis=dict(exponentformat="power"), margin=dict(l=10, r=10, t=40, b=10),
                         legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.01, font=dict(size=11)))
    add_roofs(fig, dep, lo, hi)
    add_decode_path(fig, path, batch, labelled={1, 4, 16, 64, 256, 1024, 4096})
    add_ops(fig, prefill_ops, "prefill", f"prefill ops (one {prompt:,}-token prompt)")
    add_ops(fig, decode_ops, "decode", f"decode ops (batch {batch}, context {ctx:,})")
    add_pass(fig, prefill_total, "prefill pass (all ops)")
    return factory.fit_log_ticks(fig)
