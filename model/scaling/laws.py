"""Chinchilla scaling and lifetime (training + inference) compute: why labs over-train small models.

Notation (docs/notation.md (scaling laws); docs/formulas.md F62–F69): N parameters, D training tokens, C = 6·N·D training FLOPs,
D_inf lifetime inference tokens, ℓ a target loss (nats/token).

    L(N, D)   = E + A / N^α + B / D^β                                   (Hoffmann et al. eq. 2)
    N_opt(C)  = G · (C/6)^(β/(α+β)),  D_opt = (C/6) / N_opt,  G = (αA/(βB))^(1/(α+β))   (eq. 4)
    D(N, ℓ)   = (B / (ℓ − E − A/N^α))^(1/β)       tokens for a model of N params to reach ℓ
    lifetime FLOPs = 6·N·D_train + 2·N·D_inf                            (Sardana et al. 2024)
    lifetime USD   = 6·N·D_train · usd_per_train_flop + 2·N·D_inf · usd_per_inference_flop

Two fits ship: Hoffmann's rounded Approach-3 constants and Besiroglu et al.'s refit (the values
of docs/formulas.md F63). The cost-per-FLOP helpers tie the USD version to the roofline: a
training FLOP costs the chip-hour price over the achieved FLOP/s; an inference FLOP costs what
one decode token costs on a deployment (`metrics.cost_per_m_output_usd`) over the 2·N_act FLOPs
it does, taken as constant across model sizes (a simplification: a smaller model's batch and
context knees differ). docs/formulas.md W9's caution applies: only the direction of the Sardana result
(train smaller and longer as inference demand grows) is robust to the choice of fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.base.fields import check_float
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import decode_step

MAX_PARAMS = 1e15
MAX_TOKENS = 1e18
MAX_FLOPS = 1e32
GRID_POINTS = 2049  # model sizes tried per lifetime optimisation (then refined)


@dataclass(frozen=True)
class LossFit:
    """Constants of L(N, D) = E + A/N^α + B/D^β, with where they come from."""

    name: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float
    source: str

    @property
    def allocation_constant(self) -> float:
        """G = (αA/(βB))^(1/(α+β)) of N_opt = G·(C/6)^(β/(α+β))."""
        return (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))

    @property
    def params_exponent(self) -> float:
        """β/(α+β): N_opt grows as C to this power."""
        return self.beta / (self.alpha + self.beta)


HOFFMANN = LossFit("hoffmann", 1.69, 406.4, 410.7, 0.34, 0.28,
                   "Hoffmann et al. 2022 (Chinchilla) Approach 3, rounded; docs/formulas.md F63")
BESIROGLU = LossFit("besiroglu", 1.8172, 482.01, 2085.43, 0.3478, 0.3658,
                    "Besiroglu et al. 2024, 'Chinchilla Scaling: A replication attempt', Table 1; "
                    "docs/formulas.md F63")
FITS = {fit.name: fit for fit in (HOFFMANN, BESIROGLU)}


def fit_named(name: str) -> LossFit:
    if name not in FITS:
        raise ValueError(f"fit: must be one of {', '.join(FITS)}; got {name!r}")
    return FITS[name]


def _positive(name: str, value, hi: float, unit: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.size > 1_000_000:
        raise ValueError(f"{name}: at most 1,000,000 values per call; got {array.size}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0) or np.any(array > hi):
        raise ValueError(f"{name}: must be in (0, {hi:g}] {unit}; got {value!r}")
    return array


def loss(fit: LossFit, params, tokens) -> np.ndarray:
    """L(N, D) in nats/token; `params` and `tokens` broadcast."""
    n = _positive("params", params, MAX_PARAMS, "parameters")
    d = _positive("tokens", tokens, MAX_TOKENS, "tokens")
    return fit.E + fit.A / n**fit.alpha + fit.B / d**fit.beta


def training_flops(params, tokens) -> np.ndarray:
    """6·N·D (forward and backward, docs/formulas.md F62)."""
    return 6.0 * np.asarray(params, dtype=float) * np.asarray(tokens, dtype=float)


def inference_flops(params, tokens) -> np.ndarray:
    """2·N per token processed in inference (docs/formulas.md F62), times `tokens`."""
    return 2.0 * np.asarray(params, dtype=float) * np.asarray(tokens, dtype=float)


def compute_optimal(fit: LossFit, flops) -> tuple[np.ndarray, np.ndarray]:
    """(N_opt parameters, D_opt tokens) minimising L for a training budget of `flops` = 6·N·D."""
    c = _positive("flops", flops, MAX_FLOPS, "FLOPs")
    n_opt = fit.allocation_constant * (c / 6.0) ** fit.params_exponent
    return n_opt, c / 6.0 / n_opt


def compute_optimal_tokens(fit: LossFit, params) -> np.ndarray:
    """D for which N = `params` is compute-optimal (inverts N_opt(C))."""
    n = _positive("params", params, MAX_PARAMS, "parameters")
    budget_over_6 = (n / fit.allocation_constant) ** (1.0 / fit.params_exponent)
    return budget_over_6 / n


def tokens_to_reach_loss(fit: LossFit, params, target_loss: float) -> np.ndarray:
    """Training tokens a model of `params` needs to reach `target_loss`; inf where it never can
    (ℓ ≤ E + A/N^α: the model is too small for that loss at any data size)."""
    n = _positive("params", params, MAX_PARAMS, "parameters")
    target = check_float("target_loss", target_loss, fit.E, 100.0, "nats/token", lo_open=True)
    gap = target - fit.E - fit.A / n**fit.alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        tokens = np.where(gap > 0, (fit.B / np.where(gap > 0, gap, 1.0)) ** (1.0 / fit.beta), np.inf)
    return tokens


def min_params_for_loss(fit: LossFit, target_loss: float) -> float:
    """The smallest N that can reach `target_loss` with unlimited data: (A/(ℓ − E))^(1/α)."""
    target = check_float("target_loss", target_loss, fit.E, 100.0, "nats/token", lo_open=True)
    return (fit.A / (target - fit.E)) ** (1.0 / fit.alpha)


# --- cost per FLOP from the roofline --------------------------------------------------------------


def usd_per_training_flop(dep: Deployment, mfu: float = 0.4) -> float:
    """USD per training FLOP on the deployment's chips: price / (3600 · peak FLOP/s · mfu).

    `mfu` is the achieved training utilisation (default 0.4, an assumption: large dense runs
    report roughly 0.35–0.45).
    """
    mfu = check_float("mfu", mfu, 0.01, 1.0)
    return dep.usd_per_chip_hour * dep.chips / metrics.SECONDS_PER_HOUR / (dep.peak_flops_per_s * mfu)


def usd_per_inference_flop(dep: Deployment, batch: int, ctx: int) -> float:
    """USD per inference FLOP: the cost of one output token at (`batch`, `ctx`) over 2·N_act."""
    step_s = decode_step(dep, batch, ctx).time_s
    usd_per_token = float(metrics.cost_per_m_output_usd(dep, step_s, batch)) / metrics.PER_MILLION
    return usd_per_token / (2.0 * dep.model.matmul_params_per_token)


# --- lifetime optimum (Sardana et al.) ------------------------------------------------------------


@dataclass(frozen=True)
class LifetimePlan:
    """A model size and training length reaching a target loss, with its lifetime compute."""

    params: float
    train_tokens: float
    inference_tokens: float
    loss: float
    training_flops: float
    inference_flops: float
    usd: float  # nan unless USD per FLOP was given

    @property
    def total_flops(self) -> float:
        return self.training_flops + self.inference_flops

    @property
    def tokens_per_param(self) -> float:
        return self.train_tokens / self.params


def lifetime_plan(fit: LossFit, params: float, target_loss: float, inference_tokens: float,
                  usd_per_train_flop: float | None = None, usd_per_inference_flop: float | None = None) -> LifetimePlan:
    """The plan for a model of `params`: train until `target_loss`, then serve `inference_tokens`."""
    check_float("inference_tokens", inference_tokens, 0, MAX_TOKENS, "tokens")
    train = float(tokens_to_reach_loss(fit, params, target_loss))
    if not math.isfinite(train):
        raise ValueError(f"params: a {params:.3g}-parameter model cannot reach loss {target_loss} "
                         f"(needs at least {min_params_for_loss(fit, target_loss):.3g})")
    train_f = float(training_flops(params, train))
    inf_f = float(inference_flops(params, inference_tokens))
    usd = math.nan
    if usd_per_train_flop is not None and usd_per_inference_flop is not None:
        usd = train_f * check_float("usd_per_train_flop", usd_per_train_flop, 0, 1, "USD/FLOP") + \
            inf_f * check_float("usd_per_inference_flop", usd_per_inference_flop, 0, 1, "USD/FLOP")
    return LifetimePlan(float(params), train, float(inference_tokens), float(target_loss), train_f, inf_f, usd)


def chinchilla_plan(fit: LossFit, params: float, inference_tokens: float = 0.0) -> LifetimePlan:
    """A model of `params` trained compute-optimally (D = D_opt(N)), then serving `inference_tokens`."""
    tokens = float(compute_optimal_tokens(fit, params))
    return lifetime_plan(fit, params, float(loss(fit, params, tokens)), inference_tokens)


def lifetime_cost(fit: LossFit, params, target_loss: float, inference_tokens,
                  train_weight: float = 1.0, inference_weight: float = 1.0) -> np.ndarray:
    """w_train · 6·N·D(N, ℓ) + w_inf · 2·N·D_inf: lifetime cost of models of `params` trained to
    `target_loss`, serving `inference_tokens` (broadcast); weights 1 give FLOPs, USD per FLOP USD.
    inf where a size cannot reach the loss."""
    train = tokens_to_reach_loss(fit, params, target_loss)
    return (train_weight * training_flops(params, train)
            + inference_weight * inference_flops(params, inference_tokens))


def lifetime_optimal(fit: LossFit, target_loss: float, inference_tokens: float,
                     usd_per_train_flop: float | None = None,
                     usd_per_inference_flop: float | None = None) -> LifetimePlan:
    """The model size reaching `target_loss` with the least lifetime FLOPs (or USD, when both
    costs per FLOP are given), for `inference_tokens` served over its life.

    Minimised over N on a log grid from just above the smallest feasible N to 10^4 times it, then
    refined by golden-section search in the best cell (Sardana et al. use Newton's method).
    """
    n_min = min_params_for_loss(fit, target_loss)
    check_float("inference_tokens", inference_tokens, 0, MAX_TOKENS, "tokens")
    use_usd = usd_per_train_flop is not None and usd_per_inference_flop is not None
    w_train = usd_per_train_flop if use_usd else 1.0
    w_inf = usd_per_inference_flop if use_usd else 1.0

    def objective(log_n: np.ndarray) -> np.ndarray:
        return lifetime_cost(fit, np.exp(log_n), target_loss, inference_tokens, w_train, w_inf)

    lo, hi = math.log(n_min * (1 + 1e-9)), math.log(min(n_min * 1e4, MAX_PARAMS))
    grid = np.linspace(lo, hi, GRID_POINTS)
    best = int(np.argmin(objective(grid)))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, GRID_POINTS - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):  # golden-section search: the bracket shrinks to ~1e-12 of a grid cell
        x1, x2 = b - ratio * (b - a), a + ratio * (b - a)
        if objective(np.array(x1)) < objective(np.array(x2)):
            b = x2
        else:
            a = x1
    params = math.exp((a + b) / 2)
    return lifetime_plan(fit, params, target_loss, inference_tokens,
                         usd_per_train_flop if use_usd else None, usd_per_inference_flop if use_usd else None)
