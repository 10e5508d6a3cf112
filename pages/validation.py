"""Validation: the model beside published measurements, before and after calibration."""

import streamlit as st

from model.report.fleet import FLEET_CHECKS
from ui.cached import compare_uploaded, comparison, fleet_changes, fleet_checks, measurements
from ui.figures.validation import assumption_bars, scatter
from ui.page import chart, current, lazy_expander, table
from ui.sidebar_calibration import KEY as CALIBRATION_KEY
from ui.sidebar_calibration import SHIPPED
from ui.tables.fleet import COLUMNS as FLEET_COLUMNS
from ui.tables.fleet import fleet_frame
from ui.tables.validation import error_table, every_row, excluded
from ui.text.validation import error_summary

state = current()
st.title("Validation against published measurements")
st.markdown(
    "Each row of `presets/measurements.csv` is a published number with its source. The model predicts the **same "
    "quantity**: for the TensorRT-LLM v0.9 static-batch rows, output tokens/s per GPU over a whole run = batch x "
    "output / (prefill of `batch` prompts + output - 1 decode steps as the context grows) / chips; for the "
    "time-to-first-token rows, one batch-1 prefill; for batch-1 decode rows, one decode step. Efficiencies are each "
    "hardware preset's defaults, or a calibration: per-hardware GEMM MFU, attention MFU, weight and KV bandwidth "
    "fractions and the fixed time per kernel, fitted by least squares on log error (`python -m model calibrate`); "
    "a parameter the rows cannot pin (standard error above half its value, or correlated beyond 0.95 with another) "
    "is held at its default. Micro-benchmark rows (`hbm_read`, `gemm`) pin the bandwidth and GEMM ceilings.")

uploaded = state.calibration if st.session_state.get(CALIBRATION_KEY) != SHIPPED and state.calibration is not None else None
choices = ["shipped", "held-out"] + (["uploaded"] if uploaded is not None else [])
after_name = st.radio("Calibrated predictions", choices, horizontal=True, key="_validation_after",
                      help="shipped: the fits in presets/calibrations (fitted on these rows). held-out: each model "
                           "predicted by a fit on the OTHER models of its hardware (a disjoint subset). uploaded: "
                           "your calibration from the sidebar.")
before = comparison("defaults")
after = compare_uploaded(uploaded) if after_name == "uploaded" else comparison(after_name)


left, right = st.columns(2)
with left:
    chart(scatter(before, "Default efficiencies"), f"Default efficiencies: |error| {error_summary(before)}. Points above "
          "the line are predicted faster/higher than measured.", key="scatter_before")
with right:
    chart(scatter(after, f"Calibrated ({after_name})"), f"{after_name.capitalize()} calibration: |error| "
          f"{error_summary(after)}.", key="scatter_after")

left, right = st.columns(2)
with left:
    st.subheader("Error by hardware")
    table(error_table(before, after, "hw"), "validation_error_by_hardware")
with right:
    st.subheader("Error by model")
    table(error_table(before, after, "model"), "validation_error_by_model",
          "A model whose error stays high after calibration has inefficiencies per-hardware parameters cannot "
          "absorb (e.g. MoE expert imbalance, kernels of that time).")

st.subheader("Every row")
table(every_row(before, after, after_name), "validation_rows", "Excluded rows carry their reason; `quantity` says what `measured` measures.")

rows, problems = measurements()
st.subheader("Excluded rows and why")
table(excluded(rows), "validation_excluded")
for problem in problems:
    st.warning(problem)

with lazy_expander("Published fleets: expert parallelism, FP4, speculation", key="_validation_fleets") as box:
    if box.open:
        st.markdown(
            "Each named scenario rebuilds a published serving system from its stated topology (chips, tensor and "
            "expert parallelism, scale-up and scale-out networks, overlap, precision, speculation) with **default "
            "efficiencies**; `python -m model fleet` prints the same table. **capacity**: what the scenario serves "
            "when busy, held against a profile or benchmark run. **day average**: a fleet's throughput averaged over "
            "a day of varying load, which no capacity model can predict without the load; the column shows the "
            "share of the day the model's capacity implies the nodes were busy (published / model).")
        table(fleet_frame(fleet_checks()), "published_fleets",
              "Positive: the model is faster than the published system. Open a row's scenario with its link.",
              column_config={"link": st.column_config.LinkColumn(FLEET_COLUMNS["link"], display_text="open scenario"),
                             **{k: st.column_config.Column(v) for k, v in FLEET_COLUMNS.items() if k != "link"}})
        labels = [f"{c.scenario}: {c.unit}" for c in FLEET_CHECKS]
        chosen = st.selectbox("What moves one check's answer most", range(len(labels)), format_func=labels.__getitem__,
                              key="_validation_fleet_check")
        chart(assumption_bars(fleet_changes(chosen), labels[chosen]),
              "Each bar re-runs the check with one stated assumption changed and the rest as published; the bar is "
              "the change in the model's answer against the scenario as stated, in %.", key="fleet_assumptions")
