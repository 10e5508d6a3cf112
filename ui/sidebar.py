"""The scenario sidebar: every scenario key is a widget bound to the URL (ui.widgets).

On a session's first run the query string is parsed by the model's own parser
(`model.parse_scenario`), the widgets are seeded from the result, and anything ignored is listed
in one notice. From then on Streamlit's `bind="query-params"` keeps the address bar equal to
the widgets (keys at their default stay out of it), so the address bar is the share link.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from model import Catalog, Deployment, Scenario, parse_scenario, resolve
from model.base.fields import FieldError, echo
from model.schema.parse import baseline, scenario_params
from model.schema.resolve import efficiency_of, hardware_of
from model.schema.scenario import (
    CUSTOM,
    CUSTOM_HW_KEYS,
    CUSTOM_MODEL_KEYS,
    DEFAULT_SCENARIO,
    SCENARIO_FIELDS,
    format_value,
)
from ui import sidebar_calibration
from ui.params import ALL as PAGE_PARAMS
from ui.widgets import UrlParam, checkbox, choice, log_choice, log_grid, number, radio

NO_PRESET = "(none)"
AUTO = "auto"
STREAMLIT_PARAMS = {"embed", "embed_options"}  # Streamlit's own URL parameters
SEEDED = "_scenario_seeded"
NOTICE = "_url_notice"
MIN_CTX = 128
BATCH_GRID = log_grid(1, int(SCENARIO_FIELDS["batch"].hi))


@dataclass(frozen=True)
class AppState:
    """What every page reads: the presets, the scenario and the deployment it describes."""

    catalog: Catalog
    scenario: Scenario
    deployment: Deployment
    calibration: object | None = None


# --- scenario <-> widget values ----------------------------------------------------------------
def widget_value(scenario: Scenario, key: str):
    value = getattr(scenario, key)
    if key == "preset":
        return value or NO_PRESET
    if key == "abits":
        return AUTO if value is None else value
    return value


def scenario_value(key: str, value):
    if (key == "preset" and value == NO_PRESET) or (key == "abits" and value == AUTO):
        return None
    return value


def write_widgets(scenario: Scenario, skip: tuple[str, ...] = ()) -> None:
    """Set every scenario widget's state from `scenario` (before the widgets are drawn)."""
    for key in SCENARIO_FIELDS:
        if key not in skip:
            st.session_state[key] = widget_value(scenario, key)


def read_widgets() -> dict:
    return {key: scenario_value(key, st.session_state.get(key)) for key in SCENARIO_FIELDS}


def context_limit(catalog: Catalog, model_id: str | None) -> int:
    """The context slider's top: the model preset's maximum, or the `ctx` key's for a custom model."""
    return catalog.models[model_id].max_context if model_id in catalog.models else int(SCENARIO_FIELDS["ctx"].hi)


def seed_from_url(catalog: Catalog) -> None:
    """First run of a session: widgets take the link's values; bad values are listed in a notice."""
    if st.session_state.get(SEEDED):
        return
    st.session_state[SEEDED] = True
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    scenario, errors = parse_scenario(raw, catalog)
    messages = [str(error) for error in errors]
    calibration = (raw.get(sidebar_calibration.KEY) or [sidebar_calibration.NONE])[-1]
    if calibration not in sidebar_calibration.OPTIONS:
        messages.append(f"{sidebar_calibration.KEY}: must be one of {', '.join(sidebar_calibration.OPTIONS)}; got {echo(calibration)}")
        calibration = sidebar_calibration.NONE
    page_values, page_messages = parse_page_params(raw)
    messages += page_messages
    known = set(SCENARIO_FIELDS) | STREAMLIT_PARAMS | {sidebar_calibration.KEY} | set(PAGE_PARAMS)
    unknown = [k for k in raw if k not in known]
    messages += [f"{echo(key)}: not a scenario key" for key in unknown[:5]]
    if len(unknown) > 5:
        messages.append(f"and {len(unknown) - 5} more unknown keys")
    limit = context_limit(catalog, scenario.model)
    if scenario.ctx > limit:
        messages.append(f"ctx: {scenario.ctx} exceeds the model's maximum context {limit}; using {limit}")
        scenario = scenario.replace(ctx=limit)
    if messages:
        st.session_state[NOTICE] = messages
    write_widgets(scenario)
    st.session_state[sidebar_calibration.KEY] = calibration
    st.session_state.update(page_values)
    canonical = share_params(catalog, scenario)
    canonical.update({key: format_value(value) for key, value in page_values.items()})
    replace_initial_url_params(canonical)
    st.query_params.from_dict(canonical)  # nothing is bound yet on the first run, so this is allowed


