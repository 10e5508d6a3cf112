"""Expert parallelism, two-level network, overlap, FP4 and speculative decoding (issue 12)."""

import dataclasses
import math

import numpy as np
import pytest
from conftest import deploy

from model import parse_scenario_strict, resolve, summarize
from model.core import metrics, roofline
from model.core.memory_fit import fit_plans, smallest_fit
from model.core.network import SCALEOUT_EFFICIENCY, Network
from model.core.parallel import layout
from model.core.precision import Precision
from model.core.speculative import acceptance_for, tokens_per_step
from model.schema.parse import baseline, parse_scenario
from model.schema.scenario import FRONTIER_FIELDS

ORIGINAL_SCENARIOS = ("chat-70b", "long-context-200k", "fast-tier-70b", "deepseek-v3-moe", "local-8b-4090",
                      "tpu-v5e-70b-int8", "gpt-oss-120b-h100")
DEEPSEEK_DECODE = dict(hw="h800", model="deepseek-v3", chips=144, dp_attn="true", tp=1, ep=144, scaleup=8,
                       wbits=8, kvbits=16, abits=8, ctx=4989, batch=12686)


def test_new_keys_at_their_defaults_leave_every_named_scenario_unchanged(catalog):
    for name in ORIGINAL_SCENARIOS:
        s = baseline(name, catalog)
        explicit = s.replace(tp=s.chips, ep=1, ep_nodes=0, scaleup=s.chips, overlap=False, spec=0, wscale="none",
                            attn_bits=None)
        assert summarize(explicit, resolve(explicit, catalog)) == summarize(s, resolve(s, catalog)), name


def test_default_step_is_ops_plus_two_ring_allreduces_per_layer(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8, batch=64)
    step = roofline.decode_step(dep, 64, 4096)
    n, volume = 8, 64 * dep.model.d_model * 2.0
    ring = 2 * (n - 1) / n * volume / dep.hardware.link_bytes_per_s + 6e-6 + 2e-6 * (math.sqrt(n) - 1)
    assert float(step.comms_s) == pytest.approx(2 * dep.model.layers * ring, rel=1e-12)
    assert float(step.time_s) == pytest.approx(float(step.ops_s) + 2 * dep.model.layers * ring, rel=1e-12)
    assert float(step.all_to_all_s) == 0 and float(step.draft_s) == 0


def test_expert_parallel_with_one_expert_per_chip_reads_each_expert_once_per_step(catalog):
    m = catalog.models["deepseek-v3"]
    dep = deploy(catalog, hw="h800", model="deepseek-v3", chips=m.experts, ep=m.experts, tp=1, dp_attn="true",
                 scaleup=8, wbits=8)
    experts = next(op for op in roofline.decode_step(dep, 65536, 1024).ops if op.name == "moe_experts")
    once = m.moe_layers * (m.experts * m.expert_params + m.router_params_per_layer) * dep.precision.bytes_per_weight
    assert float(experts.cost.weight_traffic_bytes) == pytest.approx(once, rel=1e-3)
    assert dep.weight_copies("moe_experts") == 1
    routed = m.moe_layers * (m.experts * m.expert_params + m.router_params_per_layer) * 1.0
    dense_copies_per_chip = dep.weight_bytes - routed  # attention and dense parts: a whole copy on every chip
    one_expert = (routed / m.experts)
    assert dep.weight_bytes_per_chip == pytest.approx(one_expert + dense_copies_per_chip, rel=1e-9)


@pytest.mark.parametrize("batch", [1, 64, 4096, 12686])
def test_overlap_is_between_its_longer_stream_and_its_micro_batches_in_turn(catalog, batch):
    """F140: two micro-batches overlapped never take longer than the same two run one after the other,
    and never less than the busier of the GPU's compute stream and the network; nothing is lost."""
    for keys in (DEEPSEEK_DECODE, dict(hw="h100-sxm", model="llama-3.1-70b", chips=8),
                 dict(hw="h100-sxm", model="llama-3.1-70b", chips=16, scaleup=8)):
        serial = deploy(catalog, **keys)
        hidden = dataclasses.replace(serial, overlap=True)
        for ctx in (0, 4989, 100_000):
            whole, step = roofline.decode_step(serial, batch, ctx), roofline.decode_step(hidden, batch, ctx)
            if batch < 2:  # one sequence cannot be split
                assert float(step.time_s) == pytest.approx(float(whole.time_s), rel=1e-12)
                continue
            half = roofline.decode_step(serial, batch / 2, ctx)
            talk = 2 * float(half.comms_s + half.all_to_all_s)
            assert float(step.time_s) <= 2 * float(half.time_s) * (1 + 1e-12)
            assert float(step.time_s) >= max(float(step.ops_s), talk) * (1 - 1e-12)
            floor = max(float(step.total("compute_s")), float(step.total("memory_s")), float(step.exposed_comms_s))
            assert float(step.time_s) >= floor * (1 - 1e-12)
            assert float(step.exposed_comms_s + step.hidden_comms_s) == pytest.approx(talk, rel=1e-9)


