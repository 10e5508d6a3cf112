"""Overview: the scenario's headline numbers and the life of one request."""

import pandas as pd
import streamlit as st

from model.core import metrics, roofline
from model.core.memory_fit import around_first_fit, fit_plans, plan_rows, smallest_fit
from model.core.request import request_cost
from model.report import summary as report
from model.schema.resolve import calibration_key
from ui import format as fmt
from ui.cached import hardware_band, shipped_calibration
from ui.figures.overview import timeline_figure
from ui.page import card, chart, current, lazy_expander, table
from ui.sidebar_calibration import KEY as CALIBRATION_KEY
from ui.sidebar_calibration import SHIPPED
from ui.text import frontier
from ui.text import overview as explain
from ui.text.latency import context_floor_sentence, floor_sentence

# session keys of the collapsed sections, computed and drawn only when opened (not in the link)
MEMORY_FIT_KEY, PASSES_KEY, SOURCES_KEY = "_overview_memory_fit", "_overview_passes", "_overview_sources"

state = current()
s, dep = state.scenario, state.deployment
row = report.summarize_si(s, dep)
columns = report.output_row(row)
step = roofline.decode_step(dep, s.batch, s.ctx)

st.title("LLM inference economics")
st.markdown(f"**{dep.model.name}** on **{dep.chips} x {dep.hardware.name}**, weights {s.wbits}-bit, KV {s.kvbits}-bit, "
            f"batch {s.batch:,}, context {s.ctx:,} tokens, ${dep.usd_per_chip_hour:.2f}/chip-hour.")
if row["warnings"]:
    st.warning(row["warnings"])
st.caption(explain.context_note(s))
hw_key = calibration_key(s)
calibration = state.calibration if state.calibration is not None and state.calibration.efficiency_for(hw_key) else None
calibration_name = None if calibration is None else (
    "shipped" if st.session_state.get(CALIBRATION_KEY) == SHIPPED else "uploaded")
band = hardware_band(hw_key, None if calibration is None else calibration.to_json(), calibration)
note, warn = explain.validation_note(band, calibration_name, shipped_calibration().efficiency_for(hw_key) is not None)
(st.warning if warn else st.caption)(note)

unfit = explain.fit_reason(s, row["max_batch"], metrics.weights_fit(dep))
mark = explain.NOT_FITTING if unfit else ""
c = st.columns(4)
card(c[0], "USD per 1M input tokens", fmt.usd(row["usd_per_m_input"]) + mark,
     unfit + f"prefill of {fmt.plural(s.batch, 'prompt')} of {s.prompt:,} tokens; " + explain.prefill_sentence(s, row["prefill_bound"]))
card(c[1], "USD per 1M output tokens", fmt.usd(row["usd_per_m_output"]) + mark,
     unfit + explain.output_price_context(s) + "; " + explain.decode_sentence(step))
card(c[2], "Output / input cost", fmt.ratio(row["output_input_ratio"]) + mark,
     unfit + f"one output token costs as much as {row['output_input_ratio']:.3g} input tokens")
card(c[3], "Latency floor", fmt.duration(row["latency_floor_s"]),
     floor_sentence(dep, row["latency_floor_s"]) + f"; at this context {fmt.duration(row['latency_floor_ctx_s'])}: "
     + context_floor_sentence(dep, s.ctx, row["latency_floor_s"], row["latency_floor_ctx_s"]),
     "Weights one decode step reads at batch 1 (MoE: the experts it touches) / peak HBM bandwidth: no batch size or "
     "kernel beats it. At this context add one sequence's KV cache.")
c = st.columns(4)
card(c[0], "TTFT", fmt.duration(row["ttft_s"]), f"one prefill pass over {s.prompt:,} prompt tokens (no queueing)"
     + explain.prompt_note(s, dep.model.max_context),
     "Time to first token: prefill of one prompt, alone on the replica.")
card(c[1], "TPOT", fmt.duration(row["tpot_s"]), f"at ctx {s.ctx:,}: {fmt.significant(row['tpot_s'] / row['latency_floor_s'], 2)}x the "
     f"weights-only floor, {fmt.significant(row['tpot_s'] / row['latency_floor_ctx_s'], 2)}x the floor at this context",
     "Time per output token after the first (excludes TTFT): one decode step at this batch and context.")
card(c[2], "Tokens/s per user", fmt.token_rate(row["tokens_per_s_per_user"]), "1 / TPOT")
card(c[3], "Tokens/s per replica", fmt.token_rate(row["tokens_per_s"]) + mark, unfit + f"{fmt.plural(s.batch, 'sequence')} per step / TPOT")
c = st.columns(4)
card(c[0], "Max batch at this context", fmt.count(row["max_batch"]), explain.capacity_sentence(s, row["max_batch"], metrics.weights_fit(dep)),
     "Sequences whose KV cache fits in HBM after the weights and 10% headroom.")
card(c[1], "Context knee", fmt.tokens(row["context_knee_tokens"]), explain.context_knee_sentence(s, row["context_knee_tokens"]),
     "Context where one sequence's KV-cache reads per step take as long as its compute per step.")
