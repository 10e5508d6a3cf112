"""Tables of the continuous-batching page (pages/serving.py)."""

from __future__ import annotations

import pandas as pd

from model.serving.theory import gain_check
from ui import format as fmt
from ui.text.serving import LABELS


def comparison_frame(results: dict, capacity_per_s: dict | None = None) -> pd.DataFrame:
    """One row per policy, units in the column names (with `capacity_per_s`, the requests/s each sustains)."""
    rows = []
    capacity_per_s = capacity_per_s or {}
    for policy, r in results.items():
        rows.append({
            "policy": LABELS[policy], "output_tokens_per_s": r.output_tokens_per_s,
            "ttft_p50_ms": r.ttft_p50_s * 1e3, "ttft_p95_ms": r.ttft_p95_s * 1e3,
            "tpot_p50_ms": r.tpot_p50_s * 1e3, "tpot_p95_ms": r.tpot_p95_s * 1e3,
            "latency_p50_s": r.latency_p50_s, "latency_p95_s": r.latency_p95_s,
            "usd_per_m_output": r.usd_per_m_output, "slot_occupancy_pct": 100 * r.slot_occupancy,
            "mean_decode_batch": r.mean_batch, "batch_limit": r.batch_limit,
            "kv_reserved_gb": r.kv_reserved_bytes / 1e9, "kv_used_gb": r.kv_used_bytes / 1e9,
            "kv_waste_pct": 100 * r.kv_waste_fraction, "kv_waste_tokens_per_seq": r.kv_waste_tokens_per_seq,
            "preemptions": r.preemptions, "decode_steps": r.decode_steps, "prefill_passes": r.prefill_passes,
            "makespan_s": r.makespan_s, "output_tokens": r.output_tokens,
            **({"capacity_requests_per_s": capacity_per_s[policy]} if policy in capacity_per_s else {}),
        })
    return fmt.rounded(pd.DataFrame(rows))


def gain_rows(capacity: dict, kind: str, mean_tokens: int) -> tuple[pd.DataFrame, float, float]:
    """The saturated throughput gain, simulated, beside docs/formulas.md F43's expectations.

    Returns (table, simulated gain, exact E[max G]/E[G] at the static batch limit)."""
    check = gain_check(capacity["static"], capacity["continuous"], kind, mean_tokens)
    batch = check.batch
    rows = [("simulated: continuous / static output tokens/s, all requests at t = 0", check.simulated),
            ("simulated: 1 / static slot occupancy", check.occupancy_gain),
            (f"expected E[max G]/E[G] for B = {batch} draws of this output distribution", check.expected)]
    if kind == "exponential":
        rows.append((f"closed form H_B, uncapped exponential, B = {batch}", check.closed_form))
    elif kind == "uniform":
        rows.append((f"closed form 2B/(B+1), uniform on [1, G_max], B = {batch}", check.closed_form))
    frame = pd.DataFrame([{"quantity": q, "gain_x": round(v, 3)} for q, v in rows])
    return frame, check.simulated, check.expected
