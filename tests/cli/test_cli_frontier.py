"""python -m model fit and fleet: the memory-fit planner and the published-fleet checks."""

import pytest
from cli_runner import run

from model import load_catalog, resolve, summarize
from model.core import metrics
from model.report.fleet import FLEET_CHECKS, fleet_rows, predicted, sensitivity
from model.schema.parse import baseline


def test_fit_names_the_smallest_layout_and_fails_cleanly_when_nothing_fits():
    result = run("fit", "model=deepseek-v3", "hw=h800", "wbits=8", "batch=1024", "ctx=4989")
    assert result.returncode == 0, result.stderr
    assert "smallest fit: 24 chips" in result.stdout and "weights_gb" in result.stdout
    too_big = run("fit", "model=deepseek-v3", "hw=rtx-4090", "batch=65536", "ctx=1000000", "--max-chips", "8")
    assert too_big.returncode == 1 and "no layout of up to 8 chips fits" in too_big.stdout
    mixed = run("fit", "model=deepseek-v3", "hw=b200", "wbits=4", "chips=8", "ep=2", "batch=64", "ctx=2048")
    assert mixed.returncode == 0 and "this scenario's layout: 8 chips, EP2 x expert TP4, attention TP8" in mixed.stdout
    bad = run("fit", "ep=3", "chips=8", "model=deepseek-v3")
    assert bad.returncode == 2 and "ep: must divide chips (8)" in bad.stderr and "Traceback" not in bad.stderr


def test_fleet_prints_every_check_beside_its_published_figure():
    result = run("fleet")
    assert result.returncode == 0, result.stderr
    for check in FLEET_CHECKS:
        assert check.scenario in result.stdout
    assert "one assumption changed at a time" in result.stdout


def test_fleet_errors_are_computed_from_the_model_not_stored():
    catalog = load_catalog()
    rows = fleet_rows(catalog)
    for row, check in zip(rows, FLEET_CHECKS, strict=True):
        value = predicted(baseline(check.scenario, catalog), catalog, check.metric, check.cache_hit)
        assert row["predicted"] == value
        assert row["error_pct"] == pytest.approx(100 * (value / check.published - 1))
    decode_node, per_user = rows[1], rows[2]
    # the batch is their ratio x 18 nodes (12,685.7, rounded): the two errors agree to rounding
    assert decode_node["error_pct"] == pytest.approx(per_user["error_pct"], rel=1e-3)
    halved = {r["change"]: r["vs_base_pct"] for r in sensitivity(catalog, FLEET_CHECKS[1])}
    assert halved["overlap off"] < 0 and halved["mfu=0.3 (half the default)"] < 0


def test_prefill_check_counts_cache_hits_as_input_tokens():
    catalog = load_catalog()
    s = baseline("deepseek-prefill-h800", catalog)
    with_hits = predicted(s, catalog, "prefill_node", FLEET_CHECKS[0].cache_hit)
    without = predicted(s, catalog, "prefill_node")
    assert with_hits > without  # a cached token is counted as input but not recomputed


def test_gb200_nvl72_fp4_decode_is_one_domain_at_a_batch_over_the_old_cap():
    catalog = load_catalog()
    s = baseline("sglang-decode-gb200-fp4", catalog)
    hw = catalog.hardware["gb200"]
    assert hw.scaleup_chips == 72 and hw.fp4_flops_per_s == 4 * hw.bf16_flops_per_s  # Blackwell dense table
    assert s.batch == 48 * 1408 > 65_536  # SGLang's 1,408 requests on each of 48 GPUs
    dep = resolve(s, catalog)
    assert dep.four_bit_compute and dep.network.domain(s.chips) == (48, 1)  # all NVLink, no scale-out
    assert metrics.max_batch(dep, s.ctx) >= s.batch  # the published batch fits, as their KV cache did
    check = next(c for c in FLEET_CHECKS if c.scenario == s.preset)
    assert check.metric == "decode_chip" and check.published == 13_386
    row = summarize(s, dep)
    assert predicted(s, catalog, "decode_chip") == row["tokens_per_s"] / s.chips
