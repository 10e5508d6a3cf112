"""Hostile calibration files (issue 10): each is (name, bytes, text the refusal must contain).

Built from a shipped calibration so everything but the crafted part is valid.
"""

import json

from model.calibration.file_format import MAX_JSON_BYTES, load_shipped

HW = "h200"


def _valid() -> dict:
    return json.loads(load_shipped().to_json())


def _with(path: tuple, value, raw: str | None = None) -> bytes:
    """A valid calibration with `path` (keys under hardware[HW]) set to `value`, or to the JSON text `raw`."""
    data = _valid()
    entry = data["hardware"][HW]
    for key in path[:-1]:
        entry = entry[key]
    entry[path[-1]] = "__RAW__" if raw is not None else value
    text = json.dumps(data)
    return text.replace('"__RAW__"', raw).encode() if raw is not None else text.encode()


def crafted() -> list[tuple[str, bytes, str]]:
    depth = 100_000  # 200 KB of brackets: Python's JSON reader raises RecursionError
    return [
        ("deep_nesting", _with(("rows",), None, raw="[" * depth + "]" * depth), "file: nested too deeply"),
        ("shallow_nesting", _with(("rows",), [[[["1"]]]]), "rows[0]: must be text"),
        ("huge_integer_mfu", _with(("mfu",), None, raw="9" * 5000),
         "mfu: must be a number in [0.01, 1]; got 'a 5000-digit"),
        ("huge_integer_report", _with(("error_after", "n"), None, raw="1" * 5000),
         "error_after: n: must be an integer"),
        ("report_not_an_object", _with(("error_after",), "[click](https://evil.example)"),
         "error_after: must be an object"),
        ("report_missing_key", _with(("error_before",), {}), "error_before: n missing"),
        ("report_text_for_number", _with(("error_after", "n"), "[click](https://evil.example)"),
         "error_after: n: must be an integer in [0, 1000000000] rows"),
        ("sources_not_text", _with(("sources",), [{"a": 1}]), "sources[0]: must be text"),
        ("fitted_unknown_parameter", _with(("fitted",), ["mfu", "speed"]), "fitted: must hold some of mfu"),
        ("unknown_field", _with(("colour",), "red"), "'colour': not a calibration field"),
        ("mfu_as_text", _with(("mfu",), "0.5"), "mfu: must be a number in [0.01, 1]"),
        ("oversized", b'{"hardware": {}}' + b" " * MAX_JSON_BYTES, f"larger than {MAX_JSON_BYTES:,} bytes"),
    ]


INJECTION = "[click me](https://evil.example) **bold**"


def injected() -> bytes:
    """A valid calibration whose free-form texts hold Markdown: they must be shown as plain text."""
    data = _valid()
    data["hardware"][HW]["sources"] = [INJECTION]
    data["provenance"] = {"command": INJECTION}
    return json.dumps(data).encode()
