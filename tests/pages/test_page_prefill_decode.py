"""The prefill-vs-decode page through the entry point: price sweeps, step breakdown, published ratios."""

import math

import numpy as np
import pytest
from apptest_harness import CUSTOM_MOE_LINK as CUSTOM
from apptest_harness import MOE_LINK as MOE
from apptest_harness import app, deployment, texts
from plotly_spec import figures, trace, values

from model import load_catalog
from model.core.roofline import decode_step, prefill
from model.pricing import published
from model.report import summary as report
from ui import format as fmt

PAGE = "pages/prefill_decode.py"
CHARTS = ["price_vs_batch", "price_vs_context", "decode_breakdown", "api_ratios"]


@pytest.mark.parametrize("query", [None, MOE, CUSTOM, {"preset": "long-context-200k"}, {"hw": "tpu-v5e"}])
def test_renders_every_chart_and_table(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value.startswith("Prefill vs decode")
    assert list(figures(at)) == CHARTS
    assert "excludes TTFT" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Download api_prices.csv"]


@pytest.mark.parametrize("query", [None, MOE])
def test_the_why_paragraph_and_the_model_bar_are_the_scenario_numbers(query):
    scenario, dep = deployment(query)
    row = report.summarize(scenario, dep)
    at = app(query, page=PAGE)
    why = at.info[0].value
    assert f"{scenario.batch} x {scenario.prompt:,} = {scenario.batch * scenario.prompt:,} tokens" in why
    assert f"{fmt.usd(row['usd_per_m_input'])} per 1M input tokens" in why
    assert f"{fmt.usd(row['usd_per_m_output'])} per 1M output tokens" in why
    prefill_bound = str(np.ravel(prefill(dep, scenario.prompt, batch=scenario.batch).bound())[0])
    assert f"the pass is **{prefill_bound}-bound**" in why
    assert f"**{row['decode_bound']}-bound**" in why
    model_bar = trace(figures(at)["api_ratios"], "this scenario")
    assert model_bar["x"][0] == pytest.approx(row["output_input_ratio"])


def test_price_sweeps_hold_the_ratio_of_their_lines_and_mark_the_current_point():
    scenario, _ = deployment()
    charts = figures(app(page=PAGE))
    for key, current in (("price_vs_batch", scenario.batch), ("price_vs_context", scenario.ctx)):
        figure = charts[key]
        out, inp = values(trace(figure, "output")["y"]), values(trace(figure, "input")["y"])
        ratio = trace(figure, "output / input")
        assert ratio["yaxis"] == "y2"
        assert values(ratio["y"]) == pytest.approx(out / inp)
        assert current in values(trace(figure, "output")["x"])
        assert figure["layout"]["xaxis"]["type"] == "log"
        marker = figure["layout"]["annotations"][-1]
        assert marker["x"] == pytest.approx(math.log10(current)), "annotations on a log axis sit at log10(x)"
    out = values(trace(charts["price_vs_batch"], "output")["y"])
    assert np.all(np.diff(out) < 0), "output price falls as batch grows"


def test_the_breakdown_adds_up_to_the_step_time():
    scenario, dep = deployment(MOE)
    figure = figures(app(MOE, page=PAGE))["decode_breakdown"]
    parts = [t for t in figure["data"] if t.get("stackgroup") == "parts"]
    step = trace(figure, "step time")
    assert {t["name"] for t in parts} >= {"weights (HBM)", "KV cache (HBM)", "compute", "comms (all-reduce)"}
    total_ms = sum(values(t["y"]) for t in parts)
    assert total_ms == pytest.approx(values(step["y"]), rel=1e-9)
    batches = values(step["x"])
    assert values(step["y"]) == pytest.approx(decode_step(dep, batches, scenario.ctx).time_s * 1e3)


def test_the_api_table_lists_every_published_row_with_source_and_date():
    catalog = load_catalog()
    at = app(page=PAGE)
    frame = at.dataframe[0].value
    assert len(frame) == len(catalog.api_prices)
    assert frame["source"].tolist() == [r.source for r in catalog.api_prices]
    assert frame["date_seen"].tolist() == [r.date_seen for r in catalog.api_prices]
    assert frame["model"].tolist() == [r.model for r in catalog.api_prices]
    groups = published.ratio_groups(published.published_ratios(catalog.api_prices))
    bars = trace(figures(at)["api_ratios"], "published")
    assert bars["x"] == [g.out_in_ratio for g in groups]
    assert sum(len(models.split(", ")) for models in bars["customdata"]) == sum(len(g.models) for g in groups)


def test_the_caption_says_where_the_model_sits_among_published_ratios():
    catalog = load_catalog()
    known = [p.out_in_ratio for p in published.published_ratios(catalog.api_prices) if math.isfinite(p.out_in_ratio)]
    for query in (None, MOE):
        scenario, dep = deployment(query)
        ratio = report.summarize(scenario, dep)["output_input_ratio"]
        below, above, n = published.rank_among(ratio, known)
        caption = texts(app(query, page=PAGE))
        expected = (f"below all {n}" if above == n else f"above all {n}" if below == n
                    else f"above {below} and below {above} of the {n}")
        assert f"is {expected} published output/input list-price ratios" in caption


def test_batch_and_context_change_the_chart_data():
    at = app(page=PAGE)
    before = figures(at)
    at.select_slider(key="batch").set_value(8).run()
    after_batch = figures(at)
    assert after_batch["price_vs_context"] != before["price_vs_context"]
    assert after_batch["api_ratios"] != before["api_ratios"]
    assert 8 in values(trace(after_batch["price_vs_batch"], "output")["x"])
    at.select_slider(key="ctx").set_value(65536).run()
    after_ctx = figures(at)
    assert after_ctx["price_vs_batch"] != after_batch["price_vs_batch"]
    assert after_ctx["decode_breakdown"] != after_batch["decode_breakdown"]
    assert "65,536" in texts(at)
