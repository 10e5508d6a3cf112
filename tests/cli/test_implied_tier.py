"""python -m model implied-tier, and the knee columns of predict (issue 13)."""

import math

from cli_runner import read_csv, run, write_csv


def test_implied_tier_names_the_fraction_and_every_preset():
    result = run("implied-tier", "hw=h200", "model=llama-3.1-70b", "--boundary", "200000", "--input-mult", "2",
                 "--output-mult", "1.5")
    assert result.returncode == 0, result.stderr
    assert "of the full-attention layers keep the whole context" in result.stdout
    assert "qwen3-next-80b-a3b" in result.stdout and "in_implied_set" in result.stdout


def test_implied_tier_bad_input_is_a_clear_error():
    result = run("implied-tier", "hw=h200", "slo_tps=-3", "--boundary", "200000", "--input-mult", "2",
                 "--output-mult", "1.5")
    assert result.returncode == 2 and "slo_tps" in result.stderr
    missing = run("implied-tier", "hw=h200")
    assert missing.returncode != 0 and "--boundary" in missing.stderr


def test_predict_writes_the_three_knees_and_the_slo_batch(tmp_path):
    write_csv(tmp_path / "in.csv", [{"ctx": "512"}, {"ctx": "512", "slo_tps": "0"}])  # short: speed binds first
    result = run("predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    slo, best = read_csv(tmp_path / "out.csv")
    assert math.isclose(float(slo["input_knee_tokens"]), 104_349, rel_tol=0.01)  # F154: 104,448 in closed form
    assert float(slo["capacity_knee_tokens"]) > 0 and float(slo["output_knee_tokens"]) > 0
    assert int(float(slo["slo_batch"])) < int(float(best["slo_batch"])), "the speed target bounds the batch"
