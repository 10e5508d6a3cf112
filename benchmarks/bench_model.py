"""Time the model: a 64 x 64 (batch x context) sweep of decode step time and cost, one full summary
and one memory-fit plan (the Overview's panel) per named scenario. Prints a table; run:
python -m benchmarks.bench_model"""

import platform
import statistics
import time

import numpy as np

from model import load_catalog, parse_scenario_strict, resolve, summarize
from model.core import (
    metrics,
    roofline,  # noqa: E402
)
from model.core.memory_fit import fit_plans

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
    print(f"{'scenario':30s} {'64x64 sweep ms':>15s} {'summary ms':>11s} {'memory fit ms':>14s}   "
          f"(median of {REPEATS} / 50 / 20)")
    for name in ["(default)"] + list(catalog.scenarios):
        raw = {} if name == "(default)" else {"preset": name}
        scenario = parse_scenario_strict(raw, catalog)
        dep = resolve(scenario, catalog)
        sweep_ms = median_ms(lambda dep=dep: sweep(dep))
        summary_ms = median_ms(lambda scenario=scenario, dep=dep: summarize(scenario, dep), 50)
        fit_ms = median_ms(lambda scenario=scenario, dep=dep: fit_plans(dep, scenario.batch, scenario.ctx), 20)
        print(f"{name:30s} {sweep_ms:15.3f} {summary_ms:11.2f} {fit_ms:14.2f}")


if __name__ == "__main__":
    main()
