"""One scenario, one flat key schema: the URL, the CLI's CSV columns and named presets.

`parse_scenario` turns a mapping of key -> text (a query string, a CSV row, a preset) into a
frozen `Scenario`, collecting a `FieldError` per bad key; `resolve` turns a scenario into the
`Deployment` the roofline evaluates. Keys and defaults are documented in the README.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping

from .architecture import ModelConfig
from .fields import Field, FieldError, echo
from .hardware import GIGA, TERA, Hardware
from .ops import Precision
from .presets import Catalog, check_model_shapes
from .roofline import Deployment, Efficiency

CUSTOM = "custom"
PROJECT_MFU = 0.6  # defaults for custom hardware; see README "Efficiencies"
PROJECT_MBU = 0.8
CUSTOM_PRICE_USD_PER_HOUR = 2.0  # placeholder: DeepSeek's assumed H800 lease, 2025-03-01

SCENARIO_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("preset", str, doc="a named scenario from presets/scenarios.csv"),
        Field("hw", str, doc="hardware preset id, or custom"),
        Field("model", str, doc="model preset id, or custom"),
        Field("chips", int, 1, 1024, unit="chips", doc="chips per model replica (tensor parallel)"),
        Field("dp_attn", bool, doc="attention data-parallel across the chips (experts/FFN tensor-parallel)"),
        Field("wbits", int, choices=(16, 8, 4), unit="bits", doc="bits per weight"),
        Field("kvbits", int, choices=(16, 8, 4), unit="bits", doc="bits per KV-cache element"),
        Field("abits", int, choices=(16, 8), unit="bits", doc="bits per activation (compute precision)"),
        Field("batch", int, 1, 65536, unit="sequences", doc="sequences per decode step"),
        Field("ctx", int, 0, 10_000_000, unit="tokens", doc="tokens already in each KV cache"),
        Field("prompt", int, 1, 10_000_000, unit="tokens", doc="prompt tokens per request"),
        Field("out", int, 1, 1_000_000, unit="tokens", doc="output tokens per request"),
        Field("price", float, 0.01, 1000, unit="USD per chip-hour"),
        Field("mfu", float, 0.01, 1, doc="achieved fraction of peak FLOP/s"),
        Field("mbu", float, 0.01, 1, doc="achieved fraction of HBM bandwidth"),
        Field("hw_tflops", float, 0.1, 100_000, unit="TFLOP/s", doc="custom: dense peak at compute dtype"),
        Field("hw_tbps", float, 0.01, 1000, unit="TB/s", doc="custom: HBM bandwidth per chip"),
        Field("hw_gb", float, 1, 100_000, unit="GB", doc="custom: HBM per chip"),
        Field("hw_link_gbps", float, 0.1, 100_000, unit="GB/s", doc="custom: scale-up link per direction"),
        Field("layers", int, 1, 1000, doc="custom model: layers"),
        Field("d_model", int, 64, 131072, doc="custom model: hidden size"),
        Field("heads", int, 1, 4096, doc="custom model: query heads"),
        Field("kv_heads", int, 1, 4096, doc="custom model: KV heads"),
        Field("head_dim", int, 1, 4096, doc="custom model: head dimension"),
        Field("ffn", int, 1, 1_000_000, doc="custom model: FFN width (per expert if MoE)"),
        Field("vocab", int, 1, 4_000_000, doc="custom model: vocabulary"),
        Field("experts", int, 0, 4096, doc="custom model: routed experts (0 = dense)"),
        Field("experts_active", int, 0, 4096, doc="custom model: experts per token"),
    )
}
CUSTOM_HW_KEYS = ("hw_tflops", "hw_tbps", "hw_gb", "hw_link_gbps")
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
    preset: str | None = None
    hw_tflops: float | None = None
    hw_tbps: float | None = None
    hw_gb: float | None = None
    hw_link_gbps: float | None = None
    layers: int | None = None
    d_model: int | None = None
    heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    ffn: int | None = None
    vocab: int | None = None
    experts: int | None = None
    experts_active: int | None = None

    def replace(self, **changes) -> "Scenario":
        return dataclasses.replace(self, **changes)

    def to_params(self, catalog: Catalog | None = None) -> dict[str, str]:
        """Keys whose values differ from the defaults (of the preset, if one is set)."""
        base = baseline(self.preset, catalog) if catalog else Scenario()
        params = {"preset": self.preset} if self.preset else {}
        for key in SCENARIO_FIELDS:
            value = getattr(self, key)
            if key != "preset" and value is not None and value != getattr(base, key):
                params[key] = format_value(value)
        return params


DEFAULT_SCENARIO = Scenario()


def format_value(value) -> str:
    """Shortest text form of a key's value (64, 0.75, h100-sxm)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def baseline(preset: str | None, catalog: Catalog) -> Scenario:
    """The defaults, with a named scenario's values applied when `preset` is set."""
    if preset and preset in catalog.scenarios:
        return Scenario(preset=preset, **catalog.scenarios[preset].values)
    return Scenario()


