"""Links over Streamlit's limits: noticed, so the sidebar can say why the link opened the defaults.

Streamlit (1.67) empties a query string of more than CLIENT_STATE_QUERY_STRING_MAX_FIELDS (1,000)
parameters or CLIENT_STATE_QUERY_STRING_MAX_LENGTH (512 Ki) characters in `AppSession.request_rerun`,
before the script runs: `st.query_params` is then empty, `st.context.url` never holds the query, and
only the server log says so. `install` wraps that method to remember, per session, the size of a query
it was sent over those limits (parameters and characters, never the content); `dropped_query` tells
that session's run, once.

What cannot be detected: the first session of a freshly started server (the wrapper is installed by
that session's first script run, after its query was dropped), and a query so long that the HTTP server
refuses the page itself (400 Bad Request above ~128 KB, measured with Streamlit 1.67): no script runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state import query_params as streamlit_query_params

MAX_FIELDS = streamlit_query_params.CLIENT_STATE_QUERY_STRING_MAX_FIELDS
MAX_CHARACTERS = streamlit_query_params.CLIENT_STATE_QUERY_STRING_MAX_LENGTH
MAX_REMEMBERED = 1000  # sessions whose dropped query has not been read yet (oldest forgotten first)
MARK = "_records_dropped_queries"
_dropped: dict[str, tuple[int, int]] = {}
_lock = threading.Lock()  # the server's event loop writes, the sessions' script threads read
log = logging.getLogger("llm_econ")


def over_limits(query: str) -> tuple[int, int] | None:
    """(parameters, characters) of `query` when Streamlit drops it (its own test), else None."""
    fields = query.count("&") + 1
    if query and (len(query) > MAX_CHARACTERS or fields > MAX_FIELDS):
        return fields, len(query)
    return None


def remember(session_id: str, query: str) -> None:
    """Note that `session_id` was sent `query` and Streamlit drops it."""
    size = over_limits(query)
    if size is None:
        return
    with _lock:
        while len(_dropped) >= MAX_REMEMBERED:
            _dropped.pop(next(iter(_dropped)))
        _dropped[session_id] = size


def _recording(request_rerun: Callable) -> Callable:
    def recording_request_rerun(self, client_state):
        try:
            remember(self.id, getattr(client_state, "query_string", "") or "")
        except Exception:  # noticing must never stop Streamlit's own rerun
            log.exception("could not check the query string's size")
        return request_rerun(self, client_state)

    setattr(recording_request_rerun, MARK, True)
    return recording_request_rerun


def install() -> bool:
    """Wrap Streamlit's AppSession.request_rerun once per process; False when this Streamlit has none."""
    original = getattr(AppSession, "request_rerun", None)
    if original is None:
        log.warning("Streamlit has no AppSession.request_rerun: links over its limits go unnoticed")
        return False
    if not getattr(original, MARK, False):
        AppSession.request_rerun = _recording(original)
    return True


def dropped_query() -> tuple[int, int] | None:
    """(parameters, characters) of this session's link when Streamlit dropped it; None otherwise or
    once read."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    with _lock:
        return _dropped.pop(ctx.session_id, None)


def dropped_message(size: tuple[int, int]) -> str:
    fields, characters = size
    return (f"the whole link ({fields:,} parameters, {characters:,} characters) was dropped by Streamlit before "
            f"the app saw it: links may hold at most {MAX_FIELDS:,} parameters and {MAX_CHARACTERS:,} characters, "
            "so this is the default scenario")
