"""Prefill/decode disaggregation: separate pools against colocated replicas, at a request rate."""

import streamlit as st

from model.base.fields import FieldError
from model.disaggregation.links import KV_LINKS, kv_link_bytes_per_s
from model.disaggregation.plan import tpot_parts, ttft_parts
from model.disaggregation.replicas import prefill_deployment
from model.disaggregation.sweep import longest_prompt
from model.report import summary as report
from ui import cached
from ui import format as fmt
from ui.figures import disaggregation as figures
from ui.page import card, chart, current, table
from ui.params import disaggregation as P
from ui.tables.disaggregation import plans_frame
from ui.text import frontier
from ui.text.common import context_warning
from ui.text.disaggregation import verdict
from ui.widgets import choice, log_choice, names_of, number

state = current()
s, dep = state.scenario, state.deployment
CONTROL = {"decode_batch": "the sidebar's `batch`", "prompt_tokens": "the sidebar's `prompt`",
           "output_tokens": "the sidebar's `out`", "rate_per_s": "`dg_rate`", "chips": "`dg_chips` or `dg_hw`",
           "hw": "`dg_hw`", "decode_chips": "the sidebar's `chips` (or fewer bits)"}

st.title("Prefill/decode disaggregation")
if note := frontier.spec_simulated_note(dep):
    st.info(note)
st.markdown(
    "Prefill reads a whole prompt in one pass (often compute-bound); decode produces one token per pass for a batch "
    "(often memory-bound). **Colocated** replicas do both, so every running decode **stalls** while a newcomer's "
    "prompt is prefilled. **Disaggregated** serving runs a prefill pool and a decode pool, each sized and batched for "
    "its phase (and possibly on other hardware), and ships each prompt's KV cache across. Decode and colocated "
    f"replicas: **{dep.chips} x {dep.hardware.name}** running **{dep.model.name}** (sidebar), at the sidebar's "
    f"batch ({fmt.plural(s.batch, 'sequence')}), prompt ({s.prompt:,} tokens) and output ({s.out:,} tokens).")

with st.container(border=True):
    c = st.columns(5)
    with c[0]:
        rate = number(P.RATE, format="%.2f")
    with c[1]:
        hw = choice(P.PREFILL_HW, format_func=names_of(state.catalog.hardware, same=f"same ({dep.hardware.name})"))
    with c[2]:
        chips = log_choice(P.PREFILL_CHIPS, [0, 1, 2, 4, 8, 16, 32, 64],
                           format_func=lambda n: f"same ({dep.chips})" if n == 0 else str(n))
    with c[3]:
        link = choice(P.LINK, format_func=lambda k: KV_LINKS[k][1])
    with c[4]:
        axis = choice(P.AXIS)
link_bps = KV_LINKS[link][0]
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))

try:
    pre = prefill_deployment(s, state.catalog, hw, chips, state.calibration)
    keys = (repr(pre), repr(dep))
    plans = cached.plans(keys, pre, dep, s.prompt, s.out, rate, s.batch, link_bps)
except ValueError as exc:
    field = exc.field if isinstance(exc, FieldError) else ""
    st.warning(f"These settings cannot be served: {exc}. Change {CONTROL.get(field, 'the settings above')}.")
    st.stop()
colo, dis = plans["colocated"], plans["disaggregated"]

c = st.columns(4)
card(c[0], "Replicas: prefill + decode", f"{dis.prefill_replicas:,} + {dis.decode_replicas:,}",
     f"{dis.chips:,} chips; colocated needs {fmt.plural(colo.decode_replicas, 'replica')} ({colo.chips:,} chips)",
     "Replicas needed for the request rate, rounded up; the prefill pool runs at most 80% busy.")
card(c[1], "TTFT: disaggregated", fmt.duration(dis.ttft_s), f"colocated: {fmt.duration(colo.ttft_s)}; KV transfer "
     f"{fmt.duration(dis.kv_transfer_s)}", "Time to first token: queueing + prefill (+ KV transfer when disaggregated).")
card(c[2], "TPOT: disaggregated", fmt.duration(dis.tpot_s), f"colocated: {fmt.duration(colo.tpot_s)}, stalled "
     f"{fmt.fraction(colo.prefill_utilization)} of the time by prefills",
     "Time per output token after the first (excludes TTFT): the mean decode step, plus stalls when colocated.")
card(c[3], "USD per 1M tokens: disaggregated", fmt.usd(dis.usd_per_m_tokens),
     f"colocated: {fmt.usd(colo.usd_per_m_tokens)} (prompt + output tokens)",
     "Fleet USD/s / (requests/s x (prompt + output tokens)) x 10^6.")

t_pf = dis.prefill_s
st.markdown(
    f"**Balanced pipeline** (Austin et al. 2025, Part 8; DistServe: P_n / T_prefill = B·G_n / (t_step·G)): a prefill of "
    f"{s.prompt:,} tokens takes T_prefill = {fmt.duration(t_pf)} on {pre.chips} x {pre.hardware.name}, so "
    f"{dis.prefill_replicas_exact:.3g} prefill replicas handle {rate:g} requests/s; a decode step of "
    f"{fmt.plural(s.batch, 'sequence')} takes t_step = {fmt.duration(dis.sized_step_s)} on average, so "
    f"{dis.decode_replicas_exact:.3g} decode replicas finish {rate:g} requests/s of {s.out:,} tokens. Both sides "
    f"equal the request rate; rounded up, that is {dis.prefill_replicas} + {dis.decode_replicas} replicas.")

