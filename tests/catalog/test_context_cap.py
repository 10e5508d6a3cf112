"""Issue 10 item 5: every model preset's max_context is a context the `ctx` key accepts."""

import shutil

import pytest
from conftest import PRESETS

from model.base.limits import MAX_TOKENS
from model.catalog.csv_rows import PresetError
from model.catalog.presets import load_catalog


def test_llama_4_scout_context_is_within_the_cap(catalog):
    assert catalog.models["llama-4-scout"].max_context == 10_485_760 <= MAX_TOKENS


def test_a_preset_max_context_beyond_the_cap_is_refused_naming_the_field(tmp_path):
    presets = shutil.copytree(PRESETS, tmp_path / "presets")
    models = presets / "models.csv"
    text = models.read_text(encoding="utf-8")
    assert ",10485760," in text
    models.write_text(text.replace(",10485760,", f",{MAX_TOKENS + 1},"), encoding="utf-8")
    with pytest.raises(PresetError, match=f"max_context: must be an integer in \\[128, {MAX_TOKENS}\\] tokens"):
        load_catalog(presets)
