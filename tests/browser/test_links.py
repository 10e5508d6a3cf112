"""Sharing, in a real browser: whatever the user does, the address bar (and the share box, the
same link) reopens the numbers on screen, for the sender after a reload and for a recipient in
another browser context after theirs (the second hop)."""

from urllib.parse import parse_qs, urlparse

from apptest_harness import PAGES

from .streamlit_page import (
    BATCH_LABEL,
    CARD,
    choose,
    exceptions,
    go_to,
    main_text,
    metric,
    open_app,
    set_slider,
    share_link,
    sidebar_text,
    slider_input,
    wait_for_query,
    wait_idle,
)

BOUNDARY_LABEL = "Tier boundary (tokens of context)"


def link_of(url: str) -> tuple[str, dict]:
    parsed = urlparse(url)
    return parsed.path.strip("/"), {k: v[-1] for k, v in parse_qs(parsed.query).items()}


def reopen(browser, url: str, check) -> None:
    """`check` holds in a fresh context (another browser) opening `url`, and again after its reload."""
    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        other = fresh.new_page()
        open_app(other, url)
        check(other)
        other.reload()  # the recipient's own reload, from their address bar as the app rewrote it
        wait_idle(other)
        other.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
        check(other)
    finally:
        fresh.close()


def test_a_preset_then_the_global_default_batch_survives_reloads(browser, context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/?preset=fast-tier-70b")
    before = metric(page, "TPOT")
    assert "Based on" not in sidebar_text(page)
    set_slider(page, BATCH_LABEL, "64")  # 64 is the app's global default, not the preset's
    wait_for_query(page, "batch", "64")  # written at the end of the run that drew batch 64
    wait_idle(page)
    after = metric(page, "TPOT")
    assert after != before
    assert link_of(page.url)[1] == {"preset": "fast-tier-70b", "batch": "64"}
    assert "Based on fast-tier-70b, changed: batch" in sidebar_text(page)
    assert link_of(share_link(page)) == link_of(page.url), "the share box and the address bar agree"
    print(f"fast-tier-70b TPOT: batch 4 {before}, batch 64 {after}")

    page.reload()
    wait_idle(page)
    assert metric(page, "TPOT") == after
    assert slider_input(page, BATCH_LABEL).get_attribute("aria-valuetext") == "64"

    def same(other):
        assert metric(other, "TPOT") == after
        assert slider_input(other, BATCH_LABEL).get_attribute("aria-valuetext") == "64"
    reopen(browser, page.url, same)


def test_a_preset_then_another_model_survives_reloads_on_another_page(browser, context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/?preset=long-context-200k")
    assert "Qwen3" in main_text(page)
    cost = metric(page, "USD per 1M output tokens")
    choose(page, "Model", "Llama 3.1 70B")  # the select shows names; the link holds the id
    wait_for_query(page, "model", "llama-3.1-70b")
    wait_idle(page)
    assert metric(page, "USD per 1M output tokens") != cost
    go_to(page, "Roofline", "Roofline")
    # the context is clamped to the new model's maximum, so it differs from the preset's 200,000 too
    assert link_of(page.url) == ("roofline", {"preset": "long-context-200k", "model": "llama-3.1-70b", "ctx": "131072"})
    assert link_of(share_link(page)) == link_of(page.url)
    assert "Llama 3.1 70B" in main_text(page)

    def same(other):
        text = main_text(other)
        assert "Llama 3.1 70B" in text and "Qwen3" not in text
        assert "Roofline" in other.locator("h1").first.inner_text()
    reopen(browser, page.url, same)


def test_the_tier_boundary_is_in_the_link_and_restarts_with_the_scenario(browser, context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/long_context?preset=long-context-200k")
    label = "Output multiplier above"
    set_slider(page, BOUNDARY_LABEL, "131,072")
    wait_for_query(page, "lc_boundary", "131072")
    page.locator(CARD, has_text=f"{label} 131,072").first.wait_for(timeout=60_000)
    multiplier = metric(page, f"{label} 131,072")
    assert link_of(share_link(page)) == link_of(page.url)
    go_to(page, "Overview", "LLM inference")  # another page keeps the page-local key in the link
    assert link_of(page.url)[1] == {"preset": "long-context-200k", "lc_boundary": "131072"}
    shared = page.url

    def same(other):
        go_to(other, "Long context", "Long context")
        assert slider_input(other, BOUNDARY_LABEL).get_attribute("aria-valuetext") == "131,072"
        assert metric(other, f"{label} 131,072") == multiplier
    reopen(browser, shared, same)

    go_to(page, "Long context", "Long context")
    assert slider_input(page, BOUNDARY_LABEL).get_attribute("aria-valuetext") == "131,072"
    set_slider(page, BATCH_LABEL, "16")  # a new scenario: the boundary restarts at its suggestion
    wait_for_query(page, "lc_boundary", None)
    wait_idle(page)
    assert "lc_boundary" not in link_of(page.url)[1]


def test_a_page_local_control_of_another_page_stays_in_the_link(browser, context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/latency?model=mixtral-8x7b")
    box = page.get_by_role("spinbutton", name="Fast tier: times faster per user")
    box.fill("3")
    box.press("Enter")
    wait_for_query(page, "lt_fast", "3")
    go_to(page, "Roofline", "Roofline")
    assert link_of(page.url) == ("roofline", {"model": "mixtral-8x7b", "lt_fast": "3"})
    go_to(page, "Latency floor & fast tiers", "atency")
    assert page.get_by_role("spinbutton", name="Fast tier: times faster per user").input_value() == "3.00"

    def same(other):
        go_to(other, "Latency floor & fast tiers", "atency")
        assert other.get_by_role("spinbutton", name="Fast tier: times faster per user").input_value() == "3.00"
    reopen(browser, page.url, same)


def test_a_partly_ignored_link_says_so_in_the_main_area(context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/roofline?batch=-3&model=mixtral-8x7b&foo=1")
    main = page.locator('[data-testid="stMainBlockContainer"] [data-testid="stAlertContentWarning"]').first
    text = main.inner_text()
    assert "ignored" in text and "batch" in text and "foo" in text
    assert link_of(page.url) == ("roofline", {"model": "mixtral-8x7b"}), "the address bar holds what is shown"
    assert exceptions(page) == 0


def test_an_unknown_page_says_so_and_links_the_real_pages(context, server_url):
    page = context.new_page()
    open_app(page, f"{server_url}/no_such_page?batch=16")
    text = main_text(page)
    assert "There is no page 'no_such_page'" in text
    links = page.locator('[data-testid="stMainBlockContainer"] [data-testid="stPageLink"]')
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stMainBlockContainer] "
                           f"[data-testid=stPageLink]').length === {len(PAGES)}", timeout=60_000)
    assert exceptions(page) == 0
    page.keyboard.press("Escape")  # Streamlit's own "Page not found" dialog
    page.locator('[role="dialog"]').wait_for(state="detached", timeout=10_000)
    links.filter(has_text="Roofline").first.click()
    page.wait_for_function("() => location.pathname.endsWith('/roofline')", timeout=60_000)
    wait_idle(page)
    assert "There is no page" not in main_text(page)
    assert link_of(page.url) == ("roofline", {"batch": "16"})
