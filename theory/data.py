"""The multi-view and single-view data distributions (SPEC §2), sampled vectorised.

Symbols: k classes, views v_{i,l} for i in [k], l in {0, 1} (the spec's l in {1, 2}),
stored as feature index ``f = 2*i + l``; P patches, C_p patches per feature, s off-class rate,
γ feature noise, ξ_p patch noise of norm s_p = σ_p·√d, ρ faint view, Γ off-class weight of
single-view data, μ single-view fraction.

A sample is described by its feature coefficients ``coef[n, p, f]`` (z_p on the carrying
feature plus α_{p,f} on every feature) and its noise ``noise[n, p]``; the patches are
``X = coef @ features + noise``. In the infinite-dimension limit (``dim=inf``) no vector is
materialised: a training patch owns its own noise direction of norm s_p, so ``X`` and
``noise`` are ``None`` and the backend works with ``coef`` and ``noise_norm`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import DataParams

MULTI, SINGLE = 0, 1  # sample kinds


@dataclass(frozen=True)
class Dataset:
    """Samples of the data distribution, with everything the diagnostics need.

    Attributes
    ----------
    X : ndarray (N, P, d) or None
        Patches ``coef @ features + noise``; None when ``dim`` is infinite.
    y : ndarray (N,) int64
        Labels in [k].
    kind : ndarray (N,) int8
        ``MULTI`` (0) or ``SINGLE`` (1).
    dominant : ndarray (N,) int8
        Dominant view l̂ in {0, 1} of single-view samples, -1 for multi-view samples.
    patch_feature : ndarray (N, P) int32
        Feature index f = 2i + l carried by each patch, -1 for a pure-noise patch.
    coef : ndarray (N, P, 2k)
        Feature coefficients of each patch: z_p on its feature plus α on all features.
    noise : ndarray (N, P, d) or None
        Patch noise ξ; None when ``dim`` is infinite (each patch owns a direction).
    features : ndarray (2k, d) or None
        Orthonormal feature vectors as rows; None when ``dim`` is infinite.
    n_truncated : int
        Samples that drew more off-class features than fit in P patches and kept a random
        subset (see ``sample``).
    """

    X: np.ndarray | None
    y: np.ndarray
    kind: np.ndarray
    dominant: np.ndarray
    patch_feature: np.ndarray
    coef: np.ndarray
    noise: np.ndarray | None
    features: np.ndarray | None
    n_truncated: int

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])


def make_features(params: DataParams, rng: np.random.Generator) -> np.ndarray | None:
    """The 2k orthonormal views as rows of a (2k, d) array (None when d is infinite).

    ``features="basis"`` gives e_0..e_{2k-1}; ``"random"`` a Haar-random orthonormal frame
    (QR of a Gaussian matrix with the sign convention that makes it uniform).
    """
    if params.infinite:
        return None
    k2, d = params.n_features, int(params.dim)
    if params.features == "basis":
        return np.eye(k2, d)
    g = rng.standard_normal((d, k2))
    q, r = np.linalg.qr(g)  # q: (d, 2k) orthonormal columns
    q *= np.sign(np.diag(r))[None, :]
    return np.ascontiguousarray(q.T)


def _choose_features(params: DataParams, y: np.ndarray, rng: np.random.Generator):
    """Pick each sample's feature set V(X) as feature indices in slot order.

    Returns ``slots`` (N, S) int with S = floor(P / C_p), -1 for an empty slot (the two
    views of the label come first), and how many samples had to drop off-class features.
    """
    n, k = y.shape[0], params.n_classes
    present = rng.random((n, k, 2)) < params.offclass_rate / k  # (N, k, 2)
    key = rng.random((n, k, 2))  # random priority among off-class features
    key[np.arange(n), y, :] = -1.0  # the label's views always come first
    present[np.arange(n), y, :] = True
    key = np.where(present, key, np.inf).reshape(n, 2 * k)
    order = np.argsort(key, axis=1, kind="stable")  # (N, 2k) feature indices, present first
    n_present = present.reshape(n, 2 * k).sum(axis=1)
    n_slots = params.feature_slots
    slots = np.full((n, n_slots), -1, dtype=np.int64)  # (N, S); S may exceed the 2k features
    slots[:, :min(n_slots, 2 * k)] = order[:, :n_slots]
    slots[np.arange(n_slots)[None, :] >= n_present[:, None]] = -1
    return slots, int((n_present > n_slots).sum())


def _coefficient_sums(params: DataParams, y, kind, dominant, slots, rng):
    """Total coefficient z of each feature slot (N, S), by SPEC §2 step 5."""
    n, n_slots = slots.shape
    u = rng.random((n, n_slots))
    cls = np.where(slots >= 0, slots // 2, -1)
    view = np.where(slots >= 0, slots % 2, -1)
    own = cls == y[:, None]
    single = (kind == SINGLE)[:, None]
    rho, gam = params.faint_view, params.offclass_single
    true_sum = 1.0 + (params.c_true - 1.0) * u
    off_multi = params.c_off_lo + (params.c_off_hi - params.c_off_lo) * u
    faint = rho + (params.c_faint - 1.0) * rho * u
    off_single = gam / 2 + (gam / 2) * u
    is_dom = view == dominant[:, None]
    z = np.where(own, true_sum, off_multi)
    z = np.where(single & own & ~is_dom, faint, z)
    z = np.where(single & ~own, off_single, z)
    return np.where(slots >= 0, z, 0.0)


def sample(params: DataParams, n: int, rng: np.random.Generator, features: np.ndarray | None,
           single_view_frac: float | None = None) -> Dataset:
    """Draw ``n`` samples.

    Parameters
    ----------
    params : DataParams
    n : int
        Number of samples.
    rng : numpy.random.Generator
        The only source of randomness.
    features : ndarray (2k, d) or None
        From :func:`make_features` (None when ``dim`` is infinite).
    single_view_frac : float, optional
        Overrides μ; the test sets use 0 (multi-view) and 1 (single-view).

    Notes
    -----
    A sample whose off-class draws exceed the floor(P/C_p) − 2 free slots keeps a uniformly
    random subset of them; ``DataParams`` validation makes that rare (P ≥ C_p·(2 + ⌈2s⌉)) and
    ``Dataset.n_truncated`` counts it.
    """
    mu = params.single_view_frac if single_view_frac is None else single_view_frac
    k, P, Cp = params.n_classes, params.n_patches, params.patches_per_feature
    y = rng.integers(0, k, size=n)
    n_single = int(round(mu * n))
    kind = np.zeros(n, dtype=np.int8)
    kind[rng.permutation(n)[:n_single]] = SINGLE  # exactly round(μ·n) single-view samples
    dominant = np.where(kind == SINGLE, rng.integers(0, 2, size=n), -1).astype(np.int8)
    slots, n_truncated = _choose_features(params, y, rng)  # (N, S)
    z = _coefficient_sums(params, y, kind, dominant, slots, rng)  # (N, S)

    # Patches: a random permutation per sample; slot j owns patches perm[j*C_p:(j+1)*C_p].
    perm = np.argsort(rng.random((n, P)), axis=1)  # (N, P)
    n_slots = slots.shape[1]
    owner = perm[:, : n_slots * Cp].reshape(n, n_slots, Cp)  # (N, S, C_p) patch indices
    if params.split == "equal":
        share = np.full((n, n_slots, Cp), 1.0 / Cp)
    else:
        share = rng.dirichlet(np.ones(Cp), size=(n, n_slots))  # (N, S, C_p)

    patch_feature = np.full((n, P), -1, dtype=np.int32)
    rows = np.arange(n)[:, None, None]
    patch_feature[rows, owner] = np.broadcast_to(slots[:, :, None], owner.shape)
    zp = np.zeros((n, P))
    zp[rows, owner] = z[:, :, None] * share  # z_p of each patch (0 on pure-noise patches)

    coef = rng.random((n, P, 2 * k)) * params.feature_noise  # α_{p,f} ~ U[0, γ]
    carried = patch_feature >= 0
    nn_, pp = np.nonzero(carried)
    coef[nn_, pp, patch_feature[nn_, pp]] += zp[nn_, pp]

    if params.infinite:
        X = noise = None
    else:
        noise = _patch_noise(params, n, rng, features)
        X = coef @ features + noise  # (N, P, d)
    return Dataset(X=X, y=y.astype(np.int64), kind=kind, dominant=dominant,
                   patch_feature=patch_feature, coef=coef, noise=noise, features=features,
                   n_truncated=n_truncated)


def _patch_noise(params: DataParams, n: int, rng, features: np.ndarray) -> np.ndarray:
    """Noise ξ (n, P, d) by ``noise_mode``.

    "isotropic": N(0, σ_p² I_d). "orthogonal": the same with its component in the span of the
    2k features removed — it emulates d ≫ k, where that component (of size σ_p·√(2k)) would
    be negligible next to the features, without paying for a huge d. "own": patch (n, p)
    gets noise s_p·e_c on its own coordinate c outside the features' support (requires
    ``features="basis"`` layout with d ≥ 2k + N·P); this is exactly the infinite-dimension
    model and exists to test that backend.
    """
    P, d = params.n_patches, int(params.dim)
    if params.noise_mode == "own":
        if params.features != "basis":
            raise ValueError("noise_mode='own' requires features='basis' (noise coordinates must avoid the features)")
        if params.n_features + n * P > d:
            raise ValueError(f"dim={d}: noise_mode='own' needs dim >= 2k + n·P = {params.n_features + n * P}")
        noise = np.zeros((n, P, d))
        idx = params.n_features + np.arange(n * P).reshape(n, P)
        noise[np.arange(n)[:, None], np.arange(P)[None, :], idx] = params.noise_norm
        return noise
    noise = rng.standard_normal((n, P, d)) * params.noise_std
    if params.noise_mode == "orthogonal":
        noise -= (noise @ features.T) @ features
    return noise


@dataclass(frozen=True)
class Splits:
    """Training set and the two test sets of one run."""

    train: Dataset
    test_multi: Dataset
    test_single: Dataset


def make_splits(params: DataParams, rng: np.random.Generator) -> Splits:
    """Training set (N samples, fraction μ single-view) and separate multi-/single-view test sets.

    With ``noise_mode="own"`` the test sets draw fresh Gaussian noise orthogonal to the
    features instead (own coordinates exist only for training patches); their accuracies are
    then not the infinite model's, which is fine for the exactness test this mode serves.
    """
    frng, trng, mrng, srng = rng.spawn(4)
    features = make_features(params, frng)
    train = sample(params, params.n_train, trng, features)
    test_params = params
    if params.noise_mode == "own":
        from dataclasses import replace
        test_params = replace(params, noise_mode="orthogonal")
    test_multi = sample(test_params, params.n_test, mrng, features, single_view_frac=0.0)
    test_single = sample(test_params, params.n_test, srng, features, single_view_frac=1.0)
    return Splits(train=train, test_multi=test_multi, test_single=test_single)
