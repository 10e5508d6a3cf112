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
Communication is exposed unless `overlap` is on: then the pass runs as two micro-batches, each
one's communication hidden only behind the other's compute that runs at the same time, stage by
stage (docs/formulas.md F124, F140). With speculative decoding a
decode step is one verification pass over 1 + γ tokens per sequence plus the drafts (F125, F126).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.core.deployment import ALLREDUCES_PER_LAYER, EXPERT_OP, Deployment
from model.core.ops import OpCost, forward_ops
from model.core.overlap import ATTENTION_STAGE, COMM_SM_SHARE, DENSE_FFN_STAGE, MOE_STAGE, schedule_s, splits
from model.core.parallel import routing_imbalance
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


def time_ops(dep: Deployment, ops: list[OpCost], tokens=None) -> list[OpTiming]:
    """Each op's roofline times on the replica; the routed experts' compute and activations on the
    busiest chip when routing is random (F141, needs the pass's `tokens`)."""
    timed = _time_ops(dep, ops)
    if tokens is None or not dep.random_routing:
        return timed
    hot = routing_imbalance(dep, tokens)
    return [dataclasses.replace(op, compute_s=op.compute_s * hot, act_s=op.act_s * hot) if op.name == EXPERT_OP
            else op for op in timed]


def _time_ops(dep: Deployment, ops: list[OpCost]) -> list[OpTiming]:
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


def allreduce_one_s(dep: Deployment, tokens) -> np.ndarray:
    """One tensor-parallel all-reduce of a layer over the tp group's share of `tokens` (F20, F121)."""
    return dep.allreduce_s(np.asarray(tokens, dtype=float) * dep.tp_degree / dep.chips)


def allreduce_total_s(dep: Deployment, tokens) -> np.ndarray:
    """The pass's tensor-parallel all-reduces: two per layer (F20, F121)."""
    return ALLREDUCES_PER_LAYER * dep.model.layers * allreduce_one_s(dep, tokens)


def all_to_all_total_s(dep: Deployment, tokens, decode: bool = False) -> np.ndarray:
    """The pass's expert-parallel communication per MoE layer (F122, F131): dispatch + combine over
    the ep group and, when each expert is tensor-parallel over chips / ep chips, one all-reduce of the
    tokens routed to a group inside it. 0 without EP, and 0 when attention and the dense parts are
    tensor-parallel over the whole replica (tp = chips): every chip then holds every token and the
    experts' partial sums join the FFN all-reduce (F20) that runs anyway (TensorRT-LLM's layout).
    Decode sends every copy directly (DeepEP's low-latency mode, F130); prefill forwards per domain."""
    dispatch, combine = dispatch_combine_s(dep, tokens, decode)
    return dep.model.moe_layers * (dispatch + combine)


