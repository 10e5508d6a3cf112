"""Page-local URL parameters of "Price sheet" (see ui/params/__init__.py).

Each is a sheet input of `model.pricing.sheet_inputs.SHEET_FIELDS` under the prefix `ps_`
(`ps_margin` is the CLI's `margin`), with the same range and default. The ownership overrides
default to empty: the hardware's row of presets/ownership.csv.
"""

import dataclasses

from model.pricing.sheet_inputs import DEFAULT_INPUTS, SHEET_FIELDS
from ui.widgets import UrlParam

PREFIX = "ps_"
LABELS = {
    "margin": "Target gross margin (fraction of price)",
    "util": "Fleet utilisation (share of paid hours that serve)",
    "basis": "Chip-hour cost from",
    "std_tps": "Standard tier: tokens/s per user (0 = scenario batch)",
    "std_ttft_ms": "Standard tier: TTFT target, ms (0 = none)",
    "fast_tps": "Fast tier: tokens/s per user (0 = no fast tier)",
    "peak_hours": "Diurnal demand: peak hours per day (24 = flat)",
    "offpeak_demand": "Off-peak demand (fraction of peak)",
    "hit": "Prefix-cache hit share of prompt tokens",
    "ttl_min": "Cache time-to-live, minutes",
    "cache_tier": "Prefix cache held in",
    "dram_usd_per_gb": "Host DRAM, USD per GB",
    "host_gbps": "Host-to-HBM bandwidth, GB/s per chip",
    "long_ctx": "Long-context boundary, tokens (0 = suggested)",
    "capex": "Capex per chip, USD",
    "server": "Server and network share per chip, USD",
    "years": "Depreciation, years",
    "capital_rate": "Cost of capital, fraction per year",
    "power_w": "Power per chip at load, W",
    "pue": "PUE",
    "kwh_usd": "Electricity, USD per kWh",
    "opex_kw_month": "Other opex, USD per kW per month",
}
FIELDS = {PREFIX + key: UrlParam(dataclasses.replace(spec, name=PREFIX + key), getattr(DEFAULT_INPUTS, key), LABELS[key],
                                 spec.doc)
          for key, spec in SHEET_FIELDS.items()}
SHEET_KEYS = tuple(SHEET_FIELDS)
