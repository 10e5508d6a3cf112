"""What a careful reader trips on, checked in every page's text for the named scenarios:
no scientific notation like '1e+02' (from 1e15 on, '1.56e24 FLOPs' is the house style), no
'1 sequences' or 'chip(s)', no duration of 1,000 ms or more written in ms, no integer of 10,000
or more without thousands separators, and no table float of more than six significant digits.
"""

from __future__ import annotations

import math
import re

import pytest
from apptest_harness import PAGES, app, metrics, texts

from model import load_catalog

SCENARIOS = [None] + list(load_catalog().scenarios)  # None: the default scenario

NOUNS = ("sequence", "chip", "token", "replica", "prompt", "request", "user", "GPU", "layer", "expert", "step",
         "node", "answer", "question", "document", "pass", "chat", "hour", "day", "second", "minute", "year",
         "device", "head", "byte", "parameter", "conversation", "slot", "turn", "message")
PATTERNS = {
    "scientific notation": re.compile(r"(?<![\w.])\d+(?:\.\d+)?e(?:[+-]\d|\d(?!\d)|1[0-4](?!\d))"),
    "singular count with a plural noun": re.compile(rf"(?<![\d.,+] )(?<![\d.,])\b1 (?:{'|'.join(NOUNS)})s\b"),
    "'(s)' plural": re.compile(r"\w\(s\)"),
    "1,000 ms or more": re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d{4,})(?:\.\d+)? ms\b"),
    "no thousands separators": re.compile(r"(?<![\w.,/\-#=])\d{5,}(?![\d\w.,]|-\d)"),
}


def page_text(at) -> str:
    """Markdown, captions, warnings, errors and card values of the current run."""
    parts = [texts(at)] + list(metrics(at).values())
    return "\n".join(parts)


def significant_digits(value: float) -> int:
    """The significant digits of a float's shortest repr (zeros at either end do not count)."""
    return len(repr(abs(value)).split("e")[0].replace(".", "").strip("0"))


def long_floats(at) -> list[str]:
    found = []
    for frame in (element.value for element in at.dataframe):
        for column in frame.columns:
            for cell in frame[column]:
                if isinstance(cell, float) and math.isfinite(cell) and significant_digits(cell) > 6:
                    found.append(f"{column}: {cell!r}")
    return found


def findings(at) -> list[str]:
    text = page_text(at)
    found = [f"{name}: {m.group(0)!r} in ...{text[max(0, m.start() - 40):m.end() + 20]!r}"
             for name, pattern in PATTERNS.items() for m in pattern.finditer(text)]
    return found + [f"table float: {cell}" for cell in long_floats(at)]


def test_the_patterns_catch_what_they_are_for():
    def hits(text):
        return {name for name, pattern in PATTERNS.items() if pattern.search(text)}

    assert hits("a gain of 1e+02x") == {"scientific notation"}
    assert hits("1 sequences in flight") == {"singular count with a plural noun"}
    assert not hits("batch 1 reads every weight; 2 + 1 replicas; 11 chips")
    assert hits("on 1 chip(s)") == {"'(s)' plural"}
    assert hits("TTFT 8,587 ms") == {"1,000 ms or more"}
    assert hits("65536 tokens") == {"no thousands separators"}
    assert not hits("TTFT 8.6 s, 450 ms, 1 sequence, 1 ms, 65,536 tokens, 1.56e24 FLOPs, 2025-03-01")
    assert significant_digits(16.78894714492707) == 16 and significant_digits(0.045) == 2
    assert significant_digits(1234.5) == 5 and significant_digits(461800.0) == 4
    assert significant_digits(1e21) == 1


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("preset", SCENARIOS)
def test_every_number_reads_well(page, preset):
    """Every page for every named scenario: ~30 s on two cores (the renders share the model's caches)."""
    at = app({"preset": preset} if preset else None, page=page)
    assert not at.exception, [e.value for e in at.exception]
    assert not findings(at)


def test_log_sliders_show_thousands_separators_but_keep_integer_values():
    at = app({"ctx": "16384"})
    ctx = at.select_slider(key="ctx")
    assert "131,072" in ctx.options and "16,384" in ctx.options
    assert ctx.value == 16384
    assert at.query_params["ctx"] == "16384"  # the link keeps the plain integer
