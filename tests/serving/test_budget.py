"""Bounded simulations (model/serving/budget.py, docs/formulas.md F190-F192): decode runs advanced in
bulk equal the step-by-step simulation; a run stopped by its work or time budget returns the part it
simulated, flagged; the issue-10 workload answers in bounded time with every policy's numbers."""

import math
import time

import numpy as np
import pytest
from conftest import deploy

from model.serving import budget as budget_module
from model.serving.budget import Budget
from model.serving.capacity import capacity_requests_per_s
from model.serving.chunked import ChunkedPrefill, default_token_budget
from model.serving.continuous import WholePrompts
from model.serving.engine import simulate_with
from model.serving.paged_kv import blocks
from model.serving.simulate import POLICIES, run_policies, simulate
from model.serving.workload import SIMULATOR_MAX_WORK, LengthDist, Workload

UNBOUNDED = Budget(work=10**12, wall_s=math.inf)
FIELDS = ("makespan_s", "busy_s", "output_tokens", "decode_steps", "prefill_passes", "preemptions", "mean_batch",
          "kv_reserved_bytes", "kv_used_bytes", "kv_waste_tokens_per_seq", "kv_waste_tokens_per_seq_max")


def checked(policy_engine):
    """The policy run step by step, its incremental block and context counts checked against a
    recount over the decoding requests after every decode step."""

    class Checked(policy_engine):
        max_run_steps = 1

        def advance_decodes(self, steps):
            super().advance_decodes(steps)
            contexts = [self.base[r] + self.steps for r in self.running]
            assert self.ctx_sum == sum(contexts)
            assert self.held_decode == sum(blocks(c, self.b) for c in contexts)
            assert sum(self.phase) == len(self.running)

    return Checked


@pytest.fixture(scope="module")
def small(catalog):
    # ~42k tokens of KV: 24 requests of up to ~3k tokens each preempt one another
    return deploy(catalog, hw="rtx-4090", model="llama-3.1-8b", chips=1)


@pytest.mark.parametrize("engine, options", [(WholePrompts, {"token_budget": 2048}),
                                             (ChunkedPrefill, {"token_budget": default_token_budget(32)})])
@pytest.mark.parametrize("rate, prompts, outputs", [
    (math.inf, LengthDist.uniform(512, 2048), LengthDist.exponential(600)),  # memory pressure: preemptions
    (3.0, LengthDist.uniform(10, 400), LengthDist.exponential(200)),  # sparse arrivals: runs cut by arrivals
    (40.0, LengthDist.fixed(100), LengthDist.uniform(1, 300)),  # one phase for every request at first
])
def test_bulk_decode_runs_equal_the_step_by_step_simulation(small, engine, options, rate, prompts, outputs):
    workload = Workload(60, rate, prompts, outputs, seed=4)
    bulk = simulate_with(engine, small, workload, 32, budget=UNBOUNDED, **options)
    step = simulate_with(checked(engine), small, workload, 32, budget=UNBOUNDED, **options)
    for field in FIELDS:
        assert getattr(bulk, field) == pytest.approx(getattr(step, field), rel=1e-9), field
    np.testing.assert_allclose(bulk.ttft_s, step.ttft_s, rtol=1e-9)
    np.testing.assert_allclose(bulk.tpot_s, step.tpot_s, rtol=1e-9)
    assert bulk.work_units < step.work_units  # the bulk runs skip the steps where nothing happens
    if rate == math.inf:
        assert step.preemptions > 0


