"""The time per kernel and attention efficiency in the roofline (docs/formulas.md F100–F102), the
micro-benchmark phases (F104), custom chips calibrated by name, old calibration files, the
train/test transfer command and the Overview's error band (F105)."""

import dataclasses
import json

import numpy as np
import pytest
from cli_runner import read_csv, run, write_csv
from conftest import deploy

from model import parse_scenario_strict, resolve
from model.calibration.error_band import error_band
from model.calibration.file_format import calibration_from_json, load_calibration
from model.calibration.measurements import MeasurementError, parse_measurement, read_measurements
from model.calibration.validate import phase_time_s
from model.catalog.presets import PRESET_DIR
from model.core.ops import KERNELS_PER_LAYER, forward_ops
from model.core.roofline import decode_step, prefill

CUSTOM_CHIP = dict(hw="custom", hw_tflops=400, hw_tbps=1.5, hw_gb=48, hw_link_gbps=64, hw_name="lab-gpu")


def test_a_dense_decode_step_pays_ten_kernels_per_layer(catalog):
    dep = deploy(catalog, model="llama-3.1-8b", chips=1)
    step = decode_step(dep, 1, 512)
    assert float(step.kernels) == 32 * 10 + 1 + 2 + 1  # layers, embedding, lm_head + sampling, final norm
    free = dataclasses.replace(dep, efficiency=dataclasses.replace(dep.efficiency, kernel_s=0.0))
    extra = float(step.time_s - decode_step(free, 1, 512).time_s)
    assert extra == pytest.approx(float(step.kernels) * 3e-6, rel=1e-12)  # h100-sxm default, presets/hardware.csv
    assert sum(KERNELS_PER_LAYER[k] for k in ("qkv_proj", "attention", "out_proj", "ffn", "activation", "norms")) == 10


def test_moe_kernels_follow_the_touched_experts(catalog):
    dep = deploy(catalog, model="mixtral-8x7b", chips=2)
    moe = next(op for op in decode_step(dep, np.array([1.0, 64.0]), 512).ops if op.name == "moe_experts")
    fixed = 32 * KERNELS_PER_LAYER["moe_fixed"]
    assert np.all(moe.cost.kernels >= fixed)
    assert moe.cost.kernels[1] - moe.cost.kernels[0] == pytest.approx(
        32 * KERNELS_PER_LAYER["moe_per_expert"] * (8 - 2))  # batch 64 touches all 8 experts, batch 1 two


def test_attention_has_its_own_compute_efficiency(catalog):
    dep = deploy(catalog, model="llama-3.1-8b", chips=1)
    slow = dataclasses.replace(dep, efficiency=dataclasses.replace(dep.efficiency, attention_mfu=0.25))
    fast, slower = (next(o for o in prefill(d, 16384).ops if o.name == "attention") for d in (dep, slow))
    assert float(slower.compute_s) == pytest.approx(2 * float(fast.compute_s))  # 0.5 -> 0.25
    gemm = [float(o.compute_s) for o in prefill(dep, 16384).ops if o.name == "ffn"]
    assert gemm == [float(o.compute_s) for o in prefill(slow, 16384).ops if o.name == "ffn"]
    # the mfu key keeps meaning "the one compute efficiency": it sets attention too
    keyed = resolve(parse_scenario_strict({"mfu": "0.3"}, catalog), catalog)
    assert keyed.efficiency.mfu == keyed.efficiency.attention_fraction == 0.3


def test_elementwise_work_is_counted_as_traffic(catalog):
    dep = deploy(catalog, model="llama-3.1-8b", chips=1)
    m, tokens = dep.model, 4096.0
    ops = {o.name: o for o in forward_ops(m, dep.precision, 1, tokens, 0, decode=False)}
    assert float(ops["activation"].act_traffic_bytes) == pytest.approx(tokens * 32 * 3 * 14336 * 2)
    assert float(ops["activation"].flops) == 0
    assert float(ops["norms"].act_traffic_bytes) == pytest.approx(4 * tokens * 4096 * (2 * 32 + 1) * 2)


def micro_row(**keys):
    return {k: str(v) for k, v in keys.items()}


def test_micro_benchmark_rows_parse_and_time_as_one_kernel(catalog):
    hbm = parse_measurement(micro_row(hw="h100-sxm", phase="hbm_read", bytes=4e9, measured_ms=1.6), catalog)
    dep = resolve(hbm.scenario, catalog)
    expected = 4e9 / (3.35e12 * 0.8) + 3e-6  # bytes / (BW · mbu) + one kernel
    assert phase_time_s(dep, hbm) == pytest.approx(expected)
    gemm = parse_measurement(micro_row(hw="h100-sxm", phase="gemm", m=8192, k=8192, n=8192, wbits=8,
                                       measured_ms=1), catalog)
    dep = resolve(gemm.scenario, catalog)  # wbits 8 -> 8-bit compute on H100 (FP8 peak)
    assert phase_time_s(dep, gemm) == pytest.approx(2 * 8192 ** 3 / (1978.9e12 * 0.6) + 3e-6)


@pytest.mark.parametrize("row, expected", [
    (dict(hw="h100-sxm", phase="hbm_read", measured_ms=1), "bytes: required when phase=hbm_read"),
    (dict(hw="h100-sxm", phase="gemm", m=64, k=64, measured_ms=1), "n: required when phase=gemm"),
    (dict(hw="h100-sxm", phase="gemm", m=64, k=64, n=0, measured_ms=1), "n: must be an integer in [1, 10000000]"),
    (dict(hw="h100-sxm", phase="hbm_read", bytes=1e9, tokens_per_s=5), "give measured_ms, not tokens_per_s"),
])
def test_bad_micro_benchmark_rows_name_the_field(catalog, row, expected):
    with pytest.raises(MeasurementError) as info:
        parse_measurement(micro_row(**row), catalog, index=3)
    assert "row 3" in str(info.value) and expected in str(info.value)


