"""Issue 10: hostile and contradictory input through app.py: calibration uploads, cross-field links and
widgets, presets at the bounds, links over Streamlit's limits."""

import pytest
from apptest_harness import CUSTOM_LINK, app, metrics, texts
from crafted_calibrations import HW, INJECTION, crafted, injected

from model import load_catalog
from model.base.limits import MAX_TOKENS
from model.catalog.presets import MODEL_FIELDS
from ui import url_limits
from ui.sidebar_calibration import UPLOAD_KEY

SCOUT_MAX = {"model": "llama-4-scout", "chips": "4", "ctx": "10485760"}  # Llama 4 Scout's own max_context


def warnings(at) -> str:
    return "\n".join(str(w.value) for w in at.warning)


# --- presets at the bounds (item 5) -------------------------------------------------------------
def test_no_preset_max_context_exceeds_the_token_cap():
    catalog = load_catalog()
    assert max(m.max_context for m in catalog.models.values()) <= MAX_TOKENS
    assert MODEL_FIELDS["max_context"].hi == MAX_TOKENS  # a preset file beyond it is refused on load


def test_llama_4_scout_at_its_maximum_context_is_kept_by_the_slider_and_the_link():
    at = app(SCOUT_MAX)
    assert not at.exception
    assert "_url_notice" not in at.session_state  # nothing in the link was ignored
    assert at.session_state["ctx"] == 10_485_760
    assert at.query_params["ctx"] == "10485760"


def test_weights_that_fit_beside_a_sequence_that_does_not_are_worded_as_such():
    at = app(SCOUT_MAX)
    shown = texts(at)
    assert "weights do not fit" not in shown and "weights alone" not in shown
    assert "the weights fit in HBM on this replica, but one sequence's KV cache at 10,485,760 tokens does not fit " \
           "beside them" in shown
    assert "the weights fit, but one sequence's KV cache at ctx 10485760 does not fit beside them" in warnings(at)
    at.switch_page("pages/latency.py").run()
    assert "Not servable: the weights fit in HBM on this replica, but one sequence's KV cache" in warnings(at)


def test_weights_that_do_not_fit_are_still_said_to_not_fit():
    at = app({"model": "llama-4-scout", "chips": "1", "ctx": "1024"})
    assert "the weights do not fit in HBM at this chip count" in warnings(at)
    assert "the weights do not fit in HBM on this replica (add chips or use fewer weight bits)" in texts(at)
    assert "does not fit beside them" not in texts(at)


