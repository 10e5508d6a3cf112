"""Phrases of the Roofline page's caption (pages/roofline.py)."""

from __future__ import annotations

import math

from ui import format as fmt


def ridge_distance(intensity: float, ridge: float) -> str:
    """'12x left of' / '3.1x right of' (the ridge point)."""
    return f"{ridge / intensity:.2g}x left of" if intensity < ridge else f"{intensity / ridge:.2g}x right of"


def decode_growth(limit: float, ridge: float, knee: float, kv_bytes_per_sequence: float) -> str:
    """Where growing the batch takes decode: capped below the ridge by KV reads, or to the batch knee."""
    if limit < ridge:
        return (f"and no batch takes it past {limit:.3g} FLOP/byte at this context: each sequence still reads its own "
                f"{fmt.bytes_(kv_bytes_per_sequence)} KV cache for its one token")
    return (f"turning compute-bound at batch {fmt.count(knee)} (the batch knee)" if math.isfinite(knee)
            else "without ever turning compute-bound")


def no_fit_note(first_not_fitting: float) -> str:
    """' Open markers: batches from N up do not fit ...', or '' when every batch fits."""
    return (f" Open markers: batches from {fmt.count(first_not_fitting)} up do not fit in HBM at this context."
            if first_not_fitting < float("inf") else "")