def test_a_work_budget_cuts_the_run_and_says_so(small):
    workload = Workload(400, math.inf, LengthDist.uniform(512, 2048), LengthDist.exponential(1024), seed=2)
    whole = simulate(small, workload, "continuous", 256, UNBOUNDED, token_budget=2048)
    cut = simulate(small, workload, "continuous", 256, Budget(work=whole.work_units // 3), token_budget=2048)
    assert not whole.truncated and whole.requests_finished == 400
    assert f"work budget of {whole.work_units // 3:,} scheduler units" in cut.truncated
    assert 0 < cut.requests_finished < 400 and f"{cut.requests_finished:,} of 400 requests finished" in cut.truncated
    assert cut.requests_finished >= np.isfinite(cut.tpot_s).sum()  # finished (tpot is nan for one-token outputs)
    assert whole.work_units // 3 < cut.work_units <= whole.work_units // 3 + 300  # stops at the first spend over
    assert cut.makespan_s < whole.makespan_s and cut.output_tokens < whole.output_tokens
    # the part simulated: throughput and cost of the tokens produced in the span simulated
    assert cut.output_tokens_per_s == pytest.approx(cut.output_tokens / cut.makespan_s)
    assert math.isfinite(cut.usd_per_m_output) and math.isfinite(cut.ttft_p50_s)
    # the same budget cuts at the same place (a work budget is machine-independent)
    again = simulate(small, workload, "continuous", 256, Budget(work=whole.work_units // 3), token_budget=2048)
    assert again.output_tokens == cut.output_tokens and again.makespan_s == cut.makespan_s


@pytest.mark.parametrize("policy", list(POLICIES))
def test_a_spent_wall_budget_stops_every_policy_with_a_flag(small, policy):
    workload = Workload(2000, math.inf, LengthDist.uniform(100, 400), LengthDist.exponential(256), seed=1)
    result = simulate(small, workload, policy, 64, Budget(deadline_s=time.monotonic()))
    assert "time budget" in result.truncated and "of 2,000 requests finished" in result.truncated
    assert result.requests_finished < 2000 and result.n_requests == 2000


def test_static_truncation_keeps_whole_batches(small):
    workload = Workload(500, math.inf, LengthDist.fixed(100), LengthDist.uniform(1, 200), seed=3)
    whole = simulate(small, workload, "static", 32, UNBOUNDED)
    cut = simulate(small, workload, "static", 32, Budget(work=200))
    assert cut.truncated and cut.requests_finished % whole.batch_limit == 0
    finished = np.isfinite(cut.ttft_s)
    assert finished.sum() == cut.requests_finished
    np.testing.assert_allclose(cut.ttft_s[finished], whole.ttft_s[finished])
    assert cut.output_tokens == int(workload.draw().output_tokens[:cut.requests_finished].sum())


def test_the_poll_hook_can_abandon_a_run(small, monkeypatch):
    monkeypatch.setattr(budget_module, "POLL_S", 0.0)

    class Gone(BaseException):
        pass

    def poll():
        raise Gone

    workload = Workload(400, math.inf, LengthDist.uniform(512, 2048), LengthDist.exponential(1024), seed=2)
    with pytest.raises(Gone):
        simulate(small, workload, "continuous", 256, Budget(poll=poll), token_budget=2048)


def test_capacity_of_a_truncated_run_is_its_token_rate_over_the_mean_output(small):
    workload = Workload(400, math.inf, LengthDist.uniform(512, 2048), LengthDist.exponential(1024), seed=2)
    whole = simulate(small, workload, "continuous", 256, UNBOUNDED, token_budget=2048)
    cut = simulate(small, workload, "continuous", 256, Budget(work=whole.work_units // 2), token_budget=2048)
    assert capacity_requests_per_s(whole) == pytest.approx(400 / whole.makespan_s)  # F76
    mean_out = workload.draw().output_tokens.mean()
    assert capacity_requests_per_s(cut) == pytest.approx(cut.output_tokens / cut.makespan_s / mean_out)
    assert 0.5 < capacity_requests_per_s(cut) / capacity_requests_per_s(whole) < 2


def test_the_issue_10_workload_answers_in_bounded_time_with_every_policy(catalog):
    # /serving?model=llama-3.2-1b&chips=1&sv_n=20000&sv_rate=1000&sv_batch=4096&sv_prompt=1&sv_prompt_dist=fixed
    # &sv_out=8192&sv_out_dist=exponential used to take 27-57 s and end in "could not be simulated".
    dep = deploy(catalog, model="llama-3.2-1b", chips=1)
    workload = Workload.shaped(20_000, 1000.0, "fixed", 1, "exponential", 8192)
    start = time.monotonic()
    results, refused = run_policies(dep, workload, 4096, budget=Budget(wall_s=3.0))
    elapsed = time.monotonic() - start
    assert not refused and set(results) == set(POLICIES)
    assert elapsed < 3.0 + 2.0  # the deadline, plus setting up the step tables (not interruptible)
    cont = results["continuous"]
    assert cont.truncated and cont.requests_finished < 20_000
    assert ("work budget" in cont.truncated and f"{SIMULATOR_MAX_WORK:,}" in cont.truncated) or \
        "time budget" in cont.truncated
    assert cont.output_tokens_per_s > 0 and math.isfinite(cont.ttft_p50_s)
