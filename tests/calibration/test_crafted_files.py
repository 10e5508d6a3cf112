"""Issue 10 item 2: crafted calibration files are refused with a message naming the field, by the model
and by every command that reads them (exit 2, no traceback)."""

import pytest
from cli_runner import run
from crafted_calibrations import HW, crafted, injected

from model.calibration.file_format import (
    MAX_JSON_BYTES,
    CalibrationError,
    calibration_from_json,
    load_calibration,
    load_shipped,
)

CRAFTED = crafted()
IDS = [name for name, _, _ in CRAFTED]


@pytest.mark.parametrize("name, data, expected", CRAFTED, ids=IDS)
def test_a_crafted_file_is_refused_naming_the_field(name, data, expected):
    with pytest.raises(CalibrationError) as info:
        calibration_from_json(data)
    assert expected in str(info.value)
    assert "](" not in str(info.value) and "://" not in str(info.value)  # no link survives the echo


@pytest.mark.parametrize("name, data, expected", CRAFTED, ids=IDS)
def test_the_cli_refuses_a_crafted_file_with_exit_2_and_no_traceback(tmp_path, name, data, expected):
    path = tmp_path / f"{name}.json"
    path.write_bytes(data)
    result = run("explain", "hw=h200", "--calibration", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"error: {name}.json: " in result.stderr and expected in result.stderr


def test_reads_are_bounded_by_bytes_not_by_the_stated_size():
    with pytest.raises(CalibrationError, match=f"zero: file: larger than {MAX_JSON_BYTES:,} bytes"):
        load_calibration("/dev/zero")  # stat says 0 bytes; it never ends


def test_a_valid_file_with_markdown_in_its_texts_loads_with_the_texts_unchanged():
    calibration = calibration_from_json(injected())
    assert calibration.reports[HW]["sources"] == ["[click me](https://evil.example) **bold**"]
    assert calibration.efficiency_for(HW) == load_shipped().efficiency_for(HW)


def test_the_shipped_files_pass_the_strict_schema():
    assert set(load_shipped().efficiencies) == {"a100-80gb", "h100-sxm", "h200", "l40s"}


@pytest.mark.parametrize("command", [["predict", "{dir}/rows.csv", "-o", "{dir}/out.csv"], ["validate"]])
@pytest.mark.parametrize("name, data, expected", [CRAFTED[0], CRAFTED[2]], ids=[IDS[0], IDS[2]])
def test_every_command_reading_a_calibration_refuses_it_with_exit_2(tmp_path, command, name, data, expected):
    path = tmp_path / f"{name}.json"
    path.write_bytes(data)
    (tmp_path / "rows.csv").write_text("hw,batch\nh200,8\n")
    args = [a.format(dir=tmp_path) for a in command]
    result = run(*args, "--calibration", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert expected in result.stderr
