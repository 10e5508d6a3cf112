"""What the serving-choice views compute around model/serving.py and model/disaggregation.py.

Continuous batching (FORMULAS.md sections 11-12):

- `length_dist(kind, mean)`: the page's (distribution, mean) pair as a `serving.LengthDist`:
  fixed; uniform on [1, 2·mean − 1] (FORMULAS' "uniform G on [1, G_max]"); exponential with that
  mean, capped at min(8·mean, the simulator's limit).
- `slot_gain(dist, B)`: E[max_{i≤B} G_i] / E[G], the throughput a static batch of B gives up by
  running until its longest request ends, computed exactly for the drawn integer distribution
  (E[X] = Σ_{k≥0} P(X > k) and P(max ≤ k) = F(k)^B). Closed forms: `harmonic(B)` = H_B for
  (uncapped) exponential G, `uniform_gain(B)` = 2B/(B+1) for uniform G on [1, G_max].
- `run_policies(dep, workload, max_batch)`: every policy of `serving.simulate` on one workload; a
  policy the simulator refuses (ValueError) is reported by message instead of failing the others.
- `ecdf(values)`: a downsampled empirical CDF for drawing distributions of TTFT and TPOT.

Disaggregation (FORMULAS.md section 13):

- `prefill_deployment(...)`: the sidebar's scenario on other prefill hardware or chip count;
  `check_holds(dep, tokens)`: the weights and one sequence fit (disaggregation checks only the decode side).
- `plan_sweep(...)`: `disaggregation.compare` over `sweep_values` (request rates or prompt lengths).
- `KV_LINKS`: links that carry the KV cache from a prefill to a decode replica.
- `ttft_parts(plan, prefill_s)`, `tpot_parts(plan)`: each latency split into its terms
  (prefill, queueing, KV transfer, the decode step in flight; decode step, stall behind prefills).

Units: seconds, tokens, requests/s, USD, bytes/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.base.fields import FieldError, check_float, check_int
from model.core import metrics
from model.core.deployment import Deployment
from model.disaggregation import plan as disaggregation
from model.schema.resolve import resolve
from model.schema.scenario import Scenario
from model.serving import simulate as serving

LENGTH_KINDS = serving.LENGTH_KINDS
SAME = "same"  # prefill on the sidebar's hardware / chip count


# --- continuous batching -----------------------------------------------------------------------


def length_dist(kind: str, mean_tokens: int, limit_tokens: int) -> serving.LengthDist:
    """`kind` ('fixed', 'uniform', 'exponential') lengths of mean `mean_tokens`, never above `limit_tokens`."""
    if kind not in LENGTH_KINDS:
        raise ValueError(f"kind: must be one of {', '.join(LENGTH_KINDS)}; got {kind!r}")
    top = limit_tokens if kind == "fixed" else (limit_tokens + 1) // 2
    mean = check_int("mean_tokens", mean_tokens, 1, top, "tokens")
    if kind == "fixed":
        return serving.LengthDist.fixed(mean)
    if kind == "uniform":
        return serving.LengthDist.uniform(1, 2 * mean - 1)
    return serving.LengthDist.exponential(mean, min(int(math.ceil(serving.EXPONENTIAL_CAP * mean)), limit_tokens))


def _cdf(dist: serving.LengthDist) -> np.ndarray:
    """P(G ≤ k) for k = 0 … high_tokens."""
    k = np.arange(dist.high_tokens + 1, dtype=float)
    if dist.kind == "fixed":
        return (k >= dist.low_tokens).astype(float)
    if dist.kind == "uniform":
        return np.clip((k - dist.low_tokens + 1) / (dist.high_tokens - dist.low_tokens + 1), 0.0, 1.0)
    theta = max(dist.mean_tokens - 0.5, 1e-9)  # G = clip(ceil(Exp(θ)), 1, cap), as LengthDist.sample draws it
    cdf = np.where(k >= 1, -np.expm1(-k / theta), 0.0)
    cdf[-1] = 1.0
    return cdf


def slot_gain(dist: serving.LengthDist, batch: int) -> float:
    """E[max of `batch` iid draws] / E[draw]: static batching's idle-slot factor (FORMULAS.md section 12)."""
    batch = check_int("batch", batch, 1, serving.MAX_BATCH, "sequences")
    cdf = _cdf(dist)[:-1]  # P(G > k) = 1 − F(k) for k = 0 … high − 1
    return float(np.sum(1.0 - cdf**batch) / np.sum(1.0 - cdf))


def harmonic(batch: int) -> float:
    """H_B = 1 + 1/2 + … + 1/B: E[max]/E[G] for B exponential draws."""
    return float(np.sum(1.0 / np.arange(1, batch + 1)))


def uniform_gain(batch: int) -> float:
    """2B/(B + 1): E[max]/E[G] for B uniform draws on [1, G_max], large G_max."""
    return 2 * batch / (batch + 1)


def run_policies(dep: Deployment, workload: serving.Workload, max_batch: int,
                 policies: tuple[str, ...] = serving.POLICIES) -> tuple[dict, dict]:
    """(results by policy, refusal message by policy) for one workload on one replica."""
    results, refused = {}, {}
    for policy in policies:
        try:
            results[policy] = serving.simulate(dep, workload, policy, max_batch)
        except ValueError as exc:
            refused[policy] = str(exc)
    return results, refused


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


# --- disaggregation ----------------------------------------------------------------------------


