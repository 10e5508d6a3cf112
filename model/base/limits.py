"""Scenario-wide limits: the largest batch, token counts and chip count any model call accepts.

The same bounds as the scenario keys (`batch`, `prompt`/`ctx`, `out`, `chips` in
`model/schema/scenario.py`), so a value a link or CSV row may carry is never refused deeper down.
A module with a genuinely different bound (e.g. the serving simulator's) names its own constant.
"""

MAX_BATCH = 65536  # sequences: scenario key `batch`
MAX_TOKENS = 10_000_000  # tokens: scenario keys `prompt` and `ctx`
MAX_OUTPUT_TOKENS = 1_000_000  # tokens: scenario key `out`
MAX_CHIPS = 1024  # chips per replica: scenario key `chips`
