"""The generic bounded Levenberg–Marquardt solver (model/calibration/least_squares.py) on known answers."""

import numpy as np
import pytest

from model.calibration.least_squares import forward_difference_jacobian, least_squares_bounded

INF = np.array([np.inf, np.inf])


def test_rosenbrock_reaches_its_minimum_from_the_classic_start():
    def residuals(x):
        return np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])

    x = least_squares_bounded(residuals, [-1.2, 1.0], -INF, INF, max_iter=500)
    assert x == pytest.approx([1.0, 1.0], abs=1e-4)


def test_an_exponential_fit_recovers_its_parameters():
    t = np.linspace(0, 4, 30)
    data = 2.5 * np.exp(-1.3 * t)
    x = least_squares_bounded(lambda p: p[0] * np.exp(-p[1] * t) - data, [1.0, 0.5],
                              np.array([0, 0]), np.array([10, 10]))
    assert x == pytest.approx([2.5, 1.3], rel=1e-5)


def test_a_minimum_outside_the_box_ends_on_the_bound():
    # unconstrained minimum at x = 3; the box stops at 2, and the free variable still reaches its optimum
    x = least_squares_bounded(lambda p: np.array([p[0] - 3.0, p[1] + 1.0]), [0.0, 0.0],
                              np.array([-5.0, -5.0]), np.array([2.0, 5.0]))
    assert x == pytest.approx([2.0, -1.0], abs=1e-8)


def test_the_start_is_clipped_into_the_box():
    x = least_squares_bounded(lambda p: np.array([0.0 * p[0]]), [7.0], np.array([0.0]), np.array([1.0]))
    assert x == pytest.approx([1.0])


def test_the_jacobian_steps_backwards_at_an_upper_bound():
    fun = lambda p: np.array([p[0] ** 2])  # noqa: E731
    x = np.array([1.0])
    jac = forward_difference_jacobian(fun, x, fun(x), np.array([0.0]), np.array([1.0]))
    assert jac[0, 0] == pytest.approx(2.0, rel=1e-5)
