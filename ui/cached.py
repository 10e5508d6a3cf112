"""Streamlit-cached model runs the pages share (st.cache_data / st.cache_resource wrappers).

Only caching lives here: each function calls the model (and, for the validation rows, shapes its
result into a frame) so that a rerun with the same inputs is instant. Arguments starting with `_`
are not hashed; a `keys`/`dep_key` argument (the deployments' reprs) keys the cache instead.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from model import load_catalog
from model.calibration.error_band import ErrorBand, error_band
from model.calibration.file_format import Calibration, load_shipped
from model.calibration.measurements import read_measurements
from model.calibration.transfer import leave_one_model_out
from model.calibration.validate import validate
from model.catalog.presets import PRESET_DIR
from model.disaggregation.plan import ServingPlan
from model.disaggregation.replicas import compare_checked
from model.disaggregation.sweep import PlanSweep, plan_sweep, sweep_values
from model.report.fleet import FLEET_CHECKS, fleet_rows, sensitivity
from model.serving.budget import Budget
from model.serving.simulate import run_policies
from model.serving.workload import Workload
from ui.tables.validation import rows_frame

CAPACITY_REQUESTS = 2000  # the saturated (all-at-once) serving comparison uses at most this many of the requests
# Wall-clock seconds the Continuous batching page's three runs may take (each also has the work budget,
# model.serving.workload.SIMULATOR_MAX_WORK): at most 4.5 s of simulation per page run, whatever the link.
SERVING_WALL_S = {"at_rate": 2.5, "capacity": 1.5, "gain": 0.5}
SWEEP_AXES = {"rate": "rate_per_s", "prompt": "prompt_tokens"}  # dg_axis -> the swept plan input
MEASUREMENTS = PRESET_DIR / "measurements.csv"


# --- calibration (sidebar and Validation page) ---------------------------------------------------
@st.cache_resource
def shipped_calibration() -> Calibration:
    return load_shipped()


# --- Continuous batching page ----------------------------------------------------------------------
@st.cache_data(max_entries=32, show_spinner="Simulating the three policies...")
def simulate(dep_key: str, _dep, n: int, rate: float, prompt_kind: str, prompt: int, out_kind: str, out: int,
             max_batch: int):
    """(results, refusals) at the given rate; (results, refusals) with the first min(n, CAPACITY_REQUESTS)
    requests at t = 0 (static and continuous: the gain); and every policy's results with CAPACITY_REQUESTS
    requests at t = 0 (the capacity, model.serving.capacity: enough requests that the last part-empty
    batches barely count).

    `dep_key` (the deployment's repr) keys the cache; `_dep` is not hashed. Each run stops at its
    budget (SERVING_WALL_S, and the simulator's work budget) with what it simulated, and when
    Streamlit stops or reruns this session (`still_wanted`), nothing being cached then."""
    def budget(run: str) -> Budget:
        return Budget(wall_s=SERVING_WALL_S[run], poll=still_wanted)

    load = Workload.shaped(n, rate, prompt_kind, prompt, out_kind, out)
    at_rate = run_policies(_dep, load, max_batch, budget=budget("at_rate"))
    full = Workload.shaped(CAPACITY_REQUESTS, math.inf, prompt_kind, prompt, out_kind, out)
    capacity, _ = run_policies(_dep, full, max_batch, budget=budget("capacity"))
    if n >= CAPACITY_REQUESTS:
        gain = ({p: capacity[p] for p in ("static", "continuous") if p in capacity}, {})
    else:
        gain = run_policies(_dep, Workload.shaped(n, math.inf, prompt_kind, prompt, out_kind, out), max_batch,
                            ("static", "continuous"), budget("gain"))
    return at_rate, gain, capacity


def still_wanted() -> None:
    """Reading session state is a Streamlit yield point: it raises Streamlit's stop or rerun exception
    when this session reran or is gone, which abandons the simulation in progress."""
    _ = STATE_PROBE in st.session_state


STATE_PROBE = "_serving_probe"  # any key: only the read matters


# --- Prefill/decode split page ---------------------------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def plans(keys: tuple, _prefill_dep, _decode_dep, prompt: int, out: int, rate: float, batch: int,
          link_bytes_per_s: float | None) -> dict[str, ServingPlan]:
    """`replicas.compare_checked` (both plans once each replica holds what it must); `keys` keys the cache."""
    return compare_checked(_prefill_dep, _decode_dep, prompt, out, rate, batch, link_bytes_per_s=link_bytes_per_s)


@st.cache_data(max_entries=32, show_spinner="Sweeping both plans...")
def sweep(keys: tuple, _prefill_dep, _decode_dep, prompt: int, out: int, rate: float, batch: int, axis: str,
          max_prompt: int, link_bytes_per_s: float | None) -> PlanSweep:
    """`sweep.plan_sweep` on the page's grid; `keys` (the two deployments' reprs) keys the cache."""
    name = SWEEP_AXES[axis]
    values = sweep_values(name, rate, prompt, max_prompt)
    return plan_sweep(_prefill_dep, _decode_dep, prompt, out, rate, batch, name, values,
                      link_bytes_per_s=link_bytes_per_s)


# --- Validation page (the rows do not depend on the sidebar) ---------------------------------------
@st.cache_resource
def measurements():
    rows, problems = read_measurements(str(MEASUREMENTS), load_catalog())
    return rows, problems


@st.cache_data
def comparison(which: str) -> pd.DataFrame:
    """Rows with predictions: 'defaults', 'shipped' calibration, or 'held-out' (leave one model out)."""
    rows, _ = measurements()
    catalog = load_catalog()
    if which == "held-out":
        result = leave_one_model_out([m for m in rows if not m.excluded], catalog)
    else:
        result = validate(rows, catalog, shipped_calibration() if which == "shipped" else None)
    return rows_frame(result)


@st.cache_data(max_entries=64, show_spinner=False)
def hardware_band(hw_key: str, calibration_json: str | None, _calibration) -> ErrorBand:
    """The model's error on the shipped rows of one hardware (Overview); the calibration's JSON keys the cache."""
    rows, _ = measurements()
    return error_band(rows, load_catalog(), hw_key, _calibration)


@st.cache_data(show_spinner="Running the published-fleet checks...")
def fleet_checks() -> list[dict]:
    """`python -m model fleet`'s table (it does not depend on the sidebar)."""
    return fleet_rows(load_catalog())


@st.cache_data(max_entries=16, show_spinner=False)
def fleet_changes(index: int) -> list[dict]:
    """One fleet check re-run with each stated assumption changed alone."""
    return sensitivity(load_catalog(), FLEET_CHECKS[index])


def compare_uploaded(calibration) -> pd.DataFrame:
    rows, _ = measurements()
    return rows_frame(validate(rows, load_catalog(), calibration))
