"""python -m model: the `warnings` column names every token count beyond the model's context (issue 9)."""

from cli_runner import read_csv, run, write_csv


def test_predict_warns_of_a_prompt_beyond_the_maximum_context(tmp_path):
    rows = [{"note": "fits"}, {"note": "prompt", "prompt": "500000"}, {"note": "whole request", "prompt": "131000"},
            {"note": "ctx", "ctx": "200000"}]
    write_csv(tmp_path / "in.csv", rows)
    result = run("predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    out = {row["note"]: row for row in read_csv(tmp_path / "out.csv")}
    assert out["fits"]["warnings"] == ""
    assert out["prompt"]["warnings"] == "prompt 500000 exceeds the model's maximum context 131072"
    assert out["whole request"]["warnings"] == "prompt + out = 132024 tokens exceeds the model's maximum context 131072"
    assert out["ctx"]["warnings"].startswith("ctx 200000 exceeds the model's maximum context 131072")


def test_explain_prints_the_prompt_warning_and_both_floors():
    result = run("explain", "model=llama-3.1-70b", "prompt=500000")
    assert result.returncode == 0, result.stderr
    assert "prompt 500000 exceeds the model's maximum context 131072" in result.stdout
    assert "latency_floor_ms" in result.stdout and "latency_floor_ctx_ms" in result.stdout
