"""Calibrate the roofline's efficiencies to measurements, per hardware, and store them as JSON.

Fitted parameters (roofline.Efficiency; defaults: the hardware preset's mfu and mbu, no overhead):

| name               | meaning                                                   | bounds     |
|--------------------|-----------------------------------------------------------|------------|
| `mfu`              | achieved fraction of peak FLOP/s (MFU)                    | 0.01–1     |
| `weights_mbu`       | achieved fraction of HBM bandwidth streaming weights      | 0.01–1     |
| `kv_mbu`            | achieved fraction of HBM bandwidth reading the KV cache   | 0.01–1     |
| `layer_overhead_s` | fixed time per layer per forward pass (launches, syncs)   | 0–1e-3 s   |

The fit minimises Σ (log predicted time − log measured time)² over one hardware's rows
(validation.py defines each row's time) with a bounded Levenberg–Marquardt on log-fractions and
on the overhead in units of 10 µs. The roofline is evaluated once per row at unit efficiency and
recomposed per trial (time = Σ_ops max(compute/mfu, weights/e_w + KV/e_kv) + comms + overhead),
so a fit takes milliseconds per iteration.

A parameter is fitted only when the rows identify it, judged on the rows' sensitivities at the
starting point and again at the fitted point: it must govern at least MIN_SHARE of some row's
time, and its effect across rows must differ from the other fitted parameters' by at least
MIN_DISTINCT on some row. Otherwise it is refused (held at its default) with a message naming
it and the data that would identify it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from model.calibration.file_format import Calibration, CalibrationError
from model.calibration.least_squares import least_squares_bounded
from model.calibration.measurements import Measurement
from model.calibration.parameters import (
    HINTS,
    OVERHEAD_MAX_S,
    OVERHEAD_UNIT_S,
    PARAMETERS,
    REFERENCE_OVERHEAD_S,
)
from model.calibration.validate import (
    ValidationRow,
    abs_error_stats,
    error_pct,
    phase_passes,
    predict,
)
from model.catalog.presets import Catalog
from model.core.deployment import Efficiency
from model.schema.resolve import resolve
from model.schema.scenario import CUSTOM

MIN_SHARE = 0.05  # a parameter must govern ≥ 5% of some row's time
MIN_DISTINCT = 0.03  # ... and move some row's log time ≥ 0.03 unlike the others
MAX_FIT_ROWS = 2000






@dataclass(frozen=True)
class FitProblem:
    """One hardware's measured phases as unit-efficiency roofline terms, for fast re-evaluation.

    Each segment is one op of one pass sample, scaled by the number of passes it stands for:
    compute_s at mfu 1, stream_s (weights + activations) at weights_mbu 1, kv_s at kv_mbu 1.
    Per row: fixed_s (tensor-parallel comms, not fitted), layer_passes (layers × passes, the
    multiplier of layer_overhead_s) and measured_s.
    """

    measurements: tuple[Measurement, ...]
    default: Efficiency
    row: np.ndarray
    compute_s: np.ndarray
    stream_s: np.ndarray
    kv_s: np.ndarray
    fixed_s: np.ndarray
    layer_passes: np.ndarray
    measured_s: np.ndarray

    def parts_s(self, eff: Efficiency) -> dict[str, np.ndarray]:
        """Per-row time governed by each parameter, plus 'fixed' (roofline.time_ops recomposed)."""
        compute = self.compute_s / eff.mfu
        memory_w = self.stream_s / eff.weights_mbu
        memory_kv = self.kv_s / eff.kv_mbu
        bound = compute >= memory_w + memory_kv
        n = len(self.measurements)
        per_row = {
            "mfu": np.where(bound, compute, 0.0),
            "weights_mbu": np.where(bound, 0.0, memory_w),
            "kv_mbu": np.where(bound, 0.0, memory_kv),
        }
        parts = {k: np.bincount(self.row, v, minlength=n) for k, v in per_row.items()}
        parts["layer_overhead_s"] = eff.layer_overhead_s * self.layer_passes
        parts["fixed"] = self.fixed_s
        return parts

    def times_s(self, eff: Efficiency) -> np.ndarray:
        """Per-row phase time (s) under `eff`; equals validation.phase_time_s."""
        return sum(self.parts_s(eff).values())


def _stack(array, shape, runs: float) -> np.ndarray:
    return runs * np.broadcast_to(np.asarray(array, dtype=float), shape).ravel()


def build_problem(measurements: Sequence[Measurement], catalog: Catalog) -> FitProblem:
    """Unit-efficiency terms of usable rows of ONE hardware (CalibrationError otherwise)."""
    hw_ids = {m.scenario.hw for m in measurements}
    if len(hw_ids) != 1:
        raise CalibrationError(f"hw: a fit needs rows of one hardware; got {len(hw_ids)}")
    if len(measurements) > MAX_FIT_ROWS:
        raise CalibrationError(f"rows: at most {MAX_FIT_ROWS} rows per hardware; got {len(measurements)}")
    rows, compute, stream, kv = [], [], [], []
    fixed, layer_passes, measured, default = [], [], [], None
    for index, m in enumerate(measurements):
        dep = resolve(m.scenario.replace(mfu=None, mbu=None), catalog)
        default = default or dataclasses.replace(dep.efficiency, layer_overhead_s=0.0)
        unit = dataclasses.replace(dep, efficiency=Efficiency(1.0, 1.0, 1.0, 0.0, dep.efficiency.allreduce_latency_s))
        comms, passes = 0.0, 0.0
        for timing, runs in phase_passes(unit, m):
            shape = np.shape(timing.time_s)
            for op in timing.ops:
                compute.append(_stack(op.compute_s, shape, runs))
                stream.append(_stack(op.weights_s + op.act_s, shape, runs))
                kv.append(_stack(op.kv_s, shape, runs))
                rows.append(np.full(compute[-1].size, index))
            fixed_s = timing.comms_s + timing.all_to_all_s + timing.draft_s  # drafts taken at the defaults
            comms += float(np.sum(_stack(fixed_s, shape, runs)))
            passes += runs * max(int(np.prod(shape)), 1)
        fixed.append(comms)
        layer_passes.append(passes * dep.model.layers)
        measured.append(m.measured_s)
    cat = np.concatenate
    return FitProblem(tuple(measurements), default, cat(rows), cat(compute), cat(stream), cat(kv),
                      np.array(fixed), np.array(layer_passes), np.array(measured))




def sensitivities(problem: FitProblem, eff: Efficiency, params: Sequence[str]) -> np.ndarray:
    """rows × params: |∂ log time / ∂ log parameter|, i.e. the share of each row's time the
    parameter governs (the overhead judged at REFERENCE_OVERHEAD_S if it is smaller)."""
    eff = dataclasses.replace(eff, layer_overhead_s=max(eff.layer_overhead_s, REFERENCE_OVERHEAD_S))
    parts = problem.parts_s(eff)
    total = sum(parts.values())
    return np.stack([parts[p] / total for p in params], axis=1)


def _unexplained(column: np.ndarray, others: np.ndarray) -> np.ndarray:
    """What is left of `column` after the best least-squares combination of `others`."""
    if others.shape[1] == 0:
        return column
    coef, *_ = np.linalg.lstsq(others, column, rcond=None)
    return column - others @ coef


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return abs(float(a @ b)) / norm if norm else 0.0


def refusals(problem: FitProblem, eff: Efficiency, params: Sequence[str]) -> dict[str, str]:
    """Parameters the rows cannot identify at `eff`, each with the reason and the data needed.

    Judged in the order of `params`: a parameter is kept when it governs ≥ MIN_SHARE of some
    row's time and its sensitivity differs from the best combination of those already kept by
    ≥ MIN_DISTINCT on some row.
    """
    sens = sensitivities(problem, eff, params)
    ids = [m.id for m in problem.measurements]
    kept, refused = [], {}
    for j, name in enumerate(params):
        column = sens[:, j]
        top = int(np.argmax(column))
        if column[top] < MIN_SHARE:
            refused[name] = (f"no row's time depends on it by {MIN_SHARE:.0%} or more (largest share "
                             f"{column[top]:.1%}, row {ids[top]}); add {HINTS[name]}")
            continue
        rest = _unexplained(column, sens[:, kept])
        if np.max(np.abs(rest)) < MIN_DISTINCT:
            partner = max(kept, key=lambda k: _cosine(column, sens[:, k]))
            refused[name] = (f"its effect on these rows cannot be told apart from the other fitted parameters' "
                             f"(closest: {params[partner]}; every row's time moves in the same proportion); "
                             f"add {HINTS[name]}")
            continue
        kept.append(j)
    return refused




def _to_x(eff: Efficiency, params: Sequence[str]) -> np.ndarray:
    return np.array([getattr(eff, p) / OVERHEAD_UNIT_S if p == "layer_overhead_s" else math.log(getattr(eff, p))
                     for p in params])


def _from_x(x: np.ndarray, base: Efficiency, params: Sequence[str]) -> Efficiency:
    values = {p: (float(v) * OVERHEAD_UNIT_S if p == "layer_overhead_s" else float(np.exp(v)))
              for p, v in zip(params, x)}
    return dataclasses.replace(base, **values)


def _bounds(params: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    lo = [0.0 if p == "layer_overhead_s" else math.log(0.01) for p in params]
    hi = [OVERHEAD_MAX_S / OVERHEAD_UNIT_S if p == "layer_overhead_s" else 0.0 for p in params]
    return np.array(lo), np.array(hi)




@dataclass(frozen=True)
class HardwareFit:
    """The calibrated efficiency of one hardware and how it was obtained."""

    hw: str
    efficiency: Efficiency
    default: Efficiency
    fitted: tuple[str, ...]
    refused: dict[str, str]
    row_ids: tuple[str, ...]
    sources: tuple[str, ...]  # distinct `source` texts of the rows
    before: dict  # abs_error_stats with the default efficiency
    after: dict  # abs_error_stats with the fitted efficiency
    seconds: float

    def at_bound(self) -> tuple[str, ...]:
        """Fitted parameters that ended on a bound (the data pushed them as far as allowed)."""
        lo, hi = _bounds(self.fitted)
        x = _to_x(self.efficiency, self.fitted)
        return tuple(p for p, v, a, b in zip(self.fitted, x, lo, hi) if np.isclose(v, a) or np.isclose(v, b))

    def report(self) -> dict:
        """The JSON provenance of this hardware's entry."""
        return {"fitted": list(self.fitted), "at_bound": list(self.at_bound()), "held": self.refused,
                "default": {p: getattr(self.default, p) for p in PARAMETERS},
                "rows": list(self.row_ids), "sources": list(self.sources),
                "error_before": self.before, "error_after": self.after}


