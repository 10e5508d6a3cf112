"""Roofline: where prefill, one decode step and each of their ops sit on the chip's roofline."""

import pandas as pd
import streamlit as st

from model.core import intensity, metrics, roofline
from model.core.grids import batch_grid
from model.pricing import sweeps
from model.report import summary as report
from ui import format as fmt
from ui.figures.roofline import roofline_figure
from ui.page import chart, current, table
from ui.text.common import context_warning
from ui.text.roofline import decode_growth, no_fit_note, ridge_distance

state = current()
s, dep = state.scenario, state.deployment
hw = dep.hardware
first = roofline.prefill(dep, s.prompt)
step = roofline.decode_step(dep, s.batch, s.ctx)
prefill_ops, decode_ops = intensity.op_points(dep, first), intensity.op_points(dep, step)
prefill_total, step_total = intensity.pass_totals(dep, first), intensity.pass_totals(dep, step)
path = intensity.decode_path(dep, batch_grid(4096, include=s.batch), s.ctx)
peaks = intensity.compute_roofs_flops_per_s(hw)
peak = hw.peak_flops_per_s(dep.eight_bit_compute)
ridge = hw.ridge_flop_per_byte(dep.eight_bit_compute)
lo, hi = intensity.intensity_range([p.intensity_flop_per_byte for p in prefill_ops + decode_ops]
                                + list(path.intensity_flop_per_byte) + [v / hw.hbm_bytes_per_s for v in peaks.values()])
for note in report.context_warnings(s, dep):
    st.warning(context_warning(note))

st.title("Roofline: why decode starves the chip")
st.markdown(f"**{dep.model.name}** on **{dep.chips} x {hw.name}**; every number on this page is **per chip** "
            f"(a replica of {fmt.plural(dep.chips, 'chip')} does {dep.chips}x the FLOPs over {dep.chips}x the bytes, so intensities "
            f"are the same). Compute runs at **{report.compute_dtype(dep)}** precision.")

i_step = float(step_total.intensity_flop_per_byte)
i_prefill = float(prefill_total.intensity_flop_per_byte)
attained = float(step_total.attained_flops_per_s_per_chip)
top = path.batch.size - 1
side = ridge_distance(i_step, ridge)
limit = intensity.decode_intensity_limit_flop_per_byte(dep, s.ctx)
knee = float(metrics.batch_knee(dep, s.ctx)[0])
growth = decode_growth(limit, ridge, knee, float(metrics.kv_bytes_per_sequence(dep, s.ctx)) if limit < ridge else 0.0)
fit_note = no_fit_note(sweeps.first_x_not_fitting(path.batch, path.fits))
chart(roofline_figure(dep, lo, hi, prefill_ops, decode_ops, prefill_total, path, s.batch, s.prompt, s.ctx),
      f"At batch {s.batch:,} and {s.ctx:,} tokens of context one decode step moves {fmt.bytes_(float(step_total.cost.weight_traffic_bytes))} "
      f"of weights and {fmt.bytes_(float(step_total.cost.kv_traffic_bytes))} of KV cache to do {fmt.significant(float(step_total.cost.flops) / 1e12)} TFLOP "
      f"for {fmt.plural(s.batch, 'token')}: {fmt.significant(i_step)} FLOP/byte, {side} the {ridge:,.0f} FLOP/byte ridge, so each chip attains "
      f"{fmt.significant(attained / 1e12)} of its {peak / 1e12:,.0f} TFLOP/s ({fmt.fraction(attained / peak)}). Prefill of one "
      f"{s.prompt:,}-token prompt runs at {i_prefill:,.0f} FLOP/byte ({fmt.significant(float(prefill_total.attained_flops_per_s_per_chip) / 1e12)} "
      f"TFLOP/s per chip). Growing the batch moves decode right along the red path, to {fmt.significant(path.intensity_flop_per_byte[top])} "
      f"FLOP/byte at batch {path.batch[top]:,.0f}, {growth}.{fit_note}", key="roofline")

st.markdown(f"**Communication** (no roofline point: it moves bytes over links, not HBM): one decode step pays "
            f"{fmt.duration(float(step.comms_s))} of tensor-parallel all-reduce and {fmt.duration(float(step.all_to_all_s))} "
            f"of expert all-to-all (dispatch + combine{' + expert-TP all-reduce' if 1 < dep.ep < dep.chips else ''}) exposed"
            + (f", {fmt.duration(float(step.hidden_comms_s))} more hidden behind compute by overlap" if dep.overlap else "")
            + f"; prefill {fmt.duration(float(first.comms_s))} and {fmt.duration(float(first.all_to_all_s))}. "
            "Both are rows of the per-op table below.")

with st.expander("How to read this plot"):
    st.markdown(
        "- **Arithmetic intensity** = FLOPs / bytes moved to or from HBM (weights + KV cache + activations), FLOP/byte.\n"
        "- **Roof** (solid) = min(peak FLOP/s, intensity x HBM bandwidth) of one chip at each precision it has; "
        "the **ridge point** = peak / bandwidth: ops to its right are compute-bound, to its left memory-bound.\n"
        f"- **Dashed roof** = the same at the scenario's achieved fractions (mfu {dep.efficiency.mfu:g} of peak, "
        f"mbu {dep.efficiency.weights_mbu:g} of bandwidth). The model times each op on it; an op sits below it when "
        "tensor parallelism replicates KV heads across chips.\n"
        "- **Attained FLOP/s per chip** = the op's FLOPs / (chips x its time). Ops without FLOPs (the embedding lookup) "
        "the tensor-parallel all-reduces and the expert all-to-all have no point; their times are in the table.\n"
        "- **Decode path**: the whole decode step (all ops) at batch 1 to 4096 at this context: "
        "Σ FLOPs / Σ bytes against Σ FLOPs / (chips x step time)."
    )

st.subheader("Per-op table")
rows = [{"pass": "prefill", **r} for r in report.op_rows(first)] + [{"pass": "decode", **r} for r in report.op_rows(step)]
labels = dict(zip(report.OP_TABLE_COLUMNS[1:-1], ("GFLOP", "weights MB", "KV MB", "activations MB", "FLOP/byte",
                                                  "compute ms", "memory ms", "kernels' fixed ms", "time ms")))
labels["hidden_ms"] = "hidden by overlap ms"
formats = {c: st.column_config.NumberColumn(label) for c, label in labels.items()}
table(fmt.rounded(pd.DataFrame(rows)), "roofline_ops",
      f"Each op of the prefill of one {s.prompt:,}-token prompt ({fmt.duration(float(first.time_s))} = TTFT) and of one decode "
      f"step at batch {s.batch:,} and context {s.ctx:,} ({fmt.duration(float(step.time_s))} = TPOT, which excludes TTFT), summed over "
      f"all {dep.model.layers} layers and all {fmt.plural(dep.chips, 'chip')}: GFLOP, MB of weights, KV cache and activations moved, "
      "intensity in FLOP/byte, compute and memory time in ms; time = the larger of the two plus the fixed time of the op's "
      "kernels (kernels launched x time per kernel, docs/formulas.md F100). A pass's time is the sum of "
      "its rows. The CSV keeps the unit-suffixed column names.", column_config=formats, height="content")
