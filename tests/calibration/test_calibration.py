"""Calibration: the fit recovers the model's own parameters (time per kernel included), refuses what
data cannot identify, round-trips through JSON, improves the TensorRT-LLM rows and transfers across models."""

import csv
import dataclasses
import json

import numpy as np
import pytest
from cli_runner import run, write_csv
from conftest import ROOT

from model import parse_scenario_strict, resolve
from model.calibration.file_format import (
    MAX_HARDWARE,
    Calibration,
    CalibrationError,
    calibration_from_json,
    load_calibration,
    save_calibration,
    shipped_calibrations,
)
from model.calibration.fit import by_hardware, calibrate, fit_hardware
from model.calibration.measurements import Measurement, read_measurements, select
from model.calibration.parameters import PARAMETERS
from model.calibration.problem import build_problem
from model.calibration.transfer import leave_one_model_out
from model.calibration.validate import error_summary, phase_time_s, validate
from model.core.deployment import Efficiency

TRUE = Efficiency(mfu=0.45, weights_mbu=0.7, kv_mbu=0.55, kernel_s=4e-6, attention_mfu=0.35)
SHIPPED_HW = {"a100-80gb", "h100-sxm", "h200", "l40s"}
MICRO = [dict(hw="h100-sxm", phase="hbm_read", bytes=4e9),
         dict(hw="h100-sxm", phase="gemm", m=8192, k=8192, n=8192, wbits=16)]


def synthetic(catalog, rows, efficiency=TRUE, noise=None):
    """Measurements whose measured_ms is the model's own time under `efficiency` (× noise)."""
    out = []
    for index, keys in enumerate(rows):
        work = {k: keys[k] for k in ("bytes", "m", "k", "n") if k in keys}
        scenario = parse_scenario_strict({k: str(v) for k, v in keys.items() if k != "phase" and k not in work},
                                         catalog)
        m = Measurement(str(index), scenario, keys["phase"], "measured_ms", 1.0, work=work)
        dep = dataclasses.replace(resolve(scenario, catalog), efficiency=efficiency)
        factor = 1.0 if noise is None else float(noise[index])
        out.append(dataclasses.replace(m, measured=phase_time_s(dep, m) * 1e3 * factor))
    return out


def rich_rows(micro=True):
    """Decode at small and large batch and long context, prefill of short and long prompts, on three
    models/chip counts, and the two micro-benchmarks."""
    rows = list(MICRO) if micro else []
    for model, chips in (("llama-3.1-8b", 1), ("llama-3.1-70b", 4), ("mixtral-8x7b", 2)):
        for batch, ctx in ((1, 512), (8, 2048), (64, 16384), (256, 1024)):
            rows.append(dict(hw="h100-sxm", model=model, chips=chips, batch=batch, ctx=ctx, phase="decode"))
        for prompt in (128, 4096, 32768):
            rows.append(dict(hw="h100-sxm", model=model, chips=chips, batch=1, prompt=prompt, phase="prefill"))
    return rows


@pytest.fixture(scope="module")
def trtllm(catalog):
    measurements, messages = read_measurements(str(ROOT / "presets" / "measurements.csv"), catalog)
    assert messages == []
    return select(measurements, "TensorRT-LLM 0.9")


def stats(rows, by=None):
    return {r["group"]: r for r in error_summary(rows, by)}


def test_recomposed_times_equal_the_roofline(trtllm, catalog):
    rows = by_hardware(trtllm)["h100-sxm"]
    problem = build_problem(rows, catalog)
    eff = Efficiency(0.37, 0.55, 0.71, 3e-6, attention_mfu=0.3)
    direct = [phase_time_s(dataclasses.replace(resolve(m.scenario, catalog), efficiency=eff), m) for m in rows]
    np.testing.assert_allclose(problem.times_s(eff), direct, rtol=1e-12)


def test_fit_recovers_known_parameters(catalog):
    """Synthetic truth: rows generated from known parameters, the time per kernel included."""
    fit = fit_hardware(synthetic(catalog, rich_rows()), catalog)
    assert fit.fitted == PARAMETERS and fit.refused == {}
    for name in PARAMETERS:
        assert getattr(fit.efficiency, name) == pytest.approx(getattr(TRUE, name), rel=1e-4), name
    assert fit.after["max_abs_error_pct"] < 1e-3 < fit.before["median_abs_error_pct"]
    assert max(fit.conditioning.as_dict()["max_abs_correlation"].values()) < 0.95


