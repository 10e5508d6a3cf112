"""Prefill/decode disaggregation versus colocated serving (docs/formulas.md F47–F53).

Steady state at a request rate λ (requests/s) of prompts of P tokens and outputs of G tokens.
T_pf = prefill time of `prefill_batch` prompts on a prefill replica (`roofline.prefill`);
t̄(B) = mean decode step of B sequences as their context grows from P to P + G − 1
(`metrics.mean_decode_step_s`); with speculative decoding each step yields τ tokens per sequence
(F125), so a request needs G/τ steps and TPOT = t̄/τ (expected values, docs/formulas.md F133).

Disaggregated: a prefill pool of n_p replicas and a decode pool of n_d replicas.
    n_p = λ·T_pf / (b_p·u_max)       (prefill utilisation ρ_p = λ·T_pf/(b_p·n_p) ≤ u_max)
    n_d = λ·G·t̄(B) / (τ·B)          (a decode replica at batch B finishes τ·B/(G·t̄) requests/s)
so the balanced pools satisfy [Austin 2025] Part 8's (docs/formulas.md F49) Pn/T_prefill = B·Gn/(t_step·G_len) (with b_p = 1 and
u_max = 1). Pools are rounded up to whole replicas; the batch then in flight per decode replica
is B_eff = (λ/n_d)·G·t̄(B_eff)/τ (Little's law). The KV cache of each prompt crosses to the decode
pool in P·k_tok / link bandwidth.
    TTFT = T_pf + W_MD1(ρ_p, T_pf) + (b_p − 1)/(2·λ/n_p) + P·k_tok/link,   TPOT = t̄(B_eff)/τ

Colocated: n_c replicas each prefill their share of prompts between decode steps (decodes stall
during a prefill, vLLM's default). A replica spends f_p = (λ/n_c)·T_pf(1 prompt) of its time
prefilling, so decode progresses only in the remaining 1 − f_p:
    n_c = λ·(T_pf + G·t̄(B)/(τ·B))   (rounded up: prefill plus decode time per request ≤ 1 s/s)
    TPOT = t̄(B_eff)/(τ·(1 − f_p)),   B_eff = (λ/n_c)·G·TPOT,   TTFT = T_pf + W_MD1(f_p, T_pf) + t̄/2
(the last term waits for the decode step in flight).

W_MD1(ρ, S) = ρ·S / (2(1 − ρ)) is the mean wait of an M/D/1 queue (Poisson arrivals, fixed
service S). Costs: fleet USD/s = Σ replicas · chips · USD/chip-hour / 3600, per 1M input tokens
(prefill share of the fleet), per 1M output tokens (decode share) and per 1M tokens of both.
Disaggregation's published gains (DistServe 4.48× rate or 10.2× tighter SLO, Splitwise 1.4×
throughput at 20% lower cost) come from meeting TTFT and TPOT targets at once; this module gives
the two latencies and costs at a chosen batch, not an SLO search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.base.fields import FieldError, check_float, check_int
from model.base.limits import MAX_BATCH, MAX_OUTPUT_TOKENS, MAX_TOKENS
from model.base.units import PER_MILLION
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import prefill
from model.disaggregation.links import kv_bytes, kv_transfer_s

MAX_RATE_PER_S = 1e6
DEFAULT_MAX_UTILIZATION = 0.8
_BISECTIONS = 50


@dataclass(frozen=True)
class ServingPlan:
    """One way of serving the workload: pool sizes, latencies (s) and costs (USD)."""

    name: str  # "colocated" or "disaggregated"
    prefill_replicas: int  # 0 when colocated
    decode_replicas: int  # colocated: the replicas doing both
    chips: int
    prefill_replicas_exact: float  # before rounding up (colocated: 0)
    decode_replicas_exact: float
    decode_batch: float  # sequences in flight per decode replica (B_eff)
    prefill_utilization: float  # colocated: f_p, the time share spent prefilling
    ttft_s: float
    tpot_s: float
    kv_transfer_s: float
    usd_per_s: float
    usd_per_m_input: float
    usd_per_m_output: float
    usd_per_m_tokens: float
    prefill_s: float  # T_pf: one prefill pass (prefill_batch prompts; colocated: one prompt)
    sized_step_s: float  # t̄(B): mean decode step at the asked decode_batch, which sizes the pools
    decode_step_s: float  # t̄(B_eff): mean decode step in flight, stalls behind prefills excluded
    kv_bytes: float  # KV cache of one prompt sent to the decode pool (colocated: 0)

    def request_latency_s(self, output_tokens: int) -> float:
        """Mean time from arrival to the last of `output_tokens` tokens: ttft + G·tpot."""
        return self.ttft_s + output_tokens * self.tpot_s


@dataclass(frozen=True)
class _Workload:
    prompt: int
    out: int
    rate: float
    batch: int


def _workload(prompt_tokens, output_tokens, rate_per_s, decode_batch) -> _Workload:
    return _Workload(
        check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens"),
        check_int("output_tokens", output_tokens, 1, MAX_OUTPUT_TOKENS, "tokens"),
        check_float("rate_per_s", rate_per_s, 0, MAX_RATE_PER_S, "requests/s", lo_open=True),
        check_int("decode_batch", decode_batch, 1, MAX_BATCH, "sequences"),
    )


def md1_wait_s(utilization: float, service_s: float) -> float:
    """Mean queueing wait of an M/D/1 queue: ρ·S/(2(1 − ρ)); inf at ρ ≥ 1."""
    if utilization >= 1:
        return math.inf
    return utilization * service_s / (2 * (1 - utilization))


def _check_fits(dep: Deployment, w: _Workload, role: str) -> None:
    fits = int(metrics.max_batch(dep, w.prompt + w.out))
    if w.batch > fits:
        raise FieldError("decode_batch", "cross_field", f"{w.batch} sequences at context {w.prompt + w.out} do not fit on the "
                         f"{role} replica ({dep.chips} × {dep.hardware.name}); at most {fits}")


def _batch_in_flight(dep: Deployment, w: _Workload, requests_per_s: float, stall_share: float) -> float:
    """B_eff solving B = r·G·t̄(B)/(1 − stall) on (0, B] (bisection; the sizing makes a root exist)."""
    tau = metrics.tokens_per_step(dep)

    def excess(batch: float) -> float:
        step = metrics.mean_decode_step_s(dep, batch, w.prompt, w.out)
        return requests_per_s * w.out * step / tau / (1 - stall_share) - batch

    lo, hi = 0.0, float(w.batch)
    if excess(hi) >= 0:
        return hi
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
    return hi


def _cost(plans: list[tuple[Deployment, int]], w: _Workload, prefill_share_usd: float) -> dict:
    usd_per_s = sum(metrics.replica_usd_per_s(dep) * n for dep, n in plans)
    per_m = PER_MILLION
    return dict(
        usd_per_s=usd_per_s,
        usd_per_m_input=per_m * prefill_share_usd / (w.rate * w.prompt),
        usd_per_m_output=per_m * (usd_per_s - prefill_share_usd) / (w.rate * w.out),
        usd_per_m_tokens=per_m * usd_per_s / (w.rate * (w.prompt + w.out)),
    )


def disaggregated(prefill_dep: Deployment, decode_dep: Deployment, prompt_tokens: int, output_tokens: int,
                  rate_per_s: float, decode_batch: int, prefill_batch: int = 1,
                  link_bytes_per_s: float | None = None,
                  max_utilization: float = DEFAULT_MAX_UTILIZATION) -> ServingPlan:
    """Separate prefill and decode pools sized for `rate_per_s` (module docstring)."""
    w = _workload(prompt_tokens, output_tokens, rate_per_s, decode_batch)
    b_p = check_int("prefill_batch", prefill_batch, 1, 4096, "prompts")
    u_max = check_float("max_utilization", max_utilization, 0.05, 0.99)
    _check_fits(decode_dep, w, "decode")
    prefill_s = float(prefill(prefill_dep, w.prompt, batch=b_p).time_s)
    step_s = metrics.mean_decode_step_s(decode_dep, w.batch, w.prompt, w.out)
    n_p_exact = w.rate * prefill_s / b_p
    n_d_exact = w.rate * w.out * step_s / (w.batch * metrics.tokens_per_step(decode_dep))
    n_p = max(1, math.ceil(n_p_exact / u_max - 1e-9))
    n_d = max(1, math.ceil(n_d_exact - 1e-9))
    rho = n_p_exact / n_p
    batching_wait_s = (b_p - 1) / (2 * w.rate / n_p)
    transfer_s = kv_transfer_s(prefill_dep, decode_dep, w.prompt, link_bytes_per_s)
    batch = _batch_in_flight(decode_dep, w, w.rate / n_d, 0.0)
    in_flight_step_s = metrics.mean_decode_step_s(decode_dep, batch, w.prompt, w.out)
    prefill_usd = metrics.replica_usd_per_s(prefill_dep) * n_p
    return ServingPlan(
        name="disaggregated",
        prefill_replicas=n_p,
        decode_replicas=n_d,
        chips=n_p * prefill_dep.chips + n_d * decode_dep.chips,
        prefill_replicas_exact=n_p_exact,
        decode_replicas_exact=n_d_exact,
        decode_batch=batch,
        prefill_utilization=rho,
        ttft_s=prefill_s + md1_wait_s(rho, prefill_s) + batching_wait_s + transfer_s,
        tpot_s=in_flight_step_s / metrics.tokens_per_step(decode_dep),
        kv_transfer_s=transfer_s,
        **_cost([(prefill_dep, n_p), (decode_dep, n_d)], w, prefill_usd),
        prefill_s=prefill_s,
        sized_step_s=step_s,
        decode_step_s=in_flight_step_s,
        kv_bytes=kv_bytes(prefill_dep, w.prompt),
    )


def colocated(dep: Deployment, prompt_tokens: int, output_tokens: int, rate_per_s: float,
              decode_batch: int) -> ServingPlan:
    """Replicas that interleave prefills with decode steps, sized for `rate_per_s` (module docstring)."""
    w = _workload(prompt_tokens, output_tokens, rate_per_s, decode_batch)
    _check_fits(dep, w, "colocated")
    prefill_s = float(prefill(dep, w.prompt).time_s)
    step_s = metrics.mean_decode_step_s(dep, w.batch, w.prompt, w.out)
    tau = metrics.tokens_per_step(dep)
    n_exact = w.rate * (prefill_s + w.out * step_s / (w.batch * tau))
    n = max(1, math.ceil(n_exact - 1e-9))
    share = w.rate / n * prefill_s  # f_p
    batch = _batch_in_flight(dep, w, w.rate / n, share)
    in_flight_step_s = metrics.mean_decode_step_s(dep, batch, w.prompt, w.out)
    tpot_s = in_flight_step_s / tau / (1 - share)
    usd_per_s = metrics.replica_usd_per_s(dep) * n
    return ServingPlan(
        name="colocated",
        prefill_replicas=0,
        decode_replicas=n,
        chips=n * dep.chips,
        prefill_replicas_exact=0.0,
        decode_replicas_exact=n_exact,
        decode_batch=batch,
        prefill_utilization=share,
        ttft_s=prefill_s + md1_wait_s(share, prefill_s) + step_s / 2,
        tpot_s=tpot_s,
        kv_transfer_s=0.0,
        **_cost([(dep, n)], w, usd_per_s * share),
        prefill_s=prefill_s,
        sized_step_s=step_s,
        decode_step_s=in_flight_step_s,
        kv_bytes=0.0,
    )


def compare(prefill_dep: Deployment, decode_dep: Deployment, prompt_tokens: int, output_tokens: int,
            rate_per_s: float, decode_batch: int, colocated_dep: Deployment | None = None,
            **disaggregated_options) -> dict[str, ServingPlan]:
    """Both plans for one workload; colocated runs on `colocated_dep` (default: the decode deployment)."""
    return {
        "colocated": colocated(colocated_dep or decode_dep, prompt_tokens, output_tokens, rate_per_s, decode_batch),
        "disaggregated": disaggregated(prefill_dep, decode_dep, prompt_tokens, output_tokens, rate_per_s,
                                       decode_batch, **disaggregated_options),
    }


def ttft_parts(plan: ServingPlan) -> dict[str, float]:
    """TTFT (s) as prefill + queueing for a prefill slot + KV transfer + waiting for the decode step in flight.

    The last term is what is left (colocated: half a decode step; disaggregated: the wait to fill a
    prefill batch, 0 at batch 1).
    """
    queue = md1_wait_s(plan.prefill_utilization, plan.prefill_s)
    parts = {"prefill": plan.prefill_s, "queueing": queue, "kv_transfer": plan.kv_transfer_s}
    parts["decode_step_in_flight"] = max(plan.ttft_s - sum(parts.values()), 0.0)
    return parts


def tpot_parts(plan: ServingPlan) -> dict[str, float]:
    """TPOT (s) as the decode step itself + the stall behind prefills (colocated: TPOT · f_p; else 0)."""
    stall = plan.tpot_s * plan.prefill_utilization if plan.name == "colocated" else 0.0
    return {"decode_step": plan.tpot_s - stall, "prefill_stall": stall}
