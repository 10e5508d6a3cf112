"""Sentences of the prefill/decode disaggregation page (pages/disaggregation.py)."""

from __future__ import annotations

from model.disaggregation.plan import ServingPlan
from model.disaggregation.sweep import PlanSweep
from ui import format as fmt


def _change(name: str, before: float, after: float) -> str:
    verb = "cuts" if after < before else "raises" if after > before else "keeps"
    return f"{verb} {name} from {fmt.duration(before)} to {fmt.duration(after)}"


def verdict(data: PlanSweep, colo: ServingPlan, dis: ServingPlan) -> str:
    """What disaggregation does to both latencies now, and along the sweep."""
    lower, valid = data.tpot_lower_disaggregated()
    return (f"Now disaggregation {_change('TPOT', colo.tpot_s, dis.tpot_s)} and {_change('TTFT', colo.ttft_s, dis.ttft_s)}; "
            f"its TPOT is the lower at {lower} of {valid} swept points. TTFT grows where the prefill pool runs busier "
            "than the colocated replicas' prefill share, plus the KV transfer.")
