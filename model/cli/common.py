"""Shared by the subcommands: table printing, cell formatting, the --calibration argument."""

from __future__ import annotations

import contextlib
import sys

from model.calibration.file_format import load_calibration


def format_cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def table(rows: list[dict], columns: list[str]) -> str:
    cells = [[format_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def load_calibration_arg(args):
    """The calibration named by --calibration, or None."""
    if not getattr(args, "calibration", None):
        return None
    calibration = load_calibration(args.calibration)
    for note in calibration.notes():  # e.g. a file from before the time per kernel
        print(f"{args.calibration}: {note}", file=sys.stderr)
    return calibration


def warn(message: str) -> None:
    print(message, file=sys.stderr)


@contextlib.contextmanager
def open_output(path: str):
    """A text file to write the command's output to; ValueError naming the path if it cannot be written."""
    try:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            yield handle
    except OSError as exc:
        raise ValueError(f"{path}: cannot write ({exc.strerror or exc})") from None
