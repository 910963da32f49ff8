"""Exact symbolic checks of the bounds' derivations against known closed forms.

Each test compares a derived sympy expression with a special case worked by hand (q = 3,
m = 1, K = 2, ...) or with a limit that must hold (δ → 0, G → ∞, Λ_0 → 0), and asks sympy
to prove the difference zero. General-q limits substitute q = p + 2 with p > 0 declared,
because sympy cannot be told q > 2 directly. Numeric substitution is used only where a test
says why (sympy cannot close the form), with tolerances from tests/tolerances.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import bounds
from bounds._symbols import (A, C, C_p, G, K, Lambda0, Mq, Mq_off, S, c, delta, eps, eta, k, kappa,
                             kappa1, kappa2, m, p1, q, s_off, sigma0, t, tau, u, varrho, x0, y0)
from tests.tolerances import EXPR_RTOL, QUAD_ATOL

P = sp.Symbol("p", positive=True)  # p = q − 2 > 0, for limits in general q
QS = range(3, 9)  # the integer powers the toolkit runs (SPEC §1: q >= 3)


def with_p(expr):
    """Rewrite q as p + 2 with p > 0, so that sympy knows the sign of q − 2."""
    return expr.subs(q, P + 2)


def is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


def base_of(bound):
    """The base b of a bound written y_0·b^{-1/(q-2)} (or b^{-1/(q-2)})."""
    (power,) = [f for f in bound.atoms(sp.Pow) if f.exp == -1 / (q - 2)]
    return power.base


def tidy(expr):
    return bounds._tensor_power._tidy(sp.expand(bounds._tensor_power._tidy(expr)))


# ----------------------------------------------------------------------------------------
# ODE x' = C·x^{q-1}
# ----------------------------------------------------------------------------------------


def test_ode_clock_solution_solves_the_ode_for_every_q():
    x = bounds.derive_ode_clock_solution()
    assert is_zero(tidy(sp.diff(x, tau) - x ** (q - 1)))
    assert is_zero(x.subs(tau, 0) - x0)


def test_ode_solution_closed_forms_at_q3():
    x = bounds.derive_ode_solution().subs(q, 3)
    assert is_zero(x - x0 / (1 - C * x0 * t))
    assert is_zero(bounds.derive_blowup_time().subs(q, 3) - 1 / (C * x0))
    assert is_zero(bounds.derive_time_to_level().subs(q, 3) - (1 / x0 - 1 / A) / C)


@pytest.mark.parametrize("power", QS)
def test_solution_reaches_the_level_at_the_time_to_level(power):
    x = bounds.derive_ode_solution().subs(q, power)
    at = x.subs(t, bounds.derive_time_to_level().subs(q, power))
    assert is_zero(at - A)


def test_blowup_clock_is_the_level_clock_as_level_grows():
    assert is_zero(sp.limit(with_p(bounds.derive_clock_to_level()), A, sp.oo)
                   - with_p(bounds.derive_blowup_clock()))


# ----------------------------------------------------------------------------------------
# continuous bound
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [True, False])
def test_continuous_bound_normalised_form_equals_the_ode_derivation(level):
    raw = bounds.derive_continuous_bound_raw(level)
    normal = bounds.derive_continuous_bound(level)
    # equal iff the bases agree: raw base = y_0^{-(q-2)}·normalised base (all positive)
    assert is_zero(tidy(base_of(raw) - y0 ** (2 - q) * base_of(normal)))


def test_continuous_bound_is_the_loser_ode_at_the_winners_hitting_time_q3():
    # y' = S·C·y², x' = C·x²: y(T_A) from the constant-drive solutions, by hand at q = 3
    y_at = y0 / (1 - S * C * y0 * (1 / x0 - 1 / A) / C)
    assert is_zero(bounds.derive_continuous_bound().subs(q, 3) - y_at)


def test_continuous_gap_form_closed_form_at_q3_and_spec_form():
    assert is_zero(bounds.derive_continuous_bound_gap().subs(q, 3) - y0 * (1 + G) / G)
    spec = y0 * (1 - (1 + G) ** (-(q - 2))) ** (-1 / (q - 2))  # SPEC §6, last form
    assert is_zero(tidy(base_of(bounds.derive_continuous_bound_gap()) - base_of(spec)))


def test_continuous_paper_form_equals_gap_form_at_q3():
    assert is_zero(bounds.derive_continuous_bound_paper().subs(q, 3) - y0 * (1 + G) / G)


def test_large_gap_leaves_the_loser_at_its_start():
    for form in (bounds.derive_continuous_bound_gap(), bounds.derive_continuous_bound_paper(),
                 bounds.derive_discrete_bound_gap(), bounds.derive_discrete_bound_paper()):
        assert is_zero(sp.limit(with_p(form), G, sp.oo) - y0)


def test_symmetric_views_at_q3():
    # S = 1, A = ∞: y(T_x) <= y_0·x_0/(x_0 − y_0), the q = 3 tensor-power classic
    assert is_zero(bounds.derive_continuous_bound(level=False).subs({q: 3, S: 1}) - y0 * x0 / (x0 - y0))


# ----------------------------------------------------------------------------------------
# discrete bound
# ----------------------------------------------------------------------------------------


def test_step_overhead_at_q3_is_one_plus_delta_and_tends_to_one():
    assert is_zero(bounds.derive_step_overhead().subs(q, 3) - (1 + delta))
    assert is_zero(sp.limit(with_p(bounds.derive_step_overhead()), delta, 0) - 1)
    assert is_zero(sp.limit(with_p(bounds.derive_step_efficiency()), delta, 0) - P)


@pytest.mark.parametrize("level", [True, False])
def test_discrete_bound_normalised_form_equals_the_telescoped_one(level):
    raw = bounds.derive_discrete_bound_raw(level)
    normal = bounds.derive_discrete_bound(level)
    assert is_zero(tidy(base_of(raw) - y0 ** (2 - q) * base_of(normal)))


@pytest.mark.parametrize("level", [True, False])
def test_discrete_bound_tends_to_the_continuous_bound_as_steps_shrink(level):
    limit = sp.limit(with_p(bounds.derive_discrete_bound(level)), delta, 0)
    assert is_zero(limit - with_p(bounds.derive_continuous_bound(level)))


@pytest.mark.parametrize("level", [True, False])
def test_bernoulli_relaxation_is_exact_at_q3(level):
    assert is_zero(bounds.derive_discrete_bound_bernoulli(level).subs(q, 3)
                   - bounds.derive_discrete_bound(level).subs(q, 3))


def test_discrete_gap_and_paper_forms_closed_form_at_q3():
    expected = y0 * (1 + G) / (G - delta)  # (1 − (1+δ)/(1+G))^{-1}
    assert is_zero(bounds.derive_discrete_bound_gap().subs(q, 3) - expected)
    assert is_zero(bounds.derive_discrete_bound_paper().subs(q, 3) - expected)


def test_discrete_bound_closed_form_at_q3():
    # hand-derived: B* = (1/x_0 − 1/A)(1+δ) + δ/A, y <= (1/y_0 − S·B*)^{-1}
    clock = (1 / x0 - 1 / A) * (1 + delta) + delta / A
    assert is_zero(bounds.derive_discrete_clock_bound().subs(q, 3) - clock)
    assert is_zero(bounds.derive_discrete_bound().subs(q, 3) - 1 / (1 / y0 - S * clock))


def test_discrete_clock_bracket_collapses_as_steps_shrink():
    upper = sp.limit(with_p(bounds.derive_discrete_clock_bound()), delta, 0)
    assert is_zero(upper - with_p(bounds.derive_discrete_clock_lower()))


# ----------------------------------------------------------------------------------------
# Phase I
# ----------------------------------------------------------------------------------------


def test_phase1_time_closed_form_at_q3_and_leading_term():
    exact = bounds.derive_phase1_time()
    assert is_zero(exact.subs(q, 3) - varrho**2 * (1 / Lambda0 - 1 / varrho) / (eta * c))
    approx = bounds.derive_phase1_time(exact=False)
    assert is_zero(approx - varrho ** (q - 1) / ((q - 2) * eta * c * Lambda0 ** (q - 2)))
    assert is_zero(sp.limit(with_p(exact / approx), Lambda0, 0) - 1)


def test_phase1_step_cap_and_bracket_at_q3():
    assert is_zero(bounds.derive_phase1_step_cap() - eta * c / varrho)
    lower, upper = bounds.derive_phase1_time_bracket()
    assert is_zero(upper.subs(q, 3) - ((1 + eta * c / varrho) * lower.subs(q, 3) + 1))


def test_drive_constant_form():
    expected = (1 - 1 / k) / k * C_p ** (1 - q) * (Mq - s_off / k * Mq_off)
    assert is_zero(bounds.derive_drive_constant() - expected)
    # k = 2, C_p = 1, q = 3, E[Z^q] = 1, no off-class features: c = (1/2)·(1/2)
    assert bounds.derive_drive_constant().subs({k: 2, C_p: 1, q: 3, Mq: 1, s_off: 0}) == sp.Rational(1, 4)


# ----------------------------------------------------------------------------------------
# lottery and coverage
# ----------------------------------------------------------------------------------------


def test_win_integral_closed_form_for_one_filter():
    # m = 1: P(X > 0, Y < X/κ) for independent standard normals = 1/4 + atan(1/κ)/(2π)
    value = bounds.derive_win_integral().subs(m, 1).doit()
    assert is_zero(value - (sp.Rational(1, 4) + sp.atan(1 / kappa) / (2 * sp.pi)))


def test_win_integral_at_margin_one_has_the_tie_antiderivative():
    # κ = 1: the integrand m·φ·Φ^{2m-1} is d/du Φ^{2m}/2, so the integral is (1 − 4^{-m})/2
    integrand = bounds.derive_win_integral().function.subs(kappa, 1)
    Phi = (1 + sp.erf(u / sp.sqrt(2))) / 2
    assert is_zero(sp.diff(Phi ** (2 * m) / 2, u) - integrand)
    assert is_zero((Phi ** (2 * m) / 2).subs(u, 0) - 4 ** (-m) / 2)


def test_lottery_does_not_depend_on_init_scale():
    scaled = bounds.derive_win_integral(scaled=True)
    lam = scaled.variables[0]
    standardised = scaled.transform(lam, (sigma0 * u, u))
    reference = bounds.derive_win_integral()
    assert standardised.limits == reference.limits
    assert is_zero(standardised.function - reference.function)
    assert sigma0 not in bounds.derive_membership_probability().free_symbols


def test_membership_integral_is_two_win_integrals_and_margins_are_disjoint():
    both = bounds.derive_membership_integral().function
    win = bounds.derive_win_integral().function
    assert is_zero(both - win.subs(kappa, kappa1) - win.subs(kappa, kappa2))
    k1, k2 = bounds.derive_lottery_margins()
    assert is_zero(tidy(k1 * k2) - (1 + eps) ** 2)  # > 1: (i,1) and (i,2) cannot both be in M
    assert is_zero(bounds.derive_lottery_slack() - 1 / sp.log(m) ** 2)


def test_coverage_symmetric_and_small_ensembles():
    assert is_zero(bounds.derive_coverage_symmetric() - (1 - 2 ** (1 - K)))
    coverage = bounds.derive_coverage()
    assert is_zero(coverage.subs(K, 1))  # one model covers one view only
    assert is_zero(coverage.subs(K, 2) - 2 * p1 * (1 - p1))


# ----------------------------------------------------------------------------------------
# numeric layer = the expressions
# ----------------------------------------------------------------------------------------


def test_numeric_bounds_match_sympy_evaluation():
    # lambdify must evaluate the same expression: compare at a generic point with evalf
    point = {y0: 0.1, x0: 0.17, S: 1.3, A: 2.0, delta: 0.05, q: 5}
    for numeric, derived in [
        (bounds.discrete_bound(0.1, 0.17, 5, 0.05, 1.3, 2.0), bounds.derive_discrete_bound()),
        (bounds.continuous_bound(0.1, 0.17, 5, 1.3, 2.0), bounds.derive_continuous_bound()),
        (bounds.discrete_bound_bernoulli(0.1, 0.17, 5, 0.05, 1.3, 2.0),
         bounds.derive_discrete_bound_bernoulli()),
    ]:
        assert math.isclose(float(numeric), float(derived.subs(point).evalf(30)), rel_tol=EXPR_RTOL)


def test_numeric_lottery_matches_closed_forms():
    # m = 1 (slack given, since 1/log² 1 is undefined): 2·(1/4) + (atan(1/κ_1) + atan(1/κ_2))/(2π)
    k1, k2 = bounds.lottery_margins(1, strength=1.0, power=3, slack=0.3)
    expected = 0.5 + (math.atan(1 / k1) + math.atan(1 / k2)) / (2 * math.pi)
    assert abs(bounds.membership_probability(1, slack=0.3) - expected) < QUAD_ATOL
    for n in (1, 5, 200):  # κ = 1 at S = 1: (1 − 4^{-m})/2
        assert abs(bounds.win_probability(n) - (1 - 4.0 ** -n) / 2) < QUAD_ATOL


def test_numeric_coverage_is_exact_at_one_half():
    for n_models in range(1, 12):
        assert bounds.coverage_probability(n_models, 0.5) == 1 - 2.0 ** (1 - n_models)
    assert bounds.coverage_fraction(3, np.array([0.5, 0.5])) == 0.75
