"""The one CSV reader: preset files (strict: ragged rows are errors) and users' CSVs of scenarios.

A user's CSV (`read_user_csv`: predict's scenarios, validate's and calibrate's measurements) is read
as bytes, at most MAX_INPUT_BYTES of them (a stream such as /dev/zero stops there), and judged row
by row, so one bad row never loses the file:

- the delimiter is the one of `,` `;` tab that splits the header line into the most cells (`,` on a tie);
- header names are stripped and case-folded (` Batch` is `batch`); a name that occurs twice after
  that is refused, naming it; an unnamed column is dropped (a note if it holds values);
- a row with fewer or more cells than the header, a cell over MAX_CELL_CHARS characters, or a cell that
  is not UTF-8 (a latin-1 byte, say) is refused with a message naming its row, first line and column;
- every column the caller does not know (`known`) gets one note: its cells are carried through, unused.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from model.base.files import read_file_at_most

MAX_INPUT_ROWS = 100_000  # rows of a user's CSV (predict, validate, calibrate)
MAX_INPUT_BYTES = 64_000_000  # bytes of a user's CSV (100,000 rows of 640 bytes)
MAX_CELL_CHARS = 10_000  # characters of one cell of a user's CSV
DELIMITERS = (",", ";", "\t")
_BOM = b"\xef\xbb\xbf"


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


@dataclass(frozen=True)
class CsvRecord:
    """One data row: its number (1 = first after the header), its first line in the file, its cells
    by column name, and why it cannot be used ("" when it can)."""

    number: int
    line: int
    values: dict[str, str]
    error: str = ""

    @property
    def where(self) -> str:
        return f"row {self.number} (line {self.line})"


@dataclass(frozen=True)
class CsvTable:
    """A user's CSV: column names as read (normalised), rows, and one note per unknown column."""

    header: list[str]
    records: list[CsvRecord]
    notes: list[str] = field(default_factory=list)


def normalise_name(name: str) -> str:
    """A header cell as a column name: stripped and case-folded."""
    return name.strip().casefold()


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of `,` `;` tab that splits the header line into the most cells (`,` on a tie)."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def _text(cell: str) -> str:
    """A cell read as latin-1 (one char per byte) decoded as UTF-8; UnicodeDecodeError if it is not."""
    return cell.encode("latin-1").decode("utf-8")


def _cell_problem(name: str, cell: str, as_bytes: bool) -> str:
    if len(cell) > MAX_CELL_CHARS:
        quote = "; it spans several lines: a quote left open?" if "\n" in cell else ""
        return f"column {name}: a cell of {len(cell):,} characters (at most {MAX_CELL_CHARS:,}){quote}"
    if as_bytes:
        try:
            _text(cell)
        except UnicodeDecodeError as exc:
            return (f"column {name}: not UTF-8 text (byte 0x{cell.encode('latin-1')[exc.start]:02X} at position "
                    f"{exc.start + 1}); save the file as UTF-8")
    return ""


def _header(path, cells: list[str], as_bytes: bool) -> list[str]:
    try:
        names = [normalise_name(_text(c) if as_bytes else c) for c in cells]
    except UnicodeDecodeError:
        raise ValueError(f"{path}: cannot read the header as UTF-8 CSV text") from None
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name and name in seen:
            raise ValueError(f"{path}: duplicate column {name!r} (columns {seen[name]} and {position}, "
                             "after stripping spaces and case); rename or remove one")
        seen[name] = position
    if not any(names):
        raise ValueError(f"{path}: empty file (no header)")
    return names


def _shown(names: list[str], cells: list[str]) -> dict[str, str]:
    """What a refused row's cells can still show (cut to MAX_CELL_CHARS, bad bytes replaced)."""
    return {n: c[:MAX_CELL_CHARS].encode("latin-1", "replace").decode("utf-8", "replace")
            for n, c in zip(names, cells) if n}


def _record(number: int, line: int, names: list[str], cells: list[str], as_bytes: bool) -> CsvRecord:
    """A row's cells by name, or the reason it is refused (wrong cell count, oversized or non-UTF-8
    cell); `as_bytes`: the cells are latin-1 text standing for bytes, each to be decoded as UTF-8."""
    width = len(names)
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        cells = cells[:width]  # trailing empty cells (spreadsheets write them)
    if len(cells) != width:
        missing = [n for n in names[len(cells):] if n]
        detail = (f"no value for {', '.join(missing)}" if missing and len(cells) < width
                  else "more cells than columns")
        return CsvRecord(number, line, _shown(names, cells), f"{len(cells)} cells, the header has {width}: {detail}")
    try:
        if max(map(len, cells), default=0) > MAX_CELL_CHARS:
            raise ValueError("oversized cell")
        return CsvRecord(number, line, {n: _text(c) if as_bytes else c for n, c in zip(names, cells) if n})
    except (UnicodeDecodeError, ValueError):
        problem = next(p for p in (_cell_problem(n or "(unnamed)", c, as_bytes) for n, c in zip(names, cells)) if p)
        return CsvRecord(number, line, _shown(names, cells), problem)


def read_user_csv(path: str | Path, known=()) -> CsvTable:
    """A user's CSV of scenarios or measurements (module docstring); ValueError if the file as a
    whole cannot be used (unreadable, too large, no header, duplicate column, too many rows)."""
    data = read_file_at_most(path, MAX_INPUT_BYTES)
    data = data[len(_BOM):] if data.startswith(_BOM) else data
    try:
        text, as_bytes = data.decode("utf-8"), False
    except UnicodeDecodeError:  # some cells are not UTF-8: read bytes as latin-1, decode cell by cell
        text, as_bytes = data.decode("latin-1"), True
    first_line = next(iter(io.StringIO(text[:1_000_000], newline="")), "").rstrip("\r\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    previous_limit = csv.field_size_limit(MAX_INPUT_BYTES + 1)
    try:
        try:
            names = _header(path, next(reader), as_bytes)
        except StopIteration:
            raise ValueError(f"{path}: empty file (no header)") from None
        records, unnamed_values, done, unnamed = [], False, reader.line_num, not all(names)
        for cells in reader:
            start, done = done + 1, reader.line_num
            if not "".join(cells).strip():
                continue  # a blank line, or only empty cells
            if len(records) >= MAX_INPUT_ROWS:
                raise ValueError(f"{path}: more than {MAX_INPUT_ROWS:,} rows")
            unnamed_values |= unnamed and any(c.strip() for n, c in zip(names, cells) if not n)
            records.append(_record(len(records) + 1, start, names, cells, as_bytes))
    except csv.Error as exc:
        raise ValueError(f"{path}: line {reader.line_num + 1}: not a CSV row ({exc})") from None
    finally:
        csv.field_size_limit(previous_limit)
    header = [n for n in names if n]
    notes = [f"column {n!r} is not a column this command reads: carried through unchanged, not used"
             for n in header if n not in known]
    if unnamed_values:
        notes.append("a column without a name holds values: they are ignored")
    return CsvTable(header, records, notes)

