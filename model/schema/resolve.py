"""Turn a `Scenario` into the `Deployment` the roofline evaluates, and check cross-field rules.

Custom hardware and models are built from the custom keys; efficiencies come from the hardware
preset, replaced by an active calibration, replaced by explicit `mfu`/`mbu` keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from model.base.fields import FieldError, echo
from model.base.limits import MAX_TOKENS
from model.catalog.presets import Catalog
from model.core.architecture import ModelConfig, shape_problems
from model.core.deployment import Deployment, Efficiency, ep_problem
from model.core.hardware import Hardware
from model.core.precision import Precision
from model.schema.scenario import (
    CUSTOM,
    CUSTOM_HW_KEYS,
    CUSTOM_MODEL_KEYS,
    CUSTOM_MODEL_OPTIONAL,
    HARDWARE_QUANTITIES,
    MTP,
    SCENARIO_FIELDS,
    Scenario,
)

PROJECT_MFU = 0.6  # defaults for custom hardware; see README "Efficiencies"
PROJECT_MBU = 0.8
CUSTOM_PRICE_USD_PER_HOUR = 2.0  # placeholder: DeepSeek's assumed H800 lease, 2025-03-01

class ScenarioError(ValueError):
    """One or more keys of a scenario are invalid; `errors` names each field."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def menu_error(key: str, value: str, menu: Mapping) -> FieldError:
    return FieldError(key, "unknown_id", f"unknown id {echo(value)}; use custom or one of: {', '.join(menu)}")


def check_scenario(s: Scenario, catalog: Catalog) -> list[FieldError]:
    """Cross-field problems: unknown preset ids ("unknown_id"), missing custom fields ("required",
    with the accepted range) and an inconsistent custom model ("cross_field")."""
    errors = []
    if s.hw == CUSTOM:
        errors += [SCENARIO_FIELDS[k].missing("required when hw=custom") for k in CUSTOM_HW_KEYS if getattr(s, k) is None]
    elif s.hw not in catalog.hardware:
        errors.append(menu_error("hw", s.hw, catalog.hardware))
    if s.model == CUSTOM:
        required = [k for k in CUSTOM_MODEL_KEYS if k not in CUSTOM_MODEL_OPTIONAL]
        missing = [SCENARIO_FIELDS[k].missing("required when model=custom") for k in required if getattr(s, k) is None]
        shapes = [] if missing else [FieldError(k, "cross_field", m) for k, m in shape_problems(custom_model(s))]
        errors += missing + shapes
    elif s.model not in catalog.models:
        errors.append(menu_error("model", s.model, catalog.models))
    return errors + parallel_problems(s, catalog)


def _cross(key: str, message: str) -> FieldError:
    return FieldError(key, "cross_field", message)


def parallel_problems(s: Scenario, catalog: Catalog) -> list[FieldError]:
    """Parallelism, network, precision and draft keys inconsistent with the rest ("cross_field",
    "required", "unknown_id"); each names the key to change (docs/formulas.md F123)."""
    errors = []
    tp = s.chips if s.tp is None else s.tp
    experts = _experts(s, catalog)
    problem = None if experts is None else ep_problem(s.chips, s.ep, experts)
    if problem:
        errors.append(_cross("ep", problem))
    if s.chips % tp:
        errors.append(_cross("tp", f"must divide chips ({s.chips}); got {tp}"))
    elif tp != s.chips and s.ep == 1:
        errors.append(_cross("tp", f"below chips ({s.chips}) only with ep > 1 (experts spread over the replica)"))
    if s.abits == 4 and s.wbits != 4:
        errors.append(_cross("abits", "4 (FP4 compute) needs wbits = 4"))
    if s.spec_draft != MTP and s.spec_draft not in catalog.models:
        errors.append(FieldError("spec_draft", "unknown_id", f"must be mtp or a model id; got {echo(s.spec_draft)}"))
    if (s.hw != CUSTOM and s.hw not in catalog.hardware) or (s.hw == CUSTOM and None in
                                                             (getattr(s, k) for k in CUSTOM_HW_KEYS)):
        return errors
    scaleup = s.chips if s.scaleup is None else s.scaleup
    if scaleup < s.chips and s.scaleout_gbps is None and not hardware_of(s, catalog).scaleout_bytes_per_s:
        errors.append(SCENARIO_FIELDS["scaleout_gbps"].missing(
            f"required: the replica spans several scale-up domains of {scaleup} chips and the hardware states no scale-out"))
    return errors


