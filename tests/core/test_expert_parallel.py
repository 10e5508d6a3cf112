"""Expert parallelism over any divisor of the replica: EP groups with experts tensor-parallel inside
them (docs/formulas.md F131; issue 12)."""

import dataclasses

import numpy as np
import pytest
from conftest import deploy

from model import load_catalog, resolve, summarize
from model.core import roofline
from model.core.deployment import ep_choices
from model.core.memory_fit import memory_breakdown
from model.core.parallel import layout
from model.core.roofline import DISPATCH_8BIT_BYTES, all_to_all_total_s
from model.schema.parse import baseline, parse_scenario

CATALOG = load_catalog()
NAMED = tuple(CATALOG.scenarios)
H800_EP = dict(hw="h800", model="deepseek-v3", chips=144, dp_attn="true", tp=1, scaleup=8, wbits=8, abits=8)


def todays_all_to_all(dep, tokens, decode):
    """F122/F130 as it stood with ep in {1, chips}: dispatch + combine over every chip, per MoE layer."""
    if dep.ep == 1 or not dep.model.is_moe:
        return np.zeros_like(np.asarray(tokens, dtype=float))
    m, net = dep.model, dep.network
    row = m.d_model * dep.precision.bytes_per_activation
    first = m.d_model * DISPATCH_8BIT_BYTES if dep.eight_bit_compute or dep.four_bit_compute else row
    return m.moe_layers * sum(net.all_to_all_s(np.asarray(tokens, float) / dep.chips, dep.chips, m.experts_active,
                                               b, dep.ep_max_domains, direct=decode) for b in (first, row))


@pytest.mark.parametrize("name", NAMED)
def test_every_named_scenario_keeps_todays_numbers(name):
    """ep = 1 and ep = chips (with tp < chips) keep F122 as it was; a named scenario with EP and
    attention TP over the replica (deepseek-r1-b200-fp4: EP4 x TP2) prices exactly as with ep = 1."""
    s = baseline(name, CATALOG)
    dep = resolve(s, CATALOG)
    if dep.expert_parallel and dep.tp_degree == dep.chips:
        flat = s.replace(ep=1)
        keep = {k: v for k, v in summarize(s, dep).items() if k != "layout"}
        assert keep == {k: v for k, v in summarize(flat, resolve(flat, CATALOG)).items() if k != "layout"}
        return
    assert s.ep in (1, s.chips), "a new mixed named scenario needs its own check"
    balanced = dataclasses.replace(dep, random_routing=False)  # routing=random scales it by F141 (own test)
    for tokens, decode in ((s.batch * (1 + s.spec), True), (s.prompt, False)):
        today = todays_all_to_all(dep, tokens, decode)
        assert np.array_equal(all_to_all_total_s(balanced, tokens, decode), today), name
    lay = layout(dep, s.batch)
    assert lay.experts_per_chip == (dep.model.experts / dep.chips if dep.expert_parallel else dep.model.experts)


def test_ep_choices_are_the_divisors_of_chips_up_to_the_experts():
    assert ep_choices(8, 256) == [1, 2, 4, 8]
    assert ep_choices(144, 256)[-3:] == [48, 72, 144]
    assert ep_choices(16, 8) == [1, 2, 4, 8]  # Mixtral: 8 experts, at most 8 groups
    assert ep_choices(6, 0) == [1, 2, 3, 6]  # a dense model: ep > 1 changes nothing, any divisor


@pytest.mark.parametrize("raw, accepted", [(dict(chips="8", ep="3"), "one of 1, 2, 4, 8"),
                                           (dict(chips="8", ep="16"), "one of 1, 2, 4, 8"),
                                           (dict(chips="16", ep="16", model="mixtral-8x7b"), "at most experts (8)")])
def test_an_invalid_ep_is_named_with_the_accepted_values(raw, accepted):
    s, errors = parse_scenario({"model": "deepseek-v3", **raw}, CATALOG)
    messages = [e.message for e in errors if e.field == "ep"]
    assert messages and accepted in messages[0], errors
    resolve(s, CATALOG)  # what is left (ep back to 1) is usable
    dep = deploy(CATALOG, model=raw.get("model", "deepseek-v3"), chips=raw["chips"])
    with pytest.raises(ValueError, match="^ep: must divide chips"):
        dataclasses.replace(dep, ep=int(raw["ep"]))


