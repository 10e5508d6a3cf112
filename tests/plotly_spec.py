"""Read the plotly figures of an AppTest run: by chart key, with numpy arrays decoded."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def figures(at: AppTest) -> dict[str, dict]:
    """Chart key -> plotly figure dict ({'data': [...], 'layout': {...}}) of the current run."""
    out = {}
    for element in at.get("plotly_chart"):
        key = element.proto.id.rsplit("-", 1)[-1]
        out[key] = json.loads(element.proto.spec)
    return out


def values(data) -> np.ndarray:
    """A trace's x or y as an array: plotly 6+ serialises numpy arrays as {'dtype', 'bdata'}."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        shape = data.get("shape")
        if isinstance(shape, str):
            shape = [int(part) for part in shape.split(",")]
        return array.reshape(shape) if shape else array
    return np.asarray(data)


def trace(figure: dict, name_start: str) -> dict:
    """The first trace whose name starts with `name_start`."""
    for item in figure["data"]:
        if str(item.get("name", "")).startswith(name_start):
            return item
    raise KeyError(f"no trace named {name_start!r}: {[t.get('name') for t in figure['data']]}")
