"""Numba kernels: whole runs of full-batch gradient descent inside compiled code.

Layout. K models of k classes and m filters are stacked as J = K·k·m columns, column
j = (kk·k + i)·m + r. Both backends reduce one step to:

1. pre-activations A (N·P, J): dense ``X @ W.T``; infinite ``coef @ a.T + cT``;
2. one fused pass over A computes F (K, N, k) from s(A) and overwrites A with s'(A); the
   loss gives dF (K, N, k); models that reached 100% training accuracy stop here;
3. the update with G = dF·s'(A) (zero for stopped models): dense ``W -= η·G.T @ X``;
   infinite ``a -= η·G.T @ coef`` and ``cT -= η·s_p²·G`` (each training patch's noise is
   orthogonal to everything else).

Dense: the two contractions are BLAS GEMMs (``np.dot`` into buffers allocated once per
call, not per step); the elementwise work is two passes over A (:func:`_activate`,
:func:`_scale_by_outputs`) written as loops over the contiguous column index that LLVM
vectorises. Infinite: the step is memory-bound (inner GEMM size 2k), so it is organised
by cache-sized blocks of whole samples: pass 1 (:func:`_activate_infinite`) computes
``coef @ a.T`` for a block with BLAS, adds cT and writes only s' to A; pass 2
(:func:`_update_noise`) forms G for a block, updates cT in the same sweep and accumulates
``G.T @ coef`` with BLAS. Per step that is cT read twice and written once, A written once
and read once. Kernels take arrays and scalars only and write into preallocated outputs;
everything runs on the calling thread except BLAS.

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
def _activation_constants(A, power, threshold):
    """(1/ϱ, ϱ/q, (1 − 1/q)·ϱ, ϱ, 0, 1) as an array of A's dtype, so float32 stays float32 SIMD."""
    cst = np.empty(6, A.dtype)
    cst[0] = 1.0 / threshold
    cst[1] = threshold / power
    cst[2] = (1.0 - 1.0 / power) * threshold
    cst[3] = threshold
    cst[4] = 0.0
    cst[5] = 1.0
    return cst


@njit(cache=True, nogil=True)
def _activate_row(z, out, u, pw, S, power, cst):
    """One row of pre-activations z (J,): S += s(z) (float64), out ← s'(z); z may be out.

    Loops over the contiguous column index that LLVM can vectorise: u = clamp(z/ϱ, 0, 1)
    (a NaN stays NaN, so divergence is still detected), s'(z) = u^{q−1} on every branch,
    s(z) = z − (1 − 1/q)·ϱ above ϱ and ϱ·u^q/q below.
    """
    inv_thr, thr_q, c_lin, thr, zero, one = cst[0], cst[1], cst[2], cst[3], cst[4], cst[5]
    J = z.shape[0]
    for j in range(J):
        v = z[j] * inv_thr
        if v < zero:
            v = zero
        if v > one:
            v = one
        u[j] = v
        pw[j] = v
    for _ in range(power - 2):  # pw = u^{q−1}
        for j in range(J):
            pw[j] *= u[j]
    for j in range(J):
        zj = z[j]
        S[j] += zj - c_lin if zj > thr else thr_q * pw[j] * u[j]
        out[j] = pw[j]


@njit(cache=True, nogil=True)
def _sum_filters(S, F, n, n_models, n_classes, n_neurons):
    """F[kk, n, i] = Σ_r S[(kk·k+i)·m+r]: one sample's outputs from its per-column sums."""
    for kk in range(n_models):
        for i in range(n_classes):
            base = (kk * n_classes + i) * n_neurons
            tot = 0.0
            for r in range(n_neurons):
                tot += S[base + r]
            F[kk, n, i] = tot


