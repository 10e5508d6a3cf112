"""What users do, in a real browser (Debian Chromium via Playwright) against a real server."""

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from .streamlit_page import (
    BATCH_LABEL,
    exceptions,
    first_chart_data,
    go_to,
    metric,
    nudge_slider,
    open_app,
    slider_input,
    wait_for_metric_change,
)

PAGES = ["", "roofline", "prefill_decode", "long_context", "latency", "serving", "disaggregation", "caching", "scaling",
         "validation", "price_sheet"]


def query_of(url: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_without_an_exception(context, server_url, path):
    page = context.new_page()
    open_app(page, f"{server_url}/{path}")
    assert exceptions(page) == 0
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1


def test_batch_slider_updates_metric_chart_and_address_bar(context, server_url):
    page = context.new_page()
    open_app(page, server_url)
    cost_before, chart_before = metric(page, "USD per 1M output tokens"), first_chart_data(page)
    nudge_slider(page, BATCH_LABEL)
    assert wait_for_metric_change(page, "USD per 1M output tokens", cost_before) != cost_before
    page.wait_for_function("old => { const g = document.querySelector('.js-plotly-plot');"
                           " return g && JSON.stringify(g.data.map(t => [t.x, t.y])) !== old; }",
                           arg=chart_before, timeout=30_000)
    assert first_chart_data(page) != chart_before
    assert query_of(page.url).get("batch") == slider_input(page, BATCH_LABEL).get_attribute("aria-valuetext")


def test_the_address_bar_reopens_the_same_numbers_in_a_fresh_context(browser, context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/?hw=h200&ctx=32768")
    before = metric(page, "USD per 1M output tokens")
    nudge_slider(page, BATCH_LABEL, "ArrowLeft")
    wait_for_metric_change(page, "USD per 1M output tokens", before)
    page.wait_for_function("() => location.search.includes('batch=')", timeout=30_000)
    shared_url = page.url
    numbers = [metric(page, label) for label in ("USD per 1M output tokens", "TPOT", "Max batch at this context")]
    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        other = fresh.new_page()
        open_app(other, shared_url)
        labels = ("USD per 1M output tokens", "TPOT", "Max batch at this context")
        assert [metric(other, label) for label in labels] == numbers
    finally:
        fresh.close()


def test_switching_pages_keeps_the_scenario_in_the_url(context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/?model=mixtral-8x7b&batch=16")
    for name, title in (("Roofline", "Roofline"), ("Long context", "Long context"), ("Overview", "LLM inference")):
        go_to(page, name, title)
        assert query_of(page.url) == {"model": "mixtral-8x7b", "batch": "16"}, page.url
    assert "Mixtral 8x7B" in page.locator('[data-testid="stMainBlockContainer"]').inner_text()


def test_a_preset_link_loads_the_named_scenario(context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/?preset=fast-tier-70b")
    text = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "batch 4," in text
    assert slider_input(page, BATCH_LABEL).get_attribute("aria-valuetext") == "4"


def test_an_invalid_link_shows_the_notice_and_still_works(context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/?batch=-3&hw=%3Cscript%3Ealert(1)%3C/script%3E&ctx=abc")
    notice = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
    assert "ignored" in notice and "batch" in notice and "hw" in notice and "ctx" in notice
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert metric(page, "USD per 1M output tokens").startswith("$")
    assert exceptions(page) == 0


def test_a_csv_download_has_the_expected_columns(context, server_url):
    page = context.new_page()
    open_app(page, server_url)
    page.get_by_text("The two phases as a table").click()  # a collapsed section, drawn when opened
    with page.expect_download() as download:
        page.get_by_role("button", name="Download request_passes.csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["phase", "passes through the weights", "tokens", "wall_time_s", "chip_seconds_share"]
    assert [r["phase"] for r in rows] == ["prefill", "decode"]


def test_a_deep_link_is_a_fresh_servers_first_request(browser):
    """A new server's first request for a page (not the root) must still draw the sidebar."""
    from .conftest import free_port, start_server, stop_server, wait_healthy

    port = free_port()
    process = start_server(port)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        open_app(page, f"{url}/long_context?batch=16")
        assert exceptions(page) == 0
        assert slider_input(page, BATCH_LABEL).get_attribute("aria-valuetext") == "16"
        assert "context" in page.locator("h1").first.inner_text().lower()
        context.close()
    finally:
        stop_server(process)
