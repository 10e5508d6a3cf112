"""The one CSV reader: preset files (strict: ragged rows are errors) and users' CSVs of scenarios."""

from __future__ import annotations

import csv
from pathlib import Path

MAX_INPUT_ROWS = 100_000  # rows of a user's CSV (predict, validate, calibrate)


class PresetError(ValueError):
    """A preset file that cannot be used, with file, entry and field in the message."""


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a CSV file; PresetError if unreadable or ragged."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = []
            for row in reader:
                if None in row or any(value is None for value in row.values()):
                    raise PresetError(f"{path.name}: line {reader.line_num}: wrong number of fields")
                rows.append((reader.line_num, row))
            header = reader.fieldnames or []
    except OSError as exc:
        raise PresetError(f"{path.name}: cannot read ({exc.strerror})") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise PresetError(f"{path.name}: not a valid UTF-8 CSV file ({exc})") from None
    if not header:
        raise PresetError(f"{path.name}: empty file")
    return rows


def read_scenario_csv(path: str) -> tuple[list[dict], list[str]]:
    """Rows (dicts of text) and header of a user's CSV of scenarios or measurements; ValueError if unreadable."""
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
