"""Print the long-context note's tables (docs/long_context_note.md): for each published long-context
tier in presets/api_prices.csv, the model's suggested boundary and its multipliers at the published
boundary on open architectures and deployments, the closest one, and what that one would need
(the tier a price implies). Run from the repository root:

    .venv/bin/python -m scripts.long_context_note

Every number comes from model/pricing (knees, traffic, implied_tier) at the default speed target and
traffic of presets/long_context.csv.
"""

from __future__ import annotations

import math

import numpy as np

from model import load_catalog, parse_scenario_strict, resolve
from model.pricing import implied_tier as it
from model.pricing import knees
from model.pricing import traffic as tr
from model.pricing.context_tiers import context_sweep
from model.pricing.published import published_tiers

TOP_TOKENS = 1_048_576  # every sweep runs to 1M tokens (beyond a model's maximum it is extrapolated)
CANDIDATES = {  # open architecture on a deployment that holds its weights with room for long contexts
    "Qwen3-235B-2507, full GQA, 8x H200 FP8": {"preset": "long-context-200k"},
    "Qwen3-Coder-480B, full GQA, 8x B200 FP8": {"model": "qwen3-coder-480b-a35b", "hw": "b200", "wbits": "8"},
    "Kimi-K2-0905, MLA, 8x B200 FP8, DP attention": {"model": "kimi-k2-0905", "hw": "b200", "wbits": "8",
                                                     "dp_attn": "true"},
    "DeepSeek-V3.2-Exp, sparse, 8x H200 FP8, DP attention": {"model": "deepseek-v3.2-exp", "hw": "h200", "wbits": "8",
                                                            "dp_attn": "true"},
    "Llama 4 Scout, chunked, 8x H100": {"model": "llama-4-scout", "hw": "h100-sxm"},
    "Qwen3-Next-80B, hybrid linear, 4x H200": {"model": "qwen3-next-80b-a3b", "hw": "h200", "chips": "4"},
    "Kimi-Linear-48B, hybrid linear, 2x H200": {"model": "kimi-linear-48b-a3b", "hw": "h200", "chips": "2"},
    "MiniMax-M1, hybrid lightning, 8x H200 FP8": {"model": "minimax-m1-80k", "hw": "h200", "wbits": "8"},
    "Kimi-K2-0905, MLA, 72x GB200 (rack) FP8, DP attention": {"model": "kimi-k2-0905", "hw": "gb200", "chips": "72",
                                                             "wbits": "8", "dp_attn": "true"},
    "DeepSeek-V3.2-Exp, sparse, 72x GB200 (rack) FP8, DP attention": {"model": "deepseek-v3.2-exp", "hw": "gb200",
                                                                     "chips": "72", "wbits": "8", "dp_attn": "true"},
}


def distance(model_in: float, model_out: float, pub_in: float, pub_out: float) -> float:
    """How far the model's multipliers are from the published ones (sum of |log ratios|)."""
    if not all(math.isfinite(v) and v > 0 for v in (model_in, model_out)):
        return math.inf
    return abs(math.log(model_in / pub_in)) + abs(math.log(model_out / pub_out))


def cost_share_above(traffic, cin, cout, boundary: float, per_input: float) -> float:
    """Share of all requests' cost that the requests above `boundary` account for."""
    ok = np.isfinite(cin) & np.isfinite(cout)
    out_tokens = per_input * float(np.sum(traffic.requests * traffic.ctx_tokens))
    per_request = traffic.ctx_tokens * np.nan_to_num(cin) + out_tokens * np.nan_to_num(cout)
    cost = np.where(ok, traffic.requests * per_request, 0.0)
    return float(cost[traffic.ctx_tokens > boundary].sum() / cost.sum())


def main() -> None:
    catalog = load_catalog()
    defaults = tr.tier_defaults()
    median, sigma = defaults["traffic_median_tokens"], defaults["traffic_sigma"]
    target = knees.tpot_target_s(defaults["slo_tps"])
    per_input = defaults["output_per_input_token"]
    runs = {}
    print(f"SLO {defaults['slo_tps']:g} tokens/s per user; traffic log-normal median {median:,.0f}, sigma {sigma:g}\n")
    print("| deployment | input knee | capacity knee | suggested boundary | in x / out x there | in x / out x at 200k "
          "| 2x / 1.5x at 200k covers | flat price covers | cost share above 200k |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, keys in CANDIDATES.items():
        dep = resolve(parse_scenario_strict(keys, catalog), catalog)
        sweep = context_sweep(dep, 1, TOP_TOKENS, 97, target)
        traffic = tr.lognormal(sweep.ctx_tokens, median, sigma)
        cin, cout = sweep.usd_per_m_input[1], sweep.usd_per_m_output[1]
        runs[name] = (dep, traffic, cin, cout)
        best = tr.suggested_boundary(traffic, cin, cout)
        at_best, at_200k = tr.tier_prices(traffic, cin, cout, best), tr.tier_prices(traffic, cin, cout, 200_000)
        print(f"| {name} | {knees.input_knee_tokens(dep):,.0f} | {knees.capacity_knee_tokens(dep, target):,.0f} | "
              f"{best:,.0f} | {at_best.input_mult:.2f} / {at_best.output_mult:.1f} | "
              f"{at_200k.input_mult:.2f} / {at_200k.output_mult:.1f} | "
              f"{tr.upper_tier_coverage(traffic, cin, cout, 200_000, 2.0, 1.5, per_input):.0%} | "
              f"{tr.upper_tier_coverage(traffic, cin, cout, 200_000, 1.0, 1.0, per_input):.0%} | "
              f"{cost_share_above(traffic, cin, cout, 200_000, per_input):.2%} |")
    print("\n| published tier | closest deployment | model in x / out x at that boundary | "
          "published tier covers (upper-tier revenue / cost) | full-attention fraction implied (out / in) | "
          "growing KV B/token implied / model |")
    print("|---|---|---|---|---|---|")
    for tier in published_tiers(catalog.api_prices):
        t, pin, pout = tier["threshold_tokens"], tier["input_mult"], tier["output_mult"]
        scored = []
        for name, (_, traffic, cin, cout) in runs.items():
            p = tr.tier_prices(traffic, cin, cout, t)
            scored.append((distance(p.input_mult, p.output_mult, pin, pout), name, p))
        _, name, p = min(scored)
        dep = runs[name][0]
        imp = it.implied_tier(dep, t, pin, pout, target, median, sigma, TOP_TOKENS)
        _, traffic, cin, cout = runs[name]
        cover = tr.upper_tier_coverage(traffic, cin, cout, t, pin, pout, per_input)
        print(f"| {tier['provider']} {tier['model']}: {pin:g}x / {pout:g}x above {t:,.0f} | {name} | "
              f"{p.input_mult:.2f} / {p.output_mult:.1f} | {cover:.0%} | "
              f"{imp.full_fraction_output:.3f} / {imp.full_fraction_input:.3f} | "
              f"{imp.growing_kv_bytes_per_token:,.0f} / {imp.model_growing_kv_bytes_per_token:,.0f} |")


if __name__ == "__main__":
    main()
