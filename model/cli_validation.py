"""Command line for issue 4: `validate` (model beside measurements) and `calibrate` (fit efficiencies).

    python -m model validate [measurements.csv] [--calibration cal.json | --leave-one-model-out]
                             [--framework TEXT] [-o out.csv]
    python -m model calibrate measurements.csv -o calibration.json [--hw ID ...] [--framework TEXT]
                             [--params compute,weights_bw,kv_bw,layer_overhead_s]

Row formats and definitions: model/validation.py; the fit: model/calibration.py.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from . import calibration as cal
from . import validation as val
from .cli import _table, format_cell, load_calibration_arg
from .presets import load_catalog
from .scenario import CUSTOM

TABLE_COLUMNS = ("id", "hw", "model", "chips", "batch", "prompt", "out", "phase", "quantity", "measured",
                 "predicted", "error_pct")
SUMMARY_GROUPS = ("phase", "hw", "model", None)


def _measurements(args, catalog) -> tuple[list[val.Measurement], list[str]]:
    path = args.measurements or str(Path(args.presets) / "measurements.csv")
    measurements, messages = val.read_measurements(path, catalog)
    for message in messages:
        print(message, file=sys.stderr)
    return measurements, messages


def _filtered(measurements, framework):
    """Excluded rows, plus usable rows whose framework contains `framework` (all when None)."""
    keep = {id(m) for m in val.select(measurements, framework)}
    return [m for m in measurements if m.excluded or id(m) in keep]


def _summary_rows(default_rows, adjusted_rows, label: str) -> list[dict]:
    out = []
    for by in SUMMARY_GROUPS:
        adjusted = {r["group"]: r for r in val.error_summary(adjusted_rows, by)} if adjusted_rows else {}
        for row in val.error_summary(default_rows, by):
            entry = {"by": by or "all", "group": row["group"], "n": row["n"],
                     "median_abs_%": row["median_abs_error_pct"], "max_abs_%": row["max_abs_error_pct"]}
            if adjusted_rows:
                other = adjusted.get(row["group"], {})
                entry[f"median_abs_% {label}"] = other.get("median_abs_error_pct", float("nan"))
                entry[f"max_abs_% {label}"] = other.get("max_abs_error_pct", float("nan"))
            out.append(entry)
    return out


def _write_rows(path: str, rows: list[val.ValidationRow], defaults: list[val.ValidationRow] | None) -> None:
    columns = list(val.VALIDATION_COLUMNS) + (["predicted_default", "error_pct_default"] if defaults else [])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for index, row in enumerate(rows):
            record = row.as_dict()
            if defaults:
                record.update(predicted_default=defaults[index].predicted or "",
                              error_pct_default=defaults[index].error_pct or "")
            writer.writerow({k: format_cell(v) if v != "" else "" for k, v in record.items()})


def cmd_validate(args) -> int:
    catalog = load_catalog(args.presets)
    measurements, messages = _measurements(args, catalog)
    measurements = _filtered(measurements, args.framework)
    calibration = load_calibration_arg(args)
    defaults = val.validate(measurements, catalog)
    adjusted, label = None, ""
    if args.leave_one_model_out:
        adjusted, label = cal.leave_one_model_out(measurements, catalog), "leave-one-model-out"
    elif calibration is not None:
        adjusted, label = val.validate(measurements, catalog, calibration), "calibrated"
    shown = adjusted or defaults
    print(f"MODEL vs MEASUREMENTS ({label or 'default efficiencies'}; error % = (predicted - measured) / measured)")
    print(_table([r.as_dict() for r in shown if r.predicted is not None], list(TABLE_COLUMNS)))
    print(f"\nERRORS (|error %|; default efficiencies{' vs ' + label if label else ''})")
    summary = _summary_rows(defaults, adjusted, label)
    print(_table(summary, list(summary[0])) if summary else "  no rows predicted")
    print("\nEXCLUDED")
    for group in val.exclusion_summary(measurements):
        ids = ", ".join(group["ids"][:6]) + (", ..." if group["n"] > 6 else "")
        print(f"  {group['n']:3d} row{'s' if group['n'] > 1 else ' '} ({ids}): {group['reason']}")
    if args.output:
        try:
            _write_rows(args.output, shown, defaults if adjusted else None)
        except OSError as exc:
            raise ValueError(f"{args.output}: cannot write ({exc.strerror})") from None
        print(f"wrote {len(shown)} rows to {args.output}", file=sys.stderr)
    return 1 if messages else 0


def _parse_params(text: str) -> tuple[str, ...]:
    params = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in params if p not in cal.PARAMETERS]
    if unknown or not params:
        raise ValueError(f"--params: {', '.join(unknown) or 'empty'}; use some of {', '.join(cal.PARAMETERS)}")
    return params


def _print_fit(fit: cal.HardwareFit) -> None:
    print(f"\n{fit.hw}: {len(fit.row_ids)} rows, fitted in {fit.seconds * 1e3:.0f} ms")
    rows = []
    for name in cal.PARAMETERS:
        value = getattr(fit.efficiency, name)
        status = "fitted" if name in fit.fitted else ("refused" if name in fit.refused else "not asked")
        if name in fit.at_bound():
            status = "fitted (at bound)"
        rows.append({"parameter": name, "default": getattr(fit.default, name), "value": value, "status": status})
    print(_table(rows, ["parameter", "default", "value", "status"]))
    print(f"  |error %| median {fit.before['median_abs_error_pct']:.1f} -> {fit.after['median_abs_error_pct']:.1f}, "
          f"max {fit.before['max_abs_error_pct']:.1f} -> {fit.after['max_abs_error_pct']:.1f}")
    for name, reason in fit.refused.items():
        print(f"refused {fit.hw} {name}: {reason}", file=sys.stderr)


def _command(args) -> str:
    """The calibrate command line that reproduces a fit (recorded in the JSON)."""
    parts = ["python -m model calibrate", args.measurements, "-o", args.output]
    parts += [f"--hw {hw}" for hw in args.hw or []]
    parts += [f"--framework '{args.framework}'"] if args.framework else []
    parts += [f"--params {args.params}"] if args.params != ",".join(cal.PARAMETERS) else []
    return " ".join(parts)


def cmd_calibrate(args) -> int:
    catalog = load_catalog(args.presets)
    params = _parse_params(args.params)
    measurements, messages = _measurements(args, catalog)
    usable = val.select(measurements, args.framework)
    if args.hw:
        usable = [m for m in usable if m.scenario.hw in args.hw]
    custom = [m.id for m in usable if m.scenario.hw == CUSTOM]
    if custom:
        messages.append(f"hw=custom rows ({', '.join(custom)}): hw: custom hardware is not calibrated (a "
                        "calibration is stored per hardware preset id)")
        print(messages[-1], file=sys.stderr)
        usable = [m for m in usable if m.scenario.hw != CUSTOM]
    if not usable:
        raise ValueError(f"{args.measurements}: no usable rows (after --hw/--framework filters)")
    provenance = {"command": _command(args), "measurements": args.measurements,
                  "definitions": "model/validation.py; error % = (predicted - measured) / measured"}
    calibration, fits = cal.calibrate(usable, catalog, params, provenance)
    for fit in fits:
        _print_fit(fit)
    if not calibration.efficiencies:
        raise ValueError("no parameter could be fitted on any hardware (see the refusals above)")
    try:
        cal.save_calibration(calibration, args.output)
    except OSError as exc:
        raise ValueError(f"{args.output}: cannot write ({exc.strerror})") from None
    print(f"\nwrote {args.output} ({', '.join(calibration.efficiencies)})", file=sys.stderr)
    return 1 if messages else 0


def add_parsers(sub) -> None:
    """Register `validate` and `calibrate` on the main parser's subcommands."""
    v = sub.add_parser("validate", help="the model beside measurements: table, errors by hardware and model")
    v.add_argument("measurements", nargs="?", help="measurements CSV (default: presets/measurements.csv)")
    which = v.add_mutually_exclusive_group()
    which.add_argument("--calibration", help="calibration JSON from `calibrate`")
    which.add_argument("--leave-one-model-out", action="store_true",
                       help="predict each model with a calibration fitted on the other models of its hardware")
    v.add_argument("--framework", help="use only rows whose framework contains this text")
    v.add_argument("-o", "--output", help="write every row with prediction and error to this CSV")
    v.set_defaults(handler=cmd_validate)
    c = sub.add_parser("calibrate", help="fit efficiencies per hardware to measurements; write a calibration JSON")
    c.add_argument("measurements", help="measurements CSV: scenario keys, phase, measured_ms or tokens_per_s")
    c.add_argument("-o", "--output", required=True, help="calibration JSON to write")
    c.add_argument("--hw", action="append", help="fit only this hardware id (repeatable)")
    c.add_argument("--framework", help="use only rows whose framework contains this text")
    c.add_argument("--params", default=",".join(cal.PARAMETERS), help="parameters to fit (default: %(default)s)")
    c.set_defaults(handler=cmd_calibrate)

