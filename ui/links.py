"""The link: one canonical query string for what is on screen, written to the address bar by the app.

No widget is bound to the URL. On a session's first run `seed_from_url` parses the query string
with the model's own parser (`model.parse_scenario`), seeds the widgets' session state from the
result and lists anything ignored in one notice (also a link Streamlit dropped whole for its size:
ui/url_limits.py). Every run writes `link_params` to the address bar
before the page (`publish_early`) and after it (`publish`, which also draws the same parameters in
"Share this scenario"), so the address bar and the share box are the same link by construction.

`link_params` is `model.schema.parse.scenario_params` (`preset`, then every key whose value
differs from the preset's, or from the global default where the preset does not set that key),
plus `cal` when a shipped calibration is chosen, plus every page-local key (ui/params) whose
value differs from its default, whichever page is open: widgets keep their values for the whole
session (`persist_state="session"`), so a link reopens every page as it was.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from model import Catalog, Scenario, parse_scenario
from model.base.fields import FieldError, echo
from model.schema.parse import scenario_params
from model.schema.scenario import DEFAULT_SCENARIO, SCENARIO_FIELDS, format_value
from ui import sidebar_calibration, url_limits
from ui.params import ALL as PAGE_PARAMS
from ui.params.long_context import BOUNDARY

NO_PRESET = "(none)"
AUTO = "auto"
STREAMLIT_PARAMS = {"embed", "embed_options"}  # Streamlit's own URL parameters
SEEDED = "_scenario_seeded"
NOTICE = "_url_notice"
NOTICE_KEYS = "_url_notice_keys"
IDENTITY = "_link_identity"
PUBLISHED = "_link_published"
MAX_UNKNOWN = 5


# --- scenario <-> widget values ----------------------------------------------------------------
def widget_value(scenario: Scenario, key: str):
    value = getattr(scenario, key)
    if key == "preset":
        return value or NO_PRESET
    if key == "hw_name":
        return value or ""
    if key == "abits":
        return AUTO if value is None else value
    return value


def scenario_value(key: str, value):
    if (key == "preset" and value == NO_PRESET) or (key == "abits" and value == AUTO) or (key == "hw_name" and not value):
        return None
    return value


def write_widgets(scenario: Scenario, skip: tuple[str, ...] = ()) -> None:
    """Set every scenario widget's state from `scenario` (before the widgets are drawn)."""
    for key in SCENARIO_FIELDS:
        if key not in skip:
            st.session_state[key] = widget_value(scenario, key)


def read_widgets() -> dict:
    return {key: scenario_value(key, st.session_state.get(key, widget_value(DEFAULT_SCENARIO, key)))
            for key in SCENARIO_FIELDS}


def context_limit(catalog: Catalog, model_id: str | None) -> int:
    """The context slider's top: the model preset's maximum, or the `ctx` key's for a custom model."""
    return catalog.models[model_id].max_context if model_id in catalog.models else int(SCENARIO_FIELDS["ctx"].hi)


# --- first run: the link -> widgets ------------------------------------------------------------
def seed_from_url(catalog: Catalog) -> None:
    """First run of a session: widgets take the link's values; bad values are listed in a notice."""
    if st.session_state.get(SEEDED):
        return
    st.session_state[SEEDED] = True
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    scenario, errors = parse_scenario(raw, catalog)
    messages = [str(error) for error in errors]
    keys = [error.field for error in errors]
    dropped = url_limits.dropped_query()
    if dropped is not None:
        messages.append(url_limits.dropped_message(dropped))
        keys.append("the whole link")
    calibration = (raw.get(sidebar_calibration.KEY) or [sidebar_calibration.NONE])[-1]
    if calibration not in sidebar_calibration.OPTIONS:
        messages.append(f"{sidebar_calibration.KEY}: must be one of {', '.join(sidebar_calibration.OPTIONS)}; "
                        f"got {echo(calibration)}")
        keys.append(sidebar_calibration.KEY)
        calibration = sidebar_calibration.NONE
    page_values, page_errors = parse_page_params(raw)
    messages += [str(error) for error in page_errors]
    keys += [error.field for error in page_errors]
    known = set(SCENARIO_FIELDS) | STREAMLIT_PARAMS | {sidebar_calibration.KEY} | set(PAGE_PARAMS)
    unknown = [k for k in raw if k not in known]
    messages += [f"{echo(key)}: not a scenario key" for key in unknown[:MAX_UNKNOWN]]
    keys += [echo(key) for key in unknown[:MAX_UNKNOWN]]
    if len(unknown) > MAX_UNKNOWN:
        messages.append(f"and {len(unknown) - MAX_UNKNOWN} more unknown keys")
    limit = context_limit(catalog, scenario.model)
    if scenario.ctx > limit:
        messages.append(f"ctx: {scenario.ctx} exceeds the model's maximum context {limit}; using {limit}")
        keys.append("ctx")
        scenario = scenario.replace(ctx=limit)
    if messages:
        st.session_state[NOTICE] = messages
        st.session_state[NOTICE_KEYS] = list(dict.fromkeys(keys))
    write_widgets(scenario)
    st.session_state[sidebar_calibration.KEY] = calibration
    st.session_state.update(page_values)


