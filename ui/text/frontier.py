"""Sentences for tokens per pass, the per-token floor, exposed communication, the parallel layout and
the memory fit (Overview and Latency pages), computed from the numbers themselves."""

from __future__ import annotations

from model import Deployment, Scenario
from model.core import metrics
from model.core.memory_fit import MemoryFit
from model.core.parallel import layout
from ui import format as fmt


def tokens_per_pass(s: Scenario, dep: Deployment, tokens_per_step: float) -> str:
    """What one decode pass yields: 1 token per sequence, or τ with speculative drafts."""
    if not dep.spec_tokens:
        return "one token per sequence per pass (no speculative decoding: `spec` = 0)"
    return (f"each pass verifies {1 + dep.spec_tokens} positions per sequence; with {dep.spec_accept:g} acceptance per "
            f"draft 1 + a + … + a^{dep.spec_tokens} = {tokens_per_step:.3g} are kept: "
            f"{fmt.count(s.batch * tokens_per_step)} tokens per step for the batch")


def token_floor(dep: Deployment, floor_s: float, token_floor_s: float) -> str:
    """The floor per token against the floor per pass."""
    if not dep.spec_tokens:
        return f"= the floor per pass ({fmt.duration(floor_s)}): one token per pass"
    return (f"the floor per pass stays {fmt.duration(floor_s)} (the weights are streamed every pass); per token it is "
            f"{fmt.ratio(floor_s / token_floor_s)} lower with speculation (the verification pass touches more experts "
            "and the drafts read their own weights)")


def exposed_comms(row: dict, step_s: float, overlap: bool) -> str:
    """Exposed communication of a decode step: all-to-all, all-reduce, hidden."""
    exposed, a2a, hidden = row["exposed_comms_s"], row["all_to_all_s"], row["hidden_comms_s"]
    if exposed + hidden == 0:
        return "one chip (or no collectives): nothing to communicate"
    parts = (f"{fmt.duration(a2a)} expert all-to-all + " if a2a > 0 else "") + f"{fmt.duration(exposed - a2a)} all-reduce exposed"
    if overlap:
        return f"{parts}, {fmt.duration(hidden)} hidden behind compute by overlap; {fmt.fraction(exposed / step_s)} of the step"
    return f"{parts} (overlap off: all of it); {fmt.fraction(exposed / step_s)} of the step"


def gb_per_s(bytes_per_s: float) -> str:
    return f"{fmt.significant(bytes_per_s / 1e9)} GB/s"


def layout_label(dep: Deployment) -> str:
    return layout(dep, 1).label


def layout_sentence(s: Scenario, dep: Deployment) -> str:
    """Experts per chip, tokens per expert, the balance assumption and the scale-up domains."""
    lay = layout(dep, s.batch)
    net = (f"{lay.domains} scale-up domains of {lay.chips_per_domain} chips, "
           f"{gb_per_s(dep.scaleout_bytes_per_s or 0)} scale-out per chip"
           if lay.domains > 1 else f"one scale-up domain ({gb_per_s(dep.hardware.link_bytes_per_s)} per chip)")
    if not dep.model.is_moe:
        return f"dense model, tensor-parallel over {dep.chips}; {net}"
    experts = (lay.experts_phrase if dep.expert_parallel
               else "every expert split over the chips")
    return f"{experts}; {lay.tokens_per_expert:,.1f} tokens per expert per step ({lay.routing_text}); {net}"


def fit_caption(best: MemoryFit | None, chips: int) -> str:
    if best is None:
        return "No layout of up to 1,024 chips holds the weights and this batch at this context."
    here = ("this replica is at least that" if chips >= best.chips
            else f"this replica ({fmt.plural(chips, 'chip')}) is too small")
    return (f"Each chip's HBM for the scenario's batch at its context, per layout (GB). The smallest that fits: "
            f"{fmt.plural(best.chips, 'chip')}, {best.layout}, {best.free_bytes / 1e9:.1f} GB free per chip; {here}. Activations are "
            "an estimate of one layer's, held inside the 10% headroom.")


def spec_simulated_note(dep: Deployment) -> str | None:
    """How pages that simulate decode steps count speculation (None without it, F132/F133)."""
    if not dep.spec_tokens:
        return None
    tau = metrics.tokens_per_step(dep)
    return (f"Speculative decoding (`spec` = {dep.spec_tokens}, `spec_accept` = {dep.spec_accept:g}): each decode step "
            f"verifies {dep.spec_tokens + 1} tokens per sequence and yields {tau:.3g} on average. This page counts that "
            f"expected value (a request of G output tokens takes G / {tau:.3g} steps; TPOT counts accepted tokens), "
            "not a random draw per step.")
