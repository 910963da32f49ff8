"""The linearised baselines against their definition: theory/linear.py by finite differences,
the compiled kernels against the NumPy specification, the infinite backend against dense."""

import dataclasses

import numpy as np
import pytest

import dynamics
from dynamics import linear
from theory import linear as spec
from theory import model
from theory.data import make_splits
from theory.params import DataParams, NetworkParams
from tests import tolerances as tol

Q, RHO = 4, 0.2


def _toy(seed=0, k=3, m=2, d=8, N=6, P=4, scale=0.5):
    rng = np.random.default_rng(seed)
    W0 = rng.standard_normal((k, m, d)) * scale
    X = rng.standard_normal((N, P, d)) * 0.6
    y = rng.integers(0, k, N)
    return rng, W0, X, y


def test_ntk_forward_is_the_first_order_expansion():
    rng, W0, X, y = _toy()
    D = rng.standard_normal(W0.shape)
    h = tol.FD_STEP
    directional = (model.forward(W0 + h * D, X, Q, RHO) - model.forward(W0 - h * D, X, Q, RHO)) / (2 * h)
    for t in (0.0, 0.3, 2.0):  # linear in the displacement, exact at W0
        got = spec.ntk_forward(W0 + t * D, W0, X, Q, RHO)
        want = model.forward(W0, X, Q, RHO) + t * directional
        np.testing.assert_allclose(got, want, rtol=tol.LINEARISATION_FD_RTOL, atol=1e-9)


def test_ntk_gradient_finite_differences():
    rng, W0, X, y = _toy(1)
    W = W0 + rng.standard_normal(W0.shape) * 0.4
    _, g = spec.ntk_loss_and_grad(W, W0, X, y, Q, RHO)
    fd = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = tol.FD_STEP
        fd[idx] = (spec.ntk_loss_and_grad(W + e, W0, X, y, Q, RHO)[0]
                   - spec.ntk_loss_and_grad(W - e, W0, X, y, Q, RHO)[0]) / (2 * tol.FD_STEP)
    np.testing.assert_allclose(g, fd, rtol=tol.FD_RTOL, atol=1e-10)
    # at W0 the linearised model's gradient is the network's
    np.testing.assert_allclose(spec.ntk_loss_and_grad(W0, W0, X, y, Q, RHO)[1],
                               model.loss_and_grad(W0, X, y, Q, RHO)[1], rtol=tol.KERNEL_VS_SPEC_RTOL_F64)


def test_rf_starts_at_the_network_and_gradient_fd():
    rng, W0, X, y = _toy(2)
    k, m = W0.shape[:2]
    B = linear.rf_readout_init(1, k, m)[0]
    np.testing.assert_allclose(spec.rf_forward(B, W0, X, Q, RHO), model.forward(W0, X, Q, RHO),
                               rtol=tol.KERNEL_VS_SPEC_RTOL_F64)
    B = B + rng.standard_normal(B.shape)
    _, g = spec.rf_loss_and_grad(B, W0, X, y, Q, RHO)
    fd = np.zeros_like(B)
    for idx in np.ndindex(B.shape):
        e = np.zeros_like(B)
        e[idx] = tol.FD_STEP
        fd[idx] = (spec.rf_loss_and_grad(B + e, W0, X, y, Q, RHO)[0]
                   - spec.rf_loss_and_grad(B - e, W0, X, y, Q, RHO)[0]) / (2 * tol.FD_STEP)
    np.testing.assert_allclose(g, fd, rtol=tol.FD_RTOL, atol=1e-10)


def _dense_setup(seed=3, K=2, dim=12, N=8):
    data = DataParams(n_classes=3, dim=dim, n_patches=6, patches_per_feature=1, offclass_rate=1.0,
                      n_train=N, n_test=10, noise_norm=0.5, single_view_frac=0.25)
    net = NetworkParams(n_neurons=2, power=Q, threshold=RHO, init_std=0.5)
    sp = make_splits(data, np.random.default_rng(seed))
    init = dynamics.init_state(data, net, N, [np.random.default_rng(seed + 10 + i) for i in range(K)])
    return data, net, sp, init


def test_ntk_kernel_matches_numpy_gd():
    data, net, sp, init = _dense_setup()
    state = init.copy()
    lr, n_steps = 0.3, 7
    dynamics.train(state, sp.train, lr=lr, n_steps=n_steps, power=Q, threshold=RHO, track_every=3,
                   stop_at_full_accuracy=False, gates=linear.ntk_gates(init, sp.train, Q, RHO))
    for kk in range(init.n_models):
        W0 = init.W[kk]
        W = W0.copy()
        for _ in range(n_steps):
            W = W - lr * spec.ntk_loss_and_grad(W, W0, sp.train.X, sp.train.y, Q, RHO)[1]
        np.testing.assert_allclose(state.W[kk], W, rtol=tol.KERNEL_VS_SPEC_RTOL_F64, atol=1e-13)
        F = linear.ntk_outputs(state, init, sp.train, Q, RHO, 0.5, training_set=True)[kk]
        np.testing.assert_allclose(F, spec.ntk_forward(state.W[kk], W0, sp.train.X, Q, RHO),
                                   rtol=tol.KERNEL_VS_SPEC_RTOL_F64)


def _rf_setup():
    """Dense 4-model setup, its training features and a fresh rf readout (and a copy of it)."""
    data, net, sp, init = _dense_setup(4)
    Phi = linear.rf_features(init, sp.train, Q, RHO, 0.5, training_set=True)
    rf = linear.RFState(init, linear.rf_readout_init(init.n_models, 3, 2))
    return sp, init, Phi, rf, rf.B.copy()


