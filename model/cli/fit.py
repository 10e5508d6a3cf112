"""`python -m model fit KEY=VALUE ...`: the chips and tp/ep layout a model needs, with each chip's HBM."""

from __future__ import annotations

from model.catalog.presets import load_catalog
from model.cli.common import table
from model.cli.explain import parse_key_values
from model.core.memory_fit import FIT_COLUMNS, around_first_fit, fit_plans, memory_breakdown, plan_rows, smallest_fit
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import resolve


def cmd_fit(args) -> int:
    catalog = load_catalog(args.presets)
    scenario = parse_scenario_strict(parse_key_values(args.pairs), catalog)
    dep = resolve(scenario, catalog)
    plans = fit_plans(dep, scenario.batch, scenario.ctx, args.max_chips)
    best = smallest_fit(plans)
    print(f"{dep.model.name} on {dep.hardware.name} ({dep.hardware.hbm_bytes / 1e9:g} GB each): weights "
          f"{scenario.wbits}-bit, KV {scenario.kvbits}-bit, {scenario.batch} sequences at {scenario.ctx} tokens")
    print(table(plan_rows(around_first_fit(plans)), list(FIT_COLUMNS)))
    own = memory_breakdown(dep, scenario.batch, scenario.ctx)
    print(f"\nthis scenario's layout: {own.chips} chips, {own.layout}: weights {own.weights_bytes / 1e9:.1f} GB + "
          f"KV {own.kv_bytes / 1e9:.1f} GB per chip, {own.free_bytes / 1e9:.1f} GB free ({'fits' if own.fits else 'does not fit'})")
    if best is None:
        print(f"\nno layout of up to {args.max_chips} chips fits")
        return 1
    print(f"\nsmallest fit: {best.chips} chips, {best.layout} ({best.free_bytes / 1e9:.1f} GB free per chip)")
    return 0


def add_parser(sub) -> None:
    f = sub.add_parser("fit", help="chips and tp/ep layout a model needs, with the HBM per chip")
    f.add_argument("pairs", nargs="*", help="key=value scenario keys, e.g. model=deepseek-v3 hw=h800 wbits=8 batch=256")
    f.add_argument("--max-chips", type=int, default=1024, help="largest replica tried (default: %(default)s)")
    f.set_defaults(handler=cmd_fit)
