"""Static (request-level) batching with max-length KV reservation, FasterTransformer style (docs/formulas.md F43).

When the replica is free it takes up to `max_batch` waiting requests (no batching delay); each
reserves `reserve_tokens` of KV cache, so the batch is also capped by memory
(`paged_kv.reserved_sequences`). The prefill is padded to the batch's longest prompt and every
slot decodes, at the padded context, until the batch's longest output is done: a batch of k
computes k·max G token slots for Σ G useful tokens. Each batch costs 1 + k units of the work budget
(`budget.Budget`); a run that reaches its budget stops after the batch in progress.
"""

from __future__ import annotations

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
    prompts, outputs = req.prompt_tokens, req.output_tokens
    n = len(arrival)
    first, finish = np.full(n, np.nan), np.full(n, np.nan)
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
    stop = Stop(meter.note(i, n, t), i, int(outputs[:i].sum()), t) if meter.stopped else None
    return serving_result("static", dep, req, first, finish, tally, limit, fits * reserve, stop, meter.work)
