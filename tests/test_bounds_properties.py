"""Property-based and Monte Carlo checks of the bounds (SPEC §5 claims 3, 5, 9; §6).

The discrete tensor-power bound is attacked by iterating the recurrences inside its
assumptions (tests/strategies.py): the worst case (x at equality with the largest allowed
step, y at equality) and random slack and drive variants. The harness is shown to have
teeth: it finds counterexamples to two deliberately wrong bounds. Tightness is asserted,
not just validity. The lottery and coverage formulas are compared with Monte Carlo
estimates under stated confidence, and the trajectory check with synthetic trajectories.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, find, given, note, settings, target
from hypothesis import strategies as st

import bounds
from tests import strategies as bst
from tests.tolerances import (CANCELLATION_FACTOR, BOUND_RTOL, DRIVE_RTOL, MC_SAMPLES, MC_Z, ORDER_RTOL, QUAD_ATOL,
                               TIGHT_STEP_CAP, TIGHTNESS_FLOOR)

# Budgets: the machine has 2 shared cores; these keep the non-slow file well under a minute.
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIND = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def y_at_hit(run):
    assert run.reached, "the strategies size the schedules so that x reaches A"
    return run.y[-1]


def discrete_bound_for(setup, run):
    """Bound (D) with the run's realised step cap (the tightest δ the run satisfies)."""
    return bounds.discrete_bound(setup.y0, setup.x0, setup.power, run.step_cap, setup.strength,
                                 setup.level)


# ----------------------------------------------------------------------------------------
# the discrete bound holds ...
# ----------------------------------------------------------------------------------------


def _assert_bound_holds(setup, schedule, run):
    y_hit = y_at_hit(run)
    bound = discrete_bound_for(setup, run)
    ratio = y_hit / bound
    note(f"{schedule.kind}: q={setup.power} δ={run.step_cap:.3g} ratio={ratio:.6f}")
    target(float(ratio), label="y_{T_x} / bound")
    assert y_hit <= bound * (1 + BOUND_RTOL)
    # the run also satisfies the side condition with the drawn δ, and the start sits at the
    # drawn gap: the A-free, gap and paper forms must hold too
    assert run.step_cap <= setup.step_cap * (1 + BOUND_RTOL)
    assert y_hit <= bounds.discrete_bound_gap(setup.y0, setup.gap, setup.power, setup.step_cap) * (1 + BOUND_RTOL)
    assert y_hit <= bounds.discrete_bound_paper(setup.y0, setup.gap, setup.power, setup.step_cap) * (1 + BOUND_RTOL)


@FAST
@given(bst.runs())
def test_discrete_bound_holds_with_slack_and_varying_drive(case):
    _assert_bound_holds(*case)


@FAST
@given(bst.runs(kinds=("worst",), slack=False))
def test_discrete_bound_holds_in_the_worst_case(case):
    _assert_bound_holds(*case)


@pytest.mark.slow
@SLOW
@given(bst.runs(step_caps=st.floats(min_value=2e-4, max_value=0.5)))
def test_discrete_bound_holds_long_search(case):
    _assert_bound_holds(*case)


# ----------------------------------------------------------------------------------------
# ... is not vacuous ...
# ----------------------------------------------------------------------------------------


@FAST
@given(bst.runs(step_caps=st.floats(min_value=2e-4, max_value=TIGHT_STEP_CAP), kinds=("worst",), slack=False))
def test_worst_case_nearly_attains_the_bound_for_small_steps(case):
    setup, _, run = case
    ratio = y_at_hit(run) / discrete_bound_for(setup, run)
    assert TIGHTNESS_FLOOR <= ratio <= 1 + BOUND_RTOL


def test_largest_ratio_on_a_grid_of_worst_cases(capsys):
    """Record the tightness: the largest y_{T_x}/bound per step cap, on a fixed grid."""
    largest = {}
    for delta in (1e-3, 1e-2, 1e-1, 0.5):
        for q in range(3, 9):
            for reserve in (0.05, 0.3, 0.9):
                for level_ratio in (1.05, 3.0, 30.0):
                    setup = bst.PairSetup(power=q, lr=0.1, strength=1.0, x0=0.0, y0=0.1, level=0.0,
                                          step_cap=delta, gap=0.0)
                    r = (1 - reserve) / float(bounds.step_overhead(delta, q))
                    x0 = setup.y0 * r ** (-1 / (q - 2))
                    n = int(math.log(level_ratio) / math.log1p(delta)) + 2
                    run = bounds.simulate_pair(q, 0.1, 1.0, x0, setup.y0, x0 * level_ratio,
                                               step=np.full(n, delta))
                    bound = bounds.discrete_bound(setup.y0, x0, q, run.step_cap, 1.0, x0 * level_ratio)
                    ratio = y_at_hit(run) / bound
                    assert ratio <= 1 + BOUND_RTOL
                    largest[delta] = max(largest.get(delta, 0.0), ratio)
    with capsys.disabled():
        print("\nlargest y_{T_x}/bound per δ:", {d: round(v, 6) for d, v in largest.items()})
    assert largest[1e-3] >= TIGHTNESS_FLOOR


