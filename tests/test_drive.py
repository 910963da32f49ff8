"""The distillation drive (dynamics/drive.py): exact against one compiled step, and on a known case."""

import numpy as np
import pytest

import dynamics
from dynamics import drive
from dynamics.evaluate import outputs
from theory.data import make_splits
from theory.params import with_overrides
from theory.presets import get
from tests import tolerances as tol

FORMS = {
    "ce": (dynamics.CE, None, lambda G: drive.TeacherTerm("ce")),
    "spec": (dynamics.DISTILL_TRUNCATED, [0.5, 2.0, 0.0],
             lambda G: drive.TeacherTerm("truncated", G, temperature=0.5, lr_ratio=2.0, truncation="spec")),
    "bounded": (dynamics.DISTILL_TRUNCATED, [0.7, 1.5, 1.0],
                lambda G: drive.TeacherTerm("truncated", G, temperature=0.7, lr_ratio=1.5, truncation="bounded")),
    "none": (dynamics.DISTILL_TRUNCATED, [0.3, 1.0, 2.0],
             lambda G: drive.TeacherTerm("truncated", G, temperature=0.3, lr_ratio=1.0, truncation="none")),
    "hinton": (dynamics.DISTILL_HINTON, [0.4, 3.0],
               lambda G: drive.TeacherTerm("hinton", G, alpha=0.4, hinton_temperature=3.0)),
}


def _setup(dim, seed=0, init_std=0.15):
    over = {"dim": dim, "n_train": 40, "n_classes": 4, "n_patches": 12, "patches_per_feature": 2,
            "n_neurons": 3, "init_std": init_std}
    if dim != "inf":
        over.update({"noise_mode": "isotropic", "features": "random", "noise_norm": 0.5})
    p = with_overrides(get("quick"), over)
    rng = np.random.default_rng(seed)
    tr = make_splits(p.data, rng).train
    state = dynamics.init_state(p.data, p.network, p.data.n_train, [rng], np.float64)
    return p, tr, state


def _own(proj, k):
    return np.stack([proj[:, j, :, 2 * j:2 * j + 2] for j in range(k)], axis=1)  # (K, k, m, 2)


@pytest.mark.parametrize("dim", ["inf", 24])
@pytest.mark.parametrize("form", list(FORMS))
def test_drive_is_one_step_of_the_kernel(dim, form):
    p, tr, state = _setup(dim)
    kind, extra, make_term = FORMS[form]
    k, lr = p.data.n_classes, 0.5
    G = np.random.default_rng(1).standard_normal((tr.n_samples, k)) * 3.0
    term = make_term(G)
    D = drive.view_drive(state, tr, p.network.power, p.network.threshold, term)  # (1, k, m, 2, 4)
    before = _own(state.feature_projections(tr.features), k)
    dynamics.train(state, tr, lr=lr, n_steps=1, power=p.network.power, threshold=p.network.threshold,
                   track_every=1, stop_at_full_accuracy=False, loss_kind=kind,
                   teacher=G if kind != dynamics.CE else None,
                   extra=None if extra is None else np.array(extra))
    moved = (_own(state.feature_projections(tr.features), k) - before) / lr
    scale = np.abs(D).max()
    assert scale > 0
    np.testing.assert_allclose(moved, D.sum(axis=-1), rtol=0, atol=tol.DRIVE_STEP_RTOL * scale)
    if form == "ce":
        assert np.all(D[..., 2:] == 0.0)
    else:
        assert np.abs(D[..., 2:]).max() > 0


def test_on_track_sees_every_tracking_point():
    p, tr, state = _setup("inf")
    seen = []
    traj = dynamics.train(state, tr, lr=0.5, n_steps=7, power=p.network.power,
                          threshold=p.network.threshold, track_every=3, stop_at_full_accuracy=False,
                          on_track=lambda s, t: seen.append((t, s.a.copy())))
    assert [t for t, _ in seen] == list(traj.steps)
    np.testing.assert_array_equal(seen[-1][1], state.a)


