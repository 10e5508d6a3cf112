"""Command line of the model: `python -m model {presets,predict,explain,validate,calibrate,sheet} ...`.

One module per subcommand, each registering its parser with `add_parser`.
"""

from __future__ import annotations

import argparse
import os
import sys

from model.base.fields import FieldError
from model.catalog.presets import PRESET_DIR, PresetError
from model.cli import calibrate, explain, predict, presets, sheet, validate
from model.schema.resolve import ScenarioError

SUBCOMMANDS = (presets, predict, explain, validate, calibrate, sheet)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    parser.add_argument("--presets", default=str(PRESET_DIR), help="presets directory (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (PresetError, ScenarioError, FieldError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (e.g. `| head`) closed the pipe: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
