"""The calibration file: efficiencies per hardware id as JSON, validated field by field on load.

A malformed file raises `CalibrationError` naming the entry, the field and its accepted range, and
nothing else: every field, the report of how each entry was fitted and the file's provenance included,
is checked for its type and range (REPORT_FIELDS), so whatever reads a loaded calibration can trust it.
Reads are bounded by bytes actually read (MAX_JSON_BYTES, never a file's stated size), entries
(MAX_HARDWARE), texts (MAX_TEXT), lists (MAX_LIST) and integer digits (MAX_DIGITS); too-deep nesting is
refused.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from model.base.fields import Field, FieldError, echo
from model.base.files import TooLarge, read_at_most
from model.calibration.parameters import KERNEL_MAX_S, LEGACY_KERNELS_PER_LAYER, PARAMETERS
from model.catalog.presets import PRESET_DIR
from model.core.deployment import Efficiency

MAX_JSON_BYTES = 1_000_000
MAX_HARDWARE = 256
MAX_TEXT = 4000  # characters of one free-form text: a source, a refusal reason, the command
MAX_LIST = 100_000  # items of one list (row ids)
MAX_DIGITS = 20  # digits of an integer in the file (Python refuses to parse more than 4,300)
FORMAT = "llm-inference-economics/calibration"
VERSION = 1
SHIPPED_DIR = PRESET_DIR / "calibrations"
ENTRY_FIELDS = {
    "mfu": Field("mfu", float, 0.01, 1),
    "weights_mbu": Field("weights_mbu", float, 0.01, 1),
    "kv_mbu": Field("kv_mbu", float, 0.01, 1),
    "kernel_s": Field("kernel_s", float, 0, KERNEL_MAX_S, unit="s"),
}
ATTENTION_FIELD = Field("attention_mfu", float, 0.01, 1)  # optional: absent = mfu
ALLREDUCE_FIELD = Field("allreduce_latency_s", float, 0, 0.01, unit="s")
LEGACY_NAMES = {"compute": "mfu", "weights_bw": "weights_mbu", "kv_bw": "kv_mbu"}  # files written before 2026-12
LEGACY_OVERHEAD = Field("layer_overhead_s", float, 0, 1e-3, unit="s")  # files written before issue 11
LEGACY_NOTE = "legacy_note"
HW_ID = Field("hardware id", str)


class CalibrationError(ValueError):
    """A calibration file or fit that cannot be used; the message names the field and range."""


@dataclass(frozen=True, eq=False)
class Calibration:
    """Efficiencies per hardware id, with the report of how each was obtained."""

    efficiencies: Mapping[str, Efficiency]
    reports: Mapping[str, dict] = field(default_factory=dict)  # per hardware: rows, errors, fitted
    provenance: Mapping[str, object] = field(default_factory=dict)  # file level: when, command, data

    def efficiency_for(self, hw_id: str) -> Efficiency | None:
        """The calibrated efficiency of a hardware preset, or None when not calibrated."""
        return self.efficiencies.get(hw_id)

    def notes(self) -> list[str]:
        """Messages about entries read from an older format (e.g. a per-layer overhead)."""
        return [f"{hw}: {r[LEGACY_NOTE]}" for hw, r in self.reports.items() if LEGACY_NOTE in r]

    def to_dict(self) -> dict:
        hardware = {}
        for hw_id, eff in self.efficiencies.items():
            entry = {name: getattr(eff, name) for name in PARAMETERS if getattr(eff, name) is not None}
            if eff.allreduce_latency_s is not None:
                entry["allreduce_latency_s"] = eff.allreduce_latency_s
            hardware[hw_id] = {**entry, **dict(self.reports.get(hw_id, {}))}
        return {"format": FORMAT, "version": VERSION, "provenance": dict(self.provenance), "hardware": hardware}

    def to_json(self) -> str:
        """Indented JSON with lists of plain values kept on one line."""
        text = json.dumps(self.to_dict(), indent=2)
        return re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\n\s*", " ", m.group(0)), text) + "\n"


class _LongInteger:
    """An integer of more digits than MAX_DIGITS, kept as its length: no field accepts it."""

    def __init__(self, digits: str):
        self.digits = len(digits.lstrip("-"))

    def __str__(self) -> str:
        return f"a {self.digits}-digit integer"


def _parse_int(digits: str):
    return int(digits) if len(digits) <= MAX_DIGITS else _LongInteger(digits)


def _number(spec: Field, value: object, nan_ok: bool = False):
    """A JSON number in `spec`'s range: text, booleans, lists and objects are refused."""
    if nan_ok and isinstance(value, float) and math.isnan(value):
        return value
    if isinstance(value, (bool, str)) or not isinstance(value, (int, float)):
        raise spec.error(value, "type")
    return spec.parse(value)


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise FieldError(name, "type", f"must be text of at most {MAX_TEXT} characters; got {_kind(value)}")
    return value


