"""What a simulated policy did: `ServingResult`, its percentiles, and the tallies the policies keep
(docs/formulas.md F46).

TTFT = first token time − arrival; TPOT = (last token − first token)/(G − 1), for G > 1; the
prefill produces the first output token. Slot occupancy = useful output tokens ÷ token slots
computed (static batching computes k·max G slots per batch, F43). KV reserved versus used are
decode-step averages, in bytes per replica. Cost = replica USD/s × the whole simulated span
(idle time included) ÷ output tokens. A run stopped by its budget (`Stop`, model.serving.budget)
gives the same numbers for the part it simulated: the span up to where it stopped, the tokens
produced by then, latencies of the requests that got that far; `truncated` says what was cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.base.units import PER_MILLION
from model.core import metrics
from model.core.deployment import Deployment
from model.serving.paged_kv import kv_bytes_per_token
from model.serving.workload import Requests


@dataclass(frozen=True)
class ServingResult:
    """What one policy did with one workload on one replica (SI units; bytes per replica)."""

    policy: str
    n_requests: int
    output_tokens: int
    makespan_s: float  # first arrival (t = 0) to last token (a truncated run: to where it stopped)
    busy_s: float  # time the replica was running passes
    output_tokens_per_s: float
    ttft_p50_s: float
    ttft_p95_s: float
    tpot_p50_s: float
    tpot_p95_s: float
    latency_p50_s: float
    latency_p95_s: float
    mean_batch: float  # sequences producing a token per decode step (mean over decode steps)
    slot_occupancy: float  # useful output tokens / token slots computed
    batch_limit: int  # most sequences the policy could run at once (max_batch and memory)
    kv_capacity_bytes: float
    kv_reserved_bytes: float  # mean over decode steps
    kv_used_bytes: float  # mean over decode steps: tokens of real requests in the cache
    kv_waste_fraction: float  # 1 − used / reserved
    kv_waste_tokens_per_seq: float  # mean (reserved − used) tokens per sequence holding KV
    kv_waste_tokens_per_seq_max: float  # the same, in the decode step where it was largest
    preemptions: int
    decode_steps: int  # one accepted token per decoding sequence each (with speculation 1/τ of a verification pass, F132)
    prefill_passes: int
    chip_s: float  # chips × makespan
    usd_per_m_output: float
    ttft_s: np.ndarray  # per request (nan where the run stopped before its first token)
    tpot_s: np.ndarray  # per request (nan where G = 1 or the run stopped before its last token)
    mean_output_tokens: float = math.nan  # E[G] of the requests drawn (all of them, finished or not)
    requests_finished: int = 0
    truncated: str = ""  # '' when every request finished, else what the budget cut (budget.Meter.note)
    work_units: int = 0  # scheduler units the run spent (workload.SIMULATOR_MAX_WORK says what counts)

    @property
    def kv_waste_bytes(self) -> float:
        """KV memory reserved but holding no token (mean over decode steps)."""
        return self.kv_reserved_bytes - self.kv_used_bytes

    def throughput_gain_over(self, other: ServingResult) -> float:
        """This result's output tokens/s ÷ `other`'s."""
        return self.output_tokens_per_s / other.output_tokens_per_s


@dataclass(frozen=True)
class Stop:
    """Where a run stopped by its budget got to."""

    note: str  # budget.Meter.note: what was cut, requests finished, the budget ('' if nothing was)
    finished: int  # requests finished
    output_tokens: int  # output tokens produced (unfinished requests' included)
    simulated_s: float  # simulated time reached


@dataclass
class Tally:
    """Accumulators shared by the policies."""

    decode_steps: int = 0
    seq_steps: float = 0.0  # Σ over decode steps of sequences producing a token
    holder_steps: float = 0.0  # Σ over decode steps of sequences holding KV cache
    reserved_token_steps: float = 0.0
    used_token_steps: float = 0.0
    waste_per_seq_max: float = 0.0
    prefill_passes: int = 0
    preemptions: int = 0
    busy_s: float = 0.0
    slots: float = 0.0  # token slots computed

    def decode(self, steps: int, seqs: float, holders: int, reserved_tokens: float, used_tokens: float) -> None:
        """`steps` decode steps with, per step on average, `seqs` sequences producing a token,
        `holders` sequences holding KV, `reserved_tokens` KV tokens held and `used_tokens` filled."""
        self.decode_steps += steps
        self.seq_steps += seqs * steps
        self.holder_steps += holders * steps
        self.reserved_token_steps += reserved_tokens * steps
        self.used_token_steps += used_tokens * steps


def percentile(values: np.ndarray, q: float) -> float:
    """The `q`-th percentile of the finite `values` (nan if there are none)."""
    values = values[np.isfinite(values)]
    return float(np.percentile(values, q)) if values.size else math.nan


def serving_result(policy: str, dep: Deployment, req: Requests, first: np.ndarray, finish: np.ndarray,
                   tally: Tally, batch_limit: int, capacity_tokens: float, stop: Stop | None = None,
                   work_units: int = 0) -> ServingResult:
    """The result of a run: per-request first and last token times (s, nan where not reached), the
    policy's tally, `stop` when the budget cut the run short, and the work it spent."""
    out = req.output_tokens
    ttft = first - req.arrival_s
    with np.errstate(invalid="ignore", divide="ignore"):
        tpot = np.where(out > 1, (finish - first) / np.maximum(out - 1, 1), np.nan)
    latency = finish - req.arrival_s
    makespan = stop.simulated_s if stop else float(finish.max())
    total_out = stop.output_tokens if stop else int(out.sum())
    makespan = makespan if makespan > 0 else math.nan  # nothing simulated: rates are undefined, not infinite
    per_out = total_out if total_out else math.nan
    steps = max(tally.decode_steps, 1)
    kv_tok = kv_bytes_per_token(dep)
    reserved = tally.reserved_token_steps
    return ServingResult(
        policy=policy,
        n_requests=int(out.size),
        output_tokens=total_out,
        makespan_s=makespan,
        busy_s=tally.busy_s,
        output_tokens_per_s=total_out / makespan,
        ttft_p50_s=percentile(ttft, 50),
        ttft_p95_s=percentile(ttft, 95),
        tpot_p50_s=percentile(tpot, 50),
        tpot_p95_s=percentile(tpot, 95),
        latency_p50_s=percentile(latency, 50),
        latency_p95_s=percentile(latency, 95),
        mean_batch=tally.seq_steps / steps,
        slot_occupancy=total_out / tally.slots if tally.slots else 1.0,
        batch_limit=int(batch_limit),
        kv_capacity_bytes=capacity_tokens * kv_tok,
        kv_reserved_bytes=reserved / steps * kv_tok,
        kv_used_bytes=tally.used_token_steps / steps * kv_tok,
        kv_waste_fraction=1.0 - tally.used_token_steps / reserved if reserved else 0.0,
        kv_waste_tokens_per_seq=(reserved - tally.used_token_steps) / max(tally.holder_steps, 1.0),
        kv_waste_tokens_per_seq_max=tally.waste_per_seq_max,
        preemptions=tally.preemptions,
        decode_steps=tally.decode_steps,
        prefill_passes=tally.prefill_passes,
        chip_s=dep.chips * makespan,
        usd_per_m_output=PER_MILLION * metrics.replica_usd_per_s(dep) * makespan / per_out,
        ttft_s=ttft,
        tpot_s=tpot,
        mean_output_tokens=float(out.mean()),
        requests_finished=stop.finished if stop else int(out.size),
        truncated=stop.note if stop else "",
        work_units=work_units,
    )


def fastest(results: dict[str, ServingResult]) -> ServingResult:
    """The result with the most output tokens/s."""
    return max(results.values(), key=lambda r: r.output_tokens_per_s)


def ecdf(values: np.ndarray, points: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(sorted values, fraction of values ≤ each) for the finite `values`, at most `points` of them."""
    finite = np.sort(np.asarray(values, dtype=float)[np.isfinite(values)])
    if finite.size == 0:
        return finite, finite
    fraction = np.arange(1, finite.size + 1) / finite.size
    if finite.size > points:
        keep = np.unique(np.linspace(0, finite.size - 1, points).round().astype(int))
        finite, fraction = finite[keep], fraction[keep]
    return finite, fraction
