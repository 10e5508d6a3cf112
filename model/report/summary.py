"""The numbers a scenario produces, as named columns with units (CLI, CSV and dashboard)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.core import metrics
from model.core.deployment import Deployment
from model.core.request import request_cost
from model.core.roofline import PassTiming, decode_step, prefill
from model.pricing import knees
from model.pricing.slo import slo_batch
from model.schema.scenario import Scenario


@dataclass(frozen=True)
class Column:
    name: str
    unit: str
    doc: str


FRONTIER_COLUMNS = (
    Column("tokens_per_step", "tokens", "accepted tokens per sequence per decode step: 1, or 1 + a + ... + a^spec (F125)"),
    Column("latency_floor_token_ms", "ms", "floor per output token at batch 1: the pass floor / tokens_per_step, drafts included (F127)"),
    Column("exposed_comms_ms", "ms", "communication of one decode step not hidden by overlap (all-reduce + all-to-all)"),
    Column("all_to_all_ms", "ms", "of which expert-parallel dispatch + combine, with expert TP its all-reduce (exposed)"),
    Column("hidden_comms_ms", "ms", "communication of one decode step hidden behind compute by overlap"),
    Column("draft_ms", "ms", "the speculative drafts' share of one decode step"),
)
OUTPUT_COLUMNS = (
    Column("decode_step_ms", "ms", "one decode step: `batch` sequences each at context `ctx`"),
    Column("prefill_ms", "ms", "prefill of one prompt of `prompt` tokens, alone on the replica"),
    Column("tpot_ms", "ms", "time per output token for one user = decode_step_ms / tokens_per_step (excludes TTFT)"),
    Column("ttft_ms", "ms", "time to first token = prefill_ms (no queueing)"),
    Column("tokens_per_s", "tokens/s", "decode output tokens per second per replica = batch x tokens_per_step / step"),
    Column("tokens_per_s_per_user", "tokens/s", "1 / tpot"),
    Column("latency_floor_ms", "ms", "weights a batch-1 decode step reads (MoE: active experts) / peak HBM bandwidth"),
    Column("latency_floor_ctx_ms", "ms", "latency_floor_ms + one sequence's KV cache at `ctx` (copies included) / peak HBM"),
    Column("weight_bytes", "B", "weights stored: all weights at `wbits`"),
    Column("kv_bytes_per_token", "B/token", "KV cache per token of context, all layers, at `kvbits`"),
    Column("max_batch", "sequences", "sequences at context `ctx` whose KV cache fits in HBM (10% headroom)"),
    Column("fits_in_memory", "bool", "batch <= max_batch"),
    Column("usd_per_m_input", "USD/1M tokens", "prefill cost: `batch` prompts prefilled together"),
    Column("usd_per_m_output", "USD/1M tokens", "decode cost at `batch` and `ctx`"),
    Column("output_input_ratio", "x", "usd_per_m_output / usd_per_m_input"),
    Column("decode_bound", "", "compute, memory or comms: the largest share of the decode step"),
    Column("prefill_bound", "", "compute, memory or comms: the largest share of the prefill"),
    Column("batch_knee", "sequences", "batch where decode FLOP time reaches memory time at `ctx`"),
    Column("context_knee_tokens", "tokens", "context where KV reads per sequence reach its compute time"),
    Column("capacity_knee_tokens", "tokens", "context where the batch that fits falls below the SLO batch (F156)"),
    Column("input_knee_tokens", "tokens", "prompt where a prefill's attention FLOPs equal its linear-layer FLOPs (F154)"),
    Column("output_knee_tokens", "tokens", "context where, at the SLO batch, KV reads per step equal weight reads (F155)"),
    Column("slo_batch", "sequences", "largest batch that fits and meets `slo_tps` at `ctx` (F77; 0 = none)"),
    Column("request_s", "s", "one request end to end: TTFT + `out` decode steps (context grows)"),
    Column("request_chip_s", "chip-s", "chip-seconds one request uses (its share of batched passes)"),
    Column("compute_dtype", "", "bf16, or 8-bit where activations and chip are 8-bit"),
    Column("params_total_b", "billion", "parameters stored"),
    Column("params_active_b", "billion", "parameters multiplied per token (incl. lm_head)"),
    Column("warnings", "", "things to know about this scenario (empty when none)"),
    *FRONTIER_COLUMNS,
)
OUTPUT_NAMES = tuple(c.name for c in OUTPUT_COLUMNS)
SI_TIME_COLUMNS = {"decode_step_ms": "decode_step_s", "prefill_ms": "prefill_s", "tpot_ms": "tpot_s",
                   "ttft_ms": "ttft_s", "latency_floor_ms": "latency_floor_s",
                   "latency_floor_ctx_ms": "latency_floor_ctx_s", "latency_floor_token_ms": "latency_floor_token_s",
                   "exposed_comms_ms": "exposed_comms_s", "all_to_all_ms": "all_to_all_s",
                   "hidden_comms_ms": "hidden_comms_s", "draft_ms": "draft_s"}  # output column -> seconds key


def context_warnings(s: Scenario, dep: Deployment) -> list[str]:
    """Token counts beyond the model's maximum context: `ctx`, `prompt`, and `prompt` + `out` (the
    roofline prices them anyway; the model was not trained for them)."""
    limit = dep.model.max_context
    notes = [f"{name} {tokens} exceeds the model's maximum context {limit}"
             for name, tokens in (("ctx", s.ctx), ("prompt", s.prompt)) if tokens > limit]
    if s.prompt <= limit < s.prompt + s.out:
        notes.append(f"prompt + out = {s.prompt + s.out} tokens exceeds the model's maximum context {limit}")
    return notes


def scenario_warnings(s: Scenario, dep: Deployment, max_batch: float) -> list[str]:
    """Everything a number of this scenario needs said beside it (the `warnings` column)."""
    notes = context_warnings(s, dep)
    if max_batch < 1 and not metrics.weights_fit(dep):
        notes.append("the weights do not fit in HBM at this chip count")
    elif max_batch < 1:
        notes.append(f"the weights fit, but one sequence's KV cache at ctx {s.ctx} does not fit beside them")
    elif s.batch > max_batch:
        notes.append(f"batch {s.batch} does not fit in HBM at ctx {s.ctx} (max {int(max_batch)})")
    if s.abits == 8 and not dep.hardware.has_eight_bit():
        notes.append(f"{dep.hardware.name} has no 8-bit peak: compute runs at the bf16 peak")
    if s.abits == 4 and not dep.hardware.has_fp4():
        notes.append(f"{dep.hardware.name} has no FP4 peak: compute runs at the "
                     f"{'8-bit' if dep.eight_bit_compute else 'bf16'} peak")
    domain = dep.hardware.scaleup_chips
    if s.scaleup is None and domain and s.chips > domain:
        notes.append(f"{s.chips} chips are priced as one scale-up domain; {dep.hardware.name} has {domain} "
                     f"per domain: set scaleup={domain} to price the scale-out network")
    return notes


def compute_dtype(dep: Deployment) -> str:
    return "fp4" if dep.four_bit_compute else "8-bit" if dep.eight_bit_compute else "bf16"


def _scalar(x) -> float:
    return float(np.asarray(x).reshape(-1)[0])


def knee_columns(dep: Deployment, slo_tps: float) -> dict:
    """The three long-context knees (F154–F156) at the per-user speed target `slo_tps`: they depend on
    the deployment and the target only, not on batch or context."""
    target = knees.tpot_target_s(slo_tps)
    grid = knees.knee_batches(dep, target)  # the SLO batch per context, shared by two knees
    return {
        "capacity_knee_tokens": knees.capacity_knee_tokens(dep, target, grid),
        "input_knee_tokens": knees.input_knee_tokens(dep),
        "output_knee_tokens": knees.output_knee_tokens(dep, target, grid),
    }


def summarize_si(s: Scenario, dep: Deployment) -> dict:
    """Every output column for one scenario, with the times in seconds: `decode_step_s` for
    `decode_step_ms` and so on (SI_TIME_COLUMNS); what pages use, so nothing converts back."""
    step = decode_step(dep, s.batch, s.ctx)
    step_s = _scalar(step.time_s)
    per_step = metrics.tokens_per_step(dep)
    first = prefill(dep, s.prompt, batch=1)
    prefill_s = _scalar(first.time_s)
    request = request_cost(dep, s.prompt, s.out, s.batch)
    fit = _scalar(metrics.max_batch(dep, s.ctx))
    usd_in = metrics.PER_MILLION * request.usd_input / s.prompt
    usd_out = _scalar(metrics.cost_per_m_output_usd(dep, step_s, s.batch))
    return {
        "decode_step_s": step_s,
        "prefill_s": prefill_s,
        "tpot_s": step_s / per_step,
        "ttft_s": prefill_s,
        "tokens_per_s": s.batch * per_step / step_s,
        "tokens_per_s_per_user": per_step / step_s,
        "latency_floor_s": metrics.latency_floor_s(dep),
        "latency_floor_ctx_s": metrics.latency_floor_at_context_s(dep, s.ctx),
        "weight_bytes": dep.weight_bytes,
        "kv_bytes_per_token": dep.model.kv_bytes_per_token(dep.precision),
        "max_batch": fit,
        "fits_in_memory": bool(s.batch <= fit),
        "usd_per_m_input": usd_in,
        "usd_per_m_output": usd_out,
        "output_input_ratio": usd_out / usd_in,
        "decode_bound": str(step.bound().reshape(-1)[0]),
        "prefill_bound": str(first.bound().reshape(-1)[0]),
        "batch_knee": _scalar(metrics.batch_knee(dep, s.ctx)),
        "context_knee_tokens": metrics.context_knee_tokens(dep),
        **knee_columns(dep, s.slo_tps),
        "slo_batch": slo_batch(dep, s.ctx, knees.tpot_target_s(s.slo_tps)),
        "request_s": request.latency_s,
        "request_chip_s": request.chip_s,
        "compute_dtype": compute_dtype(dep),
        "params_total_b": dep.model.total_params / 1e9,
        "params_active_b": dep.model.matmul_params_per_token / 1e9,
        "warnings": "; ".join(scenario_warnings(s, dep, fit)),
        "tokens_per_step": per_step,
        "latency_floor_token_s": metrics.latency_floor_per_token_s(dep),
        "exposed_comms_s": _scalar(step.exposed_comms_s),
        "all_to_all_s": _scalar(step.all_to_all_s),
        "hidden_comms_s": _scalar(step.hidden_comms_s),
        "draft_s": _scalar(step.draft_s),
    }


def summarize(s: Scenario, dep: Deployment) -> dict:
    """Every output column for one scenario (see OUTPUT_COLUMNS for units and definitions)."""
    return output_row(summarize_si(s, dep))


def output_row(si_row: dict) -> dict:
    """The OUTPUT_COLUMNS of a `summarize_si` row (its seconds as the ms columns)."""
    row = si_row
    return {name: row[SI_TIME_COLUMNS[name]] * 1e3 if name in SI_TIME_COLUMNS else row[name] for name in OUTPUT_NAMES}


OP_TABLE_COLUMNS = ("op", "gflop", "weight_mb", "kv_mb", "act_mb", "intensity_flop_per_byte",
                    "compute_ms", "memory_ms", "kernel_ms", "time_ms", "bound", "kernels", "hidden_ms")


def op_rows(timing: PassTiming) -> list[dict]:
    """Per-op table of a scalar pass: FLOPs, bytes, intensity, times and bound."""
    rows = []
    for op in timing.ops:
        rows.append({
            "op": op.name,
            "gflop": _scalar(op.cost.flops) / 1e9,
            "weight_mb": _scalar(op.cost.weight_traffic_bytes) / 1e6,
            "kv_mb": _scalar(op.cost.kv_traffic_bytes) / 1e6,
            "act_mb": _scalar(op.cost.act_traffic_bytes) / 1e6,
            "intensity_flop_per_byte": _scalar(op.intensity_flop_per_byte),
            "compute_ms": _scalar(op.compute_s) * 1e3,
            "memory_ms": _scalar(op.memory_s) * 1e3,
            "kernel_ms": _scalar(op.kernel_s) * 1e3,
            "time_ms": _scalar(op.time_s) * 1e3,
            "bound": "compute" if _scalar(op.compute_bound) else "memory",
            "kernels": _scalar(op.cost.kernels),
            "hidden_ms": 0.0,
        })
    a2a_hidden = _scalar(timing.all_to_all_total_s) - _scalar(timing.all_to_all_s)
    reduce_hidden = max(_scalar(timing.hidden_comms_s) - a2a_hidden, 0.0)
    if _scalar(timing.comms_s) + reduce_hidden > 0:  # time_ms: exposed (part of the pass); hidden_ms: overlap hid it
        rows.append(_fixed_time_row("tp_allreduce", _scalar(timing.comms_s) * 1e3, "comms", reduce_hidden * 1e3))
    if _scalar(timing.all_to_all_total_s) > 0:  # its own term, even when overlap hides it
        rows.append(_fixed_time_row("ep_all_to_all", _scalar(timing.all_to_all_s) * 1e3, "comms", a2a_hidden * 1e3))
    if _scalar(timing.draft_s) > 0:
        rows.append(_fixed_time_row("spec_drafts", _scalar(timing.draft_s) * 1e3, "draft"))
    return rows


def _fixed_time_row(name: str, time_ms: float, bound: str, hidden_ms: float = 0.0) -> dict:
    """A row for time that is not an op's roofline (communication, drafts); `hidden_ms`: what overlap hid."""
    row = dict.fromkeys(OP_TABLE_COLUMNS, 0.0)
    row.update(op=name, time_ms=time_ms, bound=bound, hidden_ms=hidden_ms)
    return row
