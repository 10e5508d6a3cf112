"""Bytes per stored weight, per KV-cache element and per activation element.

4-bit weights may carry block scales (docs/formulas.md F120): NVFP4 stores one 8-bit (E4M3)
scale per 16 values, MXFP4 one 8-bit (E8M0) scale per 32; `none` counts the 4 bits alone
(today's default, and what weight-only int4 formats are taken as).
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVATION_BYTES = 2.0  # the residual stream and GEMM outputs stay bf16/fp16 even with 8-bit GEMMs
SCALE_BLOCK_VALUES = {"none": 0, "nvfp4": 16, "mxfp4": 32}  # values sharing one 8-bit scale (F120)
SCALE_BYTES = 1.0  # both formats store 8-bit block scales


def weight_scale_bytes(wbits: int, scales: str = "none") -> float:
    """Scale bytes per weight: 1 byte / block size for 4-bit weights in a block-scaled format (F120)."""
    if scales not in SCALE_BLOCK_VALUES:
        raise ValueError(f"scales: must be one of {', '.join(SCALE_BLOCK_VALUES)}; got {scales!r}")
    block = SCALE_BLOCK_VALUES[scales]
    return SCALE_BYTES / block if wbits == 4 and block else 0.0


@dataclass(frozen=True)
class Precision:
    """Bytes per stored weight, per KV-cache element and per activation element.

    Activations are counted at 2 bytes whatever the compute precision: 8-bit GEMMs quantise
    their inputs on the fly but write bf16/fp16 outputs, and tensor-parallel all-reduces run
    on the bf16/fp16 residual stream.
    """

    bytes_per_weight: float
    bytes_per_kv_element: float
    bytes_per_activation: float = ACTIVATION_BYTES

    @classmethod
    def from_bits(cls, wbits: int, kvbits: int, scales: str = "none") -> Precision:
        return cls(wbits / 8 + weight_scale_bytes(wbits, scales), kvbits / 8)
