"""One-line explanations of the Overview page's headline numbers, computed from the numbers themselves."""

from __future__ import annotations

import math

from model import Scenario
from model.core.roofline import PassTiming
from ui import format as fmt


def shares(step: PassTiming) -> dict[str, float]:
    """Fraction of a scalar pass's time per breakdown part."""
    parts = {k: float(v.reshape(-1)[0]) for k, v in step.breakdown_s().items()}
    total = sum(parts.values())
    return {k: v / total for k, v in parts.items()}


def decode_sentence(step: PassTiming) -> str:
    s = shares(step)
    memory = s["weights"] + s["kv_cache"] + s["activations"]
    if s["compute"] >= max(memory, s["comms"]):
        return f"decode is compute-bound: {fmt.fraction(s['compute'])} of the step is matmul time"
    if s["comms"] >= memory:
        return f"decode is comms-bound: {fmt.fraction(s['comms'])} of the step is all-reduce time"
    return (f"decode is memory-bound: {fmt.fraction(s['weights'])} of the step streams weights, "
            f"{fmt.fraction(s['kv_cache'])} reads the KV cache")


def prefill_sentence(scenario: Scenario, bound: str) -> str:
    if bound == "compute":
        return f"prefill is compute-bound: {scenario.batch} x {scenario.prompt:,} tokens share each weight read"
    return f"prefill is {bound}-bound: too few tokens per pass to hide the weight reads"


def capacity_sentence(scenario: Scenario, fit: float) -> str:
    if fit < 1:
        return "the weights alone do not fit: add chips or use fewer bits"
    if scenario.batch > fit:
        return f"batch {scenario.batch} does NOT fit at {scenario.ctx:,} tokens each"
    return f"at {scenario.ctx:,} tokens each; {scenario.batch} in use ({fmt.fraction(scenario.batch / fit)})"


def context_knee_sentence(scenario: Scenario, knee: float) -> str:
    if math.isinf(knee):
        return "KV reads never outweigh compute per sequence for this model"
    side = "above" if scenario.ctx > knee else "below"
    return f"beyond it KV reads outweigh compute per sequence; ctx {scenario.ctx:,} is {side} it"


def batch_knee_sentence(knee: float) -> str:
    if math.isinf(knee):
        return "at this context decode stays memory-bound at every batch: cost/token never flattens"
    return "below it cost per output token falls ~1/batch; above it, it is flat"
