"""Both plans along one axis (request rate or prompt length), the other inputs fixed.

`sweep_values` is the grid (the current value × 2^k); `plan_sweep` runs `plan.compare` at each
point and leaves nan where a plan is refused (e.g. the batch does not fit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.core.deployment import Deployment
from model.disaggregation.plan import compare
from model.disaggregation.replicas import check_holds

SWEEP_FIELDS = ("ttft_s", "tpot_s", "usd_per_m_tokens", "chips", "decode_batch")


@dataclass(frozen=True)
class PlanSweep:
    """`plan.compare` along one axis; nan where the plan is refused (e.g. the batch does not fit)."""

    axis: str  # "rate_per_s" or "prompt_tokens"
    values: np.ndarray
    colocated: dict[str, np.ndarray]  # SWEEP_FIELDS -> array
    disaggregated: dict[str, np.ndarray]
    refused: tuple[str, ...]  # distinct refusal messages

    def tpot_lower_disaggregated(self) -> tuple[int, int]:
        """(points where disaggregated TPOT ≤ colocated TPOT, points where disaggregation is served)."""
        lower = int(np.sum(self.disaggregated["tpot_s"] <= self.colocated["tpot_s"]))
        return lower, int(np.sum(np.isfinite(self.disaggregated["tpot_s"])))


def longest_prompt(dep: Deployment, output_tokens: int) -> int:
    """The longest prompt that leaves room for `output_tokens` in the model's context window."""
    return dep.model.max_context - output_tokens


def sweep_values(axis: str, rate_per_s: float, prompt_tokens: int, max_prompt_tokens: int) -> np.ndarray:
    """The grid a sweep runs over: the current value × 2^k (rate k = −6…6; prompt k = −5…4, within
    16 … `max_prompt_tokens`)."""
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
            plans = compare(prefill_dep, decode_dep, args["prompt_tokens"], output_tokens,
                            args["rate_per_s"], decode_batch, **options)
        except ValueError as exc:
            refused.append(str(exc))
            continue
        for name, plan in plans.items():
            for f in SWEEP_FIELDS:
                out[name][f][i] = getattr(plan, f)
    return PlanSweep(axis, values, out["colocated"], out["disaggregated"], tuple(dict.fromkeys(refused)))
