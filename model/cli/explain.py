"""`python -m model explain KEY=VALUE ...`: per-op tables and every derived number of one scenario."""

from __future__ import annotations

from model.catalog.presets import load_catalog
from model.cli.common import format_cell, load_calibration_arg, table
from model.core.parallel import layout
from model.core.roofline import decode_step, prefill
from model.report import summary as report
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import resolve
from model.schema.scenario import SCENARIO_FIELDS


def parse_key_values(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key.strip() not in SCENARIO_FIELDS:
            raise ValueError(f"{pair!r}: expected key=value with a scenario key ({', '.join(SCENARIO_FIELDS)})")
        values[key.strip()] = value
    return values


def cmd_explain(args) -> int:
    catalog = load_catalog(args.presets)
    scenario = parse_scenario_strict(parse_key_values(args.pairs), catalog)
    dep = resolve(scenario, catalog, load_calibration_arg(args))
    columns = list(report.OP_TABLE_COLUMNS)
    eff = dep.efficiency
    lay = layout(dep, scenario.batch)
    experts = (f"; {lay.experts_phrase}, {lay.tokens_per_expert:,.1f} tokens per expert "
               f"per step, {lay.routing_text}" if dep.model.is_moe else "")
    print(f"{dep.model.name} on {dep.chips} x {dep.hardware.name} ({lay.label}; {lay.domains} scale-up domain(s) of "
          f"{lay.chips_per_domain}{experts}); weights {scenario.wbits}-bit, "
          f"KV {scenario.kvbits}-bit, compute {report.compute_dtype(dep)}; "
          f"mfu {eff.mfu:g}, weight bw {eff.weights_mbu:g}, KV bw {eff.kv_mbu:g}; "
          f"${dep.usd_per_chip_hour:g}/chip-hour")
    print(f"\nPREFILL: one prompt of {scenario.prompt} tokens")
    print(table(report.op_rows(prefill(dep, scenario.prompt)), columns))
    print(f"\nDECODE STEP: batch {scenario.batch} at context {scenario.ctx} tokens")
    print(table(report.op_rows(decode_step(dep, scenario.batch, scenario.ctx)), columns))
    print("\nDERIVED")
    units = {c.name: c for c in report.OUTPUT_COLUMNS}
    for name, value in report.summarize(scenario, dep).items():
        print(f"  {name:24s} {format_cell(value):>14s} {units[name].unit:14s} {units[name].doc}")
    return 0


def add_parser(sub) -> None:
    e = sub.add_parser("explain", help="per-op tables and derived numbers for one scenario")
    e.add_argument("pairs", nargs="*", help="key=value scenario keys, e.g. hw=h100-sxm batch=64")
    e.add_argument("--calibration", help="calibration JSON from `calibrate`")
    e.set_defaults(handler=cmd_explain)