def _view_teacher(p, tr, views, weight=4.0):
    """Teacher outputs (N, k) of a network whose filter l of class j is weight·v_{j,l} where views[j, l]."""
    k = p.data.n_classes
    m = 2
    a = np.zeros((1, k, m, 2 * k))
    for j in range(k):
        for l in range(2):
            if views[j, l]:
                a[0, j, l, 2 * j + l] = weight
    st = dynamics.ModelState(1, k, m, a=a, cT=np.zeros((tr.n_samples * tr.coef.shape[1], k * m)),
                             noise_norm=p.data.noise_norm)
    return outputs(st, tr, p.network.power, p.network.threshold, p.network.init_std, training_set=True)[0]


def _one_view_student():
    """A single model of a small quick-like problem trained to 100% training accuracy (one view per class).

    γ = 0 (no feature noise) and s = 1 so that a view reaches another class's samples only as an
    off-class feature, which is what the known-answer test is about.
    """
    p = with_overrides(get("quick"), {"n_train": 200, "n_classes": 8, "n_neurons": 4,
                                      "feature_noise": 0.0, "offclass_rate": 1.0})
    rng = np.random.default_rng(3)
    tr = make_splits(p.data, rng).train
    state = dynamics.init_state(p.data, p.network, p.data.n_train, [rng], np.float64)
    dynamics.train(state, tr, lr=p.train.lr, n_steps=3000, power=p.network.power,
                   threshold=p.network.threshold, track_every=500, stop_at_full_accuracy=True)
    return p, tr, state


@pytest.fixture(scope="module")
def one_view_student():
    return _one_view_student()


@pytest.mark.parametrize("form", ["spec", "bounded", "none", "hinton"])
def test_teacher_with_both_views_drives_the_losing_view(one_view_student, form):
    """Known answer: the teacher term reaches the student's losing view (through its off-class
    occurrences) when the teacher knows that view, and hardly at all when the teacher knows only
    the student's own winning views. The one-view teacher's weight is doubled so that both
    teachers are about equally confident on the true class (G_y ≈ 8.4 and 9.2): otherwise a
    less confident teacher pulls every off-class output up (Hinton's soft targets) whatever it knows.
    """
    p, tr, state = one_view_student
    net, k = p.network, p.data.n_classes
    lam, _ = dynamics.evaluate.view_correlations(state.feature_projections(None))
    assert (lam[0] > net.threshold).sum(axis=1).tolist() == [1] * k  # one view per class
    win = lam[0].argmax(axis=1)
    lose = 1 - win
    own_only = np.zeros((k, 2), dtype=bool)
    own_only[np.arange(k), win] = True
    res = {}
    for name, views, weight in (("both", np.ones((k, 2), dtype=bool), 4.0), ("own", own_only, 8.0)):
        G = _view_teacher(p, tr, views, weight)
        if form == "hinton":
            term = drive.TeacherTerm("hinton", G, alpha=0.5, hinton_temperature=4.0)
        else:
            term = drive.TeacherTerm("truncated", G, temperature=0.5, lr_ratio=1.0, truncation=form)
        at_max, _ = drive.track_drive(state, tr, net.power, net.threshold, term)
        res[name] = at_max[0, np.arange(k), lose]  # (k, 4) on the losing views
    i_off = drive.SOURCES.index("teacher_off")
    off_both, off_own = res["both"][:, i_off], res["own"][:, i_off]
    assert np.all(off_both > 0)  # the both-view teacher pulls every losing view up
    if form == "hinton":  # soft targets carry generic off-class mass too (docs/distillation.md)
        assert off_both.sum() > tol.DRIVE_TEACHER_RATIO_HINTON * off_own.sum()
    else:
        assert off_both.sum() > tol.DRIVE_TEACHER_RATIO * abs(off_own.sum())
    # the ground-truth sources do not depend on the teacher
    np.testing.assert_array_equal(res["both"][:, :2], res["own"][:, :2])
