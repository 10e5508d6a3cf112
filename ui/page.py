"""Helpers every page uses: the current scenario, captions, tables with CSV downloads."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.sidebar import AppState

STATE_KEY = "_app_state"
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


def card(column, label: str, value: str, explanation: str, help_text: str | None = None) -> None:
    """A headline number with a one-line explanation computed from the numbers."""
    with column:
        st.metric(label, value, help=help_text)
        st.caption(explanation)


def run_guarded(page) -> None:
    """Run a page; an unexpected error shows a short message, never a traceback."""
    try:
        page.run()
    except Exception as exc:  # Streamlit's own control flow uses BaseException, not caught here
        log.exception("page failed")
        st.error(f"This view could not be drawn for this scenario ({type(exc).__name__}). "
                 "Change a setting in the sidebar; the other views keep working.")
