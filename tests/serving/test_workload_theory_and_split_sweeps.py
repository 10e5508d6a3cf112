"""What the serving pages compute: workload shapes, the static-batching gain (F43), sweeps and splits."""

import math

import numpy as np
import pytest
from conftest import deploy

from model import parse_scenario_strict, prefill, resolve
from model.disaggregation import plan as disaggregation
from model.disaggregation.links import KV_LINKS
from model.disaggregation.plan import tpot_parts, ttft_parts
from model.disaggregation.replicas import (
    SAME,
    check_holds,
    compare_checked,
    prefill_deployment,
)
from model.disaggregation.sweep import (
    SWEEP_FIELDS,
    longest_prompt,
    plan_sweep,
    sweep_values,
)
from model.serving.results import ecdf
from model.serving.simulate import run_policies, simulate
from model.serving.theory import gain_check, harmonic, slot_gain, uniform_gain
from model.serving.workload import (
    SIMULATOR_MAX_OUTPUT_TOKENS,
    LengthDist,
    Workload,
    length_dist,
)

PROMPT, OUT, RATE, BATCH = 4096, 1024, 10.0, 64


@pytest.fixture(scope="module")
def h100(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


@pytest.mark.parametrize("kind, low, high", [("fixed", 300, 300), ("uniform", 1, 599), ("exponential", 1, 2400)])
def test_length_dists_have_the_asked_mean(kind, low, high):
    dist = length_dist(kind, 300, SIMULATOR_MAX_OUTPUT_TOKENS)
    assert (dist.kind, dist.low_tokens, dist.high_tokens) == (kind, low, high)
    draws = dist.sample(np.random.default_rng(0), 200_000)
    assert draws.mean() == pytest.approx(300, rel=0.01)
    assert low <= draws.min() and draws.max() <= high


def test_length_dist_caps_and_refusals():
    assert length_dist("exponential", 10_000, 65_536).high_tokens == 65_536  # 8 x mean capped at the limit
    with pytest.raises(ValueError, match="^mean_tokens"):
        length_dist("uniform", 40_000, 65_536)  # 2 x mean - 1 would pass the limit
    with pytest.raises(ValueError, match="^kind"):
        length_dist("normal", 100, 65_536)


def test_slot_gain_matches_the_closed_forms():
    # docs/formulas.md F43: exponential G gives H_B (B = 32: 4.06), uniform on [1, G_max] gives 2B/(B+1)
    assert harmonic(32) == pytest.approx(4.058, abs=1e-3)
    assert slot_gain(length_dist("exponential", 4096, 65_536), 32) == pytest.approx(harmonic(32), rel=0.01)
    assert slot_gain(length_dist("uniform", 4096, 65_536), 32) == pytest.approx(uniform_gain(32), rel=1e-3)
    assert slot_gain(length_dist("fixed", 77, 65_536), 64) == 1.0
    assert slot_gain(length_dist("exponential", 256, 65_536), 1) == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["uniform", "exponential"])
def test_slot_gain_is_the_mean_max_over_mean_of_the_draws(kind):
    dist = length_dist(kind, 200, 65_536)
    draws = dist.sample(np.random.default_rng(1), 64 * 20_000).reshape(-1, 64)
    assert slot_gain(dist, 64) == pytest.approx(draws.max(axis=1).mean() / draws.mean(), rel=0.01)


def test_simulated_static_occupancy_is_the_expected_one(h100):
    # the simulator's saturated static batches leave the slots idle that slot_gain predicts
    out = length_dist("exponential", 128, SIMULATOR_MAX_OUTPUT_TOKENS)
    workload = Workload(4000, math.inf, LengthDist.fixed(64), out, seed=4)
    static = simulate(h100, workload, "static", max_batch=16)
    assert 1 / static.slot_occupancy == pytest.approx(slot_gain(out, 16), rel=0.05)


