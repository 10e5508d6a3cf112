"""Latency floor and fast tiers: TPOT against batch, the speed/price frontier, a tier calculator, floor vs chips."""

import numpy as np
import pandas as pd
import streamlit as st

from model.base.limits import MAX_BATCH
from model.core import metrics
from model.core.grids import batch_grid
from model.pricing import speed_tiers
from model.report import summary as report
from ui import format as fmt
from ui.figures import latency as figures
from ui.page import card, chart, current, table
from ui.params.latency import FIELDS
from ui.text import frontier
from ui.text.common import context_warning, no_fit_sentence
from ui.text.latency import chips_returns, context_floor_sentence, floor_sentence, floor_weights_phrase, tier_sentence
from ui.widgets import number

state = current()
s, dep = state.scenario, state.deployment
row = report.summarize_si(s, dep)
floor_s, tpot_s, fit = row["latency_floor_s"], row["tpot_s"], row["max_batch"]
floor_ctx_s = row["latency_floor_ctx_s"]

st.title("Latency floor and fast tiers")
st.markdown(f"**{dep.model.name}** on **{dep.chips} x {dep.hardware.name}** at {s.ctx:,} tokens of context. **TPOT** (time "
            "per output token) = one decode step at the batch: the gap between a user's tokens once generation has started. "
            "It excludes TTFT (the prefill before the first token). **Latency floor** (weights only) = the weights one decode "
            "step reads at batch 1 (for MoE the active experts) / the replica's peak HBM bandwidth: no batch, kernel or "
            f"context beats it. **Floor at this context** = the same plus one sequence's KV cache at {s.ctx:,} tokens: "
            "no batch-1 step at this context beats it.")
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))
if fit < 1:
    st.warning(f"Not servable: {no_fit_sentence(metrics.weights_fit(dep), s.ctx)}. The curves below are what it "
               "would take if it did.")
sweep = speed_tiers.batch_sweep(dep, s.ctx, batch_grid(min(max(2 * fit, 4 * s.batch, 64), MAX_BATCH), 121))
batch_one_s = float(sweep.tpot_s[0])

c = st.columns(5)
card(c[0], "TPOT now", fmt.duration(tpot_s), f"batch {s.batch:,}: {fmt.token_rate(1 / tpot_s)} per user, {fmt.significant(tpot_s / floor_s, 2)}x the "
     "weights-only floor", "Time per output token after the first (excludes TTFT): one decode step at this batch and context.")
card(c[1], "Latency floor", fmt.duration(floor_s), floor_sentence(dep, floor_s),
     "Weights one decode step reads at batch 1 (MoE: the experts it touches) / peak HBM bandwidth.")
card(c[2], "Floor at this context", fmt.duration(floor_ctx_s), context_floor_sentence(dep, s.ctx, floor_s, floor_ctx_s),
     "(Weights a batch-1 decode step reads + one sequence's KV cache at this context) / peak HBM bandwidth.")
card(c[3], "TPOT at batch 1", fmt.duration(batch_one_s), f"the fastest a user gets here, {fmt.significant(batch_one_s / floor_s, 2)}x the "
     f"weights-only floor and {fmt.significant(batch_one_s / floor_ctx_s, 2)}x the floor at this context: all-reduces and bandwidth "
     "efficiency add to it")
card(c[4], "Largest possible speed-up", fmt.ratio(tpot_s / batch_one_s),
     f"from batch {s.batch:,} down to batch 1 ({fmt.token_rate(1 / batch_one_s)} per user)")
c = st.columns(3)
card(c[0], "Tokens per forward pass", f"{row['tokens_per_step']:.3g} per sequence",
     frontier.tokens_per_pass(s, dep, row["tokens_per_step"]),
     "Accepted tokens per sequence per decode step (speculative decoding keys `spec`, `spec_accept`).")
card(c[1], "Floor per token", fmt.duration(row["latency_floor_token_s"]),
     frontier.token_floor(dep, floor_s, row["latency_floor_token_s"]),
     "With speculation the floor per forward pass is unchanged; the floor per token divides it by the tokens per step.")
card(c[2], "Exposed communication", fmt.duration(row["exposed_comms_s"]),
     frontier.exposed_comms(row, row["decode_step_s"], dep.overlap),
     "All-reduce and expert all-to-all time of one decode step not hidden by overlap.")
charts_row = st.columns(2)

st.subheader("Fast-tier and economy-tier calculator")
st.markdown(f"A **speed tier** promises each user x times the tokens/s of today (batch {s.batch:,}), i.e. TPOT ≤ TPOT now / x. "
            "It runs the largest batch whose TPOT meets that and that fits in HBM (TPOT never falls as batch grows); its "
            f"**cost multiple** = cost per output token at that batch / at batch {s.batch:,}, same context.")