# ----------------------------------------------------------------------------------------
# ... and the harness has teeth
# ----------------------------------------------------------------------------------------


def _violates(bound_of):
    def condition(case):
        setup, _, run = case
        return y_at_hit(run) > bound_of(setup, run) * (1 + BOUND_RTOL)
    return condition


def test_harness_catches_the_continuous_bound_applied_to_discrete_steps():
    """The ODE bound without step-size terms is false for the recurrences; the harness must find it."""
    def continuous(setup, run):
        return bounds.continuous_bound(setup.y0, setup.x0, setup.power, setup.strength, setup.level)
    case = find(bst.runs(kinds=("worst",), slack=False), _violates(continuous), settings=FIND)
    assert y_at_hit(case[2]) <= discrete_bound_for(case[0], case[2]) * (1 + BOUND_RTOL)


def test_harness_catches_a_bound_without_the_last_step_term():
    """Dropping the δ·(x_0/A)^{q-2} term of (D) (the last step's clock) is false near A = x_0."""
    def no_last_step(setup, run):
        p, delta = setup.power - 2, run.step_cap
        r = setup.strength * (setup.y0 / setup.x0) ** p
        rho = (setup.x0 / setup.level) ** p
        h = float(bounds.step_overhead(delta, setup.power))
        return setup.y0 * (1 - r * h * (1 - rho)) ** (-1 / p)
    find(bst.runs(kinds=("worst",), slack=False), _violates(no_last_step), settings=FIND)


# ----------------------------------------------------------------------------------------
# relaxations and brackets
# ----------------------------------------------------------------------------------------


@FAST
@given(bst.pair_setups(), st.floats(min_value=1.0, max_value=2.0))
def test_relaxations_are_ordered(setup, extra):
    """continuous <= (D) <= (D, A-free) <= gap form <= paper form, and (D) <= Bernoulli (q >= 3)."""
    q, d, S, y0, A = setup.power, setup.step_cap, setup.strength, setup.y0, setup.level
    x0 = setup.x0 * extra  # any start at or above the gap's
    A = max(A, x0 * 1.01)
    chain = [
        bounds.continuous_bound(y0, x0, q, S, A),
        bounds.discrete_bound(y0, x0, q, d, S, A),
        bounds.discrete_bound(y0, x0, q, d, S),
        bounds.discrete_bound_gap(y0, setup.gap, q, d),
        bounds.discrete_bound_paper(y0, setup.gap, q, d),
    ]
    for lower, upper in zip(chain, chain[1:]):
        assert lower <= upper * (1 + ORDER_RTOL)
    assert chain[1] <= bounds.discrete_bound_bernoulli(y0, x0, q, d, S, A) * (1 + ORDER_RTOL)
    assert bounds.continuous_bound_gap(y0, setup.gap, q) <= bounds.continuous_bound_paper(y0, setup.gap, q) * (1 + ORDER_RTOL)


@FAST
@given(bst.runs(kinds=("random_steps", "random_drive"), slack=False))
def test_winner_clock_lies_in_the_bracket(case):
    setup, _, run = case
    clock = setup.lr * run.drive.sum()  # Σ_{t<T_x} η·C_t
    lower, upper = bounds.discrete_clock_bracket(setup.x0, setup.level, setup.power, run.step_cap)
    assert lower * (1 - BOUND_RTOL) <= clock <= upper * (1 + BOUND_RTOL)


@FAST
@given(bst.phase1_setups())
def test_phase1_step_count_lies_in_the_bracket(params):
    q, lam0, threshold, lr, drive = params
    lam, steps = lam0, 0
    while lam < threshold:  # law (P): Λ_{t+1} = Λ_t + η·c·(Λ_t/ϱ)^{q-1}
        lam += lr * drive * (lam / threshold) ** (q - 1)
        steps += 1
    lower, upper = bounds.phase1_time_bracket(lam0, threshold, lr, drive, q)
    assert lower * (1 - BOUND_RTOL) <= steps <= upper * (1 + BOUND_RTOL)


