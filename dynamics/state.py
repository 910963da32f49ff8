"""The learned state of K stacked models, for the dense and the infinite-dimension backend.

Dense: ``W`` (K, k, m, d), filter w_{i,r} of model kk is ``W[kk, i, r]``.
Infinite (SPEC §2): feature coordinates ``a`` (K, k, m, 2k), a_{i,r,f} = <w_{i,r}, v_f>, and
noise coordinates ``cT`` (N·P, K·k·m), cT[n·P+p, j] = <w_j, ξ_{n,p}> for the training patches.
Stored transposed because the kernel adds it to the (N·P, J) pre-activations row by row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.data import Dataset
from theory.params import DataParams, NetworkParams


@dataclass
class ModelState:
    """Weights of K stacked models; exactly one of ``W`` and (``a``, ``cT``) is set."""

    n_models: int
    n_classes: int
    n_neurons: int
    W: np.ndarray | None = None  # (K, k, m, d) dense weights
    a: np.ndarray | None = None  # (K, k, m, 2k) feature coordinates (infinite)
    cT: np.ndarray | None = None  # (N·P, K·k·m) noise coordinates (infinite)
    noise_norm: float = 0.0  # s_p (infinite)

    @property
    def infinite(self) -> bool:
        return self.W is None

    @property
    def dtype(self):
        return (self.a if self.infinite else self.W).dtype

    def copy(self) -> "ModelState":
        cp = lambda x: None if x is None else x.copy()  # noqa: E731
        return ModelState(self.n_models, self.n_classes, self.n_neurons,
                          cp(self.W), cp(self.a), cp(self.cT), self.noise_norm)

    def member(self, kk: int) -> "ModelState":
        """Model ``kk`` alone, as a K = 1 state (a copy)."""
        if not self.infinite:
            return ModelState(1, self.n_classes, self.n_neurons, W=self.W[kk:kk + 1].copy())
        km = self.n_classes * self.n_neurons
        return ModelState(1, self.n_classes, self.n_neurons, a=self.a[kk:kk + 1].copy(),
                          cT=np.ascontiguousarray(self.cT[:, kk * km:(kk + 1) * km]),
                          noise_norm=self.noise_norm)

    def feature_projections(self, features: np.ndarray | None) -> np.ndarray:
        """<w_{i,r}, v_f> for every model, filter and feature: (K, k, m, 2k)."""
        if self.infinite:
            return self.a.astype(np.float64, copy=True)
        return np.einsum("Kird,fd->Kirf", self.W, features, optimize=True).astype(np.float64)


def init_state(data: DataParams, net: NetworkParams, n_train: int,
               rngs: list[np.random.Generator], dtype=np.float64) -> ModelState:
    """K = len(rngs) independent initialisations, W ~ N(0, σ_0²) per coordinate.

    Model kk draws from ``rngs[kk]`` alone, so member kk of an ensemble equals the single
    model initialised from the same generator.

    For the infinite backend the draw is the dense draw at d = 2k + N·P, read as feature
    coordinates (first 2k) and noise coordinates (times s_p): the same seed gives the same
    model as a dense run with ``noise_mode="own"`` at that d, which the exactness test uses.
    """
    k, m, K = data.n_classes, net.n_neurons, len(rngs)
    if not data.infinite:
        W = np.stack([g.standard_normal((k, m, int(data.dim))) for g in rngs]) * net.init_std
        return ModelState(K, k, m, W=W.astype(dtype))
    k2, NP = data.n_features, n_train * data.n_patches
    Z = np.stack([g.standard_normal((k, m, k2 + NP)) for g in rngs]) * net.init_std
    a = np.ascontiguousarray(Z[..., :k2]).astype(dtype)
    cT = np.ascontiguousarray((Z[..., k2:] * data.noise_norm).reshape(K * k * m, NP).T).astype(dtype)
    return ModelState(K, k, m, a=a, cT=cT, noise_norm=float(data.noise_norm))


def flat_patches(ds: Dataset, dtype) -> np.ndarray:
    """Dense patches as one contiguous (N·P, d) matrix of the given dtype."""
    n, P, d = ds.X.shape
    return np.ascontiguousarray(ds.X.reshape(n * P, d), dtype=dtype)


def flat_coef(ds: Dataset, dtype) -> np.ndarray:
    """Feature coefficients as one contiguous (N·P, 2k) matrix of the given dtype."""
    n, P, k2 = ds.coef.shape
    return np.ascontiguousarray(ds.coef.reshape(n * P, k2), dtype=dtype)
