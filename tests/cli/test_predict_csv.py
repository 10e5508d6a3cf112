"""python -m model predict on ordinary CSV variants and hostile files (issue 10, item 4): computed as
meant or refused naming the column, formula cells neutralised, bounded reads, no traceback in a pipe."""

import re
import subprocess
import sys
import time

from cli_runner import read_csv, run, write_csv
from conftest import PRESETS, ROOT


def predict(tmp_path, data: str | bytes, *extra):
    path = tmp_path / "in.csv"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    result = run("predict", str(path), "-o", str(tmp_path / "out.csv"), *extra)
    return result, read_csv(tmp_path / "out.csv") if (tmp_path / "out.csv").exists() else []


CANONICAL = "hw,model,batch\nh200,llama-3.1-8b,1\nh200,llama-3.1-8b,256\n"


def test_header_with_spaces_case_or_semicolons_computes_what_is_meant(tmp_path):
    _, expected = predict(tmp_path, CANONICAL)
    assert expected[0]["tokens_per_s"] != expected[1]["tokens_per_s"]
    for variant in ("hw, model, batch\nh200, llama-3.1-8b, 1\nh200, llama-3.1-8b, 256\n",
                    "HW,Model,Batch\nh200,llama-3.1-8b,1\nh200,llama-3.1-8b,256\n",
                    "hw;model;batch\nh200;llama-3.1-8b;1\nh200;llama-3.1-8b;256\n"):
        result, out = predict(tmp_path, variant)
        assert result.returncode == 0, result.stderr
        assert [r["tokens_per_s"] for r in out] == [r["tokens_per_s"] for r in expected], variant
        assert [r["batch"].strip() for r in out] == ["1", "256"]


def test_short_rows_are_refused_naming_the_missing_column(tmp_path):
    result, out = predict(tmp_path, "hw,model,batch\nh200,llama-3.1-8b,4\nh200,llama-3.1-8b\n")
    assert result.returncode == 1
    assert "row 2 (line 3): 2 cells, the header has 3: no value for batch" in result.stderr
    assert out[0]["error"] == "" and out[1]["error"].endswith("no value for batch") and out[1]["tokens_per_s"] == ""


def test_a_duplicate_header_is_refused_naming_it(tmp_path):
    result, _ = predict(tmp_path, "hw,batch,model,Batch\nh200,1,llama-3.1-8b,256\n")
    assert result.returncode == 2 and "duplicate column 'batch' (columns 2 and 4" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_columns_are_warned_on_stderr_and_in_the_warnings_column(tmp_path):
    result, out = predict(tmp_path, "hw,bacth,note\nh200,256,mine\n")
    assert result.returncode == 0
    note = "column 'bacth' is not a column this command reads: carried through unchanged, not used"
    assert f"warning: {note}" in result.stderr
    assert note in out[0]["warnings"] and out[0]["bacth"] == "256" and out[0]["note"] == "mine"
    assert "note" not in result.stderr.replace("'note'", "")  # a documented pass-through column: no note


def test_line_numbers_are_right_after_a_quoted_multi_line_cell(tmp_path):
    result, _ = predict(tmp_path, 'note,hw\n"a\nb\nc",h200\nx,h100-nope\n')
    assert "row 2 (line 5): hw: unknown id 'h100-nope'" in result.stderr


def test_an_oversized_cell_or_a_latin1_byte_rejects_only_its_row(tmp_path):
    data = b"hw,note\nh200,ok\nh200," + b"x" * 20_000 + b"\nh200,caf\xe9\nh100-sxm,ok\n"
    result, out = predict(tmp_path, data)
    assert result.returncode == 1
    assert [bool(r["error"]) for r in out] == [False, True, True, False]
    assert "row 3 (line 4): column note: not UTF-8 text (byte 0xE9" in result.stderr
    assert float(out[3]["tokens_per_s"]) > 0


def test_formula_cells_are_neutralised_in_the_output_and_numbers_are_not(tmp_path):
    rows = [{"note": "=HYPERLINK(\"http://x\")", "hw": "h200"}, {"note": "+1+2", "hw": "h200"},
            {"note": "@SUM(A1)", "hw": "h200"}, {"note": "-0.5", "hw": "h200"}, {"note": "-cmd|x", "hw": "=1"}]
    write_csv(tmp_path / "in.csv", rows)
    run("predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    out = read_csv(tmp_path / "out.csv")
    assert [r["note"] for r in out] == ["'=HYPERLINK(\"http://x\")", "'+1+2", "'@SUM(A1)", "-0.5", "'-cmd|x"]
    assert out[4]["hw"] == "'=1" and out[4]["error"].startswith("hw: must be")


def test_reads_of_a_stream_are_bounded_for_scenarios_and_calibrations(tmp_path):
    (tmp_path / "in.csv").write_text(CANONICAL)
    for args in (("predict", "/dev/zero", "-o", str(tmp_path / "out.csv")),
                 ("predict", str(tmp_path / "in.csv"), "--calibration", "/dev/zero", "-o", str(tmp_path / "o.csv")),
                 ("validate", "/dev/zero"), ("explain", "--calibration", "/dev/zero")):
        start = time.perf_counter()
        result = run(*args)
        assert result.returncode == 2 and re.search(r"zero: (file: )?larger than", result.stderr), args
        assert "Traceback" not in result.stderr and time.perf_counter() - start < 30


def test_a_deeply_nested_calibration_is_a_message_not_a_traceback(tmp_path):
    (tmp_path / "cal.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "big.json").write_text('{"hardware": {"h200": {"mfu": ' + "9" * 5000 + "}}}")
    for name in ("cal.json", "big.json"):
        result = run("explain", "--calibration", str(tmp_path / name))
        assert result.returncode == 2 and f"error: {name}: " in result.stderr and "Traceback" not in result.stderr


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    (tmp_path / "in.csv").write_text("hw,batch\n" + "h200,8\n" * 3000)
    command = [sys.executable, "-m", "model", "--presets", PRESETS]
    for args in (["explain"], ["validate"], ["predict", str(tmp_path / "in.csv"), "-o", "-"],
                 ["predict", str(tmp_path / "in.csv"), "-o", "/dev/stdout"]):
        pipe = subprocess.run(" ".join([*command, *args]) + " | head -1", shell=True, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert pipe.stdout.count("\n") == 1, args
        assert "Traceback" not in pipe.stderr and "Broken" not in pipe.stderr, (args, pipe.stderr)


def test_validate_reads_semicolon_measurements_and_neutralises_formula_cells(tmp_path):
    (tmp_path / "m.csv").write_text("id;hw;model;chips;phase;batch;ctx;measured_ms;source\n"
                                    "a;h100-sxm;llama-3.1-8b;1;decode;8;1024;9.5;=cmd()\n")
    result = run("validate", str(tmp_path / "m.csv"), "-o", str(tmp_path / "v.csv"))
    assert result.returncode == 0, result.stderr
    row = read_csv(tmp_path / "v.csv")[0]
    assert row["source"] == "'=cmd()" and float(row["predicted"]) > 0 and row["error_pct"].startswith("-")
