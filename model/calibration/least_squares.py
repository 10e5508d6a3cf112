"""A small bounded nonlinear least-squares solver (Levenberg–Marquardt), numpy only.

Generic: it knows nothing of rooflines. `least_squares_bounded(fun, x0, lo, hi, jac=None)` minimises
‖fun(x)‖² subject to lo ≤ x ≤ hi, with the Jacobian `jac(x)` when given, else forward differences.
"""

from __future__ import annotations

import numpy as np


def forward_difference_jacobian(fun, x, r, lo, hi, step=1e-6) -> np.ndarray:
    columns = []
    for j in range(x.size):
        h = step if x[j] + step <= hi[j] else -step
        moved = x.copy()
        moved[j] += h
        columns.append((fun(moved) - r) / h)
    return np.stack(columns, axis=1)


def least_squares_bounded(fun, x0, lo, hi, max_iter: int = 200, tol: float = 1e-12, jac=None) -> np.ndarray:
    """Minimise ‖fun(x)‖² for lo ≤ x ≤ hi: Levenberg–Marquardt with the Jacobian `jac(x)` (or a
    forward-difference one); variables at a bound whose gradient points outward are frozen for the step."""
    x = np.clip(np.asarray(x0, dtype=float), lo, hi)
    r = fun(x)
    cost, damping = float(r @ r), 1e-3
    for _ in range(max_iter):
        j = jac(x) if jac is not None else forward_difference_jacobian(fun, x, r, lo, hi)
        grad = j.T @ r
        free = ~(((x <= lo) & (grad > 0)) | ((x >= hi) & (grad < 0)))
        if not free.any():
            break
        jf, hess = j[:, free], j[:, free].T @ j[:, free]
        improved = False
        while damping < 1e10:
            step = np.zeros_like(x)
            step[free] = np.linalg.solve(hess + damping * (np.diag(np.diag(hess)) + 1e-12 * np.eye(jf.shape[1])),
                                         -grad[free])
            trial = np.clip(x + step, lo, hi)
            r_trial = fun(trial)
            trial_cost = float(r_trial @ r_trial)
            if trial_cost < cost:
                improved = True
                damping = max(damping / 4, 1e-12)
                break
            damping *= 4
        if not improved:
            break
        gain = cost - trial_cost
        x, r, cost = trial, r_trial, trial_cost
        if gain <= tol * (1 + cost):
            break
    return x
