"""presets/ownership.csv as typed rows: what owning one chip costs, per hardware preset id.

Capex per chip and its server/network share (USD), depreciation years, the cost of capital per
year, power per chip at load (W,
the sourced TDP), PUE, electricity (USD per kWh) and other opex (USD per kW of chip power per month,
e.g. colocation). Every row needs every number and its sources; a malformed row raises
`PresetError` naming the file, the line and the field. Hardware without a row has no ownership
default (the price sheet then asks for the numbers or uses the rental price).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model.base.fields import Field, FieldError
from model.catalog.csv_rows import PresetError, read_rows


@dataclass(frozen=True)
class Ownership:
    """Owning one chip of a hardware preset (a row of presets/ownership.csv), SI and USD."""

    hardware_id: str
    capex_usd_per_chip: float
    server_network_usd_per_chip: float
    depreciation_years: float
    capital_rate: float  # cost of capital per year (0: straight-line depreciation)
    power_w: float
    pue: float
    usd_per_kwh: float
    opex_usd_per_kw_month: float
    sources: tuple[tuple[str, str], ...] = ()
    date_seen: str = ""
    trust: str = ""


OWNERSHIP_FIELDS = {
    "capex_usd_per_chip": Field("capex_usd_per_chip", float, 0, 10_000_000, unit="USD per chip"),
    "server_network_usd_per_chip": Field("server_network_usd_per_chip", float, 0, 10_000_000, unit="USD per chip"),
    "depreciation_years": Field("depreciation_years", float, 0.25, 30, unit="years"),
    "capital_rate": Field("capital_rate", float, 0, 1, unit="fraction per year"),
    "power_w": Field("power_w", float, 1, 100_000, unit="W per chip"),
    "pue": Field("pue", float, 1, 5),
    "usd_per_kwh": Field("usd_per_kwh", float, 0, 10, unit="USD per kWh"),
    "opex_usd_per_kw_month": Field("opex_usd_per_kw_month", float, 0, 100_000, unit="USD per kW per month"),
}
SOURCE_COLUMNS = ("capex_source", "server_source", "depreciation_source", "capital_source", "power_source", "facility_source")
_TEXT = ("id", *SOURCE_COLUMNS, "date_seen", "trust")


def parse_ownership(path: Path, line: int, row: dict) -> Ownership:
    """One row as an Ownership; PresetError naming file, line and field if a value is bad or missing."""
    for column in _TEXT:
        if not (row.get(column) or "").strip():
            raise PresetError(f"{path.name}: line {line}: {column}: is empty; every ownership number needs it")
    values = {}
    for name, spec in OWNERSHIP_FIELDS.items():
        text = (row.get(name) or "").strip()
        if not text:
            raise PresetError(f"{path.name}: line {line}: {name}: is empty; must be {spec.accepted()}")
        try:
            values[name] = spec.parse(text)
        except FieldError as exc:
            raise PresetError(f"{path.name}: line {line}: {exc}") from None
    return Ownership(hardware_id=row["id"].strip(), **values,
                     sources=tuple((c, row[c].strip()) for c in SOURCE_COLUMNS),
                     date_seen=row["date_seen"].strip(), trust=row["trust"].strip())


def load_ownership(path: Path, hardware_ids=None) -> dict[str, Ownership]:
    """Every row of presets/ownership.csv keyed by hardware id (ids must name hardware presets)."""
    rows = {}
    for line, row in read_rows(path):
        own = parse_ownership(path, line, row)
        if hardware_ids is not None and own.hardware_id not in hardware_ids:
            raise PresetError(f"{path.name}: line {line}: id: '{own.hardware_id}' is not a hardware preset")
        if own.hardware_id in rows:
            raise PresetError(f"{path.name}: line {line}: id: '{own.hardware_id}' is duplicated")
        rows[own.hardware_id] = own
    return rows
