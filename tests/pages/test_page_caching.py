"""The "Caching & reasoning" page through the entry point: answer cache, prefix cache, reasoning tokens."""

import numpy as np
import pytest
from apptest_harness import CUSTOM_LINK as CUSTOM
from apptest_harness import app, chart_data, deployment, metrics, texts
from plotly_spec import figures, trace, values

from model import load_catalog
from model.caching import answer_cache, prefix_cache, reasoning
from model.core import metrics as model_metrics
from ui import format as fmt

PAGE = "pages/caching.py"
LINK = {"ca_zipf": "0.8", "ca_catalogue": "100000", "ca_cacheable": "50", "ca_k": "1000", "ca_hit_ms": "20",
        "ca_hit_usd": "3", "ca_prefix": "50", "ca_tier": "host-dram", "ca_host_gbps": "32", "ca_think": "16000",
        "ca_easy": "80", "ca_easy_think": "500"}




def chart(at, key: str, name_start: str) -> dict:
    return trace(figures(at)[key], name_start)


@pytest.mark.parametrize("query", [None, {"preset": "deepseek-v3-moe"}, {"preset": "long-context-200k"}, CUSTOM])
def test_renders_every_section(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value == "Caching & reasoning"
    assert len(chart_data(at)) == 3 and len(at.dataframe) == 3
    cards = {"Hit rate", "Prefill FLOPs saved", "Always-think: USD per 1,000 answers", "Context knee"}
    assert cards <= set(metrics(at))
    assert all(v.startswith("$") for k, v in metrics(at).items() if "USD" in k)


def test_page_params_in_a_link_reach_the_widgets_and_the_numbers():
    at = app(LINK, page=PAGE)
    assert not at.exception and not at.warning
    assert at.slider(key="ca_zipf").value == 0.8 and at.slider(key="ca_cacheable").value == 50
    assert at.select_slider(key="ca_catalogue").value == 100_000 and at.select_slider(key="ca_k").value == 1000
    assert at.number_input(key="ca_hit_ms").value == 20 and at.number_input(key="ca_hit_usd").value == 3
    assert at.slider(key="ca_prefix").value == 50 and at.selectbox(key="ca_tier").value == "host-dram"
    assert at.number_input(key="ca_host_gbps").value == 32
    assert at.select_slider(key="ca_think").value == 16000 and at.select_slider(key="ca_easy_think").value == 500
    assert at.slider(key="ca_easy").value == 80
    scenario, dep = deployment()
    shown = metrics(at)
    hit = float(answer_cache.zipf_hit_rate(1000, 100_000, 0.8, 0.5))
    assert shown["Hit rate"] == fmt.fraction(hit)
    answers = answer_cache.answer_cache(dep, hit, scenario.prompt, scenario.out, scenario.batch, 3e-6, 0.02)
    assert shown["USD per 1,000 requests"] == fmt.usd(1e3 * answers.usd_per_request)
    prefix = prefix_cache.prefix_cache(dep, scenario.prompt, scenario.prompt // 2, scenario.batch, 32e9)
    assert shown["TTFT"] == fmt.duration(prefix.ttft_s) and "copies the prefix from host" in texts(at)
    policies = reasoning.reasoning_policies(dep, scenario.prompt, scenario.out, scenario.batch, 16000, 500, 0.8)
    assert shown["Adaptive: USD per 1,000 answers"] == fmt.usd(policies.usd_per_1000_adaptive)


def test_a_bad_page_param_is_named_in_the_notice_and_the_default_used():
    at = app({"ca_zipf": "9", "ca_tier": "<b>ssd</b>", "ca_k": "-4"}, page=PAGE)
    assert not at.exception and not at.error
    notice = " ".join(w.value for w in at.warning)
    assert "ignored" in notice and "ca_zipf" in notice and "ca_tier" in notice and "ca_k" in notice
    assert "<b>" not in notice
    assert at.slider(key="ca_zipf").value == 1.0 and at.selectbox(key="ca_tier").value == "hbm"
    assert at.select_slider(key="ca_k").value == 10_000


def test_hit_rate_rises_with_k_and_is_the_zipf_ratio():
    at = app({"ca_catalogue": "100000", "ca_zipf": "1.1"}, page=PAGE)
    weights = np.arange(1, 100_001, dtype=float) ** -1.1
    harmonic = np.cumsum(weights)
    shown = []
    for cached in (10, 1000, 30000, 100000):
        at.select_slider(key="ca_k").set_value(cached).run()
        expected = 0.3 * harmonic[cached - 1] / harmonic[-1]
        assert metrics(at)["Hit rate"] == fmt.fraction(expected)
        marker = chart(at, "ca_hit_chart", "this cache")
        assert float(values(marker["y"])[0]) == pytest.approx(100 * expected, rel=1e-9)
        shown.append(float(values(marker["y"])[0]))
    assert shown == sorted(shown) and shown[-1] == pytest.approx(30.0)
    curve = chart(at, "ca_hit_chart", "hit rate")
    x, y = values(curve["x"]), values(curve["y"])
    assert y == pytest.approx(30.0 * harmonic[x.astype(int) - 1] / harmonic[-1], rel=1e-9)


def test_the_answer_cache_cuts_cost_and_latency_by_the_hit_rate():
    scenario, dep = deployment()
    at = app({"ca_cacheable": "100", "ca_k": "1000000", "ca_catalogue": "1000000"}, page=PAGE)
    assert metrics(at)["Hit rate"] == "100%"
    assert metrics(at)["USD per 1,000 requests"] == "$0"
    table = at.dataframe[0].value
    uncached = answer_cache.answer_cache(dep, 0.0, scenario.prompt, scenario.out, scenario.batch)
    assert table["usd_per_request"].iloc[0] == pytest.approx(uncached.usd_per_request_uncached, rel=1e-3)  # 4 digits
    assert table["latency_s"].iloc[1] == pytest.approx(0.005)


def test_prefix_cache_numbers_follow_the_slider_and_compare_with_published_prices():
    scenario, dep = deployment()
    at = app(page=PAGE)
    before = metrics(at)
    expected = prefix_cache.prefix_cache(dep, scenario.prompt, 3072, scenario.batch)
    assert before["Prefill FLOPs saved"] == fmt.fraction(1 - expected.flops_fraction)
    assert before["Input cost per 1,000 requests"] == fmt.usd(1e3 * expected.usd_input)
    at.slider(key="ca_prefix").set_value(25).run()
    after = metrics(at)
    assert after["TTFT"] != before["TTFT"] and after["Prefill FLOPs saved"] != before["Prefill FLOPs saved"]
    published = at.dataframe[1].value
    assert {"source", "date_seen", "cached_input_fraction"} <= set(published.columns)
    assert published["source"].str.len().min() > 0 and published["date_seen"].str.len().min() > 0
    stated = sorted({r.cached_input_fraction for r in load_catalog().api_prices if r.cached_input_fraction is not None})
    lowest, highest = stated[0], stated[-1]  # 2% (DeepSeek V3.2) and 50% in the shipped table
    low = chart(at, "ca_prefix_chart", f"published: cached input at {lowest * 100:.3g}%")
    x = values(low["x"]) / 100
    assert values(low["y"]) == pytest.approx(100 * (1 - (1 - lowest) * x))
    assert f"published cached prices of {fmt.fraction(lowest)} and {fmt.fraction(highest)}" in texts(at)


def test_host_tier_adds_the_copy_time():
    at = app({"ca_tier": "host-dram", "ca_host_gbps": "16"}, page=PAGE)
    hbm = app(page=PAGE)
    assert metrics(at)["TTFT"] != metrics(hbm)["TTFT"]
    assert at.number_input(key="ca_host_gbps").disabled is False
    assert hbm.number_input(key="ca_host_gbps").disabled is True


def test_policies_and_the_reasoning_curve():
    scenario, dep = deployment()
    at = app(page=PAGE)
    always = reasoning.reasoning_cost(dep, scenario.prompt, 8000, scenario.out, scenario.batch)
    easy = reasoning.reasoning_cost(dep, scenario.prompt, 200, scenario.out, scenario.batch)
    shown = metrics(at)
    assert shown["Always-think: USD per 1,000 answers"] == fmt.usd(1e3 * always.usd_per_answer)
    adaptive = 0.6 * easy.usd_per_answer + 0.4 * always.usd_per_answer
    assert shown["Adaptive: USD per 1,000 answers"] == fmt.usd(1e3 * adaptive)
    assert shown["Context knee"] == fmt.tokens(model_metrics.context_knee_tokens(dep))
    model = chart(at, "ca_reasoning_chart", "this model")
    linear = chart(at, "ca_reasoning_chart", "if every token")
    g, usd, line = (values(t) for t in (model["x"], model["y"], linear["y"]))
    curve = reasoning.reasoning_curve(dep, scenario.prompt, scenario.out, g, scenario.batch)
    assert usd == pytest.approx(1e3 * curve["usd_per_answer"])
    assert usd[-1] > 1.2 * line[-1], "past the context knee each token costs more than the first ones"
    at.slider(key="ca_easy").set_value(0).run()
    assert metrics(at)["Adaptive: USD per 1,000 answers"] == metrics(at)["Always-think: USD per 1,000 answers"]


def test_the_knee_marker_appears_when_the_prompt_is_short():
    at = app({"prompt": "200", "out": "100"}, page=PAGE)
    spec = figures(at)["ca_reasoning_chart"]
    _, dep = deployment()
    knee = reasoning.reasoning_knee_tokens(model_metrics.context_knee_tokens(dep), 200, 100)
    assert [s["x0"] for s in spec["layout"]["shapes"]] == [pytest.approx(knee)]
    assert knee > 0
    assert f"reached at {fmt.tokens(knee)} of reasoning" in texts(at)


def test_a_one_token_prompt_has_no_prefix_to_cache():
    at = app({"prompt": "1"}, page=PAGE)
    assert not at.exception and not at.error
    assert "no prefix to cache" in " ".join(i.value for i in at.info)
    assert len(chart_data(at)) == 2


def test_weights_that_do_not_fit_give_a_notice_not_a_crash():
    at = app({"chips": "1"}, page=PAGE)
    assert not at.exception and not at.error
    assert "does not fit in HBM" in " ".join(w.value for w in at.warning)
