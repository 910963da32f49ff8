"""Numba kernels of the linearised baselines (SPEC §4 random-feature / NTK).

NTK (the network linearised at W0): F_lin(W) = F(W0) + <W − W0, ∇_W F(W0)>, i.e.

    F_lin[kk, n, i] = F0[kk, n, i] + Σ_{r,p} S0[n·P+p, j]·(A[n·P+p, j] − A0[n·P+p, j])
                    = C0[kk, n, i] + Σ_{r,p} S0[n·P+p, j]·A[n·P+p, j],

with j = (kk·k + i)·m + r, A = the current pre-activations (as in ``_kernels``), A0 those of
W0, S0 = s'(A0) the frozen gates and C0 = F0 − Σ_{r,p} S0·A0 (both computed once by the
wrapper, dynamics/linear.py). Its gradient is the network's with s'(A) replaced by S0, so a
step is the network kernel's step with ``_activate`` replaced by :func:`_linearise`; the loss,
the stop rule, G = dF·S0 and the updates are the network kernels' own functions and loops.

Random features (the readout over frozen random filters): Phi (K, N, J1) with J1 = k·m,
Phi[kk, n, j] = Σ_p s(<w0_j, x_{n,p}>) for model kk's initial filters, and a trainable readout
B (K, k, J1): F[kk, n, i] = Σ_j B[kk, i, j]·Phi[kk, n, j]. B starts as the network's own
readout (B[i, j] = 1 when filter j belongs to class i), so F = F(W0) at initialisation.

Kernels take arrays and scalars only; contract as ``_kernels._run_dense``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import _all_finite, _loss, _scale_by_outputs, _stop_check


@njit(cache=True, nogil=True)
def _linearise(A, S0, C0, F, n_classes, n_neurons, n_patches):
    """F ← C0 + Σ_{r,p} S0·A per (model, sample, class); then A ← S0 (the fixed gates)."""
    NP, J = A.shape
    F[:] = C0
    for row in range(NP):
        n = row // n_patches
        for j in range(J):
            kk = j // (n_classes * n_neurons)
            i = (j // n_neurons) % n_classes
            F[kk, n, i] += S0[row, j] * A[row, j]
            A[row, j] = S0[row, j]


@njit(cache=True, nogil=True)
def _linear_loss(A, S0, C0, y, n_classes, n_neurons, n_patches, loss_kind, active, F, dF, G_avg,
                 loss_t, acc_t, teacher, extra):
    """Linearised outputs, losses and dF; A ends as S0. True if every loss is finite."""
    K = F.shape[0]
    _linearise(A, S0, C0, F, n_classes, n_neurons, n_patches)
    _loss(F, y, loss_kind, active, dF, G_avg, loss_t, acc_t, teacher, extra)
    return _all_finite(loss_t)


@njit(cache=True, nogil=True)
def _run_ntk_dense(W, X, S0, C0, y, n_classes, n_neurons, n_patches, lr, n_steps, loss_kind,
                   stop_full, active, teacher, extra, t0, out_loss, out_acc, out_stop):
    """GD on the NTK linearisation, dense weights W (J, d) in place; S0 (N·P, J); C0 (K, N, k)."""
    J, d = W.shape
    K = active.shape[0]
    N = y.shape[0]
    F = np.zeros((K, N, n_classes))
    dF = np.zeros((K, N, n_classes))
    G_avg = np.zeros((N, n_classes))
    for t in range(n_steps):
        A = np.dot(X, W.T)  # (N·P, J)
        if not _linear_loss(A, S0, C0, y, n_classes, n_neurons, n_patches, loss_kind, active, F, dF,
                            G_avg, out_loss[t0 + t], out_acc[t0 + t], teacher, extra):
            return t, t0 + t
        if not _stop_check(t0 + t, stop_full, out_acc[t0 + t], active, out_stop):
            return t, -1
        _scale_by_outputs(A, dF, active, n_classes, n_neurons, n_patches)  # A = dF·S0
        grad = np.dot(A.T, X)  # (J, d)
        for j in range(J):
            if active[j // (n_classes * n_neurons)]:
                for c in range(d):
                    W[j, c] -= lr * grad[j, c]
    return n_steps, -1


@njit(cache=True, nogil=True)
def _run_ntk_infinite(a, cT, coef, S0, C0, y, n_classes, n_neurons, n_patches, noise_sq, lr,
                      n_steps, loss_kind, stop_full, active, teacher, extra, t0, out_loss,
                      out_acc, out_stop):
    """GD on the NTK linearisation of the infinite-dimension model (a, cT in place)."""
    J, k2 = a.shape
    NP = cT.shape[0]
    K = active.shape[0]
    N = y.shape[0]
    F = np.zeros((K, N, n_classes))
    dF = np.zeros((K, N, n_classes))
    G_avg = np.zeros((N, n_classes))
    for t in range(n_steps):
        A = np.dot(coef, a.T)  # (N·P, J)
        A += cT
        if not _linear_loss(A, S0, C0, y, n_classes, n_neurons, n_patches, loss_kind, active, F, dF,
                            G_avg, out_loss[t0 + t], out_acc[t0 + t], teacher, extra):
            return t, t0 + t
        if not _stop_check(t0 + t, stop_full, out_acc[t0 + t], active, out_stop):
            return t, -1
        _scale_by_outputs(A, dF, active, n_classes, n_neurons, n_patches)  # A = dF·S0
        grad = np.dot(A.T, coef)  # (J, 2k)
        step_c = lr * noise_sq
        for j in range(J):
            if active[j // (n_classes * n_neurons)]:
                for c in range(k2):
                    a[j, c] -= lr * grad[j, c]
        for row in range(NP):
            for j in range(J):
                cT[row, j] -= step_c * A[row, j]
    return n_steps, -1


@njit(cache=True, nogil=True)
def _run_rf(B, Phi, y, lr, n_steps, loss_kind, stop_full, active, teacher, extra, t0, out_loss,
            out_acc, out_stop):
    """GD on the random-feature readouts B (K, k, J1) in place; Phi (K, N, J1) frozen features."""
    K, k, J1 = B.shape
    N = y.shape[0]
    F = np.zeros((K, N, k))
    dF = np.zeros((K, N, k))
    G_avg = np.zeros((N, k))
    for t in range(n_steps):
        for kk in range(K):
            F[kk] = np.dot(Phi[kk], B[kk].T)  # (N, k)
        _loss(F, y, loss_kind, active, dF, G_avg, out_loss[t0 + t], out_acc[t0 + t], teacher, extra)
        for kk in range(K):
            if not np.isfinite(out_loss[t0 + t, kk]):
                return t, t0 + t
        if not _stop_check(t0 + t, stop_full, out_acc[t0 + t], active, out_stop):
            return t, -1
        for kk in range(K):
            if active[kk]:
                B[kk] -= lr * np.dot(dF[kk].T, Phi[kk])  # (k, J1)
    return n_steps, -1
