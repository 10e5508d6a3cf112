"""Static (request-level) batching with max-length KV reservation, FasterTransformer style (docs/formulas.md F43).

When the replica is free it takes up to `max_batch` waiting requests (no batching delay); each
reserves `reserve_tokens` of KV cache, so the batch is also capped by memory
(`paged_kv.reserved_sequences`). The prefill is padded to the batch's longest prompt and every
slot decodes, at the padded context, until the batch's longest output is done: a batch of k
computes k·max G token slots for Σ G useful tokens. Each batch costs 1 + k units of the work budget
(`budget.Budget`); a run that reaches its budget stops after the batch in progress.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from model.base.fields import check_int
from model.core.deployment import Deployment
from model.serving.budget import Budget, Meter
from model.serving.paged_kv import reserved_sequences
from model.serving.results import ServingResult, Stop, Tally, serving_result
from model.serving.steps import StepTimes
from model.serving.workload import (
    SIMULATOR_MAX_BATCH,
    SIMULATOR_MAX_OUTPUT_TOKENS,
    SIMULATOR_MAX_PROMPT_TOKENS,
    Workload,
)


def simulate_static(dep: Deployment, workload: Workload, max_batch: int = 256,
                    reserve_tokens: int | None = None, budget: Budget | None = None) -> ServingResult:
    """Request-level batching with `reserve_tokens` of KV reserved per sequence, within `budget`.

    `reserve_tokens` defaults to the workload's longest possible request (prompt and output caps).
    The batch is capped by `max_batch` and by `metrics.max_batch(dep, reserve_tokens)`.
    """
    meter = Meter(budget or Budget())
    req = workload.draw()
    max_batch = check_int("max_batch", max_batch, 1, SIMULATOR_MAX_BATCH, "sequences")
    longest = int((req.prompt_tokens + req.output_tokens).max())
    if reserve_tokens is None:
        reserve_tokens = workload.prompt.high_tokens + workload.output.high_tokens
    reserve = check_int("reserve_tokens", reserve_tokens, longest,
                        SIMULATOR_MAX_PROMPT_TOKENS + SIMULATOR_MAX_OUTPUT_TOKENS,
                        "tokens (at least the longest request)")
    fits = reserved_sequences(dep, reserve)
    limit = min(max_batch, fits)
    p_max, g_max = int(req.prompt_tokens.max()), int(req.output_tokens.max())
    st = StepTimes(dep, limit, p_max + g_max, limit * p_max)
    arrival = req.arrival_s.tolist()
    prompts, outputs = req.prompt_tokens.tolist(), req.output_tokens.tolist()  # lists: batches are often small
    n = len(arrival)
    first, finish = [math.nan] * n, [math.nan] * n
    tally = Tally()
    a = st.decode_attention
    t, i, k = 0.0, 0, 0
    while i < n:
        if meter.spend(1 + k):
            break
        t = max(t, arrival[i])
        j = min(i + limit, bisect_right(arrival, t))
        k = j - i
        p_batch, g_batch = prompts[i:j], outputs[i:j]
        pad_p, pad_g = max(p_batch), max(g_batch)
        start_decode = t + st.prefill_s(pad_p, k)
        # decode step m (m = 1..pad_g−1) runs k slots at context pad_p + m − 1
        a0, base = a.integral(pad_p - 0.5), st.decode_base[k]
        done = [start_decode + (g - 1) * base + k * (a.integral(pad_p + g - 1.5) - a0) for g in g_batch]
        first[i:j] = [start_decode] * k
        finish[i:j] = done
        end = max(done)
        tally.busy_s += end - t
        tally.prefill_passes += 1
        tally.slots += k * pad_g
        steps = pad_g - 1
        if steps:
            held = [g - 1 for g in g_batch]  # decode steps each request produces a token in
            # tokens cached after step m: P_i + min(m, g_i); Σ_m min(m, g) = g(g+1)/2 + g(steps − g)
            used = sum(p_batch) + sum(h * (h + 1) / 2 + h * (steps - h) for h in held) / steps
            tally.decode(steps, sum(held) / steps, k, k * reserve, used)
            least_used = sum(p_batch) + sum(min(h, 1) for h in held)  # after the first step
            tally.waste_per_seq_max = max(tally.waste_per_seq_max, reserve - least_used / k)
        t = end
        i = j
    stop = Stop(meter.note(i, n, t), i, sum(outputs[:i]), t) if meter.stopped else None
    return serving_result("static", dep, req, np.array(first), np.array(finish), tally, limit, fits * reserve, stop,
                          meter.work)
