"""One-line explanations of the Overview page's headline numbers, computed from the numbers themselves."""

from __future__ import annotations

import math

from model import Deployment, Scenario
from model.core.roofline import PassTiming
from ui import format as fmt
from ui.text.common import no_fit_sentence


def shares(step: PassTiming) -> dict[str, float]:
    """Fraction of a scalar pass's time per breakdown part."""
    parts = {k: float(v.reshape(-1)[0]) for k, v in step.breakdown_s().items()}
    total = sum(parts.values())
    return {k: v / total for k, v in parts.items()}


def decode_sentence(step: PassTiming) -> str:
    s = shares(step)
    memory = s["weights"] + s["kv_cache"] + s["activations"]
    comms = s["comms"] + s["all_to_all"]
    if s["compute"] >= max(memory, comms):
        return f"decode is compute-bound: {fmt.fraction(s['compute'])} of the step is matmul time"
    if comms >= memory:
        return f"decode is comms-bound: {fmt.fraction(comms)} of the step is exposed all-reduce and all-to-all time"
    return (f"decode is memory-bound: {fmt.fraction(s['weights'])} of the step streams weights, "
            f"{fmt.fraction(s['kv_cache'])} reads the KV cache")


def prefill_sentence(scenario: Scenario, bound: str) -> str:
    if bound == "compute":
        return f"prefill is compute-bound: {scenario.batch:,} x {scenario.prompt:,} tokens share each weight read"
    return f"prefill is {bound}-bound: too few tokens per pass to hide the weight reads"


def capacity_sentence(scenario: Scenario, fit: float, weights_fit: bool) -> str:
    if fit < 1:
        return no_fit_sentence(weights_fit, scenario.ctx)
    if scenario.batch > fit:
        return f"batch {scenario.batch:,} does NOT fit at {scenario.ctx:,} tokens each"
    return f"at {scenario.ctx:,} tokens each; {scenario.batch:,} in use ({fmt.fraction(scenario.batch / fit)})"


def context_knee_sentence(scenario: Scenario, knee: float) -> str:
    if math.isinf(knee):
        return "KV reads never outweigh compute per sequence for this model"
    side = "above" if scenario.ctx > knee else "below"
    return f"beyond it KV reads outweigh compute per sequence; ctx {scenario.ctx:,} is {side} it"


def batch_knee_sentence(knee: float) -> str:
    if math.isinf(knee):
        return "at this context decode stays memory-bound at every batch: cost/token never flattens"
    return "below it cost per output token falls ~1/batch; above it, it is flat"


def decode_contexts(scenario: Scenario) -> tuple[int, int]:
    """The contexts one request's decode steps see: prompt … prompt + out − 1 (metrics.decode_samples)."""
    return scenario.prompt, scenario.prompt + scenario.out - 1


def context_note(scenario: Scenario) -> str:
    """Which context each headline number is evaluated at."""
    lo, hi = decode_contexts(scenario)
    where = "inside" if lo <= scenario.ctx <= hi else "outside"
    return (f"Output cost, TPOT, tokens/s, max batch, batch knee and the floor at this context are at **ctx "
            f"{scenario.ctx:,}** (the Context slider); input cost and TTFT at the **prompt of {scenario.prompt:,} tokens**. "
            f"This request ({scenario.prompt:,} + {scenario.out:,} tokens) decodes at contexts {lo:,}–{hi:,} ({where} "
            "that ctx); the timeline and chip-seconds below follow it.")


def output_price_context(scenario: Scenario) -> str:
    """'at ctx 8,192 (the Context slider); this request's decode sees 4,096–5,119'."""
    lo, hi = decode_contexts(scenario)
    return f"at ctx {scenario.ctx:,} (the Context slider); this request's decode sees {lo:,}–{hi:,}"


NOT_FITTING = " (does not fit)"  # appended to a headline price whose batch does not fit in HBM


def fit_reason(scenario: Scenario, fit: float, weights_fit: bool) -> str:
    """'' when the scenario's batch fits; else one line saying the price assumes it did."""
    if fit < 1:
        return f"NOT servable: {no_fit_sentence(weights_fit, scenario.ctx)}; computed as if it did. "
    if scenario.batch > fit:
        return (f"NOT servable: batch {scenario.batch:,} does not fit in HBM at ctx {scenario.ctx:,} (max batch "
                f"{fmt.count(fit)}); computed as if it did. ")
    return ""


def prompt_note(scenario: Scenario, max_context: int) -> str:
    """'' when the prompt (and the whole request) fits the model's context; else what is beyond it."""
    if scenario.prompt > max_context:
        return f"; the prompt is beyond the model's maximum context ({max_context:,} tokens)"
    if scenario.prompt + scenario.out > max_context:
        return f"; prompt + output ({scenario.prompt + scenario.out:,}) is beyond the model's maximum context ({max_context:,})"
    return ""


def weights_sentence(dep: Deployment, bits: int, floor_weight_bytes: float) -> str:
    """Weights stored, and the other weight quantities the pages show, each named."""
    read = "a batch-1 decode step touches" if dep.model.is_moe else "a decode step reads"
    parts = [f"{dep.model.total_params / 1e9:.1f}B params at {bits} bits, all stored",
             f"{read} {fmt.bytes_(floor_weight_bytes)} (the input embedding is a lookup"
             + (", attention weights on every chip)" if dep.attention_dp and dep.chips > 1 else ")")]
    if dep.attention_dp and dep.chips > 1:
        parts.append(f"each chip holds {fmt.bytes_(dep.weight_bytes_per_chip)} (attention weights copied)")
    return "; ".join(parts)


def validation_note(band, calibration_name: str | None, shipped_fit: bool) -> tuple[str, bool]:
    """One line on the model's error for this hardware (docs/formulas.md F105) and whether it warrants a
    warning (an uncalibrated chip whose published rows show the model optimistic)."""
    active = f"{calibration_name} calibration active" if calibration_name else "no calibration active"
    if band.n == 0:
        return (f"Validation: no measurements for this hardware in presets/measurements.csv, so the error of these "
                f"numbers is unknown ({active}; the Validation page lists what is measured)."), False
    low, high = band.range_pct
    text = (f"Validation on {band.hw} ({band.n} published rows: {', '.join(band.frameworks)}; {active}): the model's "
            f"time for each measured run is off by {band.median_abs_pct:.0f}% in median |error|, {low:+.0f}% to "
            f"{high:+.0f}% (negative = faster than measured).")
    warn = band.optimistic and calibration_name is None
    if warn:
        remedy = ("choose the shipped calibration in the sidebar" if shipped_fit else
                  "no shipped calibration covers this chip: calibrate with `python -m model calibrate`")
        text += (f" Uncalibrated, the model is optimistic here by {-band.median_pct:.0f}% in median: times and "
                 f"prices on this page are likely that much too low ({remedy}).")
    return text, warn
