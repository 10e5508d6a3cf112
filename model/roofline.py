"""Roofline timing of a forward pass on one model replica of `chips` chips.

Per op (FORMULAS.md section 1, perfect overlap within an op):
    compute_s = FLOPs / (chips · F · mfu)
    memory_s  = (weight bytes / e_w + activation bytes / e_w + KV bytes · s_kv / e_kv) / (chips · BW)
    time_s    = max(compute_s, memory_s)
where F is the dense peak at the compute precision, BW the HBM bandwidth, e_w and e_kv the
achieved bandwidth fractions for streaming weights and reading the KV cache, and s_kv ≥ 1 the
KV replication under tensor parallelism (a KV head cannot be split across chips). With attention
data parallelism (DeepSeek/SGLang "DP attention") each chip runs attention for its own
sequences: the attention weights are read on every chip (x chips) and the KV cache is not copied.
The pass adds, without overlap, tensor-parallel all-reduces (two per layer, ring) and an
optional fixed overhead per layer (kernel launches, synchronisation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .architecture import ModelConfig
from .hardware import Hardware
from .ops import OpCost, Precision, forward_ops

ALLREDUCES_PER_LAYER = 2  # after attention and after the FFN (Megatron-style TP; KIP, EE)
ATTENTION_OPS = ("qkv_proj", "attention", "out_proj")  # replicated per chip under attention data parallelism


@dataclass(frozen=True)
class Efficiency:
    """Achieved fractions of peak and fixed overheads (the calibratable parameters)."""

    compute: float  # fraction of peak FLOP/s (MFU)
    weights_bw: float  # fraction of HBM bandwidth streaming weights and activations
    kv_bw: float  # fraction of HBM bandwidth reading the KV cache
    layer_overhead_s: float = 0.0  # fixed time per layer per forward pass
    allreduce_latency_s: float | None = None  # per all-reduce; None: 6 µs + 2 µs·(√n − 1) (EE)

    def __post_init__(self):
        for name in ("compute", "weights_bw", "kv_bw"):
            value = getattr(self, name)
            if not (0 < value <= 1):
                raise ValueError(f"{name}: must be a fraction in (0, 1]; got {value!r}")
        if not (0 <= self.layer_overhead_s < 1):
            raise ValueError(f"layer_overhead_s: must be in [0, 1) s; got {self.layer_overhead_s!r}")


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
        return self.model.total_params * self.precision.weight_bytes

    def weight_copies(self, op_name: str) -> int:
        """Copies of an op's weights in the replica: `chips` for attention under attention DP, else 1."""
        return self.chips if self.attention_dp and op_name in ATTENTION_OPS else 1

    @property
    def weight_bytes_per_chip(self) -> float:
        """HBM each chip spends on weights: its share, plus whole attention weights under attention DP."""
        attention = self.model.layers * self.model.attn_params_per_layer * self.precision.weight_bytes
        copies = self.chips if self.attention_dp else 1
        return (self.weight_bytes + (copies - 1) * attention) / self.chips

    def allreduce_s(self, tokens) -> np.ndarray:
        """Time of one ring all-reduce of the activations of `tokens` tokens.

        Bandwidth term 2·(n−1)/n · V / link (SB-shard) plus a latency term
        6 µs + 2 µs·(√n − 1) (Erdil's NCCL fit, FORMULAS.md section 5).
        """
        tokens = np.asarray(tokens, dtype=float)
        n = self.chips
        if n == 1:
            return np.zeros_like(tokens)
        volume = tokens * self.model.d_model * self.precision.act_bytes
        bandwidth_s = 2 * (n - 1) / n * volume / self.hardware.link_bytes_per_s
        latency_s = self.efficiency.allreduce_latency_s
        if latency_s is None:
            latency_s = 6e-6 + 2e-6 * (math.sqrt(n) - 1)
        return bandwidth_s + latency_s


@dataclass(frozen=True)
class OpTiming:
    """One op on the replica: its costs, the two roofline times and which one binds."""

    cost: OpCost
    compute_s: np.ndarray
    weights_s: np.ndarray  # memory time streaming weights
    kv_s: np.ndarray  # memory time reading/writing the KV cache
    act_s: np.ndarray  # memory time for activations

    @property
    def name(self) -> str:
        return self.cost.name

    @property
    def memory_s(self) -> np.ndarray:
        return self.weights_s + self.kv_s + self.act_s

    @property
    def time_s(self) -> np.ndarray:
        return np.maximum(self.compute_s, self.memory_s)

    @property
    def compute_bound(self) -> np.ndarray:
        return self.compute_s >= self.memory_s

    @property
    def intensity_flop_per_byte(self) -> np.ndarray:
        total = self.cost.bytes
        return np.divide(self.cost.flops, total, out=np.zeros_like(total * 1.0), where=total > 0)


