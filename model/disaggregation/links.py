"""Moving a prompt's KV cache from a prefill to a decode replica (docs/formulas.md F48).

t_kvx = k_seq(P) / BW_x. `KV_LINKS` are the links the disaggregation page offers: bytes/s (None:
the scale-up link, both pools in one NVLink/ICI domain, `kv_link_bytes_per_s`'s default) and a label.
"""

from __future__ import annotations

from model.base.fields import check_float, check_int
from model.base.limits import MAX_TOKENS
from model.core import metrics
from model.core.deployment import Deployment

KV_LINKS = {
    "scale-up": (None, "scale-up (NVLink/ICI)"),
    "8x400g": (400e9, "8 x 400 Gb/s NICs"),
    "400g": (50e9, "1 x 400 Gb/s NIC"),
    "100g": (12.5e9, "1 x 100 Gb/s NIC"),
}


def kv_link_bytes_per_s(prefill_dep: Deployment, decode_dep: Deployment,
                        link_bytes_per_s: float | None = None) -> float:
    """Bandwidth (B/s) carrying the KV cache from a prefill to a decode replica.

    `link_bytes_per_s` defaults to the slower side's scale-up link per chip times its chip count
    (each chip sends or receives its shard in parallel), i.e. both pools in one NVLink/ICI domain;
    pass e.g. 50e9 for one 400 Gb/s NIC when the pools sit on different nodes.
    """
    if link_bytes_per_s is None:
        return min(d.hardware.link_bytes_per_s * d.chips for d in (prefill_dep, decode_dep))
    return check_float("link_bytes_per_s", link_bytes_per_s, 1e6, 1e15, "B/s")


def kv_bytes(prefill_dep: Deployment, prompt_tokens: int) -> float:
    """Bytes of one prompt's KV cache as the prefill replica holds it (what crosses the link)."""
    prompt = check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens")
    return float(metrics.kv_bytes_per_sequence(prefill_dep, prompt))


def kv_transfer_s(prefill_dep: Deployment, decode_dep: Deployment, prompt_tokens: int,
                  link_bytes_per_s: float | None = None) -> float:
    """Time to move one prompt's KV cache from the prefill to the decode replica: P·k_tok / link."""
    prompt = check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens")
    link = kv_link_bytes_per_s(prefill_dep, decode_dep, link_bytes_per_s)
    return kv_bytes(prefill_dep, prompt) / link
