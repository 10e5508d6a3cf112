"""Collectives on a two-level network: a scale-up domain (NVLink, ICI) and scale-out NICs.

A replica's chips sit in domains of `scaleup` chips joined by the scale-up link (bytes/s per
chip per direction); traffic leaving a domain crosses the chip's scale-out bandwidth
(InfiniBand/RoCE). Each collective is priced on the levels it crosses, plus a per-collective
latency (docs/formulas.md F19):

- all-reduce of V bytes over n chips (F121, hierarchical): a ring inside the domain, then a ring
  across the g = n / s domains on each chip's 1/s slice:
      2·(s−1)/s · V / B_up + 2·(g−1)/g · (V/s) / B_out + latency;  s = n gives F18 exactly.
- all-to-all of expert parallelism (F122): each chip sends each of its t tokens (d values of b
  bytes) once to every distinct remote domain among its top-k experts' and once, over the
  scale-up link, to every distinct other chip holding one of them:
      max(t·R_dom·d·b / B_out, t·R_chip·d·b / B_up) + latency
  with R_chip = (n−1)/n · n·(1 − (1 − 1/n)^k) and R_dom = (g−1)/g · min(G_max, g·(1 − (1 − 1/g)^k)),
  G_max the domains a token may reach (node-limited routing; unlimited when 0). That is the
  forwarding ("normal") mode of prefill. Decode uses the direct ("low-latency") mode: every one of
  the k copies goes straight to its expert's chip over the scale-out NICs, t·k·(g−1)/g·d·b bytes
  leave the domain (F130).
- traffic leaving a domain moves at SCALEOUT_EFFICIENCY of the NICs' bandwidth (F130).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SCALEOUT_EFFICIENCY = 0.78  # DeepEP V1 low-latency kernels, EP128 on H800 + CX7 400 Gb/s: 39 of ~50 GB/s (F130)


def collective_latency_s(chips: int, latency_s: float | None = None) -> float:
    """Latency of one collective over `chips` chips: 6 µs + 2 µs·(√n − 1) (Erdil's NCCL fit, F19)."""
    if latency_s is not None:
        return latency_s
    return 6e-6 + 2e-6 * (math.sqrt(chips) - 1)


@dataclass(frozen=True)
class Network:
    """The two levels one replica's collectives cross (SI: bytes/s per chip per direction)."""

    scaleup_chips: int  # chips per scale-up domain
    link_bytes_per_s: float  # scale-up link
    scaleout_bytes_per_s: float | None  # leaving a domain; None: every collective stays in a domain
    latency_s: float | None = None  # per collective; None: F19
    scaleout_efficiency: float = SCALEOUT_EFFICIENCY  # achieved fraction of the scale-out bandwidth

    def domain(self, chips: int) -> tuple[int, int]:
        """(chips per domain s, domains g) a group of `chips` chips spans."""
        s = max(1, min(self.scaleup_chips, chips))
        return s, math.ceil(chips / s)

    def _scaleout(self) -> float:
        if not self.scaleout_bytes_per_s:
            raise ValueError("scaleout_gbps: needed when a collective leaves the scale-up domain; "
                             "must be a number in [0.1, 100000] GB/s")
        return self.scaleout_bytes_per_s * self.scaleout_efficiency

    def allreduce_s(self, volume_bytes, chips: int) -> np.ndarray:
        """One all-reduce of `volume_bytes` over `chips` chips (F121; F18 + F19 inside a domain)."""
        volume = np.asarray(volume_bytes, dtype=float)
        if chips == 1:
            return np.zeros_like(volume)
        s, g = self.domain(chips)
        time = 2 * (s - 1) / s * volume / self.link_bytes_per_s
        if g > 1:
            time = time + 2 * (g - 1) / g * (volume / s) / self._scaleout()
        return time + collective_latency_s(chips, self.latency_s)

    def all_to_all_s(self, tokens_per_chip, chips: int, topk: int, bytes_per_token: float,
                     max_domains: int = 0, direct: bool = False) -> np.ndarray:
        """One dispatch (or combine) of `tokens_per_chip` tokens to their top-k experts spread
        over `chips` chips, `bytes_per_token` each (F122); `direct`: every copy over the NICs (F130)."""
        t = np.asarray(tokens_per_chip, dtype=float)
        if chips == 1:
            return np.zeros_like(t)
        s, g = self.domain(chips)
        # direct: one copy per expert, k·(s−1)/n of them to other chips of the domain; forwarding:
        # one per distinct other chip holding an expert (remote domains forward inside themselves)
        remote_chips = topk * (s - 1) / chips if direct else (chips - 1) * (1 - (1 - 1 / chips) ** topk)
        up_s = t * remote_chips * bytes_per_token / self.link_bytes_per_s
        time = up_s
        if g > 1:
            domains = g * (1 - (1 - 1 / g) ** topk)
            if max_domains:
                domains = min(domains, max_domains)
            remote_copies = topk * (g - 1) / g if direct else (g - 1) / g * domains
            time = np.maximum(up_s, t * remote_copies * bytes_per_token / self._scaleout())
        return time + collective_latency_s(chips, self.latency_s)
