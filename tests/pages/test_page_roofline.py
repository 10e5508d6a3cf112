"""The roofline page through the entry point: roofs, ridge, op points, decode path and the op table."""

import numpy as np
import pytest
from apptest_harness import CUSTOM_MOE_LINK as CUSTOM
from apptest_harness import MOE_LINK as MOE
from apptest_harness import app, deployment, texts
from plotly_spec import figures, trace, values

from model.core import intensity
from model.core.roofline import decode_step, prefill
from model.report import summary as report

PAGE = "pages/roofline.py"
TERA = 1e12




def roofline(at) -> dict:
    return figures(at)["roofline"]


@pytest.mark.parametrize("query", [None, MOE, CUSTOM, {"hw": "tpu-v5e", "chips": "16", "wbits": "8"}])
def test_renders_the_roofline_and_the_op_table(query):
    at = app(query, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at)
    assert at.title[0].value.startswith("Roofline")
    assert list(figures(at)) == ["roofline"]
    assert "per chip" in texts(at) and "excludes TTFT" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Download roofline_ops.csv"]


@pytest.mark.parametrize("query", [None, MOE, CUSTOM, {"hw": "a100-80gb"}])
def test_the_ridge_points_are_peak_over_bandwidth_of_the_chosen_chip(query):
    _, dep = deployment(query)
    hw = dep.hardware
    ridge = trace(roofline(app(query, page=PAGE)), "ridge point")
    peaks = intensity.compute_roofs_flops_per_s(hw)
    assert values(ridge["x"]) == pytest.approx([p / hw.hbm_bytes_per_s for p in peaks.values()])
    assert values(ridge["y"]) == pytest.approx([p / TERA for p in peaks.values()])
    if query is CUSTOM:
        assert values(ridge["x"]) == pytest.approx([500 / 2])


def test_the_dashed_roof_is_the_peak_in_use_at_mfu_and_mbu():
    _, dep = deployment(MOE)  # FP8 weights: computes on the 8-bit roof
    figure = roofline(app(MOE, page=PAGE))
    dashed = trace(figure, "8-bit roof at mfu")
    assert dashed["line"]["dash"] == "dash"
    eff, hw = dep.efficiency, dep.hardware
    assert values(dashed["y"]).max() == pytest.approx(hw.eight_bit_flops_per_s * eff.mfu / TERA)
    x, y = values(dashed["x"]), values(dashed["y"])
    low = x < 1
    assert y[low] == pytest.approx(x[low] * hw.hbm_bytes_per_s * eff.weights_mbu / TERA)
    assert "(in use)" in trace(figure, "8-bit roof:")["name"]


def test_the_op_points_are_the_model_ops_at_the_current_batch_and_context():
    scenario, dep = deployment(MOE)
    figure = roofline(app(MOE, page=PAGE))
    for name, timing in (("prefill ops", prefill(dep, scenario.prompt)),
                         ("decode ops", decode_step(dep, scenario.batch, scenario.ctx))):
        shown = trace(figure, name)
        points = intensity.op_points(dep, timing)
        assert [row[0] for row in shown["customdata"]] == [p.name for p in points]
        assert values(shown["x"]) == pytest.approx([p.intensity_flop_per_byte for p in points])
        assert values(shown["y"]) == pytest.approx([p.attained_flops_per_s_per_chip / TERA for p in points])
        assert {row[4] for row in shown["customdata"]} <= {"compute", "memory"}
    assert "moe_experts" in [row[0] for row in trace(figure, "decode ops")["customdata"]]


def test_the_decode_path_rises_with_batch_and_marks_the_current_batch():
    figure = roofline(app(page=PAGE))
    path = trace(figure, "decode step as batch grows")
    x, y = values(path["x"]), values(path["y"])
    batches = [float(row[0]) for row in path["customdata"]]
    assert batches[0] == 1 and batches[-1] == 4096 and 64 in batches
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) > 0)
    current = trace(figure, "decode step at batch 64 (current)")
    assert values(current["x"])[0] == pytest.approx(x[batches.index(64)])
    assert "64" in path["text"] and "4096" in path["text"]


def test_batch_and_context_move_the_points():
    at = app(page=PAGE)
    before = roofline(at)
    at.select_slider(key="batch").set_value(8).run()
    after_batch = roofline(at)
    assert values(trace(after_batch, "decode ops")["x"]).tolist() != values(trace(before, "decode ops")["x"]).tolist()
    assert trace(after_batch, "decode step at batch 8 (current)")
    at.select_slider(key="ctx").set_value(65536).run()
    after_ctx = roofline(at)
    path_before = values(trace(after_batch, "decode step as batch grows")["x"])
    path_after = values(trace(after_ctx, "decode step as batch grows")["x"])
    assert path_after[-1] < path_before[-1], "at large batch, longer KV caches lower the decode step's intensity"
    assert "65,536 tokens of context" in texts(at)


def test_the_caption_states_the_current_numbers():
    scenario, dep = deployment()
    totals = intensity.pass_totals(dep, decode_step(dep, scenario.batch, scenario.ctx))
    caption = texts(app(page=PAGE))
    assert f"{float(totals.intensity_flop_per_byte):.3g} FLOP/byte" in caption
    assert f"the {dep.hardware.ridge_flop_per_byte(False):,.0f} FLOP/byte ridge" in caption
    assert "At batch 64 and 8,192 tokens of context" in caption


def test_the_op_table_lists_every_op_of_both_passes():
    scenario, dep = deployment(MOE)
    frame = app(MOE, page=PAGE).dataframe[0].value
    expected = [r["op"] for r in report.op_rows(prefill(dep, scenario.prompt))]
    expected += [r["op"] for r in report.op_rows(decode_step(dep, scenario.batch, scenario.ctx))]
    assert frame["op"].tolist() == expected
    assert set(frame["pass"]) == {"prefill", "decode"}
    assert list(frame.columns) == ["pass", *report.OP_TABLE_COLUMNS]
    decode = frame[frame["pass"] == "decode"]
    step_ms = float(decode_step(dep, scenario.batch, scenario.ctx).time_s) * 1e3
    assert decode["time_ms"].sum() == pytest.approx(step_ms, rel=1e-3)  # rows shown to 4 significant digits
