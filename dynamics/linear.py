"""The linearised baselines (SPEC §4): the NTK linearisation and a random-feature readout.

NTK. The network linearised at its initialisation W0 (theory/linear.py is the NumPy
specification): F_lin(W) = F(W0) + <W − W0, ∇_W F(W0)>. The trainable weights live in an
ordinary :class:`ModelState` (W = W0 + Δ, dense or infinite), so the tracked Λ, memorisation
and stacking over K models work as for the network; the frozen gates S0 = s'(A0) (N·P, J)
and the offset C0 = F(W0) − Σ S0·A0 (K, N, k) of the training set come from :func:`ntk_gates`
and go to :func:`dynamics.train` (``gates=``), which then runs the kernels of
``_linear_kernels``.

Random features. The filters stay at W0; a readout B (K, k, J1 = k·m) over the frozen features
Phi[kk, n, j] = Σ_p s(<w0_j, x_{n,p}>) is trained, starting from the network's own readout
(B[i, j] = 1 when filter j belongs to class i), so F = F(W0) at initialisation.

Preconditioning. The random features are far from isotropic (all positive, mean ≈ 3, condition
number of their covariance ≈ 2·10³ on the paper preset), so plain GD at a stable step fitted
only 21–24% of the training set in 500 steps and 69% in 5,000, while the same model reaches 100%.
:func:`train_rf` therefore runs GD in whitened coordinates, B = B̃·M with M = C^{−1/2} and
C = PhiᵀPhi/N the training features' second-moment matrix of each model: the same model and
outputs (Phi·Bᵀ = (Phi·M)·B̃ᵀ), a different optimiser (B ← B − η·∇_B·C^{−1}). It fits the training
set in ≈ 200 steps at η = 1/L.

Step size. GD on a linear model is stable below 2/λ_max(Hessian), and the cross-entropy's
Hessian in the outputs is at most 1/2, so with L = max_{kk,i} λ_max(K_i)/N, K_i the (N, N)
tangent Gram matrix of class i, any η < 4/L is stable; :func:`linear_lr` returns
``scale / L``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.linalg

from theory.data import Dataset
from theory.model import smoothed_relu, smoothed_relu_grad

from . import _linear_kernels
from .evaluate import _CHUNK_ELEMENTS
from .state import ModelState
from .train import CE, DivergenceError, Trajectory


def _preactivations(state: ModelState, ds: Dataset, lo: int, hi: int, training_set: bool,
                    noise: np.ndarray | None) -> np.ndarray:
    """<w_j, x_{n,p}> for samples lo..hi: ((hi−lo)·P, J) in float64.

    Infinite backend: ``training_set`` adds the trained noise coordinates; otherwise ``noise``
    (the test patches' initial noise projections, drawn by the caller) is added.
    """
    K, k, m = state.n_models, state.n_classes, state.n_neurons
    J = K * k * m
    P = ds.coef.shape[1]
    if state.infinite:
        A = ds.coef[lo:hi].reshape(-1, ds.coef.shape[2]) @ state.a.reshape(J, -1).T.astype(np.float64)
        if training_set:
            A += state.cT[lo * P:hi * P]
        elif noise is not None:
            A += noise
        return A
    return ds.X[lo:hi].reshape(-1, ds.X.shape[2]) @ state.W.reshape(J, -1).T.astype(np.float64)


def _chunks(state: ModelState, ds: Dataset):
    J = state.n_models * state.n_classes * state.n_neurons
    P = ds.coef.shape[1]
    rows = max(1, _CHUNK_ELEMENTS // (P * J))
    for lo in range(0, ds.n_samples, rows):
        yield lo, min(ds.n_samples, lo + rows)


def _test_noise(state: ModelState, n_rows: int, init_std: float, rng: np.random.Generator | None,
                training_set: bool) -> np.ndarray | None:
    """Fresh initial noise projections N(0, σ_0²·s_p²) of test patches (infinite backend)."""
    if not state.infinite or training_set:
        return None
    if rng is None:
        raise ValueError("outputs on a test set of the infinite backend need an rng for the fresh noise projections")
    J = state.n_models * state.n_classes * state.n_neurons
    return rng.standard_normal((n_rows, J)) * (init_std * state.noise_norm)


def _sum_per_class(S: np.ndarray, n: int, P: int, K: int, k: int, m: int) -> np.ndarray:
    """Σ over patches and filters of S ((n·P), J) → (K, n, k)."""
    return S.reshape(n, P, K, k, m).sum(axis=(1, 4)).transpose(1, 0, 2)


def ntk_gates(init: ModelState, data: Dataset, power: int, threshold: float):
    """Frozen gates S0 = s'(A0) (N·P, J) in the state's dtype and offsets C0 (K, N, k) on ``data``.

    ``data`` is the training set (its noise coordinates are the state's ``cT``).
    """
    K, k, m = init.n_models, init.n_classes, init.n_neurons
    n, P = data.n_samples, data.coef.shape[1]
    A0 = _preactivations(init, data, 0, n, True, None)  # (N·P, J)
    S0 = smoothed_relu_grad(A0, power, threshold)
    F0 = _sum_per_class(smoothed_relu(A0, power, threshold), n, P, K, k, m)
    C0 = F0 - _sum_per_class(S0 * A0, n, P, K, k, m)
    return np.ascontiguousarray(S0, dtype=init.dtype), np.ascontiguousarray(C0)


def ntk_outputs(state: ModelState, init: ModelState, ds: Dataset, power: int, threshold: float,
                init_std: float, rng: np.random.Generator | None = None,
                training_set: bool = False) -> np.ndarray:
    """F_lin (K, N, k) = F(W0) + <W − W0, ∇F(W0)> of the linearised models on ``ds``.

    ``init`` holds W0 (the same shapes as ``state``). For a test set of the infinite backend,
    each test patch's noise enters only through its initial projection (as in
    ``evaluate.outputs``), drawn once from ``rng`` and used for both F(W0) and the gates; the
    trained displacement Δ has no component along a test patch's noise.
    """
    K, k, m = state.n_models, state.n_classes, state.n_neurons
    P = ds.coef.shape[1]
    F = np.zeros((K, ds.n_samples, k))
    for lo, hi in _chunks(state, ds):
        E = _test_noise(state, (hi - lo) * P, init_std, rng, training_set)
        A0 = _preactivations(init, ds, lo, hi, training_set, E)
        A = _preactivations(state, ds, lo, hi, training_set, E)
        S = smoothed_relu(A0, power, threshold) + smoothed_relu_grad(A0, power, threshold) * (A - A0)
        F[:, lo:hi] = _sum_per_class(S, hi - lo, P, K, k, m)
    return F


def rf_features(init: ModelState, ds: Dataset, power: int, threshold: float, init_std: float,
                rng: np.random.Generator | None = None, training_set: bool = False) -> np.ndarray:
    """Phi (K, N, J1 = k·m): Σ_p s(<w0_j, x_{n,p}>) for each model's frozen filters."""
    K, k, m = init.n_models, init.n_classes, init.n_neurons
    P = ds.coef.shape[1]
    Phi = np.zeros((K, ds.n_samples, k * m))
    for lo, hi in _chunks(init, ds):
        E = _test_noise(init, (hi - lo) * P, init_std, rng, training_set)
        S = smoothed_relu(_preactivations(init, ds, lo, hi, training_set, E), power, threshold)
        Phi[:, lo:hi] = S.reshape(hi - lo, P, K, k * m).sum(axis=1).transpose(1, 0, 2)
    return Phi


def rf_readout_init(n_models: int, n_classes: int, n_neurons: int) -> np.ndarray:
    """B (K, k, k·m) with B[kk, i, j] = 1 when filter j belongs to class i: F_rf(B) = F(W0)."""
    B = np.zeros((n_models, n_classes, n_classes * n_neurons))
    for i in range(n_classes):
        B[:, i, i * n_neurons:(i + 1) * n_neurons] = 1.0
    return B


def rf_whitening(Phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(M, M⁻¹), each (K, J, J): M = C^{−1/2}, C = Phi[kk]ᵀPhi[kk]/N for training features Phi (K, N, J).

    Eigenvalues below 1e-12 of the largest are raised to that floor (a rank-deficient C would
    otherwise give an infinite M); directions there carry no feature signal either way."""
    K, n, J = Phi.shape
    M, Minv = np.empty((K, J, J)), np.empty((K, J, J))
    for kk in range(K):
        ev, U = np.linalg.eigh(Phi[kk].T @ Phi[kk] / n)
        ev = np.maximum(ev, ev.max() * RF_EIG_FLOOR)
        M[kk] = (U / np.sqrt(ev)) @ U.T
        Minv[kk] = (U * np.sqrt(ev)) @ U.T
    return M, Minv


RF_EIG_FLOOR = 1e-12  # relative floor of the features' covariance eigenvalues in rf_whitening


def _lambda_max(gram: np.ndarray) -> float:
    n = gram.shape[0]
    return float(scipy.linalg.eigh(gram, eigvals_only=True, subset_by_index=[n - 1, n - 1])[0])


def linear_lr(kind: str, init: ModelState, data: Dataset, power: int, threshold: float,
              scale: float) -> tuple[float, float]:
    """(η_lin, L): step ``scale / L`` with L = max over models and classes of λ_max(K_i)/N.

    ``kind`` is "ntk" (K_i = Σ_r g_r g_rᵀ, g_r[n] = Σ_p s'(A0[n,p,i,r])·x_{n,p}) or "rf"
    (K = Phi Phiᵀ, the same for every class).
    """
    K, k, m = init.n_models, init.n_classes, init.n_neurons
    n, P = data.n_samples, data.coef.shape[1]
    A0 = _preactivations(init, data, 0, n, True, None).reshape(n, P, K, k, m)
    L = 0.0
    if kind == "rf":  # the features train_rf steps on: whitened, so L = 1 up to rounding
        Phi = smoothed_relu(A0, power, threshold).sum(axis=1).reshape(n, K, k * m).transpose(1, 0, 2)
        M, _ = rf_whitening(Phi)
        for kk in range(K):
            f = Phi[kk] @ M[kk]
            L = max(L, _lambda_max(f @ f.T) / n)
        return scale / L, L
    if kind != "ntk":
        raise ValueError(f"kind={kind!r}: must be 'ntk' or 'rf'")
    S0 = smoothed_relu_grad(A0, power, threshold)  # (N, P, K, k, m)
    X = data.coef if init.infinite else data.X  # (N, P, 2k) or (N, P, d)
    for kk in range(K):
        for i in range(k):
            g = np.einsum("npr,npd->nrd", S0[:, :, kk, i], X, optimize=True).reshape(n, -1)
            gram = g @ g.T
            if init.infinite:  # each training patch's noise is its own orthogonal direction
                gram[np.diag_indices(n)] += (S0[:, :, kk, i] ** 2).sum(axis=(1, 2)) * init.noise_norm**2
            L = max(L, _lambda_max(gram) / n)
    return scale / L, L


@dataclass
class RFState:
    """K random-feature models: frozen filters ``init`` and trainable readouts ``B`` (K, k, k·m)."""

    init: ModelState
    B: np.ndarray

    @property
    def n_models(self) -> int:
        return self.init.n_models


def train_rf(rf: RFState, Phi: np.ndarray, data: Dataset, *, lr: float, n_steps: int,
             track_every: int, stop_at_full_accuracy: bool, loss_kind: int = CE,
             teacher: np.ndarray | None = None, extra: np.ndarray | None = None,
             progress: Callable[[int, int], None] | None = None,
             precondition: bool = True) -> Trajectory:
    """Train the readouts of ``rf`` in place on the frozen training features Phi (K, N, k·m).

    ``precondition``: step in whitened coordinates (module docstring; ``lr`` is then the step
    for the whitened features, whose L is 1); False runs plain GD on B.

    The filters never move, so the tracked feature projections are W0's at every point and the
    memorisation is recorded as zeros (nothing is fitted through the noise directions of the
    filters); the Trajectory has the network's shapes.
    """
    K = rf.n_models
    y = np.ascontiguousarray(data.y, dtype=np.int64)
    teacher = np.zeros((1, 1)) if teacher is None else np.ascontiguousarray(teacher, dtype=np.float64)
    extra = np.zeros(1) if extra is None else np.ascontiguousarray(extra, dtype=np.float64)
    Phi = np.ascontiguousarray(Phi, dtype=np.float64)
    B_user = rf.B
    if precondition:
        M, Minv = rf_whitening(Phi)
        Phi = np.ascontiguousarray(np.einsum("knj,kjl->knl", Phi, M))
        rf.B = np.ascontiguousarray(np.einsum("kij,kjl->kil", rf.B, Minv))
    active = np.ones(K, dtype=np.bool_)
    stopped = np.full(K, -1, dtype=np.int64)
    loss = np.zeros((n_steps, K))
    acc = np.zeros((n_steps, K))
    steps = [0]
    t0 = time.perf_counter()
    t = 0
    while t < n_steps and active.any():
        chunk = min(track_every, n_steps - t)
        done, bad = _linear_kernels._run_rf(rf.B, Phi, y, lr, chunk, loss_kind, stop_at_full_accuracy,
                                            active, teacher, extra, t, loss, acc, stopped)
        if bad >= 0:
            rf.B = B_user
            raise DivergenceError(f"loss became non-finite at step {bad} (lr={lr}): try a smaller linear_lr_scale")
        t += done
        if t != steps[-1]:
            steps.append(t)
        if progress is not None:
            progress(t, n_steps)
    if progress is not None and t < n_steps:
        progress(t, t)
    if precondition:
        B_user[...] = np.einsum("kij,kjl->kil", rf.B, M)
        rf.B = B_user
    proj = rf.init.feature_projections(data.features)
    n_recorded = t if active.any() else t + 1
    T = len(steps)
    return Trajectory(steps=np.asarray(steps), feature_proj=np.broadcast_to(proj, (T, *proj.shape)).copy(),
                      memorisation=np.zeros((T, K, data.n_samples)), loss=loss[:n_recorded],
                      train_acc=acc[:n_recorded], stopped_at=stopped, n_done=t,
                      seconds=time.perf_counter() - t0)


def rf_outputs(rf: RFState, Phi: np.ndarray) -> np.ndarray:
    """F (K, N, k) = Phi·Bᵀ per model."""
    return np.einsum("Knj,Kij->Kni", Phi, rf.B)
