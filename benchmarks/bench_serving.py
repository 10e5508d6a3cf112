"""Time the serving simulator (model/serving/) and the worst Continuous batching page runs.

`sim`: each policy on 1,000 / 10,000 / 20,000 requests. Workload: Llama 3.1 70B on 8x H100 SXM
(the chat-70b deployment), Poisson arrivals at 8 requests/s, prompts uniform on [128, 2048] tokens,
outputs exponential with mean 256 tokens. Prints wall time (median of a few runs) and what was simulated.

`pages`: hostile links to /serving (the page-local `sv_*` keys at their bounds, and the link of
issue 10) and two to /disaggregation (its sweep at the bounds), each run once through the entry
point with Streamlit's AppTest after clearing the cache (the app's first run on the Overview, then
the page): server-side wall time, the cards drawn, and the warnings shown.

Run: python -m benchmarks.bench_serving [sim|issue|pages]   (all three by default, as 'both' for history)
"""

import platform
import statistics
import sys
import time

import numpy as np
import streamlit as st

from model import load_catalog, parse_scenario_strict, resolve
from model.serving.simulate import POLICIES, simulate
from model.serving.workload import LengthDist, Workload
from tests.apptest_harness import app, metrics

REQUESTS = (1_000, 10_000, 20_000)
REPEATS = 5
PAGE = "pages/serving.py"
WORST = {"sv_n": "20000", "sv_rate": "1000", "sv_batch": "4096"}
LINKS = {  # name -> query
    "issue 10 link (1B, 1 chip)": {"model": "llama-3.2-1b", "chips": "1", **WORST, "sv_prompt": "1",
                                   "sv_prompt_dist": "fixed", "sv_out": "8192", "sv_out_dist": "exponential"},
    "1B, 1 chip, longest prompts": {"model": "llama-3.2-1b", "chips": "1", **WORST, "sv_prompt": "16384",
                                    "sv_prompt_dist": "exponential", "sv_out": "8192", "sv_out_dist": "exponential"},
    "8B, 1 chip, uniform": {"model": "llama-3.1-8b", "chips": "1", **WORST, "sv_prompt": "16384",
                            "sv_prompt_dist": "uniform", "sv_out": "8192", "sv_out_dist": "uniform"},
    "70B, 8 chips, fixed": {**WORST, "sv_prompt": "16384", "sv_prompt_dist": "fixed", "sv_out": "8192",
                            "sv_out_dist": "fixed"},
    "1B, 1 chip, 1-token requests": {"model": "llama-3.2-1b", "chips": "1", **WORST, "sv_prompt": "1",
                                     "sv_prompt_dist": "fixed", "sv_out": "1", "sv_out_dist": "fixed"},
    "default page": {},
}
DISAGGREGATION = {  # the Prefill/decode split page's sweep (analytic, 13 points at most) at its bounds
    "dg: rate 100000/s, prompt sweep": {"dg_rate": "100000", "dg_axis": "prompt", "prompt": "131000", "out": "72",
                                        "batch": "65536"},
    "dg: 1B, 1024 prefill chips": {"dg_rate": "100000", "model": "llama-3.2-1b", "chips": "1", "batch": "4096",
                                   "dg_chips": "1024"},
}


def machine() -> str:
    return (f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
            f"numpy {np.__version__}")


def bench_simulator() -> None:
    catalog = load_catalog()
    dep = resolve(parse_scenario_strict({"preset": "chat-70b"}, catalog), catalog)
    print(f"{'requests':>8s} {'policy':>10s} {'wall ms':>8s} {'sim tok/s':>10s} {'TTFT p50 s':>10s} "
          f"{'TPOT p50 ms':>11s} {'decode steps':>12s}   (median of {REPEATS})")
    for n in REQUESTS:
        workload = Workload(n, 8.0, LengthDist.uniform(128, 2048), LengthDist.exponential(256), seed=1)
        for policy in POLICIES:
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                result = simulate(dep, workload, policy)
                times.append(time.perf_counter() - start)
            print(f"{n:8d} {policy:>10s} {statistics.median(times) * 1e3:8.0f} {result.output_tokens_per_s:10.0f} "
                  f"{result.ttft_p50_s:10.3f} {result.tpot_p50_s * 1e3:11.1f} {result.decode_steps:12d}")


def bench_issue() -> None:
    """The workload of issue 10's link at the model level, each policy alone with the simulator's default
    limits: Llama 3.2 1B on one H100 SXM, 20,000 requests at 1,000/s, max batch 4,096 (up to 4,096 in
    flight, memory-bound: requests are preempted and recomputed), one-token prompts, outputs exponential
    with mean 8,192. Prefill passes + preemptions per second of wall time approximates the scheduler
    iterations per second (each is one iteration; decode runs come on top)."""
    catalog = load_catalog()
    dep = resolve(parse_scenario_strict({"model": "llama-3.2-1b", "chips": "1"}, catalog), catalog)
    workload = Workload.shaped(20_000, 1000.0, "fixed", 1, "exponential", 8192)
    print(f"{'policy':>10s} {'wall s':>7s} {'prefills+preemptions /s':>23s}  outcome")
    for policy in POLICIES:
        start = time.perf_counter()
        try:
            r = simulate(dep, workload, policy, 4096)
        except ValueError as exc:
            print(f"{policy:>10s} {time.perf_counter() - start:7.2f} {'':>23s}  refused: {str(exc)[:90]}")
            continue
        wall = time.perf_counter() - start
        outcome = getattr(r, "truncated", "") or f"all {r.n_requests:,} requests finished"
        print(f"{policy:>10s} {wall:7.2f} {(r.prefill_passes + r.preemptions) / wall:23,.0f}  {outcome[:110]}")


def bench_pages() -> None:
    print(f"{'link':32s} {'wall s':>7s} {'cards':>5s}  warnings (first 110 characters of each)")
    runs = [(name, query, PAGE) for name, query in LINKS.items()]
    runs += [(name, query, "pages/disaggregation.py") for name, query in DISAGGREGATION.items()]
    for name, query, page in runs:
        st.cache_data.clear()
        start = time.perf_counter()
        at = app(query, page=page, timeout=600)
        wall = time.perf_counter() - start
        assert not at.exception, at.exception
        notes = [" ".join(str(w.value).split())[:110] for w in at.warning]
        print(f"{name:32s} {wall:7.1f} {len(metrics(at)):5d}  " + (" | ".join(notes) or "-"))


def main(which: str = "both") -> None:
    print(machine())
    if which in ("sim", "both"):
        bench_simulator()
    if which in ("issue", "both"):
        bench_issue()
    if which in ("pages", "both"):
        bench_pages()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "both")
