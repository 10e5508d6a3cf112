"""Issue 10 item 3: a custom-model key that only another key makes invalid is clamped and named once;
everything else in the scenario is kept."""

import pytest
from apptest_harness import CUSTOM_LINK

from model import parse_scenario, parse_scenario_strict
from model.schema.resolve import ScenarioError, check_scenario

LINK = {**CUSTOM_LINK, "batch": "32", "ctx": "4096", "experts": "8"}


@pytest.mark.parametrize("extra, key, used, message", [
    ({"experts_active": "9"}, "experts_active", 8, "must be in [1, 8] (at most experts=8); got 9; using 8"),
    ({"experts_active": "0"}, "experts_active", 1, "must be in [1, 8] (at most experts=8); got 0; using 1"),
    ({}, "experts_active", 1, "must be in [1, 8] (at most experts=8); not given; using 1"),
    ({"kv_heads": "64", "experts_active": "2"}, "kv_heads", 32,
     "must be in [1, 32] (at most heads=32); got 64; using 32"),
])
def test_one_invalid_cross_field_value_is_clamped_and_named_once(catalog, extra, key, used, message):
    scenario, errors = parse_scenario({**LINK, **extra}, catalog)
    assert [str(e) for e in errors] == [f"{key}: {message}"]
    assert errors[0].kind == "cross_field"
    assert getattr(scenario, key) == used
    kept = (scenario.hw, scenario.model, scenario.chips, scenario.batch, scenario.ctx)
    assert kept == ("custom", "custom", 2, 32, 4096)
    assert check_scenario(scenario, catalog) == []


def test_a_dense_custom_model_ignores_experts_active(catalog):
    scenario, errors = parse_scenario({**CUSTOM_LINK, "experts": "0", "experts_active": "9"}, catalog)
    assert errors == [] and scenario.model == "custom"


def test_a_preset_model_ignores_the_custom_keys(catalog):
    scenario, errors = parse_scenario({"experts": "8", "experts_active": "9"}, catalog)
    assert errors == [] and scenario.model == "llama-3.1-70b"


def test_the_strict_parse_still_refuses_a_clamped_value(catalog):
    with pytest.raises(ScenarioError, match="experts_active: must be in"):
        parse_scenario_strict({**LINK, "experts_active": "9"}, catalog)
