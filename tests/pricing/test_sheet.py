"""The price sheet: hand-computed ownership cost, margin and break-even arithmetic; monotonicity in
speed, margin and utilisation; agreement with the Overview's numbers at today's defaults."""

import dataclasses
import math

import pytest
from conftest import deploy

from model import parse_scenario_strict, resolve, summarize
from model.catalog.ownership import Ownership
from model.pricing.cost_basis import (
    Diurnal,
    break_even_utilisation,
    capital_recovery_factor,
    implied_chip_hour_usd,
    implied_margin,
    ownership_basis,
    price_at_margin,
    rental_basis,
    served_chip_hour_usd,
)
from model.pricing.sheet import Workload, cache_storage, price_sheet
from model.pricing.sheet_inputs import SheetInputs, parse_sheet_inputs

H100 = Ownership("h100-sxm", capex_usd_per_chip=30_000, server_network_usd_per_chip=10_000, depreciation_years=5,
                 capital_rate=0.10, power_w=700, pue=1.58, usd_per_kwh=0.0806, opex_usd_per_kw_month=150)
WL = Workload(prompt=4096, ctx=8192, batch=64)


def test_ownership_chip_hour_by_hand(catalog):
    basis = ownership_basis(H100)
    # capital recovery at 10% over 5 years: 0.1 / (1 - 1.1^-5) = 0.263797 per year;
    # (30,000 + 10,000) x 0.263797 / 8760 h = 1.204555; 150 USD/kW-month x 0.7 kW / 730 h = 0.143836
    assert capital_recovery_factor(0.10, 5) == pytest.approx(0.263797, rel=1e-5)
    assert basis.fixed_usd_per_chip_hour == pytest.approx(1.204555 + 0.143836, rel=1e-5)
    # 0.7 kW x 1.58 x 0.0806 USD/kWh = 0.0891436 USD per serving hour
    assert basis.energy_usd_per_chip_hour == pytest.approx(0.0891436, rel=1e-5)
    assert basis.usd_per_chip_hour == pytest.approx(1.437534, rel=1e-5)
    assert ownership_basis(catalog.ownership["h100-sxm"]) == basis  # the shipped row is these numbers
    straight = ownership_basis(dataclasses.replace(H100, capital_rate=0.0))  # 40,000 / (5 x 8760 h) = 0.913242
    assert straight.fixed_usd_per_chip_hour == pytest.approx(0.913242 + 0.143836, rel=1e-5)


def test_utilisation_margin_and_break_even_by_hand():
    basis = ownership_basis(H100)
    served = served_chip_hour_usd(basis, 0.8)  # 1.348390 / 0.8 + 0.0891436
    assert served == pytest.approx(1.774632, rel=1e-5)
    assert price_at_margin(served, 0.6) == pytest.approx(4.436579, rel=1e-5)  # 1.774632 / 0.4
    # price covers cost when 1.348390 / u + 0.0891436 = 4.436579: u = 0.310158
    assert break_even_utilisation(basis, 0.8, 0.6) == pytest.approx(0.310158, rel=1e-4)
    assert break_even_utilisation(rental_basis(2.69), 0.8, 0.6) == pytest.approx(0.32)  # u0 (1 - m)
    assert implied_margin(2.0, 1.5) == pytest.approx(0.25)
    assert implied_margin(1.0, 1.5) == pytest.approx(-0.5)  # below cost
    assert implied_chip_hour_usd(price=2.0, cost=4.0, usd_per_chip_hour=2.69, margin=0.5) == pytest.approx(0.6725)
    assert Diurnal(10, 0.5).utilisation == pytest.approx(17 / 24)  # (10 + 0.5 * 14) / 24


def test_defaults_are_the_overview_numbers(catalog):
    scenario = parse_scenario_strict({}, catalog)
    dep = resolve(scenario, catalog)
    std = price_sheet(dep, WL, SheetInputs()).row("standard")
    overview = summarize(scenario, dep)
    assert std.batch == scenario.batch
    assert std.usd_per_m_output == pytest.approx(overview["usd_per_m_output"], rel=1e-9)
    assert std.usd_per_m_input == pytest.approx(overview["usd_per_m_input"], rel=1e-9)
    assert std.ttft_ms == pytest.approx(overview["ttft_ms"], rel=1e-9)
    assert std.tpot_ms == pytest.approx(overview["tpot_ms"], rel=1e-9)


def test_owned_cost_is_the_roofline_at_the_served_chip_hour(catalog):
    dep = deploy(catalog)
    inputs = SheetInputs(basis="own", util=0.8)
    std = price_sheet(dep, WL, inputs, H100).row("standard")
    scenario = parse_scenario_strict({"price": "1.774632"}, catalog)
    at_price = summarize(scenario, resolve(scenario, catalog))
    assert std.cost_usd_per_m_output == pytest.approx(at_price["usd_per_m_output"], rel=1e-5)


@pytest.mark.parametrize("keys", [{}, {"preset": "deepseek-v3-moe"}, {"model": "llama-3.1-8b", "chips": "1"}])
def test_a_faster_tier_never_costs_less(catalog, keys):
    dep = deploy(catalog, **keys)
    costs = []
    for tps in (5, 10, 20, 40, 80):
        row = price_sheet(dep, WL, SheetInputs(std_tps=tps, fast_tps=0)).row("standard")
        if row.batch > 0:
            costs.append(row.cost_usd_per_m_output)
    assert len(costs) >= 3
    assert costs == sorted(costs)


