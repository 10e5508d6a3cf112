"""Properties that must hold for every hardware x model preset, not just the examples."""

from itertools import pairwise

import numpy as np
import pytest
from conftest import deploy

from model import parse_scenario_strict, resolve, summarize
from model.core import metrics, roofline

BATCHES = np.unique(np.geomspace(1, 4096, 60).round())
CONTEXTS = np.unique(np.geomspace(1, 1_000_000, 60).round())


def all_pairs(catalog):
    return [(hw, model) for hw in catalog.hardware for model in catalog.models]


def smallest_fitting_chips(catalog, hw, model, wbits=16):
    for chips in (1, 2, 4, 8, 16, 32, 64):
        dep = deploy(catalog, hw=hw, model=model, chips=chips, wbits=wbits)
        if metrics.max_batch(dep, 2048) >= 1:
            return dep
    return None


def test_cost_per_output_token_never_rises_with_batch_below_the_memory_limit(catalog):
    checked = 0
    for hw, model in all_pairs(catalog):
        dep = smallest_fitting_chips(catalog, hw, model)
        if dep is None:
            continue
        for ctx in (512, 8192):
            fits = BATCHES[BATCHES <= max(metrics.max_batch(dep, ctx), 1)]
            step = roofline.decode_step(dep, fits, ctx).time_s
            cost = metrics.cost_per_m_output_usd(dep, step, fits)
            assert np.all(np.diff(cost) <= 1e-12 * cost[:-1]), (hw, model, ctx)
            checked += 1
    assert checked > 200


def test_step_time_never_falls_as_context_grows(catalog):
    for hw, model in all_pairs(catalog):
        dep = deploy(catalog, hw=hw, model=model, chips=8)
        for batch in (1, 64):
            step = roofline.decode_step(dep, batch, CONTEXTS).time_s
            assert np.all(np.diff(step) >= 0), (hw, model, batch)


def test_doubling_chips_never_raises_the_floor(catalog):
    for hw, model in all_pairs(catalog):
        floors = [metrics.latency_floor_s(deploy(catalog, hw=hw, model=model, chips=n)) for n in (1, 2, 4, 8, 16, 32)]
        assert all(b <= a for a, b in pairwise(floors)), (hw, model)


def test_prefill_time_grows_with_prompt_and_cost_per_input_token_falls_then_rises(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-8b", chips=1)
    prompts = np.geomspace(1, 1_000_000, 50)
    times = roofline.prefill(dep, prompts).time_s
    assert np.all(np.diff(times) > 0)
    per_token = times / prompts
    # Short prompts are memory-bound (weights read for few tokens), long ones pay quadratic attention.
    assert per_token.argmin() not in (0, len(prompts) - 1)


def test_max_batch_falls_with_context_and_rises_with_chips(catalog):
    dep1 = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=2)
    dep8 = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)
    fit1 = metrics.max_batch(dep1, CONTEXTS)
    assert np.all(np.diff(fit1) <= 0)
    assert np.all(metrics.max_batch(dep8, CONTEXTS) >= fit1)


def test_breakdown_adds_up_to_the_step_time(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="mixtral-8x7b", chips=4)
    step = roofline.decode_step(dep, BATCHES[:, None], CONTEXTS[None, :])
    total = sum(step.breakdown_s().values())
    np.testing.assert_allclose(total, step.time_s, rtol=1e-12)


def test_eight_bit_peak_only_with_eight_bit_weights_and_a_chip_that_has_it(catalog):
    assert deploy(catalog, hw="h100-sxm", wbits=8).eight_bit_compute
    assert not deploy(catalog, hw="h100-sxm", wbits=8, abits=16).eight_bit_compute
    assert not deploy(catalog, hw="h100-sxm", wbits=4).eight_bit_compute
    assert not deploy(catalog, hw="h100-sxm", wbits=16).eight_bit_compute
    tpu = deploy(catalog, hw="tpu-v5e", wbits=8)
    assert tpu.peak_flops_per_s == pytest.approx(tpu.chips * 393e12)


def test_every_named_scenario_gives_finite_numbers(catalog):
    for preset in catalog.scenarios:
        scenario = parse_scenario_strict({"preset": preset}, catalog)
        row = summarize(scenario, resolve(scenario, catalog))
        # with no context knee (attention compute-bound at every context, e.g. BF16 MLA), the batch
        # that fits and the batch knee both fall as 1/context and need never cross
        unbounded = ("batch_knee", "context_knee_tokens") + (
            ("capacity_knee_tokens",) if np.isinf(row["context_knee_tokens"]) else ())
        for key, value in row.items():
            if isinstance(value, float) and key not in unbounded:
                assert np.isfinite(value), (preset, key)
        assert row["fits_in_memory"], preset
        assert 0 < row["latency_floor_ms"] <= row["decode_step_ms"], preset
        assert row["output_input_ratio"] > 1, preset
