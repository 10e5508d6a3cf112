"""Speculative decoding in the serving simulator: a decode step yields tau accepted tokens per
sequence in expectation (docs/formulas.md F132)."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import deploy

from model.core import metrics, roofline
from model.serving.engine import Engine
from model.serving.simulate import POLICIES, simulate
from model.serving.steps import StepTimes
from model.serving.workload import LengthDist, Workload

OPTIONS = {"static": {}, "continuous": {}, "chunked": {"token_budget": 2048}}


@pytest.fixture(scope="module")
def plain(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


def with_spec(dep, accept, drafts=3):
    return dataclasses.replace(dep, spec_tokens=drafts, spec_accept=accept)


def test_tables_price_a_verification_step_and_count_its_accepted_tokens(plain):
    dep = with_spec(plain, 0.77)
    st = StepTimes(dep, max_batch=64, max_context=8000, max_pass_tokens=4096)
    assert st.tau == pytest.approx(1 + 0.77 + 0.77 ** 2 + 0.77 ** 3) and st.positions == 4
    for batch, ctx in [(1, 1), (7, 100), (64, 5000)]:
        verify = float(roofline.decode_step(dep, batch, ctx).time_s)
        assert st.decode_s(batch, ctx) * st.tau == pytest.approx(verify, rel=1e-6)
        # a fused iteration with no prompt work is one verification step
        assert st.fused_s(0, batch, 0, 0.0, ctx) == pytest.approx(verify, rel=2e-3)
    assert st.prefill_s(1000, 2) == pytest.approx(float(roofline.prefill(dep, 1000, 2).time_s), rel=1e-4)


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_a_request_alone_finishes_in_out_over_tau_verification_steps(plain, policy):
    prompt, out = 700, 300
    workload = Workload(1, 1.0, LengthDist.fixed(prompt), LengthDist.fixed(out))
    none, some = (simulate(with_spec(plain, a), workload, policy, max_batch=8, **OPTIONS[policy]) for a in (0.0, 0.8))
    tau = metrics.tokens_per_step(with_spec(plain, 0.8))
    assert some.ttft_p50_s == pytest.approx(none.ttft_p50_s, rel=1e-9)  # prefill is not speculative
    assert some.tpot_p50_s == pytest.approx(none.tpot_p50_s / tau, rel=1e-9)  # same verification steps, tau tokens each
    verify = roofline.decode_step(with_spec(plain, 0.8), 1, np.arange(prompt, prompt + out - 1)).time_s
    assert some.tpot_p50_s == pytest.approx(float(verify.mean()) / tau, rel=1e-4)
    assert some.output_tokens == none.output_tokens == out


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_zero_acceptance_matches_no_speculation_except_the_verification_cost(plain, policy):
    workload = Workload(200, 1e6, LengthDist.uniform(200, 1800), LengthDist.exponential(200), seed=3)
    base = simulate(plain, workload, policy, max_batch=32, **OPTIONS[policy])
    zero = simulate(with_spec(plain, 0.0), workload, policy, max_batch=32, **OPTIONS[policy])
    if policy == "chunked":  # the 1 + spec verified tokens of each decode take more of the token budget
        assert zero.output_tokens == base.output_tokens and zero.prefill_passes >= base.prefill_passes
    else:  # every request queued at t = 0: the same schedule, step for step
        assert (zero.output_tokens, zero.decode_steps, zero.prefill_passes, zero.preemptions) == (
            base.output_tokens, base.decode_steps, base.prefill_passes, base.preemptions)
    assert zero.requests_finished == base.requests_finished == 200
    assert zero.ttft_p50_s >= base.ttft_p50_s * (1 - 1e-12)  # queued behind slower decode steps
    assert zero.tpot_p50_s > base.tpot_p50_s and zero.output_tokens_per_s < base.output_tokens_per_s


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_accepted_drafts_raise_throughput_and_cut_tpot(plain, policy):
    workload = Workload(200, 1e6, LengthDist.uniform(200, 1800), LengthDist.exponential(200), seed=3)
    runs = [simulate(with_spec(plain, a), workload, policy, max_batch=32, **OPTIONS[policy]) for a in (0.0, 0.5, 0.9)]
    assert all(r.requests_finished == 200 and r.output_tokens == runs[0].output_tokens for r in runs)
    rates = [r.output_tokens_per_s for r in runs]
    tpots = [r.tpot_p50_s for r in runs]
    assert rates[0] < rates[1] < rates[2] and tpots[0] > tpots[1] > tpots[2]


def test_chunked_iterations_advance_the_decodes_tau_tokens_on_average(plain):
    """Fused iterations carry the fraction of tau over, so their decodes advance tau tokens per
    iteration on average and nothing is lost or invented."""
    dep = with_spec(plain, 0.6, drafts=2)
    workload = Workload(300, 40.0, LengthDist.uniform(500, 1500), LengthDist.exponential(150), seed=5)
    result = simulate(dep, workload, "chunked", max_batch=32, token_budget=1024)
    assert result.requests_finished == 300 and result.output_tokens == int(workload.draw().output_tokens.sum())
    assert result.prefill_passes > 100  # plenty of fused iterations were exercised


def test_the_fused_token_carry_realises_tau_per_iteration_in_whole_tokens():
    for tau in (1.0, 1.85, 2.82, 3.0):
        engine = SimpleNamespace(carry=0.0, st=SimpleNamespace(tau=tau))
        taken = []
        for _ in range(1000):
            k = Engine.fused_tokens(engine)
            Engine.took_fused(engine, k)
            taken.append(k)
        assert set(taken) <= {int(tau), int(tau) + 1} and abs(sum(taken) - 1000 * tau) < 1 + 1e-9, tau
