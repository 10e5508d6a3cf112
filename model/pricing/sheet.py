"""The price sheet: one row per tier, each with its service level, its cost and its price
(docs/formulas.md F170-F179).

Every cost reuses `roofline.decode_step` / `roofline.prefill`, `metrics` and `slo.slo_batch` on the
scenario's deployment with its chip-hour cost replaced by the served chip-hour cost of the cost
basis at the tier's utilisation (`cost_basis`); every price is that cost at the target margin.

Tiers (a speed target is tokens/s per user = 1 / TPOT; TTFT is one prefill of the prompt alone):
- standard: the batch the standard speed target allows (F77), or the scenario's batch without one;
  at utilisation util x the diurnal utilisation (F175).
- fast: the batch the fast target allows; same utilisation.
- off_peak (only with a diurnal curve, peak_hours < 24): the standard tier's batch sold in off-peak
  hours, at utilisation 1 (capacity the peak already pays for).
- batch: no speed target (the largest batch that fits), at utilisation 1: it fills hours the fleet
  pays for anyway, up to the diurnal idle share.
- long_context: above a boundary (the suggested one, F40, unless given): the log-uniform mean cost
  above it (F39) at the standard batch, or the largest that fits where it does not.
- cache_read, cache_write, cache_storage: prefix-cache reads (the marginal prefill cost of cached
  tokens, F176), writes (prefill plus storage for the time-to-live, F177), and storage per 1M tokens
  per hour: in HBM, the share of the replica's KV space they take from the batch (F178); in host
  DRAM, the memory's own cost, with the copy to HBM added to every read (F183).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from model.base.units import PER_MILLION
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import decode_step, prefill
from model.pricing import context_tiers, traffic
from model.pricing.cost_basis import (
    HOURS_PER_YEAR,
    CostBasis,
    Diurnal,
    break_even_utilisation,
    capital_recovery_factor,
    ownership_basis,
    price_at_margin,
    rental_basis,
    served_chip_hour_usd,
)
from model.pricing.sheet_inputs import SheetInputs
from model.pricing.slo import slo_batch

TIERS = ("standard", "fast", "off_peak", "batch", "long_context", "cache_read", "cache_write", "cache_storage")
NAN = math.nan
HOST_CAPITAL = (0.10, 5.0)  # host DRAM recovered as presets/ownership.csv recovers capex: 10% (CoreWeave 10-Q), 5 years


@dataclass(frozen=True)
class TierRow:
    """One tier of the sheet: service level, costs and prices (USD per 1M tokens), margin."""

    tier: str
    slo: str  # the service level in absolute terms
    batch: int  # sequences per decode step the tier runs (0: the target cannot be met)
    utilisation: float
    ttft_ms: float
    tpot_ms: float
    cost_usd_per_m_input: float = NAN
    cost_usd_per_m_cached_input: float = NAN
    cost_usd_per_m_output: float = NAN
    cost_usd_per_m_token_hour: float = NAN  # cache storage only
    margin: float = NAN
    break_even_util: float = NAN
    usd_per_m_input: float = NAN
    usd_per_m_cached_input: float = NAN
    usd_per_m_output: float = NAN
    usd_per_m_token_hour: float = NAN
    status: str = "ok"

    @property
    def tokens_per_s_per_user(self) -> float:
        return 1e3 / self.tpot_ms if self.tpot_ms > 0 else NAN

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "tokens_per_s_per_user": self.tokens_per_s_per_user}


SHEET_COLUMNS = ("tier", "slo", "batch", "utilisation", "ttft_ms", "tpot_ms", "tokens_per_s_per_user",
                 "usd_per_m_input", "usd_per_m_cached_input", "usd_per_m_output", "usd_per_m_token_hour",
                 "cost_usd_per_m_input", "cost_usd_per_m_cached_input", "cost_usd_per_m_output",
                 "cost_usd_per_m_token_hour", "margin", "break_even_util", "status")


@dataclass(frozen=True)
class Workload:
    """What the sheet is evaluated at: prompt and context tokens (the scenario's), the scenario batch."""

    prompt: int
    ctx: int
    batch: int


@dataclass(frozen=True)
class PriceSheet:
    rows: list[TierRow]
    basis: CostBasis
    utilisation: float  # of the tiers with a speed target (util x diurnal)
    idle_share: float  # diurnal idle share the batch tier can fill
    boundary_tokens: float  # long-context boundary used (nan if none)
    long_multiplier: float  # mean output cost above the boundary / below it (F39)
    cache_gb_per_m_tokens: float  # HBM 1M cached tokens take on the replica
    cache_share_of_kv: float  # of the replica's free HBM (KV space); 0 in host DRAM
    cache_tier: str = "hbm"

    def row(self, tier: str) -> TierRow | None:
        return next((r for r in self.rows if r.tier == tier), None)


def cost_basis_for(dep: Deployment, inputs: SheetInputs, ownership) -> CostBasis:
    """Rent: the deployment's chip-hour price; own: F170 from `ownership` (an Ownership row)."""
    if inputs.basis == "own":
        return ownership_basis(ownership)
    return rental_basis(dep.usd_per_chip_hour)


def at_chip_hour(dep: Deployment, usd_per_chip_hour: float) -> Deployment:
    """The deployment with its chip-hour cost replaced (every metrics cost is linear in it)."""
    return dataclasses.replace(dep, usd_per_chip_hour=usd_per_chip_hour)


def _speed_row(tier, slo, dep, wl: Workload, batch, util, basis, inputs, extra_status="") -> TierRow:
    """Costs and prices of a decode/prefill tier at `batch`, at utilisation `util`."""
    ttft_s = float(prefill(dep, wl.prompt, batch=1).time_s)
    if batch < 1:
        return TierRow(tier, slo, 0, util, ttft_s * 1e3, NAN,
                       status=extra_status or "impossible: no batch meets the target (faster than batch 1 at this context)")
    served = at_chip_hour(dep, served_chip_hour_usd(basis, util))
    step_s = float(decode_step(served, batch, wl.ctx).time_s)
    out = float(metrics.cost_per_m_output_usd(served, step_s, batch))
    inp = float(metrics.cost_per_m_input_usd(served, prefill(served, wl.prompt, batch=batch).time_s, batch, wl.prompt))
    cached = cached_read_cost(served, wl.prompt, batch, inputs.hit)
    if inputs.cache_tier == "host":
        cached += host_load_cost(served, wl.ctx, inputs.host_gbps)
    status = extra_status or "ok"
    if inputs.std_ttft_ms > 0 and tier in ("standard", "fast") and ttft_s * 1e3 > inputs.std_ttft_ms:
        status = f"TTFT {ttft_s * 1e3:,.0f} ms is over the {inputs.std_ttft_ms:,.0f} ms target"
    tpot_ms = step_s * 1e3 / metrics.tokens_per_step(dep)  # with speculative decoding a step yields more tokens
    return _priced(TierRow(tier, slo, int(batch), util, ttft_s * 1e3, tpot_ms, inp, cached, out, status=status),
                   basis, util, inputs.margin)


def _priced(row: TierRow, basis: CostBasis, util: float, margin: float) -> TierRow:
    """F172 on every cost of the row; F174 break-even utilisation."""
    return dataclasses.replace(
        row, margin=margin, break_even_util=break_even_utilisation(basis, util, margin),
        usd_per_m_input=price_at_margin(row.cost_usd_per_m_input, margin),
        usd_per_m_cached_input=price_at_margin(row.cost_usd_per_m_cached_input, margin),
        usd_per_m_output=price_at_margin(row.cost_usd_per_m_output, margin),
        usd_per_m_token_hour=price_at_margin(row.cost_usd_per_m_token_hour, margin))


def cached_read_tokens(prompt: int, hit: float) -> int:
    """p = round(hit · P), between 1 and P − 1 (the prefill always has a new token)."""
    return int(min(max(round(hit * prompt), 1), max(prompt - 1, 1)))


def cached_read_cost(dep: Deployment, prompt: int, batch: int, hit: float) -> float:
    """F176: USD per 1M cached prompt tokens read from an HBM prefix cache: the prefill of the
    P − p new tokens after p cached, minus the same prefill with nothing cached, per cached token."""
    if prompt < 2:
        return NAN
    p = cached_read_tokens(prompt, hit)
    new = prompt - p
    extra_s = float(prefill(dep, new, batch, p).time_s) - float(prefill(dep, new, batch, 0).time_s)
    return PER_MILLION * metrics.replica_usd_per_s(dep) * max(extra_s, 0.0) / (batch * p)


def host_load_cost(dep: Deployment, ctx: int, host_gbps: float) -> float:
    """F183: USD per 1M cached tokens to copy their KV cache from host DRAM to HBM on a hit, at
    `host_gbps` GB/s per chip on every chip of the replica, the replica waiting (no overlap)."""
    stored, _ = cache_storage(dep, ctx)
    return metrics.replica_usd_per_s(dep) * stored / (dep.chips * host_gbps * 1e9)


def host_storage_usd_per_hour(stored_bytes: float, dram_usd_per_gb: float, capital_rate: float, years: float,
                              utilisation: float) -> float:
    """F183: USD per hour of holding `stored_bytes` in host DRAM bought at `dram_usd_per_gb`, recovered
    over `years` at `capital_rate` (F170's annuity), spread over the served hours."""
    return stored_bytes / 1e9 * dram_usd_per_gb * capital_recovery_factor(capital_rate, years) / HOURS_PER_YEAR / utilisation


def cache_storage(dep: Deployment, ctx: int) -> tuple[float, float]:
    """F178: (HBM bytes 1M cached tokens take on the replica, their share of its free HBM: the
    share of the replica, and of its batch, they hold for as long as they are kept). KV per token
    as the chips store it (TP copies included), at context `ctx` (sliding windows applied)."""
    length = max(int(ctx), 1)
    per_token = float(metrics.kv_bytes_per_sequence(dep, length)) / length * dep.kv_replication
    free = max(metrics.free_hbm_bytes_per_chip(dep), 0.0) * dep.chips
    stored = PER_MILLION * per_token
    share = stored / free if free > 0 else math.inf
    return stored, share


def _cache_rows(dep, wl: Workload, std: TierRow, basis, util, inputs, ownership) -> tuple[list[TierRow], float, float]:
    stored, share = cache_storage(dep, wl.ctx)
    gb = stored / 1e9
    if inputs.cache_tier == "host":
        rate, years = (ownership.capital_rate, ownership.depreciation_years) if ownership is not None else HOST_CAPITAL
        store = host_storage_usd_per_hour(stored, inputs.dram_usd_per_gb, rate, years, util)
        where, share, status = (f"host DRAM: {gb:,.1f} GB per 1M tokens, none of the replica's HBM; a hit copies it in at "
                                f"{inputs.host_gbps:g} GB/s per chip"), 0.0, "ok"
    else:
        store = share * served_chip_hour_usd(basis, util) * dep.chips  # USD per 1M tokens per hour
        where = f"HBM: {gb:,.1f} GB per 1M tokens = {share:.1%} of the replica's KV space"
        status = "ok" if share < 1 else "1M tokens do not fit in this replica's free HBM"
    read = TierRow("cache_read", f"prefix-cache hit share {inputs.hit:.0%} of a {wl.prompt:,}-token prompt, in "
                   f"{'host DRAM' if inputs.cache_tier == 'host' else 'HBM'}",
                   std.batch, util, NAN, NAN, cost_usd_per_m_cached_input=std.cost_usd_per_m_cached_input, status=std.status)
    write_cost = std.cost_usd_per_m_input + store * inputs.ttl_min / 60.0
    write = TierRow("cache_write", f"prefill, then storage for {inputs.ttl_min:g} min", std.batch, util, NAN, NAN,
                    cost_usd_per_m_input=write_cost, status=std.status)
    hold = TierRow("cache_storage", where, 0, util, NAN, NAN, cost_usd_per_m_token_hour=store, status=status)
    return [_priced(r, basis, util, inputs.margin) for r in (read, write, hold)], gb, share


def _long_row(dep, wl: Workload, basis, util, inputs, defaults: dict) -> tuple[TierRow | None, float, float]:
    """F179: the long-context tier priced from traffic (F157–F158): each context's cost at the batch the
    standard speed target allows there (F77; the batch that fits without a target), the upper tier
    charging the traffic-weighted mean cost of the requests above the boundary."""
    served = at_chip_hour(dep, served_chip_hour_usd(basis, util))
    target = 1.0 / inputs.std_tps if inputs.std_tps > 0 else None
    sweep = context_tiers.context_sweep(served, 1, target_tpot_s=target)
    load = traffic.lognormal(sweep.ctx_tokens, defaults["traffic_median_tokens"], defaults["traffic_sigma"])
    inp, out = sweep.tier_input, sweep.tier_output
    boundary = float(inputs.long_ctx) if inputs.long_ctx > 0 else traffic.suggested_boundary(load, inp, out)
    if not math.isfinite(boundary):
        return None, boundary, NAN
    prices = traffic.tier_prices(load, inp, out, boundary)
    (_, hi_in), (_, hi_out) = prices.input_usd, prices.output_usd
    if not (math.isfinite(hi_out) and math.isfinite(hi_in)):
        return None, boundary, NAN
    at = max(int(boundary), 1)
    b = max(slo_batch(dep, at, target), 1)
    tpot_ms = float(decode_step(dep, b, at).time_s) * 1e3 / metrics.tokens_per_step(dep)
    row = TierRow("long_context", f"context above {boundary:,.0f} tokens (traffic-weighted, up to "
                  f"{sweep.ctx_tokens[-1]:,.0f})", b, util, float(prefill(dep, at, batch=1).time_s) * 1e3, tpot_ms,
                  cost_usd_per_m_input=hi_in, cost_usd_per_m_output=hi_out)
    return _priced(row, basis, util, inputs.margin), boundary, prices.output_mult


def standard_tier(dep: Deployment, wl: Workload, inputs: SheetInputs, basis: CostBasis, util: float) -> TierRow:
    """The standard tier: the batch the standard speed target allows (F77), or the scenario's batch."""
    if inputs.std_tps > 0:
        std_batch = slo_batch(dep, wl.ctx, 1.0 / inputs.std_tps)
        std_slo = f"≥ {inputs.std_tps:g} tokens/s per user (TPOT ≤ {1e3 / inputs.std_tps:.4g} ms) at {wl.ctx:,} tokens"
    else:
        fits = int(min(float(metrics.max_batch(dep, wl.ctx)), wl.batch))
        std_batch = wl.batch if fits >= wl.batch else 0
        std_slo = f"the scenario's batch {wl.batch:,} at {wl.ctx:,} tokens"
    if inputs.std_ttft_ms > 0:
        std_slo += f", TTFT ≤ {inputs.std_ttft_ms:g} ms"
    why = ("impossible: no batch meets the target (faster than batch 1 at this context, or nothing fits)"
           if inputs.std_tps > 0 else "impossible: the scenario's batch does not fit in HBM at this context")
    return _speed_row("standard", std_slo, dep, wl, std_batch, util, basis, inputs, "" if std_batch else why)


def sheet_utilisation(inputs: SheetInputs) -> tuple[float, Diurnal]:
    """util x the diurnal utilisation (F175) for the tiers with a speed target, and the curve."""
    diurnal = Diurnal(inputs.peak_hours, inputs.offpeak_demand)
    util = inputs.util * diurnal.utilisation
    if not util > 0:
        raise ValueError("offpeak_demand: with peak_hours 0 it must be above 0 (the fleet would never serve)")
    return util, diurnal


def price_sheet(dep: Deployment, wl: Workload, inputs: SheetInputs, ownership=None,
                traffic_defaults: dict | None = None) -> PriceSheet:
    """Every tier of the sheet for one deployment and workload (see module docstring); the long-context
    tier's traffic from `traffic_defaults` (default: the shipped presets/long_context.csv)."""
    basis = cost_basis_for(dep, inputs, ownership)
    util, diurnal = sheet_utilisation(inputs)
    rows = [standard_tier(dep, wl, inputs, basis, util)]
    std_batch = rows[0].batch
    if inputs.fast_tps > 0:
        fast_batch = slo_batch(dep, wl.ctx, 1.0 / inputs.fast_tps)
        rows.append(_speed_row("fast", f"≥ {inputs.fast_tps:g} tokens/s per user (TPOT ≤ {1e3 / inputs.fast_tps:.4g} ms)",
                               dep, wl, fast_batch, util, basis, inputs))
    if inputs.peak_hours < 24 and std_batch > 0:
        rows.append(_speed_row("off_peak", f"the standard service level in the {24 - inputs.peak_hours:g} off-peak hours; "
                               "at full utilisation (idle capacity)", dep, wl, std_batch, 1.0, basis, inputs))
    rows.append(_speed_row("batch", f"no speed target, hours of latency; at full utilisation (idle share of the day {diurnal.idle_share:.0%})",
                           dep, wl, slo_batch(dep, wl.ctx, None), 1.0, basis, inputs))
    defaults = traffic.tier_defaults() if traffic_defaults is None else traffic_defaults
    long_row, boundary, multiplier = _long_row(dep, wl, basis, util, inputs, defaults)
    if long_row is not None:
        rows.append(long_row)
    cache, gb, share = _cache_rows(dep, wl, rows[0], basis, util, inputs, ownership)
    return PriceSheet(rows + cache, basis, util, diurnal.idle_share, boundary, multiplier, gb, share, inputs.cache_tier)


def sheet_table(sheet: PriceSheet) -> list[dict]:
    """The sheet's rows as dicts with SHEET_COLUMNS keys (the CLI's and the page's table)."""
    return [{c: r.as_dict()[c] for c in SHEET_COLUMNS} for r in sheet.rows]
