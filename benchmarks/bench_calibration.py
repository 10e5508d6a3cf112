"""Time calibration on the shipped TensorRT-LLM v0.9 rows: the fit of each hardware (with and
without building the unit-efficiency terms) and a full leave-one-model-out (one fit per hardware
and held-out model). Prints a table; run: python -m benchmarks.bench_calibration"""

import platform

import numpy as np

from benchmarks.bench_model import median_ms
from model import load_catalog
from model.calibration.fit import (
    build_problem,
    by_hardware,
    fit_hardware,
    leave_one_model_out,
)
from model.calibration.measurements import read_measurements, select
from model.calibration.validate import error_summary
from model.catalog.presets import PRESET_DIR

FRAMEWORK = "TensorRT-LLM 0.9"


def main() -> None:
    catalog = load_catalog()
    measurements, _ = read_measurements(str(PRESET_DIR / "measurements.csv"), catalog)
    rows = select(measurements, FRAMEWORK)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"{'hardware':12s} {'rows':>5s} {'build terms ms':>15s} {'fit ms':>8s}   (median of 20; fit includes build)")
    for hw, group in by_hardware(rows).items():
        build = median_ms(lambda group=group: build_problem(group, catalog), 20)
        fit = median_ms(lambda group=group: fit_hardware(group, catalog), 20)
        print(f"{hw:12s} {len(group):5d} {build:15.1f} {fit:8.1f}")
    lomo = median_ms(lambda: leave_one_model_out(rows, catalog), repeats=5)
    held_out = error_summary(leave_one_model_out(rows, catalog))[0]
    fits = len({(m.scenario.hw, m.scenario.model) for m in rows})
    print(f"leave-one-model-out, {len(rows)} rows, {fits} fits: {lomo:.0f} ms (median of 5); held-out |error %| "
          f"median {held_out['median_abs_error_pct']:.1f}, max {held_out['max_abs_error_pct']:.1f}")


if __name__ == "__main__":
    main()
