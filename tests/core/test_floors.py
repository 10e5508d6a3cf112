"""docs/formulas.md F26 and F75: the weights-only latency floor and the floor at a context; weights read vs stored."""

import pytest
from conftest import deploy

from model.core import metrics, roofline


def test_weights_read_per_step_are_not_the_weights_stored(catalog):
    dep = deploy(catalog)  # S0: Llama 3.1 70B bf16 on 8 H100
    step, prefill = roofline.decode_step(dep, 64, 8192), roofline.prefill(dep, 4096, batch=64)
    assert dep.weight_bytes == pytest.approx(141.1e9, rel=1e-3)  # weights stored (F6)
    assert metrics.weights_read_bytes(dep, step) == pytest.approx(139.0e9, rel=1e-3)  # the embedding is a lookup
    assert metrics.weights_read_bytes(dep, prefill) == pytest.approx(139.0e9, rel=1e-3)
    assert metrics.embedding_lookup_bytes(prefill) == pytest.approx(64 * 4096 * 8192 * 2)  # one row per token
    assert metrics.floor_weight_bytes(dep) == pytest.approx(metrics.weights_read_bytes(dep, step))


def test_floor_at_context_adds_one_sequence_of_kv_cache(catalog):
    dep = deploy(catalog)
    assert metrics.latency_floor_s(dep) == pytest.approx(5.19e-3, rel=2e-3)
    expected = (139.0e9 + 8192 * 327_680) / 2.68e13  # 5.29 ms
    assert metrics.latency_floor_at_context_s(dep, 8192) == pytest.approx(expected, rel=1e-3)
    assert metrics.latency_floor_at_context_s(dep, 0) == pytest.approx(metrics.latency_floor_s(dep))


def test_long_context_moe_floor_counts_active_experts_and_kv_copies(catalog):
    dep = deploy(catalog, preset="long-context-200k")  # Qwen3-235B-A22B FP8 on 8 H200, 4 KV heads -> 2 copies
    assert dep.kv_replication == 2
    floor, at_ctx = metrics.latency_floor_s(dep), metrics.latency_floor_at_context_s(dep, 200_000)
    assert metrics.floor_weight_bytes(dep) < 0.1 * dep.weight_bytes  # active experts, not every weight
    assert at_ctx == pytest.approx((21.57e9 + 2 * 200_000 * 192_512) / 3.84e13, rel=1e-3)  # 2.57 ms
    batch_one = float(roofline.decode_step(dep, 1, 200_000).time_s)
    # the weights-only "floor" is far below (9.0 before the ~1,300 kernels x 3 µs of F100 joined the step)
    assert batch_one / floor == pytest.approx(16.0, abs=0.1)
    assert 1 < batch_one / at_ctx < 4  # the floor at this context is a floor (kernels add ~4 ms here)
