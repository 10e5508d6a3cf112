"""`python -m model validate [measurements.csv]`: the model beside published measurements.

    python -m model validate [measurements.csv] [--calibration cal.json | --leave-one-model-out |
                             --train-models A,B --test-models C] [--framework TEXT] [-o out.csv]

Row formats and definitions: `model.calibration.measurements`; error % = (predicted - measured) / measured.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from model.calibration import transfer
from model.calibration import validate as val
from model.calibration.measurements import Measurement, read_measurements, select
from model.catalog.presets import load_catalog
from model.cli.common import format_cell, load_calibration_arg, open_output, spreadsheet_safe, table

TABLE_COLUMNS = ("id", "hw", "model", "chips", "batch", "prompt", "out", "phase", "quantity", "measured",
                 "predicted", "error_pct")


SUMMARY_GROUPS = ("phase", "hw", "model", None)


def read_measurement_rows(args, catalog) -> tuple[list[Measurement], list[str]]:
    path = args.measurements or str(Path(args.presets) / "measurements.csv")
    notes: list[str] = []
    measurements, messages = read_measurements(path, catalog, notes)
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    for message in messages:
        print(message, file=sys.stderr)
    return measurements, messages


def _filtered(measurements, framework):
    """Excluded rows, plus usable rows whose framework contains `framework` (all when None)."""
    keep = {id(m) for m in select(measurements, framework)}
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
    with open_output(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for index, row in enumerate(rows):
            record = row.as_dict()
            if defaults:
                record.update(predicted_default=defaults[index].predicted or "",
                              error_pct_default=defaults[index].error_pct or "")
            writer.writerow({k: spreadsheet_safe(format_cell(v)) if v != "" else "" for k, v in record.items()})


def _models(text: str | None, flag: str) -> tuple[str, ...]:
    models = tuple(x.strip() for x in (text or "").split(",") if x.strip())
    if text is not None and not models:
        raise ValueError(f"{flag}: empty; give comma-separated model ids")
    return models


def cmd_validate(args) -> int:
    catalog = load_catalog(args.presets)
    measurements, messages = read_measurement_rows(args, catalog)
    measurements = _filtered(measurements, args.framework)
    calibration = load_calibration_arg(args)
    train, test = _models(args.train_models, "--train-models"), _models(args.test_models, "--test-models")
    if bool(train) != bool(test):
        raise ValueError("--train-models and --test-models: give both (comma-separated model ids)")
    if test:
        measurements = [m for m in measurements if m.excluded or (not m.is_micro and m.scenario.model in test)
                        or m.is_micro or m.scenario.model in train]
    defaults = val.validate(measurements, catalog)
    adjusted, label = None, ""
    if test:
        by_id = {id(r.measurement): r for r in transfer.train_test(measurements, catalog, train, test)}
        keep = [i for i, m in enumerate(measurements) if id(m) in by_id]
        defaults = [defaults[i] for i in keep]
        adjusted, label = [by_id[id(measurements[i])] for i in keep], f"fitted on {','.join(train)}"
    elif args.leave_one_model_out:
        adjusted, label = transfer.leave_one_model_out(measurements, catalog), "leave-one-model-out"
    elif calibration is not None:
        adjusted, label = val.validate(measurements, catalog, calibration), "calibrated"
    shown = adjusted or defaults
    print(f"MODEL vs MEASUREMENTS ({label or 'default efficiencies'}; error % = (predicted - measured) / measured)")
    print(table([r.as_dict() for r in shown if r.predicted is not None], list(TABLE_COLUMNS)))
    print(f"\nERRORS (|error %|; default efficiencies{' vs ' + label if label else ''})")
    summary = _summary_rows(defaults, adjusted, label)
    print(table(summary, list(summary[0])) if summary else "  no rows predicted")
    print("\nEXCLUDED")
    for group in val.exclusion_summary(measurements):
        ids = ", ".join(group["ids"][:6]) + (", ..." if group["n"] > 6 else "")
        print(f"  {group['n']:3d} row{'s' if group['n'] > 1 else ' '} ({ids}): {group['reason']}")
    if args.output:
        _write_rows(args.output, shown, defaults if adjusted else None)
        print(f"wrote {len(shown)} rows to {args.output}", file=sys.stderr)
    return 1 if messages else 0


def add_parser(sub) -> None:
    v = sub.add_parser("validate", help="the model beside measurements: table, errors by hardware and model")
    v.add_argument("measurements", nargs="?", help="measurements CSV (default: presets/measurements.csv)")
    which = v.add_mutually_exclusive_group()
    which.add_argument("--calibration", help="calibration JSON from `calibrate`")
    which.add_argument("--leave-one-model-out", action="store_true",
                       help="predict each model with a calibration fitted on the other models of its hardware")
    which.add_argument("--train-models", help="fit per hardware on these models' rows (comma-separated ids) ...")
    v.add_argument("--test-models", help="... and predict these models' rows with that fit")
    v.add_argument("--framework", help="use only rows whose framework contains this text")
    v.add_argument("-o", "--output", help="write every row with prediction and error to this CSV")
    v.set_defaults(handler=cmd_validate)