PAGES = ["pages/roofline.py", "pages/prefill_decode.py", "pages/long_context.py", "pages/latency.py",
         "pages/serving.py", "pages/disaggregation.py", "pages/caching.py", "pages/scaling.py", "pages/validation.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_draws_llama_4_scout_at_its_maximum_context_and_keeps_it(page):
    at = app({"model": "llama-4-scout", "chips": "8", "ctx": "10485760"}, page=page)
    assert not at.exception and "could not be drawn" not in errors(at)
    assert at.query_params["ctx"] == "10485760"


# --- crafted calibration uploads (item 2) -------------------------------------------------------
CRAFTED = crafted()


def upload(at, name: str, data: bytes):
    return at.file_uploader(key=UPLOAD_KEY).set_value((f"{name}.json", data, "application/json")).run()


def errors(at) -> str:
    return "\n".join(str(e.value) for e in at.error)


@pytest.mark.parametrize("name, data, expected", CRAFTED, ids=[c[0] for c in CRAFTED])
def test_a_crafted_upload_is_not_used_and_named_and_the_page_keeps_working(name, data, expected):
    at = upload(app({"hw": HW}), name, data)
    assert not at.exception
    assert "Calibration not used: " in errors(at) and expected in errors(at)
    assert not at.success  # no calibration is active
    assert metrics(at)["USD per 1M output tokens"].startswith("$")


def test_after_a_crafted_upload_every_page_still_draws():
    at = upload(app({"hw": HW}), *CRAFTED[0][:2])
    for page in ("pages/roofline.py", "pages/validation.py", "pages/latency.py"):
        at.switch_page(page).run()
        assert not at.exception and "could not be drawn" not in errors(at)
        assert "Calibration not used: file: nested too deeply" in errors(at)


def test_free_form_texts_of_an_upload_are_shown_as_plain_text_not_markdown():
    at = upload(app({"hw": HW}), "injected", injected())
    active = " ".join(s.value for s in at.success)
    assert f"Uploaded calibration active for {HW}" in active and "evil" not in active
    assert INJECTION in "\n".join(t.value for t in at.text)  # st.text: shown verbatim, never interpreted
    assert "evil" not in texts(at)  # and in no Markdown element


def test_any_failure_in_the_calibration_panel_is_one_line_and_the_page_renders(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("error_after")

    monkeypatch.setattr("ui.sidebar_calibration.describe", broken)
    at = app({"hw": HW, "cal": "shipped"})
    assert not at.exception
    assert "Calibration not used: the calibration could not be read (KeyError)" in errors(at)
    assert metrics(at)["TPOT"] == metrics(app({"hw": HW}))["TPOT"]  # no calibration applied


def test_any_failure_in_the_sidebar_is_one_line_and_the_page_renders(monkeypatch):
    def broken(*args, **kwargs):
        raise AttributeError("boom")

    link = {"hw": HW, "batch": "8", "ctx": "2048"}
    expected = metrics(app(link))
    monkeypatch.setattr("ui.sidebar.model_widgets", broken)
    at = app(link)
    assert not at.exception
    assert "The sidebar could not be drawn (AttributeError): the pages show the scenario of the link" in errors(at)
    assert metrics(at) == expected  # the link's numbers, and the link itself, are kept
    assert (at.query_params["batch"], at.query_params["ctx"]) == ("8", "2048")


# --- cross-field values (item 3) ----------------------------------------------------------------
MOE = {**CUSTOM_LINK, "experts": "8", "batch": "32", "ctx": "4096"}


def test_a_cross_field_link_keeps_the_scenario_and_names_the_key_once_with_its_range():
    at = app({**MOE, "experts_active": "9"})
    assert not at.exception
    notice = "\n".join(at.session_state["_url_notice"])
    assert notice.count("experts_active") == 1
    assert "experts_active: must be in [1, 8] (at most experts=8); got 9; using 8" in notice
    state = {k: at.session_state[k] for k in ("hw", "model", "chips", "batch", "ctx", "experts", "experts_active")}
    assert state == {"hw": "custom", "model": "custom", "chips": 2, "batch": 32, "ctx": 4096, "experts": 8,
                     "experts_active": 8}
    assert metrics(at) == metrics(app({**MOE, "experts_active": "8"}))


def test_typing_routed_experts_before_experts_per_token_keeps_cards_and_sidebar_in_agreement():
    at = app({**CUSTOM_LINK, "batch": "32", "ctx": "4096"})
    at.number_input(key="experts").set_value(8).run()
    assert not at.exception
    shown = at.number_input(key="experts_active").value
    assert shown == 1  # clamped into [1, experts] in the sidebar too
    assert "experts_active: must be in [1, 8] (at most experts=8); not given; using 1" in warnings(at)
    assert metrics(at) == metrics(app({**MOE, "experts_active": "1"}))  # the cards show the sidebar's scenario
    at.number_input(key="experts_active").set_value(2).run()
    assert metrics(at) == metrics(app({**MOE, "experts_active": "2"}))
    assert "experts_active: must be" not in warnings(at)


def test_lowering_heads_below_kv_heads_clamps_kv_heads_in_the_sidebar_and_the_cards():
    at = app({**CUSTOM_LINK, "batch": "32", "ctx": "4096"})
    at.number_input(key="heads").set_value(4).run()
    assert at.number_input(key="kv_heads").value == 4
    assert metrics(at) == metrics(app({**CUSTOM_LINK, "batch": "32", "ctx": "4096", "heads": "4", "kv_heads": "4"}))


# --- links over Streamlit's limits (item 6) -----------------------------------------------------
APPTEST_SESSION = "test session id"  # the session id Streamlit's AppTest runs under
OVER = "&".join(f"batch={i}" for i in range(url_limits.MAX_FIELDS + 1))  # 1,001 parameters


def test_streamlit_itself_drops_a_query_over_its_limits():
    at = app({f"k{i}": "1" for i in range(url_limits.MAX_FIELDS + 1)} | {"batch": "8"})
    assert at.session_state["batch"] == 64  # the default: the app saw no query at all
    assert "_url_notice" not in at.session_state  # and, without the server's hook, cannot tell


def test_the_limits_are_streamlits_own_test():
    assert url_limits.over_limits("&".join(["a=1"] * url_limits.MAX_FIELDS)) is None
    assert url_limits.over_limits(OVER) == (1001, len(OVER))
    assert url_limits.over_limits("a=" + "x" * url_limits.MAX_CHARACTERS) == (1, url_limits.MAX_CHARACTERS + 2)
    assert url_limits.over_limits("") is None


def test_the_server_hook_remembers_a_dropped_query_per_session_and_calls_through():
    class Session:
        id = "s1"

    class ClientState:
        query_string = OVER

    calls = []
    hooked = url_limits._recording(lambda self, state: calls.append(getattr(state, "query_string", None)))
    hooked(Session(), ClientState())
    assert calls == [OVER] and url_limits._dropped.pop("s1") == (1001, len(OVER))
    hooked(Session(), None)  # a rerun with the previous client state
    assert "s1" not in url_limits._dropped


def test_installing_the_hook_twice_wraps_streamlit_once():
    from streamlit.runtime.app_session import AppSession

    assert url_limits.install() and url_limits.install()
    assert getattr(AppSession.request_rerun, url_limits.MARK)
    assert not getattr(AppSession.request_rerun.__closure__[0].cell_contents, url_limits.MARK, False)


def test_a_dropped_link_is_said_in_the_sidebar_and_the_main_area():
    url_limits.remember(APPTEST_SESSION, OVER)
    at = app()
    notice = "\n".join(at.session_state["_url_notice"])
    assert "the whole link (1,001 parameters" in notice and "at most 1,000 parameters" in notice
    assert "Part of this link was ignored (the whole link)" in warnings(at)
    assert metrics(at) == metrics(app())  # the default scenario, said to be so


def test_a_cleared_custom_field_says_which_model_the_numbers_use():
    at = app({**CUSTOM_LINK, "batch": "32", "ctx": "4096"})
    at.number_input(key="layers").set_value(None).run()
    assert not at.exception
    assert "layers: required when model=custom; must be an integer in [1, 1000] (the numbers use the " \
           "llama-3.1-70b model until it is set)" in errors(at)
    preset_model = {**CUSTOM_LINK, "model": "llama-3.1-70b", "batch": "32", "ctx": "4096"}  # custom hardware kept
    assert metrics(at) == metrics(app(preset_model))
