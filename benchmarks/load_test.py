"""Load: N concurrent browser sessions move sliders against one local server for a while.

Starts `streamlit run app.py` on a free port, opens N sessions (separate browser contexts of
Debian's Chromium), and in each one nudges the batch slider back and forth for DURATION
seconds, timing each nudge until the output-cost card shows the new number. Prints errors
(exceptions shown, timeouts, page errors: must be 0), rerun latency p50/p95 and the server's
resident memory at the start and the end.

Run: python -m benchmarks.load_test [--sessions 20] [--duration 60]
"""

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from playwright.async_api import async_playwright

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
)
from tests.browser.streamlit_page import CARD

SLIDER = 'input[type="range"][aria-label="Batch (sequences per decode step)"]'
COST_CARD = "USD per 1M output tokens"
CARD_TEXT_JS = (f"label => {{ const c = [...document.querySelectorAll('{CARD}')]"
                ".find(e => e.innerText.includes(label)); return c ? c.innerText : ''; }")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server runs as a process group)."""
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Pid", "").strip() == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total_kb += int(fields.get("VmRSS", "0 kB").split()[0])
    return total_kb / 1024


async def session(browser, url: str, duration_s: float, latencies: list, errors: list) -> None:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    try:
        await page.goto(url)
        await page.wait_for_selector(CARD, timeout=120_000)
        slider = page.locator(SLIDER)
        deadline = time.monotonic() + duration_s
        direction = "ArrowRight"
        while time.monotonic() < deadline:
            before = await page.evaluate(CARD_TEXT_JS, COST_CARD)
            start = time.perf_counter()
            await slider.focus()
            await slider.press(direction)
            try:
                await page.wait_for_function(f"old => ({CARD_TEXT_JS})('{COST_CARD}') !== old", arg=before,
                                             timeout=30_000)
                latencies.append(time.perf_counter() - start)
            except Exception as exc:  # a timeout is an error of the run, counted, not fatal
                errors.append(f"no update within 30 s: {type(exc).__name__}")
            if await page.locator('[data-testid="stException"]').count():
                errors.append("exception shown")
            direction = "ArrowLeft" if direction == "ArrowRight" else "ArrowRight"
    except Exception as exc:
        errors.append(f"session failed: {type(exc).__name__}: {exc}")
    finally:
        await context.close()


async def run(sessions: int, duration_s: float) -> None:
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        memory_start = rss_mb(server.pid)
        latencies, errors = [], []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            await asyncio.gather(*(session(browser, url, duration_s, latencies, errors) for _ in range(sessions)))
            await browser.close()
        memory_end = rss_mb(server.pid)
    finally:
        stop_server(server)
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    print(f"sessions {sessions}, {duration_s:.0f} s each, slider nudges timed: {len(latencies)}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"rerun latency (nudge -> card updated): p50 {statistics.median(ordered) * 1e3:.0f} ms, "
          f"p95 {p95 * 1e3:.0f} ms" if ordered else "no latencies")
    print(f"server RSS: start {memory_start:.0f} MB, end {memory_end:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(run(args.sessions, args.duration))


if __name__ == "__main__":
    main()
