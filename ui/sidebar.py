"""The scenario sidebar: every scenario key is a widget (ui.widgets) under its URL key.

On a session's first run ui/links.py seeds the widgets from the link; after every run it writes
the one canonical link to the address bar and into "Share this scenario", whose place in the
sidebar `render_sidebar` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from model import Catalog, Deployment, Scenario, parse_scenario, resolve
from model.schema.parse import baseline, scenario_params
from model.schema.resolve import efficiency_of, hardware_of
from model.schema.scenario import (
    CUSTOM,
    CUSTOM_HW_KEYS,
    CUSTOM_MODEL_KEYS,
    DEFAULT_SCENARIO,
    SCENARIO_FIELDS,
)
from ui import sidebar_calibration
from ui.links import (
    AUTO,
    NO_PRESET,
    context_limit,
    read_widgets,
    restart_boundary_on_change,
    scenario_value,
    seed_from_url,
    show_notice,
    widget_value,
    write_widgets,
)
from ui.widgets import UrlParam, checkbox, choice, log_choice, log_grid, names_of, number, radio

MIN_CTX = 128
BATCH_GRID = log_grid(1, int(SCENARIO_FIELDS["batch"].hi))


@dataclass(frozen=True)
class AppState:
    """What every page reads: the presets, the scenario and the deployment it describes."""

    catalog: Catalog
    scenario: Scenario
    deployment: Deployment
    calibration: object | None = None


# --- callbacks -----------------------------------------------------------------------------------
def apply_preset(catalog: Catalog) -> None:
    preset = scenario_value("preset", st.session_state.get("preset"))
    if preset:
        write_widgets(baseline(preset, catalog), skip=("preset",))


def prefill_custom_hardware(catalog: Catalog) -> None:
    """Switching to custom starts from the hardware that was selected before."""
    previous = st.session_state.get("_previous_hw", DEFAULT_SCENARIO.hw)
    if st.session_state.get("hw") != CUSTOM or previous not in catalog.hardware:
        return
    hw = catalog.hardware[previous]
    values = (hw.peak_flops_per_s(False) / 1e12, hw.hbm_bytes_per_s / 1e12, hw.hbm_bytes / 1e9, hw.link_bytes_per_s / 1e9)
    for key, value in zip(CUSTOM_HW_KEYS, values):
        st.session_state[key] = round(value, 3)


def model_changed(catalog: Catalog) -> None:
    """Custom starts from the previous model's shapes; the context is clamped to the new maximum."""
    previous = st.session_state.get("_previous_model", DEFAULT_SCENARIO.model)
    if st.session_state.get("model") == CUSTOM and previous in catalog.models:
        m = catalog.models[previous]
        ffn = m.moe_ffn if m.is_moe else m.ffn
        head_dim = m.head_dim or m.qk_nope_head_dim + m.qk_rope_head_dim
        kv_heads = m.kv_heads if not m.is_mla else m.heads
        shapes = (m.layers, m.d_model, m.heads, kv_heads, head_dim, ffn, m.vocab, m.experts, m.experts_active)
        for key, value in zip(CUSTOM_MODEL_KEYS, shapes):
            st.session_state[key] = value
    limit = context_limit(catalog, st.session_state.get("model"))
    if st.session_state.get("ctx", 0) > limit:
        st.session_state["ctx"] = limit


# --- widgets (ui.widgets, under the scenario key) -----------------------------------------------------
def param(key: str, label: str) -> UrlParam:
    """A scenario key as a link control: its field, its default widget value, its doc as help."""
    return UrlParam(SCENARIO_FIELDS[key], widget_value(DEFAULT_SCENARIO, key), label, SCENARIO_FIELDS[key].doc)


def hardware_widgets(catalog: Catalog) -> None:
    choice(param("hw", "Hardware"), list(catalog.hardware) + [CUSTOM], on_change=prefill_custom_hardware, args=(catalog,),
           format_func=names_of(catalog.hardware, custom="Custom hardware"),
           help="Accelerator preset (per-chip specs with sources on the Overview page), or custom.")
    if st.session_state.get("hw") == CUSTOM:
        with st.expander("Custom hardware", expanded=True):
            for key, label in zip(CUSTOM_HW_KEYS, ("Dense TFLOP/s", "HBM TB/s", "HBM GB per chip", "Link GB/s per direction")):
                number(param(key, label))
    else:
        hw = catalog.hardware[st.session_state["hw"]]
        st.caption(f"{hw.name}: {hw.bf16_flops_per_s / 1e12:,.0f} bf16 TFLOP/s, {hw.hbm_bytes / 1e9:,.0f} GB at "
                   f"{hw.hbm_bytes_per_s / 1e12:.2f} TB/s, ${hw.usd_per_hour:.2f}/chip-hour")
    st.session_state["_previous_hw"] = st.session_state.get("hw")


