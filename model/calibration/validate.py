"""Set the model beside measurements: predict the quantity a measurement row states, and compare.

A row's phase and measured column are defined in `model.calibration.measurements`; the prediction is the
same column computed from the model's time for the phase, and
error_pct = 100 · (predicted − measured) / measured. Excluded rows are carried, not predicted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from model.calibration.measurements import INFO_COLUMNS, Measurement
from model.catalog.presets import Catalog
from model.core import metrics
from model.core.deployment import Deployment
from model.core.ops import OpCost
from model.core.roofline import PassTiming, decode_step, prefill, time_ops
from model.schema.resolve import resolve

DECODE_SAMPLES = 64  # contexts sampled along a run's decode steps (each stands for several steps)


def micro_op(dep: Deployment, m: Measurement) -> OpCost:
    """The one kernel of a micro-benchmark row (docs/formulas.md F104): an HBM read of `bytes`, or a
    GEMM of 2·m·k·n FLOPs reading k·n weights at `wbits` and m·k activations, writing m·n."""
    one = np.ones(1)
    if m.phase == "hbm_read":
        return OpCost("hbm_read", 0 * one, m.work["bytes"] * one, 0 * one, 0 * one, kernels=1.0)
    mm, k, n = (float(m.work[x]) for x in ("m", "k", "n"))
    b_a = 1.0 if dep.eight_bit_compute else 2.0
    return OpCost("gemm", 2 * mm * k * n * one, k * n * dep.precision.bytes_per_weight * one, 0 * one,
                  (mm * k + mm * n) * b_a * one, kernels=1.0)


def phase_passes(dep: Deployment, m: Measurement) -> list[tuple[PassTiming, float]]:
    """The forward passes a measured phase consists of, each with how many times it runs
    (a micro-benchmark: its one kernel on one chip)."""
    s = m.scenario
    if m.is_micro:
        one_chip = dataclasses.replace(dep, chips=1, attention_dp=False)
        return [(PassTiming(time_ops(one_chip, [micro_op(one_chip, m)]), np.zeros(1)), 1.0)]
    if m.phase == "decode":
        return [(decode_step(dep, s.batch, s.ctx), 1.0)]
    passes = [(prefill(dep, s.prompt, batch=s.batch), 1.0)]
    if m.phase == "request":
        # out − 1 steps (the first output token comes from the prefill), sampled as metrics.decode_run does
        contexts, steps_each = metrics.decode_samples(s.prompt, s.out - 1, DECODE_SAMPLES)
        if contexts.size:
            passes.append((decode_step(dep, s.batch, contexts), steps_each))
    return passes


def phase_time_s(dep: Deployment, m: Measurement) -> float:
    """Model time of the measured phase (seconds): Σ runs × pass time over its passes."""
    return float(sum(weight * np.sum(timing.time_s) for timing, weight in phase_passes(dep, m)))


def error_pct(predicted: float, measured: float) -> float:
    return 100.0 * (predicted - measured) / measured


@dataclass(frozen=True)
class ValidationRow:
    """A measurement beside the model's prediction of the same quantity."""

    measurement: Measurement
    predicted: float | None = None
    note: str = ""

    @property
    def error_pct(self) -> float | None:
        if self.predicted is None:
            return None
        return error_pct(self.predicted, self.measurement.measured)

    def as_dict(self) -> dict:
        m, s = self.measurement, self.measurement.scenario
        keys = ("hw", "model", "chips", "wbits", "kvbits", "abits", "batch", "ctx", "prompt", "out")
        if s is not None:
            scenario = {k: getattr(s, k) for k in keys}
        else:
            scenario = {k: str(m.raw.get(k, "") or "") for k in keys}
        return {"id": m.id, **scenario, **{k: m.work.get(k, "") for k in ("bytes", "m", "k", "n")},
                "phase": m.phase, "quantity": m.quantity,
                "measured": "" if m.excluded else m.measured,
                "predicted": "" if self.predicted is None else self.predicted,
                "error_pct": "" if self.error_pct is None else self.error_pct,
                "excluded": m.excluded, "exclude_reason": m.exclude_reason, "note": self.note,
                **m.info}


VALIDATION_COLUMNS = ("id", "hw", "model", "chips", "wbits", "kvbits", "abits", "batch", "ctx", "prompt", "out",
                      "bytes", "m", "k", "n", "phase", "quantity", "measured", "predicted", "error_pct", "excluded", "exclude_reason",
                      "note") + INFO_COLUMNS


def predict(m: Measurement, catalog: Catalog, calibration=None) -> float:
    """The model's value of the measured quantity for a usable row."""
    return m.value_from_time_s(phase_time_s(resolve(m.scenario, catalog, calibration), m))


def validate(measurements: Iterable[Measurement], catalog: Catalog, calibration=None) -> list[ValidationRow]:
    """Every row beside its prediction (excluded rows carried without one)."""
    rows = []
    for m in measurements:
        rows.append(ValidationRow(m) if m.excluded else ValidationRow(m, predict(m, catalog, calibration)))
    return rows


def abs_error_stats(errors_pct: Iterable[float]) -> dict:
    """n, median and max of |error %| (NaN when empty)."""
    values = np.abs(np.asarray([e for e in errors_pct if e is not None], dtype=float))
    if values.size == 0:
        return {"n": 0, "median_abs_error_pct": float("nan"), "max_abs_error_pct": float("nan")}
    return {"n": int(values.size), "median_abs_error_pct": float(np.median(values)),
            "max_abs_error_pct": float(np.max(values))}


def error_summary(rows: Iterable[ValidationRow], by: str | None = None) -> list[dict]:
    """Median and max |error %| of predicted rows, overall (by=None) or per value of `by`
    ('hw', 'model', 'phase', or an info column such as 'framework')."""
    groups: dict[str, list[float]] = {}
    for row in rows:
        if row.error_pct is None:
            continue
        key = "all" if by is None else str(row.as_dict()[by])
        groups.setdefault(key, []).append(row.error_pct)
    return [{"group": key, **abs_error_stats(values)} for key, values in sorted(groups.items())]


def exclusion_summary(measurements: Iterable[Measurement]) -> list[dict]:
    """Excluded rows grouped by reason: the reason, how many rows, and their ids."""
    groups: dict[str, list[str]] = {}
    for m in measurements:
        if m.excluded:
            groups.setdefault(m.exclude_reason, []).append(m.id)
    return [{"reason": reason, "n": len(ids), "ids": ids} for reason, ids in groups.items()]
