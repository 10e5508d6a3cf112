"""Every output column for many scenarios that share one deployment, evaluated as arrays.

What `predict` runs for a CSV: rows that differ only in `batch`, `ctx`, `prompt` and `out` share a
`Deployment`, so their columns come from one call of each roofline function over arrays instead of
one call per row. The definitions are those of `summary.summarize_si` (README "Output columns"),
computed by the same functions; the columns that depend on the deployment alone are computed once
(`DeploymentColumns`). A request's decode run is sampled exactly as `metrics.decode_run` samples it
(min(out, DECODE_SAMPLES) evenly spaced contexts from `prompt` to `prompt` + `out` − 1); runs and
contexts that repeat are evaluated once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.units import PER_MILLION
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import decode_step, prefill
from model.pricing import knees
from model.pricing.slo import slo_batches
from model.report.summary import OUTPUT_NAMES, SI_TIME_COLUMNS, compute_dtype, knee_columns, scenario_warnings
from model.schema.scenario import Scenario

RUNS_PER_CALL = 1024  # distinct decode runs per decode-step call (x DECODE_SAMPLES contexts)
KNEES_PER_CALL = 256  # distinct contexts per batch-knee call (x the knee's batch grid)


@dataclass(frozen=True)
class DeploymentColumns:
    """The output columns (SI) that depend on the deployment only, and what the rows reuse."""

    values: dict
    floor_weight_bytes: float
    usd_per_s: float
    target_tpot_s: float | None  # the per-user speed target `slo_tps` as a TPOT (None: none)


def deployment_columns(dep: Deployment, slo_tps: float) -> DeploymentColumns:
    """The deployment-only columns of rows sharing `dep` and the speed target `slo_tps`."""
    values = {
        "latency_floor_s": metrics.latency_floor_s(dep),
        "weight_bytes": dep.weight_bytes,
        "kv_bytes_per_token": dep.model.kv_bytes_per_token(dep.precision),
        "context_knee_tokens": metrics.context_knee_tokens(dep),
        **knee_columns(dep, slo_tps),
        "compute_dtype": compute_dtype(dep),
        "tokens_per_step": metrics.tokens_per_step(dep),
        "latency_floor_token_s": metrics.latency_floor_per_token_s(dep),
        "params_total_b": dep.model.total_params / 1e9,
        "params_active_b": dep.model.matmul_params_per_token / 1e9,
    }
    return DeploymentColumns(values, metrics.floor_weight_bytes(dep), metrics.replica_usd_per_s(dep),
                             knees.tpot_target_s(slo_tps))


def decode_run_s(dep: Deployment, batch: np.ndarray, prompt: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Seconds of each row's decode run: `out` steps at `batch` from context `prompt`, sampled at
    min(out, DECODE_SAMPLES) contexts as `metrics.decode_run` does (each standing for out/count steps)."""
    runs, inverse = np.unique(np.stack([batch, prompt, out], axis=1), axis=0, return_inverse=True)
    totals = np.empty(len(runs))
    samples = np.arange(metrics.DECODE_SAMPLES, dtype=float)
    for start in range(0, len(runs), RUNS_PER_CALL):
        b, p, n = (runs[start:start + RUNS_PER_CALL, i].astype(float) for i in range(3))
        count = np.minimum(n, metrics.DECODE_SAMPLES)
        spacing = np.divide(n - 1, count - 1, out=np.zeros_like(n), where=count > 1)
        contexts = p[:, None] + samples[None, :] * spacing[:, None]
        valid = samples[None, :] < count[:, None]
        last = (count - 1).astype(int)
        contexts[np.arange(len(p)), last] = p + n - 1  # linspace's end point, exactly
        contexts = np.where(valid, contexts, p[:, None])
        step_s = np.broadcast_to(decode_step(dep, b[:, None], contexts).time_s, contexts.shape)
        totals[start:start + RUNS_PER_CALL] = (np.where(valid, step_s, 0.0) * (n / count)[:, None]).sum(axis=1)
    return totals[inverse.reshape(-1)]


def batch_knees(dep: Deployment, ctx: np.ndarray) -> np.ndarray:
    """`metrics.batch_knee` at each row's context, each distinct context evaluated once."""
    contexts, inverse = np.unique(ctx, return_inverse=True)
    knees = np.concatenate([metrics.batch_knee(dep, contexts[i:i + KNEES_PER_CALL])
                            for i in range(0, len(contexts), KNEES_PER_CALL)])
    return knees[inverse.reshape(-1)]


def slo_batch_column(dep: Deployment, ctx: np.ndarray, target_tpot_s: float | None) -> np.ndarray:
    """`slo.slo_batch` at each row's context (one vectorised search over the distinct contexts), as ints."""
    contexts, inverse = np.unique(ctx, return_inverse=True)
    batches = np.array([int(b) for b in slo_batches(dep, contexts, target_tpot_s)], dtype=object)
    return batches[inverse.reshape(-1)]  # Python ints, as the one-row path gives


