"""Compiled kernels against the NumPy specification, and the two backends against each other."""

import numpy as np
import pytest

import dynamics
import theory
from dynamics.state import init_state
from theory.params import DataParams, NetworkParams
from tests.tolerances import (GD_MOVED_FLOOR, KERNEL_VS_SPEC_ATOL_F32, KERNEL_VS_SPEC_ATOL_F64,
                              KERNEL_VS_SPEC_RTOL_F32, KERNEL_VS_SPEC_RTOL_F64, TRACKED_ATOL, TRACKED_RTOL,
                              TRAIN_VS_SPEC_ATOL, TRAINED_FLOOR)


def _problem(seed=0, k=4, m=3, d=20, N=12, P=6):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((k, m, d)) * 0.2
    X = rng.standard_normal((N, P, d))
    y = rng.integers(0, k, N)
    return W, X, y


def _spec_steps(W, X, y, lr, n, q, rho):
    for _ in range(n):
        _, g = theory.loss_and_grad(W, X, y, q, rho)
        W = W - lr * g
    return W


@pytest.mark.parametrize("q,rho", [(3, 0.5), (4, 0.2), (6, 1.0)])
def test_gd_steps_matches_spec_float64(q, rho):
    W, X, y = _problem()
    ref = _spec_steps(W, X, y, 0.7, 5, q, rho)
    out = dynamics.gd_steps(W, X, y, 0.7, 5, q, rho)
    assert out.dtype == np.float64
    assert np.abs(ref - W).max() > GD_MOVED_FLOOR  # the steps moved the weights: the comparison means something
    np.testing.assert_allclose(out, ref, rtol=KERNEL_VS_SPEC_RTOL_F64, atol=KERNEL_VS_SPEC_ATOL_F64)


def test_gd_steps_matches_spec_float32():
    W, X, y = _problem(seed=1)
    ref = _spec_steps(W, X, y, 0.7, 5, 4, 0.2)
    out = dynamics.gd_steps(W.astype(np.float32), X, y, 0.7, 5, 4, 0.2)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=KERNEL_VS_SPEC_RTOL_F32, atol=KERNEL_VS_SPEC_ATOL_F32)


def test_gd_steps_does_not_modify_input_and_zero_steps_is_identity():
    W, X, y = _problem()
    W0 = W.copy()
    out = dynamics.gd_steps(W, X, y, 0.5, 0, 4, 0.2)
    np.testing.assert_array_equal(out, W0)
    dynamics.gd_steps(W, X, y, 0.5, 3, 4, 0.2)
    np.testing.assert_array_equal(W, W0)


@pytest.mark.parametrize("kwargs,match", [
    ({"power": 2}, "power=2"), ({"threshold": 0.0}, "threshold"), ({"lr": -1.0}, "lr"),
    ({"n_steps": -1}, "n_steps"),
])
def test_gd_steps_rejects_bad_parameters(kwargs, match):
    W, X, y = _problem()
    args = {"lr": 0.5, "n_steps": 1, "power": 4, "threshold": 0.2, **kwargs}
    with pytest.raises(ValueError, match=match):
        dynamics.gd_steps(W, X, y, **args)


def test_gd_steps_rejects_bad_shapes_and_labels():
    W, X, y = _problem()
    with pytest.raises(ValueError, match="X must have shape"):
        dynamics.gd_steps(W, X[:, :, :5], y, 0.5, 1, 4, 0.2)
    with pytest.raises(ValueError, match="labels"):
        dynamics.gd_steps(W, X, y + 10, 0.5, 1, 4, 0.2)


def test_divergence_names_the_step():
    W, X, y = _problem()
    with pytest.raises(dynamics.DivergenceError, match=r"non-finite at step \d+ .*smaller lr"):
        dynamics.gd_steps(W, X * 1e3, y, 1e305, 5, 4, 0.2)  # step 1 sends W·x past the float range


def _tiny_data(dim, N=10, P=8, k=3):
    return DataParams(n_classes=k, dim=dim, n_patches=P, patches_per_feature=2, offclass_rate=1.0,
                      n_train=N, n_test=20, noise_mode="own", single_view_frac=0.2, noise_norm=0.8)


