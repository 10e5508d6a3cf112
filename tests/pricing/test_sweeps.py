"""model/core/grids.py, model/core/intensity.py (roofline geometry, decode path), model/pricing/sweeps.py
(price sweeps) and model/pricing/published.py (published ratios)."""

import dataclasses
import math

import numpy as np
import pytest
from conftest import deploy

from model import parse_scenario_strict, resolve
from model.catalog.api_prices import ApiPrice
from model.core import intensity, metrics
from model.core.grids import batch_grid, context_grid
from model.core.roofline import decode_step, prefill
from model.pricing import published as api
from model.pricing import sweeps
from model.report import summary as report


@pytest.fixture(scope="module")
def dep(catalog):
    return deploy(catalog)


@pytest.fixture(scope="module")
def moe(catalog):
    return deploy(catalog, hw="h200", model="deepseek-v3", wbits=8)


# --- grids ------------------------------------------------------------------------------------------
def test_batch_grid_is_powers_of_two_plus_the_current_batch():
    assert list(batch_grid(4096)) == [2.0 ** k for k in range(13)]
    grid = batch_grid(4096, include=96, per_octave=2)
    assert {1, 2, 3, 4, 6, 96, 4096} <= set(grid) and 6144 not in grid
    assert batch_grid(4096, include=10000)[-1] == 10000
    assert np.all(np.diff(grid) > 0)


def test_context_grid_spans_its_bounds_and_includes_the_current_context():
    grid = context_grid(128, 131072, points=20, include=5000)
    assert grid[0] == 128 and grid[-1] == 131072 and 5000 in grid
    assert np.all(np.diff(grid) > 0) and np.all(grid == np.round(grid))
    assert 10**7 not in context_grid(128, 1000, include=10**7)


# --- roofline geometry ------------------------------------------------------------------------------
def test_compute_roofs_per_precision(catalog):
    h100 = catalog.hardware["h100-sxm"]
    assert intensity.compute_roofs_flops_per_s(h100) == {"bf16": 989.4e12, "8-bit": 1978.9e12}
    assert intensity.compute_roofs_flops_per_s(catalog.hardware["tpu-v5e"])["8-bit"] == pytest.approx(393e12)  # INT8
    assert list(intensity.compute_roofs_flops_per_s(catalog.hardware["gaudi3"])) == ["bf16 = 8-bit"]  # FP8 = BF16
    no_eight_bit = dataclasses.replace(h100, eight_bit_flops_per_s=None)
    assert intensity.compute_roofs_flops_per_s(no_eight_bit) == {"bf16": 989.4e12}


def test_roof_is_bandwidth_times_intensity_below_the_ridge_and_the_peak_above():
    peak, bw = 1e15, 2e12  # ridge 500 FLOP/byte
    assert intensity.roof_flops_per_s(100, peak, bw) == pytest.approx(2e14)
    assert intensity.roof_flops_per_s(500, peak, bw) == pytest.approx(peak)
    assert intensity.roof_flops_per_s(5000, peak, bw) == pytest.approx(peak)
    x, y = intensity.roof_curve(peak, bw, 0.1, 1e4, points=16)
    assert 500 in x and x[0] == pytest.approx(0.1) and x[-1] == pytest.approx(1e4)
    assert np.all(np.diff(y) >= 0) and y.max() == peak


def test_intensity_range_covers_the_values_in_whole_decades():
    lo, hi = intensity.intensity_range([0.99, 63, 295, 2493, 0.0, np.nan])
    assert lo <= 0.99 and hi >= 2493
    assert math.log10(lo) == round(math.log10(lo)) and math.log10(hi) == round(math.log10(hi))
    assert intensity.intensity_range([]) == (0.1, 1e4)


# --- passes and ops ---------------------------------------------------------------------------------
def test_pass_totals_sum_the_ops(dep):
    step = decode_step(dep, 64, 8192)
    totals = intensity.pass_totals(dep, step)
    rows = report.op_rows(step)
    assert float(totals.cost.flops) == pytest.approx(sum(r["gflop"] for r in rows) * 1e9)
    moved = sum(r["weight_mb"] + r["kv_mb"] + r["act_mb"] for r in rows) * 1e6
    assert float(totals.intensity_flop_per_byte) == pytest.approx(float(totals.cost.flops) / moved)
    attained_flops = float(totals.attained_flops_per_s_per_chip) * dep.chips * float(step.time_s)
    assert attained_flops == pytest.approx(float(totals.cost.flops))


def test_each_op_sits_on_the_efficiency_adjusted_roof(catalog):
    one_chip = deploy(catalog, model="llama-3.1-8b", chips=1)
    eff, hw = one_chip.efficiency, one_chip.hardware
    for timing in (prefill(one_chip, 4096), decode_step(one_chip, 64, 8192)):
        points = intensity.op_points(one_chip, timing)
        assert "embedding_lookup" not in [p.name for p in points]  # no FLOPs, no place on a log plot
        for p in points:
            fraction = eff.attention_fraction if p.name == "attention" else eff.mfu  # attention's own (F3)
            roof = intensity.roof_flops_per_s(p.intensity_flop_per_byte, hw.bf16_flops_per_s * fraction,
                                           hw.hbm_bytes_per_s * eff.weights_mbu)
            op = next(o for o in timing.ops if o.name == p.name)  # its kernels' fixed time pulls it below (F100)
            below = float(np.sum(op.roofline_s) / np.sum(op.time_s))
            assert p.attained_flops_per_s_per_chip == pytest.approx(float(roof) * below, rel=1e-9), p.name
            assert p.bound == ("compute" if p.intensity_flop_per_byte * hw.hbm_bytes_per_s * eff.weights_mbu
                               > hw.bf16_flops_per_s * fraction else "memory")


