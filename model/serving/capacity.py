"""Whether requests arrive faster than a replica serves them (docs/formulas.md F76).

The capacity of a policy for a workload is the request rate it sustains when it never waits for
work: the simulated requests all queued at t = 0, served in `makespan_s`, so
λ_max = requests / makespan. Offered more (λ > λ_max), the queue grows by about λ − λ_max requests
per second without bound: the TTFT and latency percentiles of a finite run then grow with the
number of requests simulated instead of settling, and mean nothing on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.serving.results import ServingResult


def capacity_requests_per_s(saturated: ServingResult) -> float:
    """Requests/s a policy sustained with every request queued at t = 0: output tokens/s ÷ E[G]
    (docs/formulas.md F191), which is requests ÷ makespan for a run that finished and the rate of
    the part simulated for one its budget cut short."""
    return saturated.output_tokens_per_s / saturated.mean_output_tokens


@dataclass(frozen=True)
class LoadCheck:
    """An arrival rate beside each policy's capacity for the same request lengths (requests/s)."""

    offered_per_s: float
    capacity_per_s: dict[str, float]  # policy -> λ_max
    requests_measured: int  # requests the capacity runs queued at t = 0

    def overloaded(self) -> list[str]:
        """The policies whose queue grows without bound at the offered rate."""
        return [policy for policy, cap in self.capacity_per_s.items() if self.offered_per_s > cap]

    def utilisation(self, policy: str) -> float:
        """Offered rate ÷ the policy's capacity (above 1: overloaded)."""
        return self.offered_per_s / self.capacity_per_s[policy]


def load_check(rate_per_s: float, saturated: dict[str, ServingResult]) -> LoadCheck:
    """`rate_per_s` beside the capacity of each saturated (all requests at t = 0) result."""
    measured = max((r.n_requests for r in saturated.values()), default=0)
    return LoadCheck(float(rate_per_s), {p: capacity_requests_per_s(r) for p, r in saturated.items()}, measured)
