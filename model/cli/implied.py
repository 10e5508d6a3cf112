"""`python -m model implied-tier KEY=VALUE ... --boundary T --input-mult X --output-mult Y`: what a
deployment needs to reproduce a published long-context tier (model/pricing/implied_tier.py, F160–F161)."""

from __future__ import annotations

import math

from model.catalog.presets import load_catalog
from model.cli.common import format_cell, table
from model.cli.explain import parse_key_values
from model.pricing import implied_tier as it
from model.pricing.knees import tpot_target_s
from model.pricing.traffic import tier_defaults
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import resolve


def cmd_implied(args) -> int:
    catalog = load_catalog(args.presets)
    scenario = parse_scenario_strict(parse_key_values(args.pairs), catalog)
    dep = resolve(scenario, catalog)
    defaults = tier_defaults(args.presets)
    median = args.median or defaults["traffic_median_tokens"]
    sigma = args.sigma or defaults["traffic_sigma"]
    target = tpot_target_s(scenario.slo_tps)
    result = it.implied_tier(dep, args.boundary, args.input_mult, args.output_mult, target, median, sigma)
    print(f"{dep.model.name} ({dep.model.attention_pattern}) on {dep.chips} x {dep.hardware.name}, "
          f"SLO {scenario.slo_tps:g} tokens/s per user, traffic log-normal median {median:,.0f} sigma {sigma:g}")
    print(f"published tier: above {args.boundary:,.0f} tokens, input {args.input_mult:g}x, output {args.output_mult:g}x")
    for kind, f, span in (("output", result.full_fraction_output, result.range_output),
                          ("input", result.full_fraction_input, result.range_input)):
        reach = f"{span[0]:.3g}x (no full layer) … {span[1]:.3g}x (as built)"
        found = f"{f:.3g} of the full-attention layers keep the whole context" if math.isfinite(f) else "no fraction in [0, 1]"
        print(f"  {kind} multiplier: model spans {reach}; {found}")
    print(f"  growing KV bytes per token: implied {format_cell(result.growing_kv_bytes_per_token)} B, "
          f"this model {format_cell(result.model_growing_kv_bytes_per_token)} B (all chips)")
    deployments = {}
    for model_id in catalog.models:
        deployments[model_id] = resolve(scenario.replace(model=model_id, preset=None), catalog)
    rows = it.presets_in_set(result, deployments)
    print(table(rows, ["model", "attention", "growing_kv_bytes_per_token", "in_implied_set"]))
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("implied-tier", help="what a deployment needs to reproduce a published long-context tier")
    p.add_argument("pairs", nargs="*", help="key=value scenario keys (the deployment), e.g. hw=h200 model=qwen3-next-80b-a3b")
    p.add_argument("--boundary", type=float, required=True, help="tier boundary, tokens (e.g. 200000)")
    p.add_argument("--input-mult", type=float, required=True, help="published input multiplier above it (e.g. 2)")
    p.add_argument("--output-mult", type=float, required=True, help="published output multiplier above it (e.g. 1.5)")
    p.add_argument("--median", type=float, help="traffic: median prompt, tokens (default presets/long_context.csv)")
    p.add_argument("--sigma", type=float, help="traffic: sigma of ln prompt (default presets/long_context.csv)")
    p.set_defaults(handler=cmd_implied)
