"""presets/api_prices.csv and presets/ownership.csv: coverage, every row sourced and dated, and a
malformed row named by file, line and field."""

import csv
import shutil

import pytest
from conftest import PRESETS

from model.catalog.csv_rows import PresetError
from model.catalog.presets import load_catalog

OFFICIAL_FRONTIER = {"OpenAI", "Anthropic", "Google", "xAI"}
OPEN_FIRST_PARTIES = {"DeepSeek", "Alibaba (Qwen)", "Moonshot", "Mistral"}
HOSTS = {"Together", "Fireworks", "Groq", "DeepInfra", "Cerebras", "SambaNova"}


def test_the_market_table_covers_providers_and_tiers(catalog):
    rows = catalog.api_prices
    providers = {r.provider for r in rows}
    assert len(rows) >= 40 and len(providers) >= 10
    assert OFFICIAL_FRONTIER | OPEN_FIRST_PARTIES | HOSTS <= providers
    assert all(r.source and r.date_seen and r.trust for r in rows)
    assert any(r.usd_per_m_priority_output for r in rows) and any(r.usd_per_m_flex_output for r in rows)
    assert any(r.usd_per_m_batch_output for r in rows) and any(r.usd_per_m_cache_storage_hour for r in rows)
    assert any(r.peak_mult for r in rows) and any(r.regional_uplift for r in rows)
    served = {r.model_id for r in rows if r.model_id}
    assert {"gpt-oss-120b", "llama-3.1-70b", "deepseek-v3"} <= served and served <= set(catalog.models)


def test_ownership_rows_name_hardware_presets_with_sources(catalog):
    assert {"h100-sxm", "h200", "b200"} <= set(catalog.ownership)
    for own in catalog.ownership.values():
        assert own.hardware_id in catalog.hardware
        assert all(text for _, text in own.sources) and own.date_seen and own.trust


def _copy_with(tmp_path, name, column, value, line=2):
    """The presets directory with one cell of `name` (data line `line`) replaced."""
    target = tmp_path / "presets"
    shutil.copytree(PRESETS, target)
    path = target / name
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    load_catalog.cache_clear()
    return target


@pytest.mark.parametrize("name,column,value,expected", [
    ("api_prices.csv", "priority_output_usd_per_mtok", "lots", "line 3: priority_output_usd_per_mtok"),
    ("api_prices.csv", "model_id", "llama-9", "line 3: model_id: 'llama-9' is not a model preset id"),
    ("api_prices.csv", "peak_mult", "0.5", "line 3: peak_mult"),
    ("api_prices.csv", "date_seen", "", "line 3: date_seen: is empty"),
    ("ownership.csv", "pue", "0.7", "line 3: pue"),
    ("ownership.csv", "capex_source", "", "line 3: capex_source: is empty"),
    ("ownership.csv", "id", "h999", "line 3: id: 'h999' is not a hardware preset"),
])
def test_a_malformed_row_names_file_line_and_field(tmp_path, name, column, value, expected):
    directory = _copy_with(tmp_path, name, column, value, line=3)
    try:
        with pytest.raises(PresetError) as error:
            load_catalog(directory)
    finally:
        load_catalog.cache_clear()
    assert str(error.value).startswith(name) and expected in str(error.value)
