"""Prefill/decode disaggregation versus colocation (model/disaggregation/), docs/formulas.md F47–F53."""

import math

import pytest
from conftest import deploy

from model.core import metrics, roofline
from model.disaggregation.links import kv_transfer_s
from model.disaggregation.plan import (
    colocated,
    compare,
    disaggregated,
    md1_wait_s,
)

PROMPT, OUT, RATE, BATCH = 4096, 512, 10.0, 64


@pytest.fixture(scope="module")
def h100(catalog):
    return deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)


@pytest.fixture(scope="module")
def h200(catalog):
    return deploy(catalog, hw="h200", model="llama-3.1-70b", chips=8)


def test_pools_balance_prefill_and_decode_throughput(h100):
    # [Austin 2025] Part 8 (docs/formulas.md F49): Pn / T_prefill = B · Gn / (t_step · G_len), with the exact
    # (unrounded) pool sizes.
    plan = disaggregated(h100, h100, PROMPT, OUT, RATE, BATCH)
    prefill_s = float(roofline.prefill(h100, PROMPT).time_s)
    step_s = metrics.mean_decode_step_s(h100, BATCH, PROMPT, OUT)
    assert plan.prefill_replicas_exact == pytest.approx(RATE * prefill_s)
    assert plan.decode_replicas_exact == pytest.approx(RATE * OUT * step_s / BATCH)
    assert plan.prefill_replicas_exact / prefill_s == pytest.approx(BATCH * plan.decode_replicas_exact / (step_s * OUT))
    assert plan.prefill_replicas == math.ceil(plan.prefill_replicas_exact / 0.8)
    assert plan.decode_replicas == math.ceil(plan.decode_replicas_exact)
    doubled = disaggregated(h100, h100, PROMPT, OUT, 2 * RATE, BATCH)
    assert doubled.decode_replicas_exact == pytest.approx(2 * plan.decode_replicas_exact)


def test_kv_transfer_time_by_hand(h100):
    # Llama 3 70B bf16: 327,680 B/token; 4096 tokens over one 400 Gb/s NIC (50 GB/s)
    assert kv_transfer_s(h100, h100, 4096, link_bytes_per_s=50e9) == pytest.approx(4096 * 327_680 / 50e9)
    # default: both pools in one NVLink domain, 8 chips x 450 GB/s each way
    assert kv_transfer_s(h100, h100, 4096) == pytest.approx(4096 * 327_680 / (8 * 450e9))


def test_disaggregated_latencies_by_hand(h100):
    plan = disaggregated(h100, h100, PROMPT, OUT, RATE, BATCH, link_bytes_per_s=50e9)
    prefill_s = float(roofline.prefill(h100, PROMPT).time_s)
    rho = RATE * prefill_s / plan.prefill_replicas
    wait = rho * prefill_s / (2 * (1 - rho))
    assert plan.ttft_s == pytest.approx(prefill_s + wait + 4096 * 327_680 / 50e9)
    # Little's law on each decode replica: B_eff = (λ / n_d) · G · TPOT, and TPOT has no stalls
    assert plan.decode_batch == pytest.approx(RATE / plan.decode_replicas * OUT * plan.tpot_s, rel=1e-6)
    assert plan.tpot_s == pytest.approx(metrics.mean_decode_step_s(h100, plan.decode_batch, PROMPT, OUT))
    assert plan.decode_batch <= BATCH


def test_colocation_stalls_decodes_behind_prefills(h100):
    plan = colocated(h100, PROMPT, OUT, RATE, BATCH)
    prefill_s = float(roofline.prefill(h100, PROMPT).time_s)
    share = RATE / plan.decode_replicas * prefill_s
    assert plan.prefill_utilization == pytest.approx(share)
    step_s = metrics.mean_decode_step_s(h100, plan.decode_batch, PROMPT, OUT)
    assert plan.tpot_s == pytest.approx(step_s / (1 - share))
    assert plan.decode_batch == pytest.approx(RATE / plan.decode_replicas * OUT * plan.tpot_s, rel=1e-6)
    full_step = metrics.mean_decode_step_s(h100, BATCH, PROMPT, OUT)
    assert plan.ttft_s == pytest.approx(prefill_s + md1_wait_s(share, prefill_s) + full_step / 2)
    assert plan.decode_replicas == math.ceil(RATE * (prefill_s + OUT * full_step / BATCH))
    both = compare(h100, h100, PROMPT, OUT, RATE, BATCH)
    assert both["disaggregated"].tpot_s < plan.tpot_s / 1.5  # no prefill stalls


def test_costs_add_up(h100, h200):
    plan = disaggregated(h100, h200, PROMPT, OUT, RATE, BATCH)
    prefill_usd_per_s = plan.prefill_replicas * 8 * h100.usd_per_chip_hour / 3600
    usd_per_s = prefill_usd_per_s + plan.decode_replicas * 8 * h200.usd_per_chip_hour / 3600
    assert plan.usd_per_s == pytest.approx(usd_per_s)
    assert plan.usd_per_m_tokens == pytest.approx(1e6 * usd_per_s / (RATE * (PROMPT + OUT)))
    assert plan.usd_per_m_input == pytest.approx(1e6 * prefill_usd_per_s / (RATE * PROMPT))
    assert plan.chips == 8 * (plan.prefill_replicas + plan.decode_replicas)
    colo = colocated(h100, PROMPT, OUT, RATE, BATCH)
    spent = colo.usd_per_m_input * RATE * PROMPT + colo.usd_per_m_output * RATE * OUT
    assert spent / 1e6 == pytest.approx(colo.usd_per_s)


def test_bandwidth_rich_decode_hardware_needs_fewer_decode_replicas(h100, h200):
    # decode is memory-bound: H200's 4.8 TB/s against H100's 3.35 TB/s shortens every step
    on_h100 = disaggregated(h100, h100, PROMPT, OUT, RATE, BATCH)
    on_h200 = disaggregated(h100, h200, PROMPT, OUT, RATE, BATCH)
    assert on_h200.decode_replicas_exact < 0.85 * on_h100.decode_replicas_exact
    assert on_h200.prefill_replicas_exact == pytest.approx(on_h100.prefill_replicas_exact)


def test_bad_inputs_name_the_field(h100):
    for call, field in [
        (lambda: disaggregated(h100, h100, 0, OUT, RATE, BATCH), "prompt_tokens"),
        (lambda: disaggregated(h100, h100, PROMPT, OUT, 0, BATCH), "rate_per_s"),
        (lambda: disaggregated(h100, h100, PROMPT, OUT, RATE, 10_000), "decode_batch"),
        (lambda: colocated(h100, PROMPT, OUT, RATE, 10_000), "decode_batch"),
        (lambda: disaggregated(h100, h100, PROMPT, OUT, RATE, BATCH, max_utilization=1.5), "max_utilization"),
        (lambda: kv_transfer_s(h100, h100, 100, link_bytes_per_s=-1), "link_bytes_per_s"),
    ]:
        with pytest.raises(ValueError, match=f"^{field}"):
            call()
