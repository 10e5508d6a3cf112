"""The prefill and decode replicas the disaggregation page compares, and what each must hold.

- `prefill_deployment(...)`: the sidebar's scenario on other prefill hardware or chip count
  (`SAME` keeps the sidebar's).
- `check_holds(dep, tokens)`: the weights and one sequence of `tokens` fit on a replica.
- `compare_checked(...)`: `plan.compare` once the decode replica holds a whole request (prompt +
  output) and the prefill replica its prompt, each refusal naming the setting to change.
"""

from __future__ import annotations

from model.base.fields import FieldError, check_int
from model.base.limits import MAX_CHIPS
from model.core import metrics
from model.core.deployment import Deployment
from model.disaggregation.plan import ServingPlan, compare
from model.schema.resolve import resolve
from model.schema.scenario import Scenario

SAME = "same"  # prefill on the sidebar's hardware / chip count


def prefill_deployment(scenario: Scenario, catalog, hw: str, chips: int, calibration=None) -> Deployment:
    """The sidebar's scenario with prefill hardware `hw` ('same' keeps it) and `chips` (0 keeps them).

    Other hardware takes its own preset price and efficiencies (or the calibration's), not the
    sidebar's overrides, which describe the sidebar's chip.
    """
    changes = {}
    if hw != SAME and hw != scenario.hw:
        if hw not in catalog.hardware:
            raise FieldError("hw", "unknown_id", f"must be one of {SAME}, {', '.join(catalog.hardware)}; got {hw!r}")
        changes.update(hw=hw, price=None, mfu=None, mbu=None)
    if chips:
        changes["chips"] = check_int("chips", chips, 1, MAX_CHIPS, "chips")
    return resolve(scenario.replace(**changes), catalog, calibration)


def check_holds(dep: Deployment, tokens: int, field: str = "chips") -> None:
    """ValueError naming `field` unless the weights and one sequence of `tokens` fit on the replica."""
    if metrics.max_batch(dep, tokens) < 1:
        raise FieldError(field, "cross_field", f"the weights and one {tokens:,}-token sequence do not fit on {dep.chips} x "
                         f"{dep.hardware.name} ({dep.chips * dep.hardware.hbm_bytes / 1e9:,.0f} GB of HBM); add chips")


def compare_checked(prefill_dep: Deployment, decode_dep: Deployment, prompt_tokens: int, output_tokens: int,
                    rate_per_s: float, decode_batch: int, **options) -> dict[str, ServingPlan]:
    """Both plans, after checking the decode replica holds prompt + output tokens (else a
    `decode_chips` refusal) and the prefill replica the prompt (else a `chips` refusal)."""
    check_holds(decode_dep, prompt_tokens + output_tokens, "decode_chips")
    check_holds(prefill_dep, prompt_tokens, "chips")
    return compare(prefill_dep, decode_dep, prompt_tokens, output_tokens, rate_per_s, decode_batch, **options)