def row_errors_pct(problem: FitProblem, eff: Efficiency) -> list[float]:
    """error % of each row's measured quantity under `eff`."""
    times = problem.times_s(eff)
    return [error_pct(m.value_from_time_s(t), m.measured) for m, t in zip(problem.measurements, times)]


def _solve(problem: FitProblem, params: Sequence[str]) -> Efficiency:
    """Best efficiency over a few starts, moving only `params` from the default."""
    lo, hi = _bounds(params)
    log_measured = np.log(problem.measured_s)

    def residuals(x):
        return np.log(problem.times_s(_from_x(x, problem.default, params))) - log_measured

    starts = [problem.default, dataclasses.replace(problem.default, layer_overhead_s=2e-5),
              Efficiency(0.4, 0.6, 0.4, 5e-5, problem.default.allreduce_latency_s)]
    best, best_cost = problem.default, math.inf
    for start in starts:
        x = least_squares_bounded(residuals, _to_x(start, params), lo, hi)
        cost = float(np.sum(residuals(x) ** 2))
        if cost < best_cost:
            best, best_cost = _from_x(x, problem.default, params), cost
    return best


def fit_hardware(measurements: Sequence[Measurement], catalog: Catalog,
                 params: Sequence[str] = PARAMETERS) -> HardwareFit:
    """Fit `params` to one hardware's usable rows; unidentifiable ones are held at defaults."""
    unknown = [p for p in params if p not in PARAMETERS]
    if unknown:
        raise CalibrationError(f"params: unknown {', '.join(unknown)}; use some of {', '.join(PARAMETERS)}")
    if measurements and measurements[0].scenario.hw == CUSTOM:
        raise CalibrationError("hw: custom hardware cannot be calibrated (a calibration is stored per hardware "
                               "preset id); add the chip to presets/hardware.csv")
    start_time = time.perf_counter()
    problem = build_problem(measurements, catalog)
    refused = refusals(problem, problem.default, params)
    efficiency = problem.default
    for attempt in range(3):  # fit, re-check identifiability at the fitted point, refit without late refusals
        free = [p for p in params if p not in refused]
        efficiency = _solve(problem, free) if free else problem.default
        late = refusals(problem, efficiency, free) if free and attempt < 2 else {}
        if not late:
            break
        refused.update(late)
    return HardwareFit(
        hw=measurements[0].scenario.hw, efficiency=efficiency, default=problem.default,
        fitted=tuple(p for p in params if p not in refused), refused=refused,
        row_ids=tuple(m.id for m in measurements),
        sources=tuple(sorted({m.info.get("source", "") for m in measurements} - {""})),
        before=abs_error_stats(row_errors_pct(problem, problem.default)),
        after=abs_error_stats(row_errors_pct(problem, efficiency)),
        seconds=time.perf_counter() - start_time)


