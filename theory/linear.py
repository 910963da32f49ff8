"""The linearised baselines of SPEC §4, in plain NumPy: the executable specification.

NTK: the network linearised at its initialisation W0 (k, m, d),

    F_lin(W; X) = F(W0; X) + <W − W0, ∇_W F(W0; X)>,
    ∇_{w_{i,r}} F_i(W0; X) = Σ_p s'(<w0_{i,r}, x_p>)·x_p     (and 0 for the other classes),

so F_lin_i(X) = Σ_{r,p} [ s(A0) + s'(A0)·(<w_{i,r}, x_p> − A0) ] with A0 = <w0_{i,r}, x_p>.
It is linear in W, equals F at W0 and has the same gradient there.

Random features: the filters stay at W0 and a readout B (k, k·m) is trained,
F_rf_i(X) = Σ_j B[i, j]·Σ_p s(<w0_j, x_p>) over all k·m initial filters j = i'·m + r.
B = the network's own readout (1 on the class's filters) gives F_rf = F(W0).
"""

from __future__ import annotations

import numpy as np

from .model import cross_entropy, output_grad, preactivations, smoothed_relu, smoothed_relu_grad


def ntk_forward(W: np.ndarray, W0: np.ndarray, X: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """F_lin (N, k) for weights W and expansion point W0 (k, m, d), patches X (N, P, d)."""
    A0 = preactivations(W0, X)  # (N, P, k, m)
    A = preactivations(W, X)
    lin = smoothed_relu(A0, power, threshold) + smoothed_relu_grad(A0, power, threshold) * (A - A0)
    return lin.sum(axis=(1, 3))


def ntk_weight_grad(W0: np.ndarray, X: np.ndarray, dF: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """Σ_n dF[n,i]·∇_{w_{i,r}} F_lin_i = Σ_n dF[n,i] Σ_p s'(A0)·x_{n,p}: (k, m, d); independent of W."""
    S0 = smoothed_relu_grad(preactivations(W0, X), power, threshold)  # (N, P, k, m)
    return np.einsum("npir,npd->ird", S0 * dF[:, None, :, None], X, optimize=True)


def ntk_loss_and_grad(W: np.ndarray, W0: np.ndarray, X: np.ndarray, y: np.ndarray, power: int,
                      threshold: float):
    """Mean cross-entropy of F_lin and its gradient with respect to W (k, m, d)."""
    F = ntk_forward(W, W0, X, power, threshold)
    return cross_entropy(F, y), ntk_weight_grad(W0, X, output_grad(F, y), power, threshold)


def rf_features(W0: np.ndarray, X: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """Phi (N, k·m): Σ_p s(<w0_j, x_{n,p}>) for every initial filter j = i·m + r."""
    A0 = preactivations(W0, X)  # (N, P, k, m)
    n = X.shape[0]
    return smoothed_relu(A0, power, threshold).sum(axis=1).reshape(n, -1)


def rf_forward(B: np.ndarray, W0: np.ndarray, X: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """F_rf (N, k) = Phi·Bᵀ for readout B (k, k·m)."""
    return rf_features(W0, X, power, threshold) @ B.T


def rf_loss_and_grad(B: np.ndarray, W0: np.ndarray, X: np.ndarray, y: np.ndarray, power: int,
                     threshold: float):
    """Mean cross-entropy of F_rf and its gradient with respect to B (k, k·m)."""
    Phi = rf_features(W0, X, power, threshold)
    F = Phi @ B.T
    return cross_entropy(F, y), output_grad(F, y).T @ Phi
