"""Page-local URL parameters of "Long context" (see ui/params/__init__.py).

`lc_boundary` is the tier boundary the user moved the control to; absent, the page uses the
scenario's suggested boundary. It restarts there whenever the scenario changes (ui/links.py), and
a boundary outside the contexts the scenario's replica serves falls back to the suggestion.
`lc_median` and `lc_sigma` shape the log-normal traffic (defaults from presets/long_context.csv);
`lc_tier` picks the published tier the "tier a price implies" panel inverts.
"""

from model.base.fields import Field
from model.pricing.traffic import tier_defaults
from model.schema.scenario import SCENARIO_FIELDS
from ui.widgets import UrlParam

DEFAULTS = tier_defaults()
BOUNDARY = UrlParam(Field("lc_boundary", int, 1, SCENARIO_FIELDS["ctx"].hi, unit="tokens"),
                    None, "Tier boundary (tokens of context)",
                    "where the long-context price tier starts; absent = the suggested boundary")
MEDIAN = UrlParam(Field("lc_median", int, 1, 1_000_000, unit="tokens"), int(DEFAULTS["traffic_median_tokens"]),
                  "Traffic: median prompt (tokens)",
                  "median of the log-normal prompt lengths (default: mean = DeepSeek's 4,989-token average KV length)")
SIGMA = UrlParam(Field("lc_sigma", float, 0.1, 4.0), DEFAULTS["traffic_sigma"], "Traffic: spread sigma of ln(prompt)",
                 "standard deviation of ln(prompt length); larger = a longer tail of long prompts (assumption)")
TIER = UrlParam(Field("lc_tier", int, 0, 99), 0, "Published tier to invert",
                "row of the published long-context tiers the 'tier a price implies' panel starts from")

IMPLIED = UrlParam(Field("lc_implied", bool), False, "Find the tier a price implies",
                   "invert the chosen published tier on this deployment (a few seconds)")

FIELDS = {p.field.name: p for p in (BOUNDARY, MEDIAN, SIGMA, TIER, IMPLIED)}