def test_decode_path_is_one_vectorised_call_matching_scalar_steps(dep):
    batches = batch_grid(4096)
    path = intensity.decode_path(dep, batches, 8192)
    assert np.all(np.diff(path.intensity_flop_per_byte) > 0), "intensity rises with batch"
    assert np.all(np.diff(path.attained_flops_per_s_per_chip) > 0)
    for i in (0, 6, 12):
        assert path.step_s[i] == pytest.approx(float(decode_step(dep, batches[i], 8192).time_s))
    assert list(path.fits) == list(batches <= metrics.max_batch(dep, 8192))


def test_decode_intensity_approaches_its_large_batch_limit(dep, moe):
    for d in (dep, moe):
        path = intensity.decode_path(d, batch_grid(4096), 4096)
        limit = intensity.decode_intensity_limit_flop_per_byte(d, 4096)
        assert path.intensity_flop_per_byte.max() < limit
    short = intensity.decode_intensity_limit_flop_per_byte(dep, 128)
    assert short > intensity.decode_intensity_limit_flop_per_byte(dep, 131072), "longer KV caches lower the limit"


# --- prices -----------------------------------------------------------------------------------------
def summary(catalog, **keys):
    scenario = parse_scenario_strict({k: str(v) for k, v in keys.items()}, catalog)
    return report.summarize(scenario, resolve(scenario, catalog))


def test_price_against_batch_equals_the_scenario_summary(catalog, dep):
    sweep = sweeps.price_vs_batch(dep, np.array([1.0, 64.0, 512.0]), 8192, 4096)
    for i, batch in enumerate((1, 64, 512)):
        row = summary(catalog, batch=batch)
        assert sweep.usd_per_m_input[i] == pytest.approx(row["usd_per_m_input"])
        assert sweep.usd_per_m_output[i] == pytest.approx(row["usd_per_m_output"])
        assert sweep.output_input_ratio[i] == pytest.approx(row["output_input_ratio"])
        assert sweep.fits[i] == row["fits_in_memory"]
    assert np.all(np.diff(sweep.usd_per_m_output) < 0), "more sequences share each weight read"


def test_price_against_context_uses_prompt_equal_to_context(catalog, dep):
    contexts = np.array([1024.0, 32768.0])
    sweep = sweeps.price_vs_context(dep, contexts, 16)
    for i, ctx in enumerate(contexts):
        row = summary(catalog, batch=16, ctx=int(ctx), prompt=int(ctx))
        assert sweep.usd_per_m_input[i] == pytest.approx(row["usd_per_m_input"])
        assert sweep.usd_per_m_output[i] == pytest.approx(row["usd_per_m_output"])
    assert sweep.usd_per_m_output[1] > sweep.usd_per_m_output[0]


def test_decode_breakdown_adds_up_to_the_step_time(catalog, dep):
    batches = batch_grid(4096, per_octave=2)
    parts, step_s = sweeps.decode_breakdown_vs_batch_s(dep, batches, 8192)
    assert {"weights", "kv_cache", "compute", "comms", "overhead"} <= set(parts)  # overhead: kernels (F100)
    assert np.allclose(sum(parts.values()), step_s, rtol=1e-12)
    assert np.allclose(step_s, decode_step(dep, batches, 8192).time_s)
    assert np.allclose(parts["overhead"], decode_step(dep, batches, 8192).kernels * dep.efficiency.kernel_s)
    free = dataclasses.replace(dep, efficiency=dataclasses.replace(dep.efficiency, kernel_s=0.0))
    parts, step_s = sweeps.decode_breakdown_vs_batch_s(free, batches, 8192)
    assert "overhead" not in parts and np.allclose(sum(parts.values()), step_s, rtol=1e-12)


def test_first_x_not_fitting():
    assert sweeps.first_x_not_fitting([1, 2, 4, 8], [True, True, False, False]) == 4
    assert sweeps.first_x_not_fitting([1, 2], [True, True]) == math.inf


# --- published prices ------------------------------------------------------------------------------
def test_published_ratios_keep_every_row_with_its_source(catalog):
    rows = catalog.api_prices
    published = api.published_ratios(rows)
    assert len(published) == len(rows)
    for row, p in zip(rows, published, strict=True):
        assert (p.provider, p.model, p.source, p.date_seen) == (row.provider, row.model, row.source, row.date_seen)
        if row.out_in_ratio is not None:
            assert p.out_in_ratio == row.out_in_ratio
        else:
            assert math.isnan(p.out_in_ratio)
    computed = api.published_ratios([ApiPrice("x", "y", usd_per_m_output=8.0, source="s", date_seen="d",
                                              usd_per_m_input=2.0)])
    assert computed[0].out_in_ratio == 4.0


def test_rank_among_ignores_unknown_ratios():
    assert api.rank_among(5.0, [4.0, 5.0, 8.0, math.nan]) == (1, 1, 3)
    assert api.rank_among(20.0, [4.0, 8.0]) == (2, 0, 2)


def test_ratio_groups_cover_every_known_ratio_lowest_first(catalog):
    published = api.published_ratios(catalog.api_prices)
    groups = api.ratio_groups(published)
    assert sum(len(g.models) for g in groups) == sum(math.isfinite(p.out_in_ratio) for p in published)
    assert [g.out_in_ratio for g in groups] == sorted(g.out_in_ratio for g in groups)
    assert len({(g.provider, g.out_in_ratio) for g in groups}) == len(groups)

