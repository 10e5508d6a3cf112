"""Bytes per stored weight, per KV-cache element and per activation element."""

from __future__ import annotations

from dataclasses import dataclass

ACTIVATION_BYTES = 2.0  # the residual stream and GEMM outputs stay bf16/fp16 even with 8-bit GEMMs


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
    def from_bits(cls, wbits: int, kvbits: int) -> Precision:
        return cls(wbits / 8, kvbits / 8)
