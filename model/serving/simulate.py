"""Step-level simulation of one serving replica under a batching policy (docs/formulas.md F42-F46).

A `Workload` of N requests (Poisson arrivals, seeded prompt and output lengths) is served by one
replica (a `Deployment`) under one of the policies of `POLICIES`, one module each:

- ``static`` (`model.serving.static`): request-level batching with max-length KV reservation.
- ``continuous`` (`model.serving.continuous`): iteration-level batching (Orca) with
  PagedAttention (vLLM); whole-prompt prefill passes stall the decodes.
- ``chunked`` (`model.serving.chunked`): the same with chunked prefill (Sarathi-Serve).

Step times come from the roofline, tabulated by `model.serving.steps.StepTimes`; KV memory is
accounted by `model.serving.paged_kv`; outputs are `model.serving.results.ServingResult`.
Limits (`model.serving.workload`): at most 20,000 requests, batch 4096, 131,072 prompt and 65,536
output tokens. Every run is also bounded by a `budget.Budget` (work units and wall time, by default
SIMULATOR_MAX_WORK and SIMULATOR_MAX_WALL_S): a run that reaches it returns the part it simulated,
with `ServingResult.truncated` saying what was cut.
"""

from __future__ import annotations

from model.core.deployment import Deployment
from model.serving.budget import Budget
from model.serving.chunked import simulate_chunked
from model.serving.continuous import simulate_continuous
from model.serving.results import ServingResult
from model.serving.static import simulate_static
from model.serving.workload import Workload

# policy -> simulate_<policy>(dep, workload, max_batch, **options, budget=...)
POLICIES = {
    "static": simulate_static,  # options: reserve_tokens
    "continuous": simulate_continuous,  # options: block_tokens, token_budget
    "chunked": simulate_chunked,  # options: block_tokens, token_budget
}


def simulate(dep: Deployment, workload: Workload, policy: str, max_batch: int = 256, budget: Budget | None = None,
             **options) -> ServingResult:
    """Run one policy of `POLICIES` with its options, within `budget` (default `Budget()`)."""
    if policy not in POLICIES:
        raise ValueError(f"policy: must be one of {', '.join(POLICIES)}; got {policy!r}")
    return POLICIES[policy](dep, workload, max_batch, budget=budget, **options)


def compare_policies(dep: Deployment, workload: Workload, max_batch: int = 256,
                     policies: tuple[str, ...] = tuple(POLICIES), budget: Budget | None = None
                     ) -> dict[str, ServingResult]:
    """The same workload under each policy, keyed by policy name (each within `budget`)."""
    return {policy: simulate(dep, workload, policy, max_batch, budget) for policy in policies}


def run_policies(dep: Deployment, workload: Workload, max_batch: int, policies: tuple[str, ...] = tuple(POLICIES),
                 budget: Budget | None = None) -> tuple[dict[str, ServingResult], dict[str, str]]:
    """(results by policy, refusal message by policy) for one workload on one replica: a policy the
    simulator refuses (ValueError) is reported by its message instead of failing the others.

    `budget`'s wall time is for all the policies together, shared out as they run (`Budget.share`);
    its work budget applies to each."""
    total = (budget or Budget()).started()
    results, refused = {}, {}
    for i, policy in enumerate(policies):
        try:
            results[policy] = simulate(dep, workload, policy, max_batch, total.share(len(policies) - i))
        except ValueError as exc:
            refused[policy] = str(exc)
    return results, refused
