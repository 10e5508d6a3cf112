"""The continuous-batching page through the entry point: policies side by side, links, bad values, the gain."""

import math
import time

import pytest
import streamlit as st
from apptest_harness import CUSTOM_LINK as CUSTOM
from apptest_harness import app, metrics, texts
from plotly_spec import figures, values
from streamlit.testing.v1 import AppTest

from model import load_catalog, parse_scenario_strict, resolve
from model.serving.simulate import compare_policies
from model.serving.theory import harmonic, slot_gain
from model.serving.workload import (
    SIMULATOR_MAX_OUTPUT_TOKENS,
    SIMULATOR_MAX_PROMPT_TOKENS,
    Workload,
    length_dist,
)
from ui import cached
from ui import format as fmt
from ui.cached import CAPACITY_REQUESTS

PAGE = "pages/serving.py"


def frames(at):
    """The gain table, then the per-policy table."""
    return at.dataframe[0].value, at.dataframe[1].value.set_index("policy")


def default_results():
    catalog = load_catalog()
    dep = resolve(parse_scenario_strict({}, catalog), catalog)
    workload = Workload(400, 8.0, length_dist("uniform", 1024, SIMULATOR_MAX_PROMPT_TOKENS),
                        length_dist("exponential", 256, SIMULATOR_MAX_OUTPUT_TOKENS), seed=0)
    return compare_policies(dep, workload, max_batch=64)


