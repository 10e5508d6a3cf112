"""The "Model size & lifetime cost" page through the entry point (docs/formulas.md F62–F69)."""

import numpy as np
import pytest
from apptest_harness import CUSTOM_LINK as CUSTOM
from apptest_harness import app, chart_data, metrics, texts
from plotly_spec import figures, trace, values

from model import load_catalog, parse_scenario_strict, resolve
from model.scaling import laws as scaling
from model.scaling import lifetime

PAGE = "pages/scaling.py"


def size_b(at) -> float:
    return float(metrics(at)["Lifetime-optimal size"].removesuffix("B params"))


def info(at) -> str:
    return " ".join(i.value for i in at.info)


@pytest.mark.parametrize("query", [None, {"preset": "deepseek-v3-moe"}, {"preset": "long-context-200k"}, CUSTOM])
def test_renders_with_both_charts_and_the_plans(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value == "Model size & lifetime cost"
    assert len(chart_data(at)) == 2
    plans = at.dataframe[0].value
    assert list(plans["plan"]) == ["Chinchilla-optimal", "lifetime-optimal"]
    assert plans["loss_nats_per_token"].iloc[0] == pytest.approx(plans["loss_nats_per_token"].iloc[1])


def test_page_params_in_a_link_reach_the_widgets_and_the_numbers():
    query = {"sc_fit": "hoffmann", "sc_ref_b": "13", "sc_demand_b": "2000", "sc_objective": "usd",
             "sc_train_mfu": "0.5"}
    at = app(query, page=PAGE)
    assert not at.exception and not any("ignored" in w.value for w in at.warning)
    assert at.selectbox(key="sc_fit").value == "hoffmann" and at.select_slider(key="sc_ref_b").value == 13
    assert at.select_slider(key="sc_demand_b").value == 2000 and at.selectbox(key="sc_objective").value == "usd"
    assert at.slider(key="sc_train_mfu").value == 0.5
    catalog = load_catalog()
    dep = resolve(parse_scenario_strict({}, catalog), catalog)
    train, inference = scaling.usd_per_training_flop(dep, 0.5), scaling.usd_per_inference_flop(dep, 64, 8192)
    expected = lifetime.lifetime_comparison(scaling.HOFFMANN, 13e9, 2e12, train, inference, by_usd=True)
    assert size_b(at) == pytest.approx(expected.optimal.params / 1e9, rel=2e-3)
    assert "Lifetime USD saved" in metrics(at)


def test_a_bad_page_param_is_named_in_the_notice_and_the_default_used():
    at = app({"sc_fit": "kaplan", "sc_demand_b": "-1", "sc_train_mfu": "nan"}, page=PAGE)
    assert not at.exception and not at.error
    notice = " ".join(w.value for w in at.warning)
    assert "ignored" in notice and "sc_fit" in notice and "sc_demand_b" in notice and "sc_train_mfu" in notice
    assert at.selectbox(key="sc_fit").value == "besiroglu" and at.select_slider(key="sc_demand_b").value == 100_000


def test_no_demand_gives_the_chinchilla_model_and_demand_shrinks_it():
    at = app({"sc_demand_b": "0"}, page=PAGE)
    assert size_b(at) == pytest.approx(70, rel=1e-3)
    assert metrics(at)["Lifetime FLOPs saved"] == "0%"
    sizes = []
    for demand in (1000, 100_000, 10**7):
        at.select_slider(key="sc_demand_b").set_value(demand).run()
        sizes.append(size_b(at))
        ratio = float(metrics(at)["Tokens per parameter"].replace(",", ""))
        assert ratio > 20
    assert 70 > sizes[0] > sizes[1] > sizes[2]
    stars = values(trace(figures(at)["sc_lifetime_chart"], "optimum")["x"])
    assert np.all(np.diff(stars) < 0), "more demand, smaller optimum"


def test_the_chart_marks_the_optimum_at_the_bottom_of_its_curve():
    at = app(page=PAGE)
    spec = figures(at)["sc_lifetime_chart"]
    chosen, stars = trace(spec, "100T tokens served"), trace(spec, "optimum")
    x, y = values(chosen["x"]), values(chosen["y"])
    assert values(stars["x"])[2] == pytest.approx(size_b(at), rel=2e-3)
    assert x[np.nanargmin(y)] == pytest.approx(size_b(at), rel=0.05)
    assert values(stars["y"])[2] == pytest.approx(np.nanmin(y), rel=0.01)
    # The Chinchilla-optimal marker: shapes take data values on a log axis, annotations log10 of them.
    assert np.nanmin(y) < 1 and spec["layout"]["shapes"][0]["x0"] == pytest.approx(70)
    assert spec["layout"]["annotations"][0]["x"] == pytest.approx(np.log10(70))


def test_changing_the_fit_changes_the_numbers_and_labels_the_inconsistency():
    at = app(page=PAGE)
    before = metrics(at)
    assert "consistent with Chinchilla's 70B / 1.4T" in texts(at)
    at.selectbox(key="sc_fit").set_value("hoffmann").run()
    after = metrics(at)
    assert after["Lifetime-optimal size"] != before["Lifetime-optimal size"]
    warning = " ".join(w.value for w in at.warning)
    assert "93 tokens per parameter" in warning and "inconsistent" in warning


def test_usd_objective_uses_the_sidebar_deployment():
    at = app({"sc_objective": "usd"}, page=PAGE)
    by_flops = app(page=PAGE)
    assert size_b(at) < size_b(by_flops), "decode FLOPs cost more than training FLOPs: train smaller"
    at.number_input(key="price").set_value(10.0).run()
    assert not at.exception
    assert metrics(at)["Lifetime USD"] != metrics(app({"sc_objective": "usd"}, page=PAGE))["Lifetime USD"]


def test_sardana_is_stated_as_published_and_the_reproduction_differs():
    at = app({"sc_fit": "hoffmann"}, page=PAGE)
    text = info(at)
    assert "**Published** (Sardana et al. 2024, Fig. 1)" in text and "(17%)" in text
    reproduction = lifetime.sardana_reproduction(scaling.HOFFMANN)
    assert f"saves {round(100 * reproduction.saving_fraction)}% of lifetime FLOPs" in text
    assert round(100 * reproduction.saving_fraction) != 17
    assert "different number" in text and "only the direction" in text
