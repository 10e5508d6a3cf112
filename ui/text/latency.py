"""Sentences of the "Latency floor & fast tiers" page (pages/latency.py; the floor also on the Overview)."""

from __future__ import annotations

from model import Deployment
from model.pricing.speed_tiers import SpeedTier
from ui import format as fmt


def floor_weights_phrase(dep: Deployment) -> str:
    """Which weights the floor counts: those a batch-1 decode step reads, named as what they are."""
    what = ("weights a batch-1 step touches (active experts)" if dep.model.is_moe
            else "weights a batch-1 step reads (the input embedding is a lookup)")
    if dep.attention_dp and dep.chips > 1:
        what += f", attention weights on each of the {dep.chips} chips"
    return what


def floor_sentence(dep: Deployment, floor_s: float) -> str:
    """What the weights-only latency floor is made of: bytes read / HBM bandwidth."""
    touched = floor_s * dep.hbm_bytes_per_s
    return (f"weights only: {fmt.bytes_(touched)} of {floor_weights_phrase(dep)} / "
            f"{fmt.bytes_(dep.hbm_bytes_per_s)}/s of HBM on {fmt.plural(dep.chips, 'chip')}")


def context_floor_sentence(dep: Deployment, ctx: int, floor_s: float, floor_ctx_s: float) -> str:
    """The floor at the scenario's context: the weights-only floor plus one sequence's KV cache."""
    kv = (floor_ctx_s - floor_s) * dep.hbm_bytes_per_s
    copies = ", copies on several chips included" if dep.kv_replication > 1 else ""
    return (f"the weights-only floor + one sequence's KV cache at ctx {ctx:,} ({fmt.bytes_(kv)}{copies}) / peak HBM "
            "bandwidth: no batch-1 step at this context is faster")


def tier_sentence(tier: SpeedTier, batch: int, floor_s: float, batch_one_s: float) -> tuple[str, bool]:
    """What a speed tier needs and costs, in one sentence; the flag is False when it is impossible."""
    fast = tier.speedup >= 1
    ask = f"{tier.speedup:.3g}x faster" if fast else f"{1 / tier.speedup:.3g}x slower"
    need = f"{ask} tokens per user means TPOT ≤ {fmt.duration(tier.target_tpot_s)}"
    if tier.status == "below_floor":
        return (f"Impossible: {need}, below the latency floor of {fmt.duration(floor_s)}. No batch, kernel or context gets "
                "there on this replica; only more chips (a lower floor) or fewer weight bytes would."), False
    if tier.status == "below_batch_one":
        return (f"Impossible here: {need}, above the floor ({fmt.duration(floor_s)}) but below batch 1's TPOT at this context "
                f"({fmt.duration(batch_one_s)}: KV reads, all-reduces and bandwidth efficiency add to the floor)."), False
    if tier.status == "no_fit":
        return "No tier: the weights (or one sequence) do not fit in HBM on this replica.", False
    change = (f"{fmt.ratio(tier.price_multiple)} the cost per output token" if tier.price_multiple >= 1
              else f"saves {fmt.fraction(1 - tier.price_multiple)} per output token")
    full = " (HBM is full: a larger batch would not fit)" if tier.status == "hbm_limited" else ""
    return (f"{need}: the largest batch that meets it is **{tier.batch:,}**{full} (TPOT {fmt.duration(tier.tpot_s)}), "
            f"{change}: {fmt.usd(tier.usd_per_m_output)} per 1M output tokens vs batch {batch}."), True


def chips_returns(chips, fastest_index: int, gain) -> str:
    """How little the last doubling of chips before the fastest count buys (`gain[i]` = step at chips[i] / chips[i+1])."""
    k = fastest_index
    return (f"doubling from {chips[k - 1]} to {chips[k]} chips speeds it up only {fmt.ratio(gain[k - 1])}"
            if k > 0 else "one chip is already the fastest")
