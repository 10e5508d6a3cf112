"""model/serving_views.py: workload shapes, the static-batching gain of FORMULAS.md section 12, sweeps and splits."""

import math

import numpy as np
import pytest
from conftest import deploy

from model import parse_scenario_strict, prefill, resolve
from model.disaggregation import plan as disaggregation
from model.serving import simulate as serving
from model.serving import views as sv

PROMPT, OUT, RATE, BATCH = 4096, 1024, 10.0, 64


@pytest.fixture(scope="module")
def h100(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


@pytest.mark.parametrize("kind, low, high", [("fixed", 300, 300), ("uniform", 1, 599), ("exponential", 1, 2400)])
def test_length_dists_have_the_asked_mean(kind, low, high):
    dist = sv.length_dist(kind, 300, serving.MAX_OUTPUT_TOKENS)
    assert (dist.kind, dist.low_tokens, dist.high_tokens) == (kind, low, high)
    draws = dist.sample(np.random.default_rng(0), 200_000)
    assert draws.mean() == pytest.approx(300, rel=0.01)
    assert low <= draws.min() and draws.max() <= high


def test_length_dist_caps_and_refusals():
    assert sv.length_dist("exponential", 10_000, 65_536).high_tokens == 65_536  # 8 x mean capped at the limit
    with pytest.raises(ValueError, match="^mean_tokens"):
        sv.length_dist("uniform", 40_000, 65_536)  # 2 x mean - 1 would pass the limit
    with pytest.raises(ValueError, match="^kind"):
        sv.length_dist("normal", 100, 65_536)


def test_slot_gain_matches_the_closed_forms():
    # FORMULAS.md section 12: exponential G gives H_B (B = 32: 4.06), uniform on [1, G_max] gives 2B/(B+1)
    assert sv.harmonic(32) == pytest.approx(4.058, abs=1e-3)
    assert sv.slot_gain(sv.length_dist("exponential", 4096, 65_536), 32) == pytest.approx(sv.harmonic(32), rel=0.01)
    assert sv.slot_gain(sv.length_dist("uniform", 4096, 65_536), 32) == pytest.approx(sv.uniform_gain(32), rel=1e-3)
    assert sv.slot_gain(sv.length_dist("fixed", 77, 65_536), 64) == 1.0
    assert sv.slot_gain(sv.length_dist("exponential", 256, 65_536), 1) == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["uniform", "exponential"])
def test_slot_gain_is_the_mean_max_over_mean_of_the_draws(kind):
    dist = sv.length_dist(kind, 200, 65_536)
    draws = dist.sample(np.random.default_rng(1), 64 * 20_000).reshape(-1, 64)
    assert sv.slot_gain(dist, 64) == pytest.approx(draws.max(axis=1).mean() / draws.mean(), rel=0.01)


def test_simulated_static_occupancy_is_the_expected_one(h100):
    # the simulator's saturated static batches leave the slots idle that slot_gain predicts
    out = sv.length_dist("exponential", 128, serving.MAX_OUTPUT_TOKENS)
    workload = serving.Workload(4000, math.inf, serving.LengthDist.fixed(64), out, seed=4)
    static = serving.simulate(h100, workload, "static", max_batch=16)
    assert 1 / static.slot_occupancy == pytest.approx(sv.slot_gain(out, 16), rel=0.05)


def test_run_policies_reports_a_refusal_and_runs_the_rest(h100):
    workload = serving.Workload(60, 4.0, serving.LengthDist.fixed(200), serving.LengthDist.fixed(20))
    results, refused = sv.run_policies(h100, workload, 16, ("static", "bogus", "continuous"))
    assert set(results) == {"static", "continuous"}
    assert refused["bogus"].startswith("policy:")
    assert results["continuous"].output_tokens == 60 * 20


def test_ecdf_drops_nan_and_downsamples():
    values = np.concatenate([np.arange(1000.0)[::-1], [np.nan]])
    x, y = sv.ecdf(values, points=50)
    assert len(x) == 50 and x[0] == 0 and x[-1] == 999 and y[-1] == 1.0
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) > 0)
    x, y = sv.ecdf(np.array([3.0, 1.0]))
    assert list(x) == [1.0, 3.0] and list(y) == [0.5, 1.0]
    assert sv.ecdf(np.array([np.nan]))[0].size == 0


