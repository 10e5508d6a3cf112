"""The worked examples of docs/formulas.md (section "Worked examples"), computed by the model."""

import dataclasses

import numpy as np
import pytest
from conftest import deploy, v5e

from model.core import metrics, roofline
from model.core.ops import experts_touched
from model.core.precision import Precision

# A 30B dense model with exactly 100 kB/token of int8 KV (docs/formulas.md W3): 25 layers x 16 KV heads x 125 dims x 2
# x 1 B.
# 16 KV heads so that 16-way tensor parallelism splits the cache without copies, as the quiz assumes.
THIRTY_B = dict(model="custom", layers=25, d_model=8000, heads=64, kv_heads=16, head_dim=125, ffn=43333, vocab=5000)


def without_activation_traffic(dep):
    """The formula sheet's knees count weights, KV and FLOPs only: drop activation bytes."""
    precision = dataclasses.replace(dep.precision, bytes_per_activation=1e-9)
    return dataclasses.replace(dep, precision=precision)


def test_ridge_points(catalog):
    # W1: R = F / BW; TPU v5e bf16 1.97e14 / 8.2e11 ~ 240 FLOP/B, H100 preset 989.4e12 / 3.35e12 = 295 (FP8 590).
    v5e_bf16 = deploy(catalog, **v5e(hw_tbps=0.82), chips=1, wbits=16, abits=16).hardware
    assert v5e_bf16.ridge_flop_per_byte() == pytest.approx(240, rel=0.01)
    h100 = catalog.hardware["h100-sxm"]
    assert h100.ridge_flop_per_byte() == pytest.approx(295, rel=0.02)
    assert h100.ridge_flop_per_byte(eight_bit_compute=True) == pytest.approx(590, rel=0.02)


@pytest.mark.parametrize(
    "wbits, abits, tflops, expected",
    # docs/formulas.md W1: bf16, int8 weights, int8 weights+math
    [(16, 16, 197, 240), (8, 16, 197, 120), (8, 8, 394, 243)],
)
def test_batch_knee_is_the_ridge_point_scaled_by_weight_bytes(catalog, wbits, abits, tflops, expected):
    dep = deploy(catalog, ideal=True, **v5e(hw_tflops=tflops, hw_tbps=0.82 if tflops == 197 else 0.81),
                 model="llama-3.1-405b", wbits=wbits, abits=abits, kvbits=16, chips=1, batch=1, ctx=0)
    knee = float(metrics.batch_knee(without_activation_traffic(dep), 1)[0])
    assert knee == pytest.approx(expected, rel=0.05)


def test_pop_quiz_30b_int8_on_16_v5e(catalog):
    # docs/formulas.md W3: B=4 -> 2.57 ms (weights + KV reads), B=256 -> 21 ms (KV reads + FLOPs).
    # The quiz ignores tensor-parallel communication: a link fast enough to make it vanish.
    dep = deploy(catalog, ideal=True, **v5e(hw_link_gbps=100_000), **THIRTY_B, chips=16, wbits=8, kvbits=8, abits=16)
    assert dep.model.kv_bytes_per_token(Precision.from_bits(16, 8)) == 100_000
    assert dep.weight_bytes == pytest.approx(30e9, rel=0.01)
    small = float(roofline.decode_step(dep, 4, 8192).time_s)
    large = float(roofline.decode_step(dep, 256, 8192).time_s)
    assert small * 1e3 == pytest.approx(2.57, rel=0.05)
    assert large * 1e3 == pytest.approx(21.0, rel=0.05)