def test_run_policies_reports_a_refusal_and_runs_the_rest(h100):
    workload = Workload(60, 4.0, LengthDist.fixed(200), LengthDist.fixed(20))
    results, refused = run_policies(h100, workload, 16, ("static", "bogus", "continuous"))
    assert set(results) == {"static", "continuous"}
    assert refused["bogus"].startswith("policy:")
    assert results["continuous"].output_tokens == 60 * 20


def test_ecdf_drops_nan_and_downsamples():
    values = np.concatenate([np.arange(1000.0)[::-1], [np.nan]])
    x, y = ecdf(values, points=50)
    assert len(x) == 50 and x[0] == 0 and x[-1] == 999 and y[-1] == 1.0
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) > 0)
    x, y = ecdf(np.array([3.0, 1.0]))
    assert list(x) == [1.0, 3.0] and list(y) == [0.5, 1.0]
    assert ecdf(np.array([np.nan]))[0].size == 0


def test_prefill_deployment(catalog):
    scenario = parse_scenario_strict({"price": "5", "mfu": "0.3"}, catalog)
    same = prefill_deployment(scenario, catalog, SAME, 0)
    assert same == resolve(scenario, catalog)
    other = prefill_deployment(scenario, catalog, "h200", 4)
    assert other.hardware.id == "h200" and other.chips == 4
    assert other.usd_per_chip_hour == catalog.hardware["h200"].usd_per_hour  # not the sidebar's $5 override
    assert other.efficiency.mfu == catalog.hardware["h200"].mfu
    assert prefill_deployment(scenario, catalog, SAME, 2).efficiency.mfu == 0.3
    with pytest.raises(ValueError, match="^hw"):
        prefill_deployment(scenario, catalog, "h900", 0)


def test_check_holds_names_the_field(catalog, h100):
    check_holds(h100, 100_000)
    one = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=1)
    with pytest.raises(ValueError, match="^decode_chips: the weights and one 5,120-token"):
        check_holds(one, 5120, "decode_chips")


def test_plan_sweep_is_compare_at_each_point(h100):
    rates = sweep_values("rate_per_s", RATE, PROMPT, 100_000)
    assert rates[6] == RATE and rates[0] == RATE / 64 and rates.size == 13
    data = plan_sweep(h100, h100, PROMPT, OUT, RATE, BATCH, "rate_per_s", rates)
    now = disaggregation.compare(h100, h100, PROMPT, OUT, RATE, BATCH)
    for name in ("colocated", "disaggregated"):
        for field in SWEEP_FIELDS:
            assert getattr(data, name)[field][6] == pytest.approx(getattr(now[name], field))
    assert not data.refused


def test_plan_sweep_leaves_gaps_where_the_batch_does_not_fit(h100):
    prompts = sweep_values("prompt_tokens", RATE, PROMPT, 131_072 - OUT)
    assert prompts.min() >= 16 and prompts.max() <= 131_072 - OUT and PROMPT in prompts
    data = plan_sweep(h100, h100, PROMPT, OUT, RATE, BATCH, "prompt_tokens", prompts)
    gaps = np.isnan(data.colocated["tpot_s"])
    assert gaps.any() and not gaps[prompts <= PROMPT].any()
    assert data.refused and all(message.startswith("decode_batch") for message in data.refused)
    with pytest.raises(ValueError, match="^axis"):
        sweep_values("batch", RATE, PROMPT, 1000)


def test_latency_parts_add_up(h100):
    plans = disaggregation.compare(h100, h100, PROMPT, OUT, RATE, BATCH, link_bytes_per_s=50e9)
    prefill_s = float(prefill(h100, PROMPT).time_s)
    for plan in plans.values():
        assert plan.prefill_s == pytest.approx(prefill_s, rel=1e-12)
        ttft = ttft_parts(plan)
        assert sum(ttft.values()) == pytest.approx(plan.ttft_s)
        assert sum(tpot_parts(plan).values()) == pytest.approx(plan.tpot_s)
    dis, colo = plans["disaggregated"], plans["colocated"]
    assert ttft_parts(dis)["decode_step_in_flight"] == pytest.approx(0, abs=1e-9)
    assert ttft_parts(dis)["kv_transfer"] == pytest.approx(PROMPT * 327_680 / 50e9)
    assert tpot_parts(dis)["prefill_stall"] == 0
    assert tpot_parts(colo)["prefill_stall"] == pytest.approx(colo.tpot_s * colo.prefill_utilization)


