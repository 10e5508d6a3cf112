"""What a first visit does not show is not computed or sent (issue 9, speed): the Overview's
collapsed sections (memory fit, the request's passes as a table, sources and definitions) hold their
tables only once opened, and then the right ones; a first visit draws no table at all, so the browser
does not load the table element's code before the cards."""

from tests.apptest_harness import app


def downloads(at) -> list[str]:
    return [button.label for button in at.get("download_button")]


def test_the_overview_sources_are_drawn_only_when_opened():
    at = app()
    assert "Sources and definitions" in [e.label for e in at.main.expander]
    assert len(at.dataframe) == 0 and downloads(at) == []
    for key in ("_overview_passes", "_overview_sources"):
        at.session_state[key] = True  # what clicking the expander does
    at.run()
    assert downloads(at) == ["Download request_passes.csv", "Download sources.csv", "Download scenario_numbers.csv"]
    numbers = at.dataframe[2].value.set_index("column")
    assert numbers.loc["usd_per_m_output", "unit"] .startswith("USD")
    assert float(numbers.loc["tokens_per_s", "value"]) > 0
    assert not at.exception