@pytest.mark.parametrize(
    "experts, active, tokens, expected",
    [(256, 8, 1, 8.00), (256, 8, 32, 163.31), (256, 8, 256, 255.92), (8, 2, 16, 7.92)],
)
def test_moe_experts_touched(experts, active, tokens, expected):
    # docs/formulas.md W7: E (1 - (1 - k/E)^B).
    assert float(experts_touched(experts, active, tokens)) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    "model, kvbits, expected",
    [("llama-3.1-8b", 16, 131_072), ("llama-3.1-70b", 16, 327_680), ("llama-2-13b", 16, 819_200),
     ("deepseek-v3", 16, 70_272), ("deepseek-v3", 8, 35_136)],
)
def test_kv_bytes_per_token(catalog, model, kvbits, expected):
    # docs/formulas.md F7: 2 n_L n_kv d_h b_kv; MLA (kv_lora_rank + rope dim) n_L b_kv.
    assert catalog.models[model].kv_bytes_per_token(Precision.from_bits(16, kvbits)) == expected


def attention_aware_knee(dep, kv_bytes_per_token):
    """docs/formulas.md F36 with attention FLOPs per context token added: 2 N_act / (R_eff k_tok - 4 n_L n_q d_h)."""
    m = dep.model
    ridge = dep.peak_flops_per_s * dep.efficiency.mfu / (dep.hbm_bytes_per_s * dep.efficiency.kv_mbu)
    ridge *= dep.kv_replication  # each copy of the cache is read
    return 2 * m.matmul_params_per_token / (ridge * kv_bytes_per_token - 4 * m.layers * m.heads * m.head_dim)


def test_context_knee_llama3_70b_on_h100(catalog):
    # docs/formulas.md W12: L_crit = 2 N_act / (R k_tok) ~ 1,450 tokens (bf16 KV, R = 295). The model also counts
    # the attention FLOPs of each context token, which moves the knee by ~3%.
    dep = deploy(catalog, ideal=True, hw="h100-sxm", model="llama-3.1-70b", chips=1, wbits=16, kvbits=16)
    knee = metrics.context_knee_tokens(dep)
    assert knee == pytest.approx(attention_aware_knee(dep, 327_680), rel=0.01)
    assert knee == pytest.approx(1450, rel=0.05)


def test_context_knee_scaling_book_serving_setting(catalog):
    # docs/formulas.md W12: v5e, int8 KV (163,840 B/token), bf16 FLOPs (R = 240) -> ~3,560 tokens; docs/formulas.md
    # W12 asks for
    # the 1k-4k range. Attention FLOPs (bf16 over an int8 cache) move it up ~7%.
    keys = dict(**v5e(hw_tbps=0.82), model="llama-3.1-70b", wbits=8, kvbits=8, abits=16)
    one_copy = deploy(catalog, ideal=True, chips=8, **keys)
    assert one_copy.model.kv_bytes_per_token(Precision.from_bits(16, 8)) == 163_840
    knee = metrics.context_knee_tokens(one_copy)
    assert knee == pytest.approx(attention_aware_knee(one_copy, 163_840), rel=0.01)
    assert 1000 < knee < 4000
    assert knee == pytest.approx(3560, rel=0.08)
    # 16 chips over 8 KV heads hold two copies of the cache, so KV reads per chip double.
    two_copies = deploy(catalog, ideal=True, chips=16, **keys)
    assert two_copies.kv_replication == 2
    assert metrics.context_knee_tokens(two_copies) == pytest.approx(attention_aware_knee(two_copies, 163_840), rel=0.01)


def test_moe_batch_knee_uses_whole_model_weights(catalog):
    # docs/formulas.md W7 (whole-model-weights definition): B* = R N_tot / N_act (DeepSeek-V3 ~ 300 x 671 / 37 = 5,440).
    dep = deploy(catalog, ideal=True, hw="custom", hw_tflops=1000, hw_tbps=1 / 0.3, hw_gb=10000, hw_link_gbps=450,
                 model="deepseek-v3", chips=1, wbits=16, kvbits=16)
    m = dep.model
    expected = 300 * m.total_params / m.matmul_params_per_token
    assert expected == pytest.approx(5440, rel=0.03)
    assert float(metrics.batch_knee(without_activation_traffic(dep), 1)[0]) == pytest.approx(expected, rel=0.03)
    # Activation traffic (token gathers to 8 experts, latent-space attention I/O) is real HBM
    # traffic and moves the knee up: it must still be where FLOP time equals memory time.
    knee = float(metrics.batch_knee(dep, 1)[0])
    step = roofline.decode_step(dep, knee, 1)
    assert float(step.total("compute_s")) == pytest.approx(float(step.total("memory_s")), rel=0.01)
    assert expected < knee < 1.5 * expected


