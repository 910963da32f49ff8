"""theory.model against the naive twin, finite differences and the definition of s."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import theory
from tests import naive
from tests.tolerances import (FD_GRAD_LOSS_ATOL, FD_GRAD_S_ATOL, FD_RTOL, FD_STEP, JOINT_JUMP_ATOL,
                              KERNEL_VS_SPEC_RTOL_F64, NAIVE_GRAD_ATOL, SRELU_VS_DEFINITION_ATOL,
                              SRELU_VS_DEFINITION_RTOL)


def _problem(seed=0, k=3, m=2, d=7, N=5, P=4, scale=0.3):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((k, m, d)) * scale
    X = rng.standard_normal((N, P, d))
    y = rng.integers(0, k, N)
    return W, X, y


@given(z=st.floats(-10, 10, allow_nan=False), q=st.integers(3, 9), rho=st.floats(0.01, 2))
@settings(max_examples=200, deadline=None)
def test_smoothed_relu_matches_definition(z, q, rho):
    tol = dict(rel=SRELU_VS_DEFINITION_RTOL, abs=SRELU_VS_DEFINITION_ATOL)
    assert theory.smoothed_relu(z, q, rho) == pytest.approx(naive.s(z, q, rho), **tol)
    assert theory.smoothed_relu_grad(z, q, rho) == pytest.approx(naive.ds(z, q, rho), **tol)


def test_smoothed_relu_is_c1_at_the_joints():
    q, rho = 4, 0.2
    for z0 in (0.0, rho):
        for f in (theory.smoothed_relu, theory.smoothed_relu_grad):
            left, right = f(z0 - 1e-9, q, rho), f(z0 + 1e-9, q, rho)
            assert abs(left - right) < JOINT_JUMP_ATOL  # continuity at the joint
    # s' is the derivative of s
    z = np.linspace(-0.5, 0.8, 101)
    h = FD_STEP
    fd = (theory.smoothed_relu(z + h, q, rho) - theory.smoothed_relu(z - h, q, rho)) / (2 * h)
    assert np.allclose(fd, theory.smoothed_relu_grad(z, q, rho), rtol=FD_RTOL, atol=FD_GRAD_S_ATOL)


def test_no_overflow_for_huge_inputs():
    z = np.array([-1e300, -1.0, 1e-300, 1e300])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):  # underflow to 0 is benign
        s = theory.smoothed_relu(z, 8, 0.2)
        g = theory.smoothed_relu_grad(z, 8, 0.2)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(g))


def test_loss_and_grad_matches_naive():
    W, X, y = _problem()
    loss, grad = theory.loss_and_grad(W, X, y, 3, 0.5)
    nloss, ngrad = naive.loss_and_grad(W, X, y, 3, 0.5)
    assert loss == pytest.approx(nloss, rel=KERNEL_VS_SPEC_RTOL_F64)
    np.testing.assert_allclose(grad, ngrad, rtol=KERNEL_VS_SPEC_RTOL_F64, atol=NAIVE_GRAD_ATOL)


def test_gradient_matches_finite_differences():
    W, X, y = _problem(seed=1)
    q, rho = 4, 0.4
    _, grad = theory.loss_and_grad(W, X, y, q, rho)
    rng = np.random.default_rng(2)
    for _ in range(10):
        idx = tuple(rng.integers(0, s) for s in W.shape)
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += FD_STEP
        Wm[idx] -= FD_STEP
        fd = (theory.loss_and_grad(Wp, X, y, q, rho)[0] - theory.loss_and_grad(Wm, X, y, q, rho)[0]) / (2 * FD_STEP)
        assert fd == pytest.approx(grad[idx], rel=FD_RTOL, abs=FD_GRAD_LOSS_ATOL)


def test_loss_is_stable_for_large_outputs():
    W, X, y = _problem(scale=50.0)
    loss, grad = theory.loss_and_grad(W, X, y, 4, 0.2)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
