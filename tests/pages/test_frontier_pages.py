"""The frontier-serving views: tokens per pass, per-token floor, exposed communication, memory fit."""

from apptest_harness import app, metrics, texts

from model import load_catalog, resolve, summarize
from model.schema.parse import baseline
from ui import format as fmt


def test_overview_shows_tokens_per_pass_token_floor_and_exposed_comms():
    catalog = load_catalog()
    s = baseline("deepseek-decode-h800", catalog)
    row = summarize(s, resolve(s, catalog))
    cards = metrics(app({"preset": "deepseek-decode-h800"}))
    assert cards["Tokens per forward pass"] == f"{row['tokens_per_step']:.3g} per sequence" == "1.85 per sequence"
    assert cards["Latency floor per token"] == fmt.duration(row["latency_floor_token_ms"] / 1e3)
    assert cards["Latency floor per token"] != cards["Latency floor"]
    assert cards["Exposed communication"] == fmt.duration(row["exposed_comms_ms"] / 1e3)
    assert cards["Parallel layout"] == "EP144, attention DP"
    plain = metrics(app())
    assert plain["Tokens per forward pass"] == "1 per sequence"
    assert plain["Latency floor per token"] == plain["Latency floor"]


def test_overview_memory_fit_panel_names_the_smallest_layout():
    at = app({"model": "deepseek-v3", "hw": "h800", "wbits": "8", "chips": "8", "dp_attn": "true", "ctx": "4989",
              "batch": "1024"})
    assert not at.dataframe  # collapsed: nothing computed yet
    at.session_state["_overview_memory_fit"] = True  # what clicking the expander does
    at.run()
    shown = texts(at)
    assert "The smallest that fits: 24 chips" in shown and "this replica (8 chips) is too small" in shown
    assert any(len(frame.value) >= 3 for frame in at.dataframe)


def test_roofline_page_states_the_all_to_all_as_its_own_term():
    at = app({"preset": "deepseek-decode-h800"}, page="pages/roofline.py")
    assert "of expert all-to-all (dispatch + combine) exposed" in texts(at)
    ops = [frame.value for frame in at.dataframe][-1]
    assert "ep_all_to_all" in set(ops["op"]) and "spec_drafts" in set(ops["op"])


def test_latency_page_shows_the_floor_per_token_with_speculation():
    at = app({"preset": "deepseek-r1-b200-fp4"}, page="pages/latency.py")
    cards = metrics(at)
    assert cards["Tokens per forward pass"] == "2.82 per sequence"
    assert cards["Floor per token"] != cards["Latency floor"]


def test_pages_that_simulate_decode_steps_say_how_they_count_speculation():
    for page in ("pages/serving.py", "pages/disaggregation.py"):
        said = [w.value for w in app({"preset": "deepseek-decode-h800"}, page=page).info]
        assert any("yields 1.85 on average" in w and "G / 1.85 steps" in w for w in said), page
        assert not any("Speculative decoding" in w.value for w in app(None, page=page).info), page