i = st.columns(2)
with i[0]:
    fast = number(FIELDS["lt_fast"], format="%.2f")
with i[1]:
    slow = number(FIELDS["lt_economy"], format="%.2f")
quotes = [speed_tiers.speed_tier(dep, s.ctx, s.batch, fast), speed_tiers.speed_tier(dep, s.ctx, s.batch, 1 / slow)]
for column, quote in zip(i, quotes):
    text, possible = tier_sentence(quote, s.batch, floor_s, batch_one_s)
    (column.info if possible else column.warning)(text)
tier_rows = [("now", s.batch, tpot_s, row["usd_per_m_output"], 1.0, "")] + [
    ("fast" if q.speedup >= 1 else "economy", q.batch, q.tpot_s, q.usd_per_m_output, q.price_multiple, q.status) for q in quotes]
table(pd.DataFrame([{"tier": name, "batch": b, "tpot_ms": t * 1e3, "tokens_per_s_per_user": 1 / t, "usd_per_m_output": usd,
                     "price_multiple": m, "status": status} for name, b, t, usd, m, status in tier_rows]).pipe(fmt.rounded),
      "speed_tiers", "Batch 0 and empty values: the target cannot be met at any batch (status says why).")

with charts_row[0]:
    chart(figures.tpot_vs_batch(sweep, floor_s, s.batch, fit, quotes),
          f"Each user waits one decode step per token: {fmt.duration(batch_one_s)} at batch 1, {fmt.duration(tpot_s)} at batch "
          f"{s.batch:,}, {fmt.duration(float(sweep.tpot_s[-1]))} at {sweep.batch[-1]:,.0f} (dotted: does not fit in HBM above "
          f"{fmt.count(fit)}). The line never reaches the {fmt.duration(floor_s)} weights-only floor: even batch 1 reads the "
          f"{floor_weights_phrase(dep)} and one sequence's KV cache at this context ({fmt.duration(floor_ctx_s)} together).",
          key="latency_tpot")
with charts_row[1]:
    fits = sweep.fits
    cheapest = float(np.min(sweep.usd_per_m_output[fits])) if fits.any() else float("nan")
    chart(figures.frontier(sweep, s.batch, (1 / tpot_s, row["usd_per_m_output"]), quotes),
          f"Each point is a batch (labels: sequences per step). Batch 1 gives {fmt.token_rate(1 / batch_one_s)} per user at "
          f"{fmt.usd(float(sweep.usd_per_m_output[0]))} per 1M output tokens; the largest batch that fits gives "
          f"{fmt.usd(cheapest)}. This scenario (star): {fmt.token_rate(1 / tpot_s)} at {fmt.usd(row['usd_per_m_output'])}. "
          "Speed is bought by giving up batch, so fast tiers cost more per token.", key="latency_frontier")

st.subheader("The floor against chip count")
chips = speed_tiers.floor_vs_chips(dep, s.ctx)
best = chips.fastest_chips
k = int(np.flatnonzero(chips.chips == best)[0])
gain = chips.step_s[:-1] / chips.step_s[1:]
last = chips_returns(chips.chips, k, gain)
no_fit = [int(n) for n, ok in zip(chips.chips, chips.weights_fit) if not ok]
chart(figures.chips_chart(chips, s.chips),
      f"The floor W/(n·BW) halves with every doubling ({fmt.duration(chips.floor_s[0])} on 1 chip, {fmt.duration(chips.floor_s[-1])} on "
      f"64), but each decode step also pays {2 * dep.model.layers} all-reduces ({dep.model.layers} layers x 2), whose "
      f"latency grows with chips. The batch-1 step at {s.ctx:,} tokens is shortest on {fmt.plural(best, 'chip')} ({fmt.duration(chips.step_s[k])}); "
      f"{last}, so beyond that adding chips stops helping. "
      + (f"All chips are assumed on one scale-up link of {dep.hardware.link_bytes_per_s / 1e9:,.0f} GB/s per direction"
         if dep.scaleup_chips is None else f"Domains of {dep.scaleup_chips} chips share the scale-up link; traffic "
         f"between domains crosses {(dep.scaleout_bytes_per_s or 0) / 1e9:,.0f} GB/s of scale-out per chip")
      + (f"; on {', '.join(map(str, no_fit))} {'chip' if no_fit == [1] else 'chips'} the weights and one sequence do not fit." if no_fit else "."),
      key="latency_chips")
table(pd.DataFrame({"chips": chips.chips, "floor_ms": chips.floor_s * 1e3, "batch1_step_ms": chips.step_s * 1e3,
                    "exposed_comms_ms": chips.comms_s * 1e3, "speedup_vs_half_the_chips": np.concatenate([[np.nan], gain]),
                    "fits_in_hbm": chips.weights_fit}).pipe(fmt.rounded), "floor_vs_chips")
