"""`python -m model fleet`: the model beside published fleet figures, and what moves each answer."""

from __future__ import annotations

from model.catalog.presets import load_catalog
from model.cli.common import table
from model.report.fleet import FLEET_CHECKS, fleet_rows, sensitivity


def cmd_fleet(args) -> int:
    catalog = load_catalog(args.presets)
    print(table(fleet_rows(catalog), ["scenario", "metric", "published", "predicted", "error_pct", "basis",
                                             "implied_utilisation_pct", "source"]))
    for check in FLEET_CHECKS:
        print(f"\n{check.scenario}, {check.unit}: one assumption changed at a time")
        print(table(sensitivity(catalog, check), ["change", "predicted", "vs_base_pct"]))
    return 0


def add_parser(sub) -> None:
    f = sub.add_parser("fleet", help="the model beside DeepSeek's and NVIDIA's published fleet figures")
    f.set_defaults(handler=cmd_fleet)
