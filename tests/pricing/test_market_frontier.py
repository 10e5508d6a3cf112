"""The market beside the sheet (implied margins, chip-hour cost, below-cost flags, published ratios),
the frontier curves and the hardware comparison."""

import math

import pytest
from conftest import deploy

from model import parse_scenario_strict
from model.catalog.api_prices import ApiPrice
from model.pricing import frontier, market
from model.pricing.sheet import Workload, price_sheet
from model.pricing.sheet_inputs import SheetInputs

WL = Workload(prompt=4096, ctx=8192, batch=64)


def _row(provider, output, model_id="llama-3.1-70b", **kw):
    return ApiPrice(provider, "m", usd_per_m_output=output, source="s", date_seen="d", model_id=model_id, **kw)


def test_implied_margin_chip_hour_and_flags(catalog):
    dep = deploy(catalog)
    sheet = price_sheet(dep, WL, SheetInputs())
    cost = sheet.row("standard").cost_usd_per_m_output
    rows = [_row("above", 4 * cost, usd_per_m_input=1.0), _row("below", cost / 2),
            _row("other", 1.0, model_id="deepseek-v3")]
    got = market.market_rows(rows, sheet, "llama-3.1-70b", 2.69, 2.69, margin=0.5)
    assert [r.provider for r in got] == ["above", "below"]
    above, below = got
    assert above.implied_margin_output == pytest.approx(0.75)
    assert above.implied_chip_hour_usd == pytest.approx(2.69 * 4 * 0.5)  # c_h · P (1 − m) / C
    assert not above.below_cost and above.what_would_change == ""
    assert below.below_cost and below.implied_margin_output == pytest.approx(-1.0)
    assert "2x" in below.what_would_change and "$1.34" in below.what_would_change


def test_published_ratio_summary_uses_rows_stating_both_prices():
    rows = [_row("a", 10, usd_per_m_input=2, usd_per_m_batch_output=5), _row("b", 8, usd_per_m_input=1),
            _row("c", 6)]
    summary = market.published_ratio_summary(rows)
    assert summary["output/input"].median == pytest.approx(6.5) and summary["output/input"].rows == 2
    assert summary["batch/standard"].median == pytest.approx(0.5)
    assert summary["fast/standard"].rows == 0 and math.isnan(summary["fast/standard"].median)


def test_frontier_overlays_hardware_and_precision(catalog):
    scenario = parse_scenario_strict({}, catalog)
    curves = frontier.frontier_curves(scenario, catalog)
    labels = [c.label for c in curves]
    assert labels[0].startswith("this scenario")
    assert any("b200" in x for x in labels) and any("8-bit" in x for x in labels)
    for curve in curves:
        # larger batch: more tokens per chip, fewer per user
        assert all(curve.tokens_per_s_per_chip[1:] >= curve.tokens_per_s_per_chip[:-1] * (1 - 1e-9))
        assert all(curve.tokens_per_s_per_user[1:] <= curve.tokens_per_s_per_user[:-1] * (1 + 1e-9))


def test_hardware_table_runs_every_preset_and_says_why_not(catalog):
    scenario = parse_scenario_strict({"chips": "1"}, catalog)
    rows = frontier.hardware_table(scenario, catalog, SheetInputs(std_tps=20))
    assert [r["hardware"] for r in rows] == list(catalog.hardware)
    h100 = next(r for r in rows if r["hardware"] == "h100-sxm")
    assert h100["batch"] == 0 and "do not fit" in h100["status"]  # 141 GB of bf16 weights on one 80 GB chip
    mi300x = next(r for r in rows if r["hardware"] == "mi300x")
    assert mi300x["batch"] > 0 and mi300x["cost_usd_per_m_output"] > 0
    served = frontier.fitting_rows(rows)
    assert served and [r["cost_usd_per_m_output"] for r in served] == sorted(r["cost_usd_per_m_output"] for r in served)
    owned = frontier.hardware_table(scenario, catalog, SheetInputs(basis="own"))
    assert "no ownership defaults" in next(r for r in owned if r["hardware"] == "l40s")["status"]


def test_what_would_change_names_utilisation_and_ownership():
    text = market.what_would_change(gap=3.0, served_usd=3.0, full_usd=2.0, owned_usd=1.0)
    assert "cost must fall 3x: a served chip-hour of at most $1" in text
    assert "full utilisation gives 1.5x (not enough alone)" in text
    assert "owning the chips gives 3x (enough)" in text
    assert market.what_would_change(gap=0.9, served_usd=3.0, full_usd=2.0) == ""
