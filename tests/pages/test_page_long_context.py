"""The long-context page through the entry point: knees, capacity, the tier boundary and published tiers."""

import base64
import json

import numpy as np
import pytest
from apptest_harness import CUSTOM_LINK as CUSTOM
from apptest_harness import app, chart_data, deployment, metrics, texts

from model import load_catalog
from model.pricing import context_tiers as tiers
from ui import format as fmt

PAGE = "pages/long_context.py"


def values(field):
    """A plotly trace array from the chart JSON (plotly 6+ sends numpy arrays as base64 `bdata`)."""
    if isinstance(field, dict) and "bdata" in field:
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=np.dtype(field["dtype"])).tolist()
    return list(field)


def boundary_slider(at):
    return next(s for s in at.select_slider if s.label.startswith("Tier boundary"))




@pytest.mark.parametrize("query", [None, {"preset": "long-context-200k"}, {"preset": "deepseek-v3-moe"}, CUSTOM])
def test_renders_with_every_chart_and_the_tier_table(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value == "Long context and the price knee"
    assert len(chart_data(at)) == 4
    assert {"Context knee", "Capacity knee", "Suggested boundary"} <= set(metrics(at))
    tiers_table = at.dataframe[0].value
    stated = [r.long_context_threshold_tokens for r in load_catalog().api_prices if r.long_context_threshold_tokens]
    assert sorted(tiers_table["threshold_tokens"]) == sorted(stated)  # every published tier, 100k to 272k
    assert {"Anthropic", "Google", "OpenAI", "xAI"} <= set(tiers_table["provider"])


def test_the_cards_are_the_model_numbers():
    scenario, dep = deployment({"preset": "long-context-200k"})
    at = app({"preset": "long-context-200k"}, page=PAGE)
    shown = metrics(at)
    fit_until = tiers.max_context_for_batch_tokens(dep, scenario.batch, dep.model.max_context)
    assert shown[f"Batch {scenario.batch} fits up to"] == fmt.tokens(fit_until)
    sweep = tiers.context_sweep(dep, scenario.batch)
    suggested = tiers.suggested_boundary_tokens(sweep.ctx_tokens, sweep.best_output)
    assert shown["Suggested boundary"] == fmt.tokens(suggested)
    boundary = boundary_slider(at).value
    assert boundary == round(suggested), "the boundary starts at the suggestion"
    assert shown[f"Output multiplier above {boundary:,}"] == fmt.ratio(
        tiers.tier_multiplier(sweep.ctx_tokens, sweep.best_output, boundary))


def test_moving_the_boundary_updates_both_multipliers_and_goes_into_the_link():
    at = app({"preset": "long-context-200k"}, page=PAGE)
    before = metrics(at)
    boundary_slider(at).set_value(131072).run()
    after = metrics(at)
    assert not at.exception
    assert "Output multiplier above 131,072" in after and "Input multiplier above 131,072" in after
    assert after["Output multiplier above 131,072"] not in before.values()
    assert at.query_params["lc_boundary"] == "131072"  # the boundary is part of the link since issue 9
    _, dep = deployment({"preset": "long-context-200k"})
    sweep = tiers.context_sweep(dep, 8)
    multiplier = tiers.tier_multiplier(sweep.ctx_tokens, sweep.best_input, 131072)
    assert after["Input multiplier above 131,072"] == fmt.ratio(multiplier)


def test_the_published_tier_is_compared_at_its_own_boundary():
    at = app({"preset": "long-context-200k"}, page=PAGE)
    table = at.dataframe[0].value
    served = table[table["this_model_output_x"].notna() & table["published_output_x"].notna()]
    assert len(served) >= 5  # GPT-5.4's and 5.6's 272k tiers lie beyond the model's 262,144 tokens
    assert (served["this_model_output_x"] > served["published_output_x"]).all()
    beyond = table[table["threshold_tokens"] > 262_144]
    assert len(beyond) and beyond["this_model_output_x"].isna().all()
    assert "Anthropic and Google charge 2x input / 1.5x output above 200,000 tokens" in texts(at)
    short = app(page=PAGE)  # Llama 3.1 70B stops at 131,072 tokens: no model multiplier at 200k
    tiers_short = short.dataframe[0].value
    above = tiers_short["threshold_tokens"] >= 131_072
    assert above.any() and tiers_short[above]["this_model_output_x"].isna().all()
    assert tiers_short[~above]["this_model_output_x"].notna().all()  # the 100k and 128k tiers
    assert "beyond what this model serves" in texts(short)


def test_batch_and_context_change_the_chart_data():
    at = app(page=PAGE)
    first = chart_data(at)
    at.select_slider(key="batch").set_value(8).run()
    after_batch = chart_data(at)
    assert after_batch[0] != first[0], "the scenario-batch curve follows the batch"
    at.select_slider(key="ctx").set_value(65536).run()
    after_ctx = chart_data(at)
    assert after_ctx[0] != after_batch[0], "the scenario point follows the context"
    star = [t for t in json.loads(after_ctx[0])["data"] if t["name"] == "this scenario"][0]
    assert values(star["x"]) == [65536]


def test_weights_that_do_not_fit_give_a_notice_not_a_crash():
    at = app({"chips": "1"}, page=PAGE)
    assert not at.exception and not at.error
    assert "leave no room" in " ".join(w.value for w in at.warning)
    assert not chart_data(at)