def summarize_arrays(dep: Deployment, batch, ctx, prompt, out, shared: DeploymentColumns) -> dict:
    """The columns of `summary.summarize_si` except `warnings`, one array entry per row (SI)."""
    batch, ctx, prompt, out = (np.asarray(a, dtype=np.int64).reshape(-1) for a in (batch, ctx, prompt, out))
    step = decode_step(dep, batch, ctx)
    step_s = np.broadcast_to(step.time_s, batch.shape)
    per_step = metrics.tokens_per_step(dep)
    first = prefill(dep, prompt, batch=1)
    prefill_s = np.broadcast_to(first.time_s, batch.shape)
    batched_prefill_s = np.broadcast_to(prefill(dep, prompt, batch=batch).time_s, batch.shape)
    tpot_run_s = decode_run_s(dep, batch, prompt, out) / out / per_step  # as request_cost's tpot_s
    fit = metrics.max_batch(dep, ctx)
    usd_in = PER_MILLION * (shared.usd_per_s * batched_prefill_s / batch) / prompt
    usd_out = metrics.cost_per_m_output_usd(dep, step_s, batch)
    floor_kv = metrics.kv_bytes_per_sequence(dep, ctx) * dep.kv_replication  # as metrics.floor_kv_bytes
    n = batch.shape
    return {
        "decode_step_s": step_s,
        "prefill_s": prefill_s,
        "tpot_s": step_s / per_step,
        "ttft_s": prefill_s,
        "tokens_per_s": batch * per_step / step_s,
        "tokens_per_s_per_user": per_step / step_s,
        "latency_floor_ctx_s": (shared.floor_weight_bytes + floor_kv) / dep.hbm_bytes_per_s,
        "max_batch": fit,
        "fits_in_memory": batch <= fit,
        "usd_per_m_input": usd_in,
        "usd_per_m_output": usd_out,
        "output_input_ratio": usd_out / usd_in,
        "decode_bound": np.broadcast_to(step.bound(), n),
        "prefill_bound": np.broadcast_to(first.bound(), n),
        "batch_knee": batch_knees(dep, ctx),
        "slo_batch": slo_batch_column(dep, ctx, shared.target_tpot_s),
        "request_s": prefill_s + out * tpot_run_s,
        "request_chip_s": dep.chips * (batched_prefill_s + out * tpot_run_s) / batch,
        "exposed_comms_s": np.broadcast_to(step.exposed_comms_s, n),
        "all_to_all_s": np.broadcast_to(np.asarray(step.all_to_all_s, dtype=float), n),
        "hidden_comms_s": np.broadcast_to(np.asarray(step.hidden_comms_s, dtype=float), n),
        "draft_s": np.broadcast_to(np.asarray(step.draft_s, dtype=float), n),
        **{k: np.full(n, v, dtype=object if isinstance(v, str) else float) for k, v in shared.values.items()},
    }


WORKLOAD_KEYS = ("batch", "ctx", "prompt", "out")  # what differs between the rows of one deployment


def with_workload(base: Scenario, workload: tuple) -> Scenario:
    """`base.replace(batch=, ctx=, prompt=, out=)`: a copy of the frozen scenario with those four fields
    set, made without re-running the 29-field __init__ (10x faster; Scenario has no __post_init__)."""
    scenario = object.__new__(Scenario)
    scenario.__dict__.update(base.__dict__)
    scenario.__dict__.update(zip(WORKLOAD_KEYS, workload))
    return scenario


def summarize_columns(base: Scenario, dep: Deployment, workloads: list[tuple[int, int, int, int]],
                      shared: DeploymentColumns | None = None) -> dict[str, list]:
    """Every output column (OUTPUT_NAMES, with units as `summary.summarize`) as a list with one value
    per workload, for scenarios `base` with (batch, ctx, prompt, out) = each workload."""
    shared = shared or deployment_columns(dep, base.slo_tps)
    si = summarize_arrays(dep, *np.asarray(workloads, dtype=np.int64).reshape(-1, 4).T, shared=shared)
    columns = {name: (np.asarray(si[SI_TIME_COLUMNS[name]]) * 1e3 if name in SI_TIME_COLUMNS
                      else np.asarray(si[name])).tolist() for name in OUTPUT_NAMES if name != "warnings"}
    seen: dict[tuple, str] = {}
    warnings = []
    for workload, fit in zip(workloads, columns["max_batch"]):
        key = (*workload, fit)
        if key not in seen:
            seen[key] = "; ".join(scenario_warnings(with_workload(base, workload), dep, fit))
        warnings.append(seen[key])
    columns["warnings"] = warnings
    return {name: columns[name] for name in OUTPUT_NAMES}


def summarize_workloads(base: Scenario, dep: Deployment, workloads: list[tuple[int, int, int, int]],
                        shared: DeploymentColumns | None = None) -> list[dict]:
    """`summary.summarize(s, dep)` for each s = `base` with (batch, ctx, prompt, out) = a workload."""
    columns = summarize_columns(base, dep, workloads, shared)
    return [dict(zip(columns, cells)) for cells in zip(*columns.values())]