def _kind(value: object) -> str:
    """What a value is, for a message: its type, or for text its length (never its content)."""
    if isinstance(value, str):
        return f"text of {len(value)} characters"
    return {dict: "an object", list: "a list", bool: "true/false", type(None): "null"}.get(type(value), echo(value))


def _texts(name: str, value: object, choices: tuple[str, ...] | None = None) -> list[str]:
    """A list of texts (of `choices` when given)."""
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise FieldError(name, "type", f"must be a list of at most {MAX_LIST} texts; got {_kind(value)}")
    items = [_text(f"{name}[{i}]", item) for i, item in enumerate(value)]
    wrong = [item for item in items if choices is not None and item not in choices]
    if wrong:
        raise FieldError(name, "range", f"must hold some of {', '.join(choices)}; got {echo(wrong[0])}")
    return items


def _object(name: str, value: object, fields: Mapping[str, Callable], required: bool = True) -> dict:
    """An object whose keys are `fields` (all of them when `required`), each value checked by its parser."""
    if not isinstance(value, dict):
        raise FieldError(name, "type", f"must be an object with {', '.join(fields)}; got {_kind(value)}")
    unknown = [key for key in value if key not in fields]
    if unknown:
        raise FieldError(name, "unknown_id", f"unknown field {echo(unknown[0])}; the fields are {', '.join(fields)}")
    missing = [key for key in fields if key not in value] if required else []
    if missing:
        raise FieldError(name, "required", f"{missing[0]} missing; the fields are {', '.join(fields)}")
    checked = {}
    for key, parse in fields.items():
        if key in value:
            try:
                checked[key] = parse(key, value[key])
            except FieldError as exc:
                raise FieldError(name, exc.kind, str(exc)) from None
    return checked


def _stats(name: str, value: object) -> dict:
    """n, median and max |error %| (NaN when n = 0), as `model.calibration.validate.abs_error_stats` writes."""
    pct = Field("pct", float, 0, 1e12, unit="%")
    return _object(name, value, {
        "n": lambda key, v: _number(Field(key, int, 0, 10**9, unit="rows"), v),
        "median_abs_error_pct": lambda key, v: _number(dataclasses.replace(pct, name=key), v, nan_ok=True),
        "max_abs_error_pct": lambda key, v: _number(dataclasses.replace(pct, name=key), v, nan_ok=True),
    })


EFFICIENCY_FIELDS = {**ENTRY_FIELDS, ATTENTION_FIELD.name: ATTENTION_FIELD}


def _efficiencies(name: str, value: object) -> dict:
    return _object(name, value, {key: (lambda k, v: _number(EFFICIENCY_FIELDS[k], v)) for key in EFFICIENCY_FIELDS},
                   required=False)


def _per_parameter(name: str, value: object) -> dict:
    """A number per calibratable parameter (relative standard errors, correlations)."""
    spec = Field("value", float, 0, 1e12)
    return _object(name, value, {p: (lambda k, v: _number(dataclasses.replace(spec, name=k), v, nan_ok=True))
                                 for p in PARAMETERS}, required=False)


