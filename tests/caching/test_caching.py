"""Answer cache, prefix cache and reasoning tokens (model/caching/), docs/formulas.md F54–F61."""

import math

import numpy as np
import pytest
from conftest import deploy

from model.caching.answer_cache import answer_cache, generalized_harmonic, zipf_hit_rate
from model.caching.prefix_cache import prefix_cache
from model.caching.reasoning import reasoning_cost, reasoning_curve
from model.core import metrics, roofline
from model.core.request import request_cost

EULER_GAMMA = 0.5772156649015329


@pytest.fixture(scope="module")
def small(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-8b", chips=1)


@pytest.fixture(scope="module")
def chat70(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


def test_zipf_hit_rate_by_hand():
    # s = 1: H_10 / H_1000 = 2.928968 / 7.485471
    assert float(zipf_hit_rate(10, 1000, 1.0)) == pytest.approx(2.9289683 / 7.4854709, rel=1e-6)
    # s = 0 is uniform popularity: K/M
    assert float(zipf_hit_rate(250, 1000, 0.0)) == pytest.approx(0.25)
    # a huge catalogue: H_n ≈ ln n + γ + 1/(2n)
    expected = (math.log(1e6) + EULER_GAMMA + 0.5e-6) / (math.log(1e9) + EULER_GAMMA)
    assert float(zipf_hit_rate(10**6, 10**9, 1.0)) == pytest.approx(expected, rel=1e-9)
    rates = zipf_hit_rate([0, 1, 10, 100, 10**4, 10**5], 10**5, 0.8, cacheable_fraction=0.5)
    assert rates[0] == 0 and rates[-1] == pytest.approx(0.5) and np.all(np.diff(rates) > 0)


@pytest.mark.parametrize("s", [0.5, 1.0, 1.2, 2.0])
def test_harmonic_tail_matches_the_exact_sum(s):
    n = 250_000
    exact = np.sum(np.arange(1, n + 1, dtype=float) ** -s)
    assert float(generalized_harmonic(n, s)) == pytest.approx(exact, rel=1e-12)


def test_answer_cache_expected_cost_by_hand(small):
    prompt, out, batch, hit = 500, 300, 32, 0.4
    usd_per_s = metrics.replica_usd_per_s(small)
    usd_in = usd_per_s * float(roofline.prefill(small, prompt, batch).time_s) / batch
    steps = roofline.decode_step(small, batch, np.arange(prompt, prompt + out)).time_s
    usd_out = usd_per_s * float(steps.sum()) / batch
    latency = float(roofline.prefill(small, prompt).time_s) + float(steps.sum())
    result = answer_cache(small, hit, prompt, out, batch, hit_usd=1e-6, hit_latency_s=0.01)
    assert result.usd_per_request_uncached == pytest.approx(usd_in + usd_out, rel=1e-9)
    assert result.usd_per_request == pytest.approx(hit * 1e-6 + (1 - hit) * (usd_in + usd_out), rel=1e-9)
    assert result.latency_s == pytest.approx(hit * 0.01 + (1 - hit) * latency, rel=1e-9)
    free_hits = answer_cache(small, hit, prompt, out, batch)
    assert free_hits.usd_saving_fraction == pytest.approx(hit)


def test_prefix_cache_saves_the_cached_share_of_prefill_flops(small):
    m = small.model
    per_token = m.matmul_params_per_token - m.lm_head_params  # lm_head runs on the last token only

    def f_prefill(prompt):  # docs/formulas.md F15, with N_act excluding lm_head
        return 2 * per_token * prompt + 2 * m.layers * m.heads * m.head_dim * prompt**2

    result = prefix_cache(small, 8192, 6144)
    assert result.flops_fraction == pytest.approx((f_prefill(8192) - f_prefill(6144)) / f_prefill(8192), rel=0.005)
    # [Austin 2025] Part 7 "Prefix caching" (docs/formulas.md F57): "I like dogs" then "I like cats" needs ~1/3 of
    # the compute; exactly, the one new token
    # plus lm_head, which both passes run once: (N' + lm) / (3N' + lm)
    lm = m.lm_head_params
    assert prefix_cache(small, 3, 2).flops_fraction == pytest.approx((per_token + lm) / (3 * per_token + lm), rel=1e-3)
    assert result.ttft_s < result.ttft_s_uncached and result.usd_input < result.usd_input_uncached
    assert result.ttft_s == pytest.approx(float(roofline.prefill(small, 2048, cached=6144).time_s))


def test_prefix_cache_from_host_memory_pays_the_transfer(small):
    result = prefix_cache(small, 8192, 6144, batch=4, tier_bytes_per_s=64e9)
    kv_token = 131_072  # Llama 3 8B bf16: 2 · 32 layers · 8 KV heads · 128 · 2 B
    assert result.load_s == pytest.approx(6144 * kv_token / 64e9)
    hbm = prefix_cache(small, 8192, 6144, batch=4)
    assert result.ttft_s == pytest.approx(hbm.ttft_s + result.load_s)
    assert result.usd_input == pytest.approx(hbm.usd_input + metrics.replica_usd_per_s(small) * result.load_s / 4)


def test_reasoning_tokens_cost_by_hand_and_grow_superlinearly(chat70):
    prompt, answer, batch = 1000, 200, 64
    plain = request_cost(chat70, prompt, answer, batch)
    assert reasoning_cost(chat70, prompt, 0, answer, batch).usd_per_answer == pytest.approx(plain.usd_total)
    thinking = reasoning_cost(chat70, prompt, 8000, answer, batch)
    steps = roofline.decode_step(chat70, batch, np.arange(prompt, prompt + 8200)).time_s
    usd_per_s = metrics.replica_usd_per_s(chat70)
    assert thinking.request.usd_output == pytest.approx(usd_per_s * float(steps.sum()) / batch, rel=1e-3)
    assert thinking.latency_s == pytest.approx(plain.ttft_s + float(steps.sum()), rel=1e-3)
    assert thinking.time_to_answer_s == pytest.approx(plain.ttft_s + float(steps[:8000].sum()), rel=1e-3)
    # past the context knee (~1.5k tokens here) each extra output token costs more than the last
    curve = reasoning_curve(chat70, prompt, answer, [0, 2000, 8000, 32000], batch)
    assert np.all(np.diff(curve["usd_per_output_token"]) > 0)
    assert curve["usd_per_answer"][-1] > 32200 / 10200 * curve["usd_per_answer"][2]


def test_bad_inputs_name_the_field(small):
    for call, field in [
        (lambda: zipf_hit_rate(10, 0, 1.0), "catalogue_size"),
        (lambda: zipf_hit_rate(10, 100, -0.1), "exponent"),
        (lambda: zipf_hit_rate(-1, 100, 1.0), "cached_items"),
        (lambda: zipf_hit_rate(1, 100, 1.0, cacheable_fraction=2), "cacheable_fraction"),
        (lambda: answer_cache(small, 1.5, 100, 100), "hit_rate"),
        (lambda: answer_cache(small, 0.5, 0, 100), "prompt_tokens"),
        (lambda: prefix_cache(small, 100, 100), "cached_tokens"),
        (lambda: prefix_cache(small, 100, 10, tier_bytes_per_s=0), "tier_bytes_per_s"),
        (lambda: reasoning_cost(small, 100, -5, 10), "reasoning_tokens"),
        (lambda: reasoning_curve(small, 100, 10, np.arange(1001)), "reasoning_tokens"),
    ]:
        with pytest.raises(ValueError, match=f"^{field}"):
            call()
