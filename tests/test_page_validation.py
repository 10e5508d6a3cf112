"""Validation page and calibration in the dashboard: shipped (in the link), uploaded, rejected."""

import json
import re

from apptest_harness import app, metrics, texts

from model.calibration.file_format import load_shipped

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
    assert "excluded" in texts(at).lower() or at.dataframe


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
