"""Accelerator description in SI units (FLOP/s, bytes, bytes/s, USD per chip-hour)."""

from __future__ import annotations

from dataclasses import dataclass

PROJECT_ATTENTION_MFU = 0.5  # custom hardware's attention fraction of peak (README "Efficiencies")
PROJECT_KERNEL_S = 3e-6  # custom hardware's fixed time per kernel (docs/formulas.md F101)


@dataclass(frozen=True)
class Hardware:
    """One accelerator chip. Peaks are dense (no sparsity); bandwidths are per chip.

    `eight_bit_flops_per_s` is the dense 8-bit tensor peak (FP8, or INT8 on chips without FP8);
    None when the chip has no 8-bit tensor path; `fp4_flops_per_s` likewise the dense FP4 peak.
    The network has two levels: `scaleup_chips` chips share the scale-up link (NVLink, ICI;
    None: not stated), and each chip has `scaleout_bytes_per_s` per direction to chips outside
    its domain (InfiniBand/RoCE NICs; None: not stated).
    """

    id: str
    name: str
    bf16_flops_per_s: float
    eight_bit_flops_per_s: float | None
    hbm_bytes: float
    hbm_bytes_per_s: float
    link_bytes_per_s: float  # scale-up link, per direction
    usd_per_hour: float
    mfu: float  # default achieved fraction of peak FLOP/s
    mbu: float  # default achieved fraction of HBM bandwidth
    attention_mfu: float = PROJECT_ATTENTION_MFU  # default fraction of peak FLOP/s in attention kernels
    kernel_s: float = PROJECT_KERNEL_S  # default fixed time per kernel launched (s)
    sources: tuple[tuple[str, str], ...] = ()  # (what, source) pairs shown to users
    fp4_flops_per_s: float | None = None  # dense FP4 tensor peak
    scaleup_chips: int | None = None  # chips in one scale-up domain (8 for HGX, 72 for NVL72)
    scaleout_bytes_per_s: float | None = None  # per chip, per direction, leaving the domain

    def peak_flops_per_s(self, eight_bit_compute: bool, four_bit_compute: bool = False) -> float:
        """Dense peak at the compute precision: the FP4 or 8-bit peak when asked for and supported."""
        if four_bit_compute and self.fp4_flops_per_s:
            return self.fp4_flops_per_s
        if eight_bit_compute and self.eight_bit_flops_per_s:
            return self.eight_bit_flops_per_s
        return self.bf16_flops_per_s

    def has_eight_bit(self) -> bool:
        return bool(self.eight_bit_flops_per_s)

    def has_fp4(self) -> bool:
        return bool(self.fp4_flops_per_s)

    def ridge_flop_per_byte(self, eight_bit_compute: bool = False) -> float:
        """Ridge point R = peak FLOP/s / HBM B/s: ops with higher intensity are compute-bound."""
        return self.peak_flops_per_s(eight_bit_compute) / self.hbm_bytes_per_s
