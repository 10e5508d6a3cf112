"""Speculative decoding in the disaggregation plans: each decode step yields tau tokens per sequence,
so a request needs out/tau steps and TPOT counts accepted tokens (docs/formulas.md F133)."""

import dataclasses

import pytest
from conftest import deploy

from model.core import metrics
from model.disaggregation.plan import colocated, compare, disaggregated

WORK = dict(prompt_tokens=2048, output_tokens=512, rate_per_s=20.0, decode_batch=64)


@pytest.fixture(scope="module")
def plain(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


def spec(dep, accept):
    return dataclasses.replace(dep, spec_tokens=3, spec_accept=accept)


def test_pools_need_out_over_tau_steps_per_request(plain):
    zero, some = spec(plain, 0.0), spec(plain, 0.8)
    tau = metrics.tokens_per_step(some)
    a, b = disaggregated(plain, zero, **WORK), disaggregated(plain, some, **WORK)
    assert b.sized_step_s == a.sized_step_s  # the same verification step at the asked batch
    assert b.decode_replicas_exact == pytest.approx(a.decode_replicas_exact / tau, rel=1e-12)
    assert b.tpot_s == pytest.approx(b.decode_step_s / tau, rel=1e-12)
    assert b.prefill_replicas == a.prefill_replicas and b.ttft_s == pytest.approx(a.ttft_s)  # prefill unchanged
    c0, c1 = colocated(zero, **WORK), colocated(some, **WORK)
    assert c1.decode_replicas_exact < c0.decode_replicas_exact and c1.tpot_s < c0.tpot_s
    assert c1.tpot_s == pytest.approx(c1.decode_step_s / tau / (1 - c1.prefill_utilization), rel=1e-12)


def test_zero_acceptance_costs_only_the_verification(plain):
    none, zero = compare(plain, plain, **WORK), compare(plain, spec(plain, 0.0), **WORK)
    dis0, dis = none["disaggregated"], zero["disaggregated"]
    assert dis.sized_step_s > dis0.sized_step_s  # four tokens verified and three drafted per step
    assert dis.decode_replicas_exact / dis0.decode_replicas_exact == pytest.approx(dis.sized_step_s / dis0.sized_step_s)
    assert dis.usd_per_m_output >= dis0.usd_per_m_output


def test_accepted_drafts_cut_the_output_price_and_tpot(plain):
    plans = [compare(plain, spec(plain, a), colocated_dep=spec(plain, a), **WORK) for a in (0.0, 0.5, 0.9)]
    for name in ("colocated", "disaggregated"):
        tpots = [p[name].tpot_s for p in plans]
        assert tpots[0] > tpots[1] > tpots[2], name
        costs = [p[name].usd_per_m_output for p in plans]
        assert costs[0] >= costs[1] >= costs[2] and costs[0] > costs[2], name
