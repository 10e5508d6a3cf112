"""Validation: the shipped measurements, what each row's number means, and `python -m model validate`."""

import numpy as np
import pytest
from cli_runner import read_csv, run, write_csv
from conftest import ROOT

from model import parse_scenario_strict, resolve
from model.calibration.measurements import Measurement, read_measurements, select
from model.calibration.validate import (
    ValidationRow,
    error_summary,
    phase_time_s,
    predict,
    validate,
)
from model.core.roofline import decode_step, prefill

SHIPPED = ROOT / "presets" / "measurements.csv"
REFERENCE_ROWS = 391  # presets/measurements.csv: 325 reference rows + 57 TensorRT-LLM 0.6.1/0.5 + 9 vLLM MI300X rows


@pytest.fixture(scope="module")
def shipped(catalog):
    measurements, messages = read_measurements(str(SHIPPED), catalog)
    assert messages == []
    return measurements


def by_id(measurements, ident):
    return next(m for m in measurements if m.id == ident)


def test_every_reference_row_is_converted_or_excluded_with_a_reason(shipped):
    assert len(shipped) == REFERENCE_ROWS
    assert len({m.id for m in shipped}) == REFERENCE_ROWS
    excluded = [m for m in shipped if m.excluded]
    assert len(excluded) == 188  # README: "Excluded, with the reason in each row (188 of 391)"
    assert all(len(m.exclude_reason) > 20 for m in excluded)
    usable = select(shipped)
    # 96 static-batch runs + 48 TTFT (TensorRT-LLM v0.9) + 1 LMDeploy batch-1 run + 29 runs and 20 TTFT (v0.6.1,
    # v0.5) + 9 vLLM static-batch runs (MI300X)
    assert len(usable) == 203
    assert all(m.info["source"] for m in usable)
    fp4 = [m for m in shipped if "FP4" in m.raw["reference"]]
    assert fp4 and all(m.excluded for m in fp4)


def test_static_batch_row_converts_to_the_published_definition(shipped, catalog):
    """Row 44: Llama-2-70B, 2 x H100, batch 64, 2048 in / 2048 out, 1011 tok/s per GPU."""
    m = by_id(shipped, "44")
    assert (m.scenario.model, m.scenario.chips, m.scenario.batch, m.scenario.prompt, m.scenario.out) == \
        ("llama-2-70b", 2, 64, 2048, 2048)
    assert (m.scenario.wbits, m.scenario.kvbits, m.scenario.abits) == (8, 8, 8)
    assert m.phase == "request" and m.quantity == "tokens_per_s_per_chip" and m.measured == 1011
    dep = resolve(m.scenario, catalog)
    every_step_s = float(np.sum(decode_step(dep, 64, np.arange(2048, 4095)).time_s))  # contexts 2048..4094
    exact_s = float(prefill(dep, 2048, batch=64).time_s) + every_step_s
    expected = 64 * 2048 / exact_s / 2  # batch * out / (prefill + 2047 decode steps) / chips
    assert predict(m, catalog) == pytest.approx(expected, rel=1e-3)  # decode steps are sampled
    assert m.measured_s == pytest.approx(64 * 2048 / (1011 * 2))


def test_ttft_row_is_one_batch_one_prefill(shipped, catalog):
    m = by_id(shipped, "116")  # Llama-2-7B, H100, 2048 tokens, 30.8 ms
    assert (m.phase, m.quantity, m.scenario.batch, m.scenario.prompt) == ("prefill", "measured_ms", 1, 2048)
    dep = resolve(m.scenario, catalog)
    assert predict(m, catalog) == pytest.approx(float(prefill(dep, 2048).time_s) * 1e3)


def test_quantities_convert_time_both_ways(catalog):
    scenario = parse_scenario_strict({"batch": "8", "ctx": "1000", "chips": "4"}, catalog)
    for quantity, measured in (("measured_ms", 20.0), ("tokens_per_s", 400.0), ("tokens_per_s_per_chip", 100.0)):
        m = Measurement("x", scenario, "decode", quantity, measured)
        assert m.measured_s == pytest.approx(0.02)
        assert m.value_from_time_s(0.02) == pytest.approx(measured)


def test_phase_time_of_a_decode_row_is_the_decode_step(catalog):
    scenario = parse_scenario_strict({"batch": "32", "ctx": "4096"}, catalog)
    dep = resolve(scenario, catalog)
    m = Measurement("x", scenario, "decode", "measured_ms", 1.0)
    assert phase_time_s(dep, m) == pytest.approx(float(decode_step(dep, 32, 4096).time_s))


