"""The price sheet in words: one paragraph per ratio, computed from the numbers and explained with
the roofline, and the Markdown export the page and the CLI share.

Prices are USD per 1M tokens; every sentence is built from the sheet, the deployment's decode and
prefill timings, and the published ratios (`market.published_ratio_summary`).
"""

from __future__ import annotations

import math

from model.base.text import significant
from model.core import metrics
from model.core.deployment import Deployment
from model.core.roofline import decode_step, prefill
from model.pricing.market import PublishedRatio, sheet_ratios
from model.pricing.sheet import SHEET_COLUMNS, PriceSheet, Workload
from model.pricing.sheet_inputs import SheetInputs


def _n(count: int, noun: str) -> str:
    """'1 token', '2,048 tokens'."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _x(value: float) -> str:
    return f"{significant(value)}x" if math.isfinite(value) else "n/a"


def _published(p: PublishedRatio | None) -> str:
    if p is None or p.rows == 0:
        return "no published row states it"
    return f"published median {_x(p.median)} (range {_x(p.low)}-{_x(p.high)}, {p.rows} rows of presets/api_prices.csv)"


def _holding(sheet: PriceSheet) -> str:
    if sheet.cache_tier == "host":
        return (f"; from host DRAM every hit also copies {sheet.cache_gb_per_m_tokens:,.1f} GB per 1M tokens into HBM, "
                "which the read price includes")
    return (f"; holding 1M tokens in HBM takes {sheet.cache_gb_per_m_tokens:,.1f} GB, {sheet.cache_share_of_kv:.1%} of this "
            "replica's KV space, which is what the storage row charges per hour")


def _bound(timing) -> str:
    return str(timing.bound().reshape(-1)[0])


def ratio_paragraphs(sheet: PriceSheet, dep: Deployment, wl: Workload, published: dict[str, PublishedRatio]) -> dict[str, str]:
    """One paragraph per ratio of `market.sheet_ratios`, keyed by ratio name (missing tiers say so)."""
    ratios = sheet_ratios(sheet)
    std, fast, batch = sheet.row("standard"), sheet.row("fast"), sheet.row("batch")
    out = {}
    if std is None or std.batch < 1:
        return {name: "The standard tier cannot be served here, so no ratio is defined." for name in ratios}
    step = decode_step(dep, std.batch, wl.ctx)
    pre = prefill(dep, wl.prompt, batch=std.batch)
    weights_gb = metrics.floor_weight_bytes(dep) / 1e9
    out["output/input"] = (
        f"Output costs {_x(ratios['output/input'])} input. A decode step at batch {std.batch:,} reads {weights_gb:,.1f} GB of "
        f"weights and {_n(std.batch, 'KV cache')} of {_n(wl.ctx, 'token')} to make {_n(std.batch, 'token')}, and is "
        f"{_bound(step)}-bound ({significant(std.tpot_ms)} ms); the prefill of the same {_n(std.batch, 'prompt')} makes "
        f"{_n(std.batch * wl.prompt, 'token')} per weight "
        f"read and is {_bound(pre)}-bound. Market: {_published(published.get('output/input'))}.")
    if fast is not None and fast.batch > 0:
        out["fast/standard"] = (
            f"The fast tier costs {_x(ratios['fast/standard'])} standard per output token: its TPOT target lets a step carry "
            f"{_n(fast.batch, 'sequence')} instead of {std.batch:,}, and a step's weight reads are shared by fewer users "
            f"({significant(fast.tpot_ms)} ms vs {significant(std.tpot_ms)} ms per step). Market: {_published(published.get('fast/standard'))}.")
    else:
        out["fast/standard"] = ("No fast tier: no target set, or no batch meets it (below the batch-1 TPOT at this context). "
                                f"Market: {_published(published.get('fast/standard'))}.")
    if batch is not None and batch.batch > 0:
        marginal = batch.cost_usd_per_m_output * sheet.basis.energy_usd_per_chip_hour / sheet.basis.usd_per_chip_hour
        out["batch/standard"] = (
            f"The batch tier costs {_x(ratios['batch/standard'])} standard: it runs the largest batch that fits "
            f"({batch.batch:,} vs {std.batch:,}) and is charged at full utilisation (standard at {sheet.utilisation:.0%}), "
            f"filling the {sheet.idle_share:.0%} of the day the fleet is idle. In hours the fleet pays for anyway its marginal "
            f"cost is only electricity: {_x(marginal / std.usd_per_m_output if std.usd_per_m_output else math.nan)} standard's "
            f"price ({'owned' if sheet.basis.name == 'own' else 'nothing when rented'}). "
            f"Market: {_published(published.get('batch/standard'))}.")
    long_row = sheet.row("long_context")
    if long_row is not None:
        out["long/standard"] = (
            f"Above {sheet.boundary_tokens:,.0f} tokens of context output costs {_x(ratios['long/standard'])} the standard "
            f"tier (the tier's mean cost is {_x(sheet.long_multiplier)} the mean below the boundary): every decode step "
            f"reads each sequence's whole KV cache, and fewer sequences fit in HBM. "
            f"Market: {_published(published.get('long/standard'))}.")
    else:
        out["long/standard"] = "No long-context tier: the boundary is outside the contexts this replica serves."
    out["cached/input"] = (
        f"A cached prompt token costs {_x(ratios['cached/input'])} an uncached one: it skips the weight matmuls and is only "
        f"attended to by the prompt's new tokens (and read once per prefill){_holding(sheet)}. "
        f"Market: {_published(published.get('cached/input'))}.")
    write, store = sheet.row("cache_write"), sheet.row("cache_storage")
    if write is not None and store is not None:
        out["cache_write/input"] = (
            f"A cache write costs {_x(ratios['cache_write/input'])} an uncached input token: its prefill plus storage in "
            f"{'host DRAM' if sheet.cache_tier == 'host' else 'HBM'} until it expires. Market: {_published(published.get('cache_write/input'))}.")
        why = (f"they keep {sheet.cache_share_of_kv:.1%} of this replica's KV space, and so of its batch, from serving; "
               "in host DRAM (cache_tier=host) they would cost only the memory, plus a copy to HBM on every hit"
               if sheet.cache_tier == "hbm" else "host DRAM costs only its purchase, recovered over its life")
        out["storage_hour/input"] = (
            f"Holding 1M tokens for an hour costs {_x(ratios['storage_hour/input'])} the price of 1M input tokens: {why}. "
            f"Market: {_published(published.get('storage_hour/input'))}.")
    return out


def sheet_assumptions(sheet: PriceSheet, dep: Deployment, inputs: SheetInputs) -> list[str]:
    """The numbers every row rests on, one line each."""
    b = sheet.basis
    basis = (f"rented at ${significant(b.usd_per_chip_hour)} per chip-hour" if b.name == "rent" else
             f"owned: ${significant(b.fixed_usd_per_chip_hour)} per chip-hour fixed (depreciation and opex) + "
             f"${significant(b.energy_usd_per_chip_hour)} electricity while serving")
    return [f"{dep.model.name} on {dep.chips} x {dep.hardware.name}; chips {basis}",
            f"utilisation of the tiers with a speed target {sheet.utilisation:.0%} (util {inputs.util:g} x diurnal "
            f"{sheet.utilisation / inputs.util:.0%}); the batch tier at 100%",
            f"target gross margin {inputs.margin:.0%}: price = cost / (1 - margin)"]


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value).replace("|", "/")


def markdown_table(rows: list[dict], columns=SHEET_COLUMNS) -> str:
    """A Markdown table of `rows` (dicts) with `columns`."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def markdown_sheet(title: str, rows: list[dict], paragraphs: dict[str, str], assumptions: list[str]) -> str:
    """The whole sheet as Markdown: title, assumptions, the table, one paragraph per ratio."""
    parts = [f"# {title}", "", *[f"- {a}" for a in assumptions], "", markdown_table(rows), "", "## Ratios", ""]
    parts += [f"**{name}.** {text}\n" for name, text in paragraphs.items()]
    return "\n".join(parts)
