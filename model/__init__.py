"""Analytic roofline model of LLM inference price and latency (no UI code here).

Entry points: `load_catalog()` for presets, `parse_scenario()` / `resolve()` for a scenario,
`roofline.decode_step()` / `roofline.prefill()` for timings, `report.summarize()` for every
output column. `python -m model --help` for the command line.
"""

from .presets import Catalog, PresetError, load_catalog
from .report import OUTPUT_COLUMNS, summarize
from .roofline import Deployment, Efficiency, decode_step, prefill
from .scenario import Scenario, ScenarioError, parse_scenario, parse_scenario_strict, resolve

__all__ = [
    "Catalog", "Deployment", "Efficiency", "OUTPUT_COLUMNS", "PresetError", "Scenario", "ScenarioError",
    "decode_step", "load_catalog", "parse_scenario", "parse_scenario_strict", "prefill", "resolve", "summarize",
]
