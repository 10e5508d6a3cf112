"""Long context and the price knee: the three knees at the tier's SLO batch, tier prices from traffic,
published tiers, and the tier a price implies."""

import numpy as np
import pandas as pd
import streamlit as st

from model.base.fields import FieldError
from model.pricing import context_tiers as tiers
from model.pricing import implied_tier as implied
from model.pricing import knees
from model.pricing import traffic as tr
from model.pricing.published import published_tiers
from model.report import summary as report
from ui import format as fmt
from ui.figures import long_context as figures
from ui.page import card, chart, current, table
from ui.params.long_context import BOUNDARY, DEFAULTS, IMPLIED, MEDIAN, SIGMA, TIER
from ui.text import long_context as text
from ui.text.common import context_warning
from ui.widgets import boundary_control, checkbox, choice, log_grid, number

LANDING_TOP_TOKENS = 524_288  # the sweep reaches at least 512k: past every published threshold (100k-272k)
state = current()
s, dep = state.scenario, state.deployment
max_ctx = dep.model.max_context
top = max(max_ctx, LANDING_TOP_TOKENS)
target = knees.tpot_target_s(s.slo_tps)
st.title("Long context and the price knee")
st.markdown(text.intro(s, dep, top))
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))
if top > max_ctx:
    st.warning(f"{dep.model.name} is trained for {max_ctx:,} tokens: prices beyond it (dotted) are what the roofline "
               f"charges, not something the model serves. Models that reach 200k: {text.long_models(state.catalog)}.")

sweep = tiers.context_sweep(dep, s.batch, top, 97, target)
best = tiers.context_sweep(dep, s.batch, top, 97, None)
ctx = sweep.ctx_tokens
served = tiers.servable_prefix(ctx, sweep.usd_per_m_output[1])[0]
if served.size < 2:
    st.warning(text.unservable(dep, s.slo_tps))
    st.stop()
if served[-1] < ctx[-1] * (1 - 1e-9):
    st.warning(f"Above {fmt.tokens(served[-1])} no batch of this deployment fits and meets {s.slo_tps:g} tokens/s per "
               "user: the curves stop there, and so do the tiers.")
row = report.summarize_si(s, dep)
knee = {"input knee": row["input_knee_tokens"], "output knee": row["output_knee_tokens"],
        "capacity knee": row["capacity_knee_tokens"]}
c = st.columns(3)
for column, (name, value) in zip(c, knee.items()):
    card(column, name.capitalize(), fmt.tokens(value), text.KNEE_MEANING[name])

st.subheader("Tier prices from traffic")
left, right = st.columns(2)
with left:
    median = number(MEDIAN)
    sigma = number(SIGMA)
with right:
    upload = st.file_uploader("Or upload prompt lengths (CSV with a prompt_tokens column; not part of the link)",
                              type=["csv"], key="_lc_upload")
traffic = tr.lognormal(ctx, median, sigma)
if upload is not None:
    try:
        traffic = tr.from_lengths(ctx, tr.parse_lengths_csv(upload.getvalue()), upload.name)
    except (FieldError, ValueError) as exc:
        st.error(f"{exc}; using the log-normal traffic instead.")
cost_in, cost_out = sweep.usd_per_m_input[1], sweep.usd_per_m_output[1]
suggested = tr.suggested_boundary(traffic, cost_in, cost_out)
options = sorted({v for v in log_grid(256, int(served[-1]) - 1) + [200_000, 272_000] if ctx[0] < v < served[-1]})
default = int(round(suggested)) if np.isfinite(suggested) else options[len(options) // 2]
boundary = boundary_control(BOUNDARY, sorted(set(options) | {default}), default)
prices = tr.tier_prices(traffic, cost_in, cost_out, boundary)
flat, tiered = tr.one_price_cross_subsidy(traffic, cost_in, cost_out), tr.cross_subsidy(traffic, cost_in, cost_out, boundary)
c = st.columns(4)
card(c[0], "Suggested boundary", fmt.tokens(suggested) if np.isfinite(suggested) else "none",
     "the boundary with the least cross-subsidy between short and long requests")
card(c[1], f"Input multiplier above {boundary:,}", fmt.ratio(prices.input_mult),
     f"{fmt.usd(prices.input_usd[0])} below, {fmt.usd(prices.input_usd[1])} above (per 1M input tokens)")
card(c[2], f"Output multiplier above {boundary:,}", fmt.ratio(prices.output_mult),
     f"{fmt.usd(prices.output_usd[0])} below, {fmt.usd(prices.output_usd[1])} above (per 1M output tokens)")
card(c[3], "Cross-subsidy: one price / two tiers", f"{flat:.1%} / {tiered:.1%}",
     f"of the cost moved between requests; {prices.share_above:.2%} of requests are above the boundary")

published = published_tiers(state.catalog.api_prices)
thresholds = [t["threshold_tokens"] for t in published]
rows = tr.against_published(traffic, cost_in, cost_out, published, served[-1], DEFAULTS["output_per_input_token"])
for kind, price in (("input", prices.input_usd), ("output", prices.output_usd)):
    best_row = best.usd_per_m_input[1] if kind == "input" else best.usd_per_m_output[1]
    chart(figures.price_vs_context(kind, sweep, best_row, knee, boundary, price, thresholds, max_ctx),
          text.price_caption(kind, sweep, knee, prices, rows, suggested), key=f"long_context_{kind}")

curve_in, curve_out = tr.multiplier_curves(traffic, cost_in, cost_out)
chart(figures.multiplier_vs_boundary(ctx, curve_out, curve_in, published, boundary),
      f"For every boundary, the multiple each tier's break-even price needs on this traffic ({traffic.label}): at "
      f"{boundary:,} tokens {fmt.ratio(prices.input_mult)} input and {fmt.ratio(prices.output_mult)} output. Orange: "
      "published long-context tiers.", key="long_context_multiplier")

if rows:
    table(pd.DataFrame(rows).round(2), "long_context_tiers", text.tier_table_caption(rows, served[-1], knee))

st.subheader("The tier a price implies")
if published:
    labels = [f"{t['provider']} {t['model']}: {fmt.ratio(t['input_mult'])} in / {fmt.ratio(t['output_mult'])} out "
              f"above {int(t['threshold_tokens']):,}" for t in published]
    if st.session_state.get(TIER.field.name, 0) >= len(published):
        st.session_state.pop(TIER.field.name, None)
    pick = published[choice(TIER, list(range(len(published))), format_func=lambda i: labels[i])]
    if not checkbox(IMPLIED):
        st.caption("Tick the box to find what this deployment needs to reproduce the chosen tier "
                   "(CLI: `python -m model implied-tier`).")
    else:
        result = implied.implied_tier(dep, pick["threshold_tokens"], pick["input_mult"], pick["output_mult"], target,
                                      median, sigma, top)
        st.markdown(text.implied_sentence(dep, pick, result))
        table(pd.DataFrame(implied.presets_in_set(result, implied.same_deployment(dep, state.catalog.models))),
              "long_context_implied",
              "Growing KV bytes per token (read per decode step per extra token of context, all chips, at this "
              "deployment's precision) of every model preset, and whether it lies in the set the tier implies "
              "(at most the implied bytes).")
