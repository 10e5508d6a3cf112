"""Command line: python -m model {presets, predict, explain, validate, calibrate} (--help for details)."""

from __future__ import annotations

import argparse
import csv
import sys

from . import report
from .fields import FieldError
from .presets import PRESET_DIR, PresetError, load_catalog
from .roofline import decode_step, prefill
from .scenario import SCENARIO_FIELDS, ScenarioError, parse_scenario_strict, resolve

ERROR_COLUMN = "error"
MAX_INPUT_ROWS = 100_000


def format_cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _table(rows: list[dict], columns: list[str]) -> str:
    cells = [[format_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def cmd_presets(args) -> int:
    catalog = load_catalog(args.presets)
    hw_rows = [
        {"id": h.id, "name": h.name, "bf16_tflops": h.bf16_flops_per_s / 1e12,
         "8bit_tflops": (h.eight_bit_flops_per_s or 0) / 1e12, "hbm_gb": h.hbm_bytes / 1e9,
         "hbm_tbps": h.hbm_bytes_per_s / 1e12, "usd_per_hour": h.usd_per_hour}
        for h in catalog.hardware.values()
    ]
    print("HARDWARE (dense peaks; per chip)")
    print(_table(hw_rows, list(hw_rows[0])))
    for h in catalog.hardware.values():
        print(f"  {h.id}: " + "; ".join(f"{what}: {src}" for what, src in h.sources))
    model_rows = [
        {"id": m.id, "name": m.name, "params_b": m.total_params / 1e9, "active_b": m.matmul_params_per_token / 1e9,
         "kv_bytes_per_token_bf16": m.kv_bytes_per_token(16), "max_context": m.max_context}
        for m in catalog.models.values()
    ]
    print("\nMODELS (params derived from the config shapes)")
    print(_table(model_rows, list(model_rows[0])))
    for m in catalog.models.values():
        print(f"  {m.id}: {m.source}")
    print("\nNAMED SCENARIOS (use preset=ID)")
    for s in catalog.scenarios.values():
        keys = " ".join(f"{k}={v}" for k, v in s.values.items())
        print(f"  {s.id}: {s.name}. {s.description}\n    {keys}\n    source: {s.source}")
    return 0


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


def read_scenario_csv(path: str) -> tuple[list[dict], list[str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = []
            for row in reader:
                if len(rows) >= MAX_INPUT_ROWS:
                    raise ValueError(f"{path}: more than {MAX_INPUT_ROWS} rows")
                rows.append({k: (v or "") for k, v in row.items() if k is not None})
            return rows, list(reader.fieldnames or [])
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read as a UTF-8 CSV ({exc})") from None


def cmd_predict(args) -> int:
    catalog = load_catalog(args.presets)
    calibration = load_calibration_arg(args)
    rows, header = read_scenario_csv(args.scenarios)
    results, messages = predict_rows(rows, catalog, calibration)
    columns = header + [c for c in report.OUTPUT_NAMES + (ERROR_COLUMN,) if c not in header]
    with open(args.output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for result in results:
            writer.writerow({c: result.get(c, "") for c in columns})
    for message in messages:
        print(message, file=sys.stderr)
    print(f"wrote {len(results)} rows to {args.output} ({len(messages)} failed)", file=sys.stderr)
    return 1 if messages else 0


def load_calibration_arg(args):
    if not getattr(args, "calibration", None):
        return None
    from .calibration import load_calibration

    return load_calibration(args.calibration)


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
    print(f"{dep.model.name} on {dep.chips} x {dep.hardware.name}; weights {scenario.wbits}-bit, "
          f"KV {scenario.kvbits}-bit, compute {'8-bit' if dep.eight_bit_compute else 'bf16'}; "
          f"mfu {eff.compute:g}, weight bw {eff.weights_bw:g}, KV bw {eff.kv_bw:g}; "
          f"${dep.usd_per_chip_hour:g}/chip-hour")
    print(f"\nPREFILL: one prompt of {scenario.prompt} tokens")
    print(_table(report.op_rows(prefill(dep, scenario.prompt)), columns))
    print(f"\nDECODE STEP: batch {scenario.batch} at context {scenario.ctx} tokens")
    print(_table(report.op_rows(decode_step(dep, scenario.batch, scenario.ctx)), columns))
    print("\nDERIVED")
    units = {c.name: c for c in report.OUTPUT_COLUMNS}
    for name, value in report.summarize(scenario, dep).items():
        print(f"  {name:24s} {format_cell(value):>14s} {units[name].unit:14s} {units[name].doc}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    parser.add_argument("--presets", default=str(PRESET_DIR), help="presets directory (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("presets", help="list hardware, models and named scenarios with sources")
    p = sub.add_parser("predict", help="add every output column to a CSV of scenarios")
    p.add_argument("scenarios", help="CSV whose columns are scenario keys (others are carried through)")
    p.add_argument("-o", "--output", required=True, help="output CSV")
    p.add_argument("--calibration", help="calibration JSON from `calibrate`")
    e = sub.add_parser("explain", help="per-op tables and derived numbers for one scenario")
    e.add_argument("pairs", nargs="*", help="key=value scenario keys, e.g. hw=h100-sxm batch=64")
    e.add_argument("--calibration", help="calibration JSON from `calibrate`")
    from .cli_validation import add_parsers  # validate, calibrate (that module imports this one)

    add_parsers(sub)
    return parser


COMMANDS = {"presets": cmd_presets, "predict": cmd_predict, "explain": cmd_explain}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS.get(args.command, getattr(args, "handler", None))(args)
    except (PresetError, ScenarioError, FieldError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
