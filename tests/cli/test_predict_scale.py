"""predict at scale (issue 10, "Work at scale"): rows of one deployment are evaluated as arrays with the
numbers of the row-by-row path, output streams in chunks with an optional progress line, and Ctrl-C
keeps the rows done so far."""

import random
import signal
import subprocess
import sys
import time

import pytest
from cli_runner import read_csv, write_csv
from conftest import PRESETS, ROOT

from model.calibration.file_format import SHIPPED_DIR, load_calibration
from model.catalog.csv_rows import CsvRecord
from model.cli.common import format_cell
from model.cli.predict import Deployments, evaluate_chunk
from model.report import summary as report
from model.report.summary_rows import WORKLOAD_KEYS, summarize_workloads
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import ScenarioError, resolve

DEPLOYMENTS = [
    {}, {"preset": "chat-70b"}, {"preset": "long-context-200k"},
    {"hw": "h200", "model": "deepseek-v3", "chips": "8", "wbits": "8", "dp_attn": "true"},
    {"hw": "l40s", "model": "mixtral-8x7b", "chips": "4", "wbits": "4", "kvbits": "8", "abits": "8"},
    {"hw": "a100-80gb", "model": "gemma-3-27b", "chips": "2", "mfu": "0.4", "mbu": "0.9", "price": "1.1"},
    {"hw": "tpu-v6e", "model": "gpt-oss-120b", "chips": "16"},
    {"hw": "custom", "hw_tflops": "400", "hw_tbps": "2", "hw_gb": "96", "hw_link_gbps": "200",
     "model": "custom", "layers": "24", "d_model": "2048", "heads": "16", "kv_heads": "4", "head_dim": "128",
     "ffn": "1024", "vocab": "50000", "experts": "32", "experts_active": "4"},
    {"hw": "h100-nope"},  # a bad deployment: every row of it fails with the row-by-row message
]
WORKLOADS = {"batch": [1, 2, 63, 64, 4096, 65536], "ctx": [0, 1, 255, 8192, 131072, 10_000_000],
             "prompt": [1, 2, 256, 257, 4096, 1_000_000], "out": [1, 2, 255, 256, 257, 2048]}


def mixed_rows(n: int = 360) -> list[dict]:
    rng = random.Random(7)
    rows = []
    for i in range(n):
        row = {"note": f"r{i}", **DEPLOYMENTS[i % len(DEPLOYMENTS)]}
        for key, values in WORKLOADS.items():
            if rng.random() < 0.8:
                row[key] = str(rng.choice(values))
        if i % 97 == 5:
            row["batch"] = "-3"  # a bad workload value
        rows.append(row)
    return rows


@pytest.fixture(scope="module", params=[None, "shipped"])
def calibration(request):
    return None if request.param is None else load_calibration(SHIPPED_DIR / "h100-sxm.json")


def scalar(row: dict, catalog, calibration) -> tuple[dict, str]:
    try:
        scenario = parse_scenario_strict(row, catalog)
        return report.summarize(scenario, resolve(scenario, catalog, calibration)), ""
    except (ScenarioError, ValueError) as exc:
        return {}, str(exc)


def test_rows_evaluated_as_arrays_give_the_row_by_row_text_and_errors(catalog, calibration):
    rows = mixed_rows()
    records = [CsvRecord(n, n + 1, row) for n, row in enumerate(rows, start=1)]
    results = evaluate_chunk(records, Deployments(catalog, calibration))
    failed = 0
    for row, (columns, error) in zip(rows, results, strict=True):
        expected, expected_error = scalar(row, catalog, calibration)
        assert error == expected_error, row
        assert columns == {k: format_cell(v) for k, v in expected.items()}, row
        failed += bool(error)
    assert 0 < failed < len(rows) // 4


def test_arrays_agree_with_the_scalar_path_to_1e_9_in_every_column(catalog, calibration):
    deployments = Deployments(catalog, calibration)
    groups = {}
    for row in mixed_rows():
        key, _ = deployments.split(row)
        entry = deployments.get(key)
        if not isinstance(entry, Exception) and scalar(row, catalog, calibration)[1] == "":
            groups.setdefault(key, (entry, []))[1].append(parse_scenario_strict(row, catalog))
    compared = 0
    for (base, dep, shared), scenarios in groups.values():
        workloads = [tuple(getattr(s, k) for k in WORKLOAD_KEYS) for s in scenarios]
        for s, row in zip(scenarios, summarize_workloads(base, dep, workloads, shared), strict=True):
            expected = report.summarize(s, dep)
            assert list(row) == list(expected)
            for name, value in expected.items():
                if isinstance(value, float) and value not in (float("inf"), 0.0):
                    assert abs(row[name] - value) <= 1e-9 * abs(value), (name, s)
                else:
                    assert row[name] == value and type(row[name]) is type(value), (name, s)
                compared += 1
    assert len(groups) == len(DEPLOYMENTS) - 1 and compared > 6_000


def big_csv(path, n):
    rng = random.Random(3)
    write_csv(path, [{"hw": "h100-sxm", "model": "llama-3.1-8b", "chips": "1", "batch": str(rng.randint(1, 512)),
                      "ctx": str(rng.randint(0, 100_000)), "prompt": str(rng.randint(1, 50_000)),
                      "out": str(rng.randint(1, 4000))} for _ in range(n)])


def predict_process(tmp_path, *extra):
    return subprocess.Popen([sys.executable, "-m", "model", "--presets", PRESETS, "predict", str(tmp_path / "in.csv"),
                             "-o", str(tmp_path / "out.csv"), *extra], cwd=ROOT, stderr=subprocess.PIPE, text=True)


def test_progress_line_when_asked_and_none_otherwise(tmp_path):
    big_csv(tmp_path / "in.csv", 12_000)
    quiet = predict_process(tmp_path)
    assert quiet.wait(timeout=300) == 0 and "predict:" not in quiet.stderr.read()
    shown = predict_process(tmp_path, "--progress")
    assert shown.wait(timeout=300) == 0
    stderr = shown.stderr.read()
    # (text mode reads the progress line's carriage return as a newline)
    assert "predict: 5,000 / 12,000 rows" in stderr and "predict: 12,000 / 12,000 rows" in stderr
    assert len(read_csv(tmp_path / "out.csv")) == 12_000


def test_ctrl_c_keeps_the_rows_done_so_far(tmp_path):
    big_csv(tmp_path / "in.csv", 100_000)
    process = predict_process(tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (tmp_path / "out.csv").exists() and (tmp_path / "out.csv").read_text().count("\n") > 1:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130
    message = process.stderr.read()
    assert "interrupted: wrote the first " in message and "Traceback" not in message
    done = int(message.split("wrote the first ")[1].split(" of ")[0].replace(",", ""))
    out = read_csv(tmp_path / "out.csv")
    assert 0 < len(out) == done < 100_000
    assert all(r["error"] == "" and float(r["tokens_per_s"]) > 0 for r in out)


def test_a_group_the_arrays_refuse_is_computed_row_by_row(catalog, monkeypatch):
    rows = mixed_rows(60)
    records = [CsvRecord(n, n + 1, row) for n, row in enumerate(rows, start=1)]
    expected = evaluate_chunk(records, Deployments(catalog))

    def refuse(*args, **kwargs):
        raise ValueError("arrays refused")

    monkeypatch.setattr("model.cli.predict.summarize_columns", refuse)
    assert evaluate_chunk(records, Deployments(catalog)) == expected
