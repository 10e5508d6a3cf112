"""Time the serving simulator (model/serving/): each policy on 1,000 / 10,000 / 20,000 requests.

Workload: Llama 3.1 70B on 8x H100 SXM (the chat-70b deployment), Poisson arrivals at 8 requests/s,
prompts uniform on [128, 2048] tokens, outputs exponential with mean 256 tokens. Prints wall time
(median of a few runs) and what was simulated. Run: python -m benchmarks.bench_serving
"""

import platform
import statistics
import time

import numpy as np

from model import load_catalog, parse_scenario_strict, resolve
from model.serving.simulate import POLICIES, simulate
from model.serving.workload import LengthDist, Workload

REQUESTS = (1_000, 10_000, 20_000)
REPEATS = 5


def main() -> None:
    catalog = load_catalog()
    dep = resolve(parse_scenario_strict({"preset": "chat-70b"}, catalog), catalog)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
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


if __name__ == "__main__":
    main()