card(c[2], "Batch knee at this context", fmt.count(row["batch_knee"]), explain.batch_knee_sentence(row["batch_knee"]),
     "Batch where the decode step's FLOP time reaches its memory time.")
card(c[3], "Weights stored", fmt.bytes_(row["weight_bytes"]),
     explain.weights_sentence(dep, s.wbits, metrics.floor_weight_bytes(dep))
     + f"; KV {fmt.bytes_(row['kv_bytes_per_token'])}/token",
     "All weights at the weight bits, whatever a pass reads of them.")

c = st.columns(4)
card(c[0], "Tokens per forward pass", f"{row['tokens_per_step']:.3g} per sequence",
     frontier.tokens_per_pass(s, dep, row["tokens_per_step"]),
     "Accepted tokens each sequence gains per decode step: 1, or 1 + a + ... + a^spec with speculative decoding.")
card(c[1], "Latency floor per token", fmt.duration(row["latency_floor_token_s"]),
     frontier.token_floor(dep, row["latency_floor_s"], row["latency_floor_token_s"]),
     "Weights a batch-1 pass reads (with speculation: the verification pass and the drafts) / peak HBM / tokens per step.")
card(c[2], "Exposed communication", fmt.duration(row["exposed_comms_s"]),
     frontier.exposed_comms(row, row["decode_step_s"], dep.overlap),
     "All-reduce and expert all-to-all time of one decode step that overlap does not hide.")
card(c[3], "Parallel layout", frontier.layout_label(dep), frontier.layout_sentence(s, dep),
     "How the replica's chips split the model: tensor parallel (TP), expert parallel (EP), attention data parallel (DP).")
with lazy_expander("Memory fit: how many chips, which layout", MEMORY_FIT_KEY) as fit_box:
    if fit_box.open:  # computed and drawn only when opened: a first visit loads no table code
        plans = fit_plans(dep, s.batch, s.ctx)
        table(fmt.rounded(pd.DataFrame(plan_rows(around_first_fit(plans)))), "memory_fit",
              frontier.fit_caption(smallest_fit(plans), dep.chips))

st.subheader("One request, pass by pass")
run = metrics.decode_run(dep, s.batch, s.prompt, s.out, timeline=True)
tokens, elapsed = run.steps_done, run.elapsed_s
ttft = row["ttft_s"]
decode_s = float(elapsed[-1])
chart(timeline_figure(ttft, elapsed, tokens),
      f"The prompt is read in one pass ({fmt.duration(ttft)}); then each of the {s.out:,} output tokens needs its own "
      f"pass through all the weights, {fmt.duration(decode_s)} in total. A classification request would stop after "
      f"the first pass.", key="timeline")

request = request_cost(dep, s.prompt, s.out, s.batch)
prefill_share_s = request.prefill_chip_s
decode_share_s = request.chip_s - prefill_share_s
passes = pd.DataFrame([
    {"phase": "prefill", "passes through the weights": 1, "tokens": s.prompt, "wall_time_s": ttft,
     "chip_seconds_share": prefill_share_s},
    {"phase": "decode", "passes through the weights": s.out, "tokens": s.out, "wall_time_s": decode_s,
     "chip_seconds_share": decode_share_s},
])
st.caption(f"Generation uses {fmt.ratio(decode_share_s / prefill_share_s)} the chip-seconds of reading the prompt, although "
           f"the prompt has {fmt.ratio(s.prompt / s.out)} as many tokens. Chip-seconds are this request's share of passes "
           f"batched with {s.batch - 1:,} others.")
with lazy_expander("The two phases as a table (passes, tokens, wall time, chip-seconds)", PASSES_KEY) as passes_box:
    if passes_box.open:
        table(fmt.rounded(passes), "request_passes")

with lazy_expander("Sources and definitions", SOURCES_KEY) as sources_box:
    if sources_box.open:  # computed and drawn only when opened: a first visit loads less
        sources = [{"what": f"hardware: {what.replace('_', ' ')}", "source": text} for what, text in dep.hardware.sources]
        sources.append({"what": "model config", "source": dep.model.source})
        table(pd.DataFrame(sources), "sources")
        st.markdown(
            "- **TTFT**: time to first token = prefill of one prompt alone on the replica (no queueing).\n"
            "- **TPOT**: time per output token after the first = one decode step at this batch and context (excludes TTFT).\n"
            "- **Latency floor**: weights one decode step reads at batch 1 (MoE: the active experts; the input embedding is "
            "a lookup) / peak HBM bandwidth. **Floor at this context**: the same plus one sequence's KV cache at ctx.\n"
            "- **Weights stored**: all weights at the weight bits; a decode step reads fewer (the input embedding is a "
            "lookup), a prefill also looks up one embedding row per token.\n"
            "- **Context knee**: context where a sequence's KV reads per step equal its compute per step.\n"
            "- **Cost per 1M tokens**: replica cost per second x pass time / tokens in the pass x 10^6; input = prefill of "
            "`batch` prompts together, output = one decode step of `batch` sequences."
        )
        table(pd.DataFrame([{"column": c.name, "value": columns[c.name], "unit": c.unit, "definition": c.doc}
                            for c in report.OUTPUT_COLUMNS]).astype({"value": str}), "scenario_numbers")
