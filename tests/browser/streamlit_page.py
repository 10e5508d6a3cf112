"""Helpers to drive the dashboard in a Playwright page."""

from __future__ import annotations

from playwright.sync_api import Page

LOAD_TIMEOUT_MS = 60_000
BATCH_LABEL = "Batch (sequences per decode step)"


def open_app(page: Page, url: str, expect: str = '[data-testid="stPlotlyChart"] .js-plotly-plot') -> None:
    """Open `url` and wait until `expect` (by default a drawn plotly chart) is on the page."""
    page.goto(url)
    wait_idle(page)
    page.wait_for_selector(expect, timeout=LOAD_TIMEOUT_MS)


def wait_idle(page: Page) -> None:
    """Until the app has drawn and no script run is in progress."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=LOAD_TIMEOUT_MS)


# a headline card (ui/page.py card): a markdown element with its label, then its value as a heading (h2)
CARD = '[data-testid="stMarkdown"]:has(h2)'
CARD_VALUE = "h2"


def metric(page: Page, label: str) -> str:
    """The value on the headline card `label` (ui/page.py card)."""
    card = page.locator(CARD, has_text=label).first
    return card.locator(CARD_VALUE).inner_text()


def first_chart_data(page: Page) -> str:
    """JSON of the first plotly chart's data, as drawn in the browser."""
    return page.evaluate(
        "() => { const g = document.querySelector('.js-plotly-plot'); "
        "return g && g.data ? JSON.stringify(g.data.map(t => [t.x, t.y])) : ''; }")


def slider_input(page: Page, label: str):
    return page.locator(f'input[type="range"][aria-label="{label}"]')


def nudge_slider(page: Page, label: str, key: str = "ArrowRight") -> None:
    handle = slider_input(page, label)
    handle.focus()
    handle.press(key)


def exceptions(page: Page) -> int:
    return page.locator('[data-testid="stException"]').count()


def wait_for_metric_change(page: Page, label: str, old: str) -> str:
    """Until the metric card `label` no longer shows `old` (a rerun has drawn new numbers)."""
    page.wait_for_function(
        "([label, old, card]) => { const c = [...document.querySelectorAll(card)]"
        ".find(e => e.innerText.includes(label)); return c && !c.innerText.includes(old); }",
        arg=[label, old, CARD], timeout=LOAD_TIMEOUT_MS)
    return metric(page, label)


def go_to(page: Page, link: str, title_fragment: str) -> None:
    """Click a navigation link and wait until the new page's title is drawn."""
    page.get_by_role("link", name=link).click()
    page.wait_for_function(
        "t => { const h = document.querySelector('[data-testid=stMainBlockContainer] h1');"
        " return h && h.innerText.includes(t); }", arg=title_fragment, timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)


def set_slider(page: Page, label: str, value: str, limit: int = 40) -> None:
    """Move a (select) slider with the keyboard until it shows `value`, as a user would."""
    handle = slider_input(page, label)
    handle.focus()
    for _ in range(limit):
        shown = handle.get_attribute("aria-valuetext")
        if shown == value:
            return
        handle.press("ArrowRight" if float(value.replace(",", "")) > float(shown.replace(",", "")) else "ArrowLeft")
    raise AssertionError(f"{label} did not reach {value}")


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    box = page.locator('[data-testid="stSelectbox"]', has_text=label).first
    box.click()
    page.keyboard.type(option)
    page.locator('[role="option"]', has_text=option).first.click()


def wait_for_query(page: Page, key: str, value: str | None) -> None:
    """Until the address bar's query has key=value (value None: the key is absent)."""
    page.wait_for_function(
        "([k, v]) => new URLSearchParams(location.search).get(k) === v", arg=[key, value], timeout=LOAD_TIMEOUT_MS)


def share_link(page: Page) -> str:
    """The link in the "Share this scenario" box."""
    page.get_by_role("button", name="Share this scenario").click()
    code = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"] code').first
    code.wait_for(timeout=LOAD_TIMEOUT_MS)
    text = code.inner_text().strip()
    page.keyboard.press("Escape")
    return text


def main_text(page: Page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"]').inner_text()


def sidebar_text(page: Page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()
