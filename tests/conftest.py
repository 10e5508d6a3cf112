import dataclasses
import os
from pathlib import Path

import pytest

from model import load_catalog, parse_scenario_strict, resolve
from model.core.deployment import Efficiency

ROOT = Path(__file__).resolve().parent.parent

PRESETS = os.environ.get("TEST_PRESETS_DIR", str(ROOT / "presets"))


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(PRESETS)


def deploy(catalog, ideal=False, **keys):
    """Deployment for scenario keys; ideal=True sets mfu = mbu = 1, no overheads or comm latency."""
    scenario = parse_scenario_strict({k: str(v) for k, v in keys.items()}, catalog)
    dep = resolve(scenario, catalog)
    if ideal:
        dep = dataclasses.replace(dep, efficiency=Efficiency(1.0, 1.0, 1.0, 0.0, allreduce_latency_s=0.0))
    return dep


def v5e(**extra):
    """TPU v5e as in the scaling book: 1.97e14 bf16 FLOP/s, 8.1e11 B/s HBM, 16 GB."""
    keys = dict(hw="custom", hw_tflops=197, hw_tbps=0.81, hw_gb=16, hw_link_gbps=45)
    keys.update(extra)
    return keys
