"""The scenario sidebar: every scenario key is a widget (ui.widgets) under its URL key.

On a session's first run ui/links.py seeds the widgets from the link; after every run it writes
the one canonical link to the address bar and into "Share this scenario", whose place in the
sidebar `render_sidebar` returns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from model import Catalog, Deployment, Scenario, parse_scenario, resolve
from model.schema.parse import baseline, clamp_custom_model, scenario_params
from model.schema.resolve import calibration_key, efficiency_of, hardware_of
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
from ui.widgets import UrlParam, checkbox, choice, log_choice, log_grid, names_of, number, radio, text

MIN_CTX = 128
CLAMP_NOTE = "_custom_model_clamped"
log = logging.getLogger("llm_econ")
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


def clamp_custom_widgets() -> None:
    """A custom-model field changed: keys the others now make invalid (experts_active beyond experts,
    kv_heads beyond heads) are clamped in the widgets too, so the sidebar shows what the cards compute."""
    clamped, errors = clamp_custom_model(Scenario(model=CUSTOM, **{k: st.session_state.get(k) for k in CUSTOM_MODEL_KEYS}))
    for error in errors:
        st.session_state[error.field] = getattr(clamped, error.field)
    st.session_state[CLAMP_NOTE] = [str(error) for error in errors]


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
            text(param("hw_name", "Name (a calibration of this chip applies)"))
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
                number(param(key, SCENARIO_FIELDS[key].doc.removeprefix("custom model: ").capitalize()),
                       on_change=clamp_custom_widgets)
            for note in st.session_state.get(CLAMP_NOTE, []):
                st.warning(note)
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


def fallback_note(field: str, scenario: Scenario) -> str:
    """What the numbers use instead of a value the sidebar shows but the model refused."""
    if field in CUSTOM_MODEL_KEYS and scenario.model != CUSTOM:
        return f"the numbers use the {scenario.model} model until it is set"
    if field in CUSTOM_HW_KEYS and scenario.hw != CUSTOM:
        return f"the numbers use the {scenario.hw} hardware until it is set"
    return "the numbers use the default instead"


def frontier_widgets(catalog: Catalog) -> None:
    """Expert parallelism, the two-level network, overlap, FP4 scales and speculative decoding."""
    with st.expander("Parallelism, network, speculation"):
        st.caption("Empty = the default: tp = chips, one flat scale-up domain, the hardware's scale-out.")
        number(param("ep", "Expert parallel degree (a divisor of chips)"))
        number(param("tp", "Tensor parallel degree of attention/dense layers"), placeholder="chips")
        number(param("ep_nodes", "Node-limited routing: domains per token (0 = any)"))
        number(param("scaleup", "Chips per scale-up domain (NVLink/ICI)"), placeholder="the replica")
        number(param("scaleout_gbps", "Scale-out GB/s per chip per direction"), placeholder="the hardware's")
        checkbox(param("overlap", "Overlap communication with compute (two micro-batches)"))
        radio(param("routing", "Expert routing"), ("balanced", "random"),
              help="`routing`: balanced = every chip exactly its share of the expert tokens; random = expected "
                   "loads balanced (EPLB), each step's draw not, so a step waits for the busiest chip (F141)")
        number(param("spec", "Speculative draft tokens per step"))
        number(param("spec_accept", "Acceptance rate per draft token (assumption)"))
        choice(param("spec_draft", "Draft"), ["mtp"] + list(catalog.models),
               help="`spec_draft`: mtp = a multi-token-prediction head (one extra layer per draft), or a draft model")
        radio(param("wscale", "Block scales of 4-bit weights"), ("none", "nvfp4", "mxfp4"),
              help="`wscale`: NVFP4 stores one 8-bit scale per 16 weights, MXFP4 per 32; none counts 4 bits only")


def preset_note(catalog: Catalog, scenario: Scenario) -> str:
    """The named scenario's description, or what the scenario changed from it."""
    changed = [key for key in scenario_params(scenario, catalog) if key != "preset"]
    if changed:
        return f"Based on {scenario.preset}, changed: {', '.join(changed)}."
    return catalog.scenarios[scenario.preset].description


def render_sidebar(catalog: Catalog) -> tuple[AppState, object]:
    """Draw the scenario widgets; return the scenario they describe and the share box's place. An
    unexpected error is one line in the sidebar (as pages do: ui/page.py run_guarded), and the pages
    show the scenario of the link (the last one drawn), so neither the numbers nor the link are lost."""
    try:
        return _render_sidebar(catalog)
    except Exception as exc:  # Streamlit's own control flow uses BaseException, not caught here
        log.exception("sidebar failed")
        st.sidebar.error(f"The sidebar could not be drawn ({type(exc).__name__}): the pages show the scenario "
                         "of the link. Reload the page or choose a named scenario.")
        return link_state(catalog), st.sidebar.empty()


def link_state(catalog: Catalog) -> AppState:
    """The scenario of the address bar's link without a calibration (the defaults if even that fails)."""
    try:
        scenario, _ = parse_scenario({key: st.query_params.get_all(key) for key in st.query_params}, catalog)
        return AppState(catalog, scenario, resolve(scenario, catalog))
    except Exception:
        log.exception("the link's scenario could not be resolved")
        return AppState(catalog, DEFAULT_SCENARIO, resolve(DEFAULT_SCENARIO, catalog))


def _render_sidebar(catalog: Catalog) -> tuple[AppState, object]:
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
        frontier_widgets(catalog)
        radio(param("wbits", "Weight bits"), (16, 8, 4), help="Bits per weight (8 = FP8/INT8, 4 = weight-only 4-bit)")
        radio(param("kvbits", "KV-cache bits"), (16, 8, 4), help="Bits per cached K/V element")
        radio(param("abits", "Activation bits"), (AUTO, 16, 8, 4),
              help="Compute precision; auto = 8 when weights are 8-bit and the chip has an 8-bit peak; "
                   "4 = FP4 GEMMs (4-bit weights, chips with an FP4 peak)")
        log_choice(param("batch", "Batch (sequences per decode step)"), BATCH_GRID,
                   help="Sequences decoded together in one step (log scale)")
        limit = context_limit(catalog, parse_scenario(read_widgets(), catalog)[0].model)
        log_choice(param("ctx", "Context (tokens in each KV cache)"), log_grid(MIN_CTX, limit),
                   help=f"Tokens already cached per sequence, up to the model's {limit:,}")
        number(param("prompt", "Prompt tokens per request"))
        number(param("out", "Output tokens per request"))
        number(param("slo_tps", "Tier speed target (tokens/s per user)"))
        scenario, errors = parse_scenario(read_widgets(), catalog)
        for error in errors:
            st.error(f"{error} ({fallback_note(error.field, scenario)})")
        if scenario.preset in catalog.scenarios:
            note.caption(preset_note(catalog, scenario))
        restart_boundary_on_change(scenario)
        hw = hardware_of(scenario, catalog)
        calibration = sidebar_calibration.calibration_widgets(calibration_key(scenario))
        defaults = efficiency_of(scenario.replace(mfu=None, mbu=None), hw, calibration)
        assumption_widgets(hw, defaults, calibration is not None and calibration.efficiency_for(hw.id) is not None)
        share_slot = st.empty()
    return AppState(catalog, scenario, resolve(scenario, catalog, calibration), calibration), share_slot