def test_overlap_loses_at_small_decode_batches_and_wins_at_large_ones_as_sglang_measured(catalog):
    """SGLang's two-batch overlap on 9 x 8 H100 (lmsys.org/blog/2025-05-05-large-scale-ep, ablation):
    -27% at 32 tokens per device, gains only above 64-128, +25.5% at 256. Splitting re-reads the
    weights and doubles the kernels, which only pays once the step has communication to hide."""
    base = baseline("sglang-decode-h100", catalog)

    def speedup(per_device):
        s = base.replace(batch=per_device * base.chips)
        on, off = (float(summarize(x, resolve(x, catalog))["tokens_per_s"]) for x in (s, s.replace(overlap=False)))
        return on / off - 1

    assert speedup(32) < 0 < speedup(128) < speedup(256)


def test_overlapped_prefill_pass_is_split_and_can_lose_nothing_to_rounding(catalog):
    dep = dataclasses.replace(deploy(catalog, **DEEPSEEK_DECODE), overlap=True)
    one_token = roofline.prefill(dep, 1)
    assert float(one_token.time_s) == pytest.approx(float(roofline.prefill(dataclasses.replace(dep, overlap=False),
                                                                           1).time_s), rel=1e-12)
    mixed = roofline.decode_step(dep, np.array([1.0, 64.0]), 4989)
    assert float(mixed.time_s[0]) == pytest.approx(float(roofline.decode_step(dep, 1, 4989).time_s), rel=1e-12)
    assert float(mixed.time_s[1]) == pytest.approx(float(roofline.decode_step(dep, 64, 4989).time_s), rel=1e-12)


def test_speculation_with_zero_acceptance_costs_more_per_token_than_none(catalog):
    cases = (("llama-3.1-70b", "h100-sxm", 8), ("deepseek-v3", "h200", 8), ("llama-3.1-8b", "rtx-4090", 1))
    for model, hw, chips in cases:
        plain = deploy(catalog, hw=hw, model=model, chips=chips, wbits=8 if model == "deepseek-v3" else 16)
        for draft in (None, catalog.models["llama-3.1-8b"]):
            spec = dataclasses.replace(plain, spec_tokens=3, spec_accept=0.0, draft_model=draft)
            for batch in (1, 32):
                a = summarize_cost(plain, batch)
                b = summarize_cost(spec, batch)
                assert b > a, (model, batch, draft)


def summarize_cost(dep, batch, ctx=2048):
    step = float(roofline.decode_step(dep, batch, ctx).time_s)
    return float(metrics.cost_per_m_output_usd(dep, step, batch))


def test_tokens_per_step_is_the_geometric_sum_and_inverts():
    assert tokens_per_step(0, 0.7) == 1.0
    assert tokens_per_step(3, 0.0) == 1.0
    assert tokens_per_step(3, 1.0) == 4.0
    assert tokens_per_step(3, 0.5) == pytest.approx((1 - 0.5 ** 4) / 0.5)
    assert tokens_per_step(3, acceptance_for(3, 2.82)) == pytest.approx(2.82, rel=1e-9)
    with pytest.raises(ValueError, match="spec_accept"):
        tokens_per_step(1, 1.5)


def test_speculation_leaves_the_pass_floor_and_lowers_the_token_floor(catalog):
    plain = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=8)
    spec = dataclasses.replace(plain, spec_tokens=2, spec_accept=0.8)
    assert metrics.latency_floor_s(spec) == metrics.latency_floor_s(plain)
    assert metrics.latency_floor_per_token_s(spec) < metrics.latency_floor_per_token_s(plain) / 2
    row = summarize(*scenario_and_dep(catalog, spec=2, spec_accept=0.8))
    assert row["tokens_per_s"] == pytest.approx(64 * row["tokens_per_step"] / (row["decode_step_ms"] / 1e3))
    assert row["tpot_ms"] == pytest.approx(row["decode_step_ms"] / row["tokens_per_step"])


def scenario_and_dep(catalog, **keys):
    s = parse_scenario_strict({k: str(v) for k, v in keys.items()}, catalog)
    return s, resolve(s, catalog)


