"""Speed in a real browser: cold page load, and slider change -> updated chart.

Starts `streamlit run app.py` on a free port, opens Debian's Chromium, and prints:
- cold load, for each page in a fresh context, median of ROUNDS loads: navigation start -> the page
  title drawn (the app's script started sending), -> the first metric card with its value (where the
  page has cards), -> the first chart drawn (which also waits for the plotly.js bundle); and where the
  time goes: the first and last websocket message (the server's run), and before the first chart the
  browser's main-thread long tasks (JS parsing, plotly.js start-up, rendering) and the JS bytes loaded;
- slider -> chart: a batch-slider nudge -> the first chart's data and the output-cost card
  both changed in the browser (median and p90 of RUNS nudges).
Targets (issue 5): under 3 s and under 500 ms. The machine's load average is printed: on a shared
machine compare runs made at similar load. Run: python -m benchmarks.bench_browser [runs] [rounds]
"""

import os
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
from tests.browser.streamlit_page import BATCH_LABEL, CARD, CARD_VALUE, first_chart_data, metric, open_app, slider_input

PAGES = ["", "roofline", "prefill_decode", "long_context", "latency", "serving", "disaggregation", "caching", "scaling",
         "validation"]
CHANGED_JS = (
    "([oldCard, oldChart]) => { const g = document.querySelector('.js-plotly-plot');"
    " const chart = g && g.data ? JSON.stringify(g.data.map(t => [t.x, t.y])) : '';"
    f" const c = [...document.querySelectorAll('{CARD}')]"
    ".find(e => e.innerText.includes('USD per 1M output tokens'));"
    " return c && !c.innerText.includes(oldCard) && chart !== oldChart; }")


FIRST_SEEN_JS = """
window.__firstSeen = {};
const watch = {title: '[data-testid="stMainBlockContainer"] h1',
               card: '[data-testid="stMainBlockContainer"] CARD_VALUE',
               chart: '[data-testid="stPlotlyChart"] .js-plotly-plot'};
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(watch)) {
    if (!(name in window.__firstSeen) && document.querySelector(selector)) window.__firstSeen[name] = performance.now();
  }
}).observe(document, {subtree: true, childList: true});
window.__longTasks = [];
new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
  .observe({type: 'longtask', buffered: true});
window.__wsTimes = [];
const NativeSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new NativeSocket(...args);
  socket.addEventListener('message', () => window.__wsTimes.push(performance.now()));
  return socket;
};
window.WebSocket.prototype = NativeSocket.prototype;
Object.assign(window.WebSocket, NativeSocket);
""".replace("CARD_VALUE", CARD_VALUE)
WHERE_JS = """() => {
  const chart = window.__firstSeen.chart, ws = window.__wsTimes;
  const busy = window.__longTasks.filter(([start]) => start < chart).reduce((sum, [, d]) => sum + d, 0);
  const js = performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js') && e.startTime < chart);
  return {ws_first: ws[0], ws_last: ws[ws.length - 1], long_tasks: busy,
          js_kb: js.reduce((sum, e) => sum + e.decodedBodySize, 0) / 1e3, js_files: js.length};
}"""
COLUMNS = ("title", "card", "chart", "ws_first", "ws_last", "long_tasks", "js_kb", "js_files")


def cold_load(browser, url: str) -> dict[str, float]:
    """One load of `url` in a fresh context: COLUMNS, times in ms from navigation start (the browser's
    own performance.now()), card nan on a page without cards; the websocket, long tasks and JS bytes
    count what happened before the first chart was drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(FIRST_SEEN_JS)
    page = context.new_page()
    open_app(page, url)
    seen = page.evaluate("() => window.__firstSeen")
    where = page.evaluate(WHERE_JS)
    context.close()
    return {"card": float("nan"), **seen, **where}


def cold_loads(browser, url: str, rounds: int = 1) -> list[tuple[str, dict[str, float]]]:
    """(page, the median of `rounds` cold loads of each of COLUMNS) per page; rounds go over all pages in turn."""
    loads = {path: [] for path in PAGES}
    for _ in range(rounds):
        for path in PAGES:
            loads[path].append(cold_load(browser, f"{url}/{path}"))
    return [(path or "overview", {name: statistics.median(load[name] for load in loads[path]) for name in COLUMNS})
            for path in PAGES]


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


def main(runs: int = 20, rounds: int = 3) -> None:
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cold_loads(browser, url)  # warm the server's caches and imports once
            load_before = os.getloadavg()[0]
            loads = cold_loads(browser, url, rounds)
            times = sorted(slider_to_chart(browser, url, runs))
            load_after = os.getloadavg()[0]
            browser.close()
    finally:
        stop_server(server)
    print(f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after; {os.cpu_count()} cores")
    print(f"cold page load, median of {rounds} fresh browser contexts per page; ms from navigation to the title, the")
    print("first card and the first chart; first and last websocket message; before the first chart: main-thread")
    print("long tasks (ms), JS loaded (kB, files):")
    print(f"  {'page':16s} " + " ".join(f"{name:>10s}" for name in COLUMNS))
    for name, row in loads:
        print(f"  {name:16s} " + " ".join("         -" if row[c] != row[c] else f"{row[c]:10.0f}" for c in COLUMNS))
    print(f"  {'median':16s} " + " ".join(f"{statistics.median(r[c] for _, r in loads if r[c] == r[c]):10.0f}"
                                          for c in COLUMNS))
    p90 = times[int(0.9 * (len(times) - 1))]
    print(f"slider nudge -> chart and card updated: median {statistics.median(times) * 1e3:.0f} ms, "
          f"p90 {p90 * 1e3:.0f} ms over {runs} nudges")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