def test_fit_under_measurement_noise_stays_close(catalog):
    noise = np.exp(np.random.default_rng(7).normal(0.0, 0.02, len(rich_rows())))  # 2% log-normal
    fit = fit_hardware(synthetic(catalog, rich_rows(), noise=noise), catalog)
    assert fit.fitted == PARAMETERS
    for name in ("mfu", "attention_mfu", "weights_mbu", "kv_mbu"):
        assert getattr(fit.efficiency, name) == pytest.approx(getattr(TRUE, name), rel=0.1), name
    assert fit.efficiency.kernel_s == pytest.approx(TRUE.kernel_s, rel=0.25)


def one_model_decode_rows():
    """One model's decode rows only (no micro-benchmark): weights and kernels are the same on every row."""
    return [dict(hw="h100-sxm", model="llama-3.1-8b", chips=1, batch=b, ctx=c, phase="decode")
            for b, c in ((1, 512), (4, 2048), (16, 8192), (32, 16384))]


def test_one_model_without_micro_benchmarks_refuses_the_bandwidth_latency_pair(catalog):
    fit = fit_hardware(synthetic(catalog, one_model_decode_rows()), catalog)
    assert {"weights_mbu", "kernel_s"} <= set(fit.refused)
    for name in ("weights_mbu", "kernel_s"):
        assert "cannot be told apart" in fit.refused[name] and "hbm_read" in fit.refused[name]
        assert getattr(fit.efficiency, name) == getattr(fit.default, name)
    assert "mfu" in fit.refused and "gemm" in fit.refused["mfu"]  # no row is compute-bound
    assert fit.fitted == ("kv_mbu",)


def test_an_hbm_read_row_identifies_the_pair(catalog):
    rows = one_model_decode_rows() + [MICRO[0]]
    fit = fit_hardware(synthetic(catalog, rows), catalog)
    assert {"weights_mbu", "kv_mbu", "kernel_s"} <= set(fit.fitted)
    for name in ("weights_mbu", "kv_mbu", "kernel_s"):
        assert getattr(fit.efficiency, name) == pytest.approx(getattr(TRUE, name), rel=1e-4), name


def test_refuses_what_the_rows_cannot_identify(catalog):
    """Batch-1, short-context decode of one model: only weight streaming and kernels show."""
    rows = [dict(hw="h100-sxm", model="llama-3.1-8b", chips=1, batch=1, ctx=c, phase="decode") for c in (128, 256, 512)]
    fit = fit_hardware(synthetic(catalog, rows), catalog)
    assert fit.fitted == ()
    assert set(fit.refused) == set(PARAMETERS)
    assert "prefill of long prompts" in fit.refused["mfu"]
    assert "long context" in fit.refused["kv_mbu"]
    assert "kernel_s" in fit.refused["weights_mbu"]  # the pair moves every row in the same proportion
    assert fit.efficiency == fit.default


def test_json_round_trip(tmp_path, catalog):
    calibration, _ = calibrate(synthetic(catalog, rich_rows()), catalog, provenance={"command": "test"})
    save_calibration(calibration, tmp_path / "c.json")
    loaded = load_calibration(tmp_path / "c.json")
    assert loaded.efficiencies == calibration.efficiencies
    assert loaded.reports["h100-sxm"]["rows"] == [str(i) for i in range(len(rich_rows()))]
    assert loaded.provenance["command"] == "test"
    assert loaded.efficiency_for("h100-sxm") == calibration.efficiency_for("h100-sxm")
    assert loaded.efficiency_for("h200") is None
    dep = resolve(parse_scenario_strict({}, catalog), catalog, loaded)
    assert dep.efficiency == calibration.efficiency_for("h100-sxm")


GOOD = {"mfu": 0.5, "weights_mbu": 0.8, "kv_mbu": 0.7, "kernel_s": 3e-6}