@pytest.mark.parametrize("stop", [False, True])
def test_infinite_backend_equals_dense_with_own_noise_coordinates(stop):
    """SPEC §2: the dense model with each training patch's noise on its own coordinate is the
    infinite model; same seed, same trajectory (to rounding: the GEMMs differ in shape)."""
    N, P, k = 10, 8, 3
    net = NetworkParams(n_neurons=2, init_std=0.05, threshold=0.2)
    out = []
    for dim in (float("inf"), 2 * k + N * P):
        data = _tiny_data(dim, N, P, k)
        splits = theory.make_splits(data, np.random.default_rng(5))
        state = init_state(data, net, N, [np.random.default_rng(s) for s in (7, 8)])
        traj = dynamics.train(state, splits.train, lr=2.0, n_steps=120, power=4, threshold=0.2,
                              track_every=7, stop_at_full_accuracy=stop)
        out.append(traj)
    inf, dense = out
    np.testing.assert_array_equal(inf.steps, dense.steps)
    np.testing.assert_array_equal(inf.stopped_at, dense.stopped_at)
    assert np.abs(inf.feature_proj[-1] - inf.feature_proj[0]).max() > TRAINED_FLOOR  # it trained
    for got, want in ((inf.feature_proj, dense.feature_proj), (inf.memorisation, dense.memorisation)):
        np.testing.assert_allclose(got, want, rtol=KERNEL_VS_SPEC_RTOL_F64, atol=KERNEL_VS_SPEC_ATOL_F64)
    np.testing.assert_allclose(inf.loss, dense.loss, rtol=KERNEL_VS_SPEC_RTOL_F64)


def test_train_matches_spec_and_stops_at_full_accuracy():
    data = DataParams(n_classes=3, dim=30, n_patches=8, patches_per_feature=2, offclass_rate=1.0,
                      n_train=15, n_test=20, single_view_frac=0.2)
    net = NetworkParams(n_neurons=2, init_std=0.05)
    splits = theory.make_splits(data, np.random.default_rng(0))
    state = init_state(data, net, 15, [np.random.default_rng(1)])
    W0 = state.W[0].copy()
    traj = dynamics.train(state, splits.train, lr=3.0, n_steps=400, power=4, threshold=0.2,
                          track_every=25, stop_at_full_accuracy=True)
    t_stop = int(traj.stopped_at[0])
    assert 0 < t_stop < 400, "this configuration reaches 100% training accuracy"
    assert traj.n_done == t_stop and traj.train_acc[-1, 0] == 1.0
    assert np.all(traj.train_acc[:-1, 0] < 1.0)  # it stopped at the *first* full-accuracy step
    ref = _spec_steps(W0, splits.train.X, splits.train.y, 3.0, t_stop, 4, 0.2)
    np.testing.assert_allclose(state.W[0], ref, rtol=KERNEL_VS_SPEC_RTOL_F64, atol=TRAIN_VS_SPEC_ATOL)
    F = theory.forward(ref, splits.train.X, 4, 0.2)
    assert traj.loss[-1, 0] == pytest.approx(theory.cross_entropy(F, splits.train.y), rel=KERNEL_VS_SPEC_RTOL_F64)
    assert traj.steps[-1] == t_stop
    np.testing.assert_allclose(traj.feature_proj[-1, 0], ref @ splits.train.features.T, rtol=TRACKED_RTOL,
                               atol=TRAIN_VS_SPEC_ATOL)


def test_memorisation_tracks_noise_projection_of_own_class():
    data = DataParams(n_classes=3, dim=30, n_patches=8, patches_per_feature=2, offclass_rate=1.0,
                      n_train=15, n_test=20)
    net = NetworkParams(n_neurons=2, init_std=0.05)
    splits = theory.make_splits(data, np.random.default_rng(0))
    state = init_state(data, net, 15, [np.random.default_rng(1)])
    traj = dynamics.train(state, splits.train, lr=1.0, n_steps=5, power=4, threshold=0.2,
                          track_every=5, stop_at_full_accuracy=False)
    tr = splits.train
    expect = [max(float(state.W[0, tr.y[n], r] @ tr.noise[n, p]) for r in range(2) for p in range(8))
              for n in range(15)]
    np.testing.assert_allclose(traj.memorisation[-1, 0], expect, rtol=TRACKED_RTOL, atol=TRACKED_ATOL)


@pytest.mark.parametrize("dim", [float("inf"), 30])
def test_per_step_lambda_matches_tracking_points(dim):
    """The kernels' per-step Λ equals Λ read off the tracked feature projections."""
    from dynamics.evaluate import view_correlations

    data = DataParams(n_classes=3, dim=dim, n_patches=8, patches_per_feature=2, offclass_rate=1.0,
                      n_train=15, n_test=20, single_view_frac=0.2, features="random")
    net = NetworkParams(n_neurons=2, init_std=0.05)
    splits = theory.make_splits(data, np.random.default_rng(0))
    state = init_state(data, net, 15, [np.random.default_rng(1), np.random.default_rng(2)])
    traj = dynamics.train(state, splits.train, lr=3.0, n_steps=200, power=4, threshold=0.2,
                          track_every=9, stop_at_full_accuracy=True)
    assert traj.lambda_steps.shape == (traj.n_done + 1, 2, 3, 2)
    lam_tracked, _ = view_correlations(traj.feature_proj)  # (T, K, k, 2)
    np.testing.assert_allclose(traj.lambda_steps[traj.steps], lam_tracked, rtol=TRACKED_RTOL, atol=TRACKED_ATOL)
    assert np.ptp(traj.lambda_steps[:, 0], axis=0).max() > TRAINED_FLOOR  # Λ moved between the points