def test_drive_constant_matches_the_network_gradient():
    """c of bounds._phase against the cross-entropy gradient of F_i = Σ_p s(<w, x_p>) in numpy.

    k classes with N/k samples each, features e_0..e_{2k-1}, C_p patches per feature with an
    equal split of Z (multi-view, Z in [1, 1.5]) and off-class features present with rate
    s/k (Z_off in [0.2, 0.4]); one filter of class 0 with <w, v_{0,1}> = Λ << ϱ, all other
    weights 0, so the logits are ~0 as the derivation assumes.
    """
    rng = np.random.default_rng(20240)
    n_classes, per_class, C_p, q, threshold, lam, s = 4, 50, 3, 3, 0.5, 1e-3, 2.0
    n_train = n_classes * per_class
    labels = np.repeat(np.arange(n_classes), per_class)  # (N,)
    # coefficient sum of feature v_{0,1} (index 0) in every sample: true view or off-class
    z_sum = np.zeros(n_train)  # (N,)
    z_sum[labels == 0] = rng.uniform(1.0, 1.5, size=per_class)
    carriers = (labels != 0) & (rng.uniform(size=n_train) < s / n_classes)
    z_sum[carriers] = rng.uniform(0.2, 0.4, size=carriers.sum())
    # patches: only the C_p patches carrying v_{0,1} matter for <grad, v_{0,1}> (no noise)
    patch_z = np.repeat(z_sum[:, None] / C_p, C_p, axis=1)  # (N, C_p)
    pre = patch_z * lam  # <w, x_p> = z_p·Λ, (N, C_p)
    s_val = np.where(pre < threshold, pre**q / (q * threshold ** (q - 1)), pre - (1 - 1 / q) * threshold)
    logits = np.zeros((n_train, n_classes))
    logits[:, 0] = s_val.sum(axis=1)  # F_0; other classes have zero weights
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    dF = (prob[:, 0] - (labels == 0)) / n_train  # (N,)
    slope = np.minimum(pre / threshold, 1.0) ** (q - 1)  # s'(z_p·Λ), (N, C_p)
    grad_v = np.sum(dF[:, None] * slope * patch_z)  # <∇_w L, v_{0,1}>
    measured = -grad_v / (lam / threshold) ** (q - 1)  # Λ_{t+1} − Λ_t = η·c·(Λ/ϱ)^{q-1}
    # the formula, with the sample's empirical moments and off-class rate
    moment = np.mean(z_sum[labels == 0] ** q)
    moment_off = np.mean(z_sum[carriers] ** q)
    rate = n_classes * carriers.mean() / (1 - 1 / n_classes)  # s_emp: carriers = N(1−1/k)(s/k)
    predicted = bounds.drive_constant(n_classes, C_p, q, moment, rate, moment_off)
    assert math.isclose(measured, predicted, rel_tol=DRIVE_RTOL)


# ----------------------------------------------------------------------------------------
# lottery and coverage against Monte Carlo
# ----------------------------------------------------------------------------------------


def _view_maxima(rng, n_neurons, init_std):
    """Λ_{i,l}(0) for MC_SAMPLES classes: max(0, max_r N(0, σ_0²)), shape (MC_SAMPLES, 2)."""
    corr = rng.normal(0.0, init_std, size=(MC_SAMPLES, 2, n_neurons))
    return np.maximum(corr.max(axis=2), 0.0)


def _within_ci(estimate, exact):
    se = math.sqrt(max(exact * (1 - exact), 1.0 / MC_SAMPLES) / MC_SAMPLES)
    return abs(estimate - exact) <= MC_Z * se + QUAD_ATOL


@pytest.mark.parametrize("n_neurons, strength, power, init_std",
                         [(2, 1.0, 3, 1.0), (10, 1.0, 4, 1e-3), (40, 1.5, 3, 0.05), (40, 0.5, 6, 7.0)])
def test_membership_probability_matches_monte_carlo(n_neurons, strength, power, init_std):
    rng = np.random.default_rng([n_neurons, power, 31])
    lam = _view_maxima(rng, n_neurons, init_std)  # (MC_SAMPLES, 2)
    k1, k2 = bounds.lottery_margins(n_neurons, strength, power)
    in_m = ((lam[:, 0] > 0) & (lam[:, 0] >= k1 * lam[:, 1])) | ((lam[:, 1] > 0) & (lam[:, 1] >= k2 * lam[:, 0]))
    assert _within_ci(in_m.mean(), bounds.membership_probability(n_neurons, strength, power))
    wins = (lam[:, 0] > 0) & (lam[:, 0] > strength ** (1 / (power - 2)) * lam[:, 1])
    assert _within_ci(wins.mean(), bounds.win_probability(n_neurons, strength, power))


@pytest.mark.parametrize("n_models, p_view1", [(1, 0.5), (3, 0.5), (5, 0.8), (8, 0.3)])
def test_coverage_matches_monte_carlo(n_models, p_view1):
    rng = np.random.default_rng([n_models, 7])
    learned_view1 = rng.uniform(size=(MC_SAMPLES, n_models)) < p_view1  # (classes, members)
    covered = learned_view1.any(axis=1) & (~learned_view1).any(axis=1)
    assert _within_ci(covered.mean(), bounds.coverage_probability(n_models, p_view1))