@pytest.mark.parametrize("query", [None, {"preset": "long-context-200k"}, {"preset": "deepseek-v3-moe"}, CUSTOM])
def test_renders_every_chart_and_table(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    if query == {"preset": "deepseek-v3-moe"}:  # 8 requests/s is above continuous batching's ~7.8/s there (F76)
        assert at.warning and all("queue grows without bound" in w.value for w in at.warning), texts(at)
    else:
        assert not at.warning, texts(at)
    assert at.title[0].value == "Continuous batching and PagedAttention"
    assert set(figures(at)) == {"serving_throughput", "serving_memory", "serving_ttft", "serving_tpot"}
    gain, policies = frames(at)
    assert list(policies.index) == ["static batching", "continuous + PagedAttention", "continuous + chunked prefill"]
    assert "excludes TTFT" in texts(at) and "Slot occupancy" in texts(at)


def test_the_cards_and_table_are_the_simulator_numbers():
    results = default_results()
    static, cont = results["static"], results["continuous"]
    at = app(page=PAGE)
    shown = metrics(at)
    assert shown["Throughput: continuous / static"] == fmt.ratio(cont.output_tokens_per_s / static.output_tokens_per_s)
    assert shown["TTFT p50: continuous vs static"] == fmt.duration(cont.ttft_p50_s)
    _, table = frames(at)
    assert table.loc["static batching", "output_tokens_per_s"] == pytest.approx(static.output_tokens_per_s, rel=1e-4)
    # continuous batching keeps up where static batching cannot, and paging wastes almost nothing
    assert table.loc["continuous + PagedAttention", "output_tokens_per_s"] >= table.loc["static batching",
                                                                                         "output_tokens_per_s"]
    assert table.loc["continuous + PagedAttention", "kv_waste_pct"] < 4
    assert table.loc["static batching", "kv_waste_pct"] > 60
    assert table.loc["continuous + PagedAttention", "slot_occupancy_pct"] == 100
    assert float(shown["KV waste: paged vs reserved"].rstrip("%")) < 4


def test_the_gain_is_stated_beside_the_formula():
    at = app(page=PAGE)
    gain, _ = frames(at)
    rows = dict(zip(gain["quantity"], gain["gain_x"], strict=True))
    expected = slot_gain(length_dist("exponential", 256, SIMULATOR_MAX_OUTPUT_TOKENS), 64)
    expected_row = "expected E[max G]/E[G] for B = 64 draws of this output distribution"
    assert rows[expected_row] == pytest.approx(expected, abs=1e-3)
    assert rows["closed form H_B, uncapped exponential, B = 64"] == pytest.approx(harmonic(64), abs=1e-3)
    simulated = rows["simulated: continuous / static output tokens/s, all requests at t = 0"]
    assert 0.5 * expected < simulated < 1.05 * expected
    assert f"E[max G]/E[G] = {expected:.3g}x" in texts(at)


def test_a_link_reaches_the_widgets_and_the_numbers():
    query = {"sv_rate": "4", "sv_n": "200", "sv_batch": "32", "sv_prompt_dist": "fixed", "sv_prompt": "512",
             "sv_out_dist": "uniform", "sv_out": "128"}
    at = app(query, page=PAGE)
    assert at.number_input(key="sv_rate").value == 4.0
    assert at.number_input(key="sv_n").value == 200
    assert at.select_slider(key="sv_batch").value == 32
    assert at.selectbox(key="sv_prompt_dist").value == "fixed"
    assert at.number_input(key="sv_prompt").value == 512
    assert at.selectbox(key="sv_out_dist").value == "uniform"
    assert "200 requests at 4/s" in texts(at) and "max batch 32" in texts(at)
    gain, table = frames(at)
    assert table["output_tokens"].iloc[0] == pytest.approx(200 * 128, rel=0.1)
    assert "closed form 2B/(B+1), uniform on [1, G_max], B = 32" in set(gain["quantity"])
    assert metrics(at) != metrics(app(page=PAGE))


@pytest.mark.parametrize("query, field", [({"sv_rate": "-3"}, "sv_rate"), ({"sv_n": "50000"}, "sv_n"),
                                          ({"sv_prompt_dist": "<b>normal</b>"}, "sv_prompt_dist")])
def test_a_bad_page_value_is_named_in_the_notice(query, field):
    at = app(query, page=PAGE)
    assert not at.exception
    notice = " ".join(str(w.value) for w in at.warning)
    assert "ignored" in notice and field in notice and "<b>" not in notice
    assert at.number_input(key="sv_rate").value == 8.0 and at.number_input(key="sv_n").value == 400
    assert metrics(at)["Throughput: continuous / static"].endswith("x")


def test_numbers_change_when_a_control_changes():
    at = app(page=PAGE)
    before, charts_before = metrics(at), figures(at)
    at.number_input(key="sv_rate").set_value(2.0).run()
    assert metrics(at) != before
    assert values(figures(at)["serving_throughput"]["data"][0]["y"]).tolist() != \
        values(charts_before["serving_throughput"]["data"][0]["y"]).tolist()
    at.selectbox(key="sv_out_dist").set_value("fixed").run()
    gain, table = frames(at)
    rows = dict(zip(gain["quantity"], gain["gain_x"], strict=True))
    assert rows["expected E[max G]/E[G] for B = 64 draws of this output distribution"] == 1.0  # equal outputs
    assert not at.exception


def test_a_replica_without_room_warns_instead_of_failing():
    at = app({"chips": "1"}, page=PAGE)  # 70B in bf16 does not fit on one H100
    assert not at.exception and not at.error
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "could not be simulated" in warnings and "sv_prompt" in warnings and "chips" in warnings
    assert not figures(at)


def test_the_all_at_once_run_is_bounded():
    at = app({"sv_n": "2500", "sv_out": "16"}, page=PAGE)
    assert not at.exception
    assert f"queued at t = 0 (the first {CAPACITY_REQUESTS:,})" in texts(at)
    assert not math.isnan(frames(at)[0]["gain_x"].iloc[0])


def test_the_issue_10_link_answers_in_bounded_time_with_cards_and_a_warning():
    # Once 27-57 s of one core, then "could not be simulated" and no cards.
    query = {"model": "llama-3.2-1b", "chips": "1", "sv_n": "20000", "sv_rate": "1000", "sv_batch": "4096",
             "sv_prompt": "1", "sv_prompt_dist": "fixed", "sv_out": "8192", "sv_out_dist": "exponential"}
    start = time.monotonic()
    at = app(query, page=PAGE)
    assert time.monotonic() - start < 20  # the page's simulations stop after sum(SERVING_WALL_S) = 4.5 s
    assert not at.exception and not at.error
    shown = texts(at)
    assert "could not be simulated" not in shown
    assert set(metrics(at)) >= {"Throughput: continuous / static", "USD per 1M output tokens"}
    cut = [w.value for w in at.warning if "stopped after its" in w.value]
    assert any(w.startswith("**Continuous + PagedAttention**") and "of 20,000 requests finished" in w for w in cut)
    assert all("sv_n" in w for w in cut)
    _, table = frames(at)
    assert table.loc["continuous + PagedAttention", "output_tokens"] > 0


def test_a_stopped_session_abandons_its_simulation():
    # AppTest stops a run that outlives its timeout (ScriptRunner.request_stop, as for a session that
    # reran or is gone) and waits for the script thread: the simulation must notice within its poll.
    def script():
        from model import load_catalog, parse_scenario_strict, resolve
        from model.serving.budget import Budget
        from model.serving.simulate import simulate
        from model.serving.workload import Workload
        from ui.cached import still_wanted

        catalog = load_catalog()
        dep = resolve(parse_scenario_strict({"model": "llama-3.2-1b", "chips": "1"}, catalog), catalog)
        workload = Workload.shaped(20_000, 1000.0, "fixed", 1, "exponential", 8192)
        simulate(dep, workload, "continuous", 4096, Budget(work=10**12, wall_s=600, poll=still_wanted))

    at = AppTest.from_function(script, default_timeout=1.0)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="timed out"):
        at.run()
    assert time.monotonic() - start < 4  # unbounded, this simulation runs for tens of seconds


@pytest.fixture
def no_wall_time(monkeypatch):
    """Every page run starts past its deadline (and leaves no such result in the cache)."""
    monkeypatch.setattr(cached, "SERVING_WALL_S", {run: 0.0 for run in cached.SERVING_WALL_S})
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_runs_cut_before_they_start_still_draw_the_page(no_wall_time):
    at = app(page=PAGE)
    assert not at.exception and not at.error
    cut = [w.value for w in at.warning if "stopped after its time budget" in w.value]
    assert len(cut) == 8 and all("0 of " in w for w in cut)  # 3 at the rate, 3 capacity, 2 gain runs
    assert metrics(at)["USD per 1M output tokens"] == "n/a"
