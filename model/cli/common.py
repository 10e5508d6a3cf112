"""Shared by the subcommands: table printing, cell formatting, the --calibration argument, output files."""

from __future__ import annotations

import contextlib
import re
import signal
import sys

from model.calibration.file_format import load_calibration

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
FORMULA_START = "=+-@\t\r"  # first characters that make a spreadsheet read a cell as a formula
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$")


def format_cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab or
    carriage return) gets a leading ' ; numbers such as -0.5 are left alone."""
    if text and text[0] in FORMULA_START and not _NUMBER.match(text):
        return "'" + text
    return text


def table(rows: list[dict], columns: list[str]) -> str:
    cells = [[format_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def load_calibration_arg(args):
    """The calibration named by --calibration, or None (bounded read and checks: `load_calibration`)."""
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
    """A text file to write the command's output to ('-': standard output); ValueError naming the
    path if it cannot be written."""
    if path == "-":
        yield sys.stdout
        return
    try:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            yield handle
    except BrokenPipeError:  # /dev/stdout into `| head`: the reader left (cli.main ends quietly)
        raise
    except OSError as exc:
        raise ValueError(f"{path}: cannot write ({exc.strerror or exc})") from None


@contextlib.contextmanager
def deferred_ctrl_c():
    """A list that gets an entry when Ctrl-C is pressed, instead of a KeyboardInterrupt, so work can stop
    between two rows; a second Ctrl-C interrupts at once. Outside the main thread: no change."""
    pressed: list[int] = []

    def handler(signum, frame):
        if pressed:
            raise KeyboardInterrupt
        pressed.append(signum)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # signals can only be set from the main thread
        yield pressed
        return
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)
