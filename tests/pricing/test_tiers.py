"""model/pricing/context_tiers.py and speed_tiers.py: the context sweep at the scenario batch, the best case and
the tier's SLO batch, speed tiers and the floor against chip count (tier prices from traffic: test_knees.py)."""

import math

import numpy as np
import pytest
from conftest import deploy

from model import parse_scenario_strict, resolve, summarize
from model.core import metrics
from model.core.grids import batch_grid, context_grid
from model.core.roofline import decode_step
from model.pricing import context_tiers as tiers
from model.pricing import speed_tiers
from model.pricing.published import published_tiers

CTX = context_grid(tiers.MIN_CONTEXT_TOKENS, 1_000_000, 201, integer=False)


def test_unservable_contexts_are_cut_off():
    cost = np.maximum(1.0, CTX / 1000.0)
    cut = cost.copy()
    cut[150:] = np.nan
    ctx, kept = tiers.servable_prefix(CTX, cut)
    assert ctx.size == kept.size == 150 and np.all(np.isfinite(kept))


# --- the context sweep on real deployments ------------------------------------------------------
@pytest.fixture(scope="module")
def chat(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


def test_the_sweep_agrees_with_the_scenario_report(catalog):
    s = parse_scenario_strict({"ctx": "8192", "prompt": "8192", "batch": "64"}, catalog)
    dep = resolve(s, catalog)
    sweep = tiers.context_sweep(dep, 64, max_context=8192, points=33)
    row = summarize(s, dep)
    assert sweep.ctx_tokens[-1] == pytest.approx(8192)
    assert sweep.usd_per_m_output[0, -1] == pytest.approx(row["usd_per_m_output"], rel=1e-9)
    assert sweep.usd_per_m_input[0, -1] == pytest.approx(row["usd_per_m_input"], rel=1e-9)
    assert sweep.max_batch[-1] == row["max_batch"]


def test_the_best_case_is_never_dearer_where_the_batch_fits_and_rises_with_context(chat):
    sweep = tiers.context_sweep(chat, 64)
    fits = sweep.fits
    assert fits[0] and not fits[-1], "batch 64 fits at 128 tokens but not at 128k"
    assert np.all(sweep.tier_output[fits] <= sweep.usd_per_m_output[0, fits] * (1 + 1e-12))
    assert np.all(np.diff(sweep.tier_output) >= -1e-9 * sweep.tier_output[1:])
    assert sweep.tier_output[-1] > 10 * sweep.tier_output[0]


def test_the_tier_batch_meets_the_speed_target_and_is_never_cheaper_than_the_best_case(chat):
    best = tiers.context_sweep(chat, 64, points=33)
    tier = tiers.context_sweep(chat, 64, points=33, target_tpot_s=0.05)
    served = tier.tier_batch >= 1
    step = decode_step(chat, np.maximum(tier.tier_batch, 1), tier.ctx_tokens).time_s
    assert np.all(step[served] <= 0.05 * (1 + 1e-9))
    assert np.all(tier.tier_output[served] >= best.tier_output[served] * (1 - 1e-12))
    assert tier.tier_batch[0] < best.tier_batch[0] / 4, "speed, not memory, bounds the short-context batch"


def test_the_batch_stops_fitting_exactly_where_stated(chat):
    last = tiers.max_context_for_batch_tokens(chat, 64, chat.model.max_context)
    assert metrics.max_batch(chat, last) >= 64 > metrics.max_batch(chat, last + 1)
    assert tiers.max_context_for_batch_tokens(chat, 1, 1000) == 1000


def test_published_tiers_are_read_from_the_presets(catalog):
    rows = published_tiers(catalog.api_prices)
    assert rows and all(r["threshold_tokens"] > 0 and r["source"] and r["date_seen"] for r in rows)
    anthropic = [r for r in rows if r["provider"] == "Anthropic"]
    assert anthropic and anthropic[0]["threshold_tokens"] == 200_000
    assert (anthropic[0]["input_mult"], anthropic[0]["output_mult"]) == (2.0, 1.5)


# --- speed tiers ---------------------------------------------------------------------------------
def test_the_fast_tier_batch_meets_the_target_and_the_next_batch_does_not(chat):
    tier = speed_tiers.speed_tier(chat, 4096, 64, 1.3)
    assert tier.status == "ok" and 1 <= tier.batch < 64
    assert decode_step(chat, tier.batch, 4096).time_s <= tier.target_tpot_s
    assert decode_step(chat, tier.batch + 1, 4096).time_s > tier.target_tpot_s
    now = metrics.cost_per_m_output_usd(chat, decode_step(chat, 64, 4096).time_s, 64)
    assert tier.price_multiple == pytest.approx(tier.usd_per_m_output / float(now))
    assert tier.price_multiple > 1


def test_no_speed_up_is_the_current_batch(chat):
    tier = speed_tiers.speed_tier(chat, 4096, 64, 1.0)
    assert tier.batch == 64 and tier.price_multiple == pytest.approx(1.0)


def test_an_economy_tier_saves_and_stops_at_the_memory_limit(chat):
    slower = speed_tiers.speed_tier(chat, 4096, 64, 0.6)
    assert slower.batch > 64 and slower.price_multiple < 1 and slower.status == "ok"
    capped = speed_tiers.speed_tier(chat, 4096, 64, 0.05)
    assert capped.status == "hbm_limited" and capped.batch == metrics.max_batch(chat, 4096)


def test_a_target_below_the_floor_is_impossible(chat):
    floor = metrics.latency_floor_s(chat)
    now = float(decode_step(chat, 64, 4096).time_s)
    tier = speed_tiers.speed_tier(chat, 4096, 64, now / (0.9 * floor))
    assert tier.status == "below_floor" and tier.batch == 0 and math.isnan(tier.price_multiple)
    batch_one = float(decode_step(chat, 1, 4096).time_s)
    between = speed_tiers.speed_tier(chat, 4096, 64, now / ((floor + batch_one) / 2))
    assert between.status == "below_batch_one" and between.batch == 0


def test_speed_up_must_be_positive(chat):
    with pytest.raises(ValueError, match="speedup"):
        speed_tiers.speed_tier(chat, 4096, 64, 0)


def test_the_batch_sweep_is_the_decode_step(chat):
    sweep = speed_tiers.batch_sweep(chat, 4096, batch_grid(4096, 121))
    assert sweep.batch[0] == 1 and sweep.batch[-1] == 4096
    assert np.all(np.diff(sweep.tpot_s) > 0), "TPOT grows with batch"
    assert np.all(np.diff(sweep.usd_per_m_output[sweep.fits]) <= 0), "cost per token falls with batch"
    assert sweep.tokens_per_s_per_user[0] == pytest.approx(1 / float(decode_step(chat, 1, 4096).time_s))


# --- floor against chips ---------------------------------------------------------------------------
def test_the_floor_halves_when_chips_double_but_the_step_does_not(chat):
    sweep = speed_tiers.floor_vs_chips(chat, 4096)
    assert list(sweep.chips) == [1, 2, 4, 8, 16, 32, 64]
    assert np.allclose(sweep.floor_s[1:] / sweep.floor_s[:-1], 0.5)
    assert sweep.comms_s[0] == 0 and np.all(sweep.comms_s[1:] > 0)
    assert np.all(sweep.step_s > sweep.floor_s)
    assert sweep.step_s[-1] / sweep.step_s[-2] > 0.9, "communication stops the gains by 64 chips"
    assert sweep.step_s[int(np.argmin(sweep.step_s))] == sweep.step_s[list(sweep.chips).index(sweep.fastest_chips)]
    assert not sweep.weights_fit[0] and sweep.weights_fit[1], "70B bf16 needs 2 H100s"
