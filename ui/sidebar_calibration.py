"""Calibration in the sidebar: none, the shipped fits (bound to the URL as `cal`), or an upload.

An upload is read bounded by bytes and validated by the model (`model.calibration.file_format`); a file
it refuses, and any other failure here, gives one line "Calibration not used: ..." and no calibration,
so the pages keep working. Free-form texts of a file (sources, command) are shown as plain text.
"""

from __future__ import annotations

import logging

import streamlit as st

from model.base.fields import Field
from model.calibration.file_format import (
    Calibration,
    CalibrationError,
    calibration_from_json,
    read_bounded,
)
from ui.cached import shipped_calibration
from ui.widgets import UrlParam, choice

KEY = "cal"
NONE = "none"
SHIPPED = "shipped"
OPTIONS = (NONE, SHIPPED)
UPLOAD_KEY = "_calibration_upload"
PARAM = UrlParam(Field(KEY, str, choices=OPTIONS), NONE, "Efficiencies from",
                 "shipped = per-hardware fits (MFU, attention, bandwidths, time per kernel) to the published "
                 "TensorRT-LLM v0.9 measurements "
                 "(presets/calibrations; see the Validation page).")
log = logging.getLogger("llm_econ")


def uploaded() -> Calibration | None:
    """The uploaded calibration, or None; a bad file gets a message naming the field."""
    upload = st.file_uploader("Or upload a calibration JSON", type=["json"], key=UPLOAD_KEY,
                              help="Written by `python -m model calibrate measurements.csv -o calibration.json`. "
                                   "Uploads are not part of the share link.")
    if upload is None:
        return None
    try:
        upload.seek(0)
        return calibration_from_json(read_bounded(upload))
    except CalibrationError as exc:
        st.error(f"Calibration not used: {exc}")
        return None


def describe(calibration: Calibration | None, hw_id: str, source: str) -> None:
    if calibration is None:
        st.caption("No calibration: efficiencies are the hardware preset's defaults.")
        return
    eff = calibration.efficiency_for(hw_id)
    if eff is None:
        st.info(f"{source} calibration active, but it has no entry for {hw_id}: its defaults apply.")
        return
    report = calibration.reports.get(hw_id, {})
    errors = ""
    if "error_before" in report and "error_after" in report:
        errors = (f" Median error on its {report['error_after'].get('n', '?')} rows: "
                  f"{report['error_before']['median_abs_error_pct']:.0f}% -> {report['error_after']['median_abs_error_pct']:.0f}%.")
    # only validated numbers and the hardware id (a lowercase id) go into this Markdown box
    st.success(f"{source} calibration active for {hw_id}: MFU {eff.mfu:.2f}, attention {eff.attention_fraction:.2f}, "
               f"weight bandwidth {eff.weights_mbu:.2f}, KV bandwidth {eff.kv_mbu:.2f}, "
               f"{eff.kernel_s * 1e6:.1f} µs per kernel.{errors}")
    free_form = [f"fitted with: {calibration.provenance['command']}"] if "command" in calibration.provenance else []
    free_form += [f"source: {text}" for text in report.get("sources", [])]
    free_form += calibration.notes()
    if free_form:
        st.text("\n".join(free_form))  # plain text: nothing in the file is interpreted


def calibration_widgets(hw_id: str) -> Calibration | None:
    """Draw the calibration controls; return the active calibration (upload wins), if any. Any failure
    is one line and no calibration."""
    try:
        return _widgets(hw_id)
    except Exception as exc:  # Streamlit's own control flow uses BaseException, not caught here
        log.exception("calibration panel failed")
        st.error(f"Calibration not used: the calibration could not be read ({type(exc).__name__}); "
                 "the presets' efficiencies apply.")
        return None


def _widgets(hw_id: str) -> Calibration | None:
    with st.expander("Calibration", expanded=st.session_state.get(KEY, NONE) != NONE):
        chosen = choice(PARAM, help=PARAM.help)
        upload = uploaded()
        if upload is not None:
            describe(upload, hw_id, "Uploaded")
            return upload
        active = shipped_calibration() if chosen == SHIPPED else None
        describe(active, hw_id, "Shipped")
        return active