def parse_page_params(raw: dict) -> tuple[dict, list[FieldError]]:
    """Page-local keys of a link: the valid values that differ from their defaults, and the errors."""
    values, errors = {}, []
    for key, param in PAGE_PARAMS.items():
        if key not in raw:
            continue
        try:
            value = param.field.parse(raw[key][-1] if raw[key] else "")
        except FieldError as exc:
            errors.append(exc)
            continue
        if value != param.default:
            values[key] = value
    return values, errors


# --- every run: the state -> the link ----------------------------------------------------------
def restart_boundary_on_change(scenario: Scenario) -> None:
    """The long-context tier boundary restarts at the scenario's suggestion when the scenario (or
    the calibration) changes: the link then leaves `lc_boundary` out."""
    identity = (scenario, st.session_state.get(sidebar_calibration.KEY, sidebar_calibration.NONE))
    if IDENTITY in st.session_state and st.session_state[IDENTITY] != identity:
        st.session_state.pop(BOUNDARY.field.name, None)
    st.session_state[IDENTITY] = identity


def page_params() -> dict[str, str]:
    """Page-local keys whose values (in this session, on any page) differ from their defaults."""
    params = {}
    for key, param in PAGE_PARAMS.items():
        value = st.session_state.get(key)
        if value is not None and value != param.default:
            params[key] = format_value(value)
    return params


def link_params(catalog: Catalog, scenario: Scenario) -> dict[str, str]:
    """The one link: the scenario's keys (scenario_params), `cal`, the page-local keys."""
    params = scenario_params(scenario, catalog)
    calibration = st.session_state.get(sidebar_calibration.KEY, sidebar_calibration.NONE)
    if calibration != sidebar_calibration.NONE:
        params[sidebar_calibration.KEY] = calibration
    params.update(page_params())
    return params


def write_address_bar(params: dict[str, str]) -> None:
    """Make the address bar's query string `params` when it differs, and always on a session's first
    run (a query string over Streamlit's limits reaches the app empty but stays in the address bar)."""
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if not st.session_state.get(PUBLISHED) or current != {k: [v] for k, v in params.items()}:
        st.session_state[PUBLISHED] = True
        st.query_params.from_dict(params)


def publish_early(catalog: Catalog, scenario: Scenario) -> None:
    """Before the page: a page switch leaves the address bar without a query string (nothing is
    bound), and this puts the link back before the page draws anything."""
    write_address_bar(link_params(catalog, scenario))


def publish(catalog: Catalog, scenario: Scenario, share_slot) -> None:
    """After the page has run (it may have dropped a boundary that does not fit): the link to the
    address bar and into the share box."""
    params = link_params(catalog, scenario)
    write_address_bar(params)
    with share_slot.container(), st.popover("Share this scenario", use_container_width=True):
        query = urlencode(params)
        base = st.context.url or ""
        st.code(f"{base}?{query}" if query else base or "(default scenario: no parameters)", language=None)
        st.caption("The address bar holds this same link after every change; it reopens these numbers on every "
                   "page. An uploaded calibration is not part of it.")


# --- notices -----------------------------------------------------------------------------------
def show_notice() -> None:
    """In the sidebar: every ignored value of the link, what is accepted, and a Dismiss button."""
    messages = st.session_state.get(NOTICE)
    if not messages:
        return
    text = "\n".join(f"- {m}" for m in messages)
    st.warning(f"Some values in the link were ignored or adjusted (as each line says):\n{text}")
    if st.button("Dismiss", key="_dismiss_notice"):
        st.session_state.pop(NOTICE, None)
        st.session_state.pop(NOTICE_KEYS, None)
        st.rerun()


def show_main_notice() -> None:
    """In the main area: one line saying the link was partly ignored (details in the sidebar)."""
    keys = st.session_state.get(NOTICE_KEYS)
    if st.session_state.get(NOTICE) and keys:
        st.warning(f"Part of this link was ignored ({', '.join(keys)}): the defaults are used instead. "
                   "The sidebar says what each key accepts.", icon=":material/link_off:")