class ScenarioError(ValueError):
    """One or more keys of a scenario are invalid; `errors` names each field."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _typed_values(raw: Mapping[str, object]) -> tuple[dict, list[FieldError]]:
    values, errors = {}, []
    for key, spec in SCENARIO_FIELDS.items():
        if key not in raw or raw[key] is None:
            continue
        item = raw[key]
        if isinstance(item, (list, tuple)):  # repeated URL keys: take the last one
            item = item[-1] if item else ""
        if isinstance(item, str) and not item.strip():
            continue
        try:
            values[key] = spec.parse(item)
        except FieldError as exc:
            errors.append(exc)
    return values, errors


def _menu_error(key: str, value: str, menu: Mapping) -> FieldError:
    return FieldError(key, f"unknown id {echo(value)}; use custom or one of: {', '.join(menu)}")


def check_scenario(s: Scenario, catalog: Catalog) -> list[FieldError]:
    """Cross-field problems: unknown preset ids, missing or inconsistent custom fields."""
    errors = []
    if s.hw == CUSTOM:
        errors += [FieldError(k, "required when hw=custom") for k in CUSTOM_HW_KEYS if getattr(s, k) is None]
    elif s.hw not in catalog.hardware:
        errors.append(_menu_error("hw", s.hw, catalog.hardware))
    if s.model == CUSTOM:
        required = [k for k in CUSTOM_MODEL_KEYS if k not in CUSTOM_MODEL_OPTIONAL]
        missing = [FieldError(k, "required when model=custom") for k in required if getattr(s, k) is None]
        shapes = [] if missing else [FieldError(k, m) for k, m in check_model_shapes(custom_model(s))]
        errors += missing + shapes
    elif s.model not in catalog.models:
        errors.append(_menu_error("model", s.model, catalog.models))
    return errors


def _fallback_key(error: FieldError) -> str:
    """The key to drop so that a lenient parse falls back to a working scenario."""
    if error.field in CUSTOM_HW_KEYS and error.reason.startswith("required"):
        return "hw"
    if error.field in CUSTOM_MODEL_KEYS and error.reason.startswith("required"):
        return "model"
    return error.field


def parse_scenario(raw: Mapping[str, object], catalog: Catalog) -> tuple[Scenario, list[FieldError]]:
    """Parse scenario keys from `raw`; bad keys are reported and fall back to their defaults.

    Returns the scenario built from the valid keys and the list of errors (empty when all
    keys were valid). Keys that are not scenario keys are ignored here.
    """
    values, errors = _typed_values(raw)
    if "preset" in values and values["preset"] not in catalog.scenarios:
        errors.append(_menu_error("preset", values.pop("preset"), catalog.scenarios))
    for _ in range(4):  # each round drops the keys behind the remaining cross-field errors
        scenario = dataclasses.replace(baseline(values.get("preset"), catalog), **values)
        problems = check_scenario(scenario, catalog)
        if not problems:
            return scenario, errors
        errors += problems
        for problem in problems:
            values.pop(_fallback_key(problem), None)
            values.pop(problem.field, None)
    return baseline(None, catalog), errors


def parse_scenario_strict(raw: Mapping[str, object], catalog: Catalog) -> Scenario:
    """Like parse_scenario, but any bad key raises ScenarioError (CLI rows, presets)."""
    scenario, errors = parse_scenario(raw, catalog)
    if errors:
        raise ScenarioError(errors)
    return scenario


def custom_hardware(s: Scenario) -> Hardware:
    peak = s.hw_tflops * TERA
    return Hardware(
        id=CUSTOM,
        name="Custom hardware",
        bf16_flops_per_s=peak,
        eight_bit_flops_per_s=peak,
        hbm_bytes=s.hw_gb * GIGA,
        hbm_bytes_per_s=s.hw_tbps * TERA,
        link_bytes_per_s=s.hw_link_gbps * GIGA,
        usd_per_hour=CUSTOM_PRICE_USD_PER_HOUR,
        mfu=PROJECT_MFU,
        mbu=PROJECT_MBU,
        sources=(("spec_source", "entered by the user"),),
    )


def custom_model(s: Scenario) -> ModelConfig:
    """A model from the custom keys: gated FFN, untied embeddings; MoE on every layer if experts > 0."""
    experts = s.experts or 0
    return ModelConfig(
        id=CUSTOM,
        name="Custom model",
        layers=s.layers,
        d_model=s.d_model,
        heads=s.heads,
        kv_heads=s.kv_heads,
        head_dim=s.head_dim,
        ffn=0 if experts else s.ffn,
        vocab=s.vocab,
        experts=experts,
        experts_active=s.experts_active or 0,
        moe_ffn=s.ffn if experts else 0,
        max_context=10_000_000,
        source="entered by the user",
    )


def hardware_of(s: Scenario, catalog: Catalog) -> Hardware:
    return custom_hardware(s) if s.hw == CUSTOM else catalog.hardware[s.hw]


def model_of(s: Scenario, catalog: Catalog) -> ModelConfig:
    return custom_model(s) if s.model == CUSTOM else catalog.models[s.model]


def activation_bits(s: Scenario, hw: Hardware) -> int:
    """abits if given; else 8 when weights are 8-bit and the chip has an 8-bit peak, else 16."""
    if s.abits is not None:
        return s.abits
    return 8 if s.wbits == 8 and hw.has_eight_bit() else 16


def efficiency_of(s: Scenario, hw: Hardware, calibration=None) -> Efficiency:
    """Hardware defaults, replaced by a calibration for this hardware, replaced by mfu/mbu keys."""
    base = calibration.efficiency_for(hw.id) if calibration is not None else None
    if base is None:
        base = Efficiency(compute=hw.mfu, weights_bw=hw.mbu, kv_bw=hw.mbu)
    if s.mfu is not None:
        base = dataclasses.replace(base, compute=s.mfu)
    if s.mbu is not None:
        base = dataclasses.replace(base, weights_bw=s.mbu, kv_bw=s.mbu)
    return base


def resolve(s: Scenario, catalog: Catalog, calibration=None) -> Deployment:
    """The deployment a scenario describes; ScenarioError if it references unknown presets."""
    errors = check_scenario(s, catalog)
    if errors:
        raise ScenarioError(errors)
    hw = hardware_of(s, catalog)
    abits = activation_bits(s, hw)
    return Deployment(
        model=model_of(s, catalog),
        hardware=hw,
        chips=s.chips,
        precision=Precision.from_bits(s.wbits, s.kvbits),
        eight_bit_compute=abits == 8 and hw.has_eight_bit(),
        efficiency=efficiency_of(s, hw, calibration),
        usd_per_chip_hour=s.price if s.price is not None else hw.usd_per_hour,
        attention_dp=s.dp_attn,
    )