@pytest.mark.parametrize("document, expected", [
    ("{not json", "not valid JSON"),
    (json.dumps([1, 2]), "hardware: missing"),
    (json.dumps({"hardware": {}}), "1 to 256 entries"),
    (json.dumps({"version": 2, "hardware": {"h100-sxm": GOOD}}), "version: must be 1"),
    (json.dumps({"hardware": {"h100-sxm": {**GOOD, "mfu": 1.5}}}), "mfu: must be a number in [0.01, 1]"),
    (json.dumps({"hardware": {"h100-sxm": {**GOOD, "kv_mbu": "fast"}}}), "kv_mbu: must be a number in [0.01, 1]"),
    (json.dumps({"hardware": {"h100-sxm": {k: v for k, v in GOOD.items() if k != "weights_mbu"}}}),
     "weights_mbu: missing; must be a number in [0.01, 1]"),
    (json.dumps({"hardware": {"h100-sxm": {**GOOD, "kernel_s": -1}}}), "kernel_s: must be a number in [0, 0.0001] s"),
    (json.dumps({"hardware": {"h100-sxm": {**GOOD, "attention_mfu": 2}}}),
     "attention_mfu: must be a number in [0.01, 1]"),
    (json.dumps({"hardware": {"h100-sxm": {"mfu": 0.5, "weights_mbu": 0.8, "kv_mbu": 0.7, "layer_overhead_s": 2}}}),
     "layer_overhead_s: must be a number in [0, 0.001] s"),
    (json.dumps({"hardware": {"H100 <b>": GOOD}}), "hardware id: must be a lowercase id"),
    (json.dumps({"hardware": {"h100-sxm": 3}}), "must be an object"),
    (json.dumps({"hardware": {f"hw{i}": GOOD for i in range(MAX_HARDWARE + 1)}}), "1 to 256 entries"),
    ("[" * 10 + " " * 1_000_001, "larger than 1,000,000 bytes"),
])
def test_malformed_json_is_named(document, expected):
    with pytest.raises(CalibrationError) as info:
        calibration_from_json(document)
    assert expected in str(info.value)
    assert "<b>" not in str(info.value)


def test_calibration_lowers_error_on_trtllm_rows(trtllm, catalog):
    """Measured (2026-12-01), median / max |error %| default -> fitted: A100 13.1/61 -> 7.7/49, H100
    18.1/134 -> 17.9/77, H200 26.9/216 -> 17.2/113, L40S 11.5/56 -> 14.9/55 (its weights_mbu and
    kernel_s are refused as a pair, F103); all rows 16.9/216 -> 12.9/113. The fit minimises the
    squared log error, which therefore falls on every hardware; the median need not."""
    calibration, fits = calibrate(trtllm, catalog)
    assert set(calibration.efficiencies) == SHIPPED_HW
    groups = by_hardware(trtllm)
    for fit in fits:
        problem = build_problem(groups[fit.hw], catalog)
        before = np.sum(np.log(problem.times_s(fit.default) / problem.measured_s) ** 2)
        after = np.sum(np.log(problem.times_s(fit.efficiency) / problem.measured_s) ** 2)
        assert after < before, fit.hw
        assert fit.after["max_abs_error_pct"] < fit.before["max_abs_error_pct"], fit.hw
    before, after = stats(validate(trtllm, catalog), "phase"), stats(validate(trtllm, catalog, calibration), "phase")
    for phase in ("request", "prefill"):
        assert after[phase]["median_abs_error_pct"] < before[phase]["median_abs_error_pct"] - 2, phase
    overall_before = stats(validate(trtllm, catalog))["all"]
    overall_after = stats(validate(trtllm, catalog, calibration))["all"]
    assert overall_after["median_abs_error_pct"] < overall_before["median_abs_error_pct"] - 3
    assert overall_after["max_abs_error_pct"] < overall_before["max_abs_error_pct"] / 1.5


def test_leave_one_model_out_transfers(trtllm, catalog):
    """Measured (2026-12-01): held-out median |error| 16.4%, max 150%; default efficiencies 16.9%, max 216%.
    With the time per kernel the defaults are nearly as good in median as a fit on other models (the
    fit mainly cuts the worst rows); bound with margin."""
    held_out = leave_one_model_out(trtllm, catalog)
    assert len(held_out) == 144 and all(r.predicted is not None for r in held_out)
    overall = stats(held_out)["all"]
    default = stats(validate(trtllm, catalog))["all"]
    assert overall["n"] == 144
    assert overall["median_abs_error_pct"] < 19.0
    assert overall["max_abs_error_pct"] < 170.0
    assert overall["max_abs_error_pct"] < default["max_abs_error_pct"] - 50


