"""The iteration-level (Orca) scheduler shared by the continuous and chunked policies.

One replica with paged KV memory (`paged_kv.BlockPool`). Each scheduler iteration first lets a
policy schedule prompt work (`Engine.schedule`: `continuous.WholePrompts` or
`chunked.ChunkedPrefill`); with none to do, the running requests decode until the next event (a
completion, a block shortage or an admissible arrival), in one go (the sum over the run uses the
midpoint rule, `StepTimes.decode_run_s`). Admission is first come, first served when
`max_batch` and the free blocks beyond the watermark allow the prompt. When a decode step needs a
block and none is free, the most recently admitted request is preempted: its blocks are freed and
it is recomputed later (prompt + tokens generated so far).
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import numpy as np

from model.base.fields import check_int
from model.core.deployment import Deployment
from model.serving.paged_kv import DEFAULT_BLOCK_TOKENS, BlockPool, blocks
from model.serving.results import ServingResult, Tally, serving_result
from model.serving.steps import StepTimes
from model.serving.workload import SIMULATOR_MAX_BATCH, Requests, Workload

MAX_TOKEN_BUDGET = 65_536
MAX_ITERATIONS = 300_000


class Engine:
    """The continuous-batching scheduler's state and loop (one instance per simulation).

    Decoding requests live in numpy arrays in admission order: `ids`, `ctx` (tokens in their KV
    cache) and `end` (the value of the decode-step counter `steps` at which each finishes); a
    heap of (end, request) finds the next completion without scanning. Subclasses are the policies:
    they name themselves (`policy`), check their options and schedule prompt work.
    """

    policy = ""

    @classmethod
    def check_options(cls, max_batch: int, budget: int) -> None:
        """ValueError for options this policy cannot run with (none by default)."""

    @classmethod
    def check_work(cls, req: Requests, max_batch: int, budget: int) -> None:
        """ValueError if this policy would take too many iterations on `req` (no limit by default)."""

    def schedule(self) -> bool:
        """Run one pass of prompt work at self.t; False if there is none to run now."""
        raise NotImplementedError

    def __init__(self, st: StepTimes, req: Requests, max_batch: int, pool: BlockPool, budget: int):
        self.st, self.max_batch, self.pool, self.b, self.budget = st, max_batch, pool, pool.block_tokens, budget
        self.arrival = req.arrival_s.tolist()
        self.out = req.output_tokens.tolist()
        self.todo = req.prompt_tokens.tolist()  # tokens to prefill on (re)admission
        self.gen = [0] * len(self.arrival)  # output tokens produced so far (set on leaving decode)
        self.first = np.full(len(self.arrival), np.nan)
        self.finish = np.full(len(self.arrival), np.nan)
        self.waiting: deque[int] = deque()
        self.prefilling: deque[list[int]] = deque()  # [request, prompt tokens done] (chunked)
        self.held_prefill = 0  # blocks allocated to prompts not yet fully prefilled
        self.ids = np.empty(0, dtype=np.int64)
        self.ctx = np.empty(0, dtype=np.int64)
        self.end = np.empty(0, dtype=np.int64)
        self.ends: list[tuple[int, int]] = []  # heap of (end, request); stale after a preemption
        self.end_of = [-1] * len(self.arrival)
        self.steps = 0  # decode steps run so far
        self.ctx_sum = 0
        self.held_decode = 0
        self.t = 0.0
        self.next_arrival = 0
        self.done = 0
        self.tally = Tally()

    # -- bookkeeping ---------------------------------------------------------------------------
    def free_blocks(self) -> int:
        return self.pool.total_blocks - self.held_decode - self.held_prefill

    def can_admit(self, request: int, in_batch: int, reserved: int = 0) -> bool:
        """Room in the batch, and blocks for the prompt beyond the watermark and `reserved` blocks."""
        return in_batch < self.max_batch and self.pool.admits(self.free_blocks() - reserved, self.todo[request])

    def steps_to_next_finish(self) -> int:
        while self.ends and self.end_of[self.ends[0][1]] != self.ends[0][0]:
            heapq.heappop(self.ends)  # preempted since it was pushed
        return self.ends[0][0] - self.steps

    def prefilled(self, request: int, prompt: int, entries: list) -> None:
        """The prefill of `request` finished at self.t and produced one token."""
        self.gen[request] += 1
        if math.isnan(self.first[request]):
            self.first[request] = self.t
        if self.gen[request] >= self.out[request]:
            self.finish[request] = self.t
            self.done += 1
        else:
            entries.append((request, prompt, self.steps + self.out[request] - self.gen[request]))

    def start_decoding(self, entries: list) -> None:
        if not entries:
            return
        ids, ctx, end = (np.array(col, dtype=np.int64) for col in zip(*entries))
        self.ids = np.concatenate([self.ids, ids])
        self.ctx = np.concatenate([self.ctx, ctx])
        self.end = np.concatenate([self.end, end])
        for request, tokens, finish_step in entries:
            self.end_of[request] = finish_step
            heapq.heappush(self.ends, (finish_step, request))
            self.ctx_sum += tokens
            self.held_decode += blocks(tokens, self.b)

    def advance_decodes(self, steps: int, new_blocks: int | None = None) -> None:
        """Every decoding request produced `steps` tokens (`new_blocks`: blocks that took, if
        known); retire the finished ones."""
        seqs = len(self.ids)
        self.ctx += steps
        self.steps += steps
        self.ctx_sum += steps * seqs
        if new_blocks is None:
            self.held_decode = int(blocks(self.ctx, self.b).sum())
        else:
            self.held_decode += new_blocks
        reserved = self.held_decode * self.b
        self.tally.decode(steps, seqs, seqs, reserved, self.ctx_sum)
        self.tally.waste_per_seq_max = max(self.tally.waste_per_seq_max, (reserved - self.ctx_sum) / seqs)
        if self.steps_to_next_finish() > 0:
            return
        finished = self.end <= self.steps
        for request, tokens in zip(self.ids[finished].tolist(), self.ctx[finished].tolist()):
            self.gen[request] = self.out[request]
            self.finish[request] = self.t
            self.end_of[request] = -1
            self.done += 1
            self.ctx_sum -= tokens
            self.held_decode -= blocks(tokens, self.b)
        keep = ~finished
        self.ids, self.ctx, self.end = self.ids[keep], self.ctx[keep], self.end[keep]

    def preempt_last(self) -> None:
        """Free the most recently admitted decoding request; it is recomputed later."""
        request, ctx = int(self.ids[-1]), int(self.ctx[-1])
        self.gen[request] = self.out[request] - (int(self.end[-1]) - self.steps)
        self.todo[request] = ctx + 1  # prompt + generated tokens (the last one was not yet cached)
        self.end_of[request] = -1
        self.ctx_sum -= ctx
        self.held_decode -= blocks(ctx, self.b)
        self.ids, self.ctx, self.end = self.ids[:-1], self.ctx[:-1], self.end[:-1]
        self.waiting.appendleft(request)
        self.tally.preemptions += 1

    def steps_memory_allows(self) -> int:
        """How many decode steps fit in the free blocks (0: preempt first)."""
        seqs = len(self.ids)
        free = self.free_blocks()
        if free >= seqs:
            return self.b * (free // seqs)
        first_need = (self.b - self.ctx % self.b) % self.b + 1  # step at which each needs a block
        return int(np.partition(first_need, free)[free]) - 1

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        n = len(self.arrival)
        iterations = 0
        while self.done < n:
            iterations += 1
            if iterations > MAX_ITERATIONS:
                raise ValueError(f"n_requests: the simulation exceeded {MAX_ITERATIONS:,} scheduler iterations; "
                                 "lower n_requests or raise token_budget")
            while self.next_arrival < n and self.arrival[self.next_arrival] <= self.t:
                self.waiting.append(self.next_arrival)
                self.next_arrival += 1
            if self.schedule():
                continue
            if not len(self.ids):
                if self.next_arrival >= n:
                    raise RuntimeError("scheduler stalled with requests waiting")  # excluded by the checks
                self.t = max(self.t, self.arrival[self.next_arrival])
                continue
            self.decode_run()

    def decode_run(self) -> None:
        """Decode steps until the next event: a completion, a block shortage or an admissible arrival."""
        steps = self.steps_memory_allows()
        if steps < 1:
            self.preempt_last()
            return
        seqs = len(self.ids)
        steps = min(steps, self.steps_to_next_finish())
        mean_ctx = self.ctx_sum / seqs
        if not self.waiting and not self.prefilling and self.next_arrival < len(self.arrival):
            gap = self.arrival[self.next_arrival] - self.t
            steps = min(steps, max(1, math.ceil(gap / self.st.decode_s(seqs, mean_ctx))))
        dt = self.st.decode_run_s(seqs, mean_ctx, steps)
        self.t += dt
        self.tally.busy_s += dt
        self.advance_decodes(steps)


def simulate_with(engine: type[Engine], dep: Deployment, workload: Workload, max_batch: int,
                  block_tokens: int = DEFAULT_BLOCK_TOKENS, token_budget: int = 8192) -> ServingResult:
    """Run `engine` (a policy's Engine subclass) on `workload` after checking its inputs."""
    req = workload.draw()
    max_batch = check_int("max_batch", max_batch, 1, SIMULATOR_MAX_BATCH, "sequences")
    b = check_int("block_tokens", block_tokens, 1, 256, "tokens")
    budget = check_int("token_budget", token_budget, 16, MAX_TOKEN_BUDGET, "tokens")
    engine.check_options(max_batch, budget)
    pool = BlockPool.of(dep, b)
    pool.check_holds(int((req.prompt_tokens + req.output_tokens).max()))
    engine.check_work(req, max_batch, budget)
    p_max, g_max = int(req.prompt_tokens.max()), int(req.output_tokens.max())
    st = StepTimes(dep, max_batch, p_max + g_max, max(budget, p_max + g_max) + max_batch)
    sim = engine(st, req, max_batch, pool, budget)
    sim.run()
    sim.tally.slots = float(req.output_tokens.sum())
    return serving_result(engine.policy, dep, req, sim.first, sim.finish, sim.tally, max_batch, pool.capacity_tokens)