def test_fp4_halves_weight_bytes_versus_fp8_plus_block_scales():
    fp8 = Precision.from_bits(8, 16).bytes_per_weight
    assert Precision.from_bits(4, 16, "nvfp4").bytes_per_weight == fp8 / 2 + 1 / 16
    assert Precision.from_bits(4, 16, "mxfp4").bytes_per_weight == fp8 / 2 + 1 / 32
    assert Precision.from_bits(4, 16).bytes_per_weight == fp8 / 2
    assert Precision.from_bits(8, 16, "nvfp4").bytes_per_weight == fp8  # scales belong to 4-bit formats only


def test_fp4_compute_uses_the_fp4_peak_where_the_chip_has_one(catalog):
    for hw in ("b200", "gb200", "mi355x"):
        s, dep = scenario_and_dep(catalog, hw=hw, model="deepseek-v3", wbits=4, abits=4, wscale="nvfp4")
        assert dep.peak_flops_per_s == 8 * catalog.hardware[hw].fp4_flops_per_s
        assert summarize(s, dep)["compute_dtype"] == "fp4"
    s, dep = scenario_and_dep(catalog, hw="h100-sxm", wbits=4, abits=4)
    row = summarize(s, dep)
    assert row["compute_dtype"] == "8-bit" and "no FP4 peak" in row["warnings"]


def test_two_level_allreduce_reduces_to_the_ring_inside_one_domain_and_pays_scale_out_across():
    flat = Network(16, 450e9, 50e9, latency_s=0.0)
    split = Network(8, 450e9, 50e9, latency_s=0.0)
    volume, out = 1e6, 50e9 * SCALEOUT_EFFICIENCY
    assert float(flat.allreduce_s(volume, 16)) == pytest.approx(2 * 15 / 16 * volume / 450e9)
    assert float(split.allreduce_s(volume, 16)) == pytest.approx(2 * 7 / 8 * volume / 450e9 + volume / 8 / out)
    assert float(split.allreduce_s(volume, 16)) > float(flat.allreduce_s(volume, 16))


def test_all_to_all_leaves_the_domain_only_across_domains_and_node_limits_cut_it():
    net = Network(8, 200e9, 50e9, latency_s=0.0)
    inside = float(net.all_to_all_s(100, 8, 8, 7168))
    across = float(net.all_to_all_s(100, 144, 8, 7168))
    limited = float(net.all_to_all_s(100, 144, 8, 7168, max_domains=4))
    assert inside == pytest.approx(100 * 7 * (1 - (7 / 8) ** 8) * 7168 / 200e9)
    assert across > inside and limited < across


def test_bad_parallel_keys_are_named_and_fall_back(catalog):
    for raw, field in ((dict(chips="8", ep="3"), "ep"), (dict(chips="8", tp="3", ep="8"), "tp"),
                       (dict(chips="8", tp="2"), "tp"), (dict(abits="4", wbits="8"), "abits"),
                       (dict(spec_draft="nope"), "spec_draft"),
                       (dict(hw="l40s", chips="16", scaleup="8"), "scaleout_gbps")):
        s, errors = parse_scenario({**raw, "model": "deepseek-v3"}, catalog)
        assert field in {e.field for e in errors}, raw
        resolve(s, catalog)  # what is left is usable
    assert {f.name for f in FRONTIER_FIELDS} <= set(baseline(None, catalog).__dataclass_fields__)


def test_memory_fit_matches_max_batch_and_finds_the_deepseek_h800_answer(catalog):
    dep = deploy(catalog, hw="h800", model="deepseek-v3", wbits=8, chips=8)
    assert metrics.max_batch(dep, 4989) == 0  # 671 GB of FP8 weights do not fit one 8 x H800 node
    plans = fit_plans(dep, 1024, 4989)
    best = smallest_fit(plans)
    assert best is not None and best.chips > 8 and best.ep == best.chips
    for plan in plans[:12]:
        layout = dataclasses.replace(dep, chips=plan.chips, tp=plan.tp, ep=plan.ep, attention_dp=plan.attention_dp)
        assert plan.fits == (metrics.max_batch(layout, 4989) >= 1024)


