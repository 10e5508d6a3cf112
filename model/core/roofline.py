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
The pass adds tensor-parallel all-reduces (two per layer, ring or hierarchical across scale-up
domains) and the expert-parallel all-to-all (dispatch and combine per MoE layer, its own part).
Communication is exposed unless `overlap` is on: then two micro-batches hide it behind the other's
op time and only max(0, comms − ops) is exposed (docs/formulas.md F124). With speculative decoding a
decode step is one verification pass over 1 + γ tokens per sequence plus the drafts (F125, F126).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.core.deployment import ALLREDUCES_PER_LAYER, Deployment
from model.core.ops import OpCost, forward_ops
from model.core.speculative import mtp_draft_s

DISPATCH_8BIT_BYTES = 1.0  # DeepSeek-V3 dispatches FP8 activations to the experts, combines in BF16


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


BREAKDOWN_PARTS = ("weights", "kv_cache", "activations", "compute", "comms", "all_to_all", "overhead", "draft")


@dataclass(frozen=True)
class PassTiming:
    """A whole forward pass: per-op timings (each with its kernels' fixed time) plus exposed
    communication and drafts.

    `comms_s` is the exposed all-reduce time, `all_to_all_s` the exposed expert-parallel
    dispatch + combine, `hidden_comms_s` what overlap hid of both (not part of `time_s`).
    """

    ops: list[OpTiming]
    comms_s: np.ndarray
    all_to_all_s: np.ndarray | float = 0.0
    hidden_comms_s: np.ndarray | float = 0.0
    draft_s: np.ndarray | float = 0.0  # speculative drafts of a decode step
    all_to_all_total_s: np.ndarray | float = 0.0  # the all-to-all before overlap hid any of it

    @property
    def ops_s(self) -> np.ndarray:
        """Sum of the ops' times (what overlap hides communication behind)."""
        return self.total("time_s")

    @property
    def exposed_comms_s(self) -> np.ndarray:
        return np.asarray(self.comms_s + self.all_to_all_s, dtype=float)

    @property
    def time_s(self) -> np.ndarray:
        total = self.comms_s + self.all_to_all_s + self.draft_s
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
        parts["all_to_all"] = self.all_to_all_s + 0.0
        parts["overhead"] = self.overhead_s + 0.0
        parts["draft"] = self.draft_s + 0.0
        shape = np.shape(self.time_s)
        return {name: np.broadcast_to(np.asarray(value, dtype=float), shape) for name, value in parts.items()}

    def bound(self) -> np.ndarray:
        """'compute', 'memory' or 'comms': the largest of the three time shares."""
        parts = self.breakdown_s()
        memory = parts["weights"] + parts["kv_cache"] + parts["activations"]
        stacked = np.stack([parts["compute"], memory, parts["comms"] + parts["all_to_all"]])
        return np.array(["compute", "memory", "comms"])[np.argmax(stacked, axis=0)]


ATTENTION_KERNEL_OPS = ("attention",)  # ops whose FLOPs run at the attention fraction of peak


def time_ops(dep: Deployment, ops: list[OpCost]) -> list[OpTiming]:
    eff = dep.efficiency
    bw = dep.hbm_bytes_per_s
    kv_scale = dep.kv_replication / (bw * eff.kv_mbu)
    return [
        OpTiming(
            cost=op,
            compute_s=op.flops / (dep.op_peak_flops_per_s(op.name)
                                  * (eff.attention_fraction if op.name in ATTENTION_KERNEL_OPS else eff.mfu)),
            weights_s=op.weight_traffic_bytes * dep.weight_copies(op.name) / (bw * eff.weights_mbu),
            kv_s=op.kv_traffic_bytes * kv_scale,
            act_s=op.act_traffic_bytes / (bw * eff.weights_mbu),
            kernel_s=op.kernels * eff.kernel_s,
        )
        for op in ops
    ]


def allreduce_total_s(dep: Deployment, tokens) -> np.ndarray:
    """The pass's tensor-parallel all-reduces: two per layer over the tp group's tokens (F20, F121)."""
    group_tokens = np.asarray(tokens, dtype=float) * dep.tp_degree / dep.chips
    return ALLREDUCES_PER_LAYER * dep.model.layers * dep.allreduce_s(group_tokens)


