"""The grids every sweep evaluates on: log-spaced values, batches, contexts, and a monotone search.

One rule each (units: sequences for batches, tokens for contexts):

    log_grid(lo, hi, points)    `points` values evenly spaced in ln x from lo to max(hi, lo); as
                                integers (rounded, duplicates removed) unless integer=False
    batch_grid(hi)              1, 2, 4, ... up to max(hi, include, 2) (per_octave=2: also 3, 6, 12, ...)
    batch_grid(hi, points)      log_grid(1, max(hi, 2), points) joined with every power of two
                                (integer=False: the plain log grid, for root finding)
    context_grid(lo, hi, points) log_grid of contexts from lo to hi tokens
    `include`                   a value added to the grid (a context only when within [lo, hi])
"""

from __future__ import annotations

import math

import numpy as np


def log_grid(lo: float, hi: float, points: int, integer: bool = True, include: float | None = None) -> np.ndarray:
    """`points` values evenly spaced in ln x from `lo` to max(`hi`, `lo`), plus `include` when within."""
    grid = np.geomspace(lo, max(hi, lo), points)
    if integer:
        grid = np.unique(np.round(grid))
    if include is not None and lo <= include <= hi:
        grid = np.unique(np.append(grid, float(include)))
    return grid


def batch_grid(hi: float, points: int | None = None, include: int | None = None, per_octave: int = 1,
               integer: bool = True) -> np.ndarray:
    """Batches from 1 to max(hi, include, 2): powers of two (with `per_octave`=2 also 1.5x each), or
    with `points`, that many evenly spaced in ln batch (integers joined with every power of two
    unless integer=False); plus `include`."""
    top = max(float(hi), float(include or 1), 2.0)
    if points is not None:
        grid = log_grid(1.0, top, points, integer)
        if not integer:
            return grid
    powers = 2.0 ** np.arange(int(math.floor(math.log2(top))) + 1)
    if points is not None:
        return np.unique(np.concatenate([grid, powers]))
    values = set(powers) | ({p * 1.5 for p in powers if p > 1 and p * 1.5 <= top} if per_octave == 2 else set())
    if include is not None:
        values.add(float(include))
    return np.array(sorted(values))


def context_grid(lo: float, hi: float, points: int = 48, include: float | None = None,
                 integer: bool = True) -> np.ndarray:
    """Contexts from `lo` to `hi` tokens, evenly spaced in ln L (integers unless integer=False),
    plus `include` when in range."""
    return log_grid(lo, hi, points, integer, include)


def last_true_integer(predicate, lo: int, hi: int, coarse_points: int = 64) -> int:
    """Largest integer n in [lo, hi] with predicate(n) true, for a predicate true up to some n and
    false after (vectorised: a log-spaced pass, then every integer of the bracketing interval).
    Returns lo - 1 if predicate(lo) is false."""
    coarse = log_grid(lo, hi, coarse_points)
    ok = predicate(coarse)
    if not ok[0]:
        return lo - 1
    i = int(np.flatnonzero(ok)[-1])
    if i == coarse.size - 1:
        return int(coarse[-1])
    fine = np.arange(coarse[i], coarse[i + 1])
    return int(fine[predicate(fine)][-1])
