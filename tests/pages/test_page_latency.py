"""The latency page through the entry point: TPOT vs batch, the frontier, the tier calculator, floor vs chips."""

import numpy as np
import pytest
from apptest_harness import CUSTOM_LINK as CUSTOM
from apptest_harness import app, chart_data, deployment, metrics, texts

from model.core import metrics as model_metrics
from model.core.roofline import decode_step
from model.pricing import speed_tiers as tiers
from ui import format as fmt

PAGE = "pages/latency.py"


def notes(at) -> str:
    """The calculator's sentences (st.info when possible, st.warning when not)."""
    return " ".join(str(e.value) for e in list(at.info) + list(at.warning))


def frames(at):
    """The page's tables: speed tiers, then floor against chips."""
    return at.dataframe[0].value, at.dataframe[1].value


@pytest.mark.parametrize("query", [None, {"preset": "long-context-200k"}, {"preset": "deepseek-v3-moe"}, CUSTOM])
def test_renders_every_chart_and_table(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value == "Latency floor and fast tiers"
    assert len(chart_data(at)) == 3
    assert "excludes TTFT" in texts(at)
    speed, chips = frames(at)
    assert list(speed["tier"]) == ["now", "fast", "economy"]
    assert list(chips["chips"]) == [1, 2, 4, 8, 16, 32, 64]


def test_the_cards_are_the_model_numbers():
    scenario, dep = deployment({"preset": "deepseek-v3-moe"})
    shown = metrics(app({"preset": "deepseek-v3-moe"}, page=PAGE))
    assert shown["Latency floor"] == fmt.duration(model_metrics.latency_floor_s(dep))
    assert shown["TPOT at batch 1"] == fmt.duration(float(decode_step(dep, 1, scenario.ctx).time_s))
    assert shown["TPOT now"] == fmt.duration(float(decode_step(dep, scenario.batch, scenario.ctx).time_s))


def test_the_fast_tier_batch_is_the_largest_that_meets_the_target():
    scenario, dep = deployment()
    at = app(page=PAGE)
    at.number_input(key="lt_fast").set_value(1.3).run()
    speed, _ = frames(at)
    fast = speed[speed["tier"] == "fast"].iloc[0]
    now_s = float(decode_step(dep, scenario.batch, scenario.ctx).time_s)
    batch = int(fast["batch"])
    assert 1 <= batch < scenario.batch and fast["status"] == "ok"
    assert float(decode_step(dep, batch, scenario.ctx).time_s) <= now_s / 1.3
    assert float(decode_step(dep, batch + 1, scenario.ctx).time_s) > now_s / 1.3
    assert fast["price_multiple"] > 1
    assert f"the largest batch that meets it is **{batch:,}**" in notes(at)
    assert batch == tiers.speed_tier(dep, scenario.ctx, scenario.batch, 1.3).batch


def test_a_target_below_the_floor_is_reported_impossible():
    at = app(page=PAGE)
    at.number_input(key="lt_fast").set_value(10.0).run()
    warning = " ".join(w.value for w in at.warning)
    assert "Impossible" in warning and "below the latency floor" in warning
    speed, _ = frames(at)
    assert speed[speed["tier"] == "fast"].iloc[0]["status"] == "below_floor"
    at.number_input(key="lt_fast").set_value(2.5).run()  # 6.7 ms: above the 5.2 ms floor, below batch 1's 8.2 ms
    assert "below batch 1's TPOT" in " ".join(w.value for w in at.warning)


def test_the_economy_tier_saves():
    at = app(page=PAGE)
    at.number_input(key="lt_economy").set_value(1.5).run()
    speed, _ = frames(at)
    economy = speed[speed["tier"] == "economy"].iloc[0]
    assert economy["batch"] > 64 and economy["price_multiple"] < 1
    assert "saves" in notes(at)


def test_the_floor_halves_with_chips_and_the_fastest_count_is_named():
    scenario, dep = deployment()
    at = app(page=PAGE)
    _, chips = frames(at)
    assert np.allclose(chips["floor_ms"].to_numpy()[1:] / chips["floor_ms"].to_numpy()[:-1], 0.5, rtol=1e-2)
    sweep = tiers.floor_vs_chips(dep, scenario.ctx)
    assert f"shortest on {sweep.fastest_chips} chips" in texts(at)
    assert not chips["fits_in_hbm"].iloc[0], "70B in bf16 does not fit on one H100"


def test_batch_and_context_change_the_chart_data():
    at = app(page=PAGE)
    first = chart_data(at)
    at.select_slider(key="batch").set_value(8).run()
    after_batch = chart_data(at)
    assert after_batch[0] != first[0] and after_batch[1] != first[1]
    at.select_slider(key="ctx").set_value(65536).run()
    after_ctx = chart_data(at)
    assert all(a != b for a, b in zip(after_ctx, after_batch, strict=True)), \
        "TPOT, frontier and chips all depend on context"


def test_tier_targets_come_from_the_link_and_bad_ones_are_named():
    at = app({"lt_fast": "3", "lt_economy": "4"}, page=PAGE)
    assert at.number_input(key="lt_fast").value == 3.0 and at.number_input(key="lt_economy").value == 4.0
    bad = app({"lt_fast": "0.5"}, page=PAGE)
    notice = " ".join(str(w.value) for w in bad.warning)
    assert "lt_fast" in notice and "[1, 1000]" in notice
    assert bad.number_input(key="lt_fast").value == 1.5