def by_hardware(measurements: Iterable[Measurement]) -> dict[str, list[Measurement]]:
    groups: dict[str, list[Measurement]] = {}
    for m in measurements:
        if not m.excluded:
            groups.setdefault(m.scenario.hw, []).append(m)
    return dict(sorted(groups.items()))


def calibrate(measurements: Iterable[Measurement], catalog: Catalog, params: Sequence[str] = PARAMETERS,
              provenance: Mapping[str, object] | None = None) -> tuple[Calibration, list[HardwareFit]]:
    """Fit every hardware preset that has usable rows (hw=custom rows are skipped); hardware on
    which nothing could be fitted is left out of the calibration but kept in the returned fits."""
    groups = by_hardware(measurements)
    fits = [fit_hardware(rows, catalog, params) for hw, rows in groups.items() if hw != CUSTOM]
    kept = [f for f in fits if f.fitted]
    info = {"created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **(provenance or {})}
    calibration = Calibration({f.hw: f.efficiency for f in kept}, {f.hw: f.report() for f in kept}, info)
    return calibration, fits


def leave_one_model_out(measurements: Iterable[Measurement], catalog: Catalog,
                        params: Sequence[str] = PARAMETERS) -> list[ValidationRow]:
    """Each usable row predicted with a calibration fitted on the OTHER models' rows of the
    same hardware (a disjoint subset); rows with no other model on their hardware get a note."""
    results = {}  # id(measurement) -> row: ids in a user's file need not be unique
    for hw, rows in by_hardware(measurements).items():
        models = sorted({m.scenario.model for m in rows})
        for model in models:
            held_out = [m for m in rows if m.scenario.model == model]
            train = [m for m in rows if m.scenario.model != model]
            if not train:
                results.update({id(m): ValidationRow(m, note=f"no other model on {hw} to fit on") for m in held_out})
                continue
            fit = fit_hardware(train, catalog, params)
            calibration = Calibration({hw: fit.efficiency})
            note = f"fitted on {len(train)} rows of {', '.join(x for x in models if x != model)}"
            results.update({id(m): ValidationRow(m, predict(m, catalog, calibration), note) for m in held_out})
    return [results.get(id(m), ValidationRow(m)) for m in measurements]


