"""The one set of link widgets: scenario keys (ui/sidebar.py) and page-local keys (ui/params/).

Every control that belongs in a link is declared as a `UrlParam` (its `Field` gives the URL key,
type, range and unit) and drawn by one of the functions here under its field name as the widget
key. They are not bound to the URL: ui/links.py writes the one canonical link after every run.
Each keeps its value for the whole session (`persist_state="session"`), also while its page is
not shown, so the link can hold every page's settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from model.base.fields import Field

PERSIST = "session"


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
                           step=1 if spec.kind is int else None, key=spec.name, persist_state=PERSIST, help=help_text(param),
                           **kwargs)


def text(param: UrlParam, **kwargs):
    """A text input (an id such as a custom chip's name); empty means the key is not set."""
    return st.text_input(param.label, value=param.default or "", key=param.field.name, persist_state=PERSIST,
                         help=help_text(param), **kwargs)


def slider(param: UrlParam, **kwargs):
    """A slider over the field's range."""
    spec, cast = param.field, _cast(param)
    return st.slider(param.label, min_value=cast(spec.lo), max_value=cast(spec.hi), value=cast(param.default),
                     key=spec.name, persist_state=PERSIST, help=help_text(param), **kwargs)


def choice(param: UrlParam, options: list | None = None, **kwargs):
    """A selectbox over `options` (default: the field's choices; the URL holds the option itself)."""
    options = list(param.field.choices if options is None else options)
    kwargs.setdefault("help", help_text(param))
    return st.selectbox(param.label, options, index=options.index(param.default), key=param.field.name, persist_state=PERSIST,
                        **kwargs)


def names_of(entries: dict, **others: str):
    """A format_func that shows a catalog entry's name for its id (the link still holds the id);
    `others` label the extra options (custom=..., same=...); anything else shows as it is."""
    return lambda key: others.get(key) or getattr(entries.get(key), "name", None) or str(key)


def radio(param: UrlParam, options: tuple, **kwargs):
    """A horizontal radio over `options`."""
    kwargs.setdefault("help", help_text(param))
    return st.radio(param.label, options, index=options.index(param.default), key=param.field.name, persist_state=PERSIST,
                    horizontal=True, **kwargs)


def checkbox(param: UrlParam, **kwargs):
    kwargs.setdefault("help", help_text(param))
    return st.checkbox(param.label, value=param.default, key=param.field.name, persist_state=PERSIST, **kwargs)


def log_choice(param: UrlParam, grid: list, **kwargs):
    """A select_slider over a log grid (plus the current value and the default)."""
    current = st.session_state.get(param.field.name, param.default)
    options = sorted(set(grid) | {current, param.default})
    kwargs.setdefault("help", help_text(param))
    # thousands separators on screen only: the link is written by ui/links.py from the values, not the labels
    kwargs.setdefault("format_func", lambda v: f"{v:,}" if isinstance(v, int) else str(v))
    return st.select_slider(param.label, options=options, value=param.default, key=param.field.name, persist_state=PERSIST,
                            **kwargs)


def boundary_control(param: UrlParam, options: list[int], default: int) -> int:
    """The long-context tier boundary: `param`'s key (`lc_boundary`) holds the user's choice, absent
    when they have not moved it (the control then shows `default`, the scenario's suggestion).

    The choice is a plain session value, not the widget's own state, so the widget is redrawn from
    it on every run: the sidebar clears it when the scenario changes (ui/links.py), and a link's
    boundary outside `options` (contexts this scenario's replica cannot serve) falls back to `default`.
    """
    name, widget = param.field.name, f"_{param.field.name}_control"
    chosen = st.session_state.get(name)
    valid = chosen is not None and options[0] <= chosen <= options[-1]
    if chosen is not None and not valid:
        st.session_state.pop(name, None)
        st.caption(f"The link's boundary ({chosen:,} tokens) is outside the contexts this scenario serves; "
                   "the suggested boundary is used instead.")
    options = sorted(set(options) | {chosen}) if valid else options
    st.session_state[widget] = chosen if valid else default
    return st.select_slider(param.label, options=options, key=widget, format_func=lambda v: f"{v:,}",
                            on_change=_keep_boundary, args=(name, widget, default),
                            help=f"`{name}` in the link. Move it to see the multiplier the upper tier needs. "
                                 "Starts at the suggested boundary, and again whenever the scenario changes.")


def _keep_boundary(name: str, widget: str, default: int) -> None:
    value = st.session_state.get(widget)
    if value == default:
        st.session_state.pop(name, None)
    else:
        st.session_state[name] = value
