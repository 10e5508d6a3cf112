"""Captions and sentences of the "Long context" page, computed from the current numbers."""

from __future__ import annotations

import math

import numpy as np

from ui import format as fmt

KNEE_MEANING = {
    "input knee": "prompt where a prefill's attention FLOPs equal its linear-layer FLOPs: input cost per token ~doubles there",
    "output knee": "context where, at the SLO batch, a decode step's KV reads equal its weight reads",
    "capacity knee": "context where the batch that fits in HBM drops below the batch the speed target allows",
}


def intro(s, dep, top: float) -> str:
    speed = (f"{s.slo_tps:g} tokens/s per user (`slo_tps`: TPOT at most {1e3 / s.slo_tps:.3g} ms)" if s.slo_tps > 0
             else "no speed target (best case)")
    return (f"**{dep.model.name}** ({dep.model.attention_pattern} attention layers) on **{dep.chips} x "
            f"{dep.hardware.name}**, from 128 to {top:,.0f} tokens of context. Every cost is at the **tier's SLO batch**: "
            f"the largest batch that fits in HBM and keeps {speed}; the dashed curves are the best case (the "
            "largest batch that fits, however slow). Tier prices come from traffic: each tier breaks even on the "
            "requests it serves.")


def long_models(catalog) -> str:
    names = sorted(m.id for m in catalog.models.values() if m.max_context >= 200_000)
    return ", ".join(names)


def unservable(dep, slo_tps: float) -> str:
    return (f"No batch of {dep.model.name} on {dep.chips} x {dep.hardware.name} fits and meets {slo_tps:g} tokens/s "
            "per user even at 128 tokens: add chips, use fewer bits or lower the speed target (`slo_tps`, 0 = none).")


def price_caption(kind: str, sweep, knee: dict, prices, rows: list[dict], suggested: float) -> str:
    """What the chart shows and why a provider would draw the line where it does, from the current numbers."""
    ctx = sweep.ctx_tokens
    row = sweep.usd_per_m_input[1] if kind == "input" else sweep.usd_per_m_output[1]
    ok = np.isfinite(row)
    lo, hi = row[ok][0], row[ok][-1]
    mult = prices.input_mult if kind == "input" else prices.output_mult
    if kind == "input":
        why = (f"An input token costs {fmt.usd(lo)} per 1M at 128 tokens and {fmt.usd(hi)} at "
               f"{fmt.tokens(ctx[ok][-1])}: flat until the input knee ({fmt.tokens(knee['input knee'])}), where "
               "attention FLOPs catch up with the weights' FLOPs, then growing with the prompt.")
    else:
        why = (f"An output token costs {fmt.usd(lo)} per 1M at 128 tokens and {fmt.usd(hi)} at {fmt.tokens(ctx[ok][-1])} "
               f"at the SLO batch: above the output knee ({fmt.tokens(knee['output knee'])}) KV reads outweigh weight "
               f"reads, and above the capacity knee ({fmt.tokens(knee['capacity knee'])}) memory, not speed, sets the "
               "batch, so the cost climbs with context.")
    line = (f" Priced at cost, the line goes where short and long requests subsidise each other least: "
            f"{fmt.tokens(suggested)}." if math.isfinite(suggested) else "")
    shown = [r for r in rows if math.isfinite(r["published_covers_cost"])]
    if shown:
        common = max({r["threshold_tokens"] for r in shown}, key=[r["threshold_tokens"] for r in shown].count)
        r = next(r for r in shown if r["threshold_tokens"] == common)  # the most common published threshold
        line += (f" {r['provider']} draws it at {r['threshold_tokens']:,} tokens with {fmt.ratio(r['published_input_x'])}"
                 f" / {fmt.ratio(r['published_output_x'])}; this model would need {fmt.ratio(r['this_model_input_x'])} / "
                 f"{fmt.ratio(r['this_model_output_x'])} there, and those multiples recover "
                 f"{r['published_covers_cost']:.0%} of the upper tier's cost.")
    return (f"{why} Green: the two tiers' break-even prices with the boundary at {prices.boundary_tokens:,.0f} tokens "
            f"({fmt.ratio(mult)}); orange lines: published thresholds.{line}")


def nearest_knee(threshold: float, knee: dict) -> str:
    """The knee closest (in ln context) to a published threshold, in words."""
    finite = {name: v for name, v in knee.items() if math.isfinite(v) and v > 0}
    if not finite:
        return ""
    name = min(finite, key=lambda n: abs(math.log(finite[n] / threshold)))
    return f" The {threshold:,.0f}-token threshold lines up best with this model's {name} ({fmt.tokens(finite[name])})."


def tier_table_caption(rows: list[dict], served_max: float, knee: dict) -> str:
    first = rows[0]
    model_at = (f"this model needs {fmt.ratio(first['this_model_input_x'])} input / "
                f"{fmt.ratio(first['this_model_output_x'])} output at the same boundary on this traffic"
                if math.isfinite(first["this_model_output_x"])
                else f"that boundary is beyond what this model serves ({fmt.tokens(served_max)})")
    same = [r for r in rows if (r["threshold_tokens"], r["published_input_x"], r["published_output_x"])
            == (first["threshold_tokens"], first["published_input_x"], first["published_output_x"])]
    names = " and ".join(sorted({r["provider"] for r in same}))
    covers = (f" Charged here, that tier would bring in {first['published_covers_cost']:.0%} of its requests' cost"
              if math.isfinite(first["published_covers_cost"]) else "")
    return (f"{names} charge {fmt.ratio(first['published_input_x'])} input / {fmt.ratio(first['published_output_x'])} "
            f"output above {first['threshold_tokens']:,} tokens; {model_at} (x = upper-tier price / lower-tier price, "
            f"each tier at its break-even price at the SLO batch).{covers} (published_covers_cost: upper-tier revenue "
            "at the published multiples of this model's lower-tier price / its cost; output tokens per request from "
            "DeepSeek's output/input token ratio)." + nearest_knee(first["threshold_tokens"], knee))


def implied_sentence(dep, pick: dict, result) -> str:
    def fraction(f, span, kind):
        if math.isfinite(f):
            return f"the {kind} multiplier needs **{f:.1%}** of the full-attention layers to keep the whole context"
        return (f"no fraction reproduces the {kind} multiplier (this deployment spans {fmt.ratio(span[0])} with no full "
                f"layer to {fmt.ratio(span[1])} as built)")
    return (f"To charge {fmt.ratio(pick['input_mult'])} / {fmt.ratio(pick['output_mult'])} above "
            f"{pick['threshold_tokens']:,.0f} tokens on {dep.chips} x {dep.hardware.name}, "
            f"{fraction(result.full_fraction_output, result.range_output, 'output')}, and "
            f"{fraction(result.full_fraction_input, result.range_input, 'input')}; the others become local layers "
            f"(same weights). Growing KV per token: **{fmt.bytes_(result.growing_kv_bytes_per_token)}** implied vs "
            f"{fmt.bytes_(result.model_growing_kv_bytes_per_token)} for {dep.model.name}. A larger memory pool (more chips) "
            "raises the capacity knee and lowers the output multiplier: change `chips` to see it.")