def prefill_deployment(scenario: Scenario, catalog, hw: str, chips: int, calibration=None) -> Deployment:
    """The sidebar's scenario with prefill hardware `hw` ('same' keeps it) and `chips` (0 keeps them).

    Other hardware takes its own preset price and efficiencies (or the calibration's), not the
    sidebar's overrides, which describe the sidebar's chip.
    """
    changes = {}
    if hw != SAME and hw != scenario.hw:
        if hw not in catalog.hardware:
            raise FieldError("hw", "unknown_id", f"must be one of {SAME}, {', '.join(catalog.hardware)}; got {hw!r}")
        changes.update(hw=hw, price=None, mfu=None, mbu=None)
    if chips:
        changes["chips"] = check_int("chips", chips, 1, 1024, "chips")
    return resolve(scenario.replace(**changes), catalog, calibration)


def check_holds(dep: Deployment, tokens: int, field: str = "chips") -> None:
    """FieldError (a ValueError) naming `field` unless the weights and one sequence of `tokens` fit on the replica."""
    if metrics.max_batch(dep, tokens) < 1:
        raise FieldError(field, "cross_field", f"the weights and one {tokens:,}-token sequence do not fit on {dep.chips} x "
                         f"{dep.hardware.name} ({dep.chips * dep.hardware.hbm_bytes / 1e9:,.0f} GB of HBM); add chips")


SWEEP_FIELDS = ("ttft_s", "tpot_s", "usd_per_m_tokens", "chips", "decode_batch")


@dataclass(frozen=True)
class PlanSweep:
    """`disaggregation.compare` along one axis; nan where the plan is refused (e.g. the batch does not fit)."""

    axis: str  # "rate_per_s" or "prompt_tokens"
    values: np.ndarray
    colocated: dict[str, np.ndarray]  # SWEEP_FIELDS -> array
    disaggregated: dict[str, np.ndarray]
    refused: tuple[str, ...]  # distinct refusal messages


def sweep_values(axis: str, rate_per_s: float, prompt_tokens: int, max_prompt_tokens: int) -> np.ndarray:
    """The grid a sweep runs over: the current value × 2^k (rate k = −6…6; prompt k = −5…4, within 16 … max)."""
    if axis == "rate_per_s":
        return rate_per_s * 2.0 ** np.arange(-6, 7)
    if axis == "prompt_tokens":
        grid = np.round(prompt_tokens * 2.0 ** np.arange(-5, 5))
        grid = np.unique(np.concatenate([grid[(grid >= 16) & (grid <= max_prompt_tokens)], [prompt_tokens]]))
        return grid.astype(np.int64)
    raise ValueError(f"axis: must be rate_per_s or prompt_tokens; got {axis!r}")


def plan_sweep(prefill_dep: Deployment, decode_dep: Deployment, prompt_tokens: int, output_tokens: int,
               rate_per_s: float, decode_batch: int, axis: str, values, **options) -> PlanSweep:
    """Both plans at each value of `axis` ('rate_per_s' or 'prompt_tokens'), the other inputs fixed."""
    values = np.asarray(values)
    out = {name: {f: np.full(values.size, np.nan) for f in SWEEP_FIELDS} for name in ("colocated", "disaggregated")}
    refused: list[str] = []
    for i, value in enumerate(values.tolist()):
        args = dict(prompt_tokens=prompt_tokens, rate_per_s=rate_per_s)
        args[axis] = value
        try:
            if axis == "prompt_tokens":
                check_holds(prefill_dep, int(value))
            plans = disaggregation.compare(prefill_dep, decode_dep, args["prompt_tokens"], output_tokens,
                                           args["rate_per_s"], decode_batch, **options)
        except ValueError as exc:
            refused.append(str(exc))
            continue
        for name, plan in plans.items():
            for f in SWEEP_FIELDS:
                out[name][f][i] = getattr(plan, f)
    return PlanSweep(axis, values, out["colocated"], out["disaggregated"], tuple(dict.fromkeys(refused)))


def ttft_parts(plan: disaggregation.ServingPlan, prefill_s: float) -> dict[str, float]:
    """TTFT (s) as prefill + queueing for a prefill slot + KV transfer + waiting for the decode step in flight.

    `prefill_s` is the plan's prefill time of one prompt; the last term is what is left (colocated:
    half a decode step; disaggregated: the wait to fill a prefill batch, 0 at batch 1).
    """
    check_float("prefill_s", prefill_s, 0, math.inf, "s", lo_open=True)
    queue = disaggregation.md1_wait_s(plan.prefill_utilization, prefill_s)
    parts = {"prefill": prefill_s, "queueing": queue, "kv_transfer": plan.kv_transfer_s}
    parts["decode_step_in_flight"] = max(plan.ttft_s - sum(parts.values()), 0.0)
    return parts


def tpot_parts(plan: disaggregation.ServingPlan) -> dict[str, float]:
    """TPOT (s) as the decode step itself + the stall behind prefills (colocated: TPOT · f_p; else 0)."""
    stall = plan.tpot_s * plan.prefill_utilization if plan.name == "colocated" else 0.0
    return {"decode_step": plan.tpot_s - stall, "prefill_stall": stall}



# KV-cache links between a prefill and a decode replica: bytes/s (None: the scale-up link, both pools in
# one NVLink/ICI domain, disaggregation.kv_transfer_s's default) and a label.
KV_LINKS = {
    "scale-up": (None, "scale-up (NVLink/ICI)"),
    "8x400g": (400e9, "8 x 400 Gb/s NICs"),
    "400g": (50e9, "1 x 400 Gb/s NIC"),
    "100g": (12.5e9, "1 x 100 Gb/s NIC"),
}
