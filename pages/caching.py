"""Caching & reasoning: answer cache, prefix (KV) cache and reasoning-token efficiency (docs/formulas.md F54–F61)."""

import numpy as np
import pandas as pd
import streamlit as st

from model.caching import answer_cache, prefix_cache, reasoning
from model.core import metrics
from model.core.request import request_cost
from model.pricing.published import published_cache_prices
from model.report import summary as report
from ui import format as fmt
from ui.figures import caching as figures
from ui.page import card, chart, current, table
from ui.params.caching import CACHE_GRID, CATALOGUE_GRID, REASONING_GRID
from ui.params.caching import FIELDS as P
from ui.tables.caching import answer_table, policy_table
from ui.text.caching import less_or_more
from ui.text.common import context_warning
from ui.widgets import choice, log_choice, number, slider

state = current()
s, dep = state.scenario, state.deployment
st.title("Caching & reasoning")
st.markdown(f"Three ways to spend fewer GPU-seconds per answer, priced on **{dep.model.name}** on **{dep.chips} x "
            f"{dep.hardware.name}** at ${dep.usd_per_chip_hour:.2f}/chip-hour, batch {s.batch:,}, {s.prompt:,} prompt "
            f"and {s.out:,} output tokens per request (sidebar). Controls marked *assumption* have no published source.")
fit = metrics.max_batch(dep, s.prompt + s.out)
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))
if fit < s.batch:
    what = "The weights (or one sequence)" if fit < 1 else f"Batch {s.batch:,} at {s.prompt + s.out:,} tokens per sequence"
    st.warning(f"{what} does not fit in HBM on this replica: the numbers below are what it would cost if it did. Add "
               "chips or use fewer bits.")

st.subheader("1. Answer cache for frequent, static questions")
st.markdown("Questions like *\"When was OpenAI founded?\"* have one answer. Served from a key-value store, they take no "
            "GPU time. Question popularity is taken as Zipf: the i-th most asked question gets a share ∝ i^-s, so a cache "
            "of the top K answers is hit with probability h = f · H(K, s) / H(M, s) (f: the cacheable share).")
c = st.columns(3)
with c[0]:
    zipf = slider(P["ca_zipf"], step=0.05)
    cacheable = slider(P["ca_cacheable"]) / 100
with c[1]:
    catalogue = log_choice(P["ca_catalogue"], CATALOGUE_GRID)
    cached = log_choice(P["ca_k"], [k for k in CACHE_GRID if k <= catalogue])
with c[2]:
    hit_s = number(P["ca_hit_ms"]) / 1e3
    hit_usd = number(P["ca_hit_usd"]) / 1e6
hit = float(answer_cache.zipf_hit_rate(cached, catalogue, zipf, cacheable))
answers = answer_cache.answer_cache(dep, hit, s.prompt, s.out, s.batch, hit_usd=hit_usd, hit_latency_s=hit_s)
c = st.columns(4)
card(c[0], "Hit rate", fmt.fraction(hit), f"top {min(cached, catalogue):,} of {catalogue:,} questions hold "
     f"{fmt.fraction(hit / cacheable if cacheable else 0)} of the cacheable {fmt.fraction(cacheable)} of queries")
card(c[1], "USD per 1,000 requests", fmt.usd(1e3 * answers.usd_per_request),
     f"{fmt.usd(1e3 * answers.usd_per_request_uncached)} without the cache ({fmt.fraction(answers.usd_saving_fraction)} saved)")
card(c[2], "Mean latency per request", fmt.duration(answers.latency_s), f"{fmt.duration(answers.latency_s_uncached)} without the cache; "
     f"a hit takes {fmt.duration(hit_s)}")
card(c[3], "GPU chip-seconds per request", f"{answers.chip_s_per_request:.3g} chip-s",
     f"only misses reach the {fmt.plural(dep.chips, 'chip')} ({fmt.fraction(1 - hit)} of requests)")
sizes, rates = answer_cache.hit_rate_curve(catalogue, zipf, cacheable)
ten_x = float(answer_cache.zipf_hit_rate(min(10 * max(cached, 1), catalogue), catalogue, zipf, cacheable))
chart(figures.hit_rate_figure(sizes, rates, cached, hit, cacheable),
      f"Hit rate against cache size for {catalogue:,} questions at Zipf s = {zipf:g}: the top {cached:,} answers serve "
      f"{fmt.fraction(hit)} of all queries; 10x as many ({min(10 * max(cached, 1), catalogue):,}) would serve "
      f"{fmt.fraction(ten_x)}, never more than the cacheable {fmt.fraction(cacheable)}.", key="ca_hit_chart")
table(answer_table(answers, request_cost(dep, s.prompt, s.out, s.batch).chip_s), "answer_cache",
      "Expected cost per request = h · hit cost + (1 - h) · (prefill + decode on the roofline); latency likewise.")

st.subheader("2. Prefix (KV) caching")
st.markdown("When requests share a prefix (system prompt, documents, earlier turns), its KV cache can be kept: the prefill "
            "then computes only the new tokens, attending to the cached ones: F_prefill(P) - F_prefill(p) FLOPs.")
c = st.columns(3)
with c[0]:
    share = slider(P["ca_prefix"]) / 100
with c[1]:
    tier = choice(P["ca_tier"])  # no format_func: the URL holds the label, which must be the value
with c[2]:
    host_bps = number(P["ca_host_gbps"], disabled=tier != "host-dram") * 1e9
tier_bps = host_bps if tier == "host-dram" else None
if s.prompt < 2:
    st.info("The prompt is a single token: there is no prefix to cache. Raise the prompt tokens in the sidebar.")
