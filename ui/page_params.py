"""Page-local controls bound to the URL, validated like scenario keys (see ui/params/)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from model.base.fields import Field

BIND = "query-params"


@dataclass(frozen=True)
class PageParam:
    """A page control: its field (type, range, unit) and its default value."""

    field: Field
    default: object
    label: str
    help: str = ""


def all_params() -> dict[str, PageParam]:
    """Every page's declared parameters, by URL key."""
    from ui.params import (
        caching,
        disaggregation,
        latency,
        long_context,
        scaling,
        serving,
    )

    params = {}
    for module in (serving, disaggregation, caching, scaling, long_context, latency):
        params.update(module.FIELDS)
    return params


def _help(param: PageParam) -> str:
    return f"`{param.field.name}`: {param.help or param.label}; {param.field.accepted()}"


def number(param: PageParam, **kwargs):
    """A number input bound to the URL; integer fields step by 1."""
    spec = param.field
    cast = int if spec.kind is int else float
    return st.number_input(param.label, min_value=cast(spec.lo), max_value=cast(spec.hi), value=cast(param.default),
                           step=1 if spec.kind is int else None, key=spec.name, bind=BIND, help=_help(param), **kwargs)


def slider(param: PageParam, **kwargs):
    """A slider bound to the URL over the field's range."""
    spec = param.field
    cast = int if spec.kind is int else float
    return st.slider(param.label, min_value=cast(spec.lo), max_value=cast(spec.hi), value=cast(param.default),
                     key=spec.name, bind=BIND, help=_help(param), **kwargs)


def choice(param: PageParam, **kwargs):
    """A selectbox over the field's choices, bound to the URL (labels are the values)."""
    options = list(param.field.choices)
    return st.selectbox(param.label, options, index=options.index(param.default), key=param.field.name, bind=BIND,
                        help=_help(param), **kwargs)


def log_choice(param: PageParam, grid: list, **kwargs):
    """A select_slider over a log grid (plus the current value), bound to the URL."""
    current = st.session_state.get(param.field.name, param.default)
    options = sorted(set(grid) | {current, param.default})
    return st.select_slider(param.label, options=options, value=param.default, key=param.field.name, bind=BIND,
                            help=_help(param), **kwargs)
