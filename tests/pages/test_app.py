"""The dashboard through its entry point: every page, every named scenario, links and bad links."""

import pytest
from apptest_harness import PAGES, app, chart_data, metrics, texts

from model import load_catalog

SCENARIOS = [None] + list(load_catalog().scenarios)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("preset", SCENARIOS)
def test_every_page_renders_for_every_named_scenario(page, preset):
    at = app({"preset": preset} if preset else None, page=page)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error], texts(at)
    assert at.title, "every page has a title"


def test_batch_and_context_change_the_cards_and_the_chart():
    at = app()
    before, chart_before = metrics(at), chart_data(at)
    at.select_slider(key="batch").set_value(8).run()
    after_batch, chart_batch = metrics(at), chart_data(at)
    assert after_batch["USD per 1M output tokens"] != before["USD per 1M output tokens"]
    assert after_batch["TPOT"] != before["TPOT"]
    assert chart_batch != chart_before
    at.select_slider(key="ctx").set_value(65536).run()
    after_ctx = metrics(at)
    assert after_ctx["TPOT"] != after_batch["TPOT"]
    assert after_ctx["Max batch at this context"] != after_batch["Max batch at this context"]


def test_a_link_reaches_the_widgets_and_the_numbers():
    query = {"hw": "b200", "model": "mixtral-8x7b", "chips": "2", "wbits": "8", "batch": "96", "ctx": "16384",
             "price": "4.5"}
    at = app(query)
    assert at.selectbox(key="hw").value == "b200"
    assert at.selectbox(key="model").value == "mixtral-8x7b"
    assert at.number_input(key="chips").value == 2
    assert at.radio(key="wbits").value == 8
    assert at.select_slider(key="batch").value == 96
    assert at.select_slider(key="ctx").value == 16384
    assert at.number_input(key="price").value == 4.5
    assert "2 x NVIDIA B200" in texts(at) and "batch 96" in texts(at) and "$4.50/chip-hour" in texts(at)
    assert metrics(at) != metrics(app())


def test_a_named_scenario_link_then_changes():
    at = app({"preset": "fast-tier-70b", "ctx": "2048"})
    assert at.selectbox(key="preset").value == "fast-tier-70b"
    assert at.select_slider(key="batch").value == 4
    assert at.select_slider(key="ctx").value == 2048


GARBAGE = [
    {"batch": "-5"}, {"batch": "nan"}, {"batch": "1e999"}, {"ctx": "99999999999"}, {"hw": "<script>alert(1)</script>"},
    {"model": "gpt-9"}, {"preset": "nope"}, {"wbits": "3"}, {"mfu": "inf"}, {"price": "free"},
    {"chips": "0"}, {"batch": "x" * 10_000}, {"hw": "custom"}, {"model": "custom", "layers": "-1"},
    {"foo": "bar"}, {"batch": ["8", "<b>bold</b>"]}, {"ctx": "1000000"},
]


@pytest.mark.parametrize("query", GARBAGE)
def test_garbage_links_never_raise_and_show_the_notice(query):
    at = app(query)
    assert not at.exception
    notice = " ".join(str(w.value) for w in at.warning)
    assert "ignored" in notice, query
    assert "<script" not in texts(at) and "<b>" not in texts(at)
    assert metrics(at)["USD per 1M output tokens"].startswith("$")


def test_custom_hardware_starts_from_the_previous_one():
    at = app({"hw": "h200"})
    at.selectbox(key="hw").set_value("custom").run()
    assert at.number_input(key="hw_tbps").value == pytest.approx(4.8)
    assert at.number_input(key="hw_gb").value == pytest.approx(141)
    assert not at.exception and not at.error


# --- links (issue 9): the address bar is the canonical link of what is on screen ----------------
def test_a_preset_then_its_global_default_value_is_written():
    at = app({"preset": "fast-tier-70b"})
    assert at.query_params == {"preset": "fast-tier-70b"}
    assert "Based on" not in texts(at)
    at.select_slider(key="batch").set_value(64).run()  # the app's global default, not the preset's 4
    assert at.query_params == {"preset": "fast-tier-70b", "batch": "64"}
    assert "Based on fast-tier-70b, changed: batch." in texts(at)
    assert metrics(at) == metrics(app(at.query_params))


def test_choosing_the_preset_again_resets_the_link_to_it():
    at = app({"preset": "fast-tier-70b", "batch": "64", "ctx": "2048"})
    at.selectbox(key="preset").set_value("long-context-200k").run()
    assert at.query_params == {"preset": "long-context-200k"}
    assert "Based on" not in texts(at)


def test_a_partly_ignored_link_is_replaced_by_what_is_shown_and_named_in_the_main_area():
    at = app({"batch": "-3", "model": "mixtral-8x7b", "foo": "1"})
    assert at.query_params == {"model": "mixtral-8x7b"}
    main = [str(w.value) for w in at.main.warning]
    assert any("Part of this link was ignored" in w and "batch" in w and "foo" in w for w in main), main


def test_page_local_values_stay_in_the_link_on_other_pages():
    at = app({"lt_fast": "3", "sv_rate": "20"}, page="pages/latency.py")
    assert at.number_input(key="lt_fast").value == 3
    at.switch_page("pages/roofline.py").run()
    assert at.query_params == {"lt_fast": "3", "sv_rate": "20"}
    at.switch_page("pages/latency.py").run()
    assert at.number_input(key="lt_fast").value == 3


def test_a_tier_boundary_outside_the_scenario_falls_back_to_the_suggestion():
    at = app({"preset": "long-context-200k", "lc_boundary": "100"}, page="pages/long_context.py")
    assert not at.exception
    assert "outside the contexts this scenario serves" in texts(at)
    assert "lc_boundary" not in at.query_params
