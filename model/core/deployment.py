"""A deployment: a model on a replica of chips, at a precision, with efficiencies and a price.

`Precision` (bytes per weight, KV element and activation), `Efficiency` (achieved fractions of peak
and the fixed time per kernel: the calibratable parameters) and `Deployment` (what the roofline evaluates),
with the replica-level quantities that follow from them: peaks, KV sharding under tensor or
attention data parallelism, weight bytes per chip, and the time of one tensor-parallel all-reduce.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.core.architecture import ModelConfig
from model.core.hardware import Hardware
from model.core.precision import Precision

ALLREDUCES_PER_LAYER = 2  # after attention and after the FFN (Megatron-style TP; docs/formulas.md F20; [Shoeybi 2019], [Chen 2022], [Erdil 2025])
ATTENTION_OPS = ("qkv_proj", "attention", "out_proj")  # replicated per chip under attention data parallelism


MAX_KERNEL_S = 1e-3  # a fixed cost per kernel above 1 ms is not a kernel's


@dataclass(frozen=True)
class Efficiency:
    """Achieved fractions of peak and the fixed time per kernel (the calibratable parameters)."""

    mfu: float  # achieved fraction of peak FLOP/s in GEMMs (model FLOP utilisation)
    weights_mbu: float  # achieved fraction of HBM bandwidth streaming weights and activations
    kv_mbu: float  # achieved fraction of HBM bandwidth reading the KV cache
    kernel_s: float = 0.0  # fixed time per kernel launched (docs/formulas.md F100)
    allreduce_latency_s: float | None = None  # per all-reduce; None: 6 µs + 2 µs·(√n − 1) (docs/formulas.md F19)
    attention_mfu: float | None = None  # achieved fraction of peak FLOP/s in attention; None: same as mfu

    def __post_init__(self):
        for name in ("mfu", "weights_mbu", "kv_mbu", "attention_mfu"):
            value = getattr(self, name)
            if value is not None and not (0 < value <= 1):
                raise ValueError(f"{name}: must be a fraction in (0, 1]; got {value!r}")
        if not (0 <= self.kernel_s <= MAX_KERNEL_S):
            raise ValueError(f"kernel_s: must be in [0, {MAX_KERNEL_S}] s; got {self.kernel_s!r}")

    @property
    def attention_fraction(self) -> float:
        """The attention kernels' fraction of peak FLOP/s (mfu when not set apart)."""
        return self.mfu if self.attention_mfu is None else self.attention_mfu


@dataclass(frozen=True)
class Deployment:
    """A model on a replica of `chips` chips at a precision, with efficiencies and a price."""

    model: ModelConfig
    hardware: Hardware
    chips: int
    precision: Precision
    eight_bit_compute: bool
    efficiency: Efficiency
    usd_per_chip_hour: float
    attention_dp: bool = False  # attention data-parallel: each chip runs attention for its own sequences

    @property
    def peak_flops_per_s(self) -> float:
        """Dense FLOP/s of the whole replica at the compute precision."""
        return self.chips * self.hardware.peak_flops_per_s(self.eight_bit_compute)

    @property
    def hbm_bytes_per_s(self) -> float:
        return self.chips * self.hardware.hbm_bytes_per_s

    @property
    def kv_chip_fraction(self) -> float:
        """Per chip, the KV cache stored and read, as a fraction of one copy of every sequence's cache.

        Tensor parallelism splits KV heads: ceil(n_kv / chips) / n_kv (whole copies when chips
        exceed KV heads; MLA's latent cache is one head). Attention data parallelism gives each
        chip its own sequences: 1 / chips, no copies.
        """
        if self.attention_dp:
            return 1.0 / self.chips
        heads = self.model.kv_heads_for_sharding
        return math.ceil(heads / self.chips) / heads

    @property
    def kv_replication(self) -> float:
        """How many copies of the KV cache the replica holds (1 when KV heads split evenly)."""
        return self.kv_chip_fraction * self.chips

    @property
    def weight_bytes(self) -> float:
        return self.model.total_params * self.precision.bytes_per_weight

    def weight_copies(self, op_name: str) -> int:
        """Copies of an op's weights in the replica: `chips` for attention under attention DP, else 1."""
        return self.chips if self.attention_dp and op_name in ATTENTION_OPS else 1

    @property
    def weight_bytes_per_chip(self) -> float:
        """HBM each chip spends on weights: its share, plus whole attention weights under attention DP."""
        attention = self.model.attn_params_total * self.precision.bytes_per_weight
        copies = self.chips if self.attention_dp else 1
        return (self.weight_bytes + (copies - 1) * attention) / self.chips

    def allreduce_s(self, tokens) -> np.ndarray:
        """Time of one ring all-reduce of the activations of `tokens` tokens.

        Bandwidth term 2·(n−1)/n · V / link (docs/formulas.md F18) plus a latency term
        6 µs + 2 µs·(√n − 1) (Erdil's NCCL fit, docs/formulas.md F19).
        """
        tokens = np.asarray(tokens, dtype=float)
        n = self.chips
        if n == 1:
            return np.zeros_like(tokens)
        volume = tokens * self.model.d_model * self.precision.bytes_per_activation
        bandwidth_s = 2 * (n - 1) / n * volume / self.hardware.link_bytes_per_s
        latency_s = self.efficiency.allreduce_latency_s
        if latency_s is None:
            latency_s = 6e-6 + 2e-6 * (math.sqrt(n) - 1)
        return bandwidth_s + latency_s