def test_tp_below_chips_needs_expert_parallelism_of_any_degree():
    s, errors = parse_scenario({"model": "deepseek-v3", "chips": "8", "tp": "2"}, CATALOG)
    assert "tp" in {e.field for e in errors}
    s, errors = parse_scenario({"model": "deepseek-v3", "chips": "8", "tp": "2", "ep": "4", "wbits": "8"}, CATALOG)
    assert errors == [] and resolve(s, CATALOG).expert_tp == 2


@pytest.mark.parametrize("tp", [1, 8])
def test_each_expert_is_stored_once_so_weight_bytes_per_chip_never_rise_with_ep(tp):
    dep = deploy(CATALOG, hw="b200", model="deepseek-v3", chips=8, wbits=4, wscale="nvfp4", ep=8, tp=tp)
    m = dep.model
    stored = []
    for e in ep_choices(8, m.experts)[1:]:
        mixed = dataclasses.replace(dep, ep=e)
        lay = layout(mixed, 64)
        assert lay.experts_per_chip == m.experts / e and lay.expert_tp == 8 // e
        assert lay.experts_per_chip / lay.expert_tp * mixed.chips == m.experts  # shares add up to one copy
        stored.append(mixed.weight_bytes_per_chip)
    assert all(b <= a for a, b in zip(stored, stored[1:], strict=False))
    assert stored[0] == stored[-1]  # the routed share E·P/chips whatever the grouping (F131)


def test_experts_read_per_step_do_not_depend_on_the_grouping():
    base = deploy(CATALOG, **H800_EP, ep=144)
    reads = {e: float(next(op for op in roofline.decode_step(dataclasses.replace(base, ep=e), 4096, 4989).ops
                           if op.name == "moe_experts").weights_s) for e in (144, 72, 16, 8, 2)}
    assert len(set(reads.values())) == 1  # balanced routing: each chip reads touched/E of its share


def test_mixed_layout_with_attention_tp_over_the_replica_prices_like_tensor_parallelism():
    s = baseline("deepseek-r1-b200-fp4", CATALOG)
    times = {}
    for e in (1, 2, 4, 8):
        dep = resolve(s.replace(ep=e), CATALOG)
        step = roofline.decode_step(dep, s.batch, s.ctx)
        assert float(step.all_to_all_total_s) == 0.0  # every chip holds every token: no dispatch
        times[e] = float(step.time_s)
    assert len(set(times.values())) == 1, times


def test_ep_group_comms_are_the_group_all_to_all_plus_the_expert_tp_all_reduce():
    full = deploy(CATALOG, **H800_EP, ep=144)
    tokens = 12686.0
    for e in (144, 72, 36, 18, 8, 2):
        dep = dataclasses.replace(full, ep=e)
        m, net, expert_tp = dep.model, dep.network, 144 // e
        group_net = dataclasses.replace(net, scaleup_chips=max(1, 8 // expert_tp))
        moves = sum(group_net.all_to_all_s(tokens / 144, e, m.experts_active, b, direct=True)
                    for b in (m.d_model * 1.0, m.d_model * 2.0))
        reduce = net.allreduce_s(tokens * (1 - (1 - 1 / e) ** m.experts_active) * m.d_model * 2.0, expert_tp)
        total = float(all_to_all_total_s(dep, tokens, decode=True))
        assert total == pytest.approx(m.moe_layers * float(moves + reduce), rel=1e-12), e
        assert (float(reduce) > 0) == (expert_tp > 1)
    assert float(all_to_all_total_s(full, tokens, True)) == float(todays_all_to_all(full, tokens, True))


def test_on_chips_keeps_a_valid_grouping():
    dep = deploy(CATALOG, **H800_EP, ep=72)
    assert dep.on_chips(144).ep == 72 and dep.on_chips(48).ep == 24 and dep.on_chips(7).ep == 1
    assert dep.on_chips(7).tp_degree == 7
    wide = deploy(CATALOG, **H800_EP, ep=144)
    assert wide.on_chips(64).ep == 64 and wide.on_chips(512).ep == 256  # at most one group per expert


def test_memory_fit_of_a_mixed_layout_is_that_of_ep_over_every_chip_with_the_same_tp():
    dep = deploy(CATALOG, hw="b200", model="deepseek-v3", chips=8, wbits=4, ep=2)
    mixed, wide = memory_breakdown(dep, 64, 2048), memory_breakdown(dataclasses.replace(dep, ep=8), 64, 2048)
    assert mixed.weights_bytes == wide.weights_bytes and mixed.kv_bytes == wide.kv_bytes
    assert mixed.layout.startswith("EP2 x expert TP4") and wide.layout.startswith("EP8,")
