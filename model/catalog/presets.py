"""Load and validate the data files in presets/ (hardware, models, named scenarios, prices).

Every file is a CSV with an `id` column (except prices) and source columns. A malformed file
raises `PresetError` naming the file, the entry (id and line) and the field. API prices are typed
rows (`model.catalog.api_prices`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from model.base.fields import Field, FieldError
from model.base.units import GIGA, TERA
from model.catalog.api_prices import ApiPrice, load_api_prices
from model.catalog.csv_rows import PresetError, read_rows
from model.catalog.ownership import Ownership, load_ownership
from model.core.architecture import ModelConfig, shape_problems
from model.core.hardware import Hardware
from model.schema.scenario import HARDWARE_QUANTITIES, SCENARIO_FIELDS

PRESET_DIR = Path(__file__).resolve().parents[2] / "presets"


def _num(name, lo, hi, unit="", kind=float):
    return Field(name, kind, lo, hi, unit=unit)


def _int(name, lo, hi, unit=""):
    return Field(name, int, lo, hi, unit=unit)


HARDWARE_FIELDS = {
    **{q.column: q.column_field() for q in HARDWARE_QUANTITIES},
    "usd_per_hour": _num("usd_per_hour", 0.01, 1000, "USD per chip-hour"),
    "mfu": _num("mfu", 0.01, 1),
    "mbu": _num("mbu", 0.01, 1),
}
HARDWARE_OPTIONAL = {
    "fp8_tflops": _num("fp8_tflops", 1, 100_000, "TFLOP/s"),
    "int8_tops": _num("int8_tops", 1, 100_000, "TOP/s"),
    "attention_mfu": _num("attention_mfu", 0.01, 1),  # blank: the project default (core.hardware)
    "kernel_us": _num("kernel_us", 0, 1000, "µs"),
    "fp4_tflops": _num("fp4_tflops", 1, 100_000, "TFLOP/s"),
    "scaleup_chips": _int("scaleup_chips", 1, 100_000, "chips"),
    "scaleout_gbps": _num("scaleout_gbps", 0.1, 100_000, "GB/s"),
}
HARDWARE_SOURCES = ("spec_source", "price_source", "price_basis", "price_date", "efficiency_source", "kernel_source")
NETWORK_SOURCES = ("frontier_source",)  # FP4 peak, scale-up domain and scale-out sources (optional column)

MODEL_FIELDS = {
    "layers": _int("layers", 1, 1000),
    "d_model": _int("d_model", 64, 131072),
    "heads": _int("heads", 1, 4096),
    "kv_heads": _int("kv_heads", 1, 4096),
    "head_dim": _int("head_dim", 0, 4096),
    "ffn": _int("ffn", 0, 1_000_000),
    "gated_ffn": Field("gated_ffn", bool),
    "vocab": _int("vocab", 1, 4_000_000),
    "tied_embeddings": Field("tied_embeddings", bool),
    "experts": _int("experts", 0, 4096),
    "experts_active": _int("experts_active", 0, 4096),
    "shared_experts": _int("shared_experts", 0, 64),
    "moe_ffn": _int("moe_ffn", 0, 1_000_000),
    "dense_layers": _int("dense_layers", 0, 1000),
    "sliding_window": _int("sliding_window", 0, 100_000_000),
    "sliding_layers": _int("sliding_layers", 0, 1000),
    "q_lora_rank": _int("q_lora_rank", 0, 100_000),
    "kv_lora_rank": _int("kv_lora_rank", 0, 100_000),
    "qk_nope_head_dim": _int("qk_nope_head_dim", 0, 4096),
    "qk_rope_head_dim": _int("qk_rope_head_dim", 0, 4096),
    "v_head_dim": _int("v_head_dim", 0, 4096),
    "max_context": _int("max_context", 128, SCENARIO_FIELDS["ctx"].hi, "tokens"),  # the ctx key must reach it
    "published_total_b": _num("published_total_b", 0.001, 100_000, "billion params"),
    "published_active_b": _num("published_active_b", 0.001, 100_000, "billion params"),
}
# Attention kinds (model.core.architecture.ModelConfig): columns at the end of models.csv; empty = none.
MODEL_ATTENTION_FIELDS = {
    "local_kind": Field("local_kind", str, choices=("sliding", "chunked")),
    "linear_layers": _int("linear_layers", 0, 1000),
    "linear_heads": _int("linear_heads", 0, 4096),
    "linear_key_heads": _int("linear_key_heads", 0, 4096),
    "linear_key_dim": _int("linear_key_dim", 0, 4096),
    "linear_value_dim": _int("linear_value_dim", 0, 4096),
    "index_topk": _int("index_topk", 0, 10_000_000, "tokens"),
    "index_heads": _int("index_heads", 0, 4096),
    "index_head_dim": _int("index_head_dim", 0, 4096),
}


@dataclass(frozen=True)
class NamedScenario:
    """A one-click scenario: scenario key values (as text) with a name and rationale."""

    id: str
    name: str
    description: str
    values: dict
    source: str


@dataclass(frozen=True)
class Catalog:
    """Everything in presets/: the menus of the dashboard and the CLI."""

    hardware: dict[str, Hardware]
    models: dict[str, ModelConfig]
    scenarios: dict[str, NamedScenario]
    api_prices: list[ApiPrice] = field(default_factory=list)  # presets/api_prices.csv, typed
    hardware_rows: dict[str, dict] = field(default_factory=dict)  # raw rows, with sources
    model_rows: dict[str, dict] = field(default_factory=dict)
    ownership: dict[str, Ownership] = field(default_factory=dict)  # presets/ownership.csv, by hardware id


def _where(path: Path, line: int, row: dict) -> str:
    return f"{path.name}: entry '{row.get('id', '?')}' (line {line})"


def _parse_entry(path, line, row, required: dict, optional: dict | None = None) -> dict:
    """Parse the typed fields of one preset row, raising PresetError with its location."""
    values = {}
    for name, spec in {**required, **(optional or {})}.items():
        if name not in row:
            raise PresetError(f"{path.name}: missing column '{name}'")
        text = row[name].strip()
        if not text:
            if name in required:
                raise PresetError(f"{_where(path, line, row)}: {name}: is empty; must be {spec.accepted()}")
            values[name] = None
            continue
        try:
            values[name] = spec.parse(text)
        except FieldError as exc:
            raise PresetError(f"{_where(path, line, row)}: {exc}") from None
    return values


def _require_text(path, line, row, names) -> None:
    for name in names:
        if name not in row:
            raise PresetError(f"{path.name}: missing column '{name}'")
        if not row[name].strip():
            raise PresetError(f"{_where(path, line, row)}: {name}: is empty; every value needs its source")


def _entry_id(path, line, row, seen) -> str:
    try:
        entry = Field("id", str).parse(row.get("id", ""))
    except FieldError as exc:
        raise PresetError(f"{path.name}: line {line}: {exc}") from None
    if entry in seen or entry == "custom":
        raise PresetError(f"{path.name}: line {line}: id: '{entry}' is duplicated or reserved")
    seen.add(entry)
    return entry


def load_hardware(path: Path) -> tuple[dict[str, Hardware], dict[str, dict]]:
    hardware, rows, seen = {}, {}, set()
    for line, row in read_rows(path):
        entry = _entry_id(path, line, row, seen)
        v = _parse_entry(path, line, row, HARDWARE_FIELDS, HARDWARE_OPTIONAL)
        _require_text(path, line, row, ("name",) + HARDWARE_SOURCES)
        eight_bit = v["fp8_tflops"] or v["int8_tops"]
        hardware[entry] = Hardware(
            id=entry,
            name=row["name"].strip(),
            eight_bit_flops_per_s=eight_bit * TERA if eight_bit else None,
            **{q.attribute: v[q.column] * q.scale for q in HARDWARE_QUANTITIES},
            usd_per_hour=v["usd_per_hour"],
            mfu=v["mfu"],
            mbu=v["mbu"],
            **({} if v["attention_mfu"] is None else {"attention_mfu": v["attention_mfu"]}),
            **({} if v["kernel_us"] is None else {"kernel_s": v["kernel_us"] * 1e-6}),
            sources=tuple((name, row[name].strip()) for name in HARDWARE_SOURCES + NETWORK_SOURCES
                          if row.get(name, "").strip()),
            fp4_flops_per_s=v["fp4_tflops"] * TERA if v["fp4_tflops"] else None,
            scaleup_chips=v["scaleup_chips"],
            scaleout_bytes_per_s=v["scaleout_gbps"] * GIGA if v["scaleout_gbps"] else None,
        )
        rows[entry] = dict(row)
    return hardware, rows


def load_models(path: Path) -> tuple[dict[str, ModelConfig], dict[str, dict]]:
    models, rows, seen = {}, {}, set()
    for line, row in read_rows(path):
        entry = _entry_id(path, line, row, seen)
        present = {k: f for k, f in MODEL_ATTENTION_FIELDS.items() if k in row}
        v = _parse_entry(path, line, row, MODEL_FIELDS, present)
        v = {k: value for k, value in v.items() if value is not None or k in MODEL_FIELDS}
        _require_text(path, line, row, ("name", "source"))
        config = ModelConfig(id=entry, name=row["name"].strip(), source=row["source"].strip(), **v)
        for name, message in shape_problems(config):
            raise PresetError(f"{_where(path, line, row)}: {name}: {message}")
        models[entry] = config
        rows[entry] = dict(row)
    return models, rows


def load_scenarios(path: Path, hardware: dict, models: dict) -> dict[str, NamedScenario]:
    scenarios, seen = {}, set()
    for line, row in read_rows(path):
        entry = _entry_id(path, line, row, seen)
        _require_text(path, line, row, ("name", "description", "source"))
        values = {}
        for key, spec in SCENARIO_FIELDS.items():
            text = row.get(key, "").strip()
            if key == "preset" or not text:
                continue
            try:
                values[key] = spec.parse(text)
            except FieldError as exc:
                raise PresetError(f"{_where(path, line, row)}: {exc}") from None
        for key, menu in (("hw", hardware), ("model", models)):
            if key in values and values[key] != "custom" and values[key] not in menu:
                raise PresetError(f"{_where(path, line, row)}: {key}: unknown id '{values[key]}'")
        scenarios[entry] = NamedScenario(
            entry, row["name"].strip(), row["description"].strip(), values, row["source"].strip()
        )
    return scenarios


@functools.lru_cache(maxsize=4)
def load_catalog(directory: str | Path = PRESET_DIR) -> Catalog:
    """Load and validate every preset file in `directory` (cached per directory)."""
    directory = Path(directory)
    hardware, hardware_rows = load_hardware(directory / "hardware.csv")
    models, model_rows = load_models(directory / "models.csv")
    scenarios = load_scenarios(directory / "scenarios.csv", hardware, models)
    prices = load_api_prices(directory / "api_prices.csv", models)
    ownership = load_ownership(directory / "ownership.csv", hardware) if (directory / "ownership.csv").exists() else {}
    return Catalog(hardware, models, scenarios, prices, hardware_rows, model_rows, ownership)
