"""The student objectives: kernels vs theory/distill.py, finite differences, truncation semantics."""

import numpy as np
import pytest

from dynamics import _kernels
from theory import distill, model
from tests import tolerances as tol

CODES = {"spec": _kernels.TRUNC_SPEC, "bounded": _kernels.TRUNC_BOUNDED, "none": _kernels.TRUNC_NONE}


def _outputs(rng, K=2, N=7, k=4, scale=3.0):
    F = rng.standard_normal((K, N, k)) * scale
    G = rng.standard_normal((N, k)) * scale
    y = rng.integers(0, k, size=N)
    return F, G, y


def _kernel_dF(F, G, y, kind, extra):
    K, N, k = F.shape
    dF = np.zeros_like(F)
    loss, acc = np.zeros(K), np.zeros(K)
    _kernels._loss(F, y, kind, np.ones(K, dtype=np.bool_), dF, np.zeros((N, k)), loss, acc, G,
                   np.asarray(extra, dtype=np.float64))
    return dF, loss, acc


@pytest.mark.parametrize("truncation", ["spec", "bounded", "none"])
@pytest.mark.parametrize("tau", [0.3, 1.0])
def test_truncated_kernel_matches_spec(truncation, tau):
    rng = np.random.default_rng(0)
    F, G, y = _outputs(rng)
    ratio = 0.7
    dF, loss, acc = _kernel_dF(F, G, y, _kernels.DISTILL_TRUNCATED, [tau, ratio, CODES[truncation]])
    for kk in range(F.shape[0]):
        want = distill.truncated_output_grad(F[kk], G, y, tau, ratio, truncation)
        np.testing.assert_allclose(dF[kk], want, rtol=tol.LOSS_KERNEL_RTOL, atol=1e-15)
        assert loss[kk] == pytest.approx(model.cross_entropy(F[kk], y), rel=tol.LOSS_KERNEL_RTOL)
        assert acc[kk] == model.accuracy(F[kk], y)


@pytest.mark.parametrize("alpha,T", [(0.5, 4.0), (0.0, 2.0), (1.0, 1.0), (0.9, 0.5)])
def test_hinton_kernel_matches_spec(alpha, T):
    rng = np.random.default_rng(1)
    F, G, y = _outputs(rng)
    dF, loss, _ = _kernel_dF(F, G, y, _kernels.DISTILL_HINTON, [alpha, T])
    for kk in range(F.shape[0]):
        np.testing.assert_allclose(dF[kk], distill.hinton_output_grad(F[kk], G, y, alpha, T),
                                   rtol=tol.LOSS_KERNEL_RTOL, atol=1e-15)
        assert loss[kk] == pytest.approx(distill.hinton_loss(F[kk], G, y, alpha, T), rel=tol.LOSS_KERNEL_RTOL)


def _fd_grad(f, x, h=tol.FD_STEP):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_hinton_output_grad_finite_differences():
    rng = np.random.default_rng(2)
    F, G, y = _outputs(rng, K=1)
    F = F[0]
    fd = _fd_grad(lambda f: distill.hinton_loss(f, G, y, 0.3, 3.0), F)
    np.testing.assert_allclose(distill.hinton_output_grad(F, G, y, 0.3, 3.0), fd, rtol=tol.FD_RTOL, atol=1e-10)


def test_untruncated_term_is_tau_times_soft_ce_gradient_where_unclipped():
    """'none' reading: d = (1/τ)·∂/∂F of −Σ lt·log ls, where τ²F < 1 (no clip active)."""
    rng = np.random.default_rng(3)
    tau = 0.5
    F = rng.uniform(-2, 3.5, size=(5, 4))  # τ²F < 1 ⇔ F < 4
    G = rng.uniform(-2, 8, size=(5, 4))  # the teacher may be clipped: it is a constant
    lt = distill.tempered_logits(G, tau)

    def soft_ce(f):
        return float(-(lt * np.log(distill.tempered_logits(f, tau))).sum())

    fd = _fd_grad(soft_ce, F)
    np.testing.assert_allclose(distill.truncated_term(F, G, tau, "none"), fd / tau, rtol=tol.FD_RTOL, atol=1e-10)


@pytest.mark.parametrize("form", ["truncated", "hinton"])
def test_weight_step_is_gradient_of_frozen_output_functional(form):
    """The student's weight step for output gradient dF is ∂/∂W Σ dF·F(W) with dF frozen,
    checked by finite differences; for Hinton it is also ∂/∂W of the objective itself."""
    rng = np.random.default_rng(4)
    k, m, d, N, P, q, rho = 3, 2, 6, 5, 4, 4, 0.2
    W = rng.standard_normal((k, m, d)) * 0.3
    X = rng.standard_normal((N, P, d)) * 0.5
    y = rng.integers(0, k, N)
    G = rng.standard_normal((N, k))
    F = model.forward(W, X, q, rho)
    if form == "truncated":
        dF = distill.truncated_output_grad(F, G, y, 0.5, 1.0, "spec")
        target = lambda w: float((dF * model.forward(w, X, q, rho)).sum())  # noqa: E731
    else:
        dF = distill.hinton_output_grad(F, G, y, 0.5, 2.0)
        target = lambda w: distill.hinton_loss(model.forward(w, X, q, rho), G, y, 0.5, 2.0)  # noqa: E731
    np.testing.assert_allclose(model.weight_grad(W, X, dF, q, rho), _fd_grad(target, W),
                               rtol=tol.FD_RTOL, atol=1e-9)


