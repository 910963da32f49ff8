"""Network outputs of stacked models on any data set, and the views they learned."""

from __future__ import annotations

import numpy as np

from theory.data import Dataset
from theory.model import smoothed_relu

from .state import ModelState

_CHUNK_ELEMENTS = 4_000_000  # pre-activations held at once (~32 MB in float64)


def outputs(state: ModelState, ds: Dataset, power: int, threshold: float, init_std: float,
            rng: np.random.Generator | None = None, training_set: bool = False) -> np.ndarray:
    """F (K, N, k) of every stacked model on ``ds``.

    Dense: the forward pass of SPEC §3. Infinite: pre-activations coef·a plus the patch's
    noise coordinate — its trained value for the training set (``training_set=True``), and
    for any other set a fresh N(0, σ_0²·s_p²) per patch and filter, drawn from ``rng``: a
    test patch's noise is orthogonal to every trained direction, so only the initial
    projection remains (SPEC §2).
    """
    K, k, m = state.n_models, state.n_classes, state.n_neurons
    J = K * k * m
    n, P = ds.n_samples, ds.coef.shape[1]
    F = np.zeros((K, n, k))
    rows = max(1, _CHUNK_ELEMENTS // (P * J))
    if state.infinite:
        if not training_set and rng is None:
            raise ValueError("outputs on a test set of the infinite backend need an rng for the fresh noise projections")
        a2 = state.a.reshape(J, -1).astype(np.float64)
    else:
        W2 = state.W.reshape(J, -1).astype(np.float64)
    for lo in range(0, n, rows):
        hi = min(n, lo + rows)
        if state.infinite:
            A = ds.coef[lo:hi].reshape(-1, ds.coef.shape[2]) @ a2.T  # ((hi-lo)·P, J)
            if training_set:
                A += state.cT[lo * P:hi * P]
            else:
                A += rng.standard_normal(A.shape) * (init_std * state.noise_norm)
        else:
            A = ds.X[lo:hi].reshape(-1, ds.X.shape[2]) @ W2.T  # ((hi-lo)·P, J)
        S = smoothed_relu(A, power, threshold).reshape(hi - lo, P, K, k, m)
        F[:, lo:hi, :] = S.sum(axis=(1, 4)).transpose(1, 0, 2)
    return F


def view_correlations(feature_proj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Λ_{i,l} = max_r max(0, <w_{i,r}, v_{i,l}>) and Σ_r max(0, ·) from projections.

    feature_proj : (..., k, m, 2k) → both results (..., k, 2).
    """
    k = feature_proj.shape[-3]
    own = np.stack([feature_proj[..., np.arange(k), :, 2 * np.arange(k) + l] for l in (0, 1)], axis=-1)
    # fancy indexing moved the class axis first: own is (k, ..., m, 2)
    own = np.moveaxis(own, 0, -3)  # (..., k, m, 2)
    pos = np.maximum(own, 0.0)
    return pos.max(axis=-2), pos.sum(axis=-2)
