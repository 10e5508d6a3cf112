"""Run the dashboard through its entry point with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from ui.page import card_of

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))

_original_init = PagesManager.__init__


def _navigation_only_init(self, *args, **kwargs):
    """AppTest resets PagesManager.uses_pages_directory before every run, so with a `pages/`
    folder each rerun goes through Streamlit's legacy (v1) multipage wrapper, which re-runs the
    last page without app.py. A real server clears the flag for good once app.py calls
    st.navigation; this does the same for every test run."""
    _original_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _navigation_only_init
config.set_option("global.disableWidgetStateDuplicationWarning", True)  # as in .streamlit/config.toml


def app(query: dict | None = None, page: str | None = None, timeout: float = 60) -> AppTest:
    """The app after its first run, on `page`, opened with `query` as the URL's parameters."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if query:
        at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Label -> value of every headline card (ui/page.py card) of the current run, in page order."""
    cards = (card_of(str(m.value)) for m in at.markdown)
    return dict(card for card in cards if card is not None)


def texts(at: AppTest) -> str:
    """All markdown, caption, warning and error text of the current run."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def chart_data(at: AppTest) -> list[str]:
    """The serialised plotly figures of the current run (one JSON string per chart)."""
    return [element.proto.spec for element in at.get("plotly_chart")]


# A custom hardware + custom model link (every page must draw it), and a MoE variant.
MOE_LINK = {"preset": "deepseek-v3-moe"}  # a named MoE (MLA) scenario
CUSTOM_LINK = {"hw": "custom", "hw_tflops": "400", "hw_tbps": "2", "hw_gb": "96", "hw_link_gbps": "200",
               "model": "custom", "layers": "32", "d_model": "4096", "heads": "32", "kv_heads": "8",
               "head_dim": "128", "ffn": "14336", "vocab": "128256", "chips": "2"}
CUSTOM_MOE_LINK = {**CUSTOM_LINK, "hw_tflops": "500", "hw_link_gbps": "100", "experts": "8", "experts_active": "2"}


def deployment(query: dict | None = None):
    """(scenario, deployment) for a link's keys, as the model computes them outside the app."""
    from model import load_catalog, parse_scenario_strict, resolve

    catalog = load_catalog()
    scenario = parse_scenario_strict(query or {}, catalog)
    return scenario, resolve(scenario, catalog)
