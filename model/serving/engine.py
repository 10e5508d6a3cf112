"""The iteration-level (Orca) scheduler shared by the continuous and chunked policies.

One replica with paged KV memory (`paged_kv.BlockPool`). A decode step is one accepted token per
sequence (with speculative decoding 1/τ of a verification pass, `steps.StepTimes`, F132). Each scheduler iteration first lets a
policy schedule prompt work (`Engine.schedule`: `continuous.WholePrompts` or
`chunked.ChunkedPrefill`); with none to do, the running requests decode until the next event (a
completion, a block shortage or an admissible arrival), in one go (the sum over the run uses the
midpoint rule, `StepTimes.decode_run_s`). Admission is first come, first served when
`max_batch` and the free blocks beyond the watermark allow the prompt. When a decode step needs a
block and none is free, the most recently admitted request is preempted: its blocks are freed and
it is recomputed later (prompt + tokens generated so far).

An iteration costs what changes, not the sequences in flight (docs/formulas.md F190): all decoding
requests advance one token per step, so a request's context is a constant offset (`base`) plus the
decode-step counter; it takes a new block at the steps where its context is a multiple of the block
size b, and that phase (base mod b) never changes while it decodes. Counting the requests per phase
(b counters) gives, in O(b), the blocks any run of steps takes, the steps the free blocks allow, and
the KV tallies summed over the run. `max_run_steps = 1` gives the step-by-step simulation (the
reference the bulk runs are tested against).
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import numpy as np

from model.base.fields import check_int
from model.core.deployment import Deployment
from model.serving.budget import Budget, Meter
from model.serving.paged_kv import DEFAULT_BLOCK_TOKENS, BlockPool, blocks
from model.serving.results import ServingResult, Stop, Tally, serving_result
from model.serving.steps import StepTimes
from model.serving.workload import SIMULATOR_MAX_BATCH, Requests, Workload

MAX_TOKEN_BUDGET = 65_536


class Engine:
    """The continuous-batching scheduler's state and loop (one instance per simulation).

    Decoding requests are the keys of `running`, in admission order (the last one is preempted
    first); request r's context is `base[r]` + `steps` (the decode steps run so far) and `phase[k]`
    counts the decoding requests with base ≡ k (mod b). A heap of (end step, request) finds the next
    completion without scanning. Subclasses are the policies: they name themselves (`policy`),
    check their options and schedule prompt work.
    """

    policy = ""
    max_run_steps: int | None = None  # None: decode runs jump to the next event; 1: step by step

    @classmethod
    def check_options(cls, max_batch: int, budget: int) -> None:
        """ValueError for options this policy cannot run with (none by default)."""

    def schedule(self) -> bool:
        """Run one pass of prompt work at self.t; False if there is none to run now."""
        raise NotImplementedError

    def __init__(self, st: StepTimes, req: Requests, max_batch: int, pool: BlockPool, budget: int, meter: Meter):
        self.st, self.max_batch, self.pool, self.b, self.budget = st, max_batch, pool, pool.block_tokens, budget
        self.meter = meter
        n = len(req.arrival_s)
        self.arrival = req.arrival_s.tolist()
        self.out = req.output_tokens.tolist()
        self.todo = req.prompt_tokens.tolist()  # tokens to prefill on (re)admission
        self.gen = [0] * n  # output tokens produced so far (set on leaving decode)
        self.first = [math.nan] * n
        self.finish = [math.nan] * n
        self.waiting: deque[int] = deque()
        self.prefilling: deque[list[int]] = deque()  # [request, prompt tokens done] (chunked)
        self.held_prefill = 0  # blocks allocated to prompts not yet fully prefilled
        self.running: dict[int, None] = {}
        self.base = [0] * n  # context − steps of a decoding request
        self.phase = [0] * self.b  # decoding requests by base mod b
        self.base_sum = 0
        self.held_decode = 0  # blocks held by the decoding requests
        self.ends: list[tuple[int, int]] = []  # heap of (end, request); stale after a preemption
        self.end_of = [-1] * n
        self.steps = 0  # decode steps run so far
        self.t = 0.0
        self.next_arrival = 0
        self.done = 0
        self.touched = 0  # sequences admitted, prefilled, completed or preempted since the last spend
        self.carry = 0.0  # accepted tokens owed to the decodes by fused iterations so far (F132)
        self.tally = Tally()

    # -- bookkeeping ---------------------------------------------------------------------------
    @property
    def seqs(self) -> int:
        return len(self.running)

    @property
    def ctx_sum(self) -> int:
        """Tokens in the KV cache of all decoding requests."""
        return self.base_sum + len(self.running) * self.steps

    def free_blocks(self) -> int:
        return self.pool.total_blocks - self.held_decode - self.held_prefill

    def can_admit(self, request: int, in_batch: int, reserved: int = 0) -> bool:
        """Room in the batch, and blocks for the prompt beyond the watermark and `reserved` blocks."""
        return in_batch < self.max_batch and self.pool.admits(self.free_blocks() - reserved, self.todo[request])

    def needs(self) -> list[int]:
        """needs[j − 1]: decoding requests whose next new block comes at decode step j = 1 … b from now
        (their context then is a multiple of b)."""
        k = -self.steps % self.b  # needs[j − 1] = phase[(1 − j − steps) mod b]: phase[k], phase[k − 1], … wrapping
        return self.phase[k::-1] + self.phase[:k:-1]

    def blocks_next_step(self) -> int:
        """Decoding requests that take a new block in the next decode step (= needs()[0])."""
        return self.phase[-self.steps % self.b]

    def blocks_for_steps(self, steps: int) -> int:
        """Blocks the decoding requests take in the next `steps` decode steps."""
        if steps == 1:
            return self.blocks_next_step()
        full, part = divmod(steps, self.b)
        return full * len(self.running) + sum(self.needs()[:part])

    def fused_tokens(self) -> int:
        """Tokens the decodes of the next fused iteration advance: τ per verification step in
        expectation, realised as whole tokens by carrying the fraction over (F132; 1 without drafts)."""
        return int(self.carry + self.st.tau)

    def took_fused(self, tokens: int) -> None:
        self.carry += self.st.tau - tokens

    def steps_to_next_finish(self) -> int:
        while self.ends and self.end_of[self.ends[0][1]] != self.ends[0][0]:
            heapq.heappop(self.ends)  # preempted or finished since it was pushed
        return self.ends[0][0] - self.steps

    def prefilled(self, request: int, prompt: int, entries: list) -> None:
        """The prefill of `request` finished at self.t and produced one token."""
        self.touched += 1
        self.gen[request] += 1
        if math.isnan(self.first[request]):
            self.first[request] = self.t
        if self.gen[request] >= self.out[request]:
            self.finish[request] = self.t
            self.done += 1
        else:
            entries.append((request, prompt, self.steps + self.out[request] - self.gen[request]))

    def start_decoding(self, entries: list) -> None:
        for request, tokens, finish_step in entries:
            base = tokens - self.steps
            self.running[request] = None
            self.base[request] = base
            self.phase[base % self.b] += 1
            self.base_sum += base
            self.held_decode += blocks(tokens, self.b)
            self.end_of[request] = finish_step
            heapq.heappush(self.ends, (finish_step, request))

    def leave(self, request: int) -> int:
        """Take `request` out of the decoding set; its context (tokens)."""
        del self.running[request]
        base = self.base[request]
        ctx = base + self.steps
        self.phase[base % self.b] -= 1
        self.base_sum -= base
        self.held_decode -= blocks(ctx, self.b)
        self.end_of[request] = -1
        self.touched += 1
        return ctx

    def advance_decodes(self, steps: int) -> None:
        """Every decoding request produced `steps` tokens; tally the run exactly; retire the finished."""
        seqs, b = len(self.running), self.b
        held0, ctx0 = self.held_decode, self.ctx_sum
        if steps == 1:  # the common case of chunked prefill: one fused step
            new = self.blocks_for_steps(1)
            reserved = b * (held0 + new)
            used = ctx0 + seqs
            worst = reserved - used
        else:
            needs = self.needs()
            full, part = divmod(steps, b)
            new = full * seqs + sum(needs[:part])
            # Σ over the run's steps k = 1..s of the blocks taken by step k: a request first taking one
            # at step j takes c = (s − j)//b + 1 of them, at j, j + b, …, each counted s − step + 1 times
            taken_steps = 0
            for j, need in enumerate(needs[:steps], 1):
                if need:
                    c = (steps - j) // b + 1
                    taken_steps += need * (c * (steps - j + 1) - b * c * (c - 1) // 2)
            reserved = b * (steps * held0 + taken_steps)  # Σ_k reserved tokens after step k
            used = steps * ctx0 + seqs * steps * (steps + 1) // 2  # Σ_k cached tokens after step k
            # waste after step k, b·held_k − ctx_k, repeats with period b (b steps take one block per request)
            taken, worst = 0, -math.inf
            for k, need in enumerate(needs[:min(steps, b)], 1):
                taken += need
                worst = max(worst, b * (held0 + taken) - (ctx0 + seqs * k))
        self.tally.decode(steps, seqs, seqs, reserved / steps, used / steps)
        self.tally.waste_per_seq_max = max(self.tally.waste_per_seq_max, worst / seqs)
        self.held_decode += new
        self.steps += steps
        while self.ends and self.ends[0][0] <= self.steps:
            end, request = heapq.heappop(self.ends)
            if self.end_of[request] == end:
                self.gen[request] = self.out[request]
                self.finish[request] = self.t
                self.done += 1
                self.leave(request)

    def preempt_last(self) -> None:
        """Free the most recently admitted decoding request; it is recomputed later."""
        request = next(reversed(self.running))
        self.gen[request] = self.out[request] - (self.end_of[request] - self.steps)
        self.todo[request] = self.leave(request) + 1  # prompt + generated tokens (the last one was not yet cached)
        self.waiting.appendleft(request)
        self.tally.preemptions += 1

    def steps_memory_allows(self) -> int:
        """How many decode steps fit in the free blocks (0: preempt first)."""
        free = self.free_blocks()
        if free < 0:
            return 0
        full, rest = divmod(free, len(self.running))  # every b steps take one block per request
        extra = 0
        for need in self.needs():
            if need > rest:
                break
            rest -= need
            extra += 1
        return full * self.b + extra

    def generated(self) -> int:
        """Output tokens produced so far (decoding requests included)."""
        decoding = sum(self.out[r] - self.end_of[r] + self.steps - self.gen[r] for r in self.running)
        return sum(self.gen) + decoding

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        """Serve every request, or stop where the budget runs out (`meter.stopped` says why)."""
        n = len(self.arrival)
        while self.done < n:
            if self.meter.spend(1 + self.touched):
                return
            self.touched = 0
            while self.next_arrival < n and self.arrival[self.next_arrival] <= self.t:
                self.waiting.append(self.next_arrival)
                self.next_arrival += 1
            if self.schedule():
                continue
            if not self.running:
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
        seqs = len(self.running)
        steps = min(steps, self.steps_to_next_finish(), self.max_run_steps or steps)
        mean_ctx = self.ctx_sum / seqs
        if not self.waiting and not self.prefilling and self.next_arrival < len(self.arrival):
            steps = self.steps_to_reach(seqs, mean_ctx, self.arrival[self.next_arrival], steps)
        dt = self.st.decode_run_s(seqs, mean_ctx, steps)
        self.t += dt
        self.tally.busy_s += dt
        self.advance_decodes(steps)

    def steps_to_reach(self, seqs: int, mean_ctx: float, when_s: float, most: int) -> int:
        """The fewest decode steps (at most `most`) after which the clock has reached `when_s`, as the
        step-by-step loop would notice it (bisection on the run time, which grows with the steps)."""
        run = self.st.decode_run_s
        if self.t + run(seqs, mean_ctx, most) < when_s:
            return most
        lo, hi = 1, most
        while lo < hi:
            mid = (lo + hi) // 2
            if self.t + run(seqs, mean_ctx, mid) >= when_s:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def stop(self) -> Stop | None:
        """What a truncated run reached (None when every request finished)."""
        if not self.meter.stopped:
            return None
        finished = self.done
        note = self.meter.note(finished, len(self.arrival), self.t)
        return Stop(note, finished, self.generated(), self.t)


def simulate_with(engine: type[Engine], dep: Deployment, workload: Workload, max_batch: int,
                  block_tokens: int = DEFAULT_BLOCK_TOKENS, token_budget: int = 8192,
                  budget: Budget | None = None) -> ServingResult:
    """Run `engine` (a policy's Engine subclass) on `workload` after checking its inputs, within `budget`."""
    meter = Meter(budget or Budget())
    req = workload.draw()
    max_batch = check_int("max_batch", max_batch, 1, SIMULATOR_MAX_BATCH, "sequences")
    b = check_int("block_tokens", block_tokens, 1, 256, "tokens")
    tokens = check_int("token_budget", token_budget, 16, MAX_TOKEN_BUDGET, "tokens")
    engine.check_options(max_batch, tokens)
    pool = BlockPool.of(dep, b)
    pool.check_holds(int((req.prompt_tokens + req.output_tokens).max()))
    p_max, g_max = int(req.prompt_tokens.max()), int(req.output_tokens.max())
    st = StepTimes(dep, max_batch, p_max + g_max, max(tokens, p_max + g_max) + max_batch)
    sim = engine(st, req, max_batch, pool, tokens, meter)
    sim.run()
    stop = sim.stop()
    sim.tally.slots = float(stop.output_tokens if stop else req.output_tokens.sum())
    return serving_result(engine.policy, dep, req, np.array(sim.first), np.array(sim.finish), sim.tally, max_batch,
                          pool.capacity_tokens, stop, meter.work)
