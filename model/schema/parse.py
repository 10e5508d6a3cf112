"""Parse scenario keys (a query string, a CSV row, a preset) into a `Scenario`.

`parse_scenario` collects one `FieldError` per bad key and falls back to defaults for those
keys only; `parse_scenario_strict` raises `ScenarioError` instead (CLI rows, presets).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from model.base.fields import FieldError
from model.catalog.presets import Catalog
from model.schema.resolve import ScenarioError, check_scenario, menu_error
from model.schema.scenario import (
    CUSTOM_HW_KEYS,
    CUSTOM_MODEL_KEYS,
    SCENARIO_FIELDS,
    Scenario,
    format_value,
)


def baseline(preset: str | None, catalog: Catalog) -> Scenario:
    """The defaults, with a named scenario's values applied when `preset` is set."""
    if preset and preset in catalog.scenarios:
        return Scenario(preset=preset, **catalog.scenarios[preset].values)
    return Scenario()


def scenario_params(s: Scenario, catalog: Catalog) -> dict[str, str]:
    """Keys whose values differ from the defaults (of the preset, if one is set)."""
    base = baseline(s.preset, catalog)
    params = {"preset": s.preset} if s.preset else {}
    for key in SCENARIO_FIELDS:
        value = getattr(s, key)
        if key != "preset" and value is not None and value != getattr(base, key):
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
        errors.append(menu_error("preset", values.pop("preset"), catalog.scenarios))
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