else:
    p = prefix_cache.cached_prefix_tokens(s.prompt, share)
    pre = prefix_cache.prefix_cache(dep, s.prompt, p, s.batch, tier_bps)
    c = st.columns(4)
    card(c[0], "Prefill FLOPs saved", fmt.fraction(1 - pre.flops_fraction), f"{p:,} of {s.prompt:,} prompt tokens cached")
    card(c[1], "TTFT", fmt.duration(pre.ttft_s), f"{fmt.duration(pre.ttft_s_uncached)} without the cache"
         + (f"; {fmt.duration(pre.load_s)} of it copies the prefix from host" if pre.load_s else ""))
    card(c[2], "Input cost per 1,000 requests", fmt.usd(1e3 * pre.usd_input),
         f"{fmt.usd(1e3 * pre.usd_input_uncached)} uncached: {fmt.fraction(pre.usd_input / pre.usd_input_uncached)} of the bill left")
    published = published_cache_prices(state.catalog.api_prices)
    fractions = sorted({row["cached_input_fraction"] for row in published})
    bills = [float(prefix_cache.published_bill_fraction(p / s.prompt, f)) for f in fractions]
    card(c[3], "Published cached-input prices", f"{fmt.fraction(fractions[0])}-{fmt.fraction(fractions[-1])}",
         f"of the input price; at this prefix they leave {fmt.fraction(bills[0])}-{fmt.fraction(bills[-1])} of the bill")
    sweep = prefix_cache.prefix_sweep(dep, s.prompt, s.batch, np.linspace(0, 0.99, 34), tier_bps)
    chart(figures.prefix_figure(sweep, fractions, published, share, "HBM" if tier == "hbm" else "host DRAM"),
          f"Share of the uncached input bill left as the cached prefix grows: with {fmt.fraction(p / s.prompt)} of the "
          f"{s.prompt:,}-token prompt cached, this model leaves {fmt.fraction(pre.usd_input / pre.usd_input_uncached)}; "
          f"published cached prices of {fmt.fraction(fractions[0])} and {fmt.fraction(fractions[-1])} of the input price "
          f"would leave {fmt.fraction(bills[0])} and {fmt.fraction(bills[-1])}.", key="ca_prefix_chart")
    table(pd.DataFrame(published), "cached_input_prices", "Published cached-input prices with source and date seen "
          "(presets/api_prices.csv). Providers also charge cache writes; not shown.")

st.subheader("3. Reasoning-token efficiency")
knee = metrics.context_knee_tokens(dep)
st.markdown("An answer with G_reason hidden reasoning tokens and G_ans visible ones costs P·c_in + (G_reason + G_ans)·"
            "c_out(L̄): each token reads the KV cache of all before it, so once the mean context L̄ passes the context "
            f"knee ({fmt.tokens(knee)} here) cost grows faster than the token count. *Token efficiency* (thinking long only "
            f"when the question needs it) is what the two policies compare; the visible answer is the sidebar's {s.out:,} "
            "output tokens.")
c = st.columns(3)
with c[0]:
    think = log_choice(P["ca_think"], REASONING_GRID)
with c[1]:
    easy_share = slider(P["ca_easy"]) / 100
with c[2]:
    easy_think = log_choice(P["ca_easy_think"], REASONING_GRID)
if s.prompt + max(think, easy_think) + s.out > dep.model.max_context:
    st.warning(f"{s.prompt + max(think, easy_think) + s.out:,} tokens exceed {dep.model.name}'s maximum context "
               f"({dep.model.max_context:,}); the roofline costs them anyway.")
policies = reasoning.reasoning_policies(dep, s.prompt, s.out, s.batch, think, easy_think, easy_share)
c = st.columns(4)
card(c[0], "Always-think: USD per 1,000 answers", fmt.usd(policies.usd_per_1000_always),
     f"{think:,} reasoning tokens each; {fmt.duration(policies.always.latency_s)} per answer")
card(c[1], "Adaptive: USD per 1,000 answers", fmt.usd(policies.usd_per_1000_adaptive),
     f"{less_or_more(policies.saving_fraction)}; {fmt.duration(policies.latency_s_adaptive)} per answer on average")
card(c[2], "Mean reasoning tokens (adaptive)", fmt.tokens(policies.reasoning_tokens_adaptive),
     f"{fmt.fraction(easy_share)} easy at {easy_think:,}, the rest at {think:,}")
g_knee = reasoning.reasoning_knee_tokens(knee, s.prompt, s.out)
card(c[3], "Context knee", fmt.tokens(knee), "the prompt alone is past it" if g_knee == 0 else
     f"reached at {fmt.tokens(g_knee)} of reasoning (mean context)")
top = max(2 * think, 2 * easy_think, 2000)
curve = reasoning.reasoning_curve(dep, s.prompt, s.out, np.unique(np.linspace(0, top, 41).astype(int)), s.batch)
linear = reasoning.linear_reference(curve["reasoning_tokens"], curve["usd_per_answer"])
excess = curve["usd_per_answer"][-1] / linear[-1]
chart(figures.reasoning_figure(curve, linear, policies, g_knee),
      f"Cost per 1,000 answers against reasoning tokens: at {top:,} tokens an answer costs "
      f"{fmt.usd(1e3 * curve['usd_per_answer'][-1])} per 1,000, {fmt.ratio(excess)} the straight line through the first "
      f"tokens, because every later token reads a longer KV cache (per output token "
      f"{fmt.usd(1e6 * curve['usd_per_output_token'][0])} -> {fmt.usd(1e6 * curve['usd_per_output_token'][-1])} per 1M).",
      key="ca_reasoning_chart")
table(policy_table(policies), "reasoning_policies",
      "Adaptive = the easy share at its budget, the rest at the always-think budget; latency = TTFT + all output tokens.")
