"""Labels and sentences of the Prefill-vs-decode page (pages/prefill_decode.py)."""

from __future__ import annotations

import math

from ui import format as fmt

PART_LABELS = {"weights": "weights (HBM)", "kv_cache": "KV cache (HBM)", "activations": "activations (HBM)",
               "compute": "compute", "comms": "comms (all-reduce)", "all_to_all": "comms (expert all-to-all)",
               "overhead": "fixed overhead", "draft": "speculative drafts"}


def from_to(values, show) -> str:
    """'from $48.81 to $0.989': the first and last value of a sweep, formatted by `show`."""
    return f"from {show(float(values[0]))} to {show(float(values[-1]))}"


def prefill_weights_phrase(weights_read: float, lookup: float) -> str:
    """'139 GB of weights (plus 4.29 GB of embedding rows looked up, one per token)': weights read, not stored."""
    return f"{fmt.bytes_(weights_read)} of weights (plus {fmt.bytes_(lookup)} of embedding rows looked up, one per token)"


def ridge_side(intensity: float, ridge: float) -> str:
    """'right' (compute-bound side) or 'left' of the ridge point."""
    return "right" if intensity > ridge else "left"


def batch_fit_note(first_not_fitting: float, first_batch: float) -> str:
    """The price-vs-batch caption's note on batches that do not fit ('' when all fit)."""
    if not math.isfinite(first_not_fitting):
        return ""
    if first_not_fitting == first_batch:
        return " Not even one sequence fits in HBM at this context (shaded)."
    return f" Batches from {fmt.count(first_not_fitting)} up do not fit in HBM at this context (shaded)."


def context_fit_note(first_not_fitting: float, batch: int) -> str:
    """The price-vs-context caption's note on contexts that do not fit ('' when all fit)."""
    return f" {fmt.plural(batch, 'sequence')} do not fit in HBM from {fmt.tokens(first_not_fitting)} (shaded)." if math.isfinite(first_not_fitting) else ""


def rank_phrase(below: int, above: int, n: int) -> str:
    """Where a ratio sits among n published ones: 'below all 12', 'above 3 and below 9 of the 12'."""
    return f"below all {n}" if above == n else f"above all {n}" if below == n else f"above {below} and below {above} of the {n}"
