"""Figures of the "Model size & lifetime cost" page (pages/scaling.py)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from model.scaling import laws as scaling
from model.scaling import lifetime
from ui import format as fmt
from ui.figures import factory

DEMAND_COLORS = ["#7f7f7f", "#1f77b4", "#d62728", "#9467bd", "#2ca02c"]


def _demand_name(tokens: float) -> str:
    return "no inference" if tokens == 0 else f"{fmt.si(tokens, 'tokens')} served"


def lifetime_figure(sizes, relative, demands, optima: list[scaling.LifetimePlan], reference_params: float,
                    chosen_demand: float, by_usd: bool):
    traces, star_x, star_y = [], [], []
    for color, demand, row, best in zip(DEMAND_COLORS, demands, relative, optima):
        traces.append(go.Scatter(x=sizes / 1e9, y=row, name=_demand_name(demand), mode="lines",
                                 line=dict(color=color, width=3 if demand == chosen_demand else 1.5),
                                 hovertemplate="%{x:.3g}B params: %{y:.3f}x<extra></extra>"))
        star_x.append(best.params / 1e9)
        star_y.append(float(np.interp(np.log(best.params), np.log(sizes), row)))
    traces.append(factory.trace(star_x, star_y, "optimum (least lifetime cost)", "#111111", mode="markers",
                           hover="optimum %{x:.3g}B: %{y:.3f}x<extra></extra>",
                           marker=dict(size=13, symbol="star", color=DEMAND_COLORS[:len(star_x)],
                                       line=dict(color="#111111", width=1))))
    what = "USD" if by_usd else "FLOPs"
    return factory.figure(f"Lifetime {what} against model size, all trained to the same loss", "model size, billion parameters",
                     f"relative lifetime {what} ({reference_params / 1e9:.3g}B = 1)", traces, log_x=True, y_range=[0, 2],
                     vlines=[(reference_params / 1e9, f"Chinchilla-optimal {reference_params / 1e9:.3g}B")], height=440)


def split_figure(comparison: lifetime.LifetimeComparison, usd_train: float, usd_inference: float):
    plans = [("Chinchilla-optimal", comparison.chinchilla), ("lifetime-optimal", comparison.optimal)]
    names = [f"{label}: {plan.params / 1e9:.3g}B, {plan.tokens_per_param:,.0f} tokens/param" for label, plan in plans]
    weights, unit = ((usd_train, usd_inference), "USD") if comparison.by_usd else ((1.0, 1.0), "FLOPs")
    hover = ("$%{y:.3s}" if comparison.by_usd else "%{y:.3s} FLOPs") + "<extra>%{fullData.name}</extra>"
    parts = [("training", factory.PALETTE["prefill"], [p.training_flops * weights[0] for _, p in plans]),
             ("inference", factory.PALETTE["decode"], [p.inference_flops * weights[1] for _, p in plans])]
    traces = [go.Bar(x=names, y=values, name=name, marker_color=color, hovertemplate=hover) for name, color, values in parts]
    return factory.figure(f"Training vs inference {unit} over the model's life", "", f"lifetime {unit}", traces, barmode="stack")
