"""docs/formulas.md F76: the request rate a replica sustains, and overload."""

import math

import pytest
from conftest import deploy

from model.serving.capacity import capacity_requests_per_s, load_check
from model.serving.simulate import run_policies
from model.serving.workload import Workload


@pytest.fixture(scope="module")
def saturated(catalog):
    load = Workload.shaped(400, math.inf, "uniform", 1024, "exponential", 256)
    results, refused = run_policies(deploy(catalog), load, 64)
    assert not refused
    return results


def test_capacity_is_requests_over_the_saturated_makespan(saturated):
    cont = saturated["continuous"]
    assert capacity_requests_per_s(cont) == pytest.approx(400 / cont.makespan_s)
    # 2.95 and 9.68 before the fixed time per kernel (F100): 80 layers x 10 kernels x 3 µs per step
    assert capacity_requests_per_s(saturated["static"]) == pytest.approx(2.51, abs=0.02)
    assert capacity_requests_per_s(cont) == pytest.approx(8.22, abs=0.05)


def test_overload_is_an_offered_rate_above_capacity(saturated):
    default = load_check(8.0, saturated)
    assert default.overloaded() == ["static"] and default.utilisation("static") > 2
    assert load_check(1.0, saturated).overloaded() == []
    assert set(load_check(1000.0, saturated).overloaded()) == {"static", "continuous", "chunked"}
    assert load_check(8.0, saturated).requests_measured == 400
