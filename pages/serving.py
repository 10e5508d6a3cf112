"""Continuous batching and PagedAttention: static vs continuous vs chunked prefill on one simulated workload."""

import streamlit as st

from model.serving.capacity import load_check
from model.serving.chunked import default_token_budget
from model.serving.paged_kv import DEFAULT_BLOCK_TOKENS
from model.serving.results import fastest
from model.serving.workload import SIMULATOR_MAX_WORK
from ui import format as fmt
from ui.cached import CAPACITY_REQUESTS, SERVING_WALL_S, simulate
from ui.figures import serving as figures
from ui.page import card, chart, current, table
from ui.params import serving as P
from ui.tables.serving import comparison_frame, gain_rows
from ui.text import frontier
from ui.text.serving import LABELS, load_sentence, truncation_notes, ttft_queue_note
from ui.widgets import choice, log_choice, log_grid, number

dep = current().deployment

st.title("Continuous batching and PagedAttention")
if note := frontier.spec_simulated_note(dep):
    st.info(note)
st.markdown(
    "Classic ML serving batches inputs of one size. LLM requests differ in prompt and output length, so a **static** "
    "batch runs until its longest request ends while finished slots sit idle, and reserves KV memory for the longest "
    "possible request. **Continuous** batching (Orca) schedules one token at a time across all active requests and "
    f"refills a slot the step it frees; **PagedAttention** (vLLM) keeps the KV cache in {DEFAULT_BLOCK_TOKENS}-token "
    "blocks allocated as tokens arrive. **Chunked prefill** (Sarathi-Serve) also splits prompts so decodes never wait "
    f"behind a whole prompt. One replica of **{dep.model.name}** on **{dep.chips} x {dep.hardware.name}** (sidebar) "
    "serves the same simulated requests under each policy. This page draws its own workload: the sidebar's batch, "
    "context, prompt and output are not used here.")

with st.container(border=True):
    c = st.columns(4)
    with c[0]:
        rate = number(P.RATE, format="%.2f")
        n = number(P.REQUESTS)
    with c[1]:
        max_batch = log_choice(P.MAX_BATCH_PARAM, log_grid(1, int(P.MAX_BATCH_PARAM.field.hi)))
        st.caption(f"Up to {P.REQUESTS.field.hi:,.0f} requests; the all-at-once comparison uses the first "
                   f"{CAPACITY_REQUESTS:,}, the capacity always {CAPACITY_REQUESTS:,}. Each run stops after "
                   f"{SIMULATOR_MAX_WORK:,} scheduler units or its share of {sum(SERVING_WALL_S.values()):g} s, "
                   "and says so.")
    with c[2]:
        prompt_kind, prompt = choice(P.PROMPT_KIND), number(P.PROMPT)
    with c[3]:
        out_kind, out = choice(P.OUTPUT_KIND), number(P.OUTPUT)

(results, refused), (capacity, _), sustained = simulate(repr(dep), dep, n, rate, prompt_kind, prompt, out_kind, out,
                                                       max_batch)
for policy, message in refused.items():
    st.warning(f"**{LABELS[policy]}** could not be simulated: {message}. Change the workload above "
               f"(`{P.PROMPT.field.name}`, `{P.OUTPUT.field.name}`, `{P.REQUESTS.field.name}`) or the sidebar's chips.")
for note in truncation_notes({"": results, ", all requests at t = 0 (capacity)": sustained,
                              ", all requests at t = 0 (gain)": capacity},
                             f"`{P.REQUESTS.field.name}`, `{P.OUTPUT.field.name}` or `{P.MAX_BATCH_PARAM.field.name}`"):
    st.warning(note)
if "static" not in results or "continuous" not in results:
    st.stop()
static, cont = results["static"], results["continuous"]
best = fastest(results)
load = load_check(rate, sustained)
said = load_sentence(load, n, P.RATE.field.name)
if said:
    (st.warning if said[1] else st.info)(said[0])

c = st.columns(4)
gain = cont.throughput_gain_over(static)
card(c[0], "Throughput: continuous / static", fmt.ratio(gain),
     f"{fmt.token_rate(cont.output_tokens_per_s)} vs {fmt.token_rate(static.output_tokens_per_s)} at {rate:g} requests/s"
     + ("; both keep up with arrivals, see the all-at-once gain below" if gain < 1.05 else ""),
     "Output tokens per second of the replica over the whole run (first arrival to last token).")
card(c[1], "TTFT p50: continuous vs static", fmt.duration(cont.ttft_p50_s),
     f"static: {fmt.duration(static.ttft_p50_s)} (p95 {fmt.duration(static.ttft_p95_s)}) waiting for a whole batch to finish"
     + ttft_queue_note(load, "static") + ("; continuous" + ttft_queue_note(load, "continuous") if "continuous" in load.overloaded() else ""),
     "Time to first token: arrival to first output token, queueing included.")
card(c[2], "KV waste: paged vs reserved", fmt.fraction(cont.kv_waste_fraction, 2),
     f"static reserves {fmt.tokens(static.kv_waste_tokens_per_seq)} per sequence it never fills: "
     f"{fmt.fraction(static.kv_waste_fraction)} of its reservation",
     "Share of reserved KV memory holding no token (mean over decode steps). Paging wastes under one "
     f"{DEFAULT_BLOCK_TOKENS}-token block per sequence.")
