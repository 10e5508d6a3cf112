"""Command line of the model: `python -m model {presets,predict,explain,validate,calibrate,implied-tier,fit,fleet,sheet} ...`.

One module per subcommand, each registering its parser with `add_parser`.
"""

from __future__ import annotations

import argparse
import os
import sys

from model.base.fields import FieldError
from model.catalog.presets import PRESET_DIR, PresetError
from model.cli import calibrate, explain, fit, fleet, implied, predict, presets, sheet, validate
from model.cli.common import EXIT_INTERRUPTED
from model.schema.resolve import ScenarioError

SUBCOMMANDS = (presets, predict, explain, validate, calibrate, implied, fit, fleet, sheet)
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader (`| head -1`) stopped reading


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    parser.add_argument("--presets", default=str(PRESET_DIR), help="presets directory (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def _stdout_gone() -> int:
    """After a broken pipe: point stdout at /dev/null so the exit-time flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not after main returns
        return code
    except (PresetError, ScenarioError, FieldError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return _stdout_gone()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
