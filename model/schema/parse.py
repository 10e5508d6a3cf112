"""Parse scenario keys (a query string, a CSV row, a preset) into a `Scenario`.

`parse_scenario` collects one `FieldError` per bad key and falls back to defaults for those
keys only; `parse_scenario_strict` raises `ScenarioError` instead (CLI rows, presets). A custom-model
key that only another key makes invalid (`kv_heads` above `heads`, `experts_active` outside
[1, `experts`]) is clamped into range instead (`clamp_custom_model`), named once with the value used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from model.base.fields import FieldError
from model.catalog.presets import Catalog
from model.schema.resolve import ScenarioError, check_scenario, menu_error
from model.schema.scenario import (
    CUSTOM,
    CUSTOM_HW_KEYS,
    CUSTOM_MODEL_KEYS,
    FRONTIER_FIELDS,
    SCENARIO_FIELDS,
    Scenario,
    format_value,
)

FRONTIER_KEYS = {f.name for f in FRONTIER_FIELDS}


def baseline(preset: str | None, catalog: Catalog) -> Scenario:
    """The defaults, with a named scenario's values applied when `preset` is set."""
    if preset and preset in catalog.scenarios:
        return Scenario(preset=preset, **catalog.scenarios[preset].values)
    return Scenario()


def scenario_params(s: Scenario, catalog: Catalog) -> dict[str, str]:
    """The shortest keys that reopen `s`: `preset` if set, then every key whose value differs from
    the preset's (from the global default where the preset does not set it), even when it equals
    the global default. Custom hardware (model) fields only with hw=custom (model=custom): they
    mean nothing otherwise."""
    base = baseline(s.preset, catalog)
    params = {"preset": s.preset} if s.preset else {}
    unused = (set() if s.hw == CUSTOM else set(CUSTOM_HW_KEYS)) | (set() if s.model == CUSTOM else set(CUSTOM_MODEL_KEYS))
    for key in SCENARIO_FIELDS:
        value = getattr(s, key)
        if key != "preset" and key not in unused and value is not None and value != getattr(base, key):
            params[key] = format_value(value)
    return params


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


def _custom_bounds(s: Scenario) -> dict[str, tuple[int, int, str]]:
    """The custom-model keys whose range other keys set: key -> (lo, hi, what sets hi)."""
    bounds = {"kv_heads": (1, s.heads, f"at most heads={s.heads}")} if s.heads else {}
    if s.experts:
        bounds["experts_active"] = (1, s.experts, f"at most experts={s.experts}")
    return bounds


def clamp_custom_model(s: Scenario) -> tuple[Scenario, list[FieldError]]:
    """`s` with the custom-model keys that other keys make invalid clamped into their range, and one
    "cross_field" error per clamped key naming the range and the value used (only for model=custom)."""
    if s.model != CUSTOM:
        return s, []
    changes, errors = {}, []
    for key, (lo, hi, why) in _custom_bounds(s).items():
        value = getattr(s, key)
        if value is None and key == "kv_heads":  # missing: check_scenario names it as required
            continue
        given = "not given" if value is None else f"got {value}"
        value = value or 0
        if not lo <= value <= hi:
            changes[key] = min(max(value, lo), hi)
            errors.append(FieldError(key, "cross_field", f"must be in [{lo}, {hi}] ({why}); {given}; "
                                                         f"using {changes[key]}"))
    return s.replace(**changes), errors


def _keys_to_drop(error: FieldError) -> set[str]:
    """The keys a lenient parse drops for one cross-field error: the key itself, and hw or model
    when a custom field is missing or the custom model is inconsistent (they fall back together)."""
    keys = {error.field}
    if error.field in FRONTIER_KEYS or error.field == "abits":
        return keys | ({"scaleup"} if error.field == "scaleout_gbps" else set())
    if error.kind in ("required", "cross_field"):
        if error.field in CUSTOM_HW_KEYS:
            keys.add("hw")
        else:  # custom-model fields (shape problems may name derived ones, e.g. moe_ffn)
            keys.add("model")
    return keys


def parse_scenario(raw: Mapping[str, object], catalog: Catalog) -> tuple[Scenario, list[FieldError]]:
    """Parse scenario keys from `raw`; bad keys are reported and fall back to their defaults.

    Returns the scenario built from the valid keys and the list of errors (empty when all
    keys were valid), one per field. Keys that are not scenario keys are ignored here. Invalid
    values are dropped first; custom-model keys out of the range other keys set are clamped; the
    cross-field errors of what is left then say, from their kinds, which further keys to drop (a
    missing custom field drops hw or model back to the baseline).
    """
    values, errors = _typed_values(raw)
    if "preset" in values and values["preset"] not in catalog.scenarios:
        errors.append(menu_error("preset", values.pop("preset"), catalog.scenarios))
    base = baseline(values.get("preset"), catalog)
    clamped, clamp_errors = clamp_custom_model(dataclasses.replace(base, **values))
    values.update({e.field: getattr(clamped, e.field) for e in clamp_errors})
    errors += clamp_errors
    problems = check_scenario(dataclasses.replace(base, **values), catalog)
    named = {e.field for e in errors}
    errors += [p for p in problems if p.field not in named]
    drop = set().union(*(_keys_to_drop(p) for p in problems))
    scenario = dataclasses.replace(base, **{k: v for k, v in values.items() if k not in drop})
    if check_scenario(scenario, catalog):  # the baseline itself is inconsistent: use the defaults
        return baseline(None, catalog), errors
    return scenario, errors


def parse_scenario_strict(raw: Mapping[str, object], catalog: Catalog) -> Scenario:
    """Like parse_scenario, but any bad key raises ScenarioError (CLI rows, presets)."""
    scenario, errors = parse_scenario(raw, catalog)
    if errors:
        raise ScenarioError(errors)
    return scenario
