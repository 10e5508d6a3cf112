"""Price sheet: every tier's service level, cost, price and margin; the market beside it; the
frontier and the hardware comparison."""

import dataclasses
import math

import streamlit as st

from model.base.fields import FieldError
from model.pricing import frontier, market, sheet_text
from model.pricing.cost_basis import ownership_basis, served_chip_hour_usd
from model.pricing.sheet import Workload, price_sheet, sheet_table
from model.pricing.sheet_inputs import BASES, CACHE_TIERS, OWNERSHIP_KEYS, parse_sheet_inputs
from model.report import summary as report
from ui import format as fmt
from ui.figures import price_sheet as figures
from ui.page import card, chart, current, table
from ui.params.price_sheet import FIELDS, PREFIX, SHEET_KEYS
from ui.tables import price_sheet as tables
from ui.text import price_sheet as text
from ui.text.common import context_warning
from ui.widgets import number, radio

state = current()
s, dep, catalog = state.scenario, state.deployment, state.catalog
st.title("Price sheet")
st.markdown(f"**{dep.model.name}** on **{dep.chips} x {dep.hardware.name}**, prompts of {s.prompt:,} tokens, context "
            f"{s.ctx:,} tokens. " + text.INTRO)
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))

controls = st.columns(3)
values = {}
layout = (("margin", "util", "basis"), ("std_tps", "std_ttft_ms", "fast_tps"), ("peak_hours", "offpeak_demand", "hit"),
          ("ttl_min", "long_ctx", "cache_tier"), ("dram_usd_per_gb", "host_gbps"))
choices = {"basis": BASES, "cache_tier": CACHE_TIERS}
for group in layout:
    for column, key in zip(controls, group):
        with column:
            param = FIELDS[PREFIX + key]
            values[key] = radio(param, choices[key]) if key in choices else number(param)
with st.expander("Ownership (empty = this hardware's row of presets/ownership.csv)"):
    own_columns = st.columns(4)
    for index, key in enumerate(k for k in SHEET_KEYS if k not in values):
        with own_columns[index % 4]:
            values[key] = number(FIELDS[PREFIX + key])
inputs, errors = parse_sheet_inputs({PREFIX + k: v for k, v in values.items() if v is not None}, prefix=PREFIX)
for error in errors:
    st.warning(f"{error} (using the default instead)")
ownership = None
if inputs.basis == "own":
    try:
        ownership = inputs.ownership(catalog.ownership.get(dep.hardware.id), dep.hardware.id)
    except FieldError as exc:
        st.warning(f"Ownership cost: {exc}. Give every ownership number below, or use the rental price; this sheet uses "
                   "the rental price.")
        inputs = dataclasses.replace(inputs, basis="rent")
    else:
        if ownership.trust:
            st.caption(f"Ownership defaults for {dep.hardware.id}: trust {ownership.trust}, seen {ownership.date_seen}.")
wl = Workload(s.prompt, s.ctx, s.batch)
sheet = price_sheet(dep, wl, inputs, ownership)

row_cards = st.columns(5)
for column, (label, (value, why)) in zip(row_cards, text.cards(sheet).items()):
    card(column, label, value, why)
for row in sheet.rows:
    if row.status != "ok":
        st.warning(f"{row.tier}: {row.status}.")
frame = tables.sheet_frame(sheet)
table(frame, "price_sheet", "One row per tier. USD per 1M tokens (cache_storage: per 1M tokens held per hour); "
      "cost_* is what the tier costs the provider, usd_* the price at the target margin; break_even_util is the fleet "
      "utilisation at which these prices only cover cost. Empty cells: the tier does not sell that token.")
published = market.published_ratio_summary(catalog.api_prices)
paragraphs = sheet_text.ratio_paragraphs(sheet, dep, wl, published)
markdown = sheet_text.markdown_sheet(f"Price sheet: {dep.model.name} on {dep.chips} x {dep.hardware.name}", sheet_table(sheet),
                                     paragraphs, sheet_text.sheet_assumptions(sheet, dep, inputs))
st.download_button("Download price_sheet.md", markdown.encode("utf-8"), file_name="price_sheet.md", mime="text/markdown",
                   key="download_price_sheet_md", on_click="ignore")
if ownership is not None:
    with st.expander("Ownership numbers used, with their sources"):
        overridden = {attr for key, attr in OWNERSHIP_KEYS.items() if getattr(inputs, key) is not None}
        table(tables.ownership_frame(ownership, overridden), "ownership_basis",
              "Each number of the chip-hour cost (F170) with where it comes from; a key you set replaces the row's value.")

st.subheader("The ratios that matter")
for name, paragraph in paragraphs.items():
    st.markdown(f"**{name}.** {paragraph}")
table(tables.ratio_frame(market.sheet_ratios(sheet), published), "sheet_vs_published_ratios",
      "The sheet's price ratios beside the published ones (every row of presets/api_prices.csv stating both prices).")

st.subheader("The market beside it")
served_usd = served_chip_hour_usd(sheet.basis, sheet.utilisation)
own_row = catalog.ownership.get(dep.hardware.id)
owned_usd = (served_chip_hour_usd(ownership_basis(own_row), sheet.utilisation)
             if inputs.basis == "rent" and own_row is not None else math.nan)
hosts = market.market_rows(catalog.api_prices, sheet, s.model, served_usd, sheet.basis.usd_per_chip_hour, inputs.margin,
                           owned_usd)
if hosts:
    warning = text.below_cost_warning(hosts)
    if warning:
        st.warning(warning)
    table(tables.market_frame(hosts), "market_vs_cost",
          f"Published prices for {dep.model.name} (hosts and first parties) beside this sheet's standard-tier cost. "
          "implied_margin = 1 − cost / price; implied_chip_hour_usd = the served chip-hour cost at which the output price "
          f"earns the {inputs.margin:.0%} target margin. Each row keeps its trust, source and date seen.")
else:
    st.info(f"No row of presets/api_prices.csv names {s.model} as the model it serves (column model_id); the full table "
            "is on the Prefill vs decode page.")

st.subheader("Frontier and hardware")
curves = frontier.frontier_curves(s, catalog, state.calibration)
marks = [(r.tier, r.tokens_per_s_per_user, r.batch / (r.tpot_ms / 1e3) / dep.chips) for r in sheet.rows[:3] if r.batch > 0]
chart(figures.frontier(curves, marks), text.frontier_caption(curves), key="price_sheet_frontier")
table(tables.hardware_frame(frontier.hardware_table(s, catalog, inputs, state.calibration)), "hardware_comparison",
      f"The standard tier of {dep.model.name} on every hardware preset ({fmt.plural(dep.chips, 'chip')} each, same precision and "
      "workload), each at its own chip-hour cost: cost and price per 1M input and output tokens. Rows that cannot serve it "
      "say why.")
