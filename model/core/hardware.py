"""Accelerator description in SI units (FLOP/s, bytes, bytes/s, USD per chip-hour)."""

from __future__ import annotations

from dataclasses import dataclass

PROJECT_ATTENTION_MFU = 0.5  # custom hardware's attention fraction of peak (README "Efficiencies")
PROJECT_KERNEL_S = 3e-6  # custom hardware's fixed time per kernel (docs/formulas.md F101)


@dataclass(frozen=True)
class Hardware:
    """One accelerator chip. Peaks are dense (no sparsity); bandwidths are per chip.

    `eight_bit_flops_per_s` is the dense 8-bit tensor peak (FP8, or INT8 on chips without FP8);
    None when the chip has no 8-bit tensor path.
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

    def peak_flops_per_s(self, eight_bit_compute: bool) -> float:
        """Dense peak at the compute precision: the 8-bit peak when asked for and supported."""
        if eight_bit_compute and self.eight_bit_flops_per_s:
            return self.eight_bit_flops_per_s
        return self.bf16_flops_per_s

    def has_eight_bit(self) -> bool:
        return bool(self.eight_bit_flops_per_s)

    def ridge_flop_per_byte(self, eight_bit_compute: bool = False) -> float:
        """Ridge point R = peak FLOP/s / HBM B/s: ops with higher intensity are compute-bound."""
        return self.peak_flops_per_s(eight_bit_compute) / self.hbm_bytes_per_s
