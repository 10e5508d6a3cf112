"""`python -m model predict scenarios.csv -o out.csv`: every output column for each CSV row."""

from __future__ import annotations

import csv
import sys

from model.base.fields import FieldError
from model.catalog.csv_rows import read_scenario_csv
from model.catalog.presets import load_catalog
from model.cli.common import format_cell, load_calibration_arg, open_output
from model.report import summary as report
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import ScenarioError, resolve

ERROR_COLUMN = "error"


def predict_rows(rows: list[dict], catalog, calibration=None) -> tuple[list[dict], list[str]]:
    """Each input row plus every output column; a bad row gets an `error` cell and a message."""
    out, messages = [], []
    for index, row in enumerate(rows, start=1):
        result = dict(row)
        try:
            scenario = parse_scenario_strict(row, catalog)
            result.update({k: format_cell(v) for k, v in report.summarize(scenario, resolve(scenario, catalog, calibration)).items()})
            result[ERROR_COLUMN] = ""
        except (ScenarioError, FieldError, ValueError) as exc:
            result[ERROR_COLUMN] = str(exc)
            messages.append(f"row {index} (line {index + 1}): {exc}")
        out.append(result)
    return out, messages


def cmd_predict(args) -> int:
    catalog = load_catalog(args.presets)
    calibration = load_calibration_arg(args)
    rows, header = read_scenario_csv(args.scenarios)
    results, messages = predict_rows(rows, catalog, calibration)
    columns = header + [c for c in report.OUTPUT_NAMES + (ERROR_COLUMN,) if c not in header]
    with open_output(args.output) as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for result in results:
            writer.writerow({c: result.get(c, "") for c in columns})
    for message in messages:
        print(message, file=sys.stderr)
    print(f"wrote {len(results)} rows to {args.output} ({len(messages)} failed)", file=sys.stderr)
    return 1 if messages else 0


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="add every output column to a CSV of scenarios")
    p.add_argument("scenarios", help="CSV whose columns are scenario keys (others are carried through)")
    p.add_argument("-o", "--output", required=True, help="output CSV")
    p.add_argument("--calibration", help="calibration JSON from `calibrate`")
    p.set_defaults(handler=cmd_predict)
