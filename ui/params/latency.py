"""Page-local URL parameters of "Latency floor & fast tiers" (see ui/params/__init__.py)."""

from model.base.fields import Field
from ui.widgets import UrlParam

FIELDS = {
    "lt_fast": UrlParam(Field("lt_fast", float, 1.0, 1000.0, unit="x faster per user"), 1.5,
                         "Fast tier: times faster per user",
                         "target tokens/s per user as a multiple of today's (TPOT now / x)"),
    "lt_economy": UrlParam(Field("lt_economy", float, 1.0, 1000.0, unit="x slower per user"), 2.0,
                            "Economy tier: times slower per user",
                            "allowed tokens/s per user as a fraction of today's (TPOT now x this)"),
}