def test_latency_floor_is_weights_over_bandwidth(catalog):
    # docs/formulas.md F26: t_floor = W / (n BW); 70B bf16 on one H100 = 141 GB / 3.35 TB/s ~ 42 ms.
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=1, wbits=16)
    embedding_table = dep.model.embedding_params * 2  # a lookup, not read each step
    expected = (dep.weight_bytes - embedding_table) / 3.35e12
    assert metrics.latency_floor_s(dep) == pytest.approx(expected, rel=0.001)
    assert metrics.latency_floor_s(dep) * 1e3 == pytest.approx(41.5, rel=0.02)


def test_moe_floor_reflects_active_parameters(catalog):
    # docs/formulas.md F14: at batch 1 only k experts per layer are read; at large batch every expert is.
    dep = deploy(catalog, hw="h200", model="deepseek-v3", chips=8, wbits=8)
    touched_b1 = metrics.latency_floor_s(dep) * dep.hbm_bytes_per_s
    assert touched_b1 == pytest.approx(dep.model.matmul_params_per_token * 1.0, rel=0.02)
    big = roofline.decode_step(dep, 4096, 1)
    weights_big = sum(float(np.max(op.cost.weight_traffic_bytes)) for op in big.ops)
    assert weights_big == pytest.approx(dep.weight_bytes - dep.model.embedding_params, rel=0.01)


def test_tied_embeddings_are_read_once_as_lm_head(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.2-1b", chips=1, wbits=16)
    touched = metrics.latency_floor_s(dep) * dep.hbm_bytes_per_s
    assert touched == pytest.approx(dep.weight_bytes, rel=0.001)


def test_sliding_window_caps_kv_reads(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="gemma-2-9b", chips=1, wbits=16, kvbits=16)
    m = dep.model
    step = roofline.decode_step(dep, 1, 8000)
    attention = next(op for op in step.ops if op.name == "attention")
    per_layer_token = m.kv_elements_per_token_per_layer * 2
    expected = (m.global_layers * 8000 + m.sliding_layers * 4096 + m.layers) * per_layer_token
    assert float(attention.cost.kv_traffic_bytes) == pytest.approx(expected)


def test_prefill_attention_is_causal(catalog):
    # docs/formulas.md F11: prefill attention FLOPs ~ 2 n_L n_q d_h P^2 (half of the full square).
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-8b", chips=1)
    m, prompt = dep.model, 4096
    attention = next(op for op in roofline.prefill(dep, prompt).ops if op.name == "attention")
    expected = 2 * m.layers * m.heads * m.head_dim * prompt**2
    assert float(attention.cost.flops) == pytest.approx(expected, rel=0.001)


def test_prefill_compute_matches_2n_per_token(catalog):
    # docs/formulas.md F15: F_prefill(P) = 2 N_act P + 2 n_L n_q d_h P^2.
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=1)
    m, prompt = dep.model, 2048
    linear = 2 * (m.matmul_params_per_token - m.lm_head_params) * prompt + 2 * m.lm_head_params
    attention = 2 * m.layers * m.heads * m.head_dim * prompt**2
    flops = sum(float(op.cost.flops) for op in roofline.prefill(dep, prompt).ops if op.name != "norms")
    assert flops == pytest.approx(linear + attention, rel=0.001)


def test_cost_per_million_output_tokens(catalog):
    # docs/formulas.md F31: C_out = 1e6 $h n t_step / (3600 B).
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8, price=2.5)
    step_s = float(roofline.decode_step(dep, 32, 2048).time_s)
    cost = float(metrics.cost_per_m_output_usd(dep, step_s, 32))
    assert cost == pytest.approx(1e6 * 2.5 * 8 * step_s / (3600 * 32))
