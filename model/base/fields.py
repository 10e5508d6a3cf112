"""Typed, range-checked fields: one parser for URL values, CSV cells and preset files.

Every user-facing value (a scenario key in a link or a CSV column, a number in a preset file)
is parsed by a `Field`. A bad value raises `FieldError`, whose message names the field, the
accepted range with its unit, and a short, sanitised echo of what was given; its `kind` says what
went wrong without parsing the message. `check_int` / `check_float` are the same checks for the
numbers model functions take.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


ERROR_KINDS = ("range", "type", "required", "unknown_id", "cross_field")


class FieldError(ValueError):
    """A value that does not fit its field.

    `field` is the field name; `kind` one of ERROR_KINDS: "range" (a number or choice outside
    the accepted values), "type" (not a value of the field's type), "required" (missing where
    another key needs it), "unknown_id" (not in a menu of ids), "cross_field" (inconsistent with
    other keys); `message` the text after "field: ".
    """

    def __init__(self, field: str, kind: str, message: str):
        if kind not in ERROR_KINDS:
            raise ValueError(f"kind: must be one of {', '.join(ERROR_KINDS)}; got {kind!r}")
        super().__init__(f"{field}: {message}")
        self.field = field
        self.kind = kind
        self.message = message


def echo(raw: object, limit: int = 24) -> str:
    """A short, harmless rendering of a user value for an error message.

    Only letters, digits and a few punctuation marks survive; anything else (markup, quotes,
    control characters, brackets) becomes '?', so the echo can be shown in Markdown or HTML
    without being interpreted.
    """
    text = str(raw)
    if len(text) > limit:
        text = text[:limit] + "..."
    return "'" + re.sub(r"[^A-Za-z0-9 .,_+-]", "?", text) + "'"


def _format_bound(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Field:
    """One named value with its type, accepted range and unit."""

    name: str
    kind: type  # int, float, bool or str
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None
    unit: str = ""
    doc: str = ""
    lo_open: bool = False  # (lo, hi] instead of [lo, hi]

    def accepted(self) -> str:
        """Human description of the accepted values, e.g. 'an integer in [1, 65536] sequences'."""
        unit = f" {self.unit}" if self.unit else ""
        if self.choices is not None:
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "a lowercase id (letters, digits, '.', '_', '-')"
        noun = "an integer" if self.kind is int else "a number"
        left = "(" if self.lo_open else "["
        return f"{noun} in {left}{_format_bound(self.lo)}, {_format_bound(self.hi)}]{unit}"

    def error(self, raw: object, kind: str = "range") -> FieldError:
        return FieldError(self.name, kind, f"must be {self.accepted()}; got {echo(raw)}")

    def missing(self, why: str) -> FieldError:
        """A "required" error: the field is missing where `why` needs it."""
        return FieldError(self.name, "required", f"{why}; must be {self.accepted()}")

    def parse(self, raw: object):
        """Parse `raw` (a string from a URL/CSV, or a Python value) into this field's type."""
        if isinstance(raw, str):
            raw_text = raw.strip()
        else:
            raw_text = raw
        if self.kind is str:
            return self._parse_id(raw_text)
        if self.kind is bool:
            return self._parse_bool(raw_text)
        value = self._parse_number(raw_text)
        if self.choices is not None and value not in self.choices:
            raise self.error(raw)
        return value

    def _parse_id(self, raw):
        text = str(raw).strip().lower() if raw is not None else ""
        if not _ID_PATTERN.match(text):
            raise self.error(raw, "type")
        if self.choices is not None and text not in self.choices:
            raise self.error(raw, "unknown_id")
        return text

    def _parse_bool(self, raw):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise self.error(raw, "type")

    def _parse_number(self, raw):
        if isinstance(raw, bool) or raw is None:
            raise self.error(raw, "type")
        try:
            value = float(raw)
        except (TypeError, ValueError, OverflowError):
            raise self.error(raw, "type") from None
        # NaN never; an infinity only where a bound is itself infinite (integers are always finite)
        if math.isnan(value) or (self.kind is int and math.isinf(value)):
            raise self.error(raw, "type")
        if self.kind is int:
            if value != round(value):
                raise self.error(raw, "type")
            value = int(round(value))
        below = self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo)
        if below or (self.hi is not None and value > self.hi):
            raise self.error(raw)
        return value


def _checked(field: Field, value):
    """`value` parsed by `field`; model calls take numbers, so text and booleans are refused too."""
    if isinstance(value, (bool, str)):
        raise field.error(value, "type")
    return field.parse(value)


def check_int(name: str, value, lo: int, hi: int, unit: str = "") -> int:
    """`value` as an int in [lo, hi]; FieldError (a ValueError) naming `name` and the range otherwise."""
    return _checked(Field(name, int, lo, hi, unit=unit), value)


def check_float(name: str, value, lo: float, hi: float, unit: str = "", lo_open: bool = False) -> float:
    """`value` as a float in [lo, hi] (or (lo, hi] when lo_open); FieldError naming `name` otherwise."""
    return float(_checked(Field(name, float, lo, hi, unit=unit, lo_open=lo_open), value))
