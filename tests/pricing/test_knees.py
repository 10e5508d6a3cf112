"""The three knees, SLO-bound costs, traffic tier prices and the tier a price implies (issue 13)."""

from dataclasses import replace

import numpy as np
import pytest
from conftest import deploy

from model.core import metrics
from model.core.roofline import decode_step
from model.pricing import implied_tier as it
from model.pricing import knees
from model.pricing import traffic as tr
from model.pricing.context_tiers import context_sweep
from model.pricing.slo import slo_batch
from model.schema.scenario import DEFAULT_SCENARIO


# --- input knee P* = 2N / (L_attn · n_q · (d_qk + d_v)), hand computations (F154) ----------------
@pytest.mark.parametrize("model_id, n_matmul, layers, heads, width", [
    # N = matmul params per token without lm_head (vocab x d), by hand from the configs
    ("llama-3.1-70b", 80 * (8192 * 10240 * 1 + 8192 * 8192) + 80 * 3 * 8192 * 28672, 80, 64, 128 + 128),
    ("llama-3.1-8b", 32 * (4096 * 6144 + 4096 * 4096) + 32 * 3 * 4096 * 14336, 32, 32, 128 + 128),
])
def test_input_knee_of_dense_models_by_hand(catalog, model_id, n_matmul, layers, heads, width):
    m = catalog.models[model_id]
    assert m.matmul_params_per_token - m.lm_head_params == n_matmul
    by_hand = 2 * n_matmul / (layers * heads * width)
    assert knees.input_knee_full_tokens(m) == pytest.approx(by_hand, rel=1e-12)
    assert knees.input_knee_tokens(deploy(catalog, model=model_id)) == pytest.approx(by_hand, rel=0.01)


def test_input_knee_of_mla_uses_the_expanded_prefill_heads(catalog):
    m = catalog.models["deepseek-v3"]
    n = m.matmul_params_per_token - m.lm_head_params
    by_hand = 2 * n / (61 * 128 * (128 + 64 + 128))  # prefill: d_qk = nope + rope = 192, d_v = 128
    assert knees.input_knee_full_tokens(m) == pytest.approx(by_hand, rel=1e-12)
    assert 25_000 < by_hand < 32_000
    dep = deploy(catalog, hw="h200", model="deepseek-v3", wbits=8)
    assert knees.input_knee_tokens(dep) == pytest.approx(by_hand, rel=0.01)


def test_local_and_linear_layers_push_the_input_knee_out(catalog):
    full = knees.input_knee_tokens(deploy(catalog, model="llama-3.1-70b"))
    half = knees.input_knee_tokens(it.with_full_fraction(deploy(catalog, model="llama-3.1-70b"), 0.5))
    assert half > 1.9 * full
    assert not np.isfinite(knees.input_knee_tokens(deploy(catalog, model="mistral-7b")))


# --- monotonicity --------------------------------------------------------------------------------
def test_a_tighter_slo_never_lowers_cost(catalog):
    dep = deploy(catalog, hw="h200", model="qwen3-235b-a22b-2507", wbits=8)
    costs = [context_sweep(dep, 8, 262_144, 25, t).usd_per_m_output[1] for t in (0.2, 0.1, 0.05, 0.03)]
    for looser, tighter in zip(costs[:-1], costs[1:], strict=True):
        ok = np.isfinite(looser) & np.isfinite(tighter)
        assert np.all(tighter[ok] >= looser[ok] * (1 - 1e-9))


def _multipliers(dep, boundary=200_000):
    return it.model_tier(dep, boundary, 0.05, 1620, 1.5, 400_000)


def test_sparse_and_local_attention_never_raise_the_multiplier(catalog):
    dense = _multipliers(deploy(catalog, hw="h200", model="deepseek-v3", wbits=8, dp_attn=True))
    sparse = _multipliers(deploy(catalog, hw="h200", model="deepseek-v3.2-exp", wbits=8, dp_attn=True))
    assert sparse.output_mult <= dense.output_mult and sparse.input_mult <= dense.input_mult
    base = deploy(catalog, hw="h200", model="llama-3.1-70b")
    mults = [_multipliers(it.with_full_fraction(base, f)) for f in (1.0, 0.5, 0.1, 0.0)]
    outs = [m.output_mult for m in mults]
    ins = [m.input_mult for m in mults]
    assert outs == sorted(outs, reverse=True) and ins == sorted(ins, reverse=True)


def test_linear_layers_make_long_context_cheaper_than_the_same_model_all_full(catalog):
    hybrid = deploy(catalog, hw="h200", model="qwen3-next-80b-a3b", chips=2)
    m = hybrid.model
    # the same shapes with every layer a full-attention layer (linear layers -> none; params differ little)
    all_full = replace(hybrid, model=replace(m, linear_layers=0, linear_heads=0, linear_key_heads=0,
                                             linear_key_dim=0, linear_value_dim=0))
    assert _multipliers(hybrid).output_mult < _multipliers(all_full).output_mult


