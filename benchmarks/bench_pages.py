"""Server-side run time of every dashboard page (sidebar included), through the entry point.

Median of RUNS AppTest reruns per page after one warm-up, for the default scenario and a
long-context one. Run: python -m benchmarks.bench_pages [runs] [page name part, e.g. price_sheet]"""

import platform
import statistics
import sys
import time

from tests.apptest_harness import PAGES, app

SCENARIOS = {"default": None, "long-context-200k": {"preset": "long-context-200k"}}


def rerun_ms(at, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1e3)
        assert not at.exception, at.exception
    return times


def main(runs: int = 20, only: str = "") -> None:
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; {runs} AppTest reruns per cell")
    print(f"{'page':28s} " + " ".join(f"{name + ' median ms':>28s}" for name in SCENARIOS) + f" {'max p90 ms':>11s}")
    for page in (p for p in PAGES if only in p):
        cells, p90s = [], []
        for query in SCENARIOS.values():
            at = app(query, page=page)
            times = sorted(rerun_ms(at, runs))
            cells.append(statistics.median(times))
            p90s.append(times[int(0.9 * (len(times) - 1))])
        print(f"{page:28s} " + " ".join(f"{c:28.1f}" for c in cells) + f" {max(p90s):11.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, sys.argv[2] if len(sys.argv) > 2 else "")