def test_a_higher_margin_never_lowers_a_price(catalog):
    dep = deploy(catalog)
    sheets = [price_sheet(dep, WL, SheetInputs(margin=m)) for m in (0.0, 0.2, 0.5, 0.9)]
    for tier in ("standard", "fast", "batch", "long_context", "cache_write", "cache_storage"):
        for column in ("usd_per_m_input", "usd_per_m_output", "usd_per_m_token_hour"):
            prices = [getattr(s.row(tier), column) for s in sheets]
            if all(math.isfinite(p) for p in prices):
                assert prices == sorted(prices), (tier, column)


@pytest.mark.parametrize("basis", ["rent", "own"])
def test_higher_utilisation_never_raises_cost(catalog, basis):
    dep = deploy(catalog)
    sheets = [price_sheet(dep, WL, SheetInputs(util=u, basis=basis), H100) for u in (0.1, 0.3, 0.6, 1.0)]
    for tier in ("standard", "fast", "long_context", "cache_storage"):
        for column in ("cost_usd_per_m_input", "cost_usd_per_m_output", "cost_usd_per_m_token_hour"):
            costs = [getattr(s.row(tier), column) for s in sheets]
            if all(math.isfinite(c) for c in costs):
                assert costs == sorted(costs, reverse=True), (tier, column)
                assert costs[0] > costs[-1]


def test_batch_tier_is_cheapest_and_cache_read_below_input(catalog):
    dep = deploy(catalog)
    sheet = price_sheet(dep, WL, SheetInputs(util=0.7, peak_hours=12, offpeak_demand=0.4))
    std, batch = sheet.row("standard"), sheet.row("batch")
    assert batch.cost_usd_per_m_output < std.cost_usd_per_m_output
    assert sheet.utilisation == pytest.approx(0.7 * (12 + 0.4 * 12) / 24)
    assert 0 < std.cost_usd_per_m_cached_input < std.cost_usd_per_m_input


def test_cache_storage_share_by_hand(catalog):
    # Llama 3.1 70B bf16: 80 layers x 8 KV heads x 128 x 2 (K, V) x 2 B = 327,680 B per token; 8 x H100 keep
    # 0.9 x 80 GB - 141.1 GB / 8 = 54.36 GB each for KV: 1M tokens take 327.68 / 434.9 = 75.3% of it
    stored, share = cache_storage(deploy(catalog), 8192)
    assert stored == pytest.approx(327.68e9, rel=1e-6)
    assert share == pytest.approx(0.7535, rel=2e-3)


def test_targets_no_batch_meets_are_reported_not_priced(catalog):
    sheet = price_sheet(deploy(catalog), WL, SheetInputs(fast_tps=5000))
    fast = sheet.row("fast")
    assert fast.batch == 0 and "impossible" in fast.status and math.isnan(fast.usd_per_m_output)


def test_sheet_inputs_name_the_bad_field():
    raw = {"ps_margin": "1.5", "ps_util": "abc", "ps_basis": "lease", "ps_fast_tps": "50"}
    inputs, errors = parse_sheet_inputs(raw, prefix="ps_")
    assert [e.field for e in errors] == ["ps_margin", "ps_util", "ps_basis"]
    assert "[0, 0.99]" in str(errors[0])
    assert inputs == dataclasses.replace(SheetInputs(), fast_tps=50.0)
    with pytest.raises(ValueError, match="capex"):
        SheetInputs(basis="own").ownership(None, "l40s")
    own = SheetInputs(capex=20_000).ownership(H100, "h100-sxm")
    assert own.capex_usd_per_chip == 20_000 and own.power_w == 700


def test_off_peak_tier_sells_idle_capacity_at_full_utilisation(catalog):
    dep = deploy(catalog)
    flat = price_sheet(dep, WL, SheetInputs(util=0.9))
    assert flat.row("off_peak") is None  # no diurnal curve, no off-peak tier
    sheet = price_sheet(dep, WL, SheetInputs(util=0.9, peak_hours=12, offpeak_demand=0.3))
    std, off = sheet.row("standard"), sheet.row("off_peak")
    assert off.batch == std.batch and off.utilisation == 1.0
    # renting: cost scales 1/u, so off-peak / standard = u_f · u_day = 0.9 · (12 + 0.3 · 12) / 24
    assert off.cost_usd_per_m_output / std.cost_usd_per_m_output == pytest.approx(0.9 * 15.6 / 24)


def test_host_dram_cache_tier_by_hand(catalog):
    dep = deploy(catalog)
    hbm = price_sheet(dep, WL, SheetInputs())
    host = price_sheet(dep, WL, SheetInputs(cache_tier="host"))
    # 327.68 GB per 1M tokens x 2.66 USD/GB x CRF(10%, 5 y) 0.263797 / 8760 h = 0.026248 USD per hour
    assert host.row("cache_storage").cost_usd_per_m_token_hour == pytest.approx(0.026248, rel=1e-4)
    assert host.cache_share_of_kv == 0 and host.cache_tier == "host"
    # a hit copies 327.68 GB over 8 x 64 GB/s = 0.64 s of the replica's 2.69 x 8 / 3600 USD/s = 0.003826 USD per 1M
    extra = host.row("standard").cost_usd_per_m_cached_input - hbm.row("standard").cost_usd_per_m_cached_input
    assert extra == pytest.approx(0.003826, rel=1e-3)
    assert host.row("cache_write").cost_usd_per_m_input < hbm.row("cache_write").cost_usd_per_m_input