def parse_page_params(raw: dict) -> tuple[dict, list[str]]:
    """Page-local keys of a link: the valid values that differ from their defaults, and messages."""
    values, messages = {}, []
    for key, param in PAGE_PARAMS.items():
        if key not in raw:
            continue
        try:
            value = param.field.parse(raw[key][-1] if raw[key] else "")
        except FieldError as exc:
            messages.append(str(exc))
            continue
        if value != param.default:
            values[key] = value
    return values, messages


def replace_initial_url_params(canonical: dict[str, str]) -> None:
    """Make the link's validated values the only ones Streamlit seeds bound widgets from.

    On a session's first run Streamlit seeds every bound widget from the URL as it arrived,
    ahead of session state. Two reasons to hand it the parsed values instead: the model's
    parser stays the one authority on what a link means (Streamlit would keep chips=2.5 as 2),
    and Streamlit 1.67 raises an uncaught OverflowError seeding an integer number_input from
    `inf` or `1e999`. There is no public API for this, so it sets the private snapshot the
    seeding reads; tests/test_fuzz.py fails if a Streamlit upgrade changes that.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    with ctx.session_state.query_params() as params:
        params._initial_query_params = {key: [value] for key, value in canonical.items()}


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


# --- widgets (ui.widgets, bound to the URL under the scenario key) ------------------------------------
def param(key: str, label: str) -> UrlParam:
    """A scenario key as a URL-bound control: its field, its default widget value, its doc as help."""
    return UrlParam(SCENARIO_FIELDS[key], widget_value(DEFAULT_SCENARIO, key), label, SCENARIO_FIELDS[key].doc)


def hardware_widgets(catalog: Catalog) -> None:
    choice(param("hw", "Hardware"), list(catalog.hardware) + [CUSTOM], on_change=prefill_custom_hardware, args=(catalog,),
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


def share_params(catalog: Catalog, scenario: Scenario) -> dict[str, str]:
    """The shortest parameters that reopen this scenario (and the shipped calibration, if chosen)."""
    params = scenario_params(scenario, catalog)
    calibration = st.session_state.get(sidebar_calibration.KEY, sidebar_calibration.NONE)
    if calibration != sidebar_calibration.NONE:
        params[sidebar_calibration.KEY] = calibration
    return params


def share_widget(catalog: Catalog, scenario: Scenario) -> None:
    with st.popover("Share this scenario", use_container_width=True):
        query = urlencode(share_params(catalog, scenario))
        base = st.context.url or ""
        st.code(f"{base}?{query}" if query else base or "(default scenario: no parameters)", language=None)
        st.caption("The address bar always holds this scenario; this link is its shortest form. "
                   "An uploaded calibration is not part of it.")


def show_notice() -> None:
    messages = st.session_state.get(NOTICE)
    if not messages:
        return
    text = "\n".join(f"- {m}" for m in messages)
    st.warning(f"Some values in the link were ignored (defaults used instead):\n{text}")
    if st.button("Dismiss", key="_dismiss_notice"):
        st.session_state.pop(NOTICE, None)
        st.rerun()


def render_sidebar(catalog: Catalog) -> AppState:
    """Draw the scenario widgets and return the scenario they describe."""
    seed_from_url(catalog)
    with st.sidebar:
        show_notice()
        choice(param("preset", "Named scenario"), [NO_PRESET] + list(catalog.scenarios), on_change=apply_preset,
               args=(catalog,), help="One click loads a named scenario; your later changes stay in the link.")
        if st.session_state.get("preset") in catalog.scenarios:
            st.caption(catalog.scenarios[st.session_state["preset"]].description)
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
        hw = hardware_of(scenario, catalog)
        calibration = sidebar_calibration.calibration_widgets(hw.id)
        defaults = efficiency_of(scenario.replace(mfu=None, mbu=None), hw, calibration)
        assumption_widgets(hw, defaults, calibration is not None and calibration.efficiency_for(hw.id) is not None)
        share_widget(catalog, scenario)
    return AppState(catalog, scenario, resolve(scenario, catalog, calibration), calibration)
