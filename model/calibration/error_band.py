"""How far the model is from published measurements on one hardware: the error band the Overview shows.

For the usable rows of a hardware (or named custom chip), the signed error of the model's time for
the measured phase, 100 · (predicted time − measured time) / measured time, whatever quantity the
row states (a throughput row's time is tokens / throughput). Negative = the model is optimistic
(faster than measured): its prices are then too low by about that fraction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from model.calibration.measurements import Measurement
from model.calibration.validate import validate
from model.catalog.presets import Catalog
from model.schema.resolve import calibration_key

OPTIMISM_NOTE_PCT = 10.0  # a median time error below −10% is "known optimism" worth a warning


@dataclass(frozen=True)
class ErrorBand:
    """Signed time errors (%) of the model on one hardware's published rows."""

    hw: str
    time_errors_pct: np.ndarray
    frameworks: tuple[str, ...]

    @property
    def n(self) -> int:
        return int(self.time_errors_pct.size)

    @property
    def median_abs_pct(self) -> float:
        return float(np.median(np.abs(self.time_errors_pct))) if self.n else float("nan")

    @property
    def median_pct(self) -> float:
        return float(np.median(self.time_errors_pct)) if self.n else float("nan")

    @property
    def range_pct(self) -> tuple[float, float]:
        if not self.n:
            return float("nan"), float("nan")
        return float(np.min(self.time_errors_pct)), float(np.max(self.time_errors_pct))

    @property
    def optimistic(self) -> bool:
        """The model's times are shorter than measured by more than OPTIMISM_NOTE_PCT in median."""
        return self.n > 0 and self.median_pct < -OPTIMISM_NOTE_PCT


def time_error_pct(m: Measurement, predicted: float) -> float:
    """Signed error of the model's time for the row's phase, % (a throughput's time is its inverse)."""
    ratio = predicted / m.measured
    return 100.0 * ((ratio if m.quantity == "measured_ms" else 1.0 / ratio) - 1.0)


def error_band(measurements: Iterable[Measurement], catalog: Catalog, hw: str, calibration=None) -> ErrorBand:
    """The band of the usable rows of `hw` (a hardware id, or a custom chip's hw_name)."""
    rows = [m for m in measurements if not m.excluded and calibration_key(m.scenario) == hw]
    predicted = validate(rows, catalog, calibration)
    errors = np.array([time_error_pct(r.measurement, r.predicted) for r in predicted], dtype=float)
    frameworks = tuple(sorted({m.info.get("framework", "") for m in rows} - {""}))
    return ErrorBand(hw, errors, frameworks)
