"""What a chip-hour costs the provider, and how cost becomes a price (docs/formulas.md F170-F175).

Cost is what serving costs the provider; price is what a tier charges. A chip-hour's cost comes
from a rental price or from ownership (`ownership_basis`, F170), split into a fixed part (paid
whether or not the chip serves) and an energy part (paid only while it serves). With fleet
utilisation u (the share of paid hours that serve traffic) a served chip-hour costs
fixed / u + energy (F171). A tier priced at target gross margin m charges cost / (1 − m) (F172);
a published price P against a cost C has implied margin 1 − C/P (F173); the utilisation at which a
price only covers cost is the break-even utilisation (F174). A diurnal demand curve (peak hours at
full demand, the rest at a fraction of it) sets the utilisation of a fleet sized for the peak and
the idle share a batch tier can fill (F175).

Units: USD per chip-hour, fractions, hours per day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.base.fields import check_float
from model.catalog.ownership import Ownership

HOURS_PER_YEAR = 8760.0
HOURS_PER_MONTH = HOURS_PER_YEAR / 12
HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class CostBasis:
    """One chip-hour's cost, split into what is paid regardless of use and what only serving costs."""

    name: str  # "rent" or "own"
    fixed_usd_per_chip_hour: float  # rent; or depreciation + opex
    energy_usd_per_chip_hour: float = 0.0  # electricity at load, facility included (0 when renting)

    @property
    def usd_per_chip_hour(self) -> float:
        """At full utilisation."""
        return self.fixed_usd_per_chip_hour + self.energy_usd_per_chip_hour


def rental_basis(usd_per_chip_hour: float) -> CostBasis:
    """A rented chip: the whole hourly price is paid whether or not the chip serves."""
    return CostBasis("rent", check_float("price", usd_per_chip_hour, 0, 1e6, "USD per chip-hour", lo_open=True))


def capital_recovery_factor(rate: float, years: float) -> float:
    """The annual payment that repays 1 USD over `years` at `rate` per year: r / (1 − (1 + r)^−Y);
    1 / Y at rate 0 (straight-line depreciation)."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def ownership_basis(own: Ownership) -> CostBasis:
    """F170: (capex + server/network share) · CRF(rate, years) / 8760 h + opex per kW-month · kW / 730 h,
    fixed; kW · PUE · USD/kWh while serving."""
    kw = own.power_w / 1000.0
    capex = own.capex_usd_per_chip + own.server_network_usd_per_chip
    depreciation = capex * capital_recovery_factor(own.capital_rate, own.depreciation_years) / HOURS_PER_YEAR
    opex = own.opex_usd_per_kw_month * kw / HOURS_PER_MONTH
    return CostBasis("own", depreciation + opex, kw * own.pue * own.usd_per_kwh)


def served_chip_hour_usd(basis: CostBasis, utilisation: float) -> float:
    """F171: cost of one chip-hour that serves traffic when only `utilisation` of paid hours do."""
    u = check_float("util", utilisation, 0, 1, "fraction of paid hours", lo_open=True)
    return basis.fixed_usd_per_chip_hour / u + basis.energy_usd_per_chip_hour


def price_at_margin(cost, margin: float):
    """F172: the price whose gross margin (price − cost) / price is `margin`: cost / (1 − margin)."""
    m = check_float("margin", margin, 0, 0.99, "fraction of price")
    return cost / (1.0 - m)


def implied_margin(price: float, cost: float) -> float:
    """F173: 1 − cost / price (negative when the price is below cost; nan without a price)."""
    if not (price > 0 and math.isfinite(price)) or not math.isfinite(cost):
        return math.nan
    return 1.0 - cost / price


def break_even_utilisation(basis: CostBasis, utilisation: float, margin: float) -> float:
    """F174: the utilisation at which the price set at (`utilisation`, `margin`) equals cost.

    A token's cost is k·(fixed/u + energy) and its price k·(fixed/u₀ + energy)/(1 − m) for any k,
    so u_be = fixed / ((fixed/u₀ + energy)/(1 − m) − energy); renting gives u₀·(1 − m)."""
    served = served_chip_hour_usd(basis, utilisation)
    price = price_at_margin(served, margin)
    if basis.fixed_usd_per_chip_hour == 0:
        return 0.0
    return basis.fixed_usd_per_chip_hour / (price - basis.energy_usd_per_chip_hour)


def implied_chip_hour_usd(price: float, cost: float, usd_per_chip_hour: float, margin: float) -> float:
    """The chip-hour cost at which a published `price` earns `margin`, given that `cost` was
    computed at `usd_per_chip_hour` (costs are linear in it): c_h · P · (1 − m) / C."""
    if not (cost > 0 and price > 0 and math.isfinite(price)):
        return math.nan
    return usd_per_chip_hour * price * (1.0 - check_float("margin", margin, 0, 0.99)) / cost


@dataclass(frozen=True)
class Diurnal:
    """F175: demand at full peak for `peak_hours` a day, at `offpeak_demand` of it for the rest, on a
    fleet sized for the peak."""

    peak_hours: float
    offpeak_demand: float

    def __post_init__(self):
        check_float("peak_hours", self.peak_hours, 0, HOURS_PER_DAY, "hours per day")
        check_float("offpeak_demand", self.offpeak_demand, 0, 1, "fraction of peak demand")

    @property
    def utilisation(self) -> float:
        """Mean demand / peak: (h_peak + r·(24 − h_peak)) / 24."""
        return (self.peak_hours + self.offpeak_demand * (HOURS_PER_DAY - self.peak_hours)) / HOURS_PER_DAY

    @property
    def idle_share(self) -> float:
        """Share of the fleet's hours left idle by the tiers with a speed target: 1 − utilisation."""
        return 1.0 - self.utilisation
