"""Prefill vs decode: why an output token costs several times an input token."""

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from model.core import intensity, metrics, roofline
from model.core.grids import batch_grid, context_grid
from model.pricing import published as api
from model.pricing import sweeps
from model.report import summary as report
from ui import format as fmt
from ui.figures.prefill_decode import api_ratio_figure, breakdown_figure, price_figure
from ui.page import chart, current, table
from ui.text.common import context_warning
from ui.text.overview import NOT_FITTING, fit_reason, output_price_context
from ui.text.prefill_decode import (
    PART_LABELS,
    batch_fit_note,
    context_fit_note,
    from_to,
    prefill_weights_phrase,
    rank_phrase,
    ridge_side,
)

state = current()
s, dep = state.scenario, state.deployment
batches = batch_grid(4096, include=s.batch, per_octave=2)
here = int(np.flatnonzero(batches == s.batch)[0])
by_batch = sweeps.price_vs_batch(dep, batches, s.ctx, s.prompt)
by_ctx = sweeps.price_vs_context(dep, context_grid(128, dep.model.max_context, include=s.ctx), s.batch)
parts_s, step_s = sweeps.decode_breakdown_vs_batch_s(dep, batches, s.ctx)
batched_prefill, step = roofline.prefill(dep, s.prompt, batch=s.batch), roofline.decode_step(dep, s.batch, s.ctx)
pf, dc = intensity.pass_totals(dep, batched_prefill), intensity.pass_totals(dep, step)
usd_in, usd_out = by_batch.usd_per_m_input[here], by_batch.usd_per_m_output[here]
ratio = usd_out / usd_in
ridge = dep.hardware.ridge_flop_per_byte(dep.eight_bit_compute)
pf_side, dc_side = ridge_side(float(pf.intensity_flop_per_byte), ridge), ridge_side(float(dc.intensity_flop_per_byte), ridge)
pf_bound, dc_bound = np.ravel(batched_prefill.bound())[0], np.ravel(step.bound())[0]

st.title("Prefill vs decode: why output tokens cost more")
st.markdown(f"**{dep.model.name}** on **{dep.chips} x {dep.hardware.name}** at ${dep.usd_per_chip_hour:.2f}/chip-hour, "
            f"batch {s.batch:,}, prompt {s.prompt:,} tokens, context {s.ctx:,} tokens. Cost per 1M tokens = replica USD/s x "
            "pass time / tokens in the pass x 10^6; input = prefill of `batch` prompts together, output = one decode step "
            "of `batch` sequences.")
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))
unfit = fit_reason(s, float(metrics.max_batch(dep, s.ctx)), metrics.weights_fit(dep))
if unfit:
    st.warning(unfit + f"The costs at this batch below are marked{NOT_FITTING}.")
mark = NOT_FITTING if unfit else ""
st.info(
    f"**Why.** Prefill of {s.batch:,} prompts processes {s.batch:,} x {s.prompt:,} = {s.batch * s.prompt:,} tokens per read of "
    f"{prefill_weights_phrase(metrics.weights_read_bytes(dep, batched_prefill), metrics.embedding_lookup_bytes(batched_prefill))}: "
    f"{float(pf.intensity_flop_per_byte):,.0f} FLOP/byte, "
    f"{pf_side} of the chip's {ridge:,.0f} FLOP/byte ridge; the pass is **{pf_bound}-bound** and costs **{fmt.usd(usd_in)}{mark} "
    f"per 1M input tokens**. A decode step reads {fmt.bytes_(metrics.weights_read_bytes(dep, step))} of weights (weights read "
    f"per step: the input embedding is a lookup) and each sequence's KV cache "
    f"({fmt.bytes_(float(dc.cost.kv_traffic_bytes))} for {s.batch:,} x {s.ctx:,} tokens) to produce one token per sequence, {s.batch:,} "
    f"tokens: {float(dc.intensity_flop_per_byte):.3g} FLOP/byte, {dc_side} of the ridge, **{dc_bound}-bound**: "
    f"**{fmt.usd(usd_out)}{mark} per 1M output tokens**, {output_price_context(s)}. An output token costs "
    f"**{fmt.ratio(ratio)}** an input token.")

