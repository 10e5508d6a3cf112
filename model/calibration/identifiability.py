"""Which efficiency parameters a set of rows identifies (docs/formulas.md F103).

Two tests, on the rows' unit-efficiency terms (`problem.FitProblem`):
- share: a parameter must govern at least MIN_SHARE of some row's time (the time per kernel judged
  at REFERENCE_KERNEL_S when smaller), else no row depends on it;
- conditioning at the fit: from the Jacobian J of the log-time residuals, the covariance
  C = σ²·(JᵀJ)⁺ with σ the residuals' RMS (at least SIGMA_FLOOR). Two parameters whose estimates
  correlate by more than MAX_CORRELATION are both refused (the rows cannot tell them apart); a
  parameter whose standard error exceeds MAX_RELATIVE_SE of its value is refused.
A refused parameter is held at its default, and the message names the rows that would identify it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from model.calibration.parameters import (
    HINTS,
    KERNEL_UNIT_S,
    MAX_CORRELATION,
    MAX_RELATIVE_SE,
    MIN_SHARE,
    REFERENCE_KERNEL_S,
    SIGMA_FLOOR,
)
from model.calibration.problem import FitProblem
from model.core.deployment import Efficiency


def sensitivities(problem: FitProblem, eff: Efficiency, params: Sequence[str]) -> np.ndarray:
    """rows × params: |∂ log time / ∂ log parameter|, the share of each row's time the parameter
    governs (the time per kernel judged at REFERENCE_KERNEL_S if it is smaller)."""
    eff = dataclasses.replace(eff, kernel_s=max(eff.kernel_s, REFERENCE_KERNEL_S))
    parts = problem.parts_s(eff)
    total = sum(parts.values())
    return np.stack([parts[p] / total for p in params], axis=1)


def share_refusals(problem: FitProblem, eff: Efficiency, params: Sequence[str]) -> dict[str, str]:
    """Parameters no row's time depends on by MIN_SHARE or more, with the rows that would show them."""
    sens = sensitivities(problem, eff, params)
    ids = [m.id for m in problem.measurements]
    refused = {}
    for j, name in enumerate(params):
        top = int(np.argmax(sens[:, j]))
        if sens[top, j] < MIN_SHARE:
            refused[name] = (f"no row's time depends on it by {MIN_SHARE:.0%} or more (largest share "
                             f"{sens[top, j]:.1%}, row {ids[top]}); add {HINTS[name]}")
    return refused


def jacobian(problem: FitProblem, eff: Efficiency, params: Sequence[str]) -> np.ndarray:
    """rows × params: ∂ log time / ∂ x, x = log fraction, or the time per kernel in KERNEL_UNIT_S."""
    return jacobian_from_parts(problem.parts_s(eff), problem.kernels, params)


def jacobian_from_parts(parts: dict, kernels: np.ndarray, params: Sequence[str]) -> np.ndarray:
    """`jacobian` from a `FitProblem.parts_s` result and the rows' kernel counts."""
    total = sum(parts.values())
    columns = [kernels * KERNEL_UNIT_S / total if p == "kernel_s" else -parts[p] / total for p in params]
    return np.stack(columns, axis=1)


@dataclasses.dataclass(frozen=True)
class Conditioning:
    """Standard errors (relative to the value) and correlations of the fitted parameters."""

    params: tuple[str, ...]
    relative_se: np.ndarray
    correlation: np.ndarray
    sigma: float

    def as_dict(self) -> dict:
        return {"sigma_log": self.sigma,
                "relative_se": {p: float(v) for p, v in zip(self.params, self.relative_se)},
                "max_abs_correlation": {p: float(np.max(np.abs(np.delete(row, j)))) if len(row) > 1 else 0.0
                                        for j, (p, row) in enumerate(zip(self.params, self.correlation))}}


def conditioning(problem: FitProblem, eff: Efficiency, params: Sequence[str]) -> Conditioning:
    """Parameter standard errors and correlations from the Jacobian at `eff` (see module docstring)."""
    jac = jacobian(problem, eff, params)
    residuals = np.log(problem.times_s(eff)) - np.log(problem.measured_s)
    n, k = jac.shape
    sigma = float(np.sqrt(residuals @ residuals / max(n - k, 1)))
    sigma = max(sigma, SIGMA_FLOOR)
    norms = np.linalg.norm(jac, axis=0)
    scaled = jac / np.where(norms > 0, norms, 1.0)
    inverse = np.linalg.pinv(scaled.T @ scaled, rcond=1e-12, hermitian=True)
    diagonal = np.sqrt(np.clip(np.diag(inverse), 0.0, None))
    correlation = inverse / np.where(np.outer(diagonal, diagonal) > 0, np.outer(diagonal, diagonal), 1.0)
    se_x = sigma * diagonal / np.where(norms > 0, norms, np.inf)
    relative = [se * KERNEL_UNIT_S / max(eff.kernel_s, REFERENCE_KERNEL_S) if p == "kernel_s" else se
                for p, se in zip(params, se_x)]
    relative = np.where(norms > 0, relative, np.inf)
    return Conditioning(tuple(params), np.asarray(relative), correlation, sigma)


def conditioning_refusals(cond: Conditioning) -> dict[str, str]:
    """The parameters to refuse at this fit: the most correlated pair above MAX_CORRELATION (both),
    else the parameter with the largest relative standard error above MAX_RELATIVE_SE; {} if none."""
    params = cond.params
    corr = np.abs(cond.correlation) - np.eye(len(params))
    if len(params) > 1 and np.max(corr) > MAX_CORRELATION:
        i, j = np.unravel_index(int(np.argmax(corr)), corr.shape)
        a, b = params[i], params[j]
        text = (f"{a} and {b} cannot be told apart on these rows (their estimates correlate by "
                f"{corr[i, j]:.3f} > {MAX_CORRELATION}); both held at their defaults")
        return {a: f"{text}; add {HINTS[a]}", b: f"{text}; add {HINTS[b]}"}
    worst = int(np.argmax(cond.relative_se))
    if cond.relative_se[worst] > MAX_RELATIVE_SE:
        name = params[worst]
        return {name: (f"standard error {cond.relative_se[worst]:.0%} of its value (> {MAX_RELATIVE_SE:.0%}) "
                       f"at the fit; add {HINTS[name]}")}
    return {}
