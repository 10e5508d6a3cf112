"""`python -m model predict scenarios.csv -o out.csv`: every output column for each CSV row.

Rows are read by `model.catalog.csv_rows.read_user_csv` (delimiter, header case and spaces, per-row
refusals) and evaluated in chunks of CHUNK_ROWS, in order: within a chunk, rows that share a
deployment (every key but batch, ctx, prompt, out) are evaluated together as arrays
(`model.report.summary_rows`), with the same numbers as `summary.summarize` row by row. Each chunk is
written as soon as it is done; Ctrl-C lets the chunk being computed finish and be written, then stops
(exit 130), so the output holds every row before that, complete.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field

from model.base.fields import FieldError
from model.catalog.csv_rows import CsvRecord, read_user_csv
from model.catalog.presets import load_catalog
from model.cli.common import (
    EXIT_INTERRUPTED,
    deferred_ctrl_c,
    format_cell,
    load_calibration_arg,
    open_output,
    spreadsheet_safe,
)
from model.report import summary as report
from model.report.summary_rows import WORKLOAD_KEYS, deployment_columns, summarize_columns
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import ScenarioError, resolve
from model.schema.scenario import SCENARIO_FIELDS

ERROR_COLUMN = "error"
PASS_THROUGH = ("id", "name", "label", "note", "notes", "comment", "description", "source")  # carried, no note
KNOWN_COLUMNS = frozenset(SCENARIO_FIELDS) | set(PASS_THROUGH) | set(report.OUTPUT_NAMES) | {ERROR_COLUMN}
CHUNK_ROWS = 5_000
ROW_ERRORS = (ScenarioError, FieldError, ValueError)


DEPLOYMENT_KEYS = tuple(k for k in SCENARIO_FIELDS if k not in WORKLOAD_KEYS)


@dataclass
class Deployments:
    """Each distinct deployment of the file, parsed and resolved once: (columns, texts) -> (baseline
    scenario, deployment, its deployment-only columns), or the exception it raised; and each distinct
    workload cell, parsed once."""

    catalog: object
    calibration: object = None
    cache: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)
    layouts: dict = field(default_factory=dict)

    def get(self, key: tuple):
        if key not in self.cache:
            try:
                base = parse_scenario_strict({k: v for k, v in zip(*key) if v.strip()}, self.catalog)
                dep = resolve(base, self.catalog, self.calibration)
                self.cache[key] = (base, dep, deployment_columns(dep, base.slo_tps))
            except ROW_ERRORS as exc:
                self.cache[key] = exc
        return self.cache[key]

    def split(self, values: dict) -> tuple[tuple, list[tuple[str, str]]]:
        """A row's deployment key (its scenario-key columns other than WORKLOAD_KEYS, and their text)
        and its workload cells."""
        names = tuple(values)
        if names not in self.layouts:
            self.layouts[names] = (tuple(k for k in names if k in DEPLOYMENT_KEYS),
                                   tuple(k for k in WORKLOAD_KEYS if k in values))
        deployment, workload = self.layouts[names]
        return (deployment, tuple(values[k] for k in deployment)), [(k, values[k]) for k in workload]

    def parse(self, key: str, text: str):
        """A workload cell's value (None when empty: the baseline's), FieldError if invalid."""
        if (key, text) not in self.cells:
            try:
                self.cells[key, text] = SCENARIO_FIELDS[key].parse(text) if text.strip() else None
            except FieldError as exc:
                self.cells[key, text] = exc
        value = self.cells[key, text]
        if isinstance(value, FieldError):
            raise value
        return value


def _scalar_error(values: dict, catalog, calibration) -> str:
    """The message of the row-by-row path for a row that fails (the same text in both paths)."""
    try:
        scenario = parse_scenario_strict(values, catalog)
        report.summarize(scenario, resolve(scenario, catalog, calibration))
    except ROW_ERRORS as exc:
        return str(exc)
    return ""


def evaluate_chunk(records: list[CsvRecord], deployments: Deployments) -> list[tuple[dict, str]]:
    """(output columns as text, error) per record, in order; rows of one deployment evaluated together."""
    results: list = [None] * len(records)
    groups: dict[tuple, list[tuple[int, tuple]]] = {}
    for i, record in enumerate(records):
        if record.error:
            results[i] = ({}, record.error)
            continue
        key, workload = deployments.split(record.values)
        entry = deployments.get(key)
        try:
            if isinstance(entry, Exception):
                raise entry
            given = {k: deployments.parse(k, v) for k, v in workload}
            groups.setdefault(key, []).append(
                (i, tuple(getattr(entry[0], k) if given.get(k) is None else given[k] for k in WORKLOAD_KEYS)))
        except ROW_ERRORS:
            results[i] = ({}, _scalar_error(record.values, deployments.catalog, deployments.calibration))
    for key, members in groups.items():
        base, dep, shared = deployments.get(key)
        try:
            columns = summarize_columns(base, dep, [w for _, w in members], shared)
        except ROW_ERRORS:  # a row the arrays refuse: each row alone, with its own message
            for i, _ in members:
                message = _scalar_error(records[i].values, deployments.catalog, deployments.calibration)
                results[i] = ({}, message) if message else (_texts(_alone(records[i].values, deployments)), "")
            continue
        texts = [[f"{v:.6g}" if type(v) is float else format_cell(v) for v in column] for column in columns.values()]
        for (i, _), cells in zip(members, zip(*texts)):
            results[i] = (dict(zip(columns, cells)), "")
    return results


def _texts(columns: dict) -> dict:
    return {k: format_cell(v) for k, v in columns.items()}


def _alone(values: dict, deployments: Deployments) -> dict:
    """A row's output columns by the row-by-row path."""
    scenario = parse_scenario_strict(values, deployments.catalog)
    return report.summarize(scenario, resolve(scenario, deployments.catalog, deployments.calibration))