BREAKDOWN_PARTS = ("weights", "kv_cache", "activations", "compute", "comms", "overhead")


@dataclass(frozen=True)
class PassTiming:
    """A whole forward pass: per-op timings plus communication and fixed overhead."""

    ops: list[OpTiming]
    comms_s: np.ndarray
    overhead_s: float

    @property
    def time_s(self) -> np.ndarray:
        total = self.comms_s + self.overhead_s
        for op in self.ops:
            total = total + op.time_s
        return total

    def total(self, attribute: str) -> np.ndarray:
        """Sum of an OpTiming attribute over ops (e.g. 'compute_s', 'kv_s')."""
        out = 0.0
        for op in self.ops:
            out = out + getattr(op, attribute)
        return np.asarray(out)

    def breakdown_s(self) -> dict[str, np.ndarray]:
        """Split the pass time into weights, KV cache, activations, compute, comms, overhead.

        A compute-bound op counts as compute; a memory-bound op's time is split by its
        weights/KV/activation memory times. The parts add up to `time_s`.
        """
        parts = {name: 0.0 for name in BREAKDOWN_PARTS}
        for op in self.ops:
            bound = op.compute_bound
            parts["compute"] = parts["compute"] + np.where(bound, op.compute_s, 0.0)
            parts["weights"] = parts["weights"] + np.where(bound, 0.0, op.weights_s)
            parts["kv_cache"] = parts["kv_cache"] + np.where(bound, 0.0, op.kv_s)
            parts["activations"] = parts["activations"] + np.where(bound, 0.0, op.act_s)
        parts["comms"] = self.comms_s + 0.0
        parts["overhead"] = self.overhead_s
        shape = np.shape(self.time_s)
        return {name: np.broadcast_to(np.asarray(value, dtype=float), shape) for name, value in parts.items()}

    def bound(self) -> np.ndarray:
        """'compute', 'memory' or 'comms': the largest of the three time shares."""
        parts = self.breakdown_s()
        memory = parts["weights"] + parts["kv_cache"] + parts["activations"]
        stacked = np.stack([parts["compute"], memory, parts["comms"]])
        return np.array(["compute", "memory", "comms"])[np.argmax(stacked, axis=0)]


def time_ops(dep: Deployment, ops: list[OpCost]) -> list[OpTiming]:
    eff = dep.efficiency
    flops_per_s = dep.peak_flops_per_s * eff.compute
    bw = dep.hbm_bytes_per_s
    kv_scale = dep.kv_replication / (bw * eff.kv_bw)
    return [
        OpTiming(
            cost=op,
            compute_s=op.flops / flops_per_s,
            weights_s=op.weight_bytes * dep.weight_copies(op.name) / (bw * eff.weights_bw),
            kv_s=op.kv_bytes * kv_scale,
            act_s=op.act_bytes / (bw * eff.weights_bw),
        )
        for op in ops
    ]


def forward_pass(dep: Deployment, batch, new_tokens, ctx, decode: bool) -> PassTiming:
    """Roofline timing of one forward pass of `batch` sequences (see ops.forward_ops)."""
    ops = forward_ops(dep.model, dep.precision, batch, new_tokens, ctx, decode)
    tokens = np.asarray(batch, dtype=float) * np.asarray(new_tokens, dtype=float)
    comms = ALLREDUCES_PER_LAYER * dep.model.layers * dep.allreduce_s(tokens)
    overhead = dep.model.layers * dep.efficiency.layer_overhead_s
    return PassTiming(ops=time_ops(dep, ops), comms_s=comms, overhead_s=overhead)


def decode_step(dep: Deployment, batch, ctx) -> PassTiming:
    """One decode step: `batch` sequences each generate one token at context `ctx`."""
    return forward_pass(dep, batch, 1, ctx, decode=True)


def prefill(dep: Deployment, prompt, batch=1, cached=0) -> PassTiming:
    """Prefill of `batch` prompts of `prompt` new tokens each, after `cached` cached tokens."""
    return forward_pass(dep, batch, prompt, cached, decode=False)