def test_bad_rows_are_named_and_the_others_kept(tmp_path, catalog):
    rows = [
        {"id": "a", "hw": "h100-sxm", "phase": "decode", "batch": "8", "measured_ms": "12"},
        {"id": "b", "hw": "h100-sxm", "phase": "decod", "batch": "8", "measured_ms": "12"},
        {"id": "c", "hw": "h100-sxm", "phase": "decode", "batch": "8"},
        {"id": "d", "hw": "h100-sxm", "phase": "decode", "batch": "8", "measured_ms": "12", "tokens_per_s": "5"},
        {"id": "e", "hw": "h100-nope", "phase": "decode", "batch": "8", "measured_ms": "12"},
        {"id": "f", "hw": "h100-sxm", "phase": "decode", "batch": "-8", "measured_ms": "12"},
        {"id": "g", "hw": "h100-sxm", "phase": "prefill", "prompt": "512", "measured_ms": "-3"},
        {"id": "h", "excluded": "true", "exclude_reason": "no preset for this chip"},
    ]
    write_csv(tmp_path / "m.csv", rows)
    measurements, messages = read_measurements(str(tmp_path / "m.csv"), catalog)
    assert [m.id for m in measurements] == ["a", "h"]
    assert len(messages) == 6
    fields = ("phase", "measured_ms", "measured_ms", "hw", "batch", "measured_ms")
    for row, field in zip((2, 3, 4, 5, 6, 7), fields, strict=True):
        message = next(m for m in messages if m.startswith(f"row {row} "))
        assert field in message, message
    assert "decode, prefill, request" in messages[0]


def test_error_summary_groups(catalog):
    scenario = parse_scenario_strict({}, catalog)
    rows = [ValidationRow(Measurement(str(i), scenario.replace(hw=hw), "decode", "measured_ms", 10.0), value)
            for i, (hw, value) in enumerate([("h100-sxm", 11.0), ("h100-sxm", 7.0), ("h200", 10.5)])]
    overall = error_summary(rows)[0]
    assert overall["n"] == 3 and overall["median_abs_error_pct"] == pytest.approx(10.0)
    assert overall["max_abs_error_pct"] == pytest.approx(30.0)
    per_hw = {r["group"]: r for r in error_summary(rows, "hw")}
    assert per_hw["h200"]["max_abs_error_pct"] == pytest.approx(5.0)


def test_default_efficiencies_error_on_trtllm_rows(shipped, catalog):
    """The measured default errors stated in the README (regression guard with a little margin): 13.8%
    (request) and 22.2% (prefill) since the time per kernel (F100) and elementwise traffic (F102)
    joined the model, from 20.1% and 25.3% before."""
    rows = validate(select(shipped, "TensorRT-LLM 0.9"), catalog)
    stats = {r["group"]: r for r in error_summary(rows, "phase")}
    assert stats["request"]["n"] == 96 and stats["prefill"]["n"] == 48
    assert 11 < stats["request"]["median_abs_error_pct"] < 17
    assert 19 < stats["prefill"]["median_abs_error_pct"] < 26


def test_validate_cli_round_trip(tmp_path):
    rows = [
        {"id": "d1", "hw": "h100-sxm", "model": "llama-3.1-8b", "chips": "1", "batch": "16", "ctx": "2048",
         "phase": "decode", "measured_ms": "9.5", "source": "my bench"},
        {"id": "p1", "hw": "h100-sxm", "model": "llama-3.1-8b", "chips": "1", "batch": "1", "prompt": "2048",
         "phase": "prefill", "tokens_per_s": "60000"},
        {"id": "x1", "excluded": "true", "exclude_reason": "unknown batch"},
    ]
    write_csv(tmp_path / "m.csv", rows)
    result = run("validate", str(tmp_path / "m.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert "EXCLUDED" in result.stdout and "unknown batch" in result.stdout
    out = read_csv(tmp_path / "out.csv")
    assert [r["id"] for r in out] == ["d1", "p1", "x1"]
    assert out[0]["source"] == "my bench" and float(out[0]["predicted"]) > 0
    assert float(out[0]["error_pct"]) == pytest.approx(100 * (float(out[0]["predicted"]) - 9.5) / 9.5, rel=1e-4)
    assert out[2]["excluded"] == "true" and out[2]["predicted"] == ""


def test_validate_cli_default_file_and_bad_input():
    result = run("validate", "--framework", "TensorRT-LLM 0.9")
    assert result.returncode == 0, result.stderr
    assert "h100-sxm" in result.stdout and "falcon-180b" in result.stdout and "FP4" in result.stdout
    missing = run("validate", "no-such-file.csv")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and "no-such-file.csv" in missing.stderr


def test_validate_cli_bad_row_gives_exit_1(tmp_path):
    write_csv(tmp_path / "m.csv", [{"hw": "h100-sxm", "phase": "decode", "measured_ms": "abc"}])
    result = run("validate", str(tmp_path / "m.csv"))
    assert result.returncode == 1 and "row 1 (line 2): measured_ms" in result.stderr