def test_rf_kernel_matches_numpy_gd():
    sp, init, Phi, rf, B0 = _rf_setup()
    lr, n_steps = 0.05, 9
    linear.train_rf(rf, Phi, sp.train, lr=lr, n_steps=n_steps, track_every=4, stop_at_full_accuracy=False,
                    precondition=False)
    for kk in range(init.n_models):
        B = B0[kk]
        for _ in range(n_steps):
            B = B - lr * spec.rf_loss_and_grad(B, init.W[kk], sp.train.X, sp.train.y, Q, RHO)[1]
        np.testing.assert_allclose(rf.B[kk], B, rtol=tol.KERNEL_VS_SPEC_RTOL_F64, atol=1e-13)


def test_rf_preconditioned_gd_is_gd_times_inverse_feature_covariance():
    """Whitened steps are B ← B − η·∇_B·C⁻¹ with C = ΦᵀΦ/N, the same model and outputs."""
    sp, init, Phi, rf, B0 = _rf_setup()
    lr, n_steps = 0.5, 9
    linear.train_rf(rf, Phi, sp.train, lr=lr, n_steps=n_steps, track_every=4, stop_at_full_accuracy=False)
    for kk in range(init.n_models):
        phi = spec.rf_features(init.W[kk], sp.train.X, Q, RHO)
        Cinv = np.linalg.inv(phi.T @ phi / phi.shape[0])
        B = B0[kk]
        for _ in range(n_steps):
            B = B - lr * spec.rf_loss_and_grad(B, init.W[kk], sp.train.X, sp.train.y, Q, RHO)[1] @ Cinv
        np.testing.assert_allclose(rf.B[kk], B, rtol=tol.PRECONDITIONED_RTOL)


def test_ntk_infinite_equals_dense_with_own_noise_coordinates():
    """noise_mode='own' at d = 2k + N·P is exactly the infinite model (SPEC §2), linearised too."""
    N, P, k = 6, 6, 3
    base = DataParams(n_classes=k, dim=2 * k + N * P, n_patches=P, patches_per_feature=1,
                      offclass_rate=1.0, n_train=N, n_test=5, noise_norm=0.5, noise_mode="own")
    net = NetworkParams(n_neurons=2, power=Q, threshold=RHO, init_std=0.5)
    sp_d = make_splits(base, np.random.default_rng(7))
    inf = dataclasses.replace(base, dim=float("inf"), noise_mode="orthogonal")
    sp_i = make_splits(inf, np.random.default_rng(7))
    np.testing.assert_array_equal(sp_d.train.coef, sp_i.train.coef)
    rngs = lambda: [np.random.default_rng(20), np.random.default_rng(21)]  # noqa: E731
    dense = dynamics.init_state(base, net, N, rngs())
    infin = dynamics.init_state(inf, net, N, rngs())
    gd, gi = linear.ntk_gates(dense, sp_d.train, Q, RHO), linear.ntk_gates(infin, sp_i.train, Q, RHO)
    sd, si = dense.copy(), infin.copy()
    kw = dict(lr=0.2, n_steps=6, power=Q, threshold=RHO, track_every=2, stop_at_full_accuracy=False)
    td = dynamics.train(sd, sp_d.train, gates=gd, **kw)
    ti = dynamics.train(si, sp_i.train, gates=gi, **kw)
    np.testing.assert_allclose(td.loss, ti.loss, rtol=tol.KERNEL_VS_SPEC_RTOL_F64)
    np.testing.assert_allclose(sd.W[..., :2 * k], si.a, rtol=tol.KERNEL_VS_SPEC_RTOL_F64, atol=1e-13)
    lr_d, L_d = linear.linear_lr("ntk", dense, sp_d.train, Q, RHO, 1.0)
    lr_i, L_i = linear.linear_lr("ntk", infin, sp_i.train, Q, RHO, 1.0)
    assert L_d == pytest.approx(L_i, rel=tol.GRAM_EIG_RTOL)


@pytest.mark.parametrize("kind", ["ntk", "rf"])
def test_linear_lr_is_largest_jacobian_singular_value(kind):
    """L = max_i λ_max(J_iᵀJ_i)/N from the explicit Jacobian of each class's output."""
    data, net, sp, init = _dense_setup(5, K=1)
    W0, X, N = init.W[0], sp.train.X, sp.train.n_samples
    k, m, d = W0.shape
    A0 = model.preactivations(W0, X)  # (N, P, k, m)
    best = 0.0
    for i in range(k):
        if kind == "ntk":
            Jac = np.einsum("npr,npd->nrd", model.smoothed_relu_grad(A0[:, :, i], Q, RHO), X).reshape(N, -1)
        else:  # train_rf steps on whitened features Φ·C^{-1/2}: every singular value is √N
            Jac = spec.rf_features(W0, X, Q, RHO)
            ev, U = np.linalg.eigh(Jac.T @ Jac / N)
            Jac = Jac @ (U / np.sqrt(ev)) @ U.T
        best = max(best, np.linalg.svd(Jac, compute_uv=False)[0] ** 2 / N)
    if kind == "rf":
        assert best == pytest.approx(1.0, rel=tol.GRAM_EIG_RTOL)
    lr, L = linear.linear_lr(kind, init, sp.train, Q, RHO, 0.5)
    assert L == pytest.approx(best, rel=tol.GRAM_EIG_RTOL)
    assert lr == pytest.approx(0.5 / best, rel=tol.GRAM_EIG_RTOL)
