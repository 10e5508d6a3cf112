"""presets/api_prices.csv as typed rows: one `ApiPrice` per published price, parsed once.

Prices are USD per 1M tokens (the unit providers publish), context thresholds tokens, multipliers
and fractions plain numbers; a blank cell is None. Every row needs its provider, model, output
price, source and the date it was seen. A malformed row raises `PresetError` naming the file, the
line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model.base.fields import Field, FieldError
from model.base.limits import MAX_TOKENS
from model.catalog.csv_rows import PresetError, read_rows

MAX_USD_PER_M = 100_000.0


@dataclass(frozen=True)
class ApiPrice:
    """One published API price (a row of presets/api_prices.csv)."""

    provider: str
    model: str
    usd_per_m_output: float
    source: str
    date_seen: str
    usd_per_m_input: float | None = None
    usd_per_m_cached_input: float | None = None
    usd_per_m_cache_write_5m: float | None = None
    usd_per_m_cache_write_1h: float | None = None
    long_context_threshold_tokens: int | None = None  # prompts above it pay the long-context price
    usd_per_m_long_input: float | None = None
    usd_per_m_long_output: float | None = None
    long_context_input_mult: float | None = None
    long_context_output_mult: float | None = None
    out_in_ratio: float | None = None  # as published (output / input list price)
    cached_input_fraction: float | None = None  # cached-input price / input price
    batch_discount: str | None = None  # as published, e.g. "50% (Batch API)"
    trust: str = ""
    notes: str = ""
    model_id: str | None = None  # the model preset this row serves (open models), for side-by-side costs
    usd_per_m_priority_input: float | None = None  # priority / fast tier
    usd_per_m_priority_output: float | None = None
    priority_speed_claim: str | None = None  # as published
    usd_per_m_flex_input: float | None = None
    usd_per_m_flex_output: float | None = None
    usd_per_m_batch_input: float | None = None
    usd_per_m_batch_output: float | None = None
    usd_per_m_cache_storage_hour: float | None = None  # USD per 1M tokens held per hour
    time_of_day: str | None = None  # as published, e.g. the peak hours
    peak_mult: float | None = None  # peak price / off-peak price
    regional_uplift: float | None = None  # regional endpoint price / global price


def _usd(column: str) -> Field:
    return Field(column, float, 0, MAX_USD_PER_M, unit="USD per 1M tokens")


# attribute -> (CSV column, Field); text columns have no Field
_NUMBERS = {
    "usd_per_m_output": _usd("output_usd_per_mtok"),
    "usd_per_m_input": _usd("input_usd_per_mtok"),
    "usd_per_m_cached_input": _usd("cached_input_usd_per_mtok"),
    "usd_per_m_cache_write_5m": _usd("cache_write_5m_usd_per_mtok"),
    "usd_per_m_cache_write_1h": _usd("cache_write_1h_usd_per_mtok"),
    "long_context_threshold_tokens": Field("long_ctx_threshold_tokens", int, 1, MAX_TOKENS, unit="tokens"),
    "usd_per_m_long_input": _usd("long_input_usd_per_mtok"),
    "usd_per_m_long_output": _usd("long_output_usd_per_mtok"),
    "long_context_input_mult": Field("long_ctx_input_mult", float, 0, 1000),
    "long_context_output_mult": Field("long_ctx_output_mult", float, 0, 1000),
    "out_in_ratio": Field("out_in_ratio", float, 0, 1000),
    "cached_input_fraction": Field("cached_input_fraction", float, 0, 1),
    "usd_per_m_priority_input": _usd("priority_input_usd_per_mtok"),
    "usd_per_m_priority_output": _usd("priority_output_usd_per_mtok"),
    "usd_per_m_flex_input": _usd("flex_input_usd_per_mtok"),
    "usd_per_m_flex_output": _usd("flex_output_usd_per_mtok"),
    "usd_per_m_batch_input": _usd("batch_input_usd_per_mtok"),
    "usd_per_m_batch_output": _usd("batch_output_usd_per_mtok"),
    "usd_per_m_cache_storage_hour": Field("cache_storage_usd_per_mtok_hour", float, 0, MAX_USD_PER_M,
                                          unit="USD per 1M tokens per hour"),
    "peak_mult": Field("peak_mult", float, 1, 100),
    "regional_uplift": Field("regional_uplift", float, 1, 100),
}
_TEXT = {"provider": "provider", "model": "model", "source": "source", "date_seen": "date_seen",
         "batch_discount": "batch_discount", "trust": "trust", "notes": "notes", "model_id": "model_id",
         "priority_speed_claim": "priority_speed_claim", "time_of_day": "time_of_day"}
_REQUIRED = ("provider", "model", "usd_per_m_output", "source", "date_seen")


def parse_api_price(path: Path, line: int, row: dict, model_ids=None) -> ApiPrice:
    """One row as an ApiPrice; PresetError naming file, line and field if a value is bad or missing
    (`model_id`, when given, must be one of `model_ids`)."""
    values = {}
    columns = {**{a: f.name for a, f in _NUMBERS.items()}, **_TEXT}
    for attribute, column in columns.items():
        text = (row.get(column) or "").strip()
        if not text:
            if attribute in _REQUIRED:
                raise PresetError(f"{path.name}: line {line}: {column}: is empty; every price needs it")
            if attribute in ("trust", "notes"):
                values[attribute] = ""
            continue
        if attribute in _TEXT:
            if attribute == "model_id" and model_ids is not None and text not in model_ids:
                raise PresetError(f"{path.name}: line {line}: {column}: '{text[:40]}' is not a model preset id")
            values[attribute] = text
            continue
        try:
            values[attribute] = _NUMBERS[attribute].parse(text)
        except FieldError as exc:
            raise PresetError(f"{path.name}: line {line}: {exc}") from None
    return ApiPrice(**values)


def load_api_prices(path: Path, model_ids=None) -> list[ApiPrice]:
    """Every row of presets/api_prices.csv, typed (model_id checked against `model_ids` when given)."""
    return [parse_api_price(path, line, row, model_ids) for line, row in read_rows(path)]
