"""Model size and lifetime cost: the comparisons behind the "Model size & lifetime cost" view.

Compositions of the scaling laws (`model.scaling.laws`, docs/formulas.md F62–F69). Units: tokens,
FLOPs, parameters, USD.

    demand levels        the lifetime inference demands drawn beside the chosen one
    lifetime comparison  the Chinchilla-optimal model of a reference size against the
                         lifetime-optimal one (Sardana et al.) reaching the same loss
    lifetime curves      lifetime cost of a model of N params trained to a target loss, for
                         several inference demands, relative to the reference model
    Sardana reproduction Sardana et al.'s Fig. 1 example recomputed with a loss fit
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.fields import check_float, check_int
from model.core.grids import log_grid
from model.scaling.laws import (
    MAX_TOKENS,
    LifetimePlan,
    LossFit,
    chinchilla_plan,
    lifetime_cost,
    lifetime_optimal,
    lifetime_plan,
    min_params_for_loss,
)

MAX_POINTS = 200  # model sizes per curve: bounds the work a page asks for
MAX_DEMANDS = 16


def demand_levels(inference_tokens: float) -> list[float]:
    """Lifetime inference demands to draw beside the chosen one: 0, D/10, D, 10·D (or 0, 1e12,
    1e13, 1e14 tokens when D = 0), each at most MAX_TOKENS."""
    d = check_float("inference_tokens", inference_tokens, 0, MAX_TOKENS, "tokens")
    levels = [0.0, d / 10, d, d * 10] if d > 0 else [0.0, 1e12, 1e13, 1e14]
    return sorted({min(level, MAX_TOKENS) for level in levels})


@dataclass(frozen=True)
class LifetimeComparison:
    """The Chinchilla-optimal model of a reference size against the lifetime-optimal one that
    reaches the same loss, both serving the same lifetime inference demand."""

    chinchilla: LifetimePlan
    optimal: LifetimePlan
    by_usd: bool  # the optimum minimises USD (else FLOPs)

    @property
    def flops_saving_fraction(self) -> float:
        return 1.0 - self.optimal.total_flops / self.chinchilla.total_flops

    @property
    def usd_saving_fraction(self) -> float:
        return 1.0 - self.optimal.usd / self.chinchilla.usd


def lifetime_comparison(fit: LossFit, reference_params: float, inference_tokens: float,
                        usd_per_train_flop: float, usd_per_inference_flop: float,
                        by_usd: bool = False) -> LifetimeComparison:
    """Target loss = the Chinchilla-optimal `reference_params` model's; optimum by FLOPs (Sardana
    et al.) or, when `by_usd`, by USD. Both plans carry USD at the given prices per FLOP."""
    target = chinchilla_plan(fit, reference_params).loss
    chin = lifetime_plan(fit, reference_params, target, inference_tokens, usd_per_train_flop,
                                 usd_per_inference_flop)
    weights = (usd_per_train_flop, usd_per_inference_flop) if by_usd else (None, None)
    best = lifetime_optimal(fit, target, inference_tokens, *weights)
    optimal = lifetime_plan(fit, best.params, target, inference_tokens, usd_per_train_flop,
                                    usd_per_inference_flop)
    return LifetimeComparison(chin, optimal, by_usd)


def lifetime_cost_curves(fit: LossFit, target_loss: float, reference_params: float, demands,
                         params, train_weight: float = 1.0, inference_weight: float = 1.0) -> np.ndarray:
    """Lifetime cost of models of `params` trained to `target_loss`, one row per demand, relative
    to a `reference_params` model at the same demand; nan where a size cannot reach the loss.

    cost(N, D_inf) = w_train · 6·N·D(N, ℓ) + w_inf · 2·N·D_inf (weights 1: FLOPs; USD per FLOP: USD).
    """
    n = np.asarray(params, dtype=float).reshape(-1)
    d_inf = np.asarray(demands, dtype=float).reshape(-1)
    if n.size > MAX_POINTS or d_inf.size > MAX_DEMANDS:
        raise ValueError(f"params: at most {MAX_POINTS} sizes and {MAX_DEMANDS} demands per call")
    for d in d_inf:
        check_float("inference_tokens", d, 0, MAX_TOKENS, "tokens")

    def cost(sizes):
        return lifetime_cost(fit, sizes[None, :], target_loss, d_inf[:, None], train_weight, inference_weight)

    reference = cost(np.array([float(reference_params)]))
    with np.errstate(invalid="ignore"):
        relative = cost(n) / reference
    return np.where(np.isfinite(relative), relative, np.nan)


def size_grid(fit: LossFit, target_loss: float, reference_params: float, points: int = 80) -> np.ndarray:
    """Model sizes from just above the smallest that can reach `target_loss` to 3× the reference."""
    n_min = min_params_for_loss(fit, target_loss)
    hi = max(3.0 * reference_params, 4.0 * n_min)
    return log_grid(n_min * 1.02, hi, check_int("points", points, 2, MAX_POINTS, "points"), integer=False)


@dataclass(frozen=True)
class SardanaReproduction:
    """Sardana et al.'s Fig. 1 example recomputed with a loss fit: a 13B Chinchilla-optimal
    model vs a 7B model trained to the same loss, both serving 2T tokens."""

    big: LifetimePlan
    small: LifetimePlan
    optimal: LifetimePlan

    @property
    def saving_fraction(self) -> float:
        return 1.0 - self.small.total_flops / self.big.total_flops

    @property
    def optimal_saving_fraction(self) -> float:
        return 1.0 - self.optimal.total_flops / self.big.total_flops


SARDANA_REFERENCE_PARAMS = 13e9
SARDANA_SMALL_PARAMS = 7e9
SARDANA_INFERENCE_TOKENS = 2e12
SARDANA_PUBLISHED_SAVING = 0.17  # Sardana et al. 2024, Fig. 1: 1.7e22 FLOPs (17%)


def sardana_reproduction(fit: LossFit) -> SardanaReproduction:
    """The published example's setting with `fit`'s constants (docs/formulas.md W9's caution:
    this does not give the published 17%; only the direction is robust)."""
    big = chinchilla_plan(fit, SARDANA_REFERENCE_PARAMS, SARDANA_INFERENCE_TOKENS)
    small = lifetime_plan(fit, SARDANA_SMALL_PARAMS, big.loss, SARDANA_INFERENCE_TOKENS)
    optimal = lifetime_optimal(fit, big.loss, SARDANA_INFERENCE_TOKENS)
    return SardanaReproduction(big, small, optimal)
