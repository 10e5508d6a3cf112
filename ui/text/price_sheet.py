"""Sentences of the "Price sheet" page (pages/price_sheet.py), each computed from the numbers."""

from __future__ import annotations

import math

from model.pricing.frontier import FrontierCurve
from model.pricing.market import MarketRow
from model.pricing.sheet import PriceSheet
from ui import format as fmt

INTRO = ("**Cost** is what serving costs the provider; **price** is what a tier charges. Every cost below comes from the "
         "roofline of this scenario at a chip-hour cost (rented, or owned: depreciation, opex and electricity) divided by "
         "the fleet's utilisation; every price is that cost at the target gross margin, price = cost / (1 − margin). "
         "Each tier states its service level in absolute terms (tokens/s per user = 1 / TPOT; TTFT = one prefill of the "
         "prompt alone, no queueing).")


def frontier_caption(curves: list[FrontierCurve]) -> str:
    if not curves:
        return "No variant of this scenario fits in HBM, so there is no frontier to draw."
    best = max(curves, key=lambda c: float(c.tokens_per_s_per_chip.max()))
    fastest = max(curves, key=lambda c: float(c.tokens_per_s_per_user.max()))
    return (f"Each line is one deployment: moving left along it is a larger batch (more tokens per chip, slower per user). "
            f"The most tokens per chip: {best.label}, {best.tokens_per_s_per_chip.max():,.0f} tokens/s per chip at its largest "
            f"batch that fits; the fastest per user: {fastest.label}, {fastest.tokens_per_s_per_user.max():,.0f} tokens/s at "
            "batch 1. A tier's speed target is a vertical line: the curve above it is the throughput, and so the cost, it allows.")


def below_cost_warning(rows: list[MarketRow]) -> str | None:
    below = [r for r in rows if r.below_cost]
    if not below:
        return None
    names = "; ".join(f"{r.provider} {r.model} (${r.usd_per_m_output:.3g} vs cost ${r.cost_usd_per_m_output:.3g}: "
                      f"{r.what_would_change})" for r in below[:4])
    return (f"{fmt.plural(len(below), 'published price')} for this model {'is' if len(below) == 1 else 'are'} below the "
            f"model's standard-tier output cost: {names}. The implied margin is negative there.")


def cards(sheet: PriceSheet) -> dict[str, tuple[str, str]]:
    """Card label -> (value, one-line reason)."""
    std, fast, batch = sheet.row("standard"), sheet.row("fast"), sheet.row("batch")
    out = {}
    if std is not None and std.batch > 0:
        out["Standard: price per 1M output"] = (fmt.usd(std.usd_per_m_output),
                                                f"cost {fmt.usd(std.cost_usd_per_m_output)} at batch {std.batch:,}, "
                                                f"{fmt.token_rate(std.tokens_per_s_per_user)} per user")
        out["Standard: price per 1M input"] = (fmt.usd(std.usd_per_m_input), f"cost {fmt.usd(std.cost_usd_per_m_input)}; "
                                               f"cached {fmt.usd(std.usd_per_m_cached_input)}")
    if fast is not None and fast.batch > 0 and std is not None and std.batch > 0:
        out["Fast / standard (output)"] = (fmt.ratio(fast.usd_per_m_output / std.usd_per_m_output),
                                           f"batch {fast.batch:,} instead of {std.batch:,}")
    if batch is not None and batch.batch > 0 and std is not None and std.batch > 0:
        out["Batch / standard (output)"] = (fmt.ratio(batch.usd_per_m_output / std.usd_per_m_output),
                                            f"batch {batch.batch:,} at full utilisation")
    b = sheet.basis
    be = std.break_even_util if std is not None else math.nan
    out["Chip-hour cost"] = (fmt.usd(b.usd_per_chip_hour), f"{'rented' if b.name == 'rent' else 'owned'}; break-even "
                             f"utilisation {be:.0%} at these prices" if math.isfinite(be) else "")
    return out