def _experts(s: Scenario, catalog: Catalog) -> int | None:
    """Routed experts of the scenario's model (None when the model is unknown or incomplete)."""
    if s.model == CUSTOM:
        return None if s.layers is None else (s.experts or 0)
    return catalog.models[s.model].experts if s.model in catalog.models else None


def custom_hardware(s: Scenario) -> Hardware:
    """A chip from the custom keys (HARDWARE_QUANTITIES); its 8-bit peak is its dense peak."""
    numbers = {q.attribute: getattr(s, q.key) * q.scale for q in HARDWARE_QUANTITIES}
    return Hardware(
        id=CUSTOM,
        name="Custom hardware",
        eight_bit_flops_per_s=numbers["bf16_flops_per_s"],
        **numbers,
        usd_per_hour=CUSTOM_PRICE_USD_PER_HOUR,
        mfu=PROJECT_MFU,
        mbu=PROJECT_MBU,
        sources=(("spec_source", "entered by the user"),),
        scaleout_bytes_per_s=s.scaleout_gbps * 1e9 if s.scaleout_gbps else None,
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
        max_context=MAX_TOKENS,
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


def calibration_key(s: Scenario) -> str:
    """The entry of a calibration that applies to a scenario: the hardware preset id, or for
    hw=custom the user's `hw_name` ('custom' when none is given)."""
    return (s.hw_name or CUSTOM) if s.hw == CUSTOM else s.hw


def efficiency_of(s: Scenario, hw: Hardware, calibration=None) -> Efficiency:
    """Hardware defaults (with the chip's attention fraction and time per kernel), replaced by a
    calibration for this hardware, replaced by mfu/mbu keys."""
    base = calibration.efficiency_for(calibration_key(s)) if calibration is not None else None
    if base is None:
        base = Efficiency(mfu=hw.mfu, weights_mbu=hw.mbu, kv_mbu=hw.mbu, kernel_s=hw.kernel_s,
                          attention_mfu=hw.attention_mfu)
    if s.mfu is not None:  # one compute efficiency, as the key always meant: GEMMs and attention
        base = dataclasses.replace(base, mfu=s.mfu, attention_mfu=s.mfu)
    if s.mbu is not None:
        base = dataclasses.replace(base, weights_mbu=s.mbu, kv_mbu=s.mbu)
    return base


def resolve(s: Scenario, catalog: Catalog, calibration=None) -> Deployment:
    """The deployment a scenario describes; ScenarioError if it references unknown presets."""
    errors = check_scenario(s, catalog)
    if errors:
        raise ScenarioError(errors)
    hw = hardware_of(s, catalog)
    abits = activation_bits(s, hw)
    four_bit = abits == 4 and hw.has_fp4()
    scaleout = s.scaleout_gbps * 1e9 if s.scaleout_gbps is not None else hw.scaleout_bytes_per_s
    return Deployment(
        model=model_of(s, catalog),
        hardware=hw,
        chips=s.chips,
        precision=Precision.from_bits(s.wbits, s.kvbits, s.wscale),
        eight_bit_compute=abits in (8, 4) and not four_bit and hw.has_eight_bit(),
        efficiency=efficiency_of(s, hw, calibration),
        usd_per_chip_hour=s.price if s.price is not None else hw.usd_per_hour,
        attention_dp=s.dp_attn,
        tp=s.tp,
        ep=s.ep,
        ep_max_domains=s.ep_nodes,
        scaleup_chips=s.scaleup,
        scaleout_bytes_per_s=scaleout,
        overlap=s.overlap,
        spec_tokens=s.spec,
        spec_accept=s.spec_accept,
        draft_model=None if s.spec_draft == MTP else catalog.models[s.spec_draft],
        four_bit_compute=four_bit,
        attention_bf16=s.attn_bits == 16,
        random_routing=s.routing == "random",
    )