@pytest.mark.parametrize("truncation", ["spec", "bounded"])
def test_truncated_term_never_pushes_a_logit_down(truncation):
    """d ≤ 0 everywhere: the update −η'·d·∇F_i only ever raises F_i; the kernel agrees."""
    rng = np.random.default_rng(5)
    F, G, y = _outputs(rng, K=3, N=50, k=6, scale=5.0)
    for tau in (0.2, 0.5, 1.0, 2.0):
        d = distill.truncated_term(F.reshape(-1, 6), np.tile(G, (3, 1)), tau, truncation)
        assert (d <= 0).all()
        with_term, _, _ = _kernel_dF(F, G, y, _kernels.DISTILL_TRUNCATED, [tau, 1.0, CODES[truncation]])
        ce_only, _, _ = _kernel_dF(F, G, y, _kernels.CE, [0.0])
        assert (with_term - ce_only <= 0).all()
        assert (with_term - ce_only < 0).any()  # the test can fail: the term does act somewhere


def test_truncated_term_off_where_student_is_above_teacher():
    """A student whose tempered logits equal the teacher's gets the cross-entropy step only;
    'bounded' also switches off once F ≥ G even where the clipped logits still differ."""
    rng = np.random.default_rng(6)
    F, G, y = _outputs(rng, K=1, N=20, k=5)
    same, _, _ = _kernel_dF(np.stack([G]), G, y, _kernels.DISTILL_TRUNCATED, [0.5, 2.0, CODES["spec"]])
    ce, _, _ = _kernel_dF(np.stack([G]), G, y, _kernels.CE, [0.0])
    np.testing.assert_array_equal(same, ce)
    above = G + 1.0 + np.abs(rng.standard_normal(G.shape))
    b = distill.truncated_term(above, G, 0.5, "bounded")
    assert (b == 0).all()
    s = distill.truncated_term(above, G, 0.5, "spec")
    assert (s < 0).any()  # spec reading still acts where the capped logits fall short


def test_tempered_logits_clip():
    F = np.array([[0.0, 10.0, 100.0]])
    lt = distill.tempered_logits(F, 0.5)  # τ²F clipped at 1 above F = 4: the last two tie
    assert lt[0, 1] == pytest.approx(lt[0, 2])
    assert lt.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("form", ["spec", "bounded", "none", "hinton"])
def test_student_training_kernel_matches_numpy_gd(form):
    """A few compiled student steps (dense backend) == the NumPy loop W −= η·weight_grad(dF)."""
    import dynamics
    from theory.data import make_splits
    from theory.params import DataParams, NetworkParams

    data = DataParams(n_classes=3, dim=12, n_patches=6, patches_per_feature=1, offclass_rate=1.0,
                      n_train=8, n_test=5, single_view_frac=0.25)
    net = NetworkParams(n_neurons=2, power=4, threshold=0.2, init_std=0.3)
    sp = make_splits(data, np.random.default_rng(0))
    st = dynamics.init_state(data, net, 8, [np.random.default_rng(1)])
    W = st.W[0].copy()
    G = np.random.default_rng(2).standard_normal((8, 3)) * 2
    if form == "hinton":
        kind, extra = dynamics.DISTILL_HINTON, np.array([0.4, 2.0])
        step = lambda F: distill.hinton_output_grad(F, G, sp.train.y, 0.4, 2.0)  # noqa: E731
    else:
        kind, extra = dynamics.DISTILL_TRUNCATED, np.array([0.5, 3.0, CODES[form]])
        step = lambda F: distill.truncated_output_grad(F, G, sp.train.y, 0.5, 3.0, form)  # noqa: E731
    lr, n = 0.5, 6
    dynamics.train(st, sp.train, lr=lr, n_steps=n, power=4, threshold=0.2, track_every=4,
                   stop_at_full_accuracy=False, loss_kind=kind, teacher=G, extra=extra)
    for _ in range(n):
        W = W - lr * model.weight_grad(W, sp.train.X, step(model.forward(W, sp.train.X, 4, 0.2)), 4, 0.2)
    np.testing.assert_allclose(st.W[0], W, rtol=tol.KERNEL_VS_SPEC_RTOL_F64, atol=1e-13)


def test_distillation_loss_needs_a_teacher():
    import dynamics
    from theory.data import make_splits
    from theory.params import DataParams, NetworkParams

    data = DataParams(n_classes=3, dim=12, n_patches=6, patches_per_feature=1, offclass_rate=1.0,
                      n_train=8, n_test=5)
    sp = make_splits(data, np.random.default_rng(0))
    st = dynamics.init_state(data, NetworkParams(n_neurons=2), 8, [np.random.default_rng(1)])
    with pytest.raises(ValueError, match="teacher"):
        dynamics.train(st, sp.train, lr=0.1, n_steps=2, power=4, threshold=0.2, track_every=1,
                       stop_at_full_accuracy=False, loss_kind=dynamics.DISTILL_TRUNCATED,
                       extra=np.array([0.5, 1.0, 0.0]))