# --- the tier a price implies ----------------------------------------------------------------------
def test_the_inverse_reproduces_the_tier_it_was_built_from(catalog):
    dep = deploy(catalog, hw="h200", model="llama-3.1-70b")
    built = _multipliers(it.with_full_fraction(dep, 0.3))
    found = it.implied_tier(dep, 200_000, built.input_mult, built.output_mult, 0.05, 1620, 1.5, 400_000)
    assert found.full_fraction_output == pytest.approx(0.3, abs=0.01)
    assert found.full_fraction_input == pytest.approx(0.3, abs=0.01)
    again = _multipliers(it.with_full_fraction(dep, found.full_fraction_output))
    assert again.output_mult == pytest.approx(built.output_mult, rel=0.05)


def test_an_unreachable_tier_says_so(catalog):
    dep = deploy(catalog, hw="h200", model="llama-3.1-70b")
    found = it.implied_tier(dep, 200_000, 1000.0, 1000.0, 0.05, 1620, 1.5, 400_000)
    assert np.isnan(found.full_fraction_output) and found.range_output[1] < 1000


# --- traffic tiers ---------------------------------------------------------------------------------
def test_each_tier_breaks_even_on_its_own_traffic():
    ctx = np.geomspace(128, 1e6, 60)
    cost = 1.0 + ctx / 50_000
    traffic = tr.lognormal(ctx, 2000, 1.5)
    p = tr.tier_prices(traffic, cost, cost, 100_000)
    below = ctx <= 100_000
    w = traffic.input_weights
    revenue = np.sum(w[below]) * p.input_usd[0] + np.sum(w[~below]) * p.input_usd[1]
    assert revenue == pytest.approx(np.sum(traffic.input_weights * cost), rel=1e-12)
    assert tr.cross_subsidy(traffic, cost, cost, 100_000) < tr.one_price_cross_subsidy(traffic, cost, cost)
    flat = np.ones_like(ctx)
    assert tr.cross_subsidy(traffic, flat, flat, 100_000) == pytest.approx(0.0, abs=1e-12)


def test_uploaded_lengths_are_binned_and_bounded():
    ctx = np.geomspace(128, 1e6, 40)
    lengths = tr.parse_lengths_csv(b"prompt_tokens\n1000\n1000\n50000\n")
    traffic = tr.from_lengths(ctx, lengths)
    assert traffic.requests.sum() == pytest.approx(1.0) and np.count_nonzero(traffic.requests) == 2
    with pytest.raises(ValueError, match="at most"):
        tr.parse_lengths_csv(b"prompt_tokens\n" + b"5\n" * (tr.MAX_UPLOAD_ROWS + 1))


def test_the_sourced_defaults_match_the_scenario_default():
    defaults = tr.tier_defaults()
    assert defaults["slo_tps"] == DEFAULT_SCENARIO.slo_tps
    mean = defaults["traffic_median_tokens"] * np.exp(defaults["traffic_sigma"] ** 2 / 2)
    assert mean == pytest.approx(4989, rel=0.01)


def test_the_capacity_knee_is_where_memory_starts_to_set_the_batch(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b")
    knee = knees.capacity_knee_tokens(dep, 0.05)

    def memory_bound(c):
        fits = int(metrics.max_batch(dep, c))
        return slo_batch(dep, c, 0.05) == fits and float(decode_step(dep, fits + 1, c).time_s) <= 0.05
    assert memory_bound(knee) and not memory_bound(knee - 1)
    assert knees.capacity_knee_tokens(dep, 0.02) >= knee, "a tighter target lets memory bind later"


def test_coverage_of_an_upper_tier():
    ctx = np.geomspace(128, 1e6, 60)
    traffic = tr.lognormal(ctx, 2000, 1.5)
    flat = np.full_like(ctx, 3.0)
    assert tr.upper_tier_coverage(traffic, flat, flat, 100_000, 1.0, 1.0, 0.3) == pytest.approx(1.0)
    assert tr.upper_tier_coverage(traffic, flat, flat, 100_000, 2.0, 2.0, 0.3) == pytest.approx(2.0)
    rising = 1.0 + ctx / 10_000
    p = tr.tier_prices(traffic, rising, rising, 100_000)
    exact = tr.upper_tier_coverage(traffic, rising, rising, 100_000, p.input_mult, p.output_mult, 0.3)
    assert exact == pytest.approx(1.0, rel=1e-9), "the break-even multipliers cover the upper tier exactly"
