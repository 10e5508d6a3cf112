"""Step-level simulation of one serving replica: static versus continuous batching.

A `Workload` of N requests (Poisson arrivals, seeded prompt and output lengths) is served by one
replica (a `roofline.Deployment`) under one of three policies:

- ``static``: request-level batching with max-length KV reservation (FasterTransformer style).
  When the replica is free it takes up to `max_batch` waiting requests (no batching delay); each
  reserves `reserve_tokens` of KV cache, so the batch is also capped by memory
  (`metrics.max_batch(dep, reserve_tokens)`). The prefill is padded to the batch's longest prompt
  and every slot decodes, at the padded context, until the batch's longest output is done.
- ``continuous``: iteration-level batching (Orca) with PagedAttention (vLLM): KV memory is held
  in blocks of `block_tokens` tokens, allocated as tokens arrive. A waiting request is admitted
  (FCFS) when `max_batch` and the free blocks allow its prompt plus a watermark of 1% of the blocks
  (vLLM's default). Prefill passes take whole prompts (up to `token_budget` tokens, at least one
  prompt) and stall the decodes while they run (vLLM v0 default scheduling). When a decode step
  needs a block and none is free, the most recently admitted request is preempted: its blocks
  are freed and it is recomputed later (prompt + tokens generated so far).
- ``chunked``: continuous batching with chunked prefill (Sarathi-Serve): each iteration carries
  every running decode plus prefill chunks filling the rest of `token_budget` tokens, so decodes
  never stall behind a whole prompt.

Step times come from the roofline (FORMULAS.md sections 4-5 via `roofline.decode_step` and
`roofline.prefill`). A decode step of B sequences of mixed contexts is timed at their mean context
L̄ (the KV and attention terms are linear in context): t_step(B, L̄). One pass is decomposed as

    t_pass = t_lin(T tokens) + t_lm(S sampling sequences) + Σ_parts t_attention(part)

where t_lin is every op but attention (plus all-reduces and layer overhead) for T tokens,
t_lm the extra lm_head rows for S sequences, and attention is timed per part (the decode batch,
each prompt or chunk). For a pure decode step or a pure prefill this reproduces
`decode_step(dep, B, L̄)` and `prefill(dep, P, batch=k)` exactly (up to table interpolation);
a fused chunked iteration runs the linear layers once on all its tokens and the attention of
its decode and prefill parts one after the other. The pieces are tabulated once per call, so a
simulated iteration costs microseconds; runs of decode steps with nothing to schedule are
advanced in one go (the sum over the run uses the midpoint rule, exact where t_step is linear).

Outputs (`ServingResult`): output tokens/s, TTFT and TPOT percentiles, mean decode batch, slot
occupancy (useful output tokens ÷ token slots computed: static batching computes k·max G slots
per batch, FORMULAS.md section 12), KV reserved versus used (decode-step averages, bytes per
replica), GPU (chip) seconds and USD per 1M output tokens over the whole simulated span.

Definitions: TTFT = first token time − arrival; TPOT = (last token − first token)/(G − 1), for
G > 1; the prefill produces the first output token. Limits: at most 20,000 requests, batch 4096,
131,072 prompt and 65,536 output tokens, and 300,000 scheduler iterations per call.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass

import numpy as np

from model.base.fields import check_int
from model.core import metrics
from model.core.deployment import Deployment
from model.serving.steps import StepTimes
from model.serving.workload import (  # noqa: F401
    EXPONENTIAL_CAP,
    LENGTH_KINDS,
    MAX_OUTPUT_TOKENS,
    MAX_PROMPT_TOKENS,
    MAX_RATE_PER_S,
    MAX_REQUESTS,
    LengthDist,
    Requests,
    Workload,
)

MAX_BATCH = 4096
MAX_TOKEN_BUDGET = 65_536
MAX_ITERATIONS = 300_000
DEFAULT_BLOCK_TOKENS = 16  # vLLM's default block size
WATERMARK_FRACTION = 0.01  # vLLM keeps 1% of blocks free when admitting (BlockSpaceManager watermark)
POLICIES = ("static", "continuous", "chunked")


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServingResult:
    """What one policy did with one workload on one replica (SI units; bytes per replica)."""

    policy: str
    n_requests: int
    output_tokens: int
    makespan_s: float  # first arrival (t = 0) to last token
    busy_s: float  # time the replica was running passes
    output_tokens_per_s: float
    ttft_p50_s: float
    ttft_p95_s: float
    tpot_p50_s: float
    tpot_p95_s: float
    latency_p50_s: float
    latency_p95_s: float
    mean_batch: float  # sequences producing a token per decode step (mean over decode steps)
    slot_occupancy: float  # useful output tokens / token slots computed
    batch_limit: int  # most sequences the policy could run at once (max_batch and memory)
    kv_capacity_bytes: float
    kv_reserved_bytes: float  # mean over decode steps
    kv_used_bytes: float  # mean over decode steps: tokens of real requests in the cache
    kv_waste_fraction: float  # 1 − used / reserved
    kv_waste_tokens_per_seq: float  # mean (reserved − used) tokens per sequence holding KV
    kv_waste_tokens_per_seq_max: float  # the same, in the decode step where it was largest
    preemptions: int
    decode_steps: int
    prefill_passes: int
    chip_s: float  # chips × makespan
    usd_per_m_output: float
    ttft_s: np.ndarray  # per request
    tpot_s: np.ndarray  # per request (nan where G = 1)


@dataclass
class _Tally:
    """Accumulators shared by the policies."""

    decode_steps: int = 0
    seq_steps: float = 0.0  # Σ over decode steps of sequences producing a token
    holder_steps: float = 0.0  # Σ over decode steps of sequences holding KV cache
    reserved_token_steps: float = 0.0
    used_token_steps: float = 0.0
    waste_per_seq_max: float = 0.0
    prefill_passes: int = 0
    preemptions: int = 0
    busy_s: float = 0.0
    slots: float = 0.0  # token slots computed

    def decode(self, steps: int, seqs: float, holders: int, reserved_tokens: float, used_tokens: float) -> None:
        """`steps` decode steps with, per step on average, `seqs` sequences producing a token,
        `holders` sequences holding KV, `reserved_tokens` KV tokens held and `used_tokens` filled."""
        self.decode_steps += steps
        self.seq_steps += seqs * steps
        self.holder_steps += holders * steps
        self.reserved_token_steps += reserved_tokens * steps
        self.used_token_steps += used_tokens * steps


def _percentile(values: np.ndarray, q: float) -> float:
    values = values[np.isfinite(values)]
    return float(np.percentile(values, q)) if values.size else math.nan


def _result(policy: str, dep: Deployment, req: Requests, first: np.ndarray, finish: np.ndarray,
            tally: _Tally, batch_limit: int, capacity_tokens: float) -> ServingResult:
    out = req.output_tokens
    ttft = first - req.arrival_s
    with np.errstate(invalid="ignore", divide="ignore"):
        tpot = np.where(out > 1, (finish - first) / np.maximum(out - 1, 1), np.nan)
    latency = finish - req.arrival_s
    makespan = float(finish.max())
    total_out = int(out.sum())
    steps = max(tally.decode_steps, 1)
    kv_tok = float(metrics.kv_bytes_per_sequence(dep, 1)) * dep.kv_replication
    reserved = tally.reserved_token_steps
    return ServingResult(
        policy=policy,
        n_requests=int(out.size),
        output_tokens=total_out,
        makespan_s=makespan,
        busy_s=tally.busy_s,
        output_tokens_per_s=total_out / makespan,
        ttft_p50_s=_percentile(ttft, 50),
        ttft_p95_s=_percentile(ttft, 95),
        tpot_p50_s=_percentile(tpot, 50),
        tpot_p95_s=_percentile(tpot, 95),
        latency_p50_s=_percentile(latency, 50),
        latency_p95_s=_percentile(latency, 95),
        mean_batch=tally.seq_steps / steps,
        slot_occupancy=total_out / tally.slots if tally.slots else 1.0,
        batch_limit=int(batch_limit),
        kv_capacity_bytes=capacity_tokens * kv_tok,
        kv_reserved_bytes=reserved / steps * kv_tok,
        kv_used_bytes=tally.used_token_steps / steps * kv_tok,
        kv_waste_fraction=1.0 - tally.used_token_steps / reserved if reserved else 0.0,
        kv_waste_tokens_per_seq=(reserved - tally.used_token_steps) / max(tally.holder_steps, 1.0),
        kv_waste_tokens_per_seq_max=tally.waste_per_seq_max,
        preemptions=tally.preemptions,
        decode_steps=tally.decode_steps,
        prefill_passes=tally.prefill_passes,
        chip_s=dep.chips * makespan,
        usd_per_m_output=metrics.PER_MILLION * metrics.replica_usd_per_s(dep) * makespan / total_out,
        ttft_s=ttft,
        tpot_s=tpot,
    )


# --- static batching --------------------------------------------------------------------------


def simulate_static(dep: Deployment, workload: Workload, max_batch: int = 256,
                    reserve_tokens: int | None = None) -> ServingResult:
    """Request-level batching with `reserve_tokens` of KV reserved per sequence.

    `reserve_tokens` defaults to the workload's longest possible request (prompt and output caps).
    The batch is capped by `max_batch` and by `metrics.max_batch(dep, reserve_tokens)`.
    """
    req = workload.draw()
    max_batch = check_int("max_batch", max_batch, 1, MAX_BATCH, "sequences")
    longest = int((req.prompt_tokens + req.output_tokens).max())
    if reserve_tokens is None:
        reserve_tokens = workload.prompt.high_tokens + workload.output.high_tokens
    reserve = check_int("reserve_tokens", reserve_tokens, longest, MAX_PROMPT_TOKENS + MAX_OUTPUT_TOKENS,
                        "tokens (at least the longest request)")
    fits = int(metrics.max_batch(dep, reserve))
    if fits < 1:
        raise ValueError(f"reserve_tokens: one sequence of {reserve} tokens does not fit in HBM next to the "
                         f"weights on {dep.chips} chip(s); lower it or add chips")
    limit = min(max_batch, fits)
    p_max, g_max = int(req.prompt_tokens.max()), int(req.output_tokens.max())
    st = StepTimes(dep, limit, p_max + g_max, limit * p_max)
    arrival = req.arrival_s.tolist()
    prompts, outputs = req.prompt_tokens, req.output_tokens
    n = len(arrival)
    first, finish = np.empty(n), np.empty(n)
    tally = _Tally()
    a = st.decode_attention
    t, i = 0.0, 0
    while i < n:
        t = max(t, arrival[i])
        j = min(i + limit, bisect_right(arrival, t))
        k = j - i
        p_batch, g_batch = prompts[i:j], outputs[i:j]
        pad_p, pad_g = int(p_batch.max()), int(g_batch.max())
        prefill_s = st.prefill_s(pad_p, k)
        start_decode = t + prefill_s
        # decode step m (m = 1..pad_g−1) runs k slots at context pad_p + m − 1
        a0 = a.integral(pad_p - 0.5)
        last = np.array([(g - 1) * st.decode_base[k] + k * (a.integral(pad_p + g - 1.5) - a0)
                         for g in g_batch.tolist()])
        first[i:j] = start_decode
        finish[i:j] = start_decode + last
        end = start_decode + float(last.max())
        tally.busy_s += end - t
        tally.prefill_passes += 1
        tally.slots += k * pad_g
        steps = pad_g - 1
        if steps:
            held = g_batch - 1  # decode steps each request produces a token in
            # tokens cached after step m: P_i + min(m, g_i); Σ_m min(m, g) = g(g+1)/2 + g(steps − g)
            used = float(p_batch.sum()) + float((held * (held + 1) / 2 + held * (steps - held)).sum()) / steps
            tally.decode(steps, float(held.sum()) / steps, k, k * reserve, used)
            least_used = float(p_batch.sum() + np.minimum(held, 1).sum())  # after the first step
            tally.waste_per_seq_max = max(tally.waste_per_seq_max, reserve - least_used / k)
        t = end
        i = j
    return _result("static", dep, req, first, finish, tally, limit, fits * reserve)


# --- continuous batching ----------------------------------------------------------------------


def _blocks(tokens, block: int):
    return -(-tokens // block)


def simulate_continuous(dep: Deployment, workload: Workload, max_batch: int = 256,
                        block_tokens: int = DEFAULT_BLOCK_TOKENS, token_budget: int = 8192,
                        chunked_prefill: bool = False) -> ServingResult:
    """Iteration-level batching with paged KV memory (see the module docstring).

    `token_budget`: most prompt tokens in one prefill pass (whole prompts, at least one), or, with
    `chunked_prefill`, most tokens (decodes + prompt chunks) in one iteration.
    """
    req = workload.draw()
    max_batch = check_int("max_batch", max_batch, 1, MAX_BATCH, "sequences")
    b = check_int("block_tokens", block_tokens, 1, 256, "tokens")
    budget = check_int("token_budget", token_budget, 16, MAX_TOKEN_BUDGET, "tokens")
    if chunked_prefill and budget <= max_batch:
        raise ValueError(f"token_budget: must exceed max_batch ({max_batch}) with chunked prefill, so that "
                         f"prompts make progress while the batch is full; got {budget}")
    total_blocks = int(metrics.max_batch(dep, b))
    watermark = int(WATERMARK_FRACTION * total_blocks)
    longest = int((req.prompt_tokens + req.output_tokens).max())
    if _blocks(longest, b) + watermark > total_blocks:
        raise ValueError(f"prompt/output: the longest request ({longest} tokens) does not fit in the "
                         f"{total_blocks * b} tokens of KV cache left after the weights; shorten it or add chips")
    if chunked_prefill:
        estimate = float(req.prompt_tokens.sum()) / (budget - max_batch * 0.5) + 2 * len(req.arrival_s)
        if estimate > MAX_ITERATIONS:
            raise ValueError(f"token_budget: {len(req.arrival_s)} requests would need about {estimate:,.0f} "
                             f"chunked iterations (limit {MAX_ITERATIONS:,}); raise token_budget or lower n_requests")
    p_max, g_max = int(req.prompt_tokens.max()), int(req.output_tokens.max())
    st = StepTimes(dep, max_batch, p_max + g_max, max(budget, p_max + g_max) + max_batch)
    sim = _Continuous(st, req, max_batch, b, budget, total_blocks, watermark, chunked_prefill)
    sim.run()
    policy = "chunked" if chunked_prefill else "continuous"
    sim.tally.slots = float(req.output_tokens.sum())
    return _result(policy, dep, req, sim.first, sim.finish, sim.tally, max_batch, total_blocks * b)


class _Continuous:
    """The continuous-batching scheduler's state and loop (one instance per simulation).

    Decoding requests live in numpy arrays in admission order: `ids`, `ctx` (tokens in their KV
    cache) and `end` (the value of the decode-step counter `steps` at which each finishes); a
    heap of (end, request) finds the next completion without scanning.
    """

    def __init__(self, st: StepTimes, req: Requests, max_batch: int, block: int, budget: int,
                 total_blocks: int, watermark: int, chunked: bool):
        self.st, self.max_batch, self.b, self.budget = st, max_batch, block, budget
        self.total_blocks, self.watermark, self.chunked = total_blocks, watermark, chunked
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
        self.tally = _Tally()

    # -- bookkeeping ---------------------------------------------------------------------------
    def _free_blocks(self) -> int:
        return self.total_blocks - self.held_decode - self.held_prefill

    def _can_admit(self, request: int, in_batch: int, reserved: int = 0) -> bool:
        """Room in the batch, and blocks for the prompt beyond the watermark and `reserved` blocks."""
        need = _blocks(self.todo[request], self.b)
        return in_batch < self.max_batch and self._free_blocks() - reserved - need >= self.watermark

    def _steps_to_next_finish(self) -> int:
        while self.ends and self.end_of[self.ends[0][1]] != self.ends[0][0]:
            heapq.heappop(self.ends)  # preempted since it was pushed
        return self.ends[0][0] - self.steps

    def _prefilled(self, request: int, prompt: int, entries: list) -> None:
        """The prefill of `request` finished at self.t and produced one token."""
        self.gen[request] += 1
        if math.isnan(self.first[request]):
            self.first[request] = self.t
        if self.gen[request] >= self.out[request]:
            self.finish[request] = self.t
            self.done += 1
        else:
            entries.append((request, prompt, self.steps + self.out[request] - self.gen[request]))

    def _start_decoding(self, entries: list) -> None:
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
            self.held_decode += _blocks(tokens, self.b)

    def _advance_decodes(self, steps: int, new_blocks: int | None = None) -> None:
        """Every decoding request produced `steps` tokens (`new_blocks`: blocks that took, if
        known); retire the finished ones."""
        seqs = len(self.ids)
        self.ctx += steps
        self.steps += steps
        self.ctx_sum += steps * seqs
        if new_blocks is None:
            self.held_decode = int(_blocks(self.ctx, self.b).sum())
        else:
            self.held_decode += new_blocks
        reserved = self.held_decode * self.b
        self.tally.decode(steps, seqs, seqs, reserved, self.ctx_sum)
        self.tally.waste_per_seq_max = max(self.tally.waste_per_seq_max, (reserved - self.ctx_sum) / seqs)
        if self._steps_to_next_finish() > 0:
            return
        finished = self.end <= self.steps
        for request, tokens in zip(self.ids[finished].tolist(), self.ctx[finished].tolist()):
            self.gen[request] = self.out[request]
            self.finish[request] = self.t
            self.end_of[request] = -1
            self.done += 1
            self.ctx_sum -= tokens
            self.held_decode -= _blocks(tokens, self.b)
        keep = ~finished
        self.ids, self.ctx, self.end = self.ids[keep], self.ctx[keep], self.end[keep]

    def _preempt_last(self) -> None:
        """Free the most recently admitted decoding request; it is recomputed later."""
        request, ctx = int(self.ids[-1]), int(self.ctx[-1])
        self.gen[request] = self.out[request] - (int(self.end[-1]) - self.steps)
        self.todo[request] = ctx + 1  # prompt + generated tokens (the last one was not yet cached)
        self.end_of[request] = -1
        self.ctx_sum -= ctx
        self.held_decode -= _blocks(ctx, self.b)
        self.ids, self.ctx, self.end = self.ids[:-1], self.ctx[:-1], self.end[:-1]
        self.waiting.appendleft(request)
        self.tally.preemptions += 1

    def _steps_memory_allows(self) -> int:
        """How many decode steps fit in the free blocks (0: preempt first)."""
        seqs = len(self.ids)
        free = self._free_blocks()
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
            if self.chunked:
                if self._chunked_iteration():
                    continue
            elif self._prefill_pass():
                continue
            if not len(self.ids):
                if self.next_arrival >= n:
                    raise RuntimeError("scheduler stalled with requests waiting")  # excluded by the checks
                self.t = max(self.t, self.arrival[self.next_arrival])
                continue
            self._decode_run()

    def _prefill_pass(self) -> bool:
        """Prefill whole waiting prompts (decodes stall); False if none can be admitted."""
        admitted, tokens = [], 0
        while self.waiting:
            request = self.waiting[0]
            prompt = self.todo[request]
            if admitted and tokens + prompt > self.budget:
                break
            if not self._can_admit(request, len(self.ids) + len(admitted)):
                break
            self.waiting.popleft()
            self.held_prefill += _blocks(prompt, self.b)
            admitted.append(request)
            tokens += prompt
        if not admitted:
            return False
        attention = sum(self.st.prompt_attention_s(self.todo[r]) for r in admitted)
        dt = self.st.pass_s(tokens, len(admitted), attention)
        self.t += dt
        self.tally.busy_s += dt
        self.tally.prefill_passes += 1
        self.held_prefill = 0
        entries: list = []
        for request in admitted:
            self._prefilled(request, self.todo[request], entries)
        self._start_decoding(entries)
        return True

    def _chunked_iteration(self) -> bool:
        """One fused iteration of all decodes and prompt chunks; False if there is no prompt work."""
        seqs = len(self.ids)
        room = self.budget - seqs
        if room <= 0 or not (self.prefilling or (self.waiting and
                                                 self._can_admit(self.waiting[0], seqs + len(self.prefilling)))):
            return False
        while seqs and self._steps_memory_allows() < 1:
            self._preempt_last()
            seqs = len(self.ids)
            room = self.budget - seqs
        decode_blocks = int(np.count_nonzero(self.ctx % self.b == 0))  # blocks this step's decodes start
        chunks = []  # (entry, chunk tokens)
        for entry in self.prefilling:
            if room <= 0:
                break
            chunk = min(self.todo[entry[0]] - entry[1], room)
            chunks.append((entry, chunk))
            room -= chunk
        in_batch = seqs + len(self.prefilling)
        while room > 0 and self.waiting and self._can_admit(self.waiting[0], in_batch, decode_blocks):
            request = self.waiting.popleft()
            self.held_prefill += _blocks(self.todo[request], self.b)
            entry = [request, 0]
            self.prefilling.append(entry)
            in_batch += 1
            chunk = min(self.todo[request], room)
            chunks.append((entry, chunk))
            room -= chunk
        st = self.st
        attention = 0.0
        completing = 0
        for entry, chunk in chunks:
            attention += st.chunk_attention_s(chunk, entry[1])
            completing += entry[1] + chunk >= self.todo[entry[0]]
        if seqs:
            attention += seqs * st.decode_attention(self.ctx_sum / seqs)
        dt = st.pass_s(self.budget - room, seqs + completing, attention)
        self.t += dt
        self.tally.busy_s += dt
        self.tally.prefill_passes += 1
        if seqs:
            self._advance_decodes(1, decode_blocks)
        entries: list = []
        for entry, chunk in chunks:
            entry[1] += chunk
            request = entry[0]
            if entry[1] >= self.todo[request]:
                self.prefilling.remove(entry)
                self.held_prefill -= _blocks(self.todo[request], self.b)
                self._prefilled(request, self.todo[request], entries)
        self._start_decoding(entries)
        return True

    def _decode_run(self) -> None:
        """Decode steps until the next event: a completion, a block shortage or an admissible arrival."""
        steps = self._steps_memory_allows()
        if steps < 1:
            self._preempt_last()
            return
        seqs = len(self.ids)
        steps = min(steps, self._steps_to_next_finish())
        mean_ctx = self.ctx_sum / seqs
        if not self.waiting and not self.prefilling and self.next_arrival < len(self.arrival):
            gap = self.arrival[self.next_arrival] - self.t
            steps = min(steps, max(1, math.ceil(gap / self.st.decode_s(seqs, mean_ctx))))
        dt = self.st.decode_run_s(seqs, mean_ctx, steps)
        self.t += dt
        self.tally.busy_s += dt
        self._advance_decodes(steps)


# --- entry points -----------------------------------------------------------------------------


def simulate(dep: Deployment, workload: Workload, policy: str, max_batch: int = 256, **options) -> ServingResult:
    """Run one policy: 'static' (options: reserve_tokens), 'continuous' or 'chunked'
    (options: block_tokens, token_budget)."""
    if policy == "static":
        return simulate_static(dep, workload, max_batch, **options)
    if policy == "continuous":
        return simulate_continuous(dep, workload, max_batch, chunked_prefill=False, **options)
    if policy == "chunked":
        options.setdefault("token_budget", max(512, 2 * max_batch))
        return simulate_continuous(dep, workload, max_batch, chunked_prefill=True, **options)
    raise ValueError(f"policy: must be one of {', '.join(POLICIES)}; got {policy!r}")


def compare_policies(dep: Deployment, workload: Workload, max_batch: int = 256,
                     policies: tuple[str, ...] = POLICIES) -> dict[str, ServingResult]:
    """The same workload under each policy, keyed by policy name."""
    return {policy: simulate(dep, workload, policy, max_batch) for policy in policies}
