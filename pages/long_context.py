"""Long context and the price knee: cost per token against context, capacity, and a long-context tier."""

import numpy as np
import pandas as pd
import streamlit as st

from model.core import metrics
from model.pricing import context_tiers as tiers
from model.pricing.published import published_tiers
from model.report import summary as report
from ui import format as fmt
from ui.figures import long_context as figures
from ui.page import card, chart, current, table
from ui.params.long_context import BOUNDARY
from ui.text.common import context_warning
from ui.widgets import boundary_control, log_grid

state = current()
s, dep = state.scenario, state.deployment
max_ctx = dep.model.max_context
st.title("Long context and the price knee")
st.markdown(f"**{dep.model.name}** on **{dep.chips} x {dep.hardware.name}**, batch {s.batch:,}, from 128 tokens of context to "
            f"the model's maximum of {max_ctx:,}. **Best case**: at each context, the largest batch whose KV cache fits "
            "in HBM (the cheapest way a provider can serve that context).")

sweep = tiers.context_sweep(dep, s.batch)
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))
ctx = sweep.ctx_tokens
if not np.isfinite(sweep.best_output[0]):
    st.warning(f"The weights ({fmt.bytes_(dep.weight_bytes)}) leave no room for one 128-token sequence on "
               f"{fmt.plural(dep.chips, 'chip')}: add chips or use fewer bits to see this view.")
    st.stop()
row = report.summarize_si(s, dep)
knee, cap_knee = row["context_knee_tokens"], row["capacity_knee_tokens"]
fit_until = tiers.max_context_for_batch_tokens(dep, s.batch, max_ctx)
best_lo, best_hi = sweep.best_output[0], np.nanmax(sweep.best_output)
served_max = tiers.servable_prefix(ctx, sweep.best_output)[0][-1]

c = st.columns(4)
card(c[0], "Context knee", fmt.tokens(knee), "above it one sequence's KV-cache reads per step outweigh its compute",
     "Context where one sequence's KV-cache read time per decode step equals its compute time (metrics.context_knee_tokens).")
card(c[1], "Capacity knee", fmt.tokens(cap_knee), "above it the batch that fits is below the batch knee",
     "Smallest context at which the largest batch that fits in HBM cannot reach the compute roofline.")
card(c[2], f"Batch {s.batch:,} fits up to", fmt.tokens(fit_until) if fit_until else "never",
     "the red curve turns dotted beyond it" if fit_until < max_ctx else "fits at every context up to the maximum")
card(c[3], "Best-case cost, max / 128 tokens", fmt.ratio(best_hi / best_lo),
     f"{fmt.usd(best_lo)} at 128 tokens, {fmt.usd(best_hi)} at {fmt.tokens(served_max)} per 1M output tokens")
main_chart = st.container()

left, right = st.columns(2)
knee_ctx = ctx[::4]
knee_batch = metrics.batch_knee(dep, knee_ctx)
with left:
    chart(figures.capacity_vs_context(sweep, knee_ctx, np.where(np.isfinite(knee_batch), knee_batch, np.nan), cap_knee),
          f"Sequences whose KV cache fits in HBM after the weights and 10% headroom: {fmt.count(sweep.max_batch[0])} at 128 "
          f"tokens, {fmt.count(row['max_batch'])} at this scenario's {s.ctx:,}, {fmt.count(sweep.max_batch[-1])} at {max_ctx:,}. The "
          "dashed batch knee is where a decode step's FLOP time equals its memory time; it vanishes above the context knee. "
          f"Where capacity falls below it (capacity knee, {fmt.tokens(cap_knee)}) cost per token starts rising ∝ context.",
          key="long_context_capacity")
with right:
    chart(figures.input_cost_vs_prompt(sweep, (s.prompt, row['usd_per_m_input'])),
          f"One input token costs {fmt.usd(sweep.best_input[0])} per 1M in a 128-token prompt and "
          f"{fmt.usd(np.nanmax(sweep.best_input))} in a {fmt.tokens(served_max)} one (best case): prefill attention makes "
          "each token attend to every earlier one, so its cost per token grows with the prompt. Prefill is compute-bound, "
          f"so the batch hardly matters; this scenario's {s.prompt:,}-token prompt: {fmt.usd(row['usd_per_m_input'])}.", key="long_context_input")

st.subheader("A long-context price tier")
st.markdown(
    f"**Suggested boundary**: the first context where the best-case cost per output token reaches "
    f"{tiers.SUGGESTED_FACTOR:g}x its 128-token value. **Multiplier**: upper-tier price / lower-tier price when each tier "
    "charges the mean best-case cost of its contexts (mean over ln context, i.e. requests spread evenly over orders of "
    "magnitude, from 128 tokens to the boundary and from the boundary to the model's maximum): each tier then breaks even "
    "on its own. Move the boundary to see the multiplier it needs; it is part of the link and restarts at the "
    "suggestion when the scenario changes.")
