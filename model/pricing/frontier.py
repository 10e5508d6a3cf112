"""Throughput per chip against speed per user for several scenarios, and one model's cost on every
hardware preset at one service level (docs/formulas.md F182).

The frontier of a deployment at context L: for each batch B that fits, tokens/s per user 1/t_step(B, L)
and tokens/s per chip B/(t_step(B, L)·n) (`speed_tiers.batch_sweep`). The hardware table runs the
sheet's standard tier (`sheet.standard_tier`) with the scenario's model, chips, precision and
workload on every hardware preset, each at its own rental price (or ownership row).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.base.limits import MAX_BATCH
from model.catalog.presets import Catalog
from model.core import metrics
from model.core.deployment import Deployment
from model.core.grids import batch_grid
from model.pricing.sheet import Workload, cost_basis_for, sheet_utilisation, standard_tier
from model.pricing.sheet_inputs import SheetInputs
from model.pricing.speed_tiers import batch_sweep
from model.schema.resolve import ScenarioError, resolve
from model.schema.scenario import CUSTOM, Scenario

FRONTIER_HARDWARE = ("h100-sxm", "h200", "b200", "mi300x")  # the comparison set, when presets exist
POINTS = 60


@dataclass(frozen=True)
class FrontierCurve:
    label: str
    tokens_per_s_per_user: np.ndarray
    tokens_per_s_per_chip: np.ndarray
    batch: np.ndarray


def frontier_curve(label: str, dep: Deployment, ctx: float, points: int = POINTS) -> FrontierCurve | None:
    """The frontier over the batches that fit at `ctx` (None when not one sequence fits)."""
    fit = int(min(float(metrics.max_batch(dep, ctx)), MAX_BATCH))
    if fit < 1:
        return None
    sweep = batch_sweep(dep, ctx, _batches(fit, points))
    return FrontierCurve(label, sweep.tokens_per_s_per_user, sweep.batch / sweep.tpot_s / dep.chips, sweep.batch)


def _batches(fit: int, points: int) -> np.ndarray:
    grid = batch_grid(fit, points)
    return grid[grid <= fit]


def variants(s: Scenario, catalog: Catalog) -> list[tuple[str, Scenario]]:
    """The scenario, the same on each FRONTIER_HARDWARE preset, and at the other weight precision."""
    out = [(f"this scenario ({s.hw}, {s.wbits}-bit)", s)]
    for hw in FRONTIER_HARDWARE:
        if hw in catalog.hardware and hw != s.hw:
            out.append((f"{hw}, {s.wbits}-bit", _on_hardware(s, hw)))
    other = 8 if s.wbits == 16 else 16
    out.append((f"{s.hw}, {other}-bit weights", s.replace(wbits=other, abits=None)))
    return out


def _on_hardware(s: Scenario, hw: str) -> Scenario:
    """The scenario on another hardware preset at that preset's price and efficiencies."""
    return s.replace(hw=hw, price=None, mfu=None, mbu=None, hw_tflops=None, hw_tbps=None, hw_gb=None, hw_link_gbps=None)


def frontier_curves(s: Scenario, catalog: Catalog, calibration=None) -> list[FrontierCurve]:
    """`frontier_curve` of every `variants` scenario that resolves and fits."""
    curves = []
    for label, variant in variants(s, catalog):
        try:
            dep = resolve(variant, catalog, calibration)
        except ScenarioError:
            continue
        curve = frontier_curve(label, dep, s.ctx)
        if curve is not None:
            curves.append(curve)
    return curves


def hardware_table(s: Scenario, catalog: Catalog, inputs: SheetInputs, calibration=None) -> list[dict]:
    """F182: the standard tier of the scenario's model on every hardware preset (same chips,
    precision, workload, speed target), each at its own chip-hour cost; rows that cannot serve say why."""
    util, _ = sheet_utilisation(inputs)
    wl = Workload(s.prompt, s.ctx, s.batch)
    rows = []
    for hw in catalog.hardware:
        scenario = s if hw == s.hw and s.hw != CUSTOM else _on_hardware(s, hw)
        row = {"hardware": hw, "chips": s.chips, "usd_per_chip_hour": np.nan, "batch": 0, "tpot_ms": np.nan,
               "ttft_ms": np.nan, "cost_usd_per_m_input": np.nan, "cost_usd_per_m_output": np.nan,
               "usd_per_m_input": np.nan, "usd_per_m_output": np.nan, "status": "ok"}
        try:
            dep = resolve(scenario, catalog, calibration)
            basis = cost_basis_for(dep, inputs, inputs.ownership(catalog.ownership.get(hw), hw) if inputs.basis == "own" else None)
        except (ScenarioError, ValueError) as exc:
            rows.append({**row, "status": str(exc)[:120]})
            continue
        if metrics.max_batch(dep, s.ctx) < 1:
            rows.append({**row, "usd_per_chip_hour": basis.usd_per_chip_hour, "status": "weights or one sequence do not fit"})
            continue
        tier = standard_tier(dep, wl, inputs, basis, util)
        rows.append({**row, "usd_per_chip_hour": basis.usd_per_chip_hour, "batch": tier.batch, "tpot_ms": tier.tpot_ms,
                     "ttft_ms": tier.ttft_ms, "cost_usd_per_m_input": tier.cost_usd_per_m_input,
                     "cost_usd_per_m_output": tier.cost_usd_per_m_output, "usd_per_m_input": tier.usd_per_m_input,
                     "usd_per_m_output": tier.usd_per_m_output, "status": tier.status})
    return rows


def fitting_rows(rows: list[dict]) -> list[dict]:
    """Hardware rows that serve the tier, cheapest output first."""
    served = [r for r in rows if r["batch"] > 0 and np.isfinite(r["cost_usd_per_m_output"])]
    return sorted(served, key=lambda r: r["cost_usd_per_m_output"])