def model_widgets(catalog: Catalog) -> None:
    choice(param("model", "Model"), list(catalog.models) + [CUSTOM], on_change=model_changed, args=(catalog,),
           format_func=names_of(catalog.models, custom="Custom model"),
           help="Model preset (shapes from the official config.json), or custom.")
    if st.session_state.get("model") == CUSTOM:
        with st.expander("Custom model", expanded=True):
            for key in CUSTOM_MODEL_KEYS:
                number(param(key, SCENARIO_FIELDS[key].doc.removeprefix("custom model: ").capitalize()))
    else:
        m = catalog.models[st.session_state["model"]]
        active = f", {m.matmul_params_per_token / 1e9:.1f}B active" if m.is_moe else ""
        st.caption(f"{m.name}: {m.total_params / 1e9:.1f}B params{active}, max context {m.max_context:,} tokens")
    st.session_state["_previous_model"] = st.session_state.get("model")


def assumption_widgets(scenario_hw, default_efficiency, calibrated: bool) -> None:
    origin = "calibration" if calibrated else "preset"
    with st.expander("Assumptions (efficiencies, price)"):
        st.caption(f"Empty = the {origin}'s value, shown greyed out.")
        number(param("price", "USD per chip-hour"), placeholder=f"{scenario_hw.usd_per_hour:g} (preset)")
        number(param("mfu", "MFU: achieved fraction of peak FLOP/s"), placeholder=f"{default_efficiency.mfu:.3g} ({origin})")
        number(param("mbu", "MBU: achieved fraction of HBM bandwidth (weights and KV)"),
               placeholder=f"{default_efficiency.weights_mbu:.3g} / {default_efficiency.kv_mbu:.3g} ({origin})")


def preset_note(catalog: Catalog, scenario: Scenario) -> str:
    """The named scenario's description, or what the scenario changed from it."""
    changed = [key for key in scenario_params(scenario, catalog) if key != "preset"]
    if changed:
        return f"Based on {scenario.preset}, changed: {', '.join(changed)}."
    return catalog.scenarios[scenario.preset].description


def render_sidebar(catalog: Catalog) -> tuple[AppState, object]:
    """Draw the scenario widgets; return the scenario they describe and the share box's place."""
    seed_from_url(catalog)
    with st.sidebar:
        show_notice()
        choice(param("preset", "Named scenario"), [NO_PRESET] + list(catalog.scenarios), on_change=apply_preset,
               format_func=names_of(catalog.scenarios),
               args=(catalog,), help="One click loads a named scenario; your later changes stay in the link.")
        note = st.empty()
        hardware_widgets(catalog)
        model_widgets(catalog)
        number(param("chips", "Chips per replica (tensor parallel)"))
        checkbox(param("dp_attn", "Attention data-parallel (DP attention)"),
                 help="`dp_attn`: each chip runs attention for its own sequences (its KV cache is not copied; "
                      "attention weights are on every chip), FFN/experts stay split across chips. DeepSeek and "
                      "SGLang serve MLA models this way.")
        radio(param("wbits", "Weight bits"), (16, 8, 4), help="Bits per weight (8 = FP8/INT8, 4 = weight-only 4-bit)")
        radio(param("kvbits", "KV-cache bits"), (16, 8, 4), help="Bits per cached K/V element")
        radio(param("abits", "Activation bits"), (AUTO, 16, 8),
              help="Compute precision; auto = 8 when weights are 8-bit and the chip has an 8-bit peak")
        log_choice(param("batch", "Batch (sequences per decode step)"), BATCH_GRID,
                   help="Sequences decoded together in one step (log scale)")
        limit = context_limit(catalog, parse_scenario(read_widgets(), catalog)[0].model)
        log_choice(param("ctx", "Context (tokens in each KV cache)"), log_grid(MIN_CTX, limit),
                   help=f"Tokens already cached per sequence, up to the model's {limit:,}")
        number(param("prompt", "Prompt tokens per request"))
        number(param("out", "Output tokens per request"))
        scenario, errors = parse_scenario(read_widgets(), catalog)
        for error in errors:
            st.error(f"{error} (using the default instead)")
        if scenario.preset in catalog.scenarios:
            note.caption(preset_note(catalog, scenario))
        restart_boundary_on_change(scenario)
        hw = hardware_of(scenario, catalog)
        calibration = sidebar_calibration.calibration_widgets(hw.id)
        defaults = efficiency_of(scenario.replace(mfu=None, mbu=None), hw, calibration)
        assumption_widgets(hw, defaults, calibration is not None and calibration.efficiency_for(hw.id) is not None)
        share_slot = st.empty()
    return AppState(catalog, scenario, resolve(scenario, catalog, calibration), calibration), share_slot
