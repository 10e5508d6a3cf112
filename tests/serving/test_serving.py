"""The serving simulator (model/serving/) against the roofline and docs/formulas.md F42–F46."""

import math

import numpy as np
import pytest
from conftest import deploy

from model.core import metrics, roofline
from model.serving.chunked import default_token_budget, simulate_chunked
from model.serving.continuous import simulate_continuous
from model.serving.simulate import POLICIES, compare_policies, simulate
from model.serving.static import simulate_static
from model.serving.steps import StepTimes
from model.serving.workload import LengthDist, Workload

EXPONENTIAL_256 = LengthDist.exponential(256)


def harmonic(n):
    return sum(1 / k for k in range(1, n + 1))


@pytest.fixture(scope="module")
def chat70(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


@pytest.mark.parametrize("model, chips", [("llama-3.1-70b", 8), ("mixtral-8x7b", 2), ("deepseek-v3", 8),
                                          ("gemma-2-9b", 1)])
def test_tabulated_pass_times_are_the_roofline(catalog, model, chips):
    dep = deploy(catalog, hw="h200", model=model, chips=chips, wbits=8)
    st = StepTimes(dep, max_batch=256, max_context=40_000, max_pass_tokens=300_000)
    for batch, ctx in [(1, 1), (7, 100), (64, 5000), (256, 33_333)]:
        assert st.decode_s(batch, ctx) == pytest.approx(float(roofline.decode_step(dep, batch, ctx).time_s), rel=1e-6)
    for prompt, batch in [(1, 1), (100, 3), (4096, 1), (30_000, 2), (1000, 200)]:
        expected = float(roofline.prefill(dep, prompt, batch).time_s)
        assert st.prefill_s(prompt, batch) == pytest.approx(expected, rel=1e-4)
    for chunk, done in [(512, 0), (512, 3000), (100, 20_000)]:
        alone = st.pass_s(chunk, 1, st.chunk_attention_s(chunk, done))
        assert alone == pytest.approx(float(roofline.prefill(dep, chunk, 1, cached=done).time_s), rel=1e-4)
    # a run of decode steps: the midpoint rule against the step-by-step sum
    contexts = np.arange(1000, 1300)
    assert st.decode_run_s(48, 1000, 300) == pytest.approx(float(roofline.decode_step(dep, 48, contexts).time_s.sum()),
                                                           rel=1e-6)


@pytest.mark.parametrize("policy", ["static", "continuous", "chunked"])
def test_a_request_alone_sees_the_roofline_ttft_and_tpot(chat70, policy):
    prompt, out = 700, 300
    workload = Workload(1, 1.0, LengthDist.fixed(prompt), LengthDist.fixed(out))
    result = simulate(chat70, workload, policy, max_batch=8, **({"token_budget": 1024} if policy == "chunked" else {}))
    ttft = float(roofline.prefill(chat70, prompt).time_s)
    steps = roofline.decode_step(chat70, 1, np.arange(prompt, prompt + out - 1)).time_s
    assert result.ttft_p50_s == pytest.approx(ttft, rel=1e-4)
    assert result.tpot_p50_s == pytest.approx(float(steps.mean()), rel=1e-4)
    assert result.makespan_s == pytest.approx(workload.draw().arrival_s[0] + ttft + steps.sum(), rel=1e-4)
    assert result.output_tokens == out and result.decode_steps == out - 1
    assert result.chip_s == pytest.approx(8 * result.makespan_s)
    usd = metrics.replica_usd_per_s(chat70) * result.makespan_s / out * 1e6
    assert result.usd_per_m_output == pytest.approx(usd)


def test_static_slot_occupancy_is_mean_over_mean_max_exponential(chat70):
    # docs/formulas.md F43: occupancy E[G]/E[max of B], = 1/H_B for exponential G.
    batch = 32
    workload = Workload(8000, math.inf, LengthDist.fixed(16), EXPONENTIAL_256, seed=3)
    result = simulate_static(chat70, workload, max_batch=batch)
    out = workload.draw().output_tokens
    empirical = out.sum() / sum(len(g) * g.max() for g in np.split(out, range(batch, out.size, batch)))
    assert result.slot_occupancy == pytest.approx(empirical, rel=1e-12)  # batches are arrival-order blocks of 32
    assert result.slot_occupancy == pytest.approx(1 / harmonic(batch), rel=0.05)  # 1/4.06 = 0.246


@pytest.mark.parametrize("batch", [8, 32])
def test_static_slot_occupancy_uniform_outputs(chat70, batch):
    # Uniform G on [1, G_max]: E[G]/E[max] ≈ (B+1)/(2B), i.e. continuous batching gains ≈ 2B/(B+1).
    workload = Workload(8000, math.inf, LengthDist.fixed(16), LengthDist.uniform(1, 512), seed=3)
    result = simulate_static(chat70, workload, max_batch=batch)
    assert result.slot_occupancy == pytest.approx((batch + 1) / (2 * batch), rel=0.03)


@pytest.mark.parametrize("outputs, gain", [(EXPONENTIAL_256, harmonic(32)), (LengthDist.uniform(1, 512), 64 / 33)])
def test_continuous_batching_gain_over_static_is_about_the_slot_gain(chat70, outputs, gain):
    # Saturated queue, same batch cap: the throughput ratio ≈ E[max G]/E[G], a little less because
    # continuous batching stalls decodes for each newcomer's prefill.
    workload = Workload(8000, math.inf, LengthDist.fixed(16), outputs, seed=3)
    results = compare_policies(chat70, workload, max_batch=32, policies=("static", "continuous"))
    ratio = results["continuous"].output_tokens_per_s / results["static"].output_tokens_per_s
    assert 0.85 * gain < ratio < 1.02 * gain
    assert results["continuous"].slot_occupancy == 1.0
    assert results["continuous"].mean_batch == pytest.approx(32, rel=0.02)


def test_paged_kv_waste_is_under_one_block_per_sequence(chat70):
    # docs/formulas.md F44: paging wastes ≤ b − 1 tokens per sequence, ≈ (b − 1)/2 on average;
    # a max-length reservation wastes most of what it reserves.
    workload = Workload(3000, 12.0, LengthDist.uniform(100, 3000), EXPONENTIAL_256, seed=5)
    results = compare_policies(chat70, workload, max_batch=256, policies=("static", "continuous"))
    paged, static = results["continuous"], results["static"]
    assert paged.kv_waste_tokens_per_seq_max <= 15
    assert 0.35 * 16 < paged.kv_waste_tokens_per_seq < 0.6 * 16
    assert paged.kv_waste_fraction < 0.04
    assert static.kv_waste_fraction > 0.6
    assert paged.kv_used_bytes <= paged.kv_reserved_bytes <= paged.kv_capacity_bytes


def test_static_reservation_waste_by_hand(chat70):
    # Fixed P and G: during the G − 1 decode steps a request holds P + m tokens (m = 1..G−1), on
    # average P + G/2, out of the `reserve` it reserved.
    prompt, out, reserve = 1000, 201, 4000
    workload = Workload(64, math.inf, LengthDist.fixed(prompt), LengthDist.fixed(out))
    result = simulate_static(chat70, workload, max_batch=64, reserve_tokens=reserve)
    assert result.kv_waste_fraction == pytest.approx(1 - (prompt + out / 2) / reserve, rel=1e-9)
    assert result.slot_occupancy == 1.0 and result.prefill_passes == 1
    kv_token = 327_680  # Llama 3 70B, bf16: 2 · 80 layers · 8 KV heads · 128 · 2 B
    assert result.kv_reserved_bytes == pytest.approx(64 * reserve * kv_token)


def test_continuous_batching_cuts_ttft_and_raises_throughput(chat70):
    workload = Workload(4000, 6.0, LengthDist.uniform(128, 2048), EXPONENTIAL_256, seed=11)
    results = compare_policies(chat70, workload, max_batch=128)
    static, continuous, chunked = results["static"], results["continuous"], results["chunked"]
    assert continuous.ttft_p50_s < static.ttft_p50_s / 2
    assert continuous.output_tokens == static.output_tokens == chunked.output_tokens
    assert continuous.usd_per_m_output < static.usd_per_m_output
    # chunked prefill removes the stalls behind whole prompts: a flatter TPOT tail
    assert chunked.tpot_p95_s < continuous.tpot_p95_s
    assert chunked.tpot_p95_s / chunked.tpot_p50_s < continuous.tpot_p95_s / continuous.tpot_p50_s


def test_memory_pressure_preempts_and_everything_still_finishes(catalog):
    dep = deploy(catalog, hw="rtx-4090", model="llama-3.1-8b", chips=1)
    workload = Workload(400, math.inf, LengthDist.uniform(512, 2048), LengthDist.exponential(1024), seed=2)
    for run in (simulate_continuous, simulate_chunked):
        result = run(dep, workload, max_batch=256, token_budget=2048)
        assert result.preemptions > 0
        assert np.all(np.isfinite(result.ttft_s))
        assert result.output_tokens == workload.draw().output_tokens.sum()
        assert result.kv_reserved_bytes <= result.kv_capacity_bytes
    static = simulate_static(dep, workload, max_batch=256)
    assert static.batch_limit == int(metrics.max_batch(dep, 2048 + 8192))


def test_seeded_workloads_repeat(chat70):
    a = Workload(500, 3.0, LengthDist.uniform(10, 100), EXPONENTIAL_256, seed=7)
    assert simulate(chat70, a, "continuous").ttft_p95_s == simulate(chat70, a, "continuous").ttft_p95_s
    b = Workload(500, 3.0, LengthDist.uniform(10, 100), EXPONENTIAL_256, seed=8)
    assert not np.array_equal(a.draw().output_tokens, b.draw().output_tokens)
    draws = Workload(20_000, 2.0, LengthDist.uniform(10, 100), EXPONENTIAL_256, seed=1).draw()
    assert draws.output_tokens.mean() == pytest.approx(256, rel=0.03)
    assert np.diff(draws.arrival_s).mean() == pytest.approx(0.5, rel=0.03)


@pytest.mark.parametrize("build, field", [
    (lambda d: simulate(d, Workload(0, 1.0, LengthDist.fixed(10), LengthDist.fixed(10)), "static"), "n_requests"),
    (lambda d: simulate(d, Workload(20_001, 1.0, LengthDist.fixed(10), LengthDist.fixed(10)), "static"), "n_requests"),
    (lambda d: simulate(d, Workload(10, -1.0, LengthDist.fixed(10), LengthDist.fixed(10)), "static"), "rate_per_s"),
    (lambda d: simulate(d, Workload(10, 1.0, LengthDist.fixed(10), LengthDist.fixed(10)), "batched"), "policy"),
    (lambda d: simulate(d, Workload(10, 1.0, LengthDist.fixed(10), LengthDist.fixed(10)), "static", max_batch=0),
     "max_batch"),
    (lambda d: simulate_chunked(d, Workload(10, 1.0, LengthDist.fixed(10), LengthDist.fixed(10)),
                                max_batch=256, token_budget=256), "token_budget"),
    (lambda d: simulate_continuous(d, Workload(10, 1.0, LengthDist.fixed(10), LengthDist.fixed(10)),
                                   block_tokens=0), "block_tokens"),
    (lambda d: simulate_static(d, Workload(2, 1.0, LengthDist.fixed(100), LengthDist.fixed(100)),
                               reserve_tokens=150), "reserve_tokens"),
    (lambda d: LengthDist.uniform(10, 5), "high_tokens"),
    (lambda d: LengthDist.exponential(0.5), "mean_tokens"),
])
def test_bad_inputs_name_the_field(chat70, build, field):
    with pytest.raises(ValueError, match=f"^{field}"):
        build(chat70)


def test_a_request_longer_than_the_kv_memory_is_refused(catalog):
    dep = deploy(catalog, hw="rtx-4090", model="llama-3.1-8b", chips=1)  # ~42k tokens of KV fit
    with pytest.raises(ValueError, match="^prompt/output"):
        simulate_continuous(dep, Workload(2, 1.0, LengthDist.fixed(40_000), LengthDist.fixed(5_000)))
    with pytest.raises(ValueError, match="^reserve_tokens"):
        simulate_static(dep, Workload(2, 1.0, LengthDist.fixed(40_000), LengthDist.fixed(5_000)))


def test_policies_are_one_function_each(chat70):
    assert POLICIES == {"static": simulate_static, "continuous": simulate_continuous, "chunked": simulate_chunked}
    workload = Workload(200, 4.0, LengthDist.uniform(10, 400), EXPONENTIAL_256, seed=9)
    # the chunked default budget is max(512, 2 x max_batch), whichever way it is called
    assert default_token_budget(64) == 512 and default_token_budget(300) == 600
    for max_batch in (64, 300):
        by_name = simulate(chat70, workload, "chunked", max_batch)
        direct = simulate_chunked(chat70, workload, max_batch, token_budget=max(512, 2 * max_batch))
        assert by_name.ttft_p95_s == direct.ttft_p95_s and by_name.prefill_passes == direct.prefill_passes
