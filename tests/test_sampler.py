"""The data sampler against SPEC §2: ranges, frequencies, noise, disjoint patches, fractions.

Statistical checks use two-sided 99.9% intervals (tolerances.SAMPLER_Z): about ten of them
per run, so a correct sampler raises a false alarm in roughly 1% of runs with fresh seeds;
the seeds here are fixed, so the outcome is deterministic.
"""

import math

import numpy as np
import pytest

import theory
from theory.data import MULTI, SINGLE, sample
from theory.params import DataParams
from tests.tolerances import ASSEMBLY_RTOL, INTERVAL_SLACK, ORTHOGONAL_NOISE_ATOL, ORTHONORMAL_ATOL, SAMPLER_Z

BASE = dict(n_classes=6, dim=40, n_patches=40, patches_per_feature=3, offclass_rate=1.5,
            feature_noise=0.0, noise_norm=1.0, single_view_frac=0.3, n_train=2000, n_test=10)


def _draw(seed=0, **kw):
    p = DataParams(**{**BASE, **kw})
    rng = np.random.default_rng(seed)
    feats = theory.make_features(p, rng)
    return p, sample(p, p.n_train, rng, feats)


def _feature_sums(ds):
    """Σ over the feature's patches of coef on that feature, for each (sample, feature present)."""
    n, P, k2 = ds.coef.shape
    sums = np.zeros((n, k2))
    carried = ds.patch_feature >= 0
    nn_, pp = np.nonzero(carried)
    np.add.at(sums, (nn_, ds.patch_feature[nn_, pp]), ds.coef[nn_, pp, ds.patch_feature[nn_, pp]])
    present = np.zeros((n, k2), bool)
    present[nn_, ds.patch_feature[nn_, pp]] = True
    return sums, present


def test_coefficient_sums_lie_in_their_ranges():
    p, ds = _draw()
    sums, present = _feature_sums(ds)
    k = p.n_classes
    eps = INTERVAL_SLACK
    for n in range(ds.n_samples):
        yv = ds.y[n]
        for f in np.nonzero(present[n])[0]:
            cls, view = divmod(f, 2)
            z = sums[n, f]
            if ds.kind[n] == MULTI:
                lo, hi = (1.0, p.c_true) if cls == yv else (p.c_off_lo, p.c_off_hi)
            elif cls != yv:
                lo, hi = p.offclass_single / 2, p.offclass_single
            elif view == ds.dominant[n]:
                lo, hi = 1.0, p.c_true
            else:
                lo, hi = p.faint_view, p.c_faint * p.faint_view
            assert lo - eps <= z <= hi + eps, (n, f, z, lo, hi)
        assert present[n, 2 * yv] and present[n, 2 * yv + 1]  # both views of the label always
    assert k == 6


def test_patches_are_disjoint_and_each_feature_has_cp_patches():
    p, ds = _draw(feature_noise=0.01)
    for n in range(200):
        pf = ds.patch_feature[n]
        feats, counts = np.unique(pf[pf >= 0], return_counts=True)
        assert np.all(counts == p.patches_per_feature)
        # off the carried feature a patch's coefficients are only feature noise in [0, γ]
        mask = np.ones(ds.coef.shape[1:], bool)
        rows = np.nonzero(pf >= 0)[0]
        mask[rows, pf[rows]] = False
        assert ds.coef[n][mask].min() >= 0 and ds.coef[n][mask].max() <= p.feature_noise


def test_offclass_frequency_is_s_over_k():
    # capacity floor(40/3) = 13 slots, 11 off-class: truncation essentially never happens
    p, ds = _draw(seed=1)
    assert ds.n_truncated == 0
    _, present = _feature_sums(ds)
    k = p.n_classes
    off = np.ones_like(present)
    off[np.arange(ds.n_samples), 2 * ds.y] = False
    off[np.arange(ds.n_samples), 2 * ds.y + 1] = False
    rate = present[off].mean()
    pexp = p.offclass_rate / k
    half = SAMPLER_Z * math.sqrt(pexp * (1 - pexp) / off.sum())
    assert abs(rate - pexp) < half


def test_single_view_fraction_and_dominant_view():
    p, ds = _draw(seed=2)
    assert (ds.kind == SINGLE).sum() == round(p.single_view_frac * p.n_train)
    dom = ds.dominant[ds.kind == SINGLE]
    assert set(np.unique(dom)) == {0, 1}
    n = dom.size
    assert abs(dom.mean() - 0.5) < SAMPLER_Z * 0.5 / math.sqrt(n)
    assert np.all(ds.dominant[ds.kind == MULTI] == -1)


@pytest.mark.parametrize("mode", ["isotropic", "orthogonal"])
def test_noise_variance_and_orthogonality(mode):
    p, ds = _draw(seed=3, noise_mode=mode, features="random", n_train=300)
    xi = ds.noise.reshape(-1, p.dim)
    proj = xi @ ds.features.T
    if mode == "orthogonal":
        assert np.abs(proj).max() < ORTHOGONAL_NOISE_ATOL
        dof = p.dim - p.n_features  # variance lives in the orthogonal complement
    else:
        dof = p.dim
    # E|ξ|² = σ_p²·dof; the sample mean of |ξ|²/σ_p² (χ²_dof) has sd √(2·dof / n)
    ratio = (xi**2).sum(axis=1).mean() / p.noise_std**2
    assert abs(ratio - dof) < SAMPLER_Z * math.sqrt(2 * dof / xi.shape[0])
    np.testing.assert_allclose(ds.X, ds.coef @ ds.features + ds.noise, rtol=ASSEMBLY_RTOL)


def test_random_features_are_orthonormal_and_basis_is_identity():
    p = DataParams(**{**BASE, "features": "random"})
    F = theory.make_features(p, np.random.default_rng(0))
    np.testing.assert_allclose(F @ F.T, np.eye(p.n_features), atol=ORTHONORMAL_ATOL)
    pb = DataParams(**BASE)
    np.testing.assert_array_equal(theory.make_features(pb, np.random.default_rng(0)), np.eye(12, 40))


def test_own_noise_mode_puts_each_patch_on_its_own_coordinate():
    p = DataParams(**{**BASE, "n_train": 5, "dim": 12 + 5 * 40, "noise_mode": "own"})
    ds = sample(p, 5, np.random.default_rng(0), theory.make_features(p, np.random.default_rng(0)))
    xi = ds.noise.reshape(-1, p.dim)
    np.testing.assert_allclose(xi @ xi.T, np.eye(200) * p.noise_norm**2, rtol=ASSEMBLY_RTOL)
    assert np.abs(xi[:, :12]).max() == 0


def test_same_seed_same_data_and_infinite_has_no_vectors():
    p = DataParams(**BASE)
    a = theory.make_splits(p, np.random.default_rng(9))
    b = theory.make_splits(p, np.random.default_rng(9))
    np.testing.assert_array_equal(a.train.X, b.train.X)
    np.testing.assert_array_equal(a.test_single.coef, b.test_single.coef)
    assert np.all(a.test_single.kind == SINGLE) and np.all(a.test_multi.kind == MULTI)
    pi = DataParams(**{**BASE, "dim": float("inf")})
    c = theory.make_splits(pi, np.random.default_rng(9))
    assert c.train.X is None and c.train.noise is None
    np.testing.assert_array_equal(c.train.coef, a.train.coef)  # the same draws of everything else
