"""Time calibration on the shipped TensorRT-LLM v0.9 rows and report its transfer errors: the fit of
each hardware (with and without building the unit-efficiency terms), a full leave-one-model-out
(one fit per hardware and held-out model), and every train-on-one-model / test-on-the-others
split. Prints tables; run: python -m benchmarks.bench_calibration"""

import platform

import numpy as np

from benchmarks.bench_model import median_ms
from model import load_catalog
from model.calibration.fit import by_hardware, fit_hardware
from model.calibration.measurements import read_measurements, select
from model.calibration.problem import build_problem
from model.calibration.transfer import leave_one_model_out, train_test
from model.calibration.validate import error_summary, validate
from model.catalog.presets import PRESET_DIR

FRAMEWORK = "TensorRT-LLM 0.9"


def _stats(rows) -> str:
    s = error_summary(rows)[0]
    return f"{s['median_abs_error_pct']:5.1f} / {s['max_abs_error_pct']:5.1f}  (n {s['n']})"


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
    lomo_ms = median_ms(lambda: leave_one_model_out(rows, catalog), repeats=3)
    fits = len({(m.scenario.hw, m.scenario.model) for m in rows})
    print(f"leave-one-model-out: {fits} fits in {lomo_ms:.0f} ms (median of 3)")
    print("\n|error %| median / max on the TensorRT-LLM v0.9 rows")
    print(f"  default efficiencies          {_stats(validate(rows, catalog))}")
    print(f"  leave-one-model-out           {_stats(leave_one_model_out(rows, catalog))}")
    models = sorted({m.scenario.model for m in rows})
    pooled = []
    for model in models:
        held = train_test(rows, catalog, [model], [x for x in models if x != model])
        pooled += held
        print(f"  fitted on {model:18s}  {_stats(held)}")
    print(f"  fitted on one model, pooled   {_stats(pooled)}")


if __name__ == "__main__":
    main()
