"""Dashboard entry point (the full dashboard is built on top of this page)."""

import streamlit as st

from model import load_catalog, parse_scenario, resolve, summarize

st.set_page_config(page_title="LLM inference economics", layout="wide")
catalog = load_catalog()
scenario, errors = parse_scenario(st.query_params.to_dict(), catalog)
row = summarize(scenario, resolve(scenario, catalog))
st.title("LLM inference economics")
st.metric("USD per 1M output tokens", f"{row['usd_per_m_output']:.2f}")
