"""python -m model sheet: the CSV round trip against the model, the human table, Markdown, bad keys."""

import csv
import io
import math
import shutil
from pathlib import Path

import pytest
from cli_runner import run
from conftest import PRESETS

from model.cli.sheet import build
from model.pricing.sheet import SHEET_COLUMNS

REQUIRED = {"tier", "usd_per_m_input", "usd_per_m_cached_input", "usd_per_m_output", "cost_usd_per_m_input",
            "cost_usd_per_m_output", "ttft_ms", "tpot_ms"}


def _number(text: str) -> float:
    return math.nan if text in ("", "nan") else float(text)


def test_csv_round_trip_is_the_model():
    args = ["preset=chat-70b", "margin=0.6", "util=0.8", "std_tps=20", "fast_tps=80", "basis=own"]
    result = run("sheet", *args, "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert REQUIRED <= set(rows[0]) and list(rows[0]) == list(SHEET_COLUMNS)
    assert [r["tier"] for r in rows] == ["standard", "fast", "batch", "long_context", "cache_read", "cache_write",
                                         "cache_storage"]
    *_, sheet = build(args, PRESETS)
    for printed, row in zip(rows, sheet.rows, strict=True):
        for column in ("usd_per_m_input", "usd_per_m_output", "cost_usd_per_m_output", "tpot_ms", "break_even_util"):
            expected = getattr(row, column)
            assert _number(printed[column]) == pytest.approx(expected, rel=1e-5, nan_ok=True), column
    std = rows[0]
    assert float(std["usd_per_m_output"]) == pytest.approx(float(std["cost_usd_per_m_output"]) / 0.4, rel=1e-5)


def test_human_table_and_markdown():
    table = run("sheet", "margin=0.5")
    assert table.returncode == 0, table.stderr
    assert "standard" in table.stdout and "RATIOS" in table.stdout and "output/input" in table.stdout
    markdown = run("sheet", "margin=0.5", "--markdown")
    assert markdown.returncode == 0 and markdown.stdout.startswith("# Price sheet")
    assert "| tier |" in markdown.stdout and "**fast/standard.**" in markdown.stdout


@pytest.mark.parametrize("args,message", [
    (["margin=2"], "margin: must be a number in [0, 0.99]"),
    (["util=0"], "util: must be a number in [0.01, 1]"),
    (["basis=lease"], "basis: must be one of rent, own"),
    (["colour=red"], "'colour=red': expected key=value"),
    (["basis=own", "hw=l40s"], "capex: no ownership defaults for hardware 'l40s'"),
    (["batch=-3"], "batch:"),
])
def test_bad_keys_exit_2_with_the_field(args, message):
    result = run("sheet", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_presets_directory_sets_the_long_context_traffic(tmp_path):
    """`--presets DIR` reads that directory's long_context.csv too: a heavier traffic tail moves the
    long-context tier's suggested boundary."""
    for name in Path(PRESETS).iterdir():
        if name.is_file():
            shutil.copy(name, tmp_path / name.name)
    text = (tmp_path / "long_context.csv").read_text(encoding="utf-8")
    heavy = text.replace("traffic_median_tokens,1620,", "traffic_median_tokens,40000,")
    (tmp_path / "long_context.csv").write_text(heavy, encoding="utf-8")
    args = ["preset=chat-70b"]
    *_, shipped = build(args, PRESETS)
    *_, heavier = build(args, tmp_path)
    assert math.isfinite(shipped.boundary_tokens) and heavier.boundary_tokens != shipped.boundary_tokens
    assert heavier.row("long_context") != shipped.row("long_context")