@njit(cache=True, nogil=True)
def _activate(A, F, n_models, n_classes, n_neurons, n_patches, power, threshold):
    """F[kk, n, i] = Σ_{r,p} s(A[n·P+p, (kk·k+i)·m+r]); A is overwritten with s'(A).

    One pass over A, row by row (see :func:`_activate_row`); sums over patches go into a
    per-sample row buffer, summed over filters once per sample.
    """
    NP, J = A.shape
    cst = _activation_constants(A, power, threshold)
    u = np.empty(J, A.dtype)
    pw = np.empty(J, A.dtype)
    S = np.empty(J)  # Σ_p s(A[n·P+p, j]) of the current sample, float64
    for n in range(NP // n_patches):
        S[:] = 0.0
        for p in range(n_patches):
            Arow = A[n * n_patches + p]
            _activate_row(Arow, Arow, u, pw, S, power, cst)
        _sum_filters(S, F, n, n_models, n_classes, n_neurons)


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
def _output_weights(dF, active, n, n_classes, n_neurons, D):
    """D[j] = dF[kk, n, i] for column j = (kk·k+i)·m+r of an active model, 0 otherwise."""
    for kk in range(dF.shape[0]):
        for i in range(n_classes):
            base = (kk * n_classes + i) * n_neurons
            v = dF[kk, n, i] if active[kk] else 0.0
            for r in range(n_neurons):
                D[base + r] = v


@njit(cache=True, nogil=True)
def _scale_by_outputs(A, dF, active, n_classes, n_neurons, n_patches):
    """A ← dF[kk, n, i]·A in place (A holds s'), zero for inactive models: G."""
    NP, J = A.shape
    D = np.empty(J, A.dtype)
    for n in range(NP // n_patches):
        _output_weights(dF, active, n, n_classes, n_neurons, D)
        for p in range(n_patches):
            Arow = A[n * n_patches + p]
            for j in range(J):
                Arow[j] *= D[j]


@njit(cache=True, nogil=True)
def _all_finite(loss_t):
    """True if every model's loss is finite (a NaN or inf loss means the weights diverged)."""
    for kk in range(loss_t.shape[0]):
        if not math.isfinite(loss_t[kk]):
            return False
    return True


@njit(cache=True, nogil=True)
def _outputs_and_loss(A, y, n_classes, n_neurons, n_patches, power, threshold, loss_kind,
                      active, F, dF, G_avg, loss_t, acc_t, teacher, extra):
    """F and s'(A) (into A), then losses and dF; returns True if every loss is finite."""
    K = F.shape[0]
    _activate(A, F, K, n_classes, n_neurons, n_patches, power, threshold)
    _loss(F, y, loss_kind, active, dF, G_avg, loss_t, acc_t, teacher, extra)
    return _all_finite(loss_t)


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
def _own_view_lambda(a, n_classes, n_neurons, out_row):
    """out_row[kk, i, l] = max_r max(0, a[(kk·k+i)·m+r, 2i+l]): Λ of every model (K, k, 2)."""
    out_row[:] = 0.0
    for j in range(a.shape[0]):
        kk = j // (n_classes * n_neurons)
        i = (j // n_neurons) % n_classes
        for l in range(2):
            v = a[j, 2 * i + l]
            if v > out_row[kk, i, l]:
                out_row[kk, i, l] = v


@njit(cache=True, nogil=True)
def _own_view_lambda_dense(W, feat, n_classes, n_neurons, out_row):
    """Λ (K, k, 2) of dense weights W (J, d) against the views feat (2k, d); J·2·d flops."""
    out_row[:] = 0.0
    d = W.shape[1]
    for j in range(W.shape[0]):
        kk = j // (n_classes * n_neurons)
        i = (j // n_neurons) % n_classes
        for l in range(2):
            v = 0.0
            for c in range(d):
                v += W[j, c] * feat[2 * i + l, c]
            if v > out_row[kk, i, l]:
                out_row[kk, i, l] = v


@njit(cache=True, nogil=True)
def _run_dense(W, X, y, n_classes, n_neurons, n_patches, lr, n_steps, power, threshold,
               loss_kind, stop_full, active, teacher, extra, t0, out_loss, out_acc, out_stop,
               feat, out_lam):
    """Up to ``n_steps`` GD steps on stacked dense weights, in place.

    W (J, d) with J = K·k·m; X (N·P, d); y (N,); active (K,) bool, cleared when a model
    stops; out_loss/out_acc (n_steps, K) record the loss and accuracy *before* each step;
    out_stop (K,) gets the step at which a model stopped. Returns (steps done, first
    non-finite step or -1). out_lam (n_steps_total, K, k, 2) gets Λ_{i,l} of the weights before
    each step (feat (2k, d) holds the views). Step s of the call is step t0 + s of the run: out_loss[t0 + s],
    out_acc[t0 + s] and out_stop use run steps. A model that stops at step t keeps W(t): its
    step is not taken.
    """
    J, d = W.shape
    K = active.shape[0]
    N = y.shape[0]
    F = np.zeros((K, N, n_classes))
    dF = np.zeros((K, N, n_classes))
    G_avg = np.zeros((N, n_classes))
    A = np.empty((X.shape[0], J), W.dtype)  # (N·P, J) pre-activations, then s', then G
    # The backward GEMM's orientation: scipy's OpenBLAS (the one numba calls) computed
    # Xᵀ·G (d, J) 1.3× faster than Gᵀ·X (J, d) in float32 and 1.2× slower in float64 at the
    # benchmark's sizes (bench/gd_step.py), so float32 gets the transposed gradient.
    transposed = W.itemsize == 4
    grad = np.empty((d, J) if transposed else (J, d), W.dtype)
    for t in range(n_steps):
        _own_view_lambda_dense(W, feat, n_classes, n_neurons, out_lam[t0 + t])
        np.dot(X, W.T, A)  # (N·P, J), into the buffer: no allocation per step
        ok = _outputs_and_loss(A, y, n_classes, n_neurons, n_patches, power, threshold,
                               loss_kind, active, F, dF, G_avg, out_loss[t0 + t], out_acc[t0 + t],
                               teacher, extra)
        if not ok:
            return t, t0 + t
        if not _stop_check(t0 + t, stop_full, out_acc[t0 + t], active, out_stop):
            return t, -1
        _scale_by_outputs(A, dF, active, n_classes, n_neurons, n_patches)  # A = G
        if transposed:
            np.dot(X.T, A, grad)  # (d, J)
            for j in range(J):
                if active[j // (n_classes * n_neurons)]:
                    for c in range(d):
                        W[j, c] -= lr * grad[c, j]
        else:
            np.dot(A.T, X, grad)  # (J, d)
            for j in range(J):
                if active[j // (n_classes * n_neurons)]:
                    for c in range(d):
                        W[j, c] -= lr * grad[j, c]
    return n_steps, -1


@njit(cache=True, nogil=True)
def _block_rows(J, n_patches, itemsize):
    """Rows per block of the infinite kernel: whole samples, about 256 KiB of (rows, J), so a
    block stays in L2 (≥ 512 KiB on current x86 cores) next to aᵀ and the row buffers."""
    per_sample = n_patches * J * itemsize
    return n_patches * max(1, (256 * 1024) // per_sample)


@njit(cache=True, nogil=True)
def _activate_infinite(a, cT, coef, A, buf, F, n_models, n_classes, n_neurons, n_patches,
                       power, threshold):
    """:func:`_activate` of the pre-activations coef·aᵀ + cT without storing them.

    By blocks of whole samples: the small GEMM (inner size 2k) goes to BLAS into a
    cache-sized buffer, cT is added there, and only s' is written to A (N·P, J). So one
    pass reads cT once and writes A once; F (K, N, k) gets the outputs.
    """
    NP, J = A.shape
    B = buf.shape[0]
    cst = _activation_constants(A, power, threshold)
    u = np.empty(J, A.dtype)
    pw = np.empty(J, A.dtype)
    S = np.empty(J)
    for r0 in range(0, NP, B):
        r1 = min(r0 + B, NP)
        blk = buf[:r1 - r0]
        np.dot(coef[r0:r1], a.T, blk)  # (rows, J)
        for n in range(r0 // n_patches, r1 // n_patches):
            S[:] = 0.0
            for p in range(n_patches):
                row = n * n_patches + p
                z = blk[row - r0]
                crow = cT[row]
                for j in range(J):
                    z[j] += crow[j]
                _activate_row(z, A[row], u, pw, S, power, cst)
            _sum_filters(S, F, n, n_models, n_classes, n_neurons)


@njit(cache=True, nogil=True)
def _update_noise(A, dF, active, coef, cT, step_c, n_classes, n_neurons, n_patches,
                  buf, tmp, grad):
    """One fused pass over s' (A) by blocks of whole samples: G = dF·s' into a cache-sized
    buffer, cT ← cT − step_c·G, and grad = Gᵀ·coef (J, 2k) accumulated block by block
    with BLAS. A is only read; inactive models get G = 0."""
    NP, J = A.shape
    B = buf.shape[0]
    D = np.empty(J, A.dtype)
    st = np.empty(1, A.dtype)
    st[0] = step_c  # in A's dtype, so float32 stays float32 SIMD
    s_c = st[0]
    grad[:] = 0.0
    for r0 in range(0, NP, B):
        r1 = min(r0 + B, NP)
        blk = buf[:r1 - r0]
        for n in range(r0 // n_patches, r1 // n_patches):
            _output_weights(dF, active, n, n_classes, n_neurons, D)
            for p in range(n_patches):
                row = n * n_patches + p
                Arow = A[row]
                crow = cT[row]
                grow = blk[row - r0]
                for j in range(J):
                    g = D[j] * Arow[j]
                    grow[j] = g
                    crow[j] -= s_c * g
        np.dot(blk.T, coef[r0:r1], tmp)  # (J, 2k)
        for j in range(J):
            for c in range(grad.shape[1]):
                grad[j, c] += tmp[j, c]


@njit(cache=True, nogil=True)
def _run_infinite(a, cT, coef, y, n_classes, n_neurons, n_patches, noise_sq, lr, n_steps,
                  power, threshold, loss_kind, stop_full, active, teacher, extra,
                  t0, out_loss, out_acc, out_stop, out_lam):
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
    A = np.empty((NP, J), a.dtype)  # (N·P, J) s'(pre-activations)
    block = _block_rows(J, n_patches, a.itemsize)
    buf = np.empty((block, J), a.dtype)  # one block of rows: coef·aᵀ, then G
    tmp = np.empty((J, k2), a.dtype)
    grad = np.empty((J, k2), a.dtype)
    for t in range(n_steps):
        _own_view_lambda(a, n_classes, n_neurons, out_lam[t0 + t])
        # F and A = s'(coef·aᵀ + cT) in one pass; then the loss (as _outputs_and_loss does)
        _activate_infinite(a, cT, coef, A, buf, F, K, n_classes, n_neurons, n_patches,
                           power, threshold)
        _loss(F, y, loss_kind, active, dF, G_avg, out_loss[t0 + t], out_acc[t0 + t], teacher, extra)
        if not _all_finite(out_loss[t0 + t]):
            return t, t0 + t
        if not _stop_check(t0 + t, stop_full, out_acc[t0 + t], active, out_stop):
            return t, -1
        _update_noise(A, dF, active, coef, cT, lr * noise_sq, n_classes, n_neurons, n_patches,
                      buf, tmp, grad)  # grad = Gᵀ·coef, cT -= η·s_p²·G
        for j in range(J):
            if active[j // (n_classes * n_neurons)]:
                for c in range(k2):
                    a[j, c] -= lr * grad[j, c]
    return n_steps, -1