def test_prefill_deployment(catalog):
    scenario = parse_scenario_strict({"price": "5", "mfu": "0.3"}, catalog)
    same = sv.prefill_deployment(scenario, catalog, sv.SAME, 0)
    assert same == resolve(scenario, catalog)
    other = sv.prefill_deployment(scenario, catalog, "h200", 4)
    assert other.hardware.id == "h200" and other.chips == 4
    assert other.usd_per_chip_hour == catalog.hardware["h200"].usd_per_hour  # not the sidebar's $5 override
    assert other.efficiency.mfu == catalog.hardware["h200"].mfu
    assert sv.prefill_deployment(scenario, catalog, sv.SAME, 2).efficiency.mfu == 0.3
    with pytest.raises(ValueError, match="^hw"):
        sv.prefill_deployment(scenario, catalog, "h900", 0)


def test_check_holds_names_the_field(catalog, h100):
    sv.check_holds(h100, 100_000)
    one = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=1)
    with pytest.raises(ValueError, match="^decode_chips: the weights and one 5,120-token"):
        sv.check_holds(one, 5120, "decode_chips")


def test_plan_sweep_is_compare_at_each_point(h100):
    rates = sv.sweep_values("rate_per_s", RATE, PROMPT, 100_000)
    assert rates[6] == RATE and rates[0] == RATE / 64 and rates.size == 13
    data = sv.plan_sweep(h100, h100, PROMPT, OUT, RATE, BATCH, "rate_per_s", rates)
    now = disaggregation.compare(h100, h100, PROMPT, OUT, RATE, BATCH)
    for name in ("colocated", "disaggregated"):
        for field in sv.SWEEP_FIELDS:
            assert getattr(data, name)[field][6] == pytest.approx(getattr(now[name], field))
    assert not data.refused


def test_plan_sweep_leaves_gaps_where_the_batch_does_not_fit(h100):
    prompts = sv.sweep_values("prompt_tokens", RATE, PROMPT, 131_072 - OUT)
    assert prompts.min() >= 16 and prompts.max() <= 131_072 - OUT and PROMPT in prompts
    data = sv.plan_sweep(h100, h100, PROMPT, OUT, RATE, BATCH, "prompt_tokens", prompts)
    gaps = np.isnan(data.colocated["tpot_s"])
    assert gaps.any() and not gaps[prompts <= PROMPT].any()
    assert data.refused and all(message.startswith("decode_batch") for message in data.refused)
    with pytest.raises(ValueError, match="^axis"):
        sv.sweep_values("batch", RATE, PROMPT, 1000)


def test_latency_parts_add_up(h100):
    plans = disaggregation.compare(h100, h100, PROMPT, OUT, RATE, BATCH, link_bytes_per_s=50e9)
    prefill_s = float(prefill(h100, PROMPT).time_s)
    for plan in plans.values():
        ttft = sv.ttft_parts(plan, prefill_s)
        assert sum(ttft.values()) == pytest.approx(plan.ttft_s)
        assert sum(sv.tpot_parts(plan).values()) == pytest.approx(plan.tpot_s)
    dis, colo = plans["disaggregated"], plans["colocated"]
    assert sv.ttft_parts(dis, prefill_s)["decode_step_in_flight"] == pytest.approx(0, abs=1e-9)
    assert sv.ttft_parts(dis, prefill_s)["kv_transfer"] == pytest.approx(PROMPT * 327_680 / 50e9)
    assert sv.tpot_parts(dis)["prefill_stall"] == 0
    assert sv.tpot_parts(colo)["prefill_stall"] == pytest.approx(colo.tpot_s * colo.prefill_utilization)


def test_kv_links_are_bytes_per_second():
    assert sv.KV_LINKS["400g"][0] == 50e9 and sv.KV_LINKS["scale-up"][0] is None
