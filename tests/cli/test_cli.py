"""python -m model: presets, predict round trips with bad rows, explain."""


from cli_runner import read_csv, run, write_csv
from conftest import ROOT

from model.report.summary import OUTPUT_NAMES
from model.schema.scenario import SCENARIO_FIELDS


def test_presets_lists_everything_with_sources():
    result = run("presets")
    assert result.returncode == 0
    for text in ("h100-sxm", "tpu-v6e", "deepseek-v3", "gemma-3-27b", "chat-70b", "runpod", "huggingface.co"):
        assert text.lower() in result.stdout.lower()


def test_predict_round_trip_keeps_rows_and_extra_columns(tmp_path):
    rows = [
        {"note": "defaults"},
        {"note": "moe", "hw": "h200", "model": "deepseek-v3", "chips": "8", "wbits": "8", "batch": "32", "ctx": "4096"},
        {"note": "preset", "preset": "fast-tier-70b"},
    ]
    write_csv(tmp_path / "in.csv", rows)
    result = run("predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    out = read_csv(tmp_path / "out.csv")
    assert [r["note"] for r in out] == ["defaults", "moe", "preset"]
    assert set(OUTPUT_NAMES) <= set(out[0])
    assert all(r["error"] == "" for r in out)
    assert float(out[1]["latency_floor_ms"]) < float(out[0]["latency_floor_ms"])  # 37B active vs 70B
    assert float(out[2]["usd_per_m_output"]) > float(out[0]["usd_per_m_output"])  # fast tier costs more
    assert out[0]["decode_bound"] in ("compute", "memory", "comms")


def test_predict_reports_bad_rows_and_computes_the_others(tmp_path):
    rows = [
        {"hw": "h100-sxm", "batch": "8"},
        {"hw": "h100-nope", "batch": "8"},
        {"hw": "h100-sxm", "batch": "-4"},
        {"hw": "custom", "hw_tflops": "100", "hw_gb": "80", "hw_link_gbps": "50", "batch": "8"},
        {"hw": "h100-sxm", "batch": "16"},
    ]
    write_csv(tmp_path / "in.csv", rows)
    result = run("predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.returncode != 0
    assert "row 2 (line 3): hw: unknown id 'h100-nope'" in result.stderr
    assert "row 3 (line 4): batch: must be an integer in [1, 262144] sequences; got '-4'" in result.stderr
    assert "row 4 (line 5): hw_tbps: required when hw=custom" in result.stderr
    out = read_csv(tmp_path / "out.csv")
    assert [bool(r["error"]) for r in out] == [False, True, True, True, False]
    assert float(out[4]["tokens_per_s"]) > float(out[0]["tokens_per_s"])


def test_predict_unreadable_file_is_a_clear_error(tmp_path):
    (tmp_path / "in.csv").write_bytes(b"\xff\xfe\xfa")
    result = run("predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 2 and "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_explain_prints_both_op_tables_and_derived_numbers():
    result = run("explain", "hw=h100-sxm", "model=llama-3.1-70b", "batch=64", "ctx=8192")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "PREFILL" in out and "DECODE STEP: batch 64 at context 8192" in out
    for name in ("qkv_proj", "attention", "ffn", "lm_head", "norms", "tp_allreduce", "intensity_flop_per_byte",
                 "latency_floor_ms", "context_knee_tokens"):
        assert name in out


def test_explain_bad_key_is_a_clear_error():
    result = run("explain", "hw=h100-sxm", "bacth=64")
    assert result.returncode == 2 and "expected key=value" in result.stderr and "Traceback" not in result.stderr


def test_readme_documents_every_key_and_output_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in list(SCENARIO_FIELDS) + list(OUTPUT_NAMES):
        assert f"`{name}`" in readme, name


def test_an_unwritable_output_path_is_a_message_not_a_traceback(tmp_path):
    write_csv(tmp_path / "s.csv", [{"batch": "8"}])
    result = run("predict", str(tmp_path / "s.csv"), "-o", str(tmp_path / "missing-dir" / "out.csv"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "out.csv: cannot write" in result.stderr
