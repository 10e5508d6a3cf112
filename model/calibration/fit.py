"""Calibrate the roofline's efficiencies to measurements, per hardware, and store them as JSON.

Fitted parameters (core.deployment.Efficiency; defaults: the hardware preset's):

| name            | meaning                                                   | bounds      |
|-----------------|-----------------------------------------------------------|-------------|
| `mfu`           | achieved fraction of peak FLOP/s in GEMMs                 | 0.01–1      |
| `attention_mfu` | achieved fraction of peak FLOP/s in attention kernels     | 0.01–1      |
| `weights_mbu`   | achieved fraction of HBM bandwidth streaming weights      | 0.01–1      |
| `kv_mbu`        | achieved fraction of HBM bandwidth reading the KV cache   | 0.01–1      |
| `kernel_s`      | fixed time per kernel launched (docs/formulas.md F100)    | 0–100 µs    |

The fit minimises Σ (log predicted time − log measured time)² over one hardware's rows
(validate.py defines each row's time; docs/formulas.md F72) with a bounded Levenberg–Marquardt on
log-fractions and on the time per kernel in µs, recomposing unit-efficiency terms per trial
(problem.py). Only parameters the rows identify are fitted (identifiability.py, F103): each must
govern 5% of some row's time, and at the fit no two estimates may correlate beyond 0.95 and no
standard error exceed 25% of its value. Refused ones are held at their defaults, with a message.
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
from model.calibration.identifiability import (
    Conditioning,
    conditioning,
    conditioning_refusals,
    jacobian_from_parts,
    share_refusals,
)
from model.calibration.least_squares import least_squares_bounded
from model.calibration.measurements import Measurement
from model.calibration.parameters import KERNEL_MAX_S, KERNEL_UNIT_S, PARAMETERS
from model.calibration.problem import FitProblem, build_problem
from model.calibration.validate import abs_error_stats, error_pct
from model.catalog.presets import Catalog
from model.core.deployment import Efficiency
from model.schema.resolve import calibration_key
from model.schema.scenario import CUSTOM


def _to_x(eff: Efficiency, params: Sequence[str]) -> np.ndarray:
    return np.array([eff.kernel_s / KERNEL_UNIT_S if p == "kernel_s" else math.log(_value(eff, p)) for p in params])


def _value(eff: Efficiency, p: str) -> float:
    return eff.attention_fraction if p == "attention_mfu" else getattr(eff, p)


def _from_x(x: np.ndarray, base: Efficiency, params: Sequence[str]) -> Efficiency:
    values = {p: (float(v) * KERNEL_UNIT_S if p == "kernel_s" else float(np.exp(v))) for p, v in zip(params, x)}
    return dataclasses.replace(base, **values)


def _bounds(params: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    lo = [0.0 if p == "kernel_s" else math.log(0.01) for p in params]
    hi = [KERNEL_MAX_S / KERNEL_UNIT_S if p == "kernel_s" else 0.0 for p in params]
    return np.array(lo), np.array(hi)


@dataclass(frozen=True)
class HardwareFit:
    """The calibrated efficiency of one hardware (or named custom chip) and how it was obtained."""

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
    conditioning: Conditioning | None = None  # standard errors and correlations at the fit

    def at_bound(self) -> tuple[str, ...]:
        """Fitted parameters that ended on a bound (the data pushed them as far as allowed)."""
        lo, hi = _bounds(self.fitted)
        x = _to_x(self.efficiency, self.fitted)
        return tuple(p for p, v, a, b in zip(self.fitted, x, lo, hi) if np.isclose(v, a) or np.isclose(v, b))

    def report(self) -> dict:
        """The JSON provenance of this hardware's entry."""
        return {"fitted": list(self.fitted), "at_bound": list(self.at_bound()), "held": self.refused,
                "default": {p: _value(self.default, p) for p in PARAMETERS},
                "conditioning": self.conditioning.as_dict() if self.conditioning else {},
                "rows": list(self.row_ids), "sources": list(self.sources),
                "error_before": self.before, "error_after": self.after}


def row_errors_pct(problem: FitProblem, eff: Efficiency) -> list[float]:
    """error % of each row's measured quantity under `eff`."""
    times = problem.times_s(eff)
    return [error_pct(m.value_from_time_s(t), m.measured) for m, t in zip(problem.measurements, times)]


