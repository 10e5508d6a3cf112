"""Dashboard entry point: page config, presets, the scenario sidebar, navigation; after the page,
the one canonical link goes to the address bar and the share box (ui/links.py)."""

import streamlit as st

from model import load_catalog
from ui.links import publish, publish_early, show_main_notice
from ui.page import STATE_KEY, note_missing_page, run_guarded, show_missing_page
from ui.sidebar import render_sidebar
from ui.url_limits import install as notice_links_over_limits

PAGES = {
    "Price and latency": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/roofline.py", title="Roofline", icon=":material/show_chart:", url_path="roofline"),
        st.Page("pages/prefill_decode.py", title="Prefill vs decode", icon=":material/compare_arrows:",
                url_path="prefill_decode"),
        st.Page("pages/long_context.py", title="Long context", icon=":material/straighten:", url_path="long_context"),
        st.Page("pages/latency.py", title="Latency floor & fast tiers", icon=":material/speed:", url_path="latency"),
        st.Page("pages/price_sheet.py", title="Price sheet", icon=":material/request_quote:", url_path="price_sheet"),
    ],
    "Serving choices": [
        st.Page("pages/serving.py", title="Continuous batching", icon=":material/view_timeline:", url_path="serving"),
        st.Page("pages/disaggregation.py", title="Prefill/decode split", icon=":material/call_split:",
                url_path="disaggregation"),
        st.Page("pages/caching.py", title="Caching & reasoning", icon=":material/cached:", url_path="caching"),
        st.Page("pages/scaling.py", title="Model size & lifetime cost", icon=":material/model_training:",
                url_path="scaling"),
    ],
    "Trust": [
        st.Page("pages/validation.py", title="Validation", icon=":material/fact_check:", url_path="validation"),
    ],
}

# URL paths equal the file names: on a freshly started server Streamlit's legacy `pages/` mode may
# serve the first request by file name (see ui/page.py: current()).

st.set_page_config(page_title="LLM inference economics", layout="wide")
notice_links_over_limits()  # once per process: Streamlit drops such links before any script runs


@st.cache_resource
def catalog():
    return load_catalog()


navigation = st.navigation(PAGES)
note_missing_page(navigation)
state, share_slot = render_sidebar(catalog())
st.session_state[STATE_KEY] = state
publish_early(catalog(), state.scenario)
show_main_notice()
show_missing_page([page for section in PAGES.values() for page in section])
try:
    run_guarded(navigation)
finally:  # also when the page stops early (st.stop): the address bar always gets the link
    publish(catalog(), state.scenario, share_slot)
