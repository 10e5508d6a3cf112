"""Issue 10: hostile and contradictory input through app.py: calibration uploads, cross-field links and
widgets, presets at the bounds, links over Streamlit's limits."""

from apptest_harness import app, texts

from model import load_catalog
from model.base.limits import MAX_TOKENS

SCOUT_MAX = {"model": "llama-4-scout", "chips": "4", "ctx": "10485760"}  # Llama 4 Scout's own max_context


def warnings(at) -> str:
    return "\n".join(str(w.value) for w in at.warning)


# --- presets at the bounds (item 5) -------------------------------------------------------------
def test_no_preset_max_context_exceeds_the_token_cap():
    catalog = load_catalog()
    assert max(m.max_context for m in catalog.models.values()) <= MAX_TOKENS


def test_llama_4_scout_at_its_maximum_context_is_kept_by_the_slider_and_the_link():
    at = app(SCOUT_MAX)
    assert not at.exception
    assert "_url_notice" not in at.session_state  # nothing in the link was ignored
    assert at.session_state["ctx"] == 10_485_760
    assert at.query_params["ctx"] == "10485760"


def test_weights_that_fit_beside_a_sequence_that_does_not_are_worded_as_such():
    at = app(SCOUT_MAX)
    shown = texts(at)
    assert "the weights do not fit" not in shown.lower()
    assert "one sequence's KV cache at ctx 10,485,760 does not fit beside them" in shown
    assert "the weights fit, but one sequence's KV cache at ctx 10485760 does not fit beside them" in warnings(at)


def test_weights_that_do_not_fit_are_still_said_to_not_fit():
    at = app({"model": "llama-4-scout", "chips": "1", "ctx": "1024"})
    assert "the weights do not fit in HBM at this chip count" in warnings(at)
    assert "the weights alone do not fit" in texts(at)
