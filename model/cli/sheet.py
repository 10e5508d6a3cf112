"""`python -m model sheet KEY=VALUE ... [--csv | --markdown]`: the price sheet of one scenario, one row per tier.

Keys are scenario keys plus the sheet's inputs (`model.pricing.sheet_inputs.SHEET_FIELDS`: `margin`,
`util`, `basis`, the tier targets, the workload mix and the ownership overrides).
"""

from __future__ import annotations

import csv
import sys

from model.catalog.presets import load_catalog
from model.cli.common import format_cell, load_calibration_arg, table
from model.pricing import market, sheet_text
from model.pricing.sheet import SHEET_COLUMNS, Workload, price_sheet, sheet_table
from model.pricing.sheet_inputs import SHEET_FIELDS, parse_sheet_inputs
from model.pricing.traffic import tier_defaults
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import ScenarioError, resolve
from model.schema.scenario import SCENARIO_FIELDS

SHORT_COLUMNS = ("tier", "batch", "ttft_ms", "tpot_ms", "usd_per_m_input", "usd_per_m_cached_input", "usd_per_m_output",
                 "usd_per_m_token_hour", "cost_usd_per_m_input", "cost_usd_per_m_output", "break_even_util", "status")


def split_pairs(pairs: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(scenario keys, sheet keys) from KEY=VALUE pairs; ValueError naming an unknown key."""
    scenario, inputs = {}, {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or (key not in SCENARIO_FIELDS and key not in SHEET_FIELDS):
            raise ValueError(f"{pair[:60]!r}: expected key=value with a scenario key or a sheet key "
                             f"({', '.join(SHEET_FIELDS)})")
        (scenario if key in SCENARIO_FIELDS else inputs)[key] = value
    return scenario, inputs


def build(pairs: list[str], presets, calibration=None):
    """(scenario, deployment, inputs, sheet) for the pairs; ScenarioError / FieldError on a bad key."""
    catalog = load_catalog(presets)
    raw_scenario, raw_inputs = split_pairs(pairs)
    scenario = parse_scenario_strict(raw_scenario, catalog)
    inputs, errors = parse_sheet_inputs(raw_inputs)
    if errors:
        raise ScenarioError(errors)
    dep = resolve(scenario, catalog, calibration)
    ownership = inputs.ownership(catalog.ownership.get(scenario.hw), scenario.hw) if inputs.basis == "own" else None
    sheet = price_sheet(dep, Workload(scenario.prompt, scenario.ctx, scenario.batch), inputs, ownership,
                        tier_defaults(presets))
    return catalog, scenario, dep, inputs, sheet


def cmd_sheet(args) -> int:
    catalog, scenario, dep, inputs, sheet = build(args.pairs, args.presets, load_calibration_arg(args))
    rows = sheet_table(sheet)
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(SHEET_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: format_cell(r[c]) for c in SHEET_COLUMNS} for r in rows)
        return 0
    wl = Workload(scenario.prompt, scenario.ctx, scenario.batch)
    paragraphs = sheet_text.ratio_paragraphs(sheet, dep, wl, market.published_ratio_summary(catalog.api_prices))
    assumptions = sheet_text.sheet_assumptions(sheet, dep, inputs)
    if args.markdown:
        print(sheet_text.markdown_sheet("Price sheet", rows, paragraphs, assumptions))
        return 0
    for line in assumptions:
        print(line)
    print()
    print(table(rows, list(SHORT_COLUMNS)))
    print("\nRATIOS")
    for name, text in paragraphs.items():
        print(f"  {name}: {text}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("sheet", help="the price sheet of one scenario: one row per tier, costs and prices")
    p.add_argument("pairs", nargs="*", help="key=value: scenario keys and sheet keys (margin, util, basis, std_tps, ...)")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--csv", action="store_true", help="every column as CSV on stdout")
    form.add_argument("--markdown", action="store_true", help="the sheet with its ratios as Markdown")
    p.add_argument("--calibration", help="calibration JSON from `calibrate`")
    p.set_defaults(handler=cmd_sheet)


