"""Preset files load, carry sources, match published parameter counts, and fail loudly when malformed."""

import shutil

import pytest

from model import PresetError, load_catalog
from model.catalog.presets import PRESET_DIR

REQUIRED_HARDWARE = {"a100-80gb", "h100-sxm", "h100-pcie", "h200", "b200", "gb200", "l40s", "rtx-4090", "mi300x",
                     "mi325x", "mi355x", "tpu-v5e", "tpu-v5p", "tpu-v6e", "gaudi3"}
REQUIRED_MODELS = {"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.2-1b", "llama-3.2-3b", "mistral-7b",
                   "mixtral-8x7b", "mixtral-8x22b", "qwen3-30b-a3b", "qwen3-235b-a22b", "deepseek-v3", "gpt-oss-20b",
                   "gpt-oss-120b", "gemma-2-9b", "gemma-3-27b"}


def test_required_presets_are_present(catalog):
    assert REQUIRED_HARDWARE <= set(catalog.hardware)
    assert REQUIRED_MODELS <= set(catalog.models)
    assert len(catalog.scenarios) >= 4


def test_every_hardware_value_has_a_source(catalog):
    for hw in catalog.hardware.values():
        assert all(source.strip() for _, source in hw.sources), hw.id
        assert hw.usd_per_hour > 0


def test_derived_parameter_counts_match_the_published_ones(catalog):
    for m in catalog.models.values():
        assert m.total_params / 1e9 == pytest.approx(m.published_total_b, rel=0.03), m.id
        # Publishers count "active" with the input embedding (Meta, DeepSeek) or without it (OpenAI's
        # gpt-oss card); our matmul count excludes it (a lookup) and includes lm_head.
        embedding = 0 if m.tied_embeddings else m.embedding_params
        candidates = (m.matmul_params_per_token / 1e9, (m.matmul_params_per_token + embedding) / 1e9)
        # a count published as a whole number of billions ("A3B") is a rounded name: within 0.5B
        rounded = float(m.published_active_b).is_integer() and m.published_active_b <= 10
        assert (min(abs(c / m.published_active_b - 1) for c in candidates) < 0.05
                or (rounded and min(abs(c - m.published_active_b) for c in candidates) < 0.5)), m.id


def test_api_prices_keep_source_and_date(catalog):
    assert catalog.api_prices
    assert all(row.source and row.date_seen for row in catalog.api_prices)


def broken_copy(tmp_path, filename, old, new):
    target = tmp_path / "presets"
    shutil.copytree(PRESET_DIR, target)
    path = target / filename
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    "filename, old, new, expected",
    [
        ("hardware.csv", "h100-sxm,NVIDIA H100 SXM 80GB,NVIDIA,989.4", "h100-sxm,NVIDIA H100 SXM 80GB,NVIDIA,fast",
         "hardware.csv: entry 'h100-sxm' (line 3): bf16_tflops: must be a number in [1, 100000] TFLOP/s; got 'fast'"),
        ("hardware.csv", "h100-sxm,NVIDIA H100 SXM 80GB,NVIDIA,989.4", "h100-sxm,NVIDIA H100 SXM 80GB,NVIDIA,-5",
         "entry 'h100-sxm' (line 3): bf16_tflops"),
        ("models.csv", "llama-3.1-70b,Llama 3.1 70B,80,8192,64,8", "llama-3.1-70b,Llama 3.1 70B,80,8192,64,99",
         "models.csv: entry 'llama-3.1-70b' (line 3): kv_heads: must be at most heads (64); got 99"),
        ("models.csv", "llama-3.1-70b,Llama 3.1 70B,80", "llama-3.1-8b,Llama 3.1 70B,80",
         "id: 'llama-3.1-8b' is duplicated"),
        ("scenarios.csv", "chat-70b,Chat on Llama 3.1 70B,\"Llama", "chat-70b,,\"Llama",
         "scenarios.csv: entry 'chat-70b' (line 2): name: is empty"),
        ("scenarios.csv", "h100-sxm,llama-3.1-70b,8,,16,16,,64", "h100-sxm,llama-3.1-70b,8,,16,16,,sixty",
         "scenarios.csv: entry 'chat-70b' (line 2): batch: must be an integer in [1, 262144] sequences; got 'sixty'"),
    ],
)
def test_malformed_preset_names_file_entry_and_field(tmp_path, filename, old, new, expected):
    with pytest.raises(PresetError) as error:
        load_catalog(broken_copy(tmp_path, filename, old, new))
    assert expected in str(error.value)


def test_missing_source_is_rejected(tmp_path):
    target = tmp_path / "presets"
    shutil.copytree(PRESET_DIR, target)
    path = target / "models.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    rows[0]["source"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(PresetError, match=r"models.csv: entry 'llama-3.1-8b' \(line 2\): source: is empty"):
        load_catalog(target)


def test_unreadable_and_ragged_files(tmp_path):
    target = tmp_path / "presets"
    shutil.copytree(PRESET_DIR, target)
    (target / "hardware.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PresetError, match="hardware.csv"):
        load_catalog(target)
    (target / "hardware.csv").write_text("id,name\nx,y,z\n", encoding="utf-8")
    with pytest.raises(PresetError, match="hardware.csv: line 2: wrong number of fields"):
        load_catalog(target)
