"""Sweeps and comparisons behind the caching and model-size views (model/caching/*, model/scaling/lifetime.py,
model/pricing/published.py)."""

import math

import numpy as np
import pytest
from conftest import deploy

from model.caching import answer_cache, prefix_cache, reasoning
from model.catalog.api_prices import ApiPrice
from model.pricing.published import published_cache_prices
from model.scaling import laws as scaling
from model.scaling import lifetime
from model.scaling.laws import BESIROGLU, HOFFMANN


@pytest.fixture(scope="module")
def chat70(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


@pytest.fixture(scope="module", params=["llama-3.1-8b", "deepseek-v3", "gpt-oss-120b"])
def any_model(catalog, request):
    chips = {"llama-3.1-8b": 1, "deepseek-v3": 8, "gpt-oss-120b": 1}[request.param]
    hw = "h200" if request.param == "deepseek-v3" else "h100-sxm"
    return deploy(catalog, hw=hw, model=request.param, chips=chips, wbits=8 if chips == 8 else 16)


def test_hit_rate_curve_is_the_zipf_sum_by_hand():
    sizes, rates = answer_cache.hit_rate_curve(10_000, 0.9, 0.4, points=30)
    weights = np.arange(1, 10_001, dtype=float) ** -0.9
    by_hand = 0.4 * np.cumsum(weights)[sizes.astype(int) - 1] / weights.sum()
    assert sizes[0] == 1 and sizes[-1] == 10_000
    assert rates == pytest.approx(by_hand, rel=1e-12)
    assert np.all(np.diff(rates) > 0) and rates[-1] == pytest.approx(0.4)


def test_cached_prefix_leaves_at_least_one_new_token():
    assert prefix_cache.cached_prefix_tokens(4096, 0.75) == 3072
    assert prefix_cache.cached_prefix_tokens(4096, 1.0) == 4095
    assert prefix_cache.cached_prefix_tokens(1, 0.5) == 0


@pytest.mark.parametrize("tier", [None, 64e9])
def test_prefix_sweep_equals_prefix_cache_point_by_point(any_model, tier):
    sweep = prefix_cache.prefix_sweep(any_model, 6000, 24, np.linspace(0, 0.99, 9), tier)
    assert sweep["cached_tokens"][0] == 0 and sweep["cost_fraction"][0] == pytest.approx(1.0)
    for i, cached in enumerate(sweep["cached_tokens"]):
        one = prefix_cache.prefix_cache(any_model, 6000, int(cached), 24, tier)
        for key in ("flops_fraction", "ttft_s", "ttft_s_uncached", "usd_input", "usd_input_uncached"):
            assert sweep[key][i] == pytest.approx(getattr(one, key), rel=1e-9), key
    assert np.all(np.diff(sweep["usd_input"]) < 0) and np.all(np.diff(sweep["flops_fraction"]) < 0)


@pytest.mark.parametrize("answer", [1, 100, 256, 1000])
def test_reasoning_curve_equals_reasoning_cost_point_by_point(any_model, answer):
    tokens = [0, 1, 3, 200, 255, 256, 700, 9000]
    curve = reasoning.reasoning_curve(any_model, 1500, answer, tokens, 16)
    one = [reasoning.reasoning_cost(any_model, 1500, g, answer, 16) for g in tokens]
    assert list(curve["reasoning_tokens"]) == tokens
    assert curve["usd_per_answer"] == pytest.approx([c.usd_per_answer for c in one], rel=1e-9)
    assert curve["latency_s"] == pytest.approx([c.latency_s for c in one], rel=1e-9)
    assert curve["usd_per_output_token"] == pytest.approx(
        [c.request.usd_output / c.request.output_tokens for c in one], rel=1e-9)


def test_published_bill_fraction_by_hand():
    assert prefix_cache.published_bill_fraction([0.0, 0.5, 1.0], 0.1) == pytest.approx([1.0, 0.55, 0.1])
    assert prefix_cache.published_bill_fraction(0.75, 0.5) == pytest.approx(0.625)


def test_published_cache_prices_parse_and_skip_rows_without_a_cached_price(catalog):
    rows = published_cache_prices(catalog.api_prices)
    stated = [r for r in catalog.api_prices if r.cached_input_fraction is not None]
    assert len(rows) == len(stated) > 0
    for row in rows:
        assert row["source"] and row["date_seen"]
        assert row["cached_input_fraction"] == pytest.approx(
            row["cached_input_usd_per_mtok"] / row["input_usd_per_mtok"], abs=0.01)
    assert published_cache_prices([ApiPrice("x", "y", usd_per_m_output=1.0, source="s", date_seen="d")]) == []


def test_reasoning_knee_tokens_by_hand():
    assert reasoning.reasoning_knee_tokens(2000, 500, 200) == 2800  # 500 + (2800 + 200)/2 = 2000
    assert reasoning.reasoning_knee_tokens(2000, 4096, 1024) == 0
    assert reasoning.reasoning_knee_tokens(math.inf, 10, 10) == math.inf


def test_linear_reference_goes_through_the_first_two_points():
    line = reasoning.linear_reference([0, 100, 400], [1.0, 2.0, 9.0])
    assert line == pytest.approx([1.0, 2.0, 5.0])
    with pytest.raises(ValueError, match="^tokens"):
        reasoning.linear_reference([5], [1.0])


def test_reasoning_policies_by_hand(chat70):
    result = reasoning.reasoning_policies(chat70, 1000, 300, 32, 6000, 100, 0.7)
    hard = reasoning.reasoning_cost(chat70, 1000, 6000, 300, 32)
    easy = reasoning.reasoning_cost(chat70, 1000, 100, 300, 32)
    assert result.usd_per_1000_always == pytest.approx(1000 * hard.usd_per_answer)
    assert result.usd_per_1000_adaptive == pytest.approx(1000 * (0.7 * easy.usd_per_answer + 0.3 * hard.usd_per_answer))
    assert result.latency_s_adaptive == pytest.approx(0.7 * easy.latency_s + 0.3 * hard.latency_s)
    assert result.reasoning_tokens_adaptive == pytest.approx(0.7 * 100 + 0.3 * 6000)
    assert 0 < result.saving_fraction < 0.7
    assert reasoning.reasoning_policies(chat70, 1000, 300, 32, 6000, 100, 0.0).saving_fraction == pytest.approx(0.0)
    assert reasoning.reasoning_policies(chat70, 1000, 300, 32, 100, 6000, 0.5).saving_fraction < 0


def test_demand_levels():
    assert lifetime.demand_levels(1e13) == [0.0, 1e12, 1e13, 1e14]
    assert lifetime.demand_levels(0) == [0.0, 1e12, 1e13, 1e14]
    assert lifetime.demand_levels(scaling.MAX_TOKENS)[-1] == scaling.MAX_TOKENS


@pytest.mark.parametrize("fit", [HOFFMANN, BESIROGLU])
def test_lifetime_comparison_is_chinchilla_at_zero_demand_and_smaller_with_demand(fit):
    none = lifetime.lifetime_comparison(fit, 70e9, 0.0, 2e-18, 1e-17)
    assert none.optimal.params == pytest.approx(70e9, rel=1e-4)
    assert none.flops_saving_fraction == pytest.approx(0.0, abs=1e-6)
    big = lifetime.lifetime_comparison(fit, 70e9, 1e14, 2e-18, 1e-17)
    assert big.optimal.params < 0.7 * big.chinchilla.params
    assert big.optimal.tokens_per_param > 5 * big.chinchilla.tokens_per_param
    assert big.optimal.loss == pytest.approx(big.chinchilla.loss)
    assert big.flops_saving_fraction > 0.2
    assert big.optimal.usd == pytest.approx(big.optimal.training_flops * 2e-18 + big.optimal.inference_flops * 1e-17)


def test_usd_objective_trains_smaller_when_inference_flops_are_dearer():
    by_flops = lifetime.lifetime_comparison(BESIROGLU, 70e9, 1e13, 2e-18, 1e-17)
    by_usd = lifetime.lifetime_comparison(BESIROGLU, 70e9, 1e13, 2e-18, 1e-17, by_usd=True)
    assert by_usd.optimal.params < by_flops.optimal.params
    assert by_usd.optimal.usd <= by_flops.optimal.usd
    assert by_usd.usd_saving_fraction >= by_flops.usd_saving_fraction


def test_lifetime_cost_curves_are_relative_to_the_reference_and_bottom_at_the_optimum():
    target = scaling.chinchilla_plan(BESIROGLU, 70e9).loss
    sizes = np.geomspace(8e9, 300e9, 200)
    demands = [0.0, 1e13, 1e14]
    curves = lifetime.lifetime_cost_curves(BESIROGLU, target, 70e9, demands, sizes)
    at_reference = lifetime.lifetime_cost_curves(BESIROGLU, target, 70e9, demands, [70e9])
    assert at_reference[:, 0] == pytest.approx([1.0, 1.0, 1.0])
    for row, demand in zip(curves, demands, strict=True):
        best = scaling.lifetime_optimal(BESIROGLU, target, demand)
        assert sizes[np.nanargmin(row)] == pytest.approx(best.params, rel=0.03)
    floor = scaling.min_params_for_loss(BESIROGLU, target)
    assert np.isnan(lifetime.lifetime_cost_curves(BESIROGLU, target, 70e9, [1e12], [floor * 0.9])).all()
    grid = lifetime.size_grid(BESIROGLU, target, 70e9)
    assert grid[0] > floor and grid[-1] == pytest.approx(210e9)


def test_sardana_reproduction_is_not_the_published_17_percent():
    rep = lifetime.sardana_reproduction(HOFFMANN)
    assert rep.big.train_tokens == pytest.approx(992e9, rel=0.002)  # docs/formulas.md F65
    assert rep.saving_fraction == pytest.approx(0.09, abs=0.01)
    assert abs(rep.saving_fraction - lifetime.SARDANA_PUBLISHED_SAVING) > 0.05
    assert rep.optimal_saving_fraction >= rep.saving_fraction > 0  # the direction holds
    other = lifetime.sardana_reproduction(BESIROGLU)
    assert other.small.params == 7e9 and other.saving_fraction > 0


def test_bad_inputs_name_the_field(chat70):
    for call, field in [
        (lambda: answer_cache.hit_rate_curve(0, 1.0, 0.5), "catalogue_size"),
        (lambda: answer_cache.hit_rate_curve(100, 1.0, 0.5, points=10_000), "points"),
        (lambda: prefix_cache.cached_prefix_tokens(100, 1.5), "share"),
        (lambda: prefix_cache.prefix_sweep(chat70, 100, 8, np.zeros(500)), "shares"),
        (lambda: prefix_cache.prefix_sweep(chat70, 100, 0, [0.5]), "batch"),
        (lambda: prefix_cache.prefix_sweep(chat70, 100, 8, [0.5], tier_bytes_per_s=1.0), "tier_bytes_per_s"),
        (lambda: reasoning.reasoning_curve(chat70, 100, 10, [-1]), "reasoning_tokens"),
        (lambda: reasoning.reasoning_curve(chat70, 100, 0, [1]), "answer_tokens"),
        (lambda: reasoning.reasoning_curve(chat70, 0, 10, [1]), "prompt_tokens"),
        (lambda: prefix_cache.published_bill_fraction(0.5, 2.0), "price_fraction"),
        (lambda: reasoning.reasoning_policies(chat70, 100, 10, 8, 100, 10, 1.5), "easy_share"),
        (lambda: lifetime.demand_levels(-1), "inference_tokens"),
        (lambda: lifetime.lifetime_cost_curves(HOFFMANN, 2.0, 7e9, [-1.0], [7e9]), "inference_tokens"),
    ]:
        with pytest.raises(ValueError, match=f"^{field}"):
            call()
