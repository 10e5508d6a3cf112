"""The disaggregation page through the entry point: pools, latencies, costs, the sweep, links and bad values."""

import pytest
from apptest_harness import CUSTOM_LINK as CUSTOM
from apptest_harness import app, deployment, metrics, texts
from plotly_spec import figures, trace, values

from model.core.roofline import prefill
from model.disaggregation import plan as disaggregation
from ui import format as fmt

PAGE = "pages/disaggregation.py"
CHARTS = {"disagg_ttft", "disagg_tpot", "disagg_sweep_latency", "disagg_sweep_cost"}


def plans_table(at):
    return at.dataframe[0].value.set_index("plan")


@pytest.mark.parametrize("query", [None, {"preset": "long-context-200k"}, {"preset": "deepseek-v3-moe"}, CUSTOM])
def test_renders_every_chart_and_table(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error and not at.warning, texts(at)
    assert at.title[0].value == "Prefill/decode disaggregation"
    assert set(figures(at)) == CHARTS
    assert list(plans_table(at).index) == ["colocated", "disaggregated"]
    assert "excludes TTFT" in texts(at)
    published = " ".join(str(i.value) for i in at.info)
    assert "not computed here" in published and "4.48x" in published and "10.2x" in published
    assert "1.4x" in published and "20% lower cost" in published


def test_the_numbers_are_the_model_numbers():
    s, dep = deployment()
    plans = disaggregation.compare(dep, dep, s.prompt, s.out, 10.0, s.batch)
    colo, dis = plans["colocated"], plans["disaggregated"]
    at = app(page=PAGE)
    shown = metrics(at)
    assert shown["TTFT: disaggregated"] == fmt.duration(dis.ttft_s)
    assert shown["TPOT: disaggregated"] == fmt.duration(dis.tpot_s)
    assert shown["USD per 1M tokens: disaggregated"] == fmt.usd(dis.usd_per_m_tokens)
    assert shown["Replicas: prefill + decode"] == f"{dis.prefill_replicas} + {dis.decode_replicas}"
    table = plans_table(at)
    # no prefill stalls in the decode pool: its TPOT is below the colocated one
    assert table.loc["disaggregated", "tpot_ms"] <= table.loc["colocated", "tpot_ms"]
    assert table.loc["colocated", "tpot_ms"] == pytest.approx(colo.tpot_s * 1e3, rel=1e-4)
    # the balanced pipeline: the exact prefill pool finishes `rate` prompts per second
    t_pf = float(prefill(dep, s.prompt).time_s)
    assert table.loc["disaggregated", "prefill_replicas_exact"] / t_pf == pytest.approx(10.0, rel=1e-3)
    assert f"{fmt.duration(t_pf)} on 8 x NVIDIA H100 SXM 80GB" in texts(at)


def test_the_latency_split_shows_the_stall():
    at = app(page=PAGE)
    tpot = figures(at)["disagg_tpot"]
    stall = values(trace(tpot, "stalled")["x"])
    step = values(trace(tpot, "decode step")["x"])
    table = plans_table(at)
    assert stall[1] == 0 and stall[0] > 0  # plans in order colocated, disaggregated
    assert step[0] + stall[0] == pytest.approx(table.loc["colocated", "tpot_ms"], rel=1e-3)
    ttft = figures(at)["disagg_ttft"]
    total = sum(values(t["x"]) for t in ttft["data"])
    assert total[1] == pytest.approx(table.loc["disaggregated", "ttft_ms"], rel=1e-3)


def test_a_link_reaches_the_widgets_and_the_numbers():
    query = {"dg_rate": "4", "dg_hw": "h200", "dg_chips": "4", "dg_link": "400g", "dg_axis": "prompt"}
    at = app(query, page=PAGE)
    assert not at.exception and not at.error
    assert at.number_input(key="dg_rate").value == 4.0
    assert at.selectbox(key="dg_hw").value == "h200"
    assert at.select_slider(key="dg_chips").value == 4
    assert at.selectbox(key="dg_link").value == "400g"
    assert at.selectbox(key="dg_axis").value == "prompt"
    assert "on 4 x NVIDIA H200 SXM 141GB" in texts(at) and "50 GB/s per prefill-to-decode" in texts(at)
    sweep = figures(at)["disagg_sweep_latency"]
    assert sweep["layout"]["xaxis"]["title"]["text"].startswith("prompt tokens")
    assert metrics(at) != metrics(app(page=PAGE))


@pytest.mark.parametrize("query, field", [({"dg_hw": "h900"}, "dg_hw"), ({"dg_rate": "0"}, "dg_rate"),
                                          ({"dg_chips": "2.5"}, "dg_chips"), ({"dg_link": "<i>x</i>"}, "dg_link")])
def test_a_bad_page_value_is_named_in_the_notice(query, field):
    at = app(query, page=PAGE)
    assert not at.exception
    notice = " ".join(str(w.value) for w in at.warning)
    assert "ignored" in notice and field in notice and "<i>" not in notice
    assert at.selectbox(key="dg_hw").value == "same" and at.number_input(key="dg_rate").value == 10.0


def test_numbers_change_when_a_control_changes():
    at = app(page=PAGE)
    before = metrics(at)
    at.number_input(key="dg_rate").set_value(40.0).run()
    after = metrics(at)
    assert after["Replicas: prefill + decode"] != before["Replicas: prefill + decode"]
    at.selectbox(key="dg_link").set_value("100g").run()
    assert metrics(at)["TTFT: disaggregated"] != after["TTFT: disaggregated"]  # 1.34 GB over 12.5 GB/s
    at.selectbox(key="dg_axis").set_value("prompt").run()
    assert not at.exception and "prompt tokens" in texts(at)


@pytest.mark.parametrize("query, control", [({"chips": "1"}, "sidebar's `chips`"),
                                            ({"dg_hw": "rtx-4090", "dg_chips": "1"}, "`dg_chips`"),
                                            ({"batch": "4096"}, "sidebar's `batch`")])
def test_a_combination_that_cannot_be_served_warns(query, control):
    at = app(query, page=PAGE)
    assert not at.exception and not at.error
    warning = " ".join(str(w.value) for w in at.warning)
    assert "cannot be served" in warning and control in warning
    assert not figures(at)
