"""The scenario keys: one frozen `Scenario` and one table of `Field`s for every key.

A leaf of the schema: links, CSV columns and named presets all use these keys (README "Scenario
keys"). Parsing a mapping of text into a `Scenario` is `model.schema.parse`; turning it into the
`Deployment` the roofline evaluates is `model.schema.resolve`.

`HARDWARE_QUANTITIES` is the one table of a chip's numbers: the presets/hardware.csv column, the
custom-hardware scenario key, the unit, its SI scale and the accepted range of each. The custom
keys here and the hardware preset fields (`model.catalog.presets.HARDWARE_FIELDS`) derive from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from model.base.fields import Field
from model.base.limits import MAX_BATCH, MAX_CHIPS, MAX_OUTPUT_TOKENS, MAX_TOKENS
from model.base.units import GIGA, TERA

CUSTOM = "custom"


@dataclass(frozen=True)
class HardwareQuantity:
    """One number of a chip: `attribute` of `Hardware` (SI) = value in `unit` × `scale`."""

    attribute: str  # Hardware attribute, SI (FLOP/s, B/s, B)
    column: str  # presets/hardware.csv column
    key: str  # custom-hardware scenario key
    unit: str
    scale: float
    lo: float
    hi: float
    doc: str

    def column_field(self) -> Field:
        return Field(self.column, float, self.lo, self.hi, unit=self.unit)

    def key_field(self) -> Field:
        return Field(self.key, float, self.lo, self.hi, unit=self.unit, doc=f"custom: {self.doc}")


HARDWARE_QUANTITIES = (
    HardwareQuantity("bf16_flops_per_s", "bf16_tflops", "hw_tflops", "TFLOP/s", TERA, 1, 100_000,
                     "dense peak at compute dtype"),
    HardwareQuantity("hbm_bytes_per_s", "hbm_tbps", "hw_tbps", "TB/s", TERA, 0.01, 1000, "HBM bandwidth per chip"),
    HardwareQuantity("hbm_bytes", "hbm_gb", "hw_gb", "GB", GIGA, 1, 100_000, "HBM per chip"),
    HardwareQuantity("link_bytes_per_s", "link_gbps", "hw_link_gbps", "GB/s", GIGA, 0.1, 100_000,
                     "scale-up link per direction"),
)
FRONTIER_FIELDS = (  # parallelism, two-level network, FP4 scales, speculative decoding (issue 12)
    Field("tp", int, 1, MAX_CHIPS, unit="chips", doc="tensor-parallel degree of attention/dense layers (default: chips)"),
    Field("ep", int, 1, MAX_CHIPS, unit="chips", doc="expert-parallel degree: a divisor of chips, at most experts"),
    Field("ep_nodes", int, 0, MAX_CHIPS, unit="domains", doc="node-limited routing: domains a token may reach (0: any)"),
    Field("scaleup", int, 1, MAX_CHIPS, unit="chips", doc="chips per scale-up domain (default: the replica)"),
    Field("scaleout_gbps", float, 0.1, 100_000, unit="GB/s", doc="scale-out bandwidth per chip per direction"),
    Field("overlap", bool, doc="dual micro-batch overlap of communication with compute"),
    Field("spec", int, 0, 16, unit="draft tokens", doc="speculative draft tokens per decode step"),
    Field("spec_accept", float, 0, 1, doc="acceptance rate per draft token"),
    Field("spec_draft", str, doc="draft: mtp, or a model preset id"),
    Field("wscale", str, choices=("none", "nvfp4", "mxfp4"), doc="block scales of 4-bit weights"),
    Field("attn_bits", int, choices=(16, 8), unit="bits", doc="attention core precision (default: the compute precision)"),
    Field("routing", str, choices=("balanced", "random"),
          doc="expert routing: balanced (each chip its exact share) or random (expected loads balanced, F141)"),
)
SPEC_ACCEPT_DEFAULT = 0.85  # DeepSeek-V3 report §5.4.3: 85-90% of second-token MTP drafts accepted
MTP = "mtp"

SCENARIO_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("preset", str, doc="a named scenario from presets/scenarios.csv"),
        Field("hw", str, doc="hardware preset id, or custom"),
        Field("model", str, doc="model preset id, or custom"),
        Field("chips", int, 1, MAX_CHIPS, unit="chips", doc="chips per model replica (tensor parallel)"),
        Field("dp_attn", bool, doc="attention data-parallel across the chips (experts/FFN tensor-parallel)"),
        Field("wbits", int, choices=(16, 8, 4), unit="bits", doc="bits per weight"),
        Field("kvbits", int, choices=(16, 8, 4), unit="bits", doc="bits per KV-cache element"),
        Field("abits", int, choices=(16, 8, 4), unit="bits", doc="bits per activation (compute precision)"),
        Field("batch", int, 1, MAX_BATCH, unit="sequences", doc="sequences per decode step"),
        Field("ctx", int, 0, MAX_TOKENS, unit="tokens", doc="tokens already in each KV cache"),
        Field("prompt", int, 1, MAX_TOKENS, unit="tokens", doc="prompt tokens per request"),
        Field("out", int, 1, MAX_OUTPUT_TOKENS, unit="tokens", doc="output tokens per request"),
        Field("price", float, 0.01, 1000, unit="USD per chip-hour"),
        Field("mfu", float, 0.01, 1, doc="achieved fraction of peak FLOP/s"),
        Field("mbu", float, 0.01, 1, doc="achieved fraction of HBM bandwidth"),
        Field("slo_tps", float, 0, 10_000, unit="tokens/s per user",
              doc="tier speed target per user (0 = none: best case); sets the SLO batch of the knees and tiers"),
        *(q.key_field() for q in HARDWARE_QUANTITIES),
        Field("hw_name", str, doc="custom hardware: the name its calibration is stored under"),
        Field("layers", int, 1, 1000, doc="custom model: layers"),
        Field("d_model", int, 64, 131072, doc="custom model: hidden size"),
        Field("heads", int, 1, 4096, doc="custom model: query heads"),
        Field("kv_heads", int, 1, 4096, doc="custom model: KV heads"),
        Field("head_dim", int, 1, 4096, doc="custom model: head dimension"),
        Field("ffn", int, 1, 1_000_000, doc="custom model: FFN width (per expert if MoE)"),
        Field("vocab", int, 1, 4_000_000, doc="custom model: vocabulary"),
        Field("experts", int, 0, 4096, doc="custom model: routed experts (0 = dense)"),
        Field("experts_active", int, 0, 4096, doc="custom model: experts per token"),
        *FRONTIER_FIELDS,
    )
}
CUSTOM_HW_KEYS = tuple(q.key for q in HARDWARE_QUANTITIES)
CUSTOM_MODEL_KEYS = ("layers", "d_model", "heads", "kv_heads", "head_dim", "ffn", "vocab", "experts", "experts_active")
CUSTOM_MODEL_OPTIONAL = ("experts", "experts_active")


@dataclass(frozen=True)
class Scenario:
    """Hardware, model, precision, deployment, workload, efficiencies and price.

    None means "take it from the preset": abits follows wbits, price/mfu/mbu follow the
    hardware preset (or an active calibration), custom fields are unused unless hw/model is custom.
    """

    hw: str = "h100-sxm"
    model: str = "llama-3.1-70b"
    chips: int = 8
    dp_attn: bool = False
    wbits: int = 16
    kvbits: int = 16
    abits: int | None = None
    batch: int = 64
    ctx: int = 8192
    prompt: int = 4096
    out: int = 1024
    price: float | None = None
    mfu: float | None = None
    mbu: float | None = None
    slo_tps: float = 20.0  # presets/long_context.csv: DeepSeek's 20-22 tokens/s per user (2025-03-01)
    preset: str | None = None
    hw_tflops: float | None = None
    hw_tbps: float | None = None
    hw_gb: float | None = None
    hw_link_gbps: float | None = None
    hw_name: str | None = None  # custom hardware: the calibration entry that applies to it
    layers: int | None = None
    d_model: int | None = None
    heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    ffn: int | None = None
    vocab: int | None = None
    experts: int | None = None
    experts_active: int | None = None
    tp: int | None = None  # None: chips
    ep: int = 1
    ep_nodes: int = 0
    scaleup: int | None = None  # None: the replica is one scale-up domain (flat, as before)
    scaleout_gbps: float | None = None  # None: the hardware preset's
    overlap: bool = False
    spec: int = 0
    spec_accept: float = SPEC_ACCEPT_DEFAULT
    spec_draft: str = MTP
    wscale: str = "none"
    attn_bits: int | None = None  # None: attention at the compute precision (8-bit at most)
    routing: str = "balanced"

    def replace(self, **changes) -> Scenario:
        return dataclasses.replace(self, **changes)

DEFAULT_SCENARIO = Scenario()


def format_value(value) -> str:
    """Shortest text form of a key's value (64, 0.75, h100-sxm)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return str(value)