no_fit_batch = sweeps.first_x_not_fitting(by_batch.x, by_batch.fits)
no_fit_ctx = sweeps.first_x_not_fitting(by_ctx.x, by_ctx.fits)
fit_batch, fit_ctx = batch_fit_note(no_fit_batch, batches[0]), context_fit_note(no_fit_ctx, s.batch)
out_b, in_b, r_b = (from_to(v, f) for v, f in ((by_batch.usd_per_m_output, fmt.usd), (by_batch.usd_per_m_input, fmt.usd),
                                                  (by_batch.output_input_ratio, fmt.ratio)))
out_c, in_c, r_c = (from_to(v, f) for v, f in ((by_ctx.usd_per_m_output, fmt.usd), (by_ctx.usd_per_m_input, fmt.usd),
                                                (by_ctx.output_input_ratio, fmt.ratio)))
left, right = st.columns(2)
with left:
    chart(price_figure(by_batch, "Cost against batch size", "batch (sequences per pass)", s.batch, f"batch {s.batch:,}",
                       no_fit_batch, "does not fit"),
          f"From batch 1 to {batches[-1]:,.0f} an output token goes {out_b} per 1M (more sequences share each weight "
          f"read) while an input token goes {in_b}: the ratio goes {r_b}; {fmt.ratio(ratio)} at batch {s.batch:,} "
          f"(context {s.ctx:,}, prompt {s.prompt:,}).{fit_batch}", key="price_vs_batch")
with right:
    chart(price_figure(by_ctx, "Cost against context", "context L (tokens; prompt = L)", s.ctx, f"ctx {s.ctx:,}",
                       no_fit_ctx, "does not fit"),
          f"Here each prompt is the whole context (prefill of {fmt.plural(s.batch, 'prompt')} of L tokens, decode at context L). From "
          f"{fmt.tokens(by_ctx.x[0])} to {fmt.tokens(by_ctx.x[-1])} an output token goes {out_c} per 1M (every step "
          f"rereads each KV cache), an input token {in_c} (causal attention grows with L^2): the ratio goes {r_c}.{fit_ctx}",
          key="price_vs_context")

published = api.published_ratios(state.catalog.api_prices)
below, above, n = api.rank_among(ratio, [p.out_in_ratio for p in published])
finite = [p.out_in_ratio for p in published if np.isfinite(p.out_in_ratio)]
where = rank_phrase(below, above, n)
shares = {k: v[here] / step_s[here] for k, v in parts_s.items()}
left, right = st.columns(2)
with left:
    chart(breakdown_figure(batches, parts_s, step_s, s.batch),
          f"At batch {s.batch:,} the {fmt.duration(step_s[here])} decode step (= TPOT, which excludes TTFT) is "
          + ", ".join(f"{fmt.fraction(v)} {PART_LABELS[k]}" for k, v in shares.items() if v >= 0.005)
          + f"; at batch {batches[-1]:,.0f} the step takes {fmt.duration(step_s[-1])} and the KV cache is "
          f"{fmt.fraction(parts_s['kv_cache'][-1] / step_s[-1])} of it. A compute-bound op counts as compute, a memory-bound "
          "op's time is split by what it moves; the parts add up to the step time.", key="decode_breakdown")
with right:
    label = f"model: {dep.model.name}, batch {s.batch:,}"
    chart(api_ratio_figure(api.ratio_groups(published), ratio, label),
          f"The model's {fmt.ratio(ratio)} ({dep.model.name} on {dep.chips} x {dep.hardware.name}, batch {s.batch:,}, "
          f"context {s.ctx:,}) is {where} published output/input list-price ratios, which span {fmt.ratio(min(finite))} "
          f"to {fmt.ratio(max(finite))}. List prices also carry margins and tier strategy; sources and dates are in the "
          "table below.", key="api_ratios")

st.subheader("Published API prices")
prices = pd.DataFrame([dataclasses.asdict(p) for p in published]).rename(columns={"out_in_ratio": "out_in_ratio_x"})
labels = {"usd_per_m_input": "input USD/1M", "usd_per_m_output": "output USD/1M", "out_in_ratio_x": "output/input (x)"}
table(fmt.rounded(prices[["provider", "model", *labels, "date_seen", "source"]]), "api_prices",
      f"Every row of presets/api_prices.csv: USD per 1M input and output tokens at list price, their ratio (None where no "
      f"input price is published), the date it was seen and the source. {n} rows have a ratio.",
      column_config={k: st.column_config.NumberColumn(v) for k, v in labels.items()})
