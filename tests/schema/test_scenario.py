"""The scenario key schema: parsing, fallbacks with messages, presets, and round trips."""

import pytest

from model import (
    Scenario,
    ScenarioError,
    parse_scenario,
    parse_scenario_strict,
    resolve,
)
from model.base.fields import echo
from model.schema.parse import scenario_params


def fields_of(errors):
    return {e.field for e in errors}


def test_empty_input_is_the_default_scenario(catalog):
    scenario, errors = parse_scenario({}, catalog)
    assert scenario == Scenario() and errors == []
    assert scenario_params(scenario, catalog) == {}


def test_values_are_parsed_and_round_trip_through_params(catalog):
    raw = {"hw": "b200", "model": "mixtral-8x7b", "chips": "2", "wbits": "8", "batch": "128", "ctx": "32768",
           "price": "4.5", "mfu": "0.5"}
    scenario, errors = parse_scenario(raw, catalog)
    assert errors == []
    assert (scenario.hw, scenario.chips, scenario.batch, scenario.price, scenario.mfu) == ("b200", 2, 128, 4.5, 0.5)
    assert parse_scenario(scenario_params(scenario, catalog), catalog)[0] == scenario
    assert scenario_params(scenario, catalog) == raw


@pytest.mark.parametrize(
    "key, value, accepted",
    [("batch", "-3", "an integer in [1, 262144] sequences"), ("batch", "nan", "an integer"),
     ("batch", "1e400", "an integer"), ("batch", "2.5", "an integer"), ("ctx", "inf", "in [0, 16777216] tokens"),
     ("wbits", "12", "one of 16, 8, 4"), ("mfu", "1.5", "a number in [0.01, 1]"), ("chips", "", None),
     ("hw", "<script>alert(1)</script>", "lowercase id"), ("model", "x" * 10_000, "lowercase id")],
)
def test_a_bad_value_falls_back_and_names_field_and_range(catalog, key, value, accepted):
    scenario, errors = parse_scenario({key: value, "batch" if key != "batch" else "ctx": "16"}, catalog)
    if accepted is None:  # empty means "not given"
        assert errors == []
        return
    assert fields_of(errors) == {key}
    assert accepted in str(errors[0])
    assert getattr(scenario, key) == getattr(Scenario(), key)
    assert "<" not in str(errors[0]) and len(str(errors[0])) < 300


def test_unknown_ids_fall_back_with_the_menu(catalog):
    scenario, errors = parse_scenario({"hw": "h1000", "model": "gpt-7", "preset": "nope", "batch": "8"}, catalog)
    assert fields_of(errors) == {"hw", "model", "preset"}
    assert scenario.batch == 8 and scenario.hw == Scenario().hw
    assert "h100-sxm" in next(str(e) for e in errors if e.field == "hw")


def test_preset_then_user_changes(catalog):
    scenario, errors = parse_scenario({"preset": "fast-tier-70b", "batch": "2"}, catalog)
    assert errors == []
    assert scenario.batch == 2 and scenario.chips == 8 and scenario.preset == "fast-tier-70b"
    assert scenario_params(scenario, catalog) == {"preset": "fast-tier-70b", "batch": "2"}


def test_custom_hardware_and_model(catalog):
    raw = dict(hw="custom", hw_tflops="500", hw_tbps="2", hw_gb="96", hw_link_gbps="100", model="custom",
               layers="32", d_model="4096", heads="32", kv_heads="8", head_dim="128", ffn="14336", vocab="128256")
    scenario = parse_scenario_strict(raw, catalog)
    dep = resolve(scenario, catalog)
    assert dep.hardware.hbm_bytes == 96e9 and dep.model.total_params == pytest.approx(8.03e9, rel=0.01)
    moe = parse_scenario_strict({**raw, "experts": "8", "experts_active": "2"}, catalog)
    assert resolve(moe, catalog).model.is_moe


def test_missing_custom_field_is_named_and_falls_back(catalog):
    raw = dict(hw="custom", hw_tflops="500", hw_gb="96", hw_link_gbps="100")
    scenario, errors = parse_scenario(raw, catalog)
    assert fields_of(errors) == {"hw_tbps"} and "required when hw=custom" in str(errors[0])
    assert scenario.hw == Scenario().hw
    with pytest.raises(ScenarioError, match="hw_tbps: required when hw=custom"):
        parse_scenario_strict(raw, catalog)


def test_inconsistent_custom_model_is_named(catalog):
    raw = dict(model="custom", layers="2", d_model="256", heads="4", kv_heads="8", head_dim="64", ffn="512",
               vocab="100")
    scenario, errors = parse_scenario(raw, catalog)
    assert fields_of(errors) == {"kv_heads"}
    assert (scenario.model, scenario.kv_heads) == ("custom", 4)  # clamped to heads, the rest kept (issue 10)


def test_repeated_keys_take_the_last_value(catalog):
    scenario, errors = parse_scenario({"batch": ["4", "16"]}, catalog)
    assert scenario.batch == 16 and errors == []


def test_echo_is_short_and_inert():
    shown = echo("<img src=x onerror=alert(1)>" * 10)
    assert "<" not in shown and ">" not in shown and len(shown) < 40


def test_field_open_lower_bound_and_infinite_bounds():
    import math

    from model.base.fields import Field, FieldError

    rate = Field("rate", float, 0, math.inf, unit="requests/s", lo_open=True)
    assert rate.parse("inf") == math.inf and rate.parse(0.5) == 0.5
    with pytest.raises(FieldError, match=r"rate: must be a number in \(0, inf\] requests/s"):
        rate.parse(0)
    with pytest.raises(FieldError):
        rate.parse("nan")
    with pytest.raises(FieldError):
        Field("n", int, 0, math.inf).parse(math.inf)  # integers are finite whatever the bound
    with pytest.raises(FieldError):
        Field("x", float, 0, 10).parse("inf")
