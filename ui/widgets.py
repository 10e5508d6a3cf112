"""The one set of URL-bound widgets: scenario keys (ui/sidebar.py) and page-local keys (ui/params/).

Every control that belongs in a link is declared as a `UrlParam` (its `Field` gives the URL key,
type, range and unit) and drawn by one of the functions here, which bind it to the query string
(`bind="query-params"`) under its field name, so a link reopens the page exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from model.base.fields import Field

BIND = "query-params"


@dataclass(frozen=True)
class UrlParam:
    """A control bound to the URL: its field (key, type, range, unit), default, label and help."""

    field: Field
    default: object
    label: str
    help: str = ""


def log_grid(lo: int, hi: int) -> list[int]:
    """1, 2, 3, 4, 6, 8, 12, 16, ...: powers of two and their 1.5x, within [lo, hi], plus hi."""
    values, power = set(), 1
    while power <= hi:
        values.update(v for v in (power, power * 3 // 2) if lo <= v <= hi)
        power *= 2
    values.add(hi)
    return sorted(values)


def help_text(param: UrlParam) -> str:
    """'`key`: what it is; the accepted values' (the tooltip of every number, slider and choice)."""
    return f"`{param.field.name}`: {param.help or param.label}; {param.field.accepted()}"


def _cast(param: UrlParam):
    return int if param.field.kind is int else float


def number(param: UrlParam, **kwargs):
    """A number input over the field's range; integer fields step by 1; a None default leaves it empty."""
    spec, cast = param.field, _cast(param)
    value = None if param.default is None else cast(param.default)
    return st.number_input(param.label, min_value=cast(spec.lo), max_value=cast(spec.hi), value=value,
                           step=1 if spec.kind is int else None, key=spec.name, bind=BIND, help=help_text(param),
                           **kwargs)


def slider(param: UrlParam, **kwargs):
    """A slider over the field's range."""
    spec, cast = param.field, _cast(param)
    return st.slider(param.label, min_value=cast(spec.lo), max_value=cast(spec.hi), value=cast(param.default),
                     key=spec.name, bind=BIND, help=help_text(param), **kwargs)


def choice(param: UrlParam, options: list | None = None, **kwargs):
    """A selectbox over `options` (default: the field's choices; the URL holds the option itself)."""
    options = list(param.field.choices if options is None else options)
    kwargs.setdefault("help", help_text(param))
    return st.selectbox(param.label, options, index=options.index(param.default), key=param.field.name, bind=BIND,
                        **kwargs)


def radio(param: UrlParam, options: tuple, **kwargs):
    """A horizontal radio over `options`."""
    kwargs.setdefault("help", help_text(param))
    return st.radio(param.label, options, index=options.index(param.default), key=param.field.name, bind=BIND,
                    horizontal=True, **kwargs)


def checkbox(param: UrlParam, **kwargs):
    kwargs.setdefault("help", help_text(param))
    return st.checkbox(param.label, value=param.default, key=param.field.name, bind=BIND, **kwargs)


def log_choice(param: UrlParam, grid: list, **kwargs):
    """A select_slider over a log grid (plus the current value and the default)."""
    current = st.session_state.get(param.field.name, param.default)
    options = sorted(set(grid) | {current, param.default})
    kwargs.setdefault("help", help_text(param))
    return st.select_slider(param.label, options=options, value=param.default, key=param.field.name, bind=BIND,
                            **kwargs)


def boundary_control(options: list[int], default: int, key: str) -> int:
    """The one page control deliberately NOT in the URL: the long-context tier boundary, which
    restarts at each scenario's suggested boundary (`key` changes with the scenario)."""
    return st.select_slider("Tier boundary (tokens of context)", options=options, value=default, key=key,
                            format_func=lambda v: f"{v:,}",
                            help="Move it to see the multiplier the upper tier needs. Starts at the suggested boundary.")
