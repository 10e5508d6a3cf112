"""Helpers every page uses: the current scenario, captions, tables with CSV downloads; and the
note for an address that names no page."""

from __future__ import annotations

import logging
import re
import runpy
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from model.base.fields import echo
from ui.sidebar import AppState

STATE_KEY = "_app_state"
MISSING_KEY = "_missing_page"
APP_PATH = Path(__file__).resolve().parent.parent / "app.py"
log = logging.getLogger("llm_econ")


def current() -> AppState:
    """The scenario the sidebar describes (set by app.py before the page runs)."""
    if PagesManager.uses_pages_directory:
        run_entry_point_instead()
    return st.session_state[STATE_KEY]


def run_entry_point_instead() -> None:
    """Serve this request through app.py, then stop this page's own run.

    A `pages/` folder beside app.py puts Streamlit in its legacy multipage mode until app.py
    first calls st.navigation. On a freshly started server the first request for /roofline
    therefore runs pages/roofline.py alone, without the sidebar. Running app.py here draws the
    sidebar and, through st.navigation, the same page (URL paths equal the file names); from
    then on Streamlit runs app.py first on every request.
    """
    runpy.run_path(str(APP_PATH), run_name="__main__")
    st.stop()


def chart(figure, caption: str, key: str) -> None:
    """A plotly chart with the one-sentence caption that says what it shows."""
    st.plotly_chart(figure, key=key, config={"displaylogo": False})
    st.caption(caption)


def table(frame: pd.DataFrame, name: str, caption: str | None = None, **kwargs) -> None:
    """A dataframe with a CSV download of exactly what is shown."""
    st.dataframe(frame, hide_index=True, **kwargs)
    if caption:
        st.caption(caption)
    st.download_button(f"Download {name}.csv", frame.to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv",
                       mime="text/csv", key=f"download_{name}", on_click="ignore")


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]$~<>#|])")
CARD_MARKDOWN = ":small[{label}]\n\n## {value}"  # one card: its label, then its value as a heading
CARD_PATTERN = re.compile(re.escape(CARD_MARKDOWN).replace(r"\{label\}", "(?P<label>.*)").replace(r"\{value\}", "(?P<value>.*)"))


def card(column, label: str, value: str, explanation: str, help_text: str | None = None) -> None:
    """A headline number with a one-line explanation computed from the numbers.

    One markdown element (its code is in Streamlit's first bundle), not st.metric: Streamlit (1.67)
    loads st.metric's code on demand and React reveals such an element 500 ms after the last skeleton
    it showed, which on a first visit falls while plotly.js blocks the browser, so metric cards
    appeared only with the charts (README "Where a cold load's time goes"). One element, not a label
    and a header: every element the browser holds is drawn again on each of a run's messages."""
    with column:
        st.markdown(CARD_MARKDOWN.format(label=markdown_escape(label), value=markdown_escape(value)), help=help_text)
        st.caption(explanation)


def markdown_escape(text: str) -> str:
    """`text` shown literally by markdown ('$' too: two of them would start maths)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def card_of(body: str) -> tuple[str, str] | None:
    """(label, value) of a markdown body that `card` drew, else None (for tests and benchmarks)."""
    match = CARD_PATTERN.fullmatch(body)
    unescape = lambda text: re.sub(r"\\(.)", r"\1", text)  # noqa: E731
    return None if match is None else (unescape(match["label"]), unescape(match["value"]))


def lazy_expander(label: str, key: str):
    """A collapsed expander whose content runs only while it is open (opening it reruns the page):
    a first visit neither computes nor draws what it holds. Use as `with lazy_expander(...) as box:
    if box.open: ...`."""
    return st.expander(label, key=key, on_change="rerun")


def run_guarded(page) -> None:
    """Run a page; an unexpected error shows a short message, never a traceback."""
    try:
        page.run()
    except Exception as exc:  # Streamlit's own control flow uses BaseException, not caught here
        log.exception("page failed")
        st.error(f"This view could not be drawn for this scenario ({type(exc).__name__}). "
                 "Change a setting in the sidebar; the other views keep working.")


def note_missing_page(navigation) -> None:
    """Remember a path that names no page (Streamlit then runs the default page and rewrites the
    address to the root); forget it once a real page other than the default one runs."""
    url = st.context.url
    if navigation.url_path:
        st.session_state.pop(MISSING_KEY, None)
    if not url:
        return
    asked = urlparse(url).path.strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (asked == base or asked.startswith(base + "/")):
        asked = asked[len(base):].strip("/")
    if asked != navigation.url_path:
        st.session_state[MISSING_KEY] = asked


def show_missing_page(pages: list) -> None:
    """In the main area, above the default page: the asked-for page does not exist; the real ones."""
    asked = st.session_state.get(MISSING_KEY)
    if not asked:
        return
    with st.container(border=True):
        st.error(f"There is no page {echo(asked, 40)} in this dashboard, so this is the Overview. "
                 "The pages are:", icon=":material/link_off:")
        columns = st.columns(3)
        for index, page in enumerate(pages):
            with columns[index % 3]:
                st.page_link(page)
