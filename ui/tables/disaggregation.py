"""Tables of the prefill/decode disaggregation page (pages/disaggregation.py)."""

from __future__ import annotations

import pandas as pd

from model.disaggregation.plan import ServingPlan
from ui import format as fmt


def plans_frame(plans: dict[str, ServingPlan]) -> pd.DataFrame:
    """Every field of both plans, units in the column names."""
    rows = []
    for p in plans.values():
        rows.append({
            "plan": p.name, "prefill_replicas": p.prefill_replicas, "decode_replicas": p.decode_replicas,
            "chips": p.chips, "prefill_replicas_exact": p.prefill_replicas_exact,
            "decode_replicas_exact": p.decode_replicas_exact, "decode_batch_in_flight": p.decode_batch,
            "prefill_utilization_pct": 100 * p.prefill_utilization, "ttft_ms": p.ttft_s * 1e3,
            "tpot_ms": p.tpot_s * 1e3, "kv_transfer_ms": p.kv_transfer_s * 1e3, "usd_per_hour": p.usd_per_s * 3600,
            "usd_per_m_input": p.usd_per_m_input, "usd_per_m_output": p.usd_per_m_output,
            "usd_per_m_tokens": p.usd_per_m_tokens,
        })
    return fmt.rounded(pd.DataFrame(rows))
