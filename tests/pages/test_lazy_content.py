"""What a first visit does not show is not computed or sent (issue 9, speed): the Overview's
"Sources and definitions" expander holds its tables only once opened, and then the right ones."""

from tests.apptest_harness import app


def downloads(at) -> list[str]:
    return [button.label for button in at.get("download_button")]


def test_the_overview_sources_are_drawn_only_when_opened():
    at = app()
    assert "Sources and definitions" in [e.label for e in at.main.expander]
    assert len(at.dataframe) == 1 and downloads(at) == ["Download request_passes.csv"]
    at.session_state["_overview_sources"] = True  # what clicking the expander does
    at.run()
    assert downloads(at) == ["Download request_passes.csv", "Download sources.csv", "Download scenario_numbers.csv"]
    numbers = at.dataframe[2].value.set_index("column")
    assert numbers.loc["usd_per_m_output", "unit"] .startswith("USD")
    assert float(numbers.loc["tokens_per_s", "value"]) > 0
    assert not at.exception
