"""Time the model: a 64 x 64 (batch x context) sweep of decode step time and cost, and one
full summary per named scenario. Prints a table; run: python -m benchmarks.bench_model"""

import platform
import statistics
import time

import numpy as np

from model import load_catalog, parse_scenario_strict, resolve, summarize
from model.core import (
    metrics,
    roofline,  # noqa: E402
)

REPEATS = 200


def median_ms(fn, repeats=REPEATS) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def sweep(dep):
    batch = np.geomspace(1, 4096, 64)[:, None]
    ctx = np.geomspace(128, 1_048_576, 64)[None, :]
    step_s = roofline.decode_step(dep, batch, ctx).time_s
    return metrics.cost_per_m_output_usd(dep, step_s, batch)


def main() -> None:
    catalog = load_catalog()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"{'scenario':22s} {'64x64 sweep ms':>15s} {'summary ms':>11s}   (median of {REPEATS})")
    for name in ["(default)"] + list(catalog.scenarios):
        raw = {} if name == "(default)" else {"preset": name}
        scenario = parse_scenario_strict(raw, catalog)
        dep = resolve(scenario, catalog)
        sweep_ms = median_ms(lambda dep=dep: sweep(dep))
        summary_ms = median_ms(lambda scenario=scenario, dep=dep: summarize(scenario, dep), 50)
        print(f"{name:22s} {sweep_ms:15.3f} {summary_ms:11.2f}")


if __name__ == "__main__":
    main()
