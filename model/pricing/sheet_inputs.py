"""The price sheet's inputs: target margin, utilisation, cost basis, tier targets, workload mix.

One table of `Field`s (`SHEET_FIELDS`) names every input the way the CLI takes it
(`python -m model sheet margin=0.6 util=0.8 ...`); the dashboard's price-sheet page uses the same
fields under the page prefix `ps_` (README "Scenario keys"). Each default keeps today's meaning
(price = cost at full utilisation on the rental price) or carries its source.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from model.base.fields import Field, FieldError
from model.base.limits import MAX_TOKENS
from model.catalog.ownership import OWNERSHIP_FIELDS, Ownership

BASES = ("rent", "own")
CACHE_TIERS = ("hbm", "host")
# Ownership overrides: sheet key -> Ownership attribute (the presets/ownership.csv column)
OWNERSHIP_KEYS = {"capex": "capex_usd_per_chip", "server": "server_network_usd_per_chip", "years": "depreciation_years",
                  "capital_rate": "capital_rate", "power_w": "power_w", "pue": "pue", "kwh_usd": "usd_per_kwh", "opex_kw_month": "opex_usd_per_kw_month"}


def _own(key: str, doc: str) -> Field:
    spec = OWNERSHIP_FIELDS[OWNERSHIP_KEYS[key]]
    return Field(key, float, spec.lo, spec.hi, unit=spec.unit, doc=doc)


SHEET_FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("margin", float, 0, 0.99, unit="fraction of price", doc="target gross margin: (price − cost) / price"),
    Field("util", float, 0.01, 1, unit="fraction of paid hours", doc="fleet utilisation: share of paid chip-hours that serve traffic"),
    Field("basis", str, choices=BASES, doc="chip-hour cost from the rental price (rent) or from ownership (own)"),
    Field("std_tps", float, 0, 100_000, unit="tokens/s per user", doc="standard tier speed target; 0 = the scenario's batch"),
    Field("std_ttft_ms", float, 0, 3_600_000, unit="ms", doc="standard tier TTFT target; 0 = none"),
    Field("fast_tps", float, 0, 100_000, unit="tokens/s per user", doc="fast tier speed target; 0 = no fast tier"),
    Field("peak_hours", float, 0, 24, unit="hours per day", doc="diurnal demand: hours a day at peak demand (24 = flat)"),
    Field("offpeak_demand", float, 0, 1, unit="fraction of peak", doc="diurnal demand off-peak, as a fraction of the peak"),
    Field("hit", float, 0, 0.99, unit="fraction of prompt", doc="prefix-cache hit share of prompt tokens"),
    Field("ttl_min", float, 0, 10_080, unit="minutes", doc="cache time-to-live a cache write pays storage for"),
    Field("cache_tier", str, choices=CACHE_TIERS, doc="where the prefix cache is held: HBM, or host DRAM copied in on a hit"),
    Field("dram_usd_per_gb", float, 0, 1000, unit="USD per GB", doc="host DRAM price (cache_tier=host)"),
    Field("host_gbps", float, 1, 1000, unit="GB/s per chip", doc="host-to-HBM bandwidth per chip (cache_tier=host)"),
    Field("long_ctx", int, 0, MAX_TOKENS, unit="tokens", doc="long-context tier boundary; 0 = the suggested boundary"),
    _own("capex", "ownership: capex per chip"),
    _own("server", "ownership: server and network share per chip"),
    _own("years", "ownership: depreciation years"),
    _own("capital_rate", "ownership: cost of capital per year (0 = straight-line depreciation)"),
    _own("power_w", "ownership: power per chip at load"),
    _own("pue", "ownership: data-centre PUE"),
    _own("kwh_usd", "ownership: electricity price"),
    _own("opex_kw_month", "ownership: other opex per kW of chip power per month"),
)}


@dataclass(frozen=True)
class SheetInputs:
    """Every price-sheet input; None for an ownership override means the hardware's preset row."""

    margin: float = 0.0  # today's meaning: price = cost
    util: float = 1.0  # today's meaning: every paid hour serves
    basis: str = "rent"  # today's meaning: the hardware preset's rental price
    std_tps: float = 0.0  # 0: the scenario's batch, as every other page
    std_ttft_ms: float = 0.0
    fast_tps: float = 100.0  # Fireworks' Fast tier aims at 100+ tokens/s per user (docs.fireworks.ai, official, via presets/api_prices.csv)
    peak_hours: float = 24.0  # flat demand
    offpeak_demand: float = 1.0
    hit: float = 0.563  # DeepSeek: 56.3% of input tokens hit the prefix cache (open-infra-index day 6, 2025-03-01)
    ttl_min: float = 5.0  # Anthropic's default cache lifetime, the 5-minute write (presets/api_prices.csv)
    cache_tier: str = "hbm"
    dram_usd_per_gb: float = 2.66  # TrendForce: 32 GB DDR5 server RDIMM at USD 80-90 (Q2 2023, via meterpreter.org): 85 / 32
    host_gbps: float = 64.0  # PCIe 5.0 x16, one direction, nominal (as the caching page's ca_host_gbps)
    long_ctx: int = 0
    capex: float | None = None
    server: float | None = None
    years: float | None = None
    capital_rate: float | None = None
    power_w: float | None = None
    pue: float | None = None
    kwh_usd: float | None = None
    opex_kw_month: float | None = None

    def ownership(self, preset: Ownership | None, hardware_id: str) -> Ownership:
        """The preset row with this sheet's overrides; FieldError naming the first missing number
        when the hardware has no row and the overrides do not give every number."""
        values = {attr: getattr(self, key) for key, attr in OWNERSHIP_KEYS.items()}
        if preset is not None:
            values = {attr: getattr(preset, attr) if value is None else value for attr, value in values.items()}
        for key, attr in OWNERSHIP_KEYS.items():
            if values[attr] is None:
                raise SHEET_FIELDS[key].missing(f"no ownership defaults for hardware '{hardware_id}' in presets/ownership.csv")
        extra = {} if preset is None else {"sources": preset.sources, "date_seen": preset.date_seen, "trust": preset.trust}
        return Ownership(hardware_id=hardware_id, **values, **extra)


DEFAULT_INPUTS = SheetInputs()


def parse_sheet_inputs(raw: Mapping[str, object], prefix: str = "") -> tuple[SheetInputs, list[FieldError]]:
    """Sheet inputs from `raw` (keys `prefix` + field name); bad values are reported and fall back
    to their defaults. Keys that are not sheet keys are ignored."""
    values, errors = {}, []
    for key, spec in SHEET_FIELDS.items():
        item = raw.get(prefix + key)
        if isinstance(item, (list, tuple)):
            item = item[-1] if item else ""
        if item is None or (isinstance(item, str) and not item.strip()):
            continue
        try:
            values[key] = spec.parse(item)
        except FieldError as exc:
            errors.append(FieldError(prefix + key, exc.kind, exc.message) if prefix else exc)
    if values.get("peak_hours", DEFAULT_INPUTS.peak_hours) == 0 and values.get("offpeak_demand") == 0:
        values.pop("offpeak_demand")  # no demand at any hour: the fleet would never serve
        errors.append(FieldError(prefix + "offpeak_demand", "cross_field",
                                 f"must be above 0 when {prefix}peak_hours is 0 (no demand at any hour); got '0'"))
    return dataclasses.replace(DEFAULT_INPUTS, **values), errors
