"""Serving workloads: seeded request arrivals and prompt/output length distributions (docs/formulas.md F42).

Also the simulator's own input bounds. They are tighter than the scenario-wide limits of
`model.base.limits`: the step-time tables (`model.serving.steps`) are sized by them. What one
simulation may do is bounded apart (`model.serving.budget`): by work (SIMULATOR_MAX_WORK) and by
wall time (SIMULATOR_MAX_WALL_S); a run that reaches either stops with partial results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.base.fields import check_float, check_int

# The simulator's bounds (not the scenario's: see the module docstring).
MAX_REQUESTS = 20_000
SIMULATOR_MAX_PROMPT_TOKENS = 131_072  # tokens per prompt (the scenario allows model.base.limits.MAX_TOKENS)
SIMULATOR_MAX_OUTPUT_TOKENS = 65_536  # tokens per output (the scenario allows MAX_OUTPUT_TOKENS)
SIMULATOR_MAX_BATCH = 4096  # sequences per decode step: StepTimes tabulates every batch up to it
MAX_RATE_PER_S = 1e6
LENGTH_KINDS = ("fixed", "uniform", "exponential")
EXPONENTIAL_CAP = 8  # exponential lengths are capped at 8x their mean unless told otherwise
# Work of one simulation, in scheduler units: one per scheduler iteration (a prefill pass, a decode run
# to the next event, a static batch) plus one per sequence it admits, prefills a chunk of, completes or
# preempts. A decode run of B sequences over s steps costs 1 + its completions, not B x s (engine.py).
SIMULATOR_MAX_WORK = 250_000
SIMULATOR_MAX_WALL_S = 30.0  # wall-clock seconds one simulation may run unless the caller passes less (the page: 4.5 s)


@dataclass(frozen=True)
class LengthDist:
    """A distribution of token counts (prompt or output lengths), integers in [1, high_tokens].

    - fixed: always `mean_tokens`.
    - uniform: integers uniform on [low_tokens, high_tokens] (mean = their midpoint).
    - exponential: ceil of an exponential of mean `mean_tokens` − 0.5 (so the integer mean is
      ≈ `mean_tokens`), capped at `high_tokens` (default 8 × mean).
    Build with `LengthDist.fixed(n)`, `.uniform(lo, hi)`, `.exponential(mean, cap)`.
    """

    kind: str
    mean_tokens: float
    low_tokens: int
    high_tokens: int

    @classmethod
    def fixed(cls, tokens: int) -> LengthDist:
        tokens = check_int("tokens", tokens, 1, SIMULATOR_MAX_PROMPT_TOKENS, "tokens")
        return cls("fixed", float(tokens), tokens, tokens)

    @classmethod
    def uniform(cls, low_tokens: int, high_tokens: int) -> LengthDist:
        low = check_int("low_tokens", low_tokens, 1, SIMULATOR_MAX_PROMPT_TOKENS, "tokens")
        high = check_int("high_tokens", high_tokens, low, SIMULATOR_MAX_PROMPT_TOKENS, "tokens")
        return cls("uniform", (low + high) / 2, low, high)

    @classmethod
    def exponential(cls, mean_tokens: float, cap_tokens: int | None = None) -> LengthDist:
        mean = check_float("mean_tokens", mean_tokens, 1, SIMULATOR_MAX_PROMPT_TOKENS / EXPONENTIAL_CAP, "tokens")
        cap = int(math.ceil(EXPONENTIAL_CAP * mean)) if cap_tokens is None else cap_tokens
        cap = check_int("cap_tokens", cap, int(math.ceil(mean)), SIMULATOR_MAX_PROMPT_TOKENS, "tokens")
        return cls("exponential", mean, 1, cap)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` integer lengths (tokens)."""
        if self.kind == "fixed":
            return np.full(n, self.low_tokens, dtype=np.int64)
        if self.kind == "uniform":
            return rng.integers(self.low_tokens, self.high_tokens + 1, size=n, dtype=np.int64)
        if self.kind == "exponential":
            draws = np.ceil(rng.exponential(max(self.mean_tokens - 0.5, 1e-9), size=n))
            return np.clip(draws, 1, self.high_tokens).astype(np.int64)
        raise ValueError(f"kind: must be one of {', '.join(LENGTH_KINDS)}; got {self.kind!r}")


