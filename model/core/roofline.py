"""Roofline timing of a forward pass on one model replica of `chips` chips.

Per op (docs/formulas.md F3 and F100, perfect overlap within an op):
    compute_s = FLOPs / (chips · F · mfu_op)
    memory_s  = (weight bytes / e_w + activation bytes / e_w + KV bytes · s_kv / e_kv) / (chips · BW)
    kernel_s  = n_kernels(op) · t_kernel
    time_s    = max(compute_s, memory_s) + kernel_s
where F is the dense peak at the compute precision, mfu_op the attention fraction for attention
and mfu for every other op, BW the HBM bandwidth, e_w and e_kv the achieved bandwidth fractions
for streaming weights and reading the KV cache, s_kv ≥ 1 the KV replication under tensor
parallelism (a KV head cannot be split across chips), and t_kernel the fixed time of one kernel
(launch, ramp-up, tail; the chips of a replica run their kernels at the same time). With attention
data parallelism (DeepSeek/SGLang "DP attention") each chip runs attention for its own
sequences: the attention weights are read on every chip (x chips) and the KV cache is not copied.
The pass adds, without overlap, tensor-parallel all-reduces (two per layer, ring).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.core.deployment import ALLREDUCES_PER_LAYER, Deployment
from model.core.ops import OpCost, forward_ops


@dataclass(frozen=True)
class OpTiming:
    """One op on the replica: its costs, the two roofline times and which one binds."""

    cost: OpCost
    compute_s: np.ndarray
    weights_s: np.ndarray  # memory time streaming weights
    kv_s: np.ndarray  # memory time reading/writing the KV cache
    act_s: np.ndarray  # memory time for activations
    kernel_s: np.ndarray | float = 0.0  # fixed time of the op's kernels (F100)

    @property
    def name(self) -> str:
        return self.cost.name

    @property
    def memory_s(self) -> np.ndarray:
        return self.weights_s + self.kv_s + self.act_s

    @property
    def roofline_s(self) -> np.ndarray:
        """max(compute, memory): the op's time without its fixed kernel cost."""
        return np.maximum(self.compute_s, self.memory_s)

    @property
    def time_s(self) -> np.ndarray:
        return self.roofline_s + self.kernel_s

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
    """A whole forward pass: per-op timings (each with its kernels' fixed time) plus communication."""

    ops: list[OpTiming]
    comms_s: np.ndarray

    @property
    def time_s(self) -> np.ndarray:
        total = self.comms_s
        for op in self.ops:
            total = total + op.time_s
        return total

    @property
    def overhead_s(self) -> np.ndarray:
        """Fixed time of every kernel the pass launches (F100)."""
        return self.total("kernel_s")

    @property
    def kernels(self) -> np.ndarray:
        """Kernels the pass launches."""
        out = 0.0
        for op in self.ops:
            out = out + op.cost.kernels
        return np.asarray(out)

    def total(self, attribute: str) -> np.ndarray:
        """Sum of an OpTiming attribute over ops (e.g. 'compute_s', 'kv_s')."""
        out = 0.0
        for op in self.ops:
            out = out + getattr(op, attribute)
        return np.asarray(out)

    def breakdown_s(self) -> dict[str, np.ndarray]:
        """Split the pass time into weights, KV cache, activations, compute, comms, overhead.

        A compute-bound op counts as compute; a memory-bound op's time is split by its
        weights/KV/activation memory times; overhead is the kernels' fixed time. The parts add up
        to `time_s`.
        """
        parts = {name: 0.0 for name in BREAKDOWN_PARTS}
        for op in self.ops:
            bound = op.compute_bound
            parts["compute"] = parts["compute"] + np.where(bound, op.compute_s, 0.0)
            parts["weights"] = parts["weights"] + np.where(bound, 0.0, op.weights_s)
            parts["kv_cache"] = parts["kv_cache"] + np.where(bound, 0.0, op.kv_s)
            parts["activations"] = parts["activations"] + np.where(bound, 0.0, op.act_s)
        parts["comms"] = self.comms_s + 0.0
        parts["overhead"] = self.overhead_s + 0.0
        shape = np.shape(self.time_s)
        return {name: np.broadcast_to(np.asarray(value, dtype=float), shape) for name, value in parts.items()}

    def bound(self) -> np.ndarray:
        """'compute', 'memory' or 'comms': the largest of the three time shares."""
        parts = self.breakdown_s()
        memory = parts["weights"] + parts["kv_cache"] + parts["activations"]
        stacked = np.stack([parts["compute"], memory, parts["comms"]])
        return np.array(["compute", "memory", "comms"])[np.argmax(stacked, axis=0)]


ATTENTION_KERNEL_OPS = ("attention",)  # ops whose FLOPs run at the attention fraction of peak


def time_ops(dep: Deployment, ops: list[OpCost]) -> list[OpTiming]:
    eff = dep.efficiency
    peak = dep.peak_flops_per_s
    bw = dep.hbm_bytes_per_s
    kv_scale = dep.kv_replication / (bw * eff.kv_mbu)
    return [
        OpTiming(
            cost=op,
            compute_s=op.flops / (peak * (eff.attention_fraction if op.name in ATTENTION_KERNEL_OPS else eff.mfu)),
            weights_s=op.weight_traffic_bytes * dep.weight_copies(op.name) / (bw * eff.weights_mbu),
            kv_s=op.kv_traffic_bytes * kv_scale,
            act_s=op.act_traffic_bytes / (bw * eff.weights_mbu),
            kernel_s=op.kernels * eff.kernel_s,
        )
        for op in ops
    ]


def forward_pass(dep: Deployment, batch, new_tokens, ctx, decode: bool) -> PassTiming:
    """Roofline timing of one forward pass of `batch` sequences (see ops.forward_ops)."""
    ops = forward_ops(dep.model, dep.precision, batch, new_tokens, ctx, decode)
    tokens = np.asarray(batch, dtype=float) * np.asarray(new_tokens, dtype=float)
    comms = ALLREDUCES_PER_LAYER * dep.model.layers * dep.allreduce_s(tokens)
    return PassTiming(ops=time_ops(dep, ops), comms_s=comms)


def decode_step(dep: Deployment, batch, ctx) -> PassTiming:
    """One decode step: `batch` sequences each generate one token at context `ctx`."""
    return forward_pass(dep, batch, 1, ctx, decode=True)


def prefill(dep: Deployment, prompt, batch=1, cached=0) -> PassTiming:
    """Prefill of `batch` prompts of `prompt` new tokens each, after `cached` cached tokens."""
    return forward_pass(dep, batch, prompt, cached, decode=False)
