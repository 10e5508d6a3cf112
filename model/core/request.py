"""Cost and latency of one request on a deployment: the unit the serving-choice views price.

Same definitions as the `request_s`, `request_chip_s`, `usd_per_m_input` and `usd_per_m_output`
columns of `report.summarize` (README "Output columns"), for any prompt, output and batch:

    ttft_s        = T_prefill(P − p | p cached)            one prompt alone on the replica (no queueing)
    tpot_s        = mean of t_step(B, L) for L = P … P+G−1  (metrics.decode_run over G steps, / G), / τ
                    (τ tokens per step with speculative decoding, F125; 1 without)
    latency_s     = ttft_s + G · tpot_s
    usd_input     = replica USD/s · T_prefill(B prompts, P − p new tokens each after p cached) / B
    usd_output    = replica USD/s · G · tpot_s / B
    chip_s        = chips · (batched prefill + G · tpot_s) / B

P prompt tokens, p of them already in a prefix cache (docs/formulas.md F57: the prefill then costs
F_prefill(P) − F_prefill(p) plus reading the p cached tokens, which the roofline's KV term counts),
G output tokens, B sequences sharing each pass (the prefill of B prompts together and the decode
batch). Units: seconds, tokens, USD, chip-seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.base.fields import check_int
from model.base.limits import MAX_BATCH, MAX_TOKENS
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import prefill


@dataclass(frozen=True)
class RequestCost:
    """One request's latency (s) and cost (USD), split into its prefill and its decode."""

    prompt_tokens: int
    cached_tokens: int
    output_tokens: int
    batch: int
    ttft_s: float
    tpot_s: float
    latency_s: float
    usd_input: float
    usd_output: float
    chip_s: float
    prefill_chip_s: float  # the prefill's part of chip_s

    @property
    def usd_total(self) -> float:
        return self.usd_input + self.usd_output


def request_cost(dep: Deployment, prompt_tokens: int, output_tokens: int, batch: int = 1,
                 cached_tokens: int = 0) -> RequestCost:
    """Latency and cost of one request of `prompt_tokens` in and `output_tokens` out (see module doc)."""
    prompt = check_int("prompt_tokens", prompt_tokens, 1, MAX_TOKENS, "tokens")
    out = check_int("output_tokens", output_tokens, 1, MAX_TOKENS, "tokens")
    batch = check_int("batch", batch, 1, MAX_BATCH, "sequences")
    cached = check_int("cached_tokens", cached_tokens, 0, prompt - 1, "tokens (at least one prompt token is new)")
    new = prompt - cached
    ttft_s = float(prefill(dep, new, batch=1, cached=cached).time_s)
    batched_prefill_s = float(prefill(dep, new, batch=batch, cached=cached).time_s)
    tpot_s = metrics.mean_decode_step_s(dep, batch, prompt, out) / metrics.tokens_per_step(dep)
    usd_per_s = metrics.replica_usd_per_s(dep)
    return RequestCost(
        prompt_tokens=prompt,
        cached_tokens=cached,
        output_tokens=out,
        batch=batch,
        ttft_s=ttft_s,
        tpot_s=tpot_s,
        latency_s=ttft_s + out * tpot_s,
        usd_input=usd_per_s * batched_prefill_s / batch,
        usd_output=usd_per_s * out * tpot_s / batch,
        chip_s=dep.chips * (batched_prefill_s + out * tpot_s) / batch,
        prefill_chip_s=dep.chips * batched_prefill_s / batch,
    )