def test_an_old_calibration_file_loads_with_a_message():
    old = {"hardware": {"h100-sxm": {"mfu": 0.42, "weights_mbu": 0.54, "kv_mbu": 1.0, "layer_overhead_s": 9.7e-5}}}
    calibration = calibration_from_json(json.dumps(old))
    eff = calibration.efficiency_for("h100-sxm")
    assert eff.kernel_s == pytest.approx(9.7e-6) and eff.attention_fraction == 0.42
    (note,) = calibration.notes()
    assert note.startswith("h100-sxm:") and "layer_overhead_s 97 µs" in note and "recalibrate" in note


def synthetic_custom_rows(catalog, efficiency):
    rows = [dict(CUSTOM_CHIP, phase="hbm_read", bytes=2e9), dict(CUSTOM_CHIP, phase="gemm", m=8192, k=8192, n=8192)]
    for model in ("llama-3.1-8b", "mistral-7b"):
        rows += [dict(CUSTOM_CHIP, model=model, chips=1, batch=b, ctx=c, phase="decode")
                 for b, c in ((1, 512), (16, 8192), (64, 16384))]
        rows += [dict(CUSTOM_CHIP, model=model, chips=1, batch=1, prompt=p, phase="prefill") for p in (256, 32768)]
    out = []
    for index, keys in enumerate(rows, start=1):
        m = parse_measurement(micro_row(**keys, measured_ms=1), catalog, index)
        dep = dataclasses.replace(resolve(m.scenario, catalog), efficiency=efficiency)
        out.append({**keys, "measured_ms": f"{phase_time_s(dep, m) * 1e3:.9g}"})
    return out


def test_custom_hardware_is_calibrated_under_its_name(tmp_path, catalog):
    true = dataclasses.replace(resolve(parse_scenario_strict(micro_row(**CUSTOM_CHIP), catalog), catalog).efficiency,
                               mfu=0.5, weights_mbu=0.75, kv_mbu=0.6, kernel_s=5e-6, attention_mfu=0.4)
    rows = synthetic_custom_rows(catalog, true)
    write_csv(tmp_path / "m.csv", rows + [{k: v for k, v in rows[2].items() if k != "hw_name"}])
    result = run("calibrate", str(tmp_path / "m.csv"), "-o", str(tmp_path / "c.json"))
    assert result.returncode == 1 and "hw_name: required when hw=custom" in result.stderr  # the unnamed row
    calibration = load_calibration(tmp_path / "c.json")
    fitted = calibration.efficiency_for("lab-gpu")
    assert fitted.kernel_s == pytest.approx(5e-6, rel=1e-3) and fitted.weights_mbu == pytest.approx(0.75, rel=1e-3)
    named = resolve(parse_scenario_strict(micro_row(**CUSTOM_CHIP), catalog), catalog, calibration)
    unnamed = resolve(parse_scenario_strict(micro_row(**{k: v for k, v in CUSTOM_CHIP.items() if k != "hw_name"}),
                                            catalog), catalog, calibration)
    assert named.efficiency == fitted and unnamed.efficiency.kernel_s == 3e-6  # project default
    clash = [dict(r, hw_name="h100-sxm") for r in rows]
    write_csv(tmp_path / "clash.csv", clash)
    bad = run("calibrate", str(tmp_path / "clash.csv"), "-o", str(tmp_path / "x.json"))
    assert bad.returncode == 2 and "hw_name: h100-sxm is a hardware preset id" in bad.stderr


def test_validate_train_test_models(tmp_path):
    out = tmp_path / "tt.csv"
    result = run("validate", "--framework", "TensorRT-LLM 0.9", "--train-models", "llama-2-7b",
                 "--test-models", "llama-2-70b,gpt-j-6b", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "fitted on llama-2-7b" in result.stdout
    rows = read_csv(out)
    assert {r["model"] for r in rows} == {"llama-2-70b", "gpt-j-6b"} and len(rows) == 48
    assert all(r["predicted"] and r["error_pct_default"] for r in rows)
    assert all("fitted on" in r["note"] and "llama-2-7b" in r["note"] for r in rows)
    half = run("validate", "--train-models", "llama-2-7b")
    assert half.returncode == 2 and "--train-models and --test-models: give both" in half.stderr


def test_error_band_per_hardware(catalog):
    measurements, _ = read_measurements(str(PRESET_DIR / "measurements.csv"), catalog)
    h100 = error_band(measurements, catalog, "h100-sxm")
    assert h100.n == 60 and h100.optimistic  # 36 v0.9 + 24 v0.6.1/v0.5 rows; defaults are faster than measured
    low, high = h100.range_pct
    assert low < h100.median_pct < high and h100.median_abs_pct > 10
    assert error_band(measurements, catalog, "b200").n == 0 and not error_band(measurements, catalog, "b200").optimistic
    mi300x = error_band(measurements, catalog, "mi300x")  # vLLM, Llama 3.1 405B FP8: measured 34-59% slower
    assert mi300x.n == 9 and mi300x.optimistic and mi300x.range_pct[1] < -30


def test_the_cli_says_when_a_calibration_file_is_old(tmp_path):
    old = {"hardware": {"h100-sxm": {"mfu": 0.42, "weights_mbu": 0.54, "kv_mbu": 1.0, "layer_overhead_s": 9.7e-5}}}
    (tmp_path / "old.json").write_text(json.dumps(old))
    result = run("validate", "--framework", "TensorRT-LLM 0.9", "--calibration", str(tmp_path / "old.json"))
    assert result.returncode == 0 and "old.json: h100-sxm: written before the time per kernel" in result.stderr
