"""A deployment: a model on a replica of chips, at a precision, with efficiencies and a price.

`Precision` (bytes per weight, KV element and activation), `Efficiency` (achieved fractions of peak
and the fixed time per kernel: the calibratable parameters) and `Deployment` (what the roofline evaluates),
with the replica-level quantities that follow from them: peaks, KV sharding under tensor or
attention data parallelism, weight bytes per chip, and the time of one tensor-parallel all-reduce.

Parallelism (docs/formulas.md F123, F131): with `ep` = 1 (the default) every layer is tensor-parallel
over the replica's `chips`, as before. With `ep` = e > 1 (e divides `chips`) the routed experts are
split into e groups of E / e, each group on chips / e chips with every expert tensor-parallel over
them (TensorRT-LLM's moe_ep x moe_tp; e = `chips`: whole experts, E / chips per chip); each expert is
stored once. Attention and the dense parts (dense FFN, shared experts, lm_head, norms) are
tensor-parallel over `tp` chips, copied on each of the chips / tp groups (attention data-parallel
when `attention_dp`). Speculative decoding and the
network's two levels are fields here; their physics is in `speculative.py` and `network.py`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from model.core.architecture import ModelConfig
from model.core.hardware import Hardware
from model.core.network import Network
from model.core.precision import Precision

ALLREDUCES_PER_LAYER = 2  # after attention and after the FFN (Megatron-style TP; docs/formulas.md F20; [Shoeybi 2019], [Chen 2022], [Erdil 2025])
ATTENTION_OPS = ("qkv_proj", "attention", "out_proj")  # replicated per chip under attention data parallelism
EXPERT_OP = "moe_experts"  # the routed experts: spread over the chips, never copied
LOOKUP_OP = "embedding_lookup"  # rows looked up per token: split with the tokens, never copied


MAX_KERNEL_S = 1e-3  # a fixed cost per kernel above 1 ms is not a kernel's


def ep_choices(chips: int, experts: int) -> list[int]:
    """The expert-parallel degrees a replica of `chips` chips accepts: the divisors of `chips`, at
    most `experts` for an MoE model (every expert group holds at least one expert; F131)."""
    return [e for e in range(1, chips + 1) if not chips % e and (e == 1 or not experts or e <= experts)]


def ep_problem(chips: int, ep: int, experts: int) -> str | None:
    """Why `ep` is not an expert-parallel degree of `chips` chips (None when it is)."""
    choices = ep_choices(chips, experts)
    if ep in choices:
        return None
    shown = ", ".join(map(str, choices[:12])) + (", ..." if len(choices) > 12 else "")
    limit = f" and be at most experts ({experts})" if experts else ""
    return f"must divide chips ({chips}){limit}: one of {shown}; got {ep}"


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
    tp: int | None = None  # tensor-parallel degree of attention and dense layers; None: chips
    ep: int = 1  # expert-parallel degree e: expert groups, each tensor-parallel over chips / e (F131)
    ep_max_domains: int = 0  # node-limited routing: scale-up domains a token may reach; 0: any
    scaleup_chips: int | None = None  # chips per scale-up domain; None: the whole replica (flat)
    scaleout_bytes_per_s: float | None = None  # per chip per direction, leaving the domain
    overlap: bool = False  # two micro-batches: communication hidden behind compute (F124)
    spec_tokens: int = 0  # draft tokens verified per decode step (F125)
    spec_accept: float = 0.0  # acceptance rate per draft token
    draft_model: ModelConfig | None = None  # the draft; None: an MTP head (one extra layer per draft token)
    four_bit_compute: bool = False  # FP4 GEMMs (abits=4) on a chip with an FP4 peak
    attention_bf16: bool = False  # the attention core (QK^T, PV) at the bf16 peak whatever the GEMMs run at (F129)
    random_routing: bool = False  # routing=random: expected loads balanced, each step's draw not (F141)

    def __post_init__(self):
        tp = self.tp_degree
        if self.chips % tp:
            raise ValueError(f"tp: must divide chips ({self.chips}); got {tp}")
        problem = ep_problem(self.chips, self.ep, self.model.experts)
        if problem:
            raise ValueError(f"ep: {problem}")
        if self.ep == 1 and tp != self.chips:
            raise ValueError(f"tp: must equal chips ({self.chips}) unless ep > 1; got {tp}")
        if not (0 <= self.spec_accept <= 1):
            raise ValueError(f"spec_accept: must be in [0, 1]; got {self.spec_accept!r}")

    def on_chips(self, chips: int) -> Deployment:
        """The same layout on `chips` chips: experts still spread over all of them when `ep` =
        `chips`, else over the largest common divisor of the old ep and `chips` that has experts
        (the fewest: 1); tp the largest common divisor of the old tp and `chips` (chips when ep = 1)."""
        ep = chips if self.ep == self.chips > 1 else math.gcd(self.ep, chips)
        ep = max(e for e in ep_choices(chips, self.model.experts) if e <= ep and not ep % e)
        tp = None if ep == 1 or self.tp is None else math.gcd(self.tp_degree, chips)
        return dataclasses.replace(self, chips=chips, ep=ep, tp=tp)

    @property
    def tp_degree(self) -> int:
        """Tensor-parallel degree of attention and the dense layers (the replica's chips by default)."""
        return self.chips if self.tp is None else self.tp

    @property
    def expert_parallel(self) -> bool:
        return self.ep > 1 and self.model.is_moe

    @property
    def expert_tp(self) -> int:
        """Chips each routed expert is tensor-parallel over: chips / ep (1 with whole experts)."""
        return self.chips // self.ep

    @property
    def network(self) -> Network:
        """The two levels this replica's collectives cross (a flat replica by default)."""
        scaleup = self.chips if self.scaleup_chips is None else self.scaleup_chips
        return Network(scaleup, self.hardware.link_bytes_per_s, self.scaleout_bytes_per_s,
                       self.efficiency.allreduce_latency_s)

    @property
    def peak_flops_per_s(self) -> float:
        """Dense FLOP/s of the whole replica at the compute precision."""
        return self.chips * self.hardware.peak_flops_per_s(self.eight_bit_compute, self.four_bit_compute)

    def op_peak_flops_per_s(self, op_name: str) -> float:
        """The replica's dense peak for one op (F129): the attention core runs at the bf16 peak when
        `attention_bf16`, and at most at the 8-bit peak under FP4 (FP4 is a GEMM format); every other
        op at the compute precision."""
        if op_name == "attention" and (self.attention_bf16 or self.four_bit_compute):
            eight = not self.attention_bf16 and self.hardware.has_eight_bit()
            return self.chips * self.hardware.peak_flops_per_s(eight)
        return self.peak_flops_per_s

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
        tp = self.tp_degree
        return math.ceil(heads / tp) / heads * tp / self.chips

    @property
    def kv_replication(self) -> float:
        """How many copies of the KV cache the replica holds (1 when KV heads split evenly)."""
        return self.kv_chip_fraction * self.chips

    @property
    def weight_bytes(self) -> float:
        return self.model.total_params * self.precision.bytes_per_weight

    def weight_copies(self, op_name: str) -> int:
        """Copies of an op's weights in the replica: `chips` for attention under attention DP; the
        chips / tp data-parallel groups for the other dense parts; 1 for routed experts and lookups."""
        if op_name in ATTENTION_OPS and self.attention_dp:
            return self.chips
        if op_name in (EXPERT_OP, LOOKUP_OP):
            return 1
        return self.chips // self.tp_degree

    @property
    def weight_bytes_per_chip(self) -> float:
        """HBM each chip spends on weights: its share, plus the copies of attention and dense parts."""
        m, b = self.model, self.precision.bytes_per_weight
        attention = m.attn_params_total * b
        routed = m.moe_layers * (m.experts * m.expert_params + m.router_params_per_layer) * b if m.is_moe else 0.0
        dense = self.weight_bytes - attention - routed
        attention_copies = self.chips if self.attention_dp else self.chips // self.tp_degree
        dense_copies = self.chips // self.tp_degree
        return (routed + attention * attention_copies + dense * dense_copies) / self.chips

    def allreduce_s(self, tokens) -> np.ndarray:
        """Time of one tensor-parallel all-reduce of the activations of `tokens` tokens (per tp group).

        Inside one domain: 2·(n−1)/n · V / link (docs/formulas.md F18) plus a latency of
        6 µs + 2 µs·(√n − 1) (F19); across domains hierarchical (F121, `network.Network`).
        """
        volume = np.asarray(tokens, dtype=float) * self.model.d_model * self.precision.bytes_per_activation
        return self.network.allreduce_s(volume, self.tp_degree)


