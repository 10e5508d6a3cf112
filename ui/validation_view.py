"""Data and figures for the Validation page (cached: the rows do not depend on the sidebar)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from model import load_catalog
from model.calibration.fit import leave_one_model_out
from model.calibration.measurements import read_measurements
from model.calibration.validate import validate
from model.catalog.presets import PRESET_DIR

from . import charts
from .calibration_panel import shipped

MEASUREMENTS = PRESET_DIR / "measurements.csv"
BAND = 0.25  # the +-25% band drawn around y = x


@st.cache_resource
def measurements():
    rows, problems = read_measurements(str(MEASUREMENTS), load_catalog())
    return rows, problems


def rows_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame([r.as_dict() for r in rows])
    numeric = ("chips", "wbits", "kvbits", "abits", "batch", "ctx", "prompt", "out", "measured", "predicted", "error_pct")
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")  # excluded rows hold ''
    return frame


@st.cache_data
def comparison(which: str) -> pd.DataFrame:
    """Rows with predictions: 'defaults', 'shipped' calibration, or 'held-out' (leave one model out)."""
    rows, _ = measurements()
    catalog = load_catalog()
    if which == "held-out":
        result = leave_one_model_out([m for m in rows if not m.excluded], catalog)
    else:
        result = validate(rows, catalog, shipped() if which == "shipped" else None)
    return rows_frame(result)


def compare_uploaded(calibration) -> pd.DataFrame:
    rows, _ = measurements()
    return rows_frame(validate(rows, load_catalog(), calibration))


def scatter(frame: pd.DataFrame, title: str) -> go.Figure:
    """Predicted against measured, log-log, one colour per hardware, y = x and a +-25% band."""
    used = frame[frame["predicted"].notna()]
    fig = charts.figure(title, "measured (as published)", "predicted (same definition)", log_x=True, log_y=True)
    for hw, group in used.groupby("hw"):
        fig.add_trace(go.Scatter(
            x=group["measured"], y=group["predicted"], mode="markers", name=hw,
            customdata=np.stack([group["id"], group["model"], group["phase"], group["quantity"], group["error_pct"]], axis=1),
            hovertemplate="row %{customdata[0]}: %{customdata[1]} (%{customdata[2]})<br>%{customdata[3]}: measured "
                          "%{x:.4g}, predicted %{y:.4g}<br>error %{customdata[4]:+.0f}%<extra>%{fullData.name}</extra>"))
    if not used.empty:
        lo, hi = used[["measured", "predicted"]].min().min() / 1.5, used[["measured", "predicted"]].max().max() * 1.5
        for factor, dash in ((1, None), (1 + BAND, "dot"), (1 - BAND, "dot")):
            fig.add_trace(go.Scatter(x=[lo, hi], y=[lo * factor, hi * factor], mode="lines", showlegend=factor == 1,
                                     name="y = x (dotted: +-25%)", line=dict(color="#555", dash=dash, width=1),
                                     hoverinfo="skip"))
    return fig


def error_table(before: pd.DataFrame, after: pd.DataFrame, by: str) -> pd.DataFrame:
    """Median and max |error %| per group, before and after calibration."""
    def stats(frame):
        used = frame[frame["error_pct"].notna()].assign(abs_err=lambda f: f["error_pct"].abs())
        return used.groupby(by)["abs_err"].agg(n="count", median="median", max="max")

    table = stats(before).merge(stats(after), left_index=True, right_index=True,
                                suffixes=("_default_pct", "_calibrated_pct")).reset_index()
    return table.rename(columns={"n_default_pct": "rows"}).drop(columns=["n_calibrated_pct"]).round(1)
