"""Sentences of the prefill/decode disaggregation page (pages/disaggregation.py)."""

from __future__ import annotations

import numpy as np

from model.disaggregation.plan import ServingPlan
from model.serving import views as serving_views
from ui import format as fmt


def _change(name: str, before: float, after: float) -> str:
    verb = "cuts" if after < before else "raises" if after > before else "keeps"
    return f"{verb} {name} from {fmt.duration(before)} to {fmt.duration(after)}"


def verdict(data: serving_views.PlanSweep, colo: ServingPlan, dis: ServingPlan) -> str:
    """What disaggregation does to both latencies now, and along the sweep."""
    lower = int(np.sum(data.disaggregated["tpot_s"] <= data.colocated["tpot_s"]))
    valid = int(np.sum(np.isfinite(data.disaggregated["tpot_s"])))
    return (f"Now disaggregation {_change('TPOT', colo.tpot_s, dis.tpot_s)} and {_change('TTFT', colo.ttft_s, dis.ttft_s)}; "
            f"its TPOT is the lower at {lower} of {valid} swept points. TTFT grows where the prefill pool runs busier "
            "than the colocated replicas' prefill share, plus the KV transfer.")
