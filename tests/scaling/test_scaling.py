"""Chinchilla scaling and lifetime compute (model/scaling/) against docs/formulas.md F62–F69, W8-W9."""

from itertools import pairwise

import numpy as np
import pytest
from conftest import deploy

from model.core import metrics, roofline
from model.scaling.laws import (
    BESIROGLU,
    HOFFMANN,
    chinchilla_plan,
    compute_optimal,
    compute_optimal_tokens,
    fit_named,
    lifetime_optimal,
    lifetime_plan,
    loss,
    min_params_for_loss,
    tokens_to_reach_loss,
    usd_per_inference_flop,
    usd_per_training_flop,
)

CHINCHILLA_FLOPS = 5.76e23


def test_w8_besiroglu_compute_optimum_matches_chinchilla_70b():
    n_opt, d_opt = compute_optimal(BESIROGLU, CHINCHILLA_FLOPS)
    assert n_opt == pytest.approx(72.2e9, rel=0.005)
    assert d_opt == pytest.approx(1.33e12, rel=0.005)
    assert d_opt / n_opt == pytest.approx(18.4, rel=0.005)
    assert 6 * n_opt * d_opt == pytest.approx(CHINCHILLA_FLOPS)


def test_w8_hoffmann_rounded_constants_give_the_known_inconsistency():
    n_opt, d_opt = compute_optimal(HOFFMANN, CHINCHILLA_FLOPS)
    assert n_opt == pytest.approx(32.2e9, rel=0.005)
    assert d_opt / n_opt == pytest.approx(93, rel=0.01)


def test_w8_loss_of_chinchilla():
    assert float(loss(HOFFMANN, 70e9, 1.4e12)) == pytest.approx(1.937, abs=5e-4)
    assert float(loss(BESIROGLU, 70e9, 1.4e12)) == pytest.approx(1.974, abs=5e-4)
    # by hand: E + A/N^α + B/D^β
    assert float(loss(HOFFMANN, 1e9, 2e10)) == pytest.approx(1.69 + 406.4 / 1e9**0.34 + 410.7 / 2e10**0.28)


def test_compute_optimum_is_the_minimum_on_the_budget_line():
    n_opt, _ = compute_optimal(BESIROGLU, 1e22)
    n = n_opt * np.array([0.8, 0.9, 1.0, 1.1, 1.25])
    losses = loss(BESIROGLU, n, 1e22 / 6 / n)
    assert np.argmin(losses) == 2
    assert float(compute_optimal_tokens(BESIROGLU, n_opt)) == pytest.approx(1e22 / 6 / n_opt, rel=1e-9)


def test_tokens_to_reach_loss_inverts_the_loss():
    tokens = float(tokens_to_reach_loss(HOFFMANN, 7e9, 2.1))
    assert float(loss(HOFFMANN, 7e9, tokens)) == pytest.approx(2.1, rel=1e-12)
    floor = min_params_for_loss(HOFFMANN, 2.1)
    assert float(tokens_to_reach_loss(HOFFMANN, floor * 0.99, 2.1)) == np.inf
    assert np.isfinite(tokens_to_reach_loss(HOFFMANN, floor * 1.01, 2.1))


def test_w9_sardana_direction_smaller_model_trained_longer_is_cheaper_over_its_life():
    # 13B at its compute-optimal (Hoffmann Approach 3) length is 992B tokens (docs/formulas.md F65, W9);
    # a 7B model trained to the same loss, then serving 2T tokens, costs ~9% fewer lifetime FLOPs.
    chinchilla = chinchilla_plan(HOFFMANN, 13e9, inference_tokens=2e12)
    assert chinchilla.train_tokens == pytest.approx(992e9, rel=0.002)
    small = lifetime_plan(HOFFMANN, 7e9, chinchilla.loss, 2e12)
    assert small.train_tokens > chinchilla.train_tokens
    saving = 1 - small.total_flops / chinchilla.total_flops
    assert 0.05 < saving < 0.2
    assert chinchilla.total_flops == pytest.approx(6 * 13e9 * chinchilla.train_tokens + 2 * 13e9 * 2e12)
    # at 20 tokens/parameter the 7B model needs 432B tokens and saves 36% (docs/formulas.md W9)
    target = float(loss(HOFFMANN, 13e9, 260e9))
    at_20 = lifetime_plan(HOFFMANN, 7e9, target, 2e12)
    assert at_20.train_tokens == pytest.approx(432e9, rel=0.005)
    big = lifetime_plan(HOFFMANN, 13e9, target, 2e12)
    assert 1 - at_20.total_flops / big.total_flops == pytest.approx(0.36, abs=0.01)


@pytest.mark.parametrize("fit", [HOFFMANN, BESIROGLU])
def test_optimal_model_shrinks_and_trains_longer_as_inference_demand_grows(fit):
    target = chinchilla_plan(fit, 13e9).loss
    plans = [lifetime_optimal(fit, target, d_inf) for d_inf in (0.0, 2e12, 2e13, 2e14)]
    assert plans[0].params == pytest.approx(13e9, rel=1e-4)  # no inference: Chinchilla's answer
    sizes = [p.params for p in plans]
    assert all(b < a for a, b in pairwise(sizes))
    ratios = [p.tokens_per_param for p in plans]
    assert all(b > a for a, b in pairwise(ratios))
    for plan in plans:
        assert plan.loss == pytest.approx(float(loss(fit, plan.params, plan.train_tokens)), rel=1e-9)
        for nudge in (0.97, 1.03):  # a true minimum
            nearby = lifetime_plan(fit, plan.params * nudge, target, plan.inference_tokens)
            assert nearby.total_flops >= plan.total_flops


def test_usd_version_weights_inference_by_the_roofline_price(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-8b", chips=1)
    train = usd_per_training_flop(dep, mfu=0.4)
    assert train == pytest.approx(2.69 / 3600 / (989.4e12 * 0.4), rel=1e-6)
    step_s = float(roofline.decode_step(dep, 32, 2048).time_s)
    per_token = metrics.replica_usd_per_s(dep) * step_s / 32
    inference = usd_per_inference_flop(dep, batch=32, ctx=2048)
    assert inference == pytest.approx(per_token / (2 * dep.model.matmul_params_per_token), rel=1e-9)
    assert inference > train  # memory-bound decode: a FLOP costs more than in training
    target = chinchilla_plan(HOFFMANN, 13e9).loss
    by_flops = lifetime_optimal(HOFFMANN, target, 2e12)
    by_usd = lifetime_optimal(HOFFMANN, target, 2e12, train, inference)
    assert by_usd.params < by_flops.params  # dearer inference pushes further towards small models
    assert by_usd.usd == pytest.approx(by_usd.training_flops * train + by_usd.inference_flops * inference)


def test_bad_inputs_name_the_field():
    with pytest.raises(ValueError, match="^fit"):
        fit_named("kaplan")
    with pytest.raises(ValueError, match="^params"):
        loss(HOFFMANN, -1, 1e9)
    with pytest.raises(ValueError, match="^flops"):
        compute_optimal(HOFFMANN, 0)
    with pytest.raises(ValueError, match="^target_loss"):
        tokens_to_reach_loss(HOFFMANN, 1e9, 1.5)  # below the irreducible loss E = 1.69
    with pytest.raises(ValueError, match="^params"):
        lifetime_plan(HOFFMANN, 1e6, 2.0, 0)  # too small to ever reach loss 2.0
    with pytest.raises(ValueError, match="^params"):
        loss(HOFFMANN, np.ones(1_000_001), 1e9)