parts = {p.name: ttft_parts(p) for p in (colo, dis)}
c = st.columns(2)
with c[0]:
    chart(figures.parts_bars("What TTFT is made of", parts, figures.TTFT_PARTS),
          f"TTFT colocated {fmt.duration(colo.ttft_s)} vs disaggregated {fmt.duration(dis.ttft_s)}. The prefill pool runs "
          f"{fmt.fraction(dis.prefill_utilization)} busy, so a prompt queues "
          f"{fmt.duration(parts['disaggregated']['queueing'])} on average (M/D/1), then its KV cache "
          f"({fmt.bytes_(dis.kv_bytes)}) crosses in {fmt.duration(dis.kv_transfer_s)}. Each colocated replica "
          f"prefills its own arrivals and is busy prefilling {fmt.fraction(colo.prefill_utilization)} of the time.", key="disagg_ttft")
with c[1]:
    tpot = {p.name: tpot_parts(p) for p in (colo, dis)}
    chart(figures.parts_bars("What TPOT is made of", tpot, figures.TPOT_PARTS),
          f"Colocated decodes wait {fmt.duration(tpot['colocated']['prefill_stall'])} per token behind others' prefills "
          f"({fmt.fraction(colo.prefill_utilization)} of the replica's time), on top of a {fmt.duration(colo.decode_step_s)} step at "
          f"{colo.decode_batch:.3g} sequences in flight; the decode pool never stalls: "
          f"{fmt.duration(dis.tpot_s)} at {dis.decode_batch:.3g} sequences.", key="disagg_tpot")

x_title = figures.AXIS_TITLES[axis]
data = cached.sweep(keys, pre, dep, s.prompt, s.out, rate, s.batch, axis,
                longest_prompt(dep, s.out), link_bps)
now = rate if axis == "rate" else s.prompt
span = f"{fmt.number(data.values[0])} to {fmt.number(data.values[-1])}"
c = st.columns(2)
with c[0]:
    chart(figures.latency_sweep(data, x_title, now, plans),
          f"TTFT (blue) and TPOT (red) from {span} {'requests/s' if axis == 'rate' else 'prompt tokens'}, the rest "
          "as set; circles: now; steps: pools rounded up to whole replicas. " + verdict(data, colo, dis)
          + (f" Gaps: points that cannot be served ({data.refused[0]})." if data.refused else ""), key="disagg_sweep_latency")
with c[1]:
    chart(figures.cost_sweep(data, x_title, now, plans),
          f"Cost per 1M tokens now: colocated {fmt.usd(colo.usd_per_m_tokens)}, disaggregated "
          f"{fmt.usd(dis.usd_per_m_tokens)} ({dis.chips:,} vs {colo.chips:,} chips). "
          + ("Where few replicas are needed, rounding up to whole ones leaves them partly idle, so cost per token falls "
             "with the rate until the pools are full" if axis == "rate" else
             "Prompt tokens are cheap (one pass reads many), so cost per token falls as prompts grow, until attention "
             "and KV reads over the long context make every pass dearer")
          + "; a prefill pool capped at 80% busy costs disaggregation some chips.", key="disagg_sweep_cost")

st.info(
    "**Published results (not computed here).** DistServe: **4.48x** more requests or **10.2x** tighter SLO while "
    "over 90% of requests meet both TTFT and TPOT targets (authors' publication page). Splitwise: up to **1.4x** higher "
    "throughput at **20% lower cost** (Microsoft Research). Those gains come from searching the most load each design "
    "serves within latency targets (goodput); this page compares both designs at one rate and batch.")
table(plans_frame(plans), "disaggregation_plans",
      f"Both plans at {rate:g} requests/s. KV link: {KV_LINKS[link][1]}, "
      f"{fmt.bytes_(kv_link_bytes_per_s(pre, dep, link_bps))}/s per prefill-to-decode replica pair.")
with st.expander("Definitions and assumptions"):
    st.markdown(
        "- **TTFT**: arrival to first token = prefill + mean queueing (M/D/1) + KV transfer (disaggregated) or half a "
        "decode step in flight (colocated). **TPOT**: time per output token after the first; excludes TTFT.\n"
        "- **Pools**: n_p = λ·T_prefill / 0.8, n_d = λ·G·t_step / B, colocated n = λ·(T_prefill + G·t_step/B), each "
        "rounded up; sequences in flight per decode replica from Little's law. KV transfer = prompt·KV bytes per token "
        "/ link.\n"
        "- Other prefill hardware takes its own preset price and efficiencies; the sidebar's overrides describe the "
        "sidebar's chip. Steady state, fixed prompt and output lengths, Poisson arrivals.")
