"""Attention kinds per layer pattern (docs/formulas.md F150–F153): chunked pairs, sparse top-k and its
indexer, linear layers' constant state, and the layer patterns of the checked presets."""

from dataclasses import replace

import numpy as np
import pytest
from conftest import deploy

from model.core import metrics
from model.core.architecture import shape_problems
from model.core.ops import attended_keys, chunked_keys, forward_ops, state_bytes_per_sequence


def attention_op(dep, batch, new, ctx, decode):
    return next(op for op in forward_ops(dep.model, dep.precision, batch, new, ctx, decode) if op.name == "attention")


def test_chunked_pairs_worked_example_and_brute_force():
    assert float(chunked_keys(0, 20_000, 8192)) == 2 * 8192 * 8193 / 2 + 3616 * 3617 / 2 == 73_656_592
    brute = sum(((p - 1) % 100) + 1 for p in range(251, 251 + 377))
    assert float(chunked_keys(250, 377, 100)) == brute
    assert float(chunked_keys(0, 20_000, 8192)) < float(attended_keys(0, 20_000, 8192))


def test_checked_layer_patterns(catalog):
    gemma = catalog.models["gemma-3-27b"]  # 5 local (1,024-token window) : 1 global, 62 layers
    assert (gemma.global_layers, gemma.sliding_layers, gemma.sliding_window) == (10, 52, 1024)
    for name, layers in (("gpt-oss-120b", 36), ("gpt-oss-20b", 24)):  # alternating 128-token windows
        m = catalog.models[name]
        assert (m.global_layers, m.sliding_layers, m.sliding_window) == (layers // 2, layers // 2, 128)
    assert catalog.models["llama-4-scout"].local_kind == "chunked"
    assert catalog.models["qwen3-next-80b-a3b"].attention_pattern == "12 full + 36 linear"
    assert catalog.models["minimax-m1-80k"].attention_pattern == "10 full + 70 linear"
    assert catalog.models["deepseek-v3.2-exp"].attention_pattern == "61 sparse top-2048"
    assert sum(m.max_context >= 200_000 for m in catalog.models.values()) >= 8


def test_sparse_attention_reads_top_k_plus_indexer_keys(catalog):
    sparse = deploy(catalog, hw="h200", model="deepseek-v3.2-exp", wbits=8, dp_attn=True)
    dense = replace(sparse, model=replace(sparse.model, index_topk=0, index_heads=0, index_head_dim=0))
    at = 100_000
    s, d = attention_op(sparse, 1, 1, at, True), attention_op(dense, 1, 1, at, True)
    latent = 61 * 576 * 2  # bf16 MLA latent per token, all layers
    assert float(d.kv_traffic_bytes) == pytest.approx(latent * (at + 1), rel=1e-12)
    assert float(s.kv_traffic_bytes) == pytest.approx(latent * (2048 + 1) + 61 * 128 * (at + 1), rel=1e-12)
    # the cache still stores every token's latent, plus the indexer's FP8 keys
    per_token = float(metrics.kv_bytes_per_sequence(sparse, 2) - metrics.kv_bytes_per_sequence(sparse, 1))
    assert per_token == pytest.approx(latent + 61 * 128)


def test_linear_layers_keep_a_constant_state(catalog):
    dep = deploy(catalog, hw="h200", model="qwen3-next-80b-a3b", chips=2)
    state = state_bytes_per_sequence(dep.model, dep.precision)
    assert state == 36 * 32 * 128 * 128 * 2
    kv = metrics.kv_bytes_per_sequence(dep, np.array([1_000.0, 2_000.0]))
    assert kv[1] - kv[0] == pytest.approx(1_000 * 12 * 2 * 2 * 256 * 2)
    assert float(metrics.kv_bytes_per_sequence(dep, 1)) == pytest.approx(state + 12 * 2 * 2 * 256 * 2)
    short, long = attention_op(dep, 1, 1, 1_000, True), attention_op(dep, 1, 1, 100_000, True)
    linear_flops = 4.0 * 36 * 32 * 128 * 128
    full_flops = 2.0 * 16 * (256 + 256) * 12
    assert float(long.flops - short.flops) == pytest.approx(full_flops * 99_000, rel=1e-12)
    assert float(short.flops) == pytest.approx(linear_flops + full_flops * 1_001, rel=1e-12)


def test_bad_attention_shapes_are_named(catalog):
    m = catalog.models["qwen3-next-80b-a3b"]
    assert ("linear_heads" in dict(shape_problems(replace(m, linear_heads=0))))
    assert ("local_kind" in dict(shape_problems(replace(m, local_kind="ring"))))
    assert ("index_heads" in dict(shape_problems(replace(catalog.models["deepseek-v3.2-exp"], index_heads=0))))