def _solve(problem: FitProblem, params: Sequence[str], previous: Efficiency | None = None) -> Efficiency:
    """Best efficiency over a few starts (or the default and the previous fit), moving only `params`."""
    lo, hi = _bounds(params)
    log_measured = np.log(problem.measured_s)
    memo = {}  # x -> parts: the Jacobian is taken where the residuals were last evaluated

    def parts(x):
        key = x.tobytes()
        if key not in memo:
            memo.clear()
            memo[key] = problem.parts_s(_from_x(x, problem.default, params))
        return memo[key]

    def residuals(x):
        return np.log(sum(parts(x).values())) - log_measured

    def jac(x):
        return jacobian_from_parts(parts(x), problem.kernels, params)

    d = problem.default
    starts = [d, Efficiency(0.4, 0.6, 0.4, 1e-5, d.allreduce_latency_s, attention_mfu=0.3)]
    if previous is not None:
        starts = [d, dataclasses.replace(d, **{p: getattr(previous, p) for p in params})]
    best, best_cost = d, math.inf
    for start in starts:
        x = least_squares_bounded(residuals, _to_x(start, params), lo, hi, tol=1e-9, jac=jac)
        cost = float(np.sum(residuals(x) ** 2))
        if cost < best_cost:
            best, best_cost = _from_x(x, d, params), cost
    return best


def fit_problem(problem: FitProblem, params: Sequence[str]) -> tuple[Efficiency, dict[str, str], Conditioning | None]:
    """Fit what the rows identify: share test at the defaults, then fit and conditioning test,
    refusing and refitting until every fitted parameter passes (identifiability.py)."""
    refused = share_refusals(problem, problem.default, params)
    efficiency, cond, previous = problem.default, None, None
    for _ in range(len(params) + 1):
        free = [p for p in params if p not in refused]
        if not free:
            return problem.default, refused, None
        efficiency = previous = _solve(problem, free, previous)
        late = share_refusals(problem, efficiency, free)
        cond = conditioning(problem, efficiency, free)
        late = late or conditioning_refusals(cond)
        if not late:
            break
        refused.update(late)
    return efficiency, refused, cond


def fit_hardware(measurements: Sequence[Measurement], catalog: Catalog,
                 params: Sequence[str] = PARAMETERS) -> HardwareFit:
    """Fit `params` to one hardware's usable rows; unidentifiable ones are held at defaults."""
    unknown = [p for p in params if p not in PARAMETERS]
    if unknown:
        raise CalibrationError(f"params: unknown {', '.join(unknown)}; use some of {', '.join(PARAMETERS)}")
    if measurements and calibration_key(measurements[0].scenario) == CUSTOM:
        raise CalibrationError("hw_name: custom hardware is calibrated under a name: give each hw=custom row an "
                               "hw_name (a lowercase id such as my-gpu), and use the same hw_name in scenarios")
    start_time = time.perf_counter()
    problem = build_problem(measurements, catalog)
    efficiency, refused, cond = fit_problem(problem, params)
    return HardwareFit(
        hw=calibration_key(measurements[0].scenario), efficiency=efficiency, default=problem.default,
        fitted=tuple(p for p in params if p not in refused), refused=refused,
        row_ids=tuple(m.id for m in measurements),
        sources=tuple(sorted({m.info.get("source", "") for m in measurements} - {""})),
        before=abs_error_stats(row_errors_pct(problem, problem.default)),
        after=abs_error_stats(row_errors_pct(problem, efficiency)),
        seconds=time.perf_counter() - start_time, conditioning=cond)


def by_hardware(measurements: Iterable[Measurement]) -> dict[str, list[Measurement]]:
    """Usable rows grouped by calibration entry: hardware id, or a custom chip's hw_name."""
    groups: dict[str, list[Measurement]] = {}
    for m in measurements:
        if not m.excluded:
            groups.setdefault(calibration_key(m.scenario), []).append(m)
    return dict(sorted(groups.items()))


def calibrate(measurements: Iterable[Measurement], catalog: Catalog, params: Sequence[str] = PARAMETERS,
              provenance: Mapping[str, object] | None = None) -> tuple[Calibration, list[HardwareFit]]:
    """Fit every hardware (and named custom chip) that has usable rows (unnamed hw=custom rows are
    skipped); hardware on which nothing could be fitted is left out of the calibration but kept
    in the returned fits."""
    groups = by_hardware(measurements)
    fits = [fit_hardware(rows, catalog, params) for hw, rows in groups.items() if hw != CUSTOM]
    kept = [f for f in fits if f.fitted]
    info = {"created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **(provenance or {})}
    calibration = Calibration({f.hw: f.efficiency for f in kept}, {f.hw: f.report() for f in kept}, info)
    return calibration, fits
