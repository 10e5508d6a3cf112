"""Validation page and calibration in the dashboard: shipped (in the link), uploaded, rejected."""

import csv
import json
import re

from apptest_harness import app, metrics

from model.calibration.file_format import load_shipped
from model.catalog.presets import PRESET_DIR

UPLOAD_KEY = "_calibration_upload"


def median_errors(at) -> list[float]:
    return [float(m) for m in re.findall(r"median (\d+)%", " ".join(c.value for c in at.caption))]


def test_validation_page_compares_defaults_and_calibrations():
    at = app(page="pages/validation.py")
    assert not at.exception and not at.error
    default, shipped = median_errors(at)[:2]
    assert shipped < default  # the shipped fits were made on these rows
    at.radio(key="_validation_after").set_value("held-out").run()
    held_out = median_errors(at)[1]
    assert shipped <= held_out < default  # a disjoint fit still helps, a little less


def test_validation_page_shows_every_row_and_every_excluded_row_of_the_csv():
    with open(PRESET_DIR / "measurements.csv", encoding="utf-8", newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    excluded_ids = {r["id"] for r in csv_rows if r["excluded"].strip().lower() == "true"}
    assert len(csv_rows) == 391 and len(excluded_ids) == 188  # as the README states
    at = app(page="pages/validation.py")
    every_row, excluded = at.dataframe[-2].value, at.dataframe[-1].value
    assert len(every_row) == len(csv_rows)
    assert list(excluded.columns) == ["reason", "n", "ids"]
    assert excluded["n"].sum() == len(excluded_ids)
    shown_ids = [i for ids in excluded["ids"] for i in ids.split(", ")]
    assert len(shown_ids) == len(excluded_ids) and set(shown_ids) == excluded_ids
    assert all(excluded["reason"].str.len() > 0)


def test_shipped_calibration_link_changes_the_numbers_and_says_so():
    plain = metrics(app({"hw": "h100-sxm"}))
    at = app({"hw": "h100-sxm", "cal": "shipped"})
    assert at.selectbox(key="cal").value == "shipped"
    assert any("calibration active for h100-sxm" in s.value for s in at.success)
    assert metrics(at)["TPOT"] != plain["TPOT"]


def test_calibration_for_other_hardware_is_reported_unused():
    at = app({"hw": "tpu-v5e", "cal": "shipped"})
    assert "no entry for tpu-v5e" in " ".join(i.value for i in at.info)


def test_uploaded_calibration_is_used_and_bad_uploads_are_named():
    text = load_shipped().to_json()
    at = app({"hw": "h200"})
    at.file_uploader(key=UPLOAD_KEY).set_value(("cal.json", text.encode(), "application/json")).run()
    assert any("Uploaded calibration active for h200" in s.value for s in at.success)
    data = json.loads(text)
    data["hardware"]["h200"]["mfu"] = 7
    at.file_uploader(key=UPLOAD_KEY).set_value(("bad.json", json.dumps(data).encode(), "application/json")).run()
    error = " ".join(e.value for e in at.error)
    assert "Calibration not used" in error and "mfu" in error and "[" in error
    assert not at.exception
    at.file_uploader(key=UPLOAD_KEY).set_value(("junk.json", b"\x00\xff not json", "application/json")).run()
    assert "not valid JSON" in " ".join(e.value for e in at.error)
    assert metrics(at)["USD per 1M output tokens"].startswith("$")
