"""``gd_steps``: the public entry point for plain full-batch gradient descent (INTERFACE.md)."""

from __future__ import annotations

import numpy as np

from . import _kernels


def _check_arrays(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> None:
    if W.ndim != 3:
        raise ValueError(f"W must have shape (k, m, d); got shape {W.shape}")
    if X.ndim != 3 or X.shape[2] != W.shape[2]:
        raise ValueError(f"X must have shape (N, P, d={W.shape[2]}); got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (N={X.shape[0]},); got shape {y.shape}")
    if W.dtype not in (np.float32, np.float64):
        raise ValueError(f"W must be float32 or float64; got {W.dtype}")
    for name, arr in (("W", W), ("X", X)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains non-finite values (nan or inf)")
    if y.size and (y.min() < 0 or y.max() >= W.shape[0]):
        raise ValueError(f"labels must lie in [0, k={W.shape[0]}); got range [{y.min()}, {y.max()}]")


def gd_steps(W: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float, n_steps: int,
             power: int, threshold: float) -> np.ndarray:
    """``n_steps`` full-batch GD steps on the mean cross-entropy, in compiled code.

    Parameters
    ----------
    W : ndarray (k, m, d), float32 or float64
        Initial weights (not modified).
    X : ndarray (N, P, d)
        Patches; cast to W's dtype.
    y : ndarray (N,) integer labels in [k]
    lr : float, η > 0
    n_steps : int, ≥ 0
    power : int, q ≥ 3
    threshold : float, ϱ > 0

    Returns
    -------
    ndarray (k, m, d), W's dtype: the weights after ``n_steps`` steps.
    """
    W = np.asarray(W)
    X = np.asarray(X)
    y = np.asarray(y)
    _check_arrays(W, X, y)
    if int(power) != power or power < 3:
        raise ValueError(f"power={power!r}: must be an integer >= 3")
    if not threshold > 0:
        raise ValueError(f"threshold={threshold!r}: must be > 0")
    if not lr > 0:
        raise ValueError(f"lr={lr!r}: must be > 0")
    if int(n_steps) != n_steps or n_steps < 0:
        raise ValueError(f"n_steps={n_steps!r}: must be an integer >= 0")
    k, m, d = W.shape
    n, P, _ = X.shape
    W2 = np.ascontiguousarray(W.reshape(k * m, d)).copy()
    Xf = np.ascontiguousarray(X.reshape(n * P, d), dtype=W.dtype)
    loss = np.zeros((max(int(n_steps), 1), 1))
    acc = np.zeros_like(loss)
    _, bad = _kernels._run_dense(
        W2, Xf, y.astype(np.int64), k, m, P, float(lr), int(n_steps), int(power), float(threshold),
        _kernels.CE, False, np.ones(1, dtype=np.bool_), np.zeros((1, 1)), np.zeros(1), 0,
        loss, acc, np.full(1, -1, dtype=np.int64), np.zeros((2 * k, d), W.dtype),
        np.zeros((max(int(n_steps), 1), 1, k, 2)))
    if bad >= 0:
        from .train import DivergenceError
        raise DivergenceError(f"loss became non-finite at step {bad} (lr={lr}): try a smaller lr")
    return W2.reshape(k, m, d)
