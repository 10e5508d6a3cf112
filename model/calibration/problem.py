"""One hardware's measured rows as unit-efficiency roofline terms, recomposed fast per trial.

Each segment is one op of one pass sample, scaled by the number of passes it stands for:
compute_s at fraction 1 (attention segments flagged: they run at attention_mfu), stream_s
(weights + activations) at weights_mbu 1, kv_s at kv_mbu 1, and the kernels it launches. Per row:
fixed_s (tensor-parallel comms, not fitted) and measured_s. `times_s(eff)` equals
`validate.phase_time_s` under `eff` (roofline.time_ops recomposed, docs/formulas.md F100).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.calibration.file_format import CalibrationError
from model.calibration.measurements import Measurement
from model.calibration.validate import phase_passes
from model.catalog.presets import Catalog
from model.core.deployment import Efficiency
from model.core.roofline import ATTENTION_KERNEL_OPS
from model.schema.resolve import calibration_key, resolve

MAX_FIT_ROWS = 2000


@dataclass(frozen=True)
class FitProblem:
    """Unit-efficiency terms of one hardware's rows (see module docstring)."""

    measurements: tuple[Measurement, ...]
    default: Efficiency
    row: np.ndarray
    compute_s: np.ndarray
    attention: np.ndarray  # bool per segment
    stream_s: np.ndarray
    kv_s: np.ndarray
    segment_kernels: np.ndarray
    fixed_s: np.ndarray
    kernels: np.ndarray  # kernels launched per row (all its passes)
    measured_s: np.ndarray

    def __post_init__(self):  # cached per-segment splits (segments are stored row by row)
        object.__setattr__(self, "gemm_s", np.where(self.attention, 0.0, self.compute_s))
        object.__setattr__(self, "attention_s", np.where(self.attention, self.compute_s, 0.0))
        object.__setattr__(self, "row_starts", np.searchsorted(self.row, np.arange(len(self.measurements))))

    def parts_s(self, eff: Efficiency) -> dict[str, np.ndarray]:
        """Per-row time governed by each parameter, plus 'fixed'."""
        gemm = self.gemm_s / eff.mfu
        attention = self.attention_s / eff.attention_fraction
        memory_w = self.stream_s / eff.weights_mbu
        memory_kv = self.kv_s / eff.kv_mbu
        bound = gemm + attention >= memory_w + memory_kv
        memory = ~bound
        per_segment = np.stack([gemm * bound, attention * bound, memory_w * memory, memory_kv * memory])
        sums = np.add.reduceat(per_segment, self.row_starts, axis=1)
        parts = dict(zip(("mfu", "attention_mfu", "weights_mbu", "kv_mbu"), sums))
        parts["kernel_s"] = eff.kernel_s * self.kernels
        parts["fixed"] = self.fixed_s
        return parts

    def times_s(self, eff: Efficiency) -> np.ndarray:
        """Per-row phase time (s) under `eff`."""
        return sum(self.parts_s(eff).values())


def _stack(array, shape, runs: float) -> np.ndarray:
    return runs * np.broadcast_to(np.asarray(array, dtype=float), shape).ravel()


def build_problem(measurements: Sequence[Measurement], catalog: Catalog) -> FitProblem:
    """Unit-efficiency terms of usable rows of ONE hardware (CalibrationError otherwise)."""
    keys = {calibration_key(m.scenario) for m in measurements}
    if len(keys) != 1:
        raise CalibrationError(f"hw: a fit needs rows of one hardware; got {len(keys)}")
    if len(measurements) > MAX_FIT_ROWS:
        raise CalibrationError(f"rows: at most {MAX_FIT_ROWS} rows per hardware; got {len(measurements)}")
    seg = {k: [] for k in ("row", "compute", "attention", "stream", "kv", "kernels")}
    fixed, kernels, measured, default = [], [], [], None
    for index, m in enumerate(measurements):
        dep = resolve(m.scenario.replace(mfu=None, mbu=None), catalog)
        default = default or dep.efficiency
        unit = dataclasses.replace(dep, efficiency=Efficiency(1.0, 1.0, 1.0, 0.0, dep.efficiency.allreduce_latency_s))
        comms, launched = 0.0, 0.0
        for timing, runs in phase_passes(unit, m):
            shape = np.shape(timing.time_s)
            for op in timing.ops:
                seg["compute"].append(_stack(op.compute_s, shape, runs))
                seg["stream"].append(_stack(op.weights_s + op.act_s, shape, runs))
                seg["kv"].append(_stack(op.kv_s, shape, runs))
                seg["kernels"].append(_stack(op.cost.kernels, shape, runs))
                size = seg["compute"][-1].size
                seg["row"].append(np.full(size, index))
                seg["attention"].append(np.full(size, op.name in ATTENTION_KERNEL_OPS))
                launched += float(np.sum(seg["kernels"][-1]))
            comms += float(np.sum(_stack(timing.comms_s, shape, runs)))
        fixed.append(comms)
        kernels.append(launched)
        measured.append(m.measured_s)
    cat = {k: np.concatenate(v) for k, v in seg.items()}
    return FitProblem(tuple(measurements), default, cat["row"], cat["compute"], cat["attention"], cat["stream"],
                      cat["kv"], cat["kernels"], np.array(fixed), np.array(kernels), np.array(measured))
