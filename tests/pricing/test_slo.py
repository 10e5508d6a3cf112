"""The SLO batch: never above what fits, never slower than the target, tighter targets never larger."""

import pytest
from conftest import deploy

from model.core import metrics
from model.core.roofline import decode_step
from model.pricing.slo import slo_batch


def test_slo_batch_meets_target_and_next_batch_does_not(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=4)
    target = 0.030
    b = slo_batch(dep, 8192, target)
    assert b >= 1
    assert decode_step(dep, b, 8192).time_s <= target * (1 + 1e-9)
    if b < int(metrics.max_batch(dep, 8192)):
        assert decode_step(dep, b + 1, 8192).time_s > target


def test_no_target_is_the_batch_that_fits(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=4)
    assert slo_batch(dep, 32768, None) == int(metrics.max_batch(dep, 32768))


def test_tighter_target_never_larger_batch(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=4)
    batches = [slo_batch(dep, 4096, t) for t in (0.1, 0.05, 0.03, 0.02, 0.015)]
    assert batches == sorted(batches, reverse=True)


def test_unreachable_target_gives_zero_and_bad_target_raises(catalog):
    dep = deploy(catalog, hw="h100-sxm", model="llama-3.1-70b", chips=4)
    assert slo_batch(dep, 4096, 1e-6) == 0
    with pytest.raises(ValueError, match="target_tpot_s"):
        slo_batch(dep, 4096, -1.0)
