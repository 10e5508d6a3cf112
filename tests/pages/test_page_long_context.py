"""The long-context page through the entry point: the three knees at the SLO batch, traffic tier prices,
the boundary and traffic in the link, published tiers and the tier a price implies."""

import pytest
from apptest_harness import CUSTOM_LINK as CUSTOM
from apptest_harness import app, chart_data, deployment, metrics, texts

from model import load_catalog
from model.pricing import context_tiers as tiers
from model.pricing import knees
from model.pricing import traffic as tr
from model.report import summary as report
from ui import format as fmt

PAGE = "pages/long_context.py"


def boundary_slider(at):
    return next(s for s in at.select_slider if s.label.startswith("Tier boundary"))


@pytest.mark.parametrize("query", [None, {"preset": "long-context-200k"}, CUSTOM])
def test_renders_with_every_chart_and_the_tier_table(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value == "Long context and the price knee"
    assert len(chart_data(at)) == 3
    assert {"Input knee", "Output knee", "Capacity knee", "Suggested boundary"} <= set(metrics(at))
    tiers_table = at.dataframe[0].value
    assert {100_000, 200_000, 272_000} <= set(tiers_table["threshold_tokens"])
    assert tiers_table["this_model_output_x"].notna().all(), "every published threshold is inside the sweep"
    stated = [r.long_context_threshold_tokens for r in load_catalog().api_prices if r.long_context_threshold_tokens]
    assert set(tiers_table["threshold_tokens"]) == set(stated)  # every published tier, 100k to 272k
    assert {"Anthropic", "Google", "OpenAI", "xAI"} <= set(tiers_table["provider"])


def test_the_landing_scenario_reaches_200k_and_prices_the_published_tier():
    at = app(page=PAGE)  # Llama 3.1 70B stops at 131,072 tokens; the sweep goes on to 524,288, dotted
    assert "trained for 131,072 tokens" in " ".join(w.value for w in at.warning)
    assert at.dataframe[0].value["this_model_output_x"].notna().all()


def test_the_cards_are_the_model_numbers():
    scenario, dep = deployment({"preset": "long-context-200k"})
    at = app({"preset": "long-context-200k"}, page=PAGE)
    shown = metrics(at)
    row = report.summarize_si(scenario, dep)
    assert shown["Input knee"] == fmt.tokens(row["input_knee_tokens"])
    assert shown["Capacity knee"] == fmt.tokens(row["capacity_knee_tokens"])
    target = knees.tpot_target_s(scenario.slo_tps)
    sweep = tiers.context_sweep(dep, scenario.batch, max(dep.model.max_context, 524_288), 97, target)
    traffic = tr.lognormal(sweep.ctx_tokens, 1620, 1.5)
    suggested = tr.suggested_boundary(traffic, sweep.usd_per_m_input[1], sweep.usd_per_m_output[1])
    assert shown["Suggested boundary"] == fmt.tokens(suggested)
    boundary = boundary_slider(at).value
    assert boundary == round(suggested), "the boundary starts at the suggestion"
    prices = tr.tier_prices(traffic, sweep.usd_per_m_input[1], sweep.usd_per_m_output[1], boundary)
    assert shown[f"Output multiplier above {boundary:,}"] == fmt.ratio(prices.output_mult)


def test_boundary_and_traffic_go_into_the_link():
    at = app({"preset": "long-context-200k"}, page=PAGE)
    before = metrics(at)
    boundary_slider(at).set_value(131072).run()
    assert at.query_params["lc_boundary"] == "131072"
    assert "Output multiplier above 131,072" in metrics(at)
    at.number_input(key="lc_sigma").set_value(2.0).run()
    assert at.query_params["lc_sigma"] == "2"
    assert metrics(at)["Cross-subsidy: one price / two tiers"] != before["Cross-subsidy: one price / two tiers"]


def test_a_tighter_speed_target_in_the_link_changes_the_knees():
    loose = metrics(app({"preset": "long-context-200k", "slo_tps": "5"}, page=PAGE))
    tight = metrics(app({"preset": "long-context-200k", "slo_tps": "60"}, page=PAGE))
    assert loose["Capacity knee"] != tight["Capacity knee"]


def test_the_implied_tier_panel_names_a_fraction():
    at = app({"preset": "long-context-200k", "lc_implied": "true"}, page=PAGE)
    assert not at.exception and not at.error
    assert "of the full-attention layers" in texts(at)
    assert len(at.dataframe) == 2


def test_an_unusable_upload_is_a_message_not_a_crash():
    with pytest.raises(Exception) as error:
        tr.parse_lengths_csv(b"tokens\n12\n")
    assert "prompt_tokens" in str(error.value)
    with pytest.raises(Exception, match="line 3"):
        tr.parse_lengths_csv(b"prompt_tokens\n12\n-4\n")


def test_weights_that_do_not_fit_give_a_notice_not_a_crash():
    at = app({"chips": "1"}, page=PAGE)
    assert not at.exception and not at.error
    assert "No batch" in " ".join(w.value for w in at.warning)
    assert not chart_data(at)
