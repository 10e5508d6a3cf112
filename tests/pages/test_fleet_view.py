"""The Validation page's published-fleet section (issue 12): the checks, their basis and what moves them."""

from apptest_harness import app

from model import load_catalog
from model.report.fleet import FLEET_CHECKS, fleet_rows
from ui.tables.fleet import fleet_frame


def test_fleet_frame_keeps_every_check_and_leaves_a_day_average_without_an_error():
    rows = fleet_rows(load_catalog())
    frame = fleet_frame(rows)
    assert len(frame) == len(FLEET_CHECKS)
    day = frame[frame["basis"] == "day average"]
    assert not day.empty and day["error_pct"].isna().all() and (day["implied_utilisation_pct"] > 0).all()
    capacity = frame[frame["basis"] == "capacity"]
    assert capacity["implied_utilisation_pct"].isna().all() and capacity["error_pct"].notna().all()
    assert all(link == f"/?preset={name}" for link, name in zip(frame["link"], frame["scenario"], strict=True))


def test_the_fleet_section_is_drawn_only_when_opened_and_then_shows_the_table_and_the_bars():
    at = app(page="pages/validation.py")
    assert "Published fleets: expert parallelism, FP4, speculation" in [e.label for e in at.main.expander]
    tables_closed = len(at.dataframe)
    at.session_state["_validation_fleets"] = True  # what clicking the expander does
    at.run()
    assert not at.exception
    assert len(at.dataframe) == tables_closed + 1
    shown = at.dataframe[-1].value
    assert set(shown["scenario"]) == {c.scenario for c in FLEET_CHECKS}
    assert at.selectbox(key="_validation_fleet_check").value == 0