# ----------------------------------------------------------------------------------------
# the trajectory check
# ----------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bst.runs(), st.integers(min_value=1, max_value=9))
def test_check_holds_on_synthetic_trajectories(case, every):
    setup, _, run = case
    steps = np.arange(run.x.size) * 3  # tracking points three GD steps apart ...
    lr = setup.lr / 3  # ... so η·Δ = setup.lr per recurrence step
    keep = np.unique(np.r_[np.arange(0, run.x.size, every), run.x.size - 1])  # subsample, keep T_x
    result = bounds.check_trajectory(run.x[keep], run.y[keep], steps[keep], lr, setup.power,
                                     setup.level, strength=setup.strength)
    assert result.reached and result.holds
    assert result.index == keep.size - 1
    # on the coarse grid the loser still obeys its recurrence (y grows relatively slower)
    assert result.premises
    estimated = bounds.check_trajectory(run.x, run.y, steps, lr, setup.power, setup.level,
                                        strength=None)
    assert estimated.holds and estimated.premises
    # S is estimated from differences of consecutive values: cancellation costs eps/growth
    growth = np.diff(run.y) / run.y[:-1]
    slack = max(BOUND_RTOL, CANCELLATION_FACTOR * np.finfo(float).eps / growth[growth > 0].min())
    assert estimated.strength <= setup.strength * (1 + slack)


def _worst_run(q=4, delta=0.01, reserve=0.2, strength=1.0):
    y0 = 0.1
    r = (1 - reserve) / float(bounds.step_overhead(delta, q))
    x0 = y0 * (strength / r) ** (1 / (q - 2))
    level = 5 * x0
    n = int(math.log(5) / math.log1p(delta)) + 2
    return bounds.simulate_pair(q, 0.1, strength, x0, y0, level, step=np.full(n, delta)), level


def test_check_reports_a_violation():
    run, level = _worst_run()
    y = run.y.copy()
    good = bounds.check_trajectory(run.x, y, np.arange(y.size), 0.1, 4, level)
    assert good.holds and good.premises and good.ratio > 0.9
    y[-1] = 1.5 * good.bound  # the loser overshoots at the winner's hitting time
    bad = bounds.check_trajectory(run.x, y, np.arange(y.size), 0.1, 4, level)
    assert not bad.holds and bad.ratio > 1
    assert not bad.premises  # the jump also breaks the loser's recurrence with S = 1


def test_check_flags_a_loser_stronger_than_declared():
    run, level = _worst_run(strength=1.5)  # the loser really has S = 1.5
    declared = bounds.check_trajectory(run.x, run.y, np.arange(run.x.size), 0.1, 4, level, strength=1.0)
    assert not declared.premises
    estimated = bounds.check_trajectory(run.x, run.y, np.arange(run.x.size), 0.1, 4, level, strength=None)
    assert math.isclose(estimated.strength, 1.5, rel_tol=1e-6) and estimated.holds


def test_vectorised_check_equals_the_scalar_one():
    runs = [_worst_run(q=q, delta=d)[0] for q, d in [(3, 0.01), (4, 0.02), (5, 0.005)]]
    n_track = min(r.x.size for r in runs) + 5
    level = 0.6
    # stack, padding each class with its last value so every column has n_track rows
    x = np.stack([np.pad(r.x, (0, max(0, n_track - r.x.size)), mode="edge")[:n_track] for r in runs], axis=1)
    y = np.stack([np.pad(r.y, (0, max(0, n_track - r.y.size)), mode="edge")[:n_track] for r in runs], axis=1)
    y[:, 1] *= np.linspace(1, 3, n_track)  # one class whose loser runs away
    steps = np.arange(n_track) * 10
    for j, q in enumerate([3, 4, 5]):
        many = bounds.check_trajectories(x[:, [j]], y[:, [j]], steps, 0.01, q, level)
        one = bounds.check_trajectory(x[:, j], y[:, j], steps, 0.01, q, level)
        for name in ("reached", "index", "holds", "premises"):
            assert getattr(many, name)[0] == getattr(one, name)
        np.testing.assert_array_equal(many.bound, [one.bound])


def test_winner_loser_split():
    lam = np.zeros((3, 2, 2))  # (n_track, n_classes, 2)
    lam[:, 0, 1] = [0.1, 0.5, 0.9]  # class 0: view 2 wins
    lam[:, 0, 0] = [0.2, 0.2, 0.2]
    lam[:, 1, 0] = [0.3, 0.6, 1.0]  # class 1: view 1 wins
    lam[:, 1, 1] = [0.1, 0.1, 0.1]
    x, y, winner = bounds.winner_loser(lam)
    np.testing.assert_array_equal(winner, [1, 0])
    np.testing.assert_array_equal(x[:, 0], lam[:, 0, 1])
    np.testing.assert_array_equal(y[:, 1], lam[:, 1, 1])