def test_kv_links_are_bytes_per_second():
    assert KV_LINKS["400g"][0] == 50e9 and KV_LINKS["scale-up"][0] is None


def test_shaped_workload_is_the_page_shapes():
    shaped = Workload.shaped(300, 4.0, "uniform", 1024, "exponential", 256, seed=3)
    assert shaped == Workload(300, 4.0, length_dist("uniform", 1024, 131_072),
                              length_dist("exponential", 256, SIMULATOR_MAX_OUTPUT_TOKENS), seed=3)


def test_gain_check_sets_the_simulation_beside_the_formulas(h100):
    out = length_dist("exponential", 128, SIMULATOR_MAX_OUTPUT_TOKENS)
    workload = Workload(1000, math.inf, LengthDist.fixed(64), out, seed=4)
    results, refused = run_policies(h100, workload, 16, ("static", "continuous"))
    assert not refused
    static, continuous = results["static"], results["continuous"]
    check = gain_check(static, continuous, "exponential", 128)
    assert check.batch == static.batch_limit == 16
    assert check.simulated == continuous.output_tokens_per_s / static.output_tokens_per_s
    assert check.occupancy_gain == 1 / static.slot_occupancy
    assert check.expected == slot_gain(out, 16) and check.closed_form == harmonic(16)
    assert gain_check(static, continuous, "uniform", 128).closed_form == uniform_gain(16)
    assert gain_check(static, continuous, "fixed", 128).closed_form is None


def test_compare_checked_names_the_replica_that_does_not_hold(catalog, h100):
    one = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=1)  # the weights alone overflow 80 GB
    with pytest.raises(ValueError, match="^decode_chips"):
        compare_checked(h100, one, PROMPT, OUT, RATE, BATCH)
    with pytest.raises(ValueError, match="^chips"):
        compare_checked(one, h100, PROMPT, OUT, RATE, BATCH)
    assert compare_checked(h100, h100, PROMPT, OUT, RATE, BATCH) == disaggregation.compare(
        h100, h100, PROMPT, OUT, RATE, BATCH)


def test_plans_carry_the_terms_the_page_shows(h100):
    plans = disaggregation.compare(h100, h100, PROMPT, OUT, RATE, BATCH, link_bytes_per_s=50e9)
    colo, dis = plans["colocated"], plans["disaggregated"]
    assert colo.decode_step_s == pytest.approx(colo.tpot_s * (1 - colo.prefill_utilization), rel=1e-12)
    assert dis.decode_step_s == dis.tpot_s
    assert dis.sized_step_s == pytest.approx(dis.decode_replicas_exact * BATCH / (RATE * OUT), rel=1e-12)
    assert colo.sized_step_s == dis.sized_step_s  # same replica, same batch
    assert dis.kv_bytes == pytest.approx(PROMPT * 327_680) and colo.kv_bytes == 0
    assert dis.kv_bytes / dis.kv_transfer_s == pytest.approx(50e9)


def test_sweep_verdict_counts_and_prompt_room(h100):
    data = plan_sweep(h100, h100, PROMPT, OUT, RATE, BATCH, "rate_per_s", sweep_values("rate_per_s", RATE, PROMPT, 0))
    lower, valid = data.tpot_lower_disaggregated()
    assert valid == np.isfinite(data.disaggregated["tpot_s"]).sum() and 0 <= lower <= valid
    assert lower == np.sum(data.disaggregated["tpot_s"] <= data.colocated["tpot_s"])
    assert longest_prompt(h100, OUT) == h100.model.max_context - OUT
