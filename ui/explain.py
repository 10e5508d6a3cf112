"""One-line explanations of the headline numbers, computed from the numbers themselves."""

from __future__ import annotations

import math

from model import Deployment, Scenario
from model.core.roofline import PassTiming

from . import format as fmt


def shares(step: PassTiming) -> dict[str, float]:
    """Fraction of a scalar pass's time per breakdown part."""
    parts = {k: float(v.reshape(-1)[0]) for k, v in step.breakdown_s().items()}
    total = sum(parts.values())
    return {k: v / total for k, v in parts.items()}


def decode_sentence(step: PassTiming) -> str:
    s = shares(step)
    memory = s["weights"] + s["kv_cache"] + s["activations"]
    if s["compute"] >= max(memory, s["comms"]):
        return f"decode is compute-bound: {fmt.percent(s['compute'])} of the step is matmul time"
    if s["comms"] >= memory:
        return f"decode is comms-bound: {fmt.percent(s['comms'])} of the step is all-reduce time"
    return (f"decode is memory-bound: {fmt.percent(s['weights'])} of the step streams weights, "
            f"{fmt.percent(s['kv_cache'])} reads the KV cache")


def prefill_sentence(scenario: Scenario, bound: str) -> str:
    if bound == "compute":
        return f"prefill is compute-bound: {scenario.batch} x {scenario.prompt:,} tokens share each weight read"
    return f"prefill is {bound}-bound: too few tokens per pass to hide the weight reads"


def floor_sentence(dep: Deployment, floor_s: float) -> str:
    touched = floor_s * dep.hbm_bytes_per_s
    what = "active weights" if dep.model.is_moe else "weights"
    return f"{fmt.bytes_(touched)} of {what} / {fmt.bytes_(dep.hbm_bytes_per_s)}/s of HBM on {dep.chips} chip(s)"


def capacity_sentence(scenario: Scenario, fit: float) -> str:
    if fit < 1:
        return "the weights alone do not fit: add chips or use fewer bits"
    if scenario.batch > fit:
        return f"batch {scenario.batch} does NOT fit at {scenario.ctx:,} tokens each"
    return f"at {scenario.ctx:,} tokens each; {scenario.batch} in use ({fmt.percent(scenario.batch / fit)})"


def context_knee_sentence(scenario: Scenario, knee: float) -> str:
    if math.isinf(knee):
        return "KV reads never outweigh compute per sequence for this model"
    side = "above" if scenario.ctx > knee else "below"
    return f"beyond it KV reads outweigh compute per sequence; ctx {scenario.ctx:,} is {side} it"


def batch_knee_sentence(knee: float) -> str:
    if math.isinf(knee):
        return "at this context decode stays memory-bound at every batch: cost/token never flattens"
    return "below it cost per output token falls ~1/batch; above it, it is flat"
