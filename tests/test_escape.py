"""Escape times under a measured drive (bounds/_escape.py): exact recurrences, then a real student."""

import numpy as np
import pytest

import bounds
import dynamics
from dynamics import drive
from tests import tolerances as tol
from tests.test_drive import _one_view_student, _view_teacher


def _law(lam0, c, lr, threshold, power, n_steps):
    """Λ_{t+1} = Λ_t + η·c·(Λ_t/ϱ)^{q−1} below ϱ (law (P)), and the drive D = c·(Λ/ϱ)^{q−1}."""
    lam = [lam0]
    for _ in range(n_steps - 1):
        x = lam[-1]
        lam.append(x + lr * c * (min(x, threshold) / threshold) ** (power - 1))
    lam = np.array(lam)
    return lam, c * (np.minimum(lam, threshold) / threshold) ** (power - 1)


@pytest.mark.parametrize("lam0,c", [(0.01, 1e-3), (0.003, 5e-3), (0.05, 1e-4)])
def test_escape_of_the_law_lies_in_the_bracket(lam0, c):
    lr, rho, q, n = 1.0, 0.2, 4, 400_000
    lam, D = _law(lam0, c, lr, rho, q, n)
    steps = np.arange(n)
    table = bounds.escape_table(lam[:, None, None], D[:, None, None], steps, lr, rho, q)
    assert np.isfinite(table.escaped_at[0, 0])
    np.testing.assert_allclose(table.c_mean[0, 0], c, rtol=tol.ESCAPE_C_MEAN_RTOL)
    assert table.predicted[0, 0] <= table.escaped_at[0, 0] <= table.predicted_upper[0, 0]


def test_no_escape_forecast_is_the_remaining_time():
    lr, rho, q = 1.0, 0.2, 4
    lam, D = _law(0.01, 1e-4, lr, rho, q, 1000)
    table = bounds.escape_table(lam[:, None, None], D[:, None, None], np.arange(1000), lr, rho, q)
    assert np.isnan(table.escaped_at[0, 0])
    want = bounds.phase1_time(lam[-1], rho, lr, 1e-4, q)
    np.testing.assert_allclose(table.forecast_end[0, 0], want, rtol=tol.ESCAPE_FORECAST_RTOL)
    # negative drive: never
    table = bounds.escape_table(lam[:, None, None], -D[:, None, None], np.arange(1000), lr, rho, q)
    assert table.forecast_end[0, 0] == np.inf and table.predicted[0, 0] == np.inf


@pytest.mark.slow
def test_student_losing_view_escapes_with_a_two_view_teacher_at_the_predicted_time():
    """Known answer on a real student (a one-view single model, tests/test_drive.py): a teacher that
    knows both views lifts some of the student's losing views past ϱ (3 of 8 in 2,000 steps), and the escape time predicted from
    the measured drive (law (P) with the time-averaged measured c) matches the measured one within
    ``tol.ESCAPE_PREDICTION_FACTOR``; a teacher that knows only the student's own views lifts none
    in the same steps. η'/η = 100 (bounded reading) makes the climb short enough for a test."""
    p, tr, state0 = _one_view_student()
    net, k = p.network, p.data.n_classes
    lam, _ = dynamics.evaluate.view_correlations(state0.feature_projections(None))
    lose = 1 - lam[0].argmax(axis=1)
    own_only = np.zeros((k, 2), dtype=bool)
    own_only[np.arange(k), 1 - lose] = True
    ratio, n_steps = 100.0, 2000
    tables = {}
    for name, views, weight in (("both", np.ones((k, 2), dtype=bool), 4.0), ("own", own_only, 8.0)):
        G = _view_teacher(p, tr, views, weight)
        term = drive.TeacherTerm("truncated", G, temperature=0.5, lr_ratio=ratio, truncation="bounded")
        state = state0.copy()
        rec = []

        def on_track(s, t):
            rec.append((t, drive.track_drive(s, tr, net.power, net.threshold, term)[0][0],
                        dynamics.evaluate.view_correlations(s.feature_projections(None))[0][0]))

        dynamics.train(state, tr, lr=p.train.lr, n_steps=n_steps, power=net.power, threshold=net.threshold,
                       track_every=10, stop_at_full_accuracy=False, loss_kind=dynamics.DISTILL_TRUNCATED,
                       teacher=G, extra=np.array([0.5, ratio, 1.0]), on_track=on_track)
        steps = np.array([r[0] for r in rec])
        D = np.stack([r[1] for r in rec]).sum(axis=-1)  # (T, k, 2)
        L = np.stack([r[2] for r in rec])  # (T, k, 2)
        tables[name] = bounds.escape_table(L, D, steps, p.train.lr, net.threshold, net.power)
    both, own = tables["both"], tables["own"]
    esc = both.escaped_at[np.arange(k), lose]
    pred = both.predicted[np.arange(k), lose]
    # measured: 3 of 8 escape by step 2000 (at 410-860), the others are still climbing
    assert np.isfinite(esc).sum() >= 2
    assert np.isnan(own.escaped_at[np.arange(k), lose]).all()
    ok = np.isfinite(esc)
    ratio_meas = esc[ok] / pred[ok]
    f = tol.ESCAPE_PREDICTION_FACTOR
    assert np.all((ratio_meas > 1 / f) & (ratio_meas < f)), ratio_meas