def length_dist(kind: str, mean_tokens: int, limit_tokens: int) -> LengthDist:
    """`kind` ('fixed', 'uniform', 'exponential') lengths of mean `mean_tokens`, never above `limit_tokens`.

    The serving page's shapes: fixed; uniform on [1, 2·mean − 1] (docs/formulas.md F43's "uniform G
    on [1, G_max]"); exponential with that mean, capped at min(8·mean, `limit_tokens`).
    """
    if kind not in LENGTH_KINDS:
        raise ValueError(f"kind: must be one of {', '.join(LENGTH_KINDS)}; got {kind!r}")
    top = limit_tokens if kind == "fixed" else (limit_tokens + 1) // 2
    mean = check_int("mean_tokens", mean_tokens, 1, top, "tokens")
    if kind == "fixed":
        return LengthDist.fixed(mean)
    if kind == "uniform":
        return LengthDist.uniform(1, 2 * mean - 1)
    return LengthDist.exponential(mean, min(int(math.ceil(EXPONENTIAL_CAP * mean)), limit_tokens))


@dataclass(frozen=True)
class Requests:
    """Drawn requests in arrival order: arrival time (s), prompt and output tokens."""

    arrival_s: np.ndarray
    prompt_tokens: np.ndarray
    output_tokens: np.ndarray


@dataclass(frozen=True)
class Workload:
    """N requests with Poisson arrivals at `rate_per_s` (math.inf: all arrive at t = 0)."""

    n_requests: int
    rate_per_s: float
    prompt: LengthDist
    output: LengthDist
    seed: int = 0

    @classmethod
    def shaped(cls, n_requests: int, rate_per_s: float, prompt_kind: str, prompt_mean_tokens: int,
               output_kind: str, output_mean_tokens: int, seed: int = 0) -> Workload:
        """Prompt and output lengths of the given kinds and means (`length_dist`), within the simulator's bounds."""
        return cls(n_requests, rate_per_s, length_dist(prompt_kind, prompt_mean_tokens, SIMULATOR_MAX_PROMPT_TOKENS),
                   length_dist(output_kind, output_mean_tokens, SIMULATOR_MAX_OUTPUT_TOKENS), seed)

    def check(self) -> None:
        check_int("n_requests", self.n_requests, 1, MAX_REQUESTS, "requests")
        if not (self.rate_per_s == math.inf):
            check_float("rate_per_s", self.rate_per_s, 0, MAX_RATE_PER_S, "requests/s (or inf)", lo_open=True)
        check_int("seed", self.seed, 0, 2**63 - 1)
        for name, dist, hi in (("prompt", self.prompt, SIMULATOR_MAX_PROMPT_TOKENS),
                               ("output", self.output, SIMULATOR_MAX_OUTPUT_TOKENS)):
            if not isinstance(dist, LengthDist) or dist.kind not in LENGTH_KINDS:
                raise ValueError(f"{name}: must be a LengthDist of kind {', '.join(LENGTH_KINDS)}")
            check_int(f"{name}.high_tokens", dist.high_tokens, 1, hi, "tokens")

    def draw(self) -> Requests:
        """The requests, reproducibly from `seed`."""
        self.check()
        rng = np.random.default_rng(self.seed)
        n = self.n_requests
        if self.rate_per_s == math.inf:
            arrival = np.zeros(n)
        else:
            arrival = np.cumsum(rng.exponential(1.0 / self.rate_per_s, size=n))
        return Requests(arrival, self.prompt.sample(rng, n), self.output.sample(rng, n))