def test_bf16_attention_slows_only_the_attention_core(catalog):
    fp8 = deploy(catalog, hw="h800", model="deepseek-v3", chips=16, wbits=8, abits=8, dp_attn="true")
    bf16 = dataclasses.replace(fp8, attention_bf16=True)
    a, b = (roofline.decode_step(d, 512, 4989) for d in (fp8, bf16))
    for x, y in zip(a.ops, b.ops, strict=True):
        ratio = float(y.compute_s / x.compute_s) if float(x.compute_s) else 1.0
        expected = fp8.hardware.eight_bit_flops_per_s / fp8.hardware.bf16_flops_per_s if x.name == "attention" else 1.0
        assert ratio == pytest.approx(expected), x.name
    s, dep = scenario_and_dep(catalog, hw="b200", model="deepseek-v3", wbits=4, abits=4)
    assert dep.op_peak_flops_per_s("attention") == 8 * dep.hardware.eight_bit_flops_per_s  # FP4 is a GEMM format
    assert dep.op_peak_flops_per_s("moe_experts") == 8 * dep.hardware.fp4_flops_per_s


# DeepEP V1 low-latency kernels on H800 + CX7 400 Gb/s, 128 tokens, hidden 7168, top-8, FP8 dispatch,
# BF16 combine (deepseek-ai/DeepEP docs/legacy.md, "Low-latency kernels with pure RDMA"): EP -> (dispatch
# µs, combine µs). EP128 sets SCALEOUT_EFFICIENCY (39 of ~50 GB/s); the other sizes are checks.
DEEPEP_LOW_LATENCY_US = {16: (118, 195), 32: (155, 273), 64: (173, 314), 128: (192, 369), 256: (194, 360)}


@pytest.mark.parametrize("ep", sorted(DEEPEP_LOW_LATENCY_US))
def test_decode_all_to_all_matches_deepep_low_latency_kernels_across_nodes(catalog, ep):
    h800 = catalog.hardware["h800"]
    net = Network(h800.scaleup_chips, h800.link_bytes_per_s, h800.scaleout_bytes_per_s)
    dispatch_us, combine_us = DEEPEP_LOW_LATENCY_US[ep]
    assert float(net.all_to_all_s(128, ep, 8, 7168 * 1.0, direct=True)) * 1e6 == pytest.approx(dispatch_us, rel=0.15)
    assert float(net.all_to_all_s(128, ep, 8, 7168 * 2.0, direct=True)) * 1e6 == pytest.approx(combine_us, rel=0.15)
    forwarded = float(net.all_to_all_s(128, ep, 8, 7168 * 1.0))
    assert forwarded < float(net.all_to_all_s(128, ep, 8, 7168 * 1.0, direct=True))  # one copy per domain is less


def test_random_frontier_keys_parse_leniently_and_give_finite_numbers(catalog):
    rng = np.random.default_rng(12)
    choices = {"chips": ["1", "2", "8", "16", "72", "144"], "tp": ["1", "2", "3", "8", "144", "0", "x"],
               "ep": ["1", "8", "16", "72", "144", "5"], "ep_nodes": ["0", "2", "4", "-1"],
               "scaleup": ["1", "4", "8", "72", "2000"], "scaleout_gbps": ["0", "12.5", "50", "1e9", "nan"],
               "overlap": ["true", "false", "maybe"], "spec": ["0", "1", "3", "16", "17"],
               "spec_accept": ["0", "0.5", "1", "1.5"], "spec_draft": ["mtp", "llama-3.1-8b", "nope"],
               "wscale": ["none", "nvfp4", "mxfp4", "int3"], "attn_bits": ["16", "8", "4"],
               "abits": ["4", "8", "16"], "wbits": ["4", "8", "16"], "dp_attn": ["true", "false"],
               "hw": ["h800", "b200", "gb200", "l40s", "tpu-v5e", "mi355x"],
               "model": ["deepseek-v3", "llama-3.1-8b", "gpt-oss-120b", "qwen3-235b-a22b"]}
    for _ in range(60):
        raw = {k: str(rng.choice(v)) for k, v in choices.items() if rng.random() < 0.6}
        raw.update(batch="16", ctx="2048", prompt="512", out="64")
        s, _errors = parse_scenario(raw, catalog)
        row = summarize(s, resolve(s, catalog))
        for key in ("decode_step_ms", "prefill_ms", "tokens_per_s", "usd_per_m_output", "latency_floor_token_ms"):
            assert np.isfinite(row[key]) and row[key] > 0, (raw, key)
        assert row["tokens_per_step"] >= 1


def test_layout_states_experts_per_chip_and_tokens_per_expert(catalog):
    s = baseline("deepseek-decode-h800", catalog)
    lay = layout(resolve(s, catalog), s.batch)
    assert lay.label == "EP144, attention DP" and (lay.chips_per_domain, lay.domains) == (8, 18)
    assert lay.experts_per_chip == pytest.approx(256 / 144)
    assert lay.tokens_per_expert == pytest.approx(s.batch * 2 * 8 / 256)  # one MTP draft: 2 tokens per sequence
