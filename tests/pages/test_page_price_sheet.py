"""The price-sheet page through the entry point: the model's numbers, link keys, garbage in links."""

import random

import pytest
from apptest_harness import CUSTOM_LINK, app, chart_data, deployment, metrics, texts

from model.pricing.sheet import Workload, price_sheet
from model.pricing.sheet_inputs import SheetInputs
from ui import format as fmt
from ui.params.price_sheet import FIELDS

PAGE = "pages/price_sheet.py"


@pytest.mark.parametrize("query", [None, {"preset": "deepseek-v3-moe"}, {"preset": "long-context-200k"}, CUSTOM_LINK])
def test_renders_the_sheet_the_market_and_the_frontier(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value == "Price sheet"
    sheet = at.dataframe[0].value
    assert list(sheet["tier"])[:3] == ["standard", "fast", "batch"]
    assert len(chart_data(at)) == 1
    assert len(at.dataframe) >= 3  # sheet, ratios, (market), hardware


def test_link_keys_set_margin_utilisation_and_targets():
    query = {"ps_margin": "0.6", "ps_util": "0.8", "ps_std_tps": "20", "ps_fast_tps": "80"}
    at = app(query, page=PAGE)
    assert not at.exception and not at.error
    scenario, dep = deployment()
    expected = price_sheet(dep, Workload(scenario.prompt, scenario.ctx, scenario.batch),
                           SheetInputs(margin=0.6, util=0.8, std_tps=20, fast_tps=80)).row("standard")
    assert metrics(at)["Standard: price per 1M output"] == fmt.usd(expected.usd_per_m_output)
    sheet = at.dataframe[0].value
    std = sheet[sheet["tier"] == "standard"].iloc[0]
    assert std["batch"] == expected.batch
    assert std["usd_per_m_output"] == pytest.approx(std["cost_usd_per_m_output"] / 0.4, rel=1e-2)
    assert at.query_params["ps_margin"] == "0.6"  # the link keeps it


def test_garbage_in_the_link_is_named_and_ignored():
    at = app({"ps_margin": "lots", "ps_util": "7", "ps_basis": "<b>x</b>", "ps_long_ctx": "-5"}, page=PAGE)
    assert not at.exception and not at.error
    notice = texts(at)
    for key in ("ps_margin", "ps_util", "ps_basis", "ps_long_ctx"):
        assert key in notice
    assert "<b>" not in notice
    assert metrics(at)["Standard: price per 1M output"] == next(iter(metrics(app(page=PAGE)).values()))


def test_ownership_without_defaults_says_so_and_uses_rent():
    at = app({"hw": "l40s", "ps_basis": "own"}, page=PAGE)
    assert not at.exception and not at.error
    assert any("no ownership defaults for hardware 'l40s'" in w.value for w in at.warning)
    owned = app({"ps_basis": "own"}, page=PAGE)  # h100-sxm has a row: the chip-hour is its ownership cost
    assert metrics(owned)["Chip-hour cost"] == fmt.usd(1.437534)


def test_random_garbage_in_sheet_keys_never_raises():
    rng = random.Random(14)
    values = ["-1", "0", "1e999", "nan", "inf", "", "abc", "<script>alert(1)</script>", "0.5", "24", "own", "9" * 40]
    for _ in range(12):
        query = {key: rng.choice(values) for key in rng.sample(sorted(FIELDS), 4)}
        at = app(query, page=PAGE)
        assert not at.exception, (query, [e.value for e in at.exception])
        assert "<script" not in texts(at)
        assert at.dataframe[0].value["tier"].iloc[0] == "standard"


def test_no_demand_at_any_hour_is_refused_by_name():
    at = app({"ps_peak_hours": "0", "ps_offpeak_demand": "0"}, page=PAGE)
    assert not at.exception and not at.error, texts(at)
    assert "ps_offpeak_demand: must be above 0 when ps_peak_hours is 0" in texts(at)


def test_owned_sheet_lists_its_ownership_numbers_with_sources():
    at = app({"ps_basis": "own", "ps_capex": "20000"}, page=PAGE)
    assert not at.exception and not at.error
    assert at.dataframe[0].value["tier"].iloc[0] == "standard"
    own = next(d.value for d in at.dataframe if "number" in d.value.columns)
    rows = own.set_index("number")
    assert rows.loc["capex_usd_per_chip", "value"] == 20000 and rows.loc["power_w", "value"] == 700
    assert rows.loc["capex_usd_per_chip", "source"] == "set in this sheet"
    assert "TDP 700 W" in rows.loc["power_w", "source"] and own["source"].str.len().min() > 0
