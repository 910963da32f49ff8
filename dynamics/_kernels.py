"""Numba kernels: whole runs of full-batch gradient descent inside compiled code.

Layout. K models of k classes and m filters are stacked as J = K·k·m columns, column
j = (kk·k + i)·m + r. Both backends reduce one step to:

1. pre-activations A (N·P, J): dense ``X @ W.T``; infinite ``coef @ a.T + c``;
2. :func:`_outputs_and_loss` — one fused pass over A computes F (K, N, k) from s(A) and
   overwrites A with s'(A); the loss gives dF (K, N, k); models that reached 100% training
   accuracy stop here; a second pass turns A into G = dF·s'(A), zero for stopped models;
3. the update: dense ``W -= η·G.T @ X``; infinite ``a -= η·G.T @ coef`` and
   ``c -= η·s_p²·G`` (each training patch's noise is orthogonal to everything else).

The two contractions are BLAS GEMMs (``np.dot``); everything elementwise is fused into two
passes. Kernels take arrays and scalars only and write into preallocated outputs.

Loss kinds (``loss_kind``): ``CE`` — each model on its own cross-entropy (single model and
ensemble members); ``CE_AVERAGE`` — the cross-entropy of the average output G = (1/K)·ΣF
(training the average; every member gets dG/K); ``DISTILL_TRUNCATED`` and
``DISTILL_HINTON`` — a student's step against teacher outputs ``teacher`` (N, k), with the
form's constants in ``extra`` (theory/distill.py is the specification):

- ``DISTILL_TRUNCATED``: extra = [τ, η'/η, truncation code] with codes ``TRUNC_SPEC``,
  ``TRUNC_BOUNDED``, ``TRUNC_NONE``; dF = (softmax(F) − onehot)/N + (η'/η)·d/N;
- ``DISTILL_HINTON``: extra = [α, T]; dF = (α·(softmax(F) − onehot) + (1−α)·T·(softmax(F/T)
  − softmax(G/T)))/N. The loss recorded is the cross-entropy (truncated: the update has no
  loss) or the Hinton objective.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

CE = 0
CE_AVERAGE = 1
DISTILL_TRUNCATED = 2
DISTILL_HINTON = 3

TRUNC_SPEC = 0
TRUNC_BOUNDED = 1
TRUNC_NONE = 2


@njit(cache=True, nogil=True)
def _activate(A, F, n_models, n_classes, n_neurons, n_patches, power, threshold):
    """F[kk, n, i] = Σ_{r,p} s(A[n·P+p, (kk·k+i)·m+r]); A is overwritten with s'(A)."""
    NP, J = A.shape
    q = power
    c_lin = (1.0 - 1.0 / q) * threshold
    F[:] = 0.0
    for row in range(NP):
        n = row // n_patches
        for j in range(J):
            z = A[row, j]
            if z <= 0.0:
                A[row, j] = 0.0
                continue
            kk = j // (n_classes * n_neurons)
            i = (j // n_neurons) % n_classes
            if z >= threshold:
                F[kk, n, i] += z - c_lin
                A[row, j] = 1.0
            else:
                u = z / threshold  # in (0, 1): the power cannot overflow
                uq1 = u ** (q - 1)
                F[kk, n, i] += threshold * uq1 * u / q
                A[row, j] = uq1


@njit(cache=True, nogil=True)
def _softmax_ce(F_row, label, dF_row, scale):
    """Cross-entropy of one row (log-sum-exp stabilised); dF_row ← scale·(softmax − onehot)."""
    k = F_row.shape[0]
    mx = F_row[0]
    best = 0
    for i in range(1, k):
        if F_row[i] > mx:
            mx = F_row[i]
            best = i
    tot = 0.0
    for i in range(k):
        tot += math.exp(F_row[i] - mx)
    lse = mx + math.log(tot)
    for i in range(k):
        dF_row[i] = scale * math.exp(F_row[i] - lse)
    dF_row[label] -= scale
    return lse - F_row[label], best == label


@njit(cache=True, nogil=True)
def _tempered_logits(F_row, temperature, out):
    """out ← exp(min(τ²F_i, 1)/τ) / Σ_j exp(min(τ²F_j, 1)/τ) for one row."""
    k = F_row.shape[0]
    mx = -np.inf
    for i in range(k):
        out[i] = min(temperature * temperature * F_row[i], 1.0) / temperature
        if out[i] > mx:
            mx = out[i]
    tot = 0.0
    for i in range(k):
        out[i] = math.exp(out[i] - mx)
        tot += out[i]
    for i in range(k):
        out[i] /= tot


@njit(cache=True, nogil=True)
def _softmax_scaled(F_row, inv_temp, out):
    """out ← softmax(F_row·inv_temp); returns log Σ exp (for the KL)."""
    k = F_row.shape[0]
    mx = F_row[0] * inv_temp
    for i in range(1, k):
        if F_row[i] * inv_temp > mx:
            mx = F_row[i] * inv_temp
    tot = 0.0
    for i in range(k):
        out[i] = math.exp(F_row[i] * inv_temp - mx)
        tot += out[i]
    for i in range(k):
        out[i] /= tot
    return mx + math.log(tot)


@njit(cache=True, nogil=True)
def _distill_loss(F, y, loss_kind, teacher, extra, dF, out_loss, out_acc):
    """Student losses (see the module docstring): cross-entropy part, then the teacher term."""
    K, N, k = F.shape
    ls = np.empty(k)
    lt = np.empty(k)
    for kk in range(K):
        tot = 0.0
        hits = 0
        for n in range(N):
            if loss_kind == DISTILL_TRUNCATED:
                ln, hit = _softmax_ce(F[kk, n], y[n], dF[kk, n], 1.0 / N)
                tau, ratio, code = extra[0], extra[1], int(extra[2])
                _tempered_logits(F[kk, n], tau, ls)
                _tempered_logits(teacher[n], tau, lt)
                for i in range(k):
                    gap = ls[i] - lt[i]
                    if code != TRUNC_NONE:
                        gap = min(0.0, gap)
                        if code == TRUNC_BOUNDED and F[kk, n, i] >= teacher[n, i]:
                            gap = 0.0
                    dF[kk, n, i] += ratio * gap / N
            else:  # DISTILL_HINTON
                alpha, T = extra[0], extra[1]
                ln, hit = _softmax_ce(F[kk, n], y[n], dF[kk, n], alpha / N)
                ln *= alpha
                lse_s = _softmax_scaled(F[kk, n], 1.0 / T, ls)
                lse_t = _softmax_scaled(teacher[n], 1.0 / T, lt)
                kl = 0.0
                for i in range(k):
                    # log lt_i − log ls_i = (G_i − F_i)/T − lse_t + lse_s
                    kl += lt[i] * ((teacher[n, i] - F[kk, n, i]) / T - lse_t + lse_s)
                    dF[kk, n, i] += (1.0 - alpha) * T * (ls[i] - lt[i]) / N
                ln += (1.0 - alpha) * T * T * kl
            tot += ln
            hits += hit
        out_loss[kk] = tot / N
        out_acc[kk] = hits / N


@njit(cache=True, nogil=True)
def _loss(F, y, loss_kind, active, dF, G_avg, out_loss, out_acc, teacher, extra):
    """Per-model loss and training accuracy into out_loss/out_acc (K,); dF (K, N, k)."""
    K, N, k = F.shape
    dF[:] = 0.0
    if loss_kind == DISTILL_TRUNCATED or loss_kind == DISTILL_HINTON:
        _distill_loss(F, y, loss_kind, teacher, extra, dF, out_loss, out_acc)
        return
    if loss_kind == CE_AVERAGE:
        G_avg[:] = 0.0
        for kk in range(K):
            for n in range(N):
                for i in range(k):
                    G_avg[n, i] += F[kk, n, i] / K
        tot = 0.0
        hits = 0
        for n in range(N):
            ln, hit = _softmax_ce(G_avg[n], y[n], dF[0, n], 1.0 / (N * K))
            tot += ln
            hits += hit
        for kk in range(K):
            dF[kk] = dF[0]
            out_loss[kk] = tot / N
            out_acc[kk] = hits / N
        return
    for kk in range(K):
        tot = 0.0
        hits = 0
        for n in range(N):
            ln, hit = _softmax_ce(F[kk, n], y[n], dF[kk, n], 1.0 / N)
            tot += ln
            hits += hit
        out_loss[kk] = tot / N
        out_acc[kk] = hits / N


@njit(cache=True, nogil=True)
def _scale_by_outputs(A, dF, active, n_classes, n_neurons, n_patches):
    """A ← dF[kk, n, i]·A in place (A holds s'), zero for inactive models: G."""
    NP, J = A.shape
    for row in range(NP):
        n = row // n_patches
        for j in range(J):
            kk = j // (n_classes * n_neurons)
            if active[kk]:
                A[row, j] *= dF[kk, n, (j // n_neurons) % n_classes]
            else:
                A[row, j] = 0.0


@njit(cache=True, nogil=True)
def _outputs_and_loss(A, y, n_classes, n_neurons, n_patches, power, threshold, loss_kind,
                      active, F, dF, G_avg, loss_t, acc_t, teacher, extra):
    """F and s'(A) (into A), then losses and dF; returns True if every loss is finite."""
    K = F.shape[0]
    _activate(A, F, K, n_classes, n_neurons, n_patches, power, threshold)
    _loss(F, y, loss_kind, active, dF, G_avg, loss_t, acc_t, teacher, extra)
    for kk in range(K):
        if not math.isfinite(loss_t[kk]):
            return False
    return True


@njit(cache=True, nogil=True)
def _stop_check(t, stop_full, acc_t, active, out_stop):
    """Freeze every model that reached 100% training accuracy; True if any is left."""
    K = acc_t.shape[0]
    left = False
    for kk in range(K):
        if active[kk] and stop_full and acc_t[kk] >= 1.0:
            active[kk] = False
            out_stop[kk] = t
        left = left or active[kk]
    return left


@njit(cache=True, nogil=True)
def _run_dense(W, X, y, n_classes, n_neurons, n_patches, lr, n_steps, power, threshold,
               loss_kind, stop_full, active, teacher, extra, t0, out_loss, out_acc, out_stop):
    """Up to ``n_steps`` GD steps on stacked dense weights, in place.

    W (J, d) with J = K·k·m; X (N·P, d); y (N,); active (K,) bool, cleared when a model
    stops; out_loss/out_acc (n_steps, K) record the loss and accuracy *before* each step;
    out_stop (K,) gets the step at which a model stopped. Returns (steps done, first
    non-finite step or -1). Step s of the call is step t0 + s of the run: out_loss[t0 + s],
    out_acc[t0 + s] and out_stop use run steps. A model that stops at step t keeps W(t): its
    step is not taken.
    """
    J, d = W.shape
    K = active.shape[0]
    N = y.shape[0]
    F = np.zeros((K, N, n_classes))
    dF = np.zeros((K, N, n_classes))
    G_avg = np.zeros((N, n_classes))
    for t in range(n_steps):
        A = np.dot(X, W.T)  # (N·P, J)
        ok = _outputs_and_loss(A, y, n_classes, n_neurons, n_patches, power, threshold,
                               loss_kind, active, F, dF, G_avg, out_loss[t0 + t], out_acc[t0 + t],
                               teacher, extra)
        if not ok:
            return t, t0 + t
        if not _stop_check(t0 + t, stop_full, out_acc[t0 + t], active, out_stop):
            return t, -1
        _scale_by_outputs(A, dF, active, n_classes, n_neurons, n_patches)  # A = G
        grad = np.dot(A.T, X)  # (J, d)
        for j in range(J):
            if active[j // (n_classes * n_neurons)]:
                for c in range(d):
                    W[j, c] -= lr * grad[j, c]
    return n_steps, -1


@njit(cache=True, nogil=True)
def _run_infinite(a, cT, coef, y, n_classes, n_neurons, n_patches, noise_sq, lr, n_steps,
                  power, threshold, loss_kind, stop_full, active, teacher, extra,
                  t0, out_loss, out_acc, out_stop):
    """The infinite-dimension model (SPEC §2): same contract as :func:`_run_dense`.

    a (J, 2k) feature coordinates; cT (N·P, J) noise coordinates <w_j, ξ_{n,p}>;
    coef (N·P, 2k) feature coefficients; noise_sq = s_p².
    """
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
        ok = _outputs_and_loss(A, y, n_classes, n_neurons, n_patches, power, threshold,
                               loss_kind, active, F, dF, G_avg, out_loss[t0 + t], out_acc[t0 + t],
                               teacher, extra)
        if not ok:
            return t, t0 + t
        if not _stop_check(t0 + t, stop_full, out_acc[t0 + t], active, out_stop):
            return t, -1
        _scale_by_outputs(A, dF, active, n_classes, n_neurons, n_patches)  # A = G
        grad = np.dot(A.T, coef)  # (J, 2k)
        step_c = lr * noise_sq
        for j in range(J):
            if active[j // (n_classes * n_neurons)]:
                for c in range(k2):
                    a[j, c] -= lr * grad[j, c]
        for row in range(NP):  # inactive models have G = 0 in A
            for j in range(J):
                cT[row, j] -= step_c * A[row, j]
    return n_steps, -1