def _conditioning(name: str, value: object) -> dict:
    """The fit's conditioning (F103): log-time noise, relative standard errors, largest correlations."""
    sigma = Field("sigma_log", float, 0, 1e6)
    return _object(name, value, {"sigma_log": lambda k, v: _number(sigma, v, nan_ok=True),
                                 "relative_se": _per_parameter, "max_abs_correlation": _per_parameter},
                   required=False)


REPORT_FIELDS: dict[str, Callable] = {  # how each entry was obtained (model.calibration.fit.HardwareFit.report)
    "fitted": lambda key, v: _texts(key, v, PARAMETERS),
    "at_bound": lambda key, v: _texts(key, v, PARAMETERS),
    "held": lambda key, v: _object(key, v, {p: _text for p in PARAMETERS}, required=False),
    "default": _efficiencies,
    "rows": _texts,
    "sources": _texts,
    "error_before": _stats,
    "error_after": _stats,
    "conditioning": _conditioning,
    LEGACY_NOTE: _text,
}
FIT_PROVENANCE: dict[str, Callable] = {k: _text for k in ("created_utc", "command", "measurements", "definitions")}


def _merged(name: str, value: object) -> list[dict]:
    """The provenance of each file a merged calibration came from (merge_calibrations)."""
    if not isinstance(value, list) or len(value) > MAX_HARDWARE:
        raise FieldError(name, "type", f"must be a list of at most {MAX_HARDWARE} objects; got {_kind(value)}")
    return [_object(f"{name}[{i}]", item, FIT_PROVENANCE, required=False) for i, item in enumerate(value)]


PROVENANCE_FIELDS: dict[str, Callable] = {**FIT_PROVENANCE, "merged": _merged}


def _entry(hw_id: str, entry: object) -> tuple[Efficiency, dict]:
    if not isinstance(entry, dict):
        raise CalibrationError(f"hardware {echo(hw_id)}: must be an object with {', '.join(PARAMETERS)}")
    entry = {LEGACY_NAMES.get(k, k): v for k, v in entry.items()}
    if "layer_overhead_s" in entry and "kernel_s" not in entry:
        overhead = _number(LEGACY_OVERHEAD, entry.pop("layer_overhead_s"))
        entry["kernel_s"] = min(overhead / LEGACY_KERNELS_PER_LAYER, KERNEL_MAX_S)
        entry[LEGACY_NOTE] = (f"written before the time per kernel replaced the per-layer overhead: its "
                              f"layer_overhead_s {overhead * 1e6:.0f} µs is read as kernel_s = "
                              f"{entry['kernel_s'] * 1e6:.1f} µs ({LEGACY_KERNELS_PER_LAYER} kernels per dense layer) and "
                              "attention runs at its mfu; recalibrate with `python -m model calibrate` for a fit "
                              "of this model")
    values = {}
    for name, spec in ENTRY_FIELDS.items():
        if name not in entry:
            raise spec.missing("missing")
        values[name] = _number(spec, entry[name])
    latency = entry.get("allreduce_latency_s")
    values["allreduce_latency_s"] = None if latency is None else _number(ALLREDUCE_FIELD, latency)
    attention = entry.get("attention_mfu")
    values["attention_mfu"] = None if attention is None else _number(ATTENTION_FIELD, attention)
    report = {k: v for k, v in entry.items() if k not in values}
    unknown = [k for k in report if k not in REPORT_FIELDS]
    if unknown:
        fields = ", ".join([*ENTRY_FIELDS, ALLREDUCE_FIELD.name, *REPORT_FIELDS])
        raise FieldError(echo(unknown[0]), "unknown_id", f"not a calibration field; the fields are {fields}")
    return Efficiency(**values), {k: REPORT_FIELDS[k](k, v) for k, v in report.items()}


