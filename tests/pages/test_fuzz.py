"""Hostile links: 1,000 generated query strings through the app (AppTest, entry point).

Each must render without an exception, echo nothing as HTML or Markdown markup, keep the
numbers on screen, and show the notice whenever the model's parser rejected something.
"""

import random

import pytest
from apptest_harness import app, metrics, texts

from model import load_catalog, parse_scenario
from model.schema.scenario import SCENARIO_FIELDS

CASES = 1000
CHUNKS = 10
KEYS = list(SCENARIO_FIELDS) + ["foo", "utm_source", "<script>", "batch[]", "ctx ", "ÿ", "__proto__", "embed"]
VALUES = [
    "-1", "0", "1", "64", "4096", "1e308", "1e999", "-1e999", "nan", "NaN", "inf", "-inf", "", " ", "abc", "0x10",
    "1_000", "1,000", "3.5", "16", "8", "4", "0.5", "h100-sxm", "custom", "llama-3.1-70b", "fast-tier-70b",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold**", "[link](javascript:alert(1))",
    "😀" * 10, "\u202e\u0000", "x" * 10_240, "9" * 400, "%00", "../../etc/passwd", "${7*7}", "'; DROP TABLE x; --",
]
MARKUP = ("<script", "<img", "](javascript", "<b>", "onerror=")


def random_value(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return repr(rng.choice([-1, 1]) * 10 ** rng.uniform(-3, 12))
    return rng.choice(VALUES)


def random_query(rng: random.Random) -> dict:
    query = {}
    for _ in range(rng.randint(1, 6)):
        key = rng.choice(KEYS)
        value = random_value(rng)
        if key in query and rng.random() < 0.5:  # a repeated key
            previous = query[key] if isinstance(query[key], list) else [query[key]]
            query[key] = previous + [value]
        else:
            query[key] = value
    return query


def parser_rejects(query: dict, catalog) -> bool:
    raw = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    _, errors = parse_scenario(raw, catalog)
    return bool(errors) or any(k not in SCENARIO_FIELDS and k != "embed" for k in query)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_generated_links_never_raise_nor_echo_markup(chunk):
    catalog = load_catalog()
    rng = random.Random(1000 + chunk)
    for _ in range(CASES // CHUNKS):
        query = random_query(rng)
        at = app(query)
        assert not at.exception, (query, at.exception)
        shown = texts(at)
        assert not any(m in shown for m in MARKUP), query
        assert metrics(at)["USD per 1M output tokens"].startswith("$"), query
        notice = any("ignored" in str(w.value) for w in at.warning)
        if parser_rejects(query, catalog):
            assert notice, query