def all_to_all_total_s(dep: Deployment, tokens, decode: bool = False) -> np.ndarray:
    """The pass's expert-parallel communication per MoE layer (F122, F131): dispatch + combine over
    the ep group and, when each expert is tensor-parallel over chips / ep chips, one all-reduce of the
    tokens routed to a group inside it. 0 without EP, and 0 when attention and the dense parts are
    tensor-parallel over the whole replica (tp = chips): every chip then holds every token and the
    experts' partial sums join the FFN all-reduce (F20) that runs anyway (TensorRT-LLM's layout).
    Decode sends every copy directly (DeepEP's low-latency mode, F130); prefill forwards per domain."""
    tokens = np.asarray(tokens, dtype=float)
    if not dep.expert_parallel or dep.tp_degree == dep.chips:
        return np.zeros_like(tokens)
    m, e, expert_tp, per_chip = dep.model, dep.ep, dep.expert_tp, tokens / dep.chips
    net = dep.network  # expert-TP groups are contiguous chips; an ep group takes one chip of each
    group_net = dataclasses.replace(net, scaleup_chips=max(1, net.domain(dep.chips)[0] // expert_tp))
    row = m.d_model * dep.precision.bytes_per_activation
    dispatch_row = m.d_model * DISPATCH_8BIT_BYTES if dep.eight_bit_compute or dep.four_bit_compute else row
    one = [group_net.all_to_all_s(per_chip, e, m.experts_active, b, dep.ep_max_domains, direct=decode)
           for b in (dispatch_row, row)]
    group_tokens = tokens * -np.expm1(m.experts_active * np.log1p(-1 / e))  # T·(1 − (1 − 1/e)^k) per group
    expert_tp_s = net.allreduce_s(group_tokens * row, expert_tp)
    return m.moe_layers * (one[0] + one[1] + expert_tp_s)


def _with_logits(ops: list[OpCost], positions: int) -> list[OpCost]:
    """lm_head on `positions` tokens per sequence (verification scores every draft position)."""
    if positions == 1:
        return ops
    return [dataclasses.replace(op, flops=op.flops * positions, act_traffic_bytes=op.act_traffic_bytes * positions)
            if op.name == "lm_head" else op for op in ops]


def forward_pass(dep: Deployment, batch, new_tokens, ctx, decode: bool, logit_positions: int = 1) -> PassTiming:
    """Roofline timing of one forward pass of `batch` sequences (see ops.forward_ops)."""
    ops = _with_logits(forward_ops(dep.model, dep.precision, batch, new_tokens, ctx, decode), logit_positions)
    timed = time_ops(dep, ops)
    tokens = np.asarray(batch, dtype=float) * np.asarray(new_tokens, dtype=float)
    comms, a2a = allreduce_total_s(dep, tokens), all_to_all_total_s(dep, tokens, decode)
    hidden, share = 0.0, 1.0
    if dep.overlap:  # F124: exposed = max(0, C − W), split between the two kinds pro rata
        work = PassTiming(ops=timed, comms_s=0.0).ops_s
        total = np.broadcast_to(comms + a2a, np.broadcast_shapes(np.shape(comms + a2a), np.shape(work)))
        exposed = np.maximum(total - work, 0.0)
        share = np.divide(exposed, total, out=np.zeros_like(total, dtype=float), where=total > 0)
        hidden, comms = total - exposed, comms * share
    return PassTiming(ops=timed, comms_s=comms, all_to_all_s=a2a * share, hidden_comms_s=hidden,
                      all_to_all_total_s=a2a)


def draft_s(dep: Deployment, batch, ctx) -> np.ndarray:
    """The γ drafts of one speculative decode step: MTP layers or a draft model's steps (F126)."""
    if dep.draft_model is None:
        one_token = forward_pass(dep, batch, 1, ctx, decode=True).time_s
        return mtp_draft_s(one_token, dep.model.layers, dep.spec_tokens)
    draft = dataclasses.replace(dep, model=dep.draft_model, spec_tokens=0, draft_model=None,
                                ep=1, tp=None, overlap=False)
    return dep.spec_tokens * np.asarray(forward_pass(draft, batch, 1, ctx, decode=True).time_s)


def decode_step(dep: Deployment, batch, ctx) -> PassTiming:
    """One decode step: `batch` sequences each generate one token at context `ctx`; with γ = spec
    drafts, one verification pass over 1 + γ tokens each plus the drafts (it yields τ tokens, F125)."""
    if not dep.spec_tokens:
        return forward_pass(dep, batch, 1, ctx, decode=True)
    positions = 1 + dep.spec_tokens
    verify = forward_pass(dep, batch, positions, ctx, decode=True, logit_positions=positions)
    return dataclasses.replace(verify, draft_s=draft_s(dep, batch, ctx))


def prefill(dep: Deployment, prompt, batch=1, cached=0) -> PassTiming:
    """Prefill of `batch` prompts of `prompt` new tokens each, after `cached` cached tokens."""
    return forward_pass(dep, batch, prompt, cached, decode=False)
