"""The smoothed-ReLU patch network, its loss and gradient (SPEC §3), in plain NumPy.

F_i(X) = Σ_{r<m} Σ_{p<P} s(<w_{i,r}, x_p>) with W of shape (k, m, d) — filter r of class i
is ``W[i, r]``. s is the smoothed ReLU with power q (``power``) and threshold ϱ
(``threshold``). The loss is the mean cross-entropy of softmax(F); with
dF = (softmax(F) − onehot(y)) / N the gradient is
grad w_{i,r} = Σ_n dF[n,i] · Σ_p s'(<w_{i,r}, x_{n,p}>) · x_{n,p}.

This module is the executable specification: every compiled kernel is tested against it.
"""

from __future__ import annotations

import numpy as np


def smoothed_relu(z: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """s(z): 0 for z ≤ 0, z^q/(q·ϱ^{q−1}) on (0, ϱ], z − (1 − 1/q)·ϱ above ϱ.

    Written as ϱ·u^q/q with u = clip(z/ϱ, 0, 1), so no branch can overflow: the power only
    ever sees numbers in [0, 1].
    """
    z = np.asarray(z)
    u = np.clip(z / threshold, 0.0, 1.0)
    poly = threshold * u**power / power
    return np.where(z > threshold, z - (1.0 - 1.0 / power) * threshold, poly)


def smoothed_relu_grad(z: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """s'(z): 0 for z ≤ 0, (z/ϱ)^{q−1} on (0, ϱ], 1 above ϱ (clamped before the power)."""
    u = np.clip(np.asarray(z) / threshold, 0.0, 1.0)
    return u ** (power - 1)


def preactivations(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """<w_{i,r}, x_{n,p}> as an (N, P, k, m) array, for W (k, m, d) and X (N, P, d)."""
    return np.einsum("npd,ird->npir", X, W, optimize=True)


def forward(W: np.ndarray, X: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """Network outputs F (N, k) for W (k, m, d) and X (N, P, d)."""
    A = preactivations(W, X)  # (N, P, k, m)
    return smoothed_relu(A, power, threshold).sum(axis=(1, 3))


def log_softmax(F: np.ndarray) -> np.ndarray:
    """log softmax along the last axis, stabilised by the row maximum."""
    Z = F - F.max(axis=-1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=-1, keepdims=True))


def cross_entropy(F: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of softmax(F) (N, k) against integer labels y (N,)."""
    return float(-log_softmax(F)[np.arange(F.shape[0]), y].mean())


def output_grad(F: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dF = (softmax(F) − onehot(y)) / N, the loss gradient with respect to F (N, k)."""
    n = F.shape[0]
    dF = np.exp(log_softmax(F))
    dF[np.arange(n), y] -= 1.0
    return dF / n


def weight_grad(W: np.ndarray, X: np.ndarray, dF: np.ndarray, power: int, threshold: float) -> np.ndarray:
    """Σ_n dF[n,i] Σ_p s'(<w_{i,r}, x_{n,p}>)·x_{n,p}, shape (k, m, d), for any dF (N, k)."""
    A = preactivations(W, X)  # (N, P, k, m)
    G = smoothed_relu_grad(A, power, threshold) * dF[:, None, :, None]  # (N, P, k, m)
    return np.einsum("npir,npd->ird", G, X, optimize=True)


def loss_and_grad(W: np.ndarray, X: np.ndarray, y: np.ndarray, power: int, threshold: float):
    """Mean cross-entropy and its gradient with respect to W.

    Parameters
    ----------
    W : ndarray (k, m, d)
    X : ndarray (N, P, d)
    y : ndarray (N,) integer labels in [k]
    power : int, q ≥ 3
    threshold : float, ϱ > 0

    Returns
    -------
    loss : float
    grad : ndarray (k, m, d), same dtype as W
    """
    F = forward(W, X, power, threshold)  # (N, k)
    dF = output_grad(F, y)
    grad = weight_grad(W, X, dF, power, threshold)
    return cross_entropy(F, y), grad.astype(W.dtype, copy=False)


def accuracy(F: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose argmax is the label (ties count against: argmax picks the first)."""
    return float((F.argmax(axis=1) == y).mean())


def init_weights(k: int, m: int, d: int, init_std: float, rng: np.random.Generator,
                 dtype=np.float64) -> np.ndarray:
    """W(0) ~ N(0, σ_0²) with shape (k, m, d)."""
    return (rng.standard_normal((k, m, d)) * init_std).astype(dtype)
