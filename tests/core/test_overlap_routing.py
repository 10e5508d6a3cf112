"""Two micro-batch overlap as a schedule (F140) and random routing after load balancing (F141)."""

import dataclasses
import math

import numpy as np
import pytest
from conftest import deploy

from model.core import roofline
from model.core.overlap import COMM_SM_SHARE, schedule_s
from model.core.parallel import expected_max_normal, layout, routing_imbalance

DEEPSEEK_DECODE = dict(hw="h800", model="deepseek-v3", chips=144, dp_attn="true", tp=1, ep=144, scaleup=8,
                       wbits=8, kvbits=16, abits=8, ctx=4989, batch=12686)


def test_schedule_matches_the_worked_examples():
    assert float(schedule_s([(1, 1, 2, 1, 2)])) == pytest.approx(9)  # fill 1 + 8
    assert float(schedule_s([(2, 1, 2, 1, 2)])) == pytest.approx(17)  # then 8 per layer: the network is busier
    assert float(schedule_s([(3, 2, 1, 0.5, 1)])) == pytest.approx(19)  # 6 per layer: attention does not hide combine
    assert float(schedule_s([(4, 1, 0, 1, 0)])) == pytest.approx(16)  # nothing to hide: the compute stream


@pytest.mark.parametrize("stages", [(1, 0.3, 2, 0.1), (0.2, 3, 0.5, 1), (1, 1, 1, 1), (5, 0.01, 0.2, 4)])
def test_schedule_lies_between_the_busier_stream_and_the_serial_sum(stages):
    a, d, m, c = stages
    layers = 7
    total = float(schedule_s([(layers, a, d, m, c)]))
    assert total <= 2 * layers * (a + d + m + c) + 1e-12
    assert total >= 2 * layers * max(a + m, d + c) - 1e-12


def test_schedule_is_vectorised():
    a = np.array([1.0, 2.0])
    out = schedule_s([(3, a, 1.0, 0.5, 1.0)])
    assert out.shape == (2,)
    assert out[1] == pytest.approx(float(schedule_s([(3, 2.0, 1.0, 0.5, 1.0)])))


def test_expected_maximum_of_normals_matches_its_closed_forms():
    assert expected_max_normal(1) == 0
    assert expected_max_normal(2) == pytest.approx(1 / math.sqrt(math.pi), rel=1e-9)
    assert expected_max_normal(3) == pytest.approx(3 / (2 * math.sqrt(math.pi)), rel=1e-9)
    assert 2.5 < expected_max_normal(144) < 2.8  # ~2.64: √(2 ln 144) = 3.15 bounds it from above
    values = [expected_max_normal(n) for n in (2, 8, 32, 144, 1024)]
    assert values == sorted(values)


def test_random_routing_waits_for_the_busiest_chip(catalog):
    balanced = deploy(catalog, **DEEPSEEK_DECODE)
    rand = dataclasses.replace(balanced, random_routing=True)
    assert float(routing_imbalance(balanced, 12686)) == 1.0
    pairs = 12686 * 8 / 144
    assert float(routing_imbalance(rand, 12686)) == pytest.approx(1 + expected_max_normal(144) / math.sqrt(pairs))
    small, large = (float(routing_imbalance(rand, t)) for t in (1000, 100_000))
    assert small > large > 1  # larger batches fluctuate less
    dense = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)
    assert float(routing_imbalance(dataclasses.replace(dense, random_routing=True), 64)) == 1.0
    assert layout(rand, 12686).imbalance > 1 and layout(balanced, 12686).imbalance == 1
    for ctx in (1024, 4989):
        a, b = roofline.decode_step(balanced, 12686, ctx), roofline.decode_step(rand, 12686, ctx)
        f = float(routing_imbalance(rand, 12686))
        assert float(a.time_s) < float(b.time_s) <= float(a.time_s) * f + 1e-12
        experts = [next(op for op in step.ops if op.name == "moe_experts") for step in (a, b)]
        assert float(experts[1].compute_s) == pytest.approx(float(experts[0].compute_s) * f)
        assert float(experts[1].weights_s) == pytest.approx(float(experts[0].weights_s))


def test_overlapped_expert_parallel_prefill_gives_the_all_to_all_its_sms(catalog):
    keys = dict(DEEPSEEK_DECODE, chips=32, ep=32)
    serial = deploy(catalog, **keys)
    hidden = dataclasses.replace(serial, overlap=True)
    half = roofline.prefill(serial, 4096, batch=2)
    both = roofline.prefill(hidden, 4096, batch=4)
    for one, two in zip(half.ops, both.ops, strict=True):
        assert float(two.compute_s) == pytest.approx(2 * float(one.compute_s) / (1 - COMM_SM_SHARE), rel=1e-9)
    decode_half = roofline.decode_step(serial, 64, 4096)
    decode_both = roofline.decode_step(hidden, 128, 4096)
    for one, two in zip(decode_half.ops, decode_both.ops, strict=True):  # decode's direct all-to-all takes no SMs
        assert float(two.compute_s) == pytest.approx(2 * float(one.compute_s), rel=1e-9)


def test_per_op_table_adds_up_to_the_pass_and_puts_hidden_time_in_its_own_column(catalog):
    from model.report.summary import op_rows

    dep = dataclasses.replace(deploy(catalog, **DEEPSEEK_DECODE), overlap=True, spec_tokens=1, spec_accept=0.85)
    step = roofline.decode_step(dep, 12686, 4989)
    rows = op_rows(step)
    assert sum(r["time_ms"] for r in rows) == pytest.approx(float(step.time_s) * 1e3, rel=1e-9)
    assert sum(r["hidden_ms"] for r in rows) == pytest.approx(float(step.hidden_comms_s) * 1e3, rel=1e-9)
    assert {r["bound"] for r in rows} <= {"compute", "memory", "comms", "draft"}
    a2a = next(r for r in rows if r["op"] == "ep_all_to_all")
    assert a2a["time_ms"] + a2a["hidden_ms"] == pytest.approx(float(step.all_to_all_total_s) * 1e3, rel=1e-9)