def _cells(record: CsvRecord, outputs: dict, error: str, notes: list[str], header: list[str]) -> list[str]:
    """The output row: the input cells, the output columns (text) and the error. What can hold a user's
    text (input cells, error, warnings) is made formula-safe; the model's numbers and words are safe."""
    values = {k: spreadsheet_safe(v) for k, v in record.values.items()} | outputs
    values[ERROR_COLUMN] = spreadsheet_safe(error)
    if notes:
        values["warnings"] = "; ".join(([values["warnings"]] if values.get("warnings") else []) + notes)
    values["warnings"] = spreadsheet_safe(values.get("warnings", ""))
    return [values.get(c, "") for c in header]


class Progress:
    """A progress line on stderr ("rows done / rows") when asked, or when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled

    def show(self, done: int) -> None:
        if self.enabled:
            print(f"\rpredict: {done:,} / {self.total:,} rows", end="", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


def cmd_predict(args) -> int:
    catalog = load_catalog(args.presets)
    calibration = load_calibration_arg(args)
    table = read_user_csv(args.scenarios, KNOWN_COLUMNS)
    for note in table.notes:
        print(f"warning: {note}", file=sys.stderr)
    header = table.header + [c for c in report.OUTPUT_NAMES + (ERROR_COLUMN,) if c not in table.header]
    deployments, records = Deployments(catalog, calibration), table.records
    progress = Progress(len(records), args.progress or sys.stderr.isatty())
    done = failed = 0
    with open_output(args.output) as handle, deferred_ctrl_c() as ctrl_c:
        writer = csv.writer(handle)
        writer.writerow([spreadsheet_safe(c) for c in header])
        for start in range(0, len(records), CHUNK_ROWS):
            if ctrl_c:
                break
            chunk = records[start:start + CHUNK_ROWS]
            for record, (columns, error) in zip(chunk, evaluate_chunk(chunk, deployments)):
                writer.writerow(_cells(record, columns, error, table.notes, header))
                done += 1
                if error:
                    failed += 1
                    print(f"{record.where}: {error}", file=sys.stderr)
            handle.flush()
            progress.show(done)
    progress.end()
    where = "standard output" if args.output == "-" else args.output
    if ctrl_c and done < len(records):
        print(f"interrupted: wrote the first {done:,} of {len(records):,} rows to {where}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"wrote {done} rows to {where} ({failed} failed)", file=sys.stderr)
    return 1 if failed else 0


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="add every output column to a CSV of scenarios")
    p.add_argument("scenarios", help="CSV whose columns are scenario keys (others are carried through)")
    p.add_argument("-o", "--output", required=True, help="output CSV ('-' for standard output)")
    p.add_argument("--calibration", help="calibration JSON from `calibrate`")
    p.add_argument("--progress", action="store_true", help="show a progress line on stderr (default: on a terminal)")
    p.set_defaults(handler=cmd_predict)
