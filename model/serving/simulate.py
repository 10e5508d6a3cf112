"""Step-level simulation of one serving replica under a batching policy (docs/formulas.md F42-F46).

A `Workload` of N requests (Poisson arrivals, seeded prompt and output lengths) is served by one
replica (a `Deployment`) under one of the policies of `POLICIES`, one module each:

- ``static`` (`model.serving.static`): request-level batching with max-length KV reservation.
- ``continuous`` (`model.serving.continuous`): iteration-level batching (Orca) with
  PagedAttention (vLLM); whole-prompt prefill passes stall the decodes.
- ``chunked`` (`model.serving.chunked`): the same with chunked prefill (Sarathi-Serve).

Step times come from the roofline, tabulated by `model.serving.steps.StepTimes`; KV memory is
accounted by `model.serving.paged_kv`; outputs are `model.serving.results.ServingResult`.
Limits (`model.serving.workload`, `model.serving.engine`): at most 20,000 requests, batch 4096,
131,072 prompt and 65,536 output tokens, and 300,000 scheduler iterations per call.
"""

from __future__ import annotations

from model.core.deployment import Deployment
from model.serving.chunked import simulate_chunked
from model.serving.continuous import simulate_continuous
from model.serving.results import ServingResult
from model.serving.static import simulate_static
from model.serving.workload import Workload

# policy -> simulate_<policy>(dep, workload, max_batch, **options)
POLICIES = {
    "static": simulate_static,  # options: reserve_tokens
    "continuous": simulate_continuous,  # options: block_tokens, token_budget
    "chunked": simulate_chunked,  # options: block_tokens, token_budget
}


def simulate(dep: Deployment, workload: Workload, policy: str, max_batch: int = 256, **options) -> ServingResult:
    """Run one policy of `POLICIES` with its options."""
    if policy not in POLICIES:
        raise ValueError(f"policy: must be one of {', '.join(POLICIES)}; got {policy!r}")
    return POLICIES[policy](dep, workload, max_batch, **options)


def compare_policies(dep: Deployment, workload: Workload, max_batch: int = 256,
                     policies: tuple[str, ...] = tuple(POLICIES)) -> dict[str, ServingResult]:
    """The same workload under each policy, keyed by policy name."""
    return {policy: simulate(dep, workload, policy, max_batch) for policy in policies}


def run_policies(dep: Deployment, workload: Workload, max_batch: int,
                 policies: tuple[str, ...] = tuple(POLICIES)) -> tuple[dict[str, ServingResult], dict[str, str]]:
    """(results by policy, refusal message by policy) for one workload on one replica: a policy the
    simulator refuses (ValueError) is reported by its message instead of failing the others."""
    results, refused = {}, {}
    for policy in policies:
        try:
            results[policy] = simulate(dep, workload, policy, max_batch)
        except ValueError as exc:
            refused[policy] = str(exc)
    return results, refused