def test_leave_one_model_out_with_a_single_model_says_so(catalog):
    rows = synthetic(catalog, [r for r in rich_rows() if r.get("model", "llama-3.1-8b") == "llama-3.1-8b"])
    held_out = leave_one_model_out(rows, catalog)
    assert len(held_out) == len(rows) > 0
    model_rows = [r for r in held_out if not r.measurement.is_micro]
    assert model_rows and all(r.predicted is None and "no other model" in r.note for r in model_rows)
    assert all(r.predicted is None for r in held_out)  # micro-benchmarks belong to no model


def test_shipped_calibrations_load_and_match_their_reports(trtllm, catalog):
    shipped = shipped_calibrations()
    assert set(shipped) == SHIPPED_HW
    groups = by_hardware(trtllm)
    for name, path in shipped.items():
        calibration = load_calibration(path)
        assert set(calibration.efficiencies) == {name}
        report = calibration.reports[name]
        assert "TensorRT-LLM" in " ".join(report["sources"]) and calibration.provenance["command"]
        assert report["rows"] == [m.id for m in groups[name]]
        after = stats(validate(groups[name], catalog, calibration))["all"]
        # if this fails the model changed: re-run the command in the file's provenance
        assert after["median_abs_error_pct"] == pytest.approx(report["error_after"]["median_abs_error_pct"], abs=0.5)


def rich_csv_rows(catalog):
    measured = synthetic(catalog, rich_rows())
    return [{**keys, "measured_ms": f"{m.measured:.9g}"} for keys, m in zip(rich_rows(), measured, strict=True)]


def test_calibrate_cli_fits_reports_and_predict_uses_it(tmp_path, catalog):
    rows = rich_csv_rows(catalog) + [{"hw": "h100-sxm", "phase": "decode", "batch": "x", "measured_ms": "3"}]
    write_csv(tmp_path / "m.csv", rows)
    result = run("calibrate", str(tmp_path / "m.csv"), "-o", str(tmp_path / "c.json"))
    assert result.returncode == 1, result.stderr  # one bad row: named, the rest used
    assert f"row {len(rows)} (line {len(rows) + 1}): batch" in result.stderr
    assert "median" in result.stdout and "-> 0.0" in result.stdout
    loaded = load_calibration(tmp_path / "c.json")
    assert loaded.efficiency_for("h100-sxm").mfu == pytest.approx(TRUE.mfu, rel=1e-4)
    write_csv(tmp_path / "s.csv", [{"hw": "h100-sxm", "batch": "256"}])
    plain = run("predict", str(tmp_path / "s.csv"), "-o", str(tmp_path / "a.csv"))
    tuned = run("predict", str(tmp_path / "s.csv"), "-o", str(tmp_path / "b.csv"),
                "--calibration", str(tmp_path / "c.json"))
    assert plain.returncode == tuned.returncode == 0
    with open(tmp_path / "a.csv") as a, open(tmp_path / "b.csv") as b:
        assert float(next(csv.DictReader(b))["decode_step_ms"]) > float(next(csv.DictReader(a))["decode_step_ms"])


def test_calibrate_cli_refuses_when_nothing_is_identifiable(tmp_path, catalog):
    rows = [dict(hw="h100-sxm", model="llama-3.1-8b", chips=1, batch=1, ctx=c, phase="decode") for c in (128, 512)]
    write_csv(tmp_path / "m.csv", [{**k, "measured_ms": "5"} for k in rows])
    result = run("calibrate", str(tmp_path / "m.csv"), "-o", str(tmp_path / "c.json"), "--params", "mfu,kv_mbu")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "refused h100-sxm mfu" in result.stderr and "prefill of long prompts" in result.stderr
    assert not (tmp_path / "c.json").exists()
    bad = run("calibrate", str(tmp_path / "m.csv"), "-o", str(tmp_path / "c.json"), "--params", "bogus")
    assert bad.returncode == 2 and "--params: bogus" in bad.stderr


def test_a_calibration_only_replaces_its_own_hardware(catalog):
    calibration = Calibration({"h200": TRUE})
    h100 = resolve(parse_scenario_strict({"hw": "h100-sxm"}, catalog), catalog, calibration)
    h200 = resolve(parse_scenario_strict({"hw": "h200"}, catalog), catalog, calibration)
    assert h200.efficiency == TRUE and h100.efficiency.mfu == catalog.hardware["h100-sxm"].mfu
