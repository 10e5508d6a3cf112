"""Dropdowns show names, links keep ids (issue 9): the sidebar's preset, hardware and model
selects and the Prefill/decode split page's prefill hardware."""

from model import load_catalog
from tests.apptest_harness import app

CATALOG = load_catalog()


def test_sidebar_selects_show_names_and_the_link_holds_the_id():
    at = app()
    hw, model, preset = at.selectbox(key="hw"), at.selectbox(key="model"), at.selectbox(key="preset")
    assert hw.value == "h100-sxm" and hw.options[hw.index] == CATALOG.hardware["h100-sxm"].name
    assert model.value == "llama-3.1-70b" and model.options[model.index] == "Llama 3.1 70B"
    assert "Custom hardware" in hw.options and "Custom model" in model.options
    assert not set(hw.options) & set(CATALOG.hardware)
    assert [CATALOG.models[key].name for key in CATALOG.models] == model.options[:-1]  # a few names equal their id
    assert [CATALOG.scenarios[key].name for key in CATALOG.scenarios] == preset.options[1:]
    model.select("mixtral-8x7b").run()
    assert at.query_params == {"model": "mixtral-8x7b"}
    assert at.selectbox(key="model").options[at.selectbox(key="model").index] == "Mixtral 8x7B"


def test_a_named_scenario_chosen_by_id_shows_its_name():
    at = app({"preset": "long-context-200k"})
    preset = at.selectbox(key="preset")
    assert preset.options[preset.index] == CATALOG.scenarios["long-context-200k"].name
    assert at.query_params == {"preset": "long-context-200k"}


def test_prefill_hardware_shows_names_and_same_names_the_sidebar_hardware():
    at = app({"hw": "h200"}, page="pages/disaggregation.py")
    box = at.selectbox(key="dg_hw")
    assert box.value == "same" and box.options[box.index] == "same (NVIDIA H200 SXM 141GB)"
    assert CATALOG.hardware["b200"].name in box.options
    box.select("b200").run()
    assert at.query_params == {"hw": "h200", "dg_hw": "b200"}