card(c[3], "USD per 1M output tokens", fmt.usd(best.usd_per_m_output),
     f"{LABELS[best.policy]}; static: {fmt.usd(static.usd_per_m_output)}",
     "Replica USD/s x the run's duration / output tokens x 10^6 (idle time included).")

c = st.columns(2)
with c[0]:
    chart(figures.throughput_bars(results),
          f"Output tokens/s the replica delivered for {n:,} requests arriving at {rate:g}/s: static "
          f"{fmt.token_rate(static.output_tokens_per_s)}, continuous {fmt.token_rate(cont.output_tokens_per_s)}"
          + (f", chunked {fmt.token_rate(results['chunked'].output_tokens_per_s)}" if "chunked" in results else "")
          + f". Static batching fills only {fmt.fraction(static.slot_occupancy)} of the token slots it computes "
          "(slot occupancy = useful output tokens / batch slots x decode steps); continuous batching fills all of them.",
          key="serving_throughput")
with c[1]:
    chart(figures.memory_bars(results),
          f"Mean KV memory reserved over decode steps, of {fmt.bytes_(cont.kv_capacity_bytes)} left for KV after the "
          f"weights. Static reserves {fmt.tokens(static.kv_waste_tokens_per_seq)} more per "
          f"sequence than it holds ({fmt.fraction(static.kv_waste_fraction)} waste; vLLM measured 60-80% in earlier "
          f"systems); paging wastes {cont.kv_waste_tokens_per_seq:.3g} tokens per sequence "
          f"({fmt.fraction(cont.kv_waste_fraction, 2)}), about half a block, so more sequences fit.",
          key="serving_memory")
c = st.columns(2)
with c[0]:
    chart(figures.distribution(results, "ttft_s", "Time to first token (TTFT)", "TTFT, ms (log)"),
          f"TTFT = arrival to first output token (queueing + prefill). Half the requests wait under "
          f"{fmt.duration(cont.ttft_p50_s)} with continuous batching, {fmt.duration(static.ttft_p50_s)} with static batching, "
          "where a request waits for the running batch to end and for the whole padded batch's prefill.",
          key="serving_ttft")
with c[1]:
    chunk = results.get("chunked")
    chart(figures.distribution(results, "tpot_s", "Time per output token (TPOT)", "TPOT, ms (log)"),
          f"TPOT = (last token - first token) / (output tokens - 1): it excludes TTFT. p95: static "
          f"{fmt.duration(static.tpot_p95_s)}, continuous {fmt.duration(cont.tpot_p95_s)}"
          + (f", chunked {fmt.duration(chunk.tpot_p95_s)}" if chunk else "")
          + ". Continuous batching stalls every running decode while a newcomer's whole prompt is prefilled; chunked "
          "prefill spreads that work over many steps, trimming the tail.", key="serving_tpot")

st.subheader("Why: the slots a static batch leaves idle")
if "static" not in capacity or "continuous" not in capacity:
    st.warning("The all-at-once comparison could not be simulated for this workload; lower `sv_n` or the lengths.")
    st.stop()
frame, simulated, exact = gain_rows(capacity, out_kind, out)
st.markdown(
    f"With output lengths G drawn independently, a static batch of B runs E[max G] steps for E[G] useful tokens per "
    f"slot: occupancy E[G]/E[max G], so refilling slots gains **E[max G]/E[G] = {exact:.3g}x** here (B = "
    f"{capacity['static'].batch_limit}, the static batch limit). With every request queued at t = 0 (the first "
    f"{capacity['static'].n_requests:,}) the simulation gains **{simulated:.3g}x**: less than expected because "
    "continuous batching stalls decodes for each newcomer's prefill and the last batches drain part-empty.")
table(frame, "continuous_batching_gain", "Gain = continuous / static output tokens per second at saturation.")

st.subheader("Every number, per policy")
table(comparison_frame(results, load.capacity_per_s), "serving_policies",
      f"{n:,} requests at {rate:g}/s; prompts {prompt_kind} (mean {prompt:,} tokens), outputs {out_kind} (mean "
      f"{out:,}); max batch {max_batch}. Chunked prefill runs {default_token_budget(max_batch):,} tokens per iteration. "
      "capacity_requests_per_s: requests/s the policy sustains for this workload (all requests queued at t = 0).")

with st.expander("Definitions and assumptions"):
    st.markdown(
        "- **TTFT**: arrival to first output token (queueing, padding and prefill). **TPOT**: time per output token "
        "after the first, (last - first token time) / (G - 1); excludes TTFT.\n"
        "- **Slot occupancy**: useful output tokens / token slots computed (batch x decode steps).\n"
        "- **KV waste**: 1 - tokens held / KV memory reserved, mean over decode steps. Static reserves prompt cap + "
        f"output cap per sequence; paging allocates {DEFAULT_BLOCK_TOKENS}-token blocks and keeps 1% of blocks free; "
        "when blocks run out the newest request is preempted and recomputed later.\n"
        "- **Cost**: replica USD/s x the whole run (idle time included) / output tokens.\n"
        "- **Capacity**: requests/s a policy sustains for this workload = requests / time to serve them all when every "
        "one is queued at t = 0. Above it the queue grows without bound and TTFT grows with the run's length.\n"
        "- Step times come from the roofline of the sidebar's deployment; arrivals are Poisson (seed 0). Published: "
        "Orca 36.9x throughput over FasterTransformer (GPT-3 175B); vLLM 2-4x over FasterTransformer and Orca, under "
        "4% KV waste. Not computed here.")
