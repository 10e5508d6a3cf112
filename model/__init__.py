"""Analytic roofline model of LLM inference price and latency (no UI code here).

Entry points: `load_catalog()` for presets, `parse_scenario()` / `resolve()` for a scenario,
`roofline.decode_step()` / `roofline.prefill()` for timings, `report.summarize()` for every
output column. `python -m model --help` for the command line.
"""

from model.catalog.presets import Catalog, PresetError, load_catalog
from model.core.deployment import Deployment, Efficiency
from model.core.roofline import decode_step, prefill
from model.report.summary import OUTPUT_COLUMNS, summarize
from model.schema.parse import parse_scenario, parse_scenario_strict
from model.schema.resolve import ScenarioError, resolve
from model.schema.scenario import Scenario

__all__ = [
    "Catalog", "Deployment", "Efficiency", "OUTPUT_COLUMNS", "PresetError", "Scenario", "ScenarioError",
    "decode_step", "load_catalog", "parse_scenario", "parse_scenario_strict", "prefill", "resolve", "summarize",
]
