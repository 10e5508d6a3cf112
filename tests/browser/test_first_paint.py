"""A first visit draws the headline cards before the charts: in a fresh browser context (nothing
cached), at the moment the first card's value is on screen no plotly chart has been drawn yet, and
the chart follows later. With st.metric cards both came in one React commit, after plotly.js had
loaded (README "Where a cold load's time goes")."""

import pytest

from .streamlit_page import CARD_VALUE, LOAD_TIMEOUT_MS, open_app

PAGES_WITH_CARDS = ["", "long_context", "latency", "serving", "disaggregation", "caching", "scaling", "price_sheet"]

# Runs in the page before any app code: the first mutation that puts a visible card value in the main
# area records the time and how many plotly charts exist at that moment; likewise the first chart.
FIRST_PAINT_JS = """
window.__paint = {};
new MutationObserver(() => {
  const p = window.__paint, now = performance.now();
  if (!('card' in p)) {
    const value = document.querySelector('[data-testid="stMainBlockContainer"] CARD_VALUE');
    if (value && value.getBoundingClientRect().height > 0 && value.innerText.trim()) {
      p.card = now;
      p.chartsAtCard = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
    }
  }
  if (!('chart' in p) && document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot')) p.chart = now;
}).observe(document, {subtree: true, childList: true, characterData: true});
""".replace("CARD_VALUE", CARD_VALUE)


@pytest.mark.parametrize("path", PAGES_WITH_CARDS)
def test_cards_are_drawn_before_the_first_chart(browser, server_url, path):
    context = browser.new_context()  # fresh: plotly.js and Streamlit's chunks are not cached
    try:
        context.add_init_script(FIRST_PAINT_JS)
        page = context.new_page()
        open_app(page, f"{server_url}/{path}")
        page.wait_for_function("() => 'card' in window.__paint", timeout=LOAD_TIMEOUT_MS)
        paint = page.evaluate("() => window.__paint")
    finally:
        context.close()
    assert paint["chartsAtCard"] == 0, f"{path or 'overview'}: a chart was drawn with the first card ({paint})"
    assert paint["card"] < paint["chart"], paint
