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
from model.core.deployment import Deployment, Efficiency
from model.core.hardware import Hardware
from model.core.precision import Precision
from model.schema.scenario import (
    CUSTOM,
    CUSTOM_HW_KEYS,
    CUSTOM_MODEL_KEYS,
    CUSTOM_MODEL_OPTIONAL,
    HARDWARE_QUANTITIES,
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
    return errors


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