def dispatch_combine_s(dep: Deployment, tokens, decode: bool) -> tuple[np.ndarray, np.ndarray]:
    """One MoE layer's dispatch, and its combine with the all-reduce inside each expert's tensor-parallel
    group (F122, F130, F131), for `tokens` tokens; zeros as `all_to_all_total_s` says."""
    tokens = np.asarray(tokens, dtype=float)
    if not dep.expert_parallel or dep.tp_degree == dep.chips:
        return np.zeros_like(tokens), np.zeros_like(tokens)
    m, e, expert_tp, per_chip = dep.model, dep.ep, dep.expert_tp, tokens / dep.chips
    net = dep.network  # expert-TP groups are contiguous chips; an ep group takes one chip of each
    group_net = dataclasses.replace(net, scaleup_chips=max(1, net.domain(dep.chips)[0] // expert_tp))
    row = m.d_model * dep.precision.bytes_per_activation
    dispatch_row = m.d_model * DISPATCH_8BIT_BYTES if dep.eight_bit_compute or dep.four_bit_compute else row
    hot = routing_imbalance(dep, tokens)  # the busiest chip receives `hot` times its share (F141)
    dispatch, combine = (hot * group_net.all_to_all_s(per_chip, e, m.experts_active, b, dep.ep_max_domains,
                                                      direct=decode) for b in (dispatch_row, row))
    group_tokens = tokens * -np.expm1(m.experts_active * np.log1p(-1 / e))  # T·(1 − (1 − 1/e)^k) per group
    return dispatch, combine + net.allreduce_s(group_tokens * row, expert_tp)


def _with_logits(ops: list[OpCost], positions: int) -> list[OpCost]:
    """lm_head on `positions` tokens per sequence (verification scores every draft position)."""
    if positions == 1:
        return ops
    return [dataclasses.replace(op, flops=op.flops * positions, act_traffic_bytes=op.act_traffic_bytes * positions)
            if op.name == "lm_head" else op for op in ops]


def forward_pass(dep: Deployment, batch, new_tokens, ctx, decode: bool, logit_positions: int = 1) -> PassTiming:
    """Roofline timing of one forward pass of `batch` sequences (see ops.forward_ops); with
    `overlap`, two micro-batches on the schedule of F140."""
    if dep.overlap:  # a decode step of one sequence cannot be split: it runs whole
        split = splits(batch, new_tokens, decode)
        if np.all(split):
            return _two_micro_batches(dep, batch, new_tokens, ctx, decode, logit_positions)
        whole = forward_pass(dataclasses.replace(dep, overlap=False), batch, new_tokens, ctx, decode, logit_positions)
        if not np.any(split):
            return whole
        halves = _two_micro_batches(dep, np.where(split, batch, 2), new_tokens, ctx, decode, logit_positions)
        return _where(split, halves, whole)
    ops = _with_logits(forward_ops(dep.model, dep.precision, batch, new_tokens, ctx, decode), logit_positions)
    tokens = np.asarray(batch, dtype=float) * np.asarray(new_tokens, dtype=float)
    a2a = all_to_all_total_s(dep, tokens, decode)
    return PassTiming(ops=time_ops(dep, ops, tokens), comms_s=allreduce_total_s(dep, tokens), all_to_all_s=a2a,
                      all_to_all_total_s=a2a)


def _where(mask, a, b):
    """Field by field, `a` where `mask` holds and `b` elsewhere (PassTiming, OpTiming, OpCost or arrays)."""
    if dataclasses.is_dataclass(a):
        return dataclasses.replace(a, **{f.name: _where(mask, getattr(a, f.name), getattr(b, f.name))
                                         for f in dataclasses.fields(a) if f.name != "name"})
    if isinstance(a, list):
        return [_where(mask, x, y) for x, y in zip(a, b, strict=True)]
    return np.where(mask, a, b)


def _both(op: OpTiming) -> OpTiming:
    """The work of two equal micro-batches as one op: every cost and time doubled."""
    c = op.cost
    cost = dataclasses.replace(c, flops=2 * c.flops, weight_traffic_bytes=2 * c.weight_traffic_bytes,
                               kv_traffic_bytes=2 * c.kv_traffic_bytes, act_traffic_bytes=2 * c.act_traffic_bytes,
                               kernels=2 * np.asarray(c.kernels))
    return OpTiming(cost, 2 * op.compute_s, 2 * op.weights_s, 2 * op.kv_s, 2 * op.act_s, 2 * np.asarray(op.kernel_s))


def _two_micro_batches(dep: Deployment, batch, new_tokens, ctx, decode: bool, logit_positions: int) -> PassTiming:
    """F140: each micro-batch is half the batch (its own weight reads and kernels); per layer its
    compute and communication stages run on the schedule of `overlap.schedule_s`; embedding and
    lm_head run outside it. Exposed communication = pass time − the ops' time (split pro rata)."""
    m, half = dep.model, np.asarray(batch, dtype=float) / 2
    tokens = half * np.asarray(new_tokens, dtype=float)
    timed = time_ops(dep, _with_logits(forward_ops(m, dep.precision, half, new_tokens, ctx, decode), logit_positions),
                     tokens)
    if dep.expert_parallel and not decode:  # the forwarding all-to-all runs on SMs taken from compute
        timed = [dataclasses.replace(op, compute_s=op.compute_s / (1 - COMM_SM_SHARE)) for op in timed]
    per = {op.name: op.time_s for op in timed}
    reduce_s = allreduce_one_s(dep, tokens)
    dispatch, combine = dispatch_combine_s(dep, tokens, decode)
    def stage(names, layers):  # one layer's share of those ops
        return sum(per.get(name, 0.0) for name in names) / max(layers, 1)

    attention = stage(ATTENTION_STAGE, m.layers)
    groups = [(m.dense_ffn_layers, attention, reduce_s, stage(DENSE_FFN_STAGE, m.dense_ffn_layers), reduce_s),
              (m.moe_layers, attention, reduce_s + dispatch, stage(MOE_STAGE, m.moe_layers), combine + reduce_s)]
    total = schedule_s(groups) + 2 * (per["embedding_lookup"] + per["lm_head"])
    ops = [_both(op) for op in timed]
    work = PassTiming(ops=ops, comms_s=0.0).ops_s
    reduces = 2 * ALLREDUCES_PER_LAYER * m.layers * reduce_s  # both micro-batches' all-reduces
    a2a = 2 * m.moe_layers * (dispatch + combine)
    talk = reduces + a2a
    exposed = np.maximum(total - work, 0.0)
    share = np.divide(exposed, talk, out=np.zeros(np.broadcast(exposed, talk).shape), where=talk > 0)
    return PassTiming(ops=ops, comms_s=reduces * share, all_to_all_s=a2a * share,
                      hidden_comms_s=np.maximum(talk - exposed, 0.0), all_to_all_total_s=a2a)


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
