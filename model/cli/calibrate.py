"""`python -m model calibrate measurements.csv -o calibration.json`: fit efficiencies per hardware.

    python -m model calibrate measurements.csv -o calibration.json [--hw ID ...] [--framework TEXT]
                             [--params mfu,attention_mfu,weights_mbu,kv_mbu,kernel_s]
"""

from __future__ import annotations

import sys

from model.calibration import fit as cal
from model.calibration.measurements import select
from model.calibration.parameters import PARAMETERS
from model.catalog.presets import load_catalog
from model.cli.common import open_output, table
from model.cli.validate import read_measurement_rows
from model.schema.resolve import calibration_key
from model.schema.scenario import CUSTOM


def _parse_params(text: str) -> tuple[str, ...]:
    params = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in params if p not in PARAMETERS]
    if unknown or not params:
        raise ValueError(f"--params: {', '.join(unknown) or 'empty'}; use some of {', '.join(PARAMETERS)}")
    return params


def _print_fit(fit: cal.HardwareFit) -> None:
    print(f"\n{fit.hw}: {len(fit.row_ids)} rows, fitted in {fit.seconds * 1e3:.0f} ms")
    rows = []
    se = fit.conditioning.as_dict()["relative_se"] if fit.conditioning else {}
    for name in PARAMETERS:
        value = fit.report()["default"][name] if name not in fit.fitted else getattr(fit.efficiency, name)
        status = "fitted" if name in fit.fitted else ("refused" if name in fit.refused else "not asked")
        if name in fit.at_bound():
            status = "fitted (at bound)"
        rows.append({"parameter": name, "default": fit.report()["default"][name], "value": value,
                     "rel_se_%": 100 * se[name] if name in se else "", "status": status})
    print(table(rows, ["parameter", "default", "value", "rel_se_%", "status"]))
    print(f"  |error %| median {fit.before['median_abs_error_pct']:.1f} -> {fit.after['median_abs_error_pct']:.1f}, "
          f"max {fit.before['max_abs_error_pct']:.1f} -> {fit.after['max_abs_error_pct']:.1f}")
    for name, reason in fit.refused.items():
        print(f"refused {fit.hw} {name}: {reason}", file=sys.stderr)


def _command(args) -> str:
    """The calibrate command line that reproduces a fit (recorded in the JSON)."""
    parts = ["python -m model calibrate", args.measurements, "-o", args.output]
    parts += [f"--hw {hw}" for hw in args.hw or []]
    parts += [f"--framework '{args.framework}'"] if args.framework else []
    parts += [f"--params {args.params}"] if args.params != ",".join(PARAMETERS) else []
    return " ".join(parts)


def cmd_calibrate(args) -> int:
    catalog = load_catalog(args.presets)
    params = _parse_params(args.params)
    measurements, messages = read_measurement_rows(args, catalog)
    usable = select(measurements, args.framework)
    if args.hw:
        usable = [m for m in usable if calibration_key(m.scenario) in args.hw]
    custom = [m.id for m in usable if calibration_key(m.scenario) == CUSTOM]
    if custom:
        messages.append(f"hw=custom rows ({', '.join(custom)}): hw_name: required when hw=custom (the name the "
                        "calibration of that chip is stored under, e.g. my-gpu)")
        print(messages[-1], file=sys.stderr)
        usable = [m for m in usable if calibration_key(m.scenario) != CUSTOM]
    named = {calibration_key(m.scenario) for m in usable if m.scenario.hw == CUSTOM} & set(catalog.hardware)
    if named:
        raise ValueError(f"hw_name: {', '.join(sorted(named))} is a hardware preset id; name a custom chip otherwise")
    if not usable:
        raise ValueError(f"{args.measurements}: no usable rows (after --hw/--framework filters)")
    provenance = {"command": _command(args), "measurements": args.measurements,
                  "definitions": "model/calibration/measurements.py; error % = (predicted - measured) / measured"}
    calibration, fits = cal.calibrate(usable, catalog, params, provenance)
    for fit in fits:
        _print_fit(fit)
    if not calibration.efficiencies:
        raise ValueError("no parameter could be fitted on any hardware (see the refusals above)")
    with open_output(args.output) as handle:
        handle.write(calibration.to_json())
    print(f"\nwrote {args.output} ({', '.join(calibration.efficiencies)})", file=sys.stderr)
    return 1 if messages else 0


def add_parser(sub) -> None:
    c = sub.add_parser("calibrate", help="fit efficiencies per hardware to measurements; write a calibration JSON")
    c.add_argument("measurements", help="measurements CSV: scenario keys, phase, measured_ms or tokens_per_s")
    c.add_argument("-o", "--output", required=True, help="calibration JSON to write")
    c.add_argument("--hw", action="append", help="fit only this hardware id, or custom chip's hw_name (repeatable)")
    c.add_argument("--framework", help="use only rows whose framework contains this text")
    c.add_argument("--params", default=",".join(PARAMETERS), help="parameters to fit (default: %(default)s)")
    c.set_defaults(handler=cmd_calibrate)