def calibration_from_dict(data: object) -> Calibration:
    """Validate a parsed calibration JSON; CalibrationError names the entry, field and range."""
    if not isinstance(data, dict) or not isinstance(data.get("hardware"), dict):
        raise CalibrationError("hardware: missing; a calibration is an object with a 'hardware' object "
                               "mapping hardware ids to efficiencies")
    unknown = [k for k in data if k not in ("format", "version", "provenance", "hardware")]
    if unknown:
        raise CalibrationError(f"{echo(unknown[0])}: not a calibration field; the fields are format, version, "
                               "provenance, hardware")
    if data.get("format", FORMAT) != FORMAT:
        raise CalibrationError(f"format: must be {FORMAT}; got {echo(data.get('format'))}")
    if data.get("version", VERSION) != VERSION or isinstance(data.get("version"), bool):
        raise CalibrationError(f"version: must be {VERSION}; got {echo(data.get('version'))}")
    if not 1 <= len(data["hardware"]) <= MAX_HARDWARE:
        raise CalibrationError(f"hardware: must have 1 to {MAX_HARDWARE} entries; got {len(data['hardware'])}")
    efficiencies, reports = {}, {}
    for raw_id, entry in data["hardware"].items():
        try:
            hw_id = HW_ID.parse(raw_id)
            efficiencies[hw_id], reports[hw_id] = _entry(hw_id, entry)
        except (FieldError, ValueError) as exc:
            raise CalibrationError(f"hardware {echo(raw_id)}: {exc}") from None
    try:
        provenance = _object("provenance", data.get("provenance", {}), PROVENANCE_FIELDS, required=False)
    except FieldError as exc:
        raise CalibrationError(str(exc)) from None
    return Calibration(efficiencies, reports, provenance)


def calibration_from_json(text: str | bytes) -> Calibration:
    """A calibration from JSON text (an uploaded file, say); CalibrationError if malformed."""
    size = len(text.encode("utf-8", "replace") if isinstance(text, str) else text)
    if size > MAX_JSON_BYTES:
        raise CalibrationError(f"file: larger than {MAX_JSON_BYTES:,} bytes")
    try:
        data = json.loads(text, parse_int=_parse_int)
    except RecursionError:
        raise CalibrationError("file: nested too deeply (a calibration's objects are at most 4 levels deep)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:  # their messages hold no file content
        raise CalibrationError(f"file: not valid JSON ({exc})") from None
    except ValueError as exc:
        raise CalibrationError(f"file: not valid JSON ({type(exc).__name__})") from None
    return calibration_from_dict(data)


def read_bounded(handle: BinaryIO, limit: int = MAX_JSON_BYTES) -> bytes:
    """At most `limit` bytes of a binary stream (an upload); CalibrationError when there are more."""
    try:
        return read_at_most(handle, limit)
    except TooLarge as exc:
        raise CalibrationError(f"file: {exc}") from None


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration JSON file; the error message starts with the file name."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            text = read_bounded(handle)
        return calibration_from_json(text)
    except OSError as exc:
        raise CalibrationError(f"{path.name}: cannot read ({exc.strerror or type(exc).__name__})") from None
    except CalibrationError as exc:
        raise CalibrationError(f"{path.name}: {exc}") from None


def save_calibration(calibration: Calibration, path: str | Path) -> None:
    Path(path).write_text(calibration.to_json(), encoding="utf-8")


def shipped_calibrations(directory: str | Path = SHIPPED_DIR) -> dict[str, Path]:
    """Calibration files shipped in presets/calibrations, by name (file stem)."""
    return {p.stem: p for p in sorted(Path(directory).glob("*.json"))}


def merge_calibrations(calibrations: Iterable[Calibration]) -> Calibration:
    """One calibration holding every hardware entry of `calibrations` (later ones win)."""
    efficiencies, reports, sources = {}, {}, []
    for calibration in calibrations:
        efficiencies.update(calibration.efficiencies)
        reports.update(calibration.reports)
        sources.append(dict(calibration.provenance))
    return Calibration(efficiencies, reports, {"merged": sources})


def load_shipped(directory: str | Path = SHIPPED_DIR) -> Calibration:
    """Every calibration shipped in presets/calibrations, merged (one entry per hardware)."""
    return merge_calibrations(load_calibration(path) for path in shipped_calibrations(directory).values())