suggested = tiers.suggested_boundary_tokens(ctx, sweep.best_output)


def inside(tokens: float) -> bool:
    """A boundary needs contexts on both sides that the replica can serve."""
    return bool(np.isfinite(tokens) and ctx[0] < tokens < served_max)


default = int(round(suggested)) if inside(suggested) else 200_000 if inside(200_000) else int(np.sqrt(ctx[0] * served_max))
options = sorted({v for v in log_grid(256, int(served_max) - 1) + [200_000] if inside(v)} | {default})
boundary = boundary_control(BOUNDARY, options, default) if len(options) > 1 else default
out_prices = tiers.tier_prices_usd(ctx, sweep.best_output, boundary)
in_prices = tiers.tier_prices_usd(ctx, sweep.best_input, boundary)
mult_out, mult_in = out_prices[1] / out_prices[0], in_prices[1] / in_prices[0]
published = published_tiers(state.catalog.api_prices)

c = st.columns(3)
card(c[0], "Suggested boundary", fmt.tokens(suggested) if inside(suggested) else "none",
     f"best-case output cost reaches {tiers.SUGGESTED_FACTOR:g}x its 128-token value" if inside(suggested)
     else f"best-case output cost stays below {tiers.SUGGESTED_FACTOR:g}x its 128-token value")
card(c[1], f"Output multiplier above {boundary:,}", fmt.ratio(mult_out),
     f"mean best-case cost {fmt.usd(out_prices[0])} below, {fmt.usd(out_prices[1])} above (per 1M output tokens)")
card(c[2], f"Input multiplier above {boundary:,}", fmt.ratio(mult_in),
     f"mean best-case cost {fmt.usd(in_prices[0])} below, {fmt.usd(in_prices[1])} above (per 1M input tokens)")

with main_chart:
    here = (s.ctx, row["usd_per_m_output"])
    fit_note = f"it stops fitting in HBM above {fit_until:,} tokens (dotted)" if fit_until < max_ctx else "it fits throughout"
    chart(figures.output_cost_vs_context(sweep, {"capacity knee": cap_knee, "context knee": knee}, boundary, out_prices, here),
          f"Best case (blue): {fmt.usd(best_lo)} per 1M output tokens at 128 tokens, flat while the batch amortises the "
          f"weights, then rising with context once KV reads and memory set the batch, to {fmt.usd(best_hi)} at "
          f"{fmt.tokens(served_max)}. Knees (black): the context knee is where one sequence's KV reads per step take as long as "
          f"its compute; the capacity knee is where the batch that fits drops below the batch knee. At batch {s.batch:,} (red) {fit_note}; this scenario ({s.ctx:,} tokens) pays "
          f"{fmt.usd(here[1])}. Green: the two-tier price with the boundary at {boundary:,} tokens ({fmt.ratio(mult_out)}).",
          key="long_context_output")

chart(figures.multiplier_vs_boundary(ctx, tiers.multiplier_curve(ctx, sweep.best_output),
                                tiers.multiplier_curve(ctx, sweep.best_input), published, boundary),
      f"For every possible boundary, the price multiple the upper tier needs to break even on this model: at {boundary:,} "
      f"tokens {fmt.ratio(mult_out)} for output and {fmt.ratio(mult_in)} for input tokens. Orange points: published "
      "long-context tiers (the multiple a provider charges above its threshold).", key="long_context_multiplier")

rows = []
for tier in published:
    t = tier["threshold_tokens"]
    ok = inside(t)
    rows.append({"provider": tier["provider"], "model": tier["model"], "threshold_tokens": int(t),
                 "published_input_x": tier["input_mult"], "published_output_x": tier["output_mult"],
                 "this_model_input_x": tiers.tier_multiplier(ctx, sweep.best_input, t) if ok else np.nan,
                 "this_model_output_x": tiers.tier_multiplier(ctx, sweep.best_output, t) if ok else np.nan,
                 "source": tier["source"], "date_seen": tier["date_seen"]})
frame = pd.DataFrame(rows).round(2)
if rows:
    first = rows[0]
    model_at = (f"this model would need {fmt.ratio(first['this_model_input_x'])} input / "
                f"{fmt.ratio(first['this_model_output_x'])} output at the same boundary" if inside(first["threshold_tokens"])
                else f"that boundary is beyond what this model serves ({fmt.tokens(served_max)})")
    same = [r for r in rows if (r["threshold_tokens"], r["published_input_x"], r["published_output_x"])
            == (first["threshold_tokens"], first["published_input_x"], first["published_output_x"])]
    names = " and ".join(sorted({r["provider"] for r in same}))
    table(frame, "long_context_tiers",
          f"{names} charge {fmt.ratio(first['published_input_x'])} input / {fmt.ratio(first['published_output_x'])} output "
          f"above {first['threshold_tokens']:,} tokens; {model_at} (x = upper-tier price / lower-tier price; the model "
          "columns use the multiplier defined above, best case).")
