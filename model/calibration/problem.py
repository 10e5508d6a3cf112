"""One hardware's measured rows as unit-efficiency roofline terms, recomposed fast per trial.

Each segment is one op of one pass sample, scaled by the number of passes it stands for:
compute_s at fraction 1 (attention segments flagged: they run at attention_mfu), stream_s
(weights + activations) at weights_mbu 1, kv_s at kv_mbu 1, and the kernels it launches. Per row:
fixed_s (exposed communication and speculative drafts, not fitted) and measured_s. `times_s(eff)` equals
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


def _segments(op, shape, runs: float) -> tuple[np.ndarray, ...]:
    """compute, stream, kv and kernels of one op over a pass's samples, times the passes each stands for;
    an op whose terms are the same at every sample (a GEMM across decode contexts) is one segment."""
    terms = [np.broadcast_to(np.asarray(a, dtype=float), shape).ravel()
             for a in (op.compute_s, op.weights_s + op.act_s, op.kv_s, op.cost.kernels)]
    if all(t.size <= 1 or np.all(t == t[0]) for t in terms):
        size = max(terms[0].size, 1)
        return tuple(runs * size * t[:1] for t in terms)
    return tuple(runs * t for t in terms)


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
                for name, terms in zip(("compute", "stream", "kv", "kernels"), _segments(op, shape, runs)):
                    seg[name].append(terms)
                size = seg["compute"][-1].size
                seg["row"].append(np.full(size, index))
                seg["attention"].append(np.full(size, op.name in ATTENTION_KERNEL_OPS))
                launched += float(np.sum(seg["kernels"][-1]))
            fixed_s = timing.comms_s + timing.all_to_all_s + timing.draft_s  # drafts taken at the defaults
            comms += runs * float(np.sum(np.broadcast_to(np.asarray(fixed_s, dtype=float), shape)))
        fixed.append(comms)
        kernels.append(launched)
        measured.append(m.measured_s)
    cat = {k: np.concatenate(v) for k, v in seg.items()}
    return FitProblem(tuple(measurements), default, cat["row"], cat["compute"], cat["attention"], cat["stream"],
                      cat["kv"], cat["kernels"], np.array(fixed), np.array(kernels), np.array(measured))
