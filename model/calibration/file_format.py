"""The calibration file: efficiencies per hardware id as JSON, validated field by field on load.

A malformed file raises `CalibrationError` naming the entry, the field and its accepted range; files
are bounded in size (MAX_JSON_BYTES) and entries (MAX_HARDWARE).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from model.base.fields import Field, FieldError, echo
from model.calibration.parameters import KERNEL_MAX_S, LEGACY_KERNELS_PER_LAYER, PARAMETERS
from model.catalog.presets import PRESET_DIR
from model.core.deployment import Efficiency

MAX_JSON_BYTES = 1_000_000
MAX_HARDWARE = 256
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


def _entry(hw_id: str, entry: object) -> tuple[Efficiency, dict]:
    if not isinstance(entry, dict):
        raise CalibrationError(f"hardware {echo(hw_id)}: must be an object with {', '.join(PARAMETERS)}")
    entry = {LEGACY_NAMES.get(k, k): v for k, v in entry.items()}
    if "layer_overhead_s" in entry and "kernel_s" not in entry:
        overhead = LEGACY_OVERHEAD.parse(entry.pop("layer_overhead_s"))
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
        values[name] = spec.parse(entry[name])
    latency = entry.get("allreduce_latency_s")
    values["allreduce_latency_s"] = None if latency is None else ALLREDUCE_FIELD.parse(latency)
    attention = entry.get("attention_mfu")
    values["attention_mfu"] = None if attention is None else ATTENTION_FIELD.parse(attention)
    report = {k: v for k, v in entry.items() if k not in values}
    return Efficiency(**values), report


def calibration_from_dict(data: object) -> Calibration:
    """Validate a parsed calibration JSON; CalibrationError names the entry, field and range."""
    if not isinstance(data, dict) or not isinstance(data.get("hardware"), dict):
        raise CalibrationError("hardware: missing; a calibration is an object with a 'hardware' object "
                               "mapping hardware ids to efficiencies")
    if data.get("version", VERSION) != VERSION:
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
    provenance = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
    return Calibration(efficiencies, reports, provenance)


def calibration_from_json(text: str | bytes) -> Calibration:
    """A calibration from JSON text (an uploaded file, say); CalibrationError if malformed."""
    if len(text) > MAX_JSON_BYTES:
        raise CalibrationError(f"file: larger than {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"file: not valid JSON ({exc})") from None
    return calibration_from_dict(data)


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration JSON file; the error message starts with the file name."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise CalibrationError(f"{path.name}: larger than {MAX_JSON_BYTES} bytes")
        text = path.read_bytes()
    except OSError as exc:
        raise CalibrationError(f"{path.name}: cannot read ({exc.strerror})") from None
    try:
        return calibration_from_json(text)
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
