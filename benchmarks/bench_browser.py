"""Speed in a real browser: cold page load, and slider change -> updated chart.

Starts `streamlit run app.py` on a free port, opens Debian's Chromium, and prints:
- cold load, for each page in a fresh context: navigation start -> the page title drawn (the app's
  script started sending), -> the first metric card with its value (where the page has cards), and
  -> the first chart drawn (which also waits for the plotly.js bundle);
- slider -> chart: a batch-slider nudge -> the first chart's data and the output-cost card
  both changed in the browser (median and p90 of RUNS nudges).
Targets (issue 5): under 3 s and under 500 ms. Run: python -m benchmarks.bench_browser [runs]
"""

import statistics
import sys
import time

from playwright.sync_api import sync_playwright

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
)
from tests.browser.streamlit_page import BATCH_LABEL, first_chart_data, metric, open_app, slider_input

PAGES = ["", "roofline", "prefill_decode", "long_context", "latency", "serving", "disaggregation", "caching", "scaling",
         "validation"]
CHANGED_JS = (
    "([oldCard, oldChart]) => { const g = document.querySelector('.js-plotly-plot');"
    " const chart = g && g.data ? JSON.stringify(g.data.map(t => [t.x, t.y])) : '';"
    " const c = [...document.querySelectorAll('[data-testid=stMetric]')]"
    ".find(e => e.innerText.includes('USD per 1M output tokens'));"
    " return c && !c.innerText.includes(oldCard) && chart !== oldChart; }")


FIRST_SEEN_JS = """
window.__firstSeen = {};
const watch = {title: '[data-testid="stMainBlockContainer"] h1',
               card: '[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"]',
               chart: '[data-testid="stPlotlyChart"] .js-plotly-plot'};
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(watch)) {
    if (!(name in window.__firstSeen) && document.querySelector(selector)) window.__firstSeen[name] = performance.now();
  }
}).observe(document, {subtree: true, childList: true});
"""


def cold_loads(browser, url: str) -> list[tuple[str, float, float, float]]:
    """(page, s to title, s to first card or nan, s to first chart) per page, each in a fresh context.

    Times are the browser's own (performance.now() from navigation start) when each element first appears."""
    results = []
    for path in PAGES:
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(FIRST_SEEN_JS)
        page = context.new_page()
        open_app(page, f"{url}/{path}")
        seen = page.evaluate("() => window.__firstSeen")
        results.append((path or "overview", seen["title"] / 1e3, seen.get("card", float("nan") * 1e3) / 1e3,
                        seen["chart"] / 1e3))
        context.close()
    return results


def slider_to_chart(browser, url: str, runs: int) -> list[float]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    open_app(page, url)
    times, key = [], "ArrowRight"
    for _ in range(runs):
        old = [metric(page, "USD per 1M output tokens"), first_chart_data(page)]
        handle = slider_input(page, BATCH_LABEL)
        handle.focus()
        start = time.perf_counter()
        handle.press(key)
        page.wait_for_function(CHANGED_JS, arg=old, timeout=30_000)
        times.append(time.perf_counter() - start)
        key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
        page.wait_for_timeout(200)
    context.close()
    return times


def main(runs: int = 20) -> None:
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cold_loads(browser, url)  # warm the server's caches and imports once
            loads = cold_loads(browser, url)
            times = sorted(slider_to_chart(browser, url, runs))
            browser.close()
    finally:
        stop_server(server)
    print("cold page load, ms from navigation (fresh browser context):")
    print(f"  {'page':20s} {'title':>7s} {'card':>7s} {'chart':>7s}")
    for name, title, card, chart in loads:
        card_ms = f"{card * 1e3:7.0f}" if card == card else "      -"
        print(f"  {name:20s} {title * 1e3:7.0f} {card_ms} {chart * 1e3:7.0f}")
    p90 = times[int(0.9 * (len(times) - 1))]
    print(f"slider nudge -> chart and card updated: median {statistics.median(times) * 1e3:.0f} ms, "
          f"p90 {p90 * 1e3:.0f} ms over {runs} nudges")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
