"""Text, figures and tables of the "Model size & lifetime cost" page (pages/scaling.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from model.scaling import laws as scaling
from model.scaling import lifetime

from . import charts
from . import format as fmt

CHINCHILLA_FLOPS = 5.76e23  # Chinchilla's training budget (Hoffmann et al. 2022)
CHINCHILLA_RULE = 20  # tokens per parameter, Hoffmann et al. Approaches 1 and 2
FIT_CITATIONS = {"besiroglu": "Besiroglu et al. 2024", "hoffmann": "Hoffmann et al. 2022 (rounded)"}
DEMAND_COLORS = ["#7f7f7f", "#1f77b4", "#d62728", "#9467bd", "#2ca02c"]


def si(value: float, unit: str) -> str:
    """'20.2B params', '1.5T tokens', '1e15 tokens'."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1e15:
        return f"{value:.3g} {unit}".replace("e+", "e").strip()
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix} {unit}"
    return f"{value:,.0f} {unit}"


def flops(value: float) -> str:
    """'1.56e24 FLOPs'."""
    return f"{value:.3g} FLOPs".replace("e+", "e") if value else "0 FLOPs"


def usd_big(value: float) -> str:
    """'$28.1M', '$2.3B'; small amounts as ui.format.usd."""
    if math.isfinite(value) and abs(value) >= 1e6:
        return "$" + si(value, "").strip()
    return fmt.usd(value)


def fit_note(fit: scaling.LossFit) -> str:
    """What the chosen fit says at Chinchilla's own budget (FORMULAS.md section 16's consistency check)."""
    n, d = (float(v) for v in scaling.compute_optimal(fit, CHINCHILLA_FLOPS))
    text = (f"At Chinchilla's budget (5.76e23 FLOPs) this fit puts the compute optimum at {n / 1e9:.1f}B parameters and "
            f"{d / 1e12:.2f}T tokens, {d / n:.0f} tokens per parameter")
    if fit.name == "hoffmann":
        return (text + ": not the 70B / 1.4T (~20 tokens per parameter) Chinchilla was. Hoffmann et al.'s rounded "
                "Approach-3 constants are known to be inconsistent with their own result (Besiroglu et al. 2024 point it "
                "out); 'Chinchilla-optimal' below means optimal under these constants.")
    return text + ", consistent with Chinchilla's 70B / 1.4T."


def sardana_note(fit: scaling.LossFit) -> str:
    rep = lifetime.sardana_reproduction(fit)
    return (f"**Published** (Sardana et al. 2024, Fig. 1): a developer who wants a 13B-quality model and expects 2T "
            f"inference tokens saves 1.7e22 FLOPs ({fmt.percent(lifetime.SARDANA_PUBLISHED_SAVING)}) by training a 7B model on "
            f"more data. **This model's reproduction is a different number**: with the {FIT_CITATIONS[fit.name]} constants, "
            f"a 13B model trained compute-optimally ({si(rep.big.train_tokens, 'tokens')}) against a 7B model trained to "
            f"the same loss ({si(rep.small.train_tokens, 'tokens')}) saves {fmt.percent(rep.saving_fraction)} of lifetime "
            f"FLOPs, and the optimum ({rep.optimal.params / 1e9:.3g}B) saves {fmt.percent(rep.optimal_saving_fraction)}. "
            "The fits differ from the paper's, so only the direction (smaller and longer-trained is cheaper; the optimal "
            "size shrinks as demand grows) carries over (FORMULAS.md section 16).")


def _demand_name(tokens: float) -> str:
    return "no inference" if tokens == 0 else f"{si(tokens, 'tokens')} served"


def lifetime_figure(sizes, relative, demands, optima: list[scaling.LifetimePlan], reference_params: float,
                    chosen_demand: float, by_usd: bool):
    traces, star_x, star_y = [], [], []
    for color, demand, row, best in zip(DEMAND_COLORS, demands, relative, optima):
        traces.append(go.Scatter(x=sizes / 1e9, y=row, name=_demand_name(demand), mode="lines",
                                 line=dict(color=color, width=3 if demand == chosen_demand else 1.5),
                                 hovertemplate="%{x:.3g}B params: %{y:.3f}x<extra></extra>"))
        star_x.append(best.params / 1e9)
        star_y.append(float(np.interp(np.log(best.params), np.log(sizes), row)))
    traces.append(charts.trace(star_x, star_y, "optimum (least lifetime cost)", "#111111", mode="markers",
                           hover="optimum %{x:.3g}B: %{y:.3f}x<extra></extra>",
                           marker=dict(size=13, symbol="star", color=DEMAND_COLORS[:len(star_x)],
                                       line=dict(color="#111111", width=1))))
    what = "USD" if by_usd else "FLOPs"
    return charts.figure(f"Lifetime {what} against model size, all trained to the same loss", "model size, billion parameters",
                     f"relative lifetime {what} ({reference_params / 1e9:.3g}B = 1)", traces, log_x=True, y_range=[0, 2],
                     vlines=[(reference_params / 1e9, f"Chinchilla-optimal {reference_params / 1e9:.3g}B")], height=440)


def split_figure(comparison: lifetime.LifetimeComparison, usd_train: float, usd_inference: float):
    plans = [("Chinchilla-optimal", comparison.chinchilla), ("lifetime-optimal", comparison.optimal)]
    names = [f"{label}: {plan.params / 1e9:.3g}B, {plan.tokens_per_param:,.0f} tokens/param" for label, plan in plans]
    weights, unit = ((usd_train, usd_inference), "USD") if comparison.by_usd else ((1.0, 1.0), "FLOPs")
    hover = ("$%{y:.3s}" if comparison.by_usd else "%{y:.3s} FLOPs") + "<extra>%{fullData.name}</extra>"
    parts = [("training", charts.PALETTE["prefill"], [p.training_flops * weights[0] for _, p in plans]),
             ("inference", charts.PALETTE["decode"], [p.inference_flops * weights[1] for _, p in plans])]
    traces = [go.Bar(x=names, y=values, name=name, marker_color=color, hovertemplate=hover) for name, color, values in parts]
    return charts.figure(f"Training vs inference {unit} over the model's life", "", f"lifetime {unit}", traces, barmode="stack")


def plans_table(comparison: lifetime.LifetimeComparison, usd_train: float, usd_inference: float) -> pd.DataFrame:
    """Both plans in readable units: billions of parameters and tokens, ZFLOP (1e21 FLOPs), million USD."""
    rows = []
    for label, p in (("Chinchilla-optimal", comparison.chinchilla), ("lifetime-optimal", comparison.optimal)):
        train_usd, inference_usd = p.training_flops * usd_train, p.inference_flops * usd_inference
        rows.append({"plan": label, "params_b": p.params / 1e9, "train_tokens_b": p.train_tokens / 1e9,
                     "tokens_per_param": p.tokens_per_param, "inference_tokens_b": p.inference_tokens / 1e9,
                     "loss_nats_per_token": p.loss, "training_zflop": p.training_flops / 1e21,
                     "inference_zflop": p.inference_flops / 1e21, "total_zflop": p.total_flops / 1e21,
                     "training_usd_m": train_usd / 1e6, "inference_usd_m": inference_usd / 1e6,
                     "total_usd_m": (train_usd + inference_usd) / 1e6})
    return pd.DataFrame(rows)
