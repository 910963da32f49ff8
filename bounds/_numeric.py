"""Numeric layer: each derived expression lambdified once, exposed as plain functions.

Every function here takes floats or arrays (broadcast together, numpy rules) and returns
floats or arrays; none of them builds sympy objects after the first call. Each sympy
expression is derived and compiled on first use and cached for the life of the process
(:func:`_compiled`), so importing :mod:`bounds` costs nothing.

Code names (SPEC §1): ``power`` q, ``lr`` η, ``strength`` S, ``gap`` G, ``level`` A,
``step_cap`` δ, ``threshold`` ϱ, ``drive`` c (Phase I) or C (constant tensor-power drive).
Conventions shared by the bounds:

* ``level=np.inf`` gives the A-free forms (x_0/A)^{q-2} = 0.
* where x_0 >= level the first hitting time is T_x = 0 and the bound returns y_0 exactly.
* where the bound's base 1 − r·[...] is <= 0 the bound is vacuous and returns ``inf``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.integrate
import sympy as sp
from sympy.codegen.cfunctions import log1p
from sympy.codegen.rewriting import expm1_opt, optimize

from . import _lottery, _phase, _tensor_power
from ._symbols import (A, C, C_p, G, K, Lambda0, Mq, Mq_off, S, c, delta, eps, eta, k, kappa, kappa1,
                       kappa2, m, p1, q, s_off, t, tau, u, varrho, x0, y0)

# name -> (derivation, argument symbols in call order)
_REGISTRY = {
    "ode_clock_solution": (_tensor_power.derive_ode_clock_solution, (tau, x0, q)),
    "ode_solution": (_tensor_power.derive_ode_solution, (t, x0, C, q)),
    "blowup_time": (_tensor_power.derive_blowup_time, (x0, C, q)),
    "time_to_level": (_tensor_power.derive_time_to_level, (x0, A, C, q)),
    "continuous_bound": (_tensor_power.derive_continuous_bound, (y0, x0, S, A, q)),
    "continuous_bound_gap": (_tensor_power.derive_continuous_bound_gap, (y0, G, q)),
    "continuous_bound_paper": (_tensor_power.derive_continuous_bound_paper, (y0, G, q)),
    "step_overhead": (_tensor_power.derive_step_overhead, (delta, q)),
    "discrete_bound": (_tensor_power.derive_discrete_bound, (y0, x0, S, A, delta, q)),
    "discrete_bound_bernoulli": (_tensor_power.derive_discrete_bound_bernoulli, (y0, x0, S, A, delta, q)),
    "discrete_bound_gap": (_tensor_power.derive_discrete_bound_gap, (y0, G, delta, q)),
    "discrete_bound_paper": (_tensor_power.derive_discrete_bound_paper, (y0, G, delta, q)),
    "discrete_clock_bound": (_tensor_power.derive_discrete_clock_bound, (x0, A, delta, q)),
    "discrete_clock_lower": (_tensor_power.derive_discrete_clock_lower, (x0, A, q)),
    "phase1_time": (_phase.derive_phase1_time, (Lambda0, varrho, eta, c, q)),
    "phase1_time_approx": (lambda: _phase.derive_phase1_time(exact=False), (Lambda0, varrho, eta, c, q)),
    "phase1_time_upper": (lambda: _phase.derive_phase1_time_bracket()[1], (Lambda0, varrho, eta, c, q)),
    "drive_constant": (_phase.derive_drive_constant, (k, C_p, q, Mq, s_off, Mq_off)),
    "membership_integrand": (lambda: _lottery.derive_membership_integral().function, (u, m, kappa1, kappa2)),
    "win_integrand": (lambda: _lottery.derive_win_integral().function, (u, m, kappa)),
    "lottery_margins": (lambda: sp.Matrix(_lottery.derive_lottery_margins()), (S, eps, q)),
    "coverage": (_lottery.derive_coverage, (K, p1)),
}


def _stable(expr: sp.Expr) -> sp.Expr:
    """Rewrite (1 + z)^e − 1 as expm1(e·log1p(z)) so that small steps keep their digits.

    g(δ) = (1 − (1+δ)^{-(q-2)})/δ evaluated literally loses ~|log10 δ| digits to
    cancellation (at δ = 1e-12 the bound would come out ~1e-4 too small, i.e. unsafe).
    Every power (1 + z)^e with a non-integer exponent becomes exp(e·log1p(z)), and sympy's
    expm1 rewriting then turns exp(·) − 1 into expm1(·).
    """
    if not isinstance(expr, sp.Expr):  # e.g. the Matrix of the two lottery margins
        return expr

    def one_plus(e):
        return (isinstance(e, sp.Pow) and isinstance(e.base, sp.Add) and sp.S.One in e.base.args
                and not e.exp.is_integer)
    expr = expr.replace(one_plus, lambda e: sp.exp(e.exp * log1p(e.base - 1)))
    return optimize(expr, [expm1_opt])


@functools.cache
def _compiled(name: str):
    """Lambdify the registered expression ``name`` (once; later calls hit the cache)."""
    derive, args = _REGISTRY[name]
    return sp.lambdify(args, _stable(derive()), modules=["scipy", "numpy"])


@functools.cache
def _compiled_base(name: str):
    """Lambdify the base b of a bound of the form y_0·b^{-1/(q-2)} (b <= 0: vacuous)."""
    derive, args = _REGISTRY[name]
    (base,) = [f.base for f in derive().atoms(sp.Pow) if f.exp == -1 / (q - 2)]
    return sp.lambdify(args, _stable(base), modules=["numpy"])


def _bound(name: str, args: tuple, y0_: np.ndarray, start_above: np.ndarray | None = None):
    """Evaluate bound ``name``: inf where vacuous, y_0 where x_0 is already at the level."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        base = np.asarray(_compiled_base(name)(*args), dtype=float)
        value = np.asarray(_compiled(name)(*args), dtype=float)
    value = np.where(base > 0, value, np.inf)
    if start_above is not None:
        value = np.where(start_above, y0_, value)
    return value[()]  # 0-d array -> numpy scalar


def _floats(*values):
    return [np.asarray(v, dtype=float) for v in values]


# ----------------------------------------------------------------------------------------
# ODE x' = C·x^{q-1}
# ----------------------------------------------------------------------------------------


def ode_clock_solution(clock, x0, power):
    """x(τ) = (x_0^{-(q-2)} − (q−2)·τ)^{-1/(q-2)} at clock τ = ∫C (nan past blow-up)."""
    with np.errstate(invalid="ignore"):
        return _compiled("ode_clock_solution")(*_floats(clock, x0, power))


def ode_solution(time, x0, drive, power):
    """x(t) for x' = C·x^{q-1} with constant drive C (nan past blow-up)."""
    with np.errstate(invalid="ignore"):
        return _compiled("ode_solution")(*_floats(time, x0, drive, power))


def blowup_time(x0, drive, power):
    """Blow-up time x_0^{-(q-2)}/((q−2)·C) of x' = C·x^{q-1}."""
    return _compiled("blowup_time")(*_floats(x0, drive, power))


def time_to_level(x0, level, drive, power):
    """Time (x_0^{-(q-2)} − A^{-(q-2)})/((q−2)·C) for x' = C·x^{q-1} to reach A from x_0."""
    return _compiled("time_to_level")(*_floats(x0, level, drive, power))


# ----------------------------------------------------------------------------------------
# tensor-power bounds (SPEC §6)
# ----------------------------------------------------------------------------------------


def continuous_bound(y0, x0, power, strength=1.0, level=np.inf):
    """Continuous bound y_0·(1 − S·(y_0/x_0)^{q-2}·(1 − (x_0/A)^{q-2}))^{-1/(q-2)} on y(T_x)."""
    y0, x0, strength, level, power = _floats(y0, x0, strength, level, power)
    return _bound("continuous_bound", (y0, x0, strength, level, power), y0, x0 >= level)


def continuous_bound_gap(y0, gap, power):
    """Continuous bound y_0·(1 − (1+G)^{-(q-2)})^{-1/(q-2)} for x_0 >= y_0·S^{1/(q-2)}·(1+G)."""
    y0, gap, power = _floats(y0, gap, power)
    return _bound("continuous_bound_gap", (y0, gap, power), y0)


def continuous_bound_paper(y0, gap, power):
    """The paper-shaped continuous bound y_0·(1 + 1/((q−2)·G))^{1/(q-2)} (q >= 3)."""
    return _compiled("continuous_bound_paper")(*_floats(y0, gap, power))


def step_overhead(step_cap, power):
    """h(δ) = (q−2)·δ/(1 − (1+δ)^{-(q-2)}) >= 1, the clock stretch of discrete steps."""
    return _compiled("step_overhead")(*_floats(step_cap, power))


def discrete_bound(y0, x0, power, step_cap, strength=1.0, level=np.inf):
    """Discrete bound (D) on y_{T_x} under η·C_t·x_t^{q-2} <= δ (see bounds._tensor_power).

    Parameters
    ----------
    y0, x0 : float or array
        Initial loser and winner, > 0.
    power : float or array
        q > 2.
    step_cap : float or array
        δ >= max_{t<T_x} η·C_t·x_t^{q-2}; 0 gives the continuous bound.
    strength : float or array
        S > 0 (loser's drive relative to the winner's).
    level : float or array
        The stopping level A (``np.inf``: the A-free form).

    Returns
    -------
    float or array
        The bound (broadcast shape); ``inf`` where vacuous, y_0 where x_0 >= A.
    """
    y0, x0, strength, level, step_cap, power = _floats(y0, x0, strength, level, step_cap, power)
    small = step_cap <= 0  # h(0) = 1: the continuous limit, evaluated without 0/0
    cap = np.where(small, 1.0, step_cap)
    value = _bound("discrete_bound", (y0, x0, strength, level, cap, power), y0, x0 >= level)
    if np.any(small):
        value = np.where(small, continuous_bound(y0, x0, power, strength, level), value)[()]
    return value


def discrete_bound_bernoulli(y0, x0, power, step_cap, strength=1.0, level=np.inf):
    """Bound (D) with h(δ) relaxed to 1 + (q−2)·δ (q >= 3); >= :func:`discrete_bound`."""
    y0, x0, strength, level, step_cap, power = _floats(y0, x0, strength, level, step_cap, power)
    return _bound("discrete_bound_bernoulli", (y0, x0, strength, level, step_cap, power), y0,
                  x0 >= level)


def discrete_bound_gap(y0, gap, power, step_cap):
    """Gap form y_0·(1 − h(δ)·(1+G)^{-(q-2)})^{-1/(q-2)} of the discrete bound."""
    y0, gap, step_cap, power = _floats(y0, gap, step_cap, power)
    return _bound("discrete_bound_gap", (y0, gap, step_cap, power), y0)


def discrete_bound_paper(y0, gap, power, step_cap):
    """Paper-shaped y_0·(1 + (1 + (q−2)δ)/((q−2)(G − δ)))^{1/(q-2)} (q >= 3); inf if δ >= G."""
    y0, gap, step_cap, power = _floats(y0, gap, step_cap, power)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.asarray(_compiled("discrete_bound_paper")(y0, gap, step_cap, power), dtype=float)
    return np.where(step_cap < gap, value, np.inf)[()]


def discrete_clock_bracket(x0, level, power, step_cap):
    """(lower, upper) bracket on Σ_{t<T_x} η·C_t for the winner at equality, 0 < x_0 < A."""
    x0, level, step_cap, power = _floats(x0, level, step_cap, power)
    lower = _compiled("discrete_clock_lower")(x0, level, power)
    upper = _compiled("discrete_clock_bound")(x0, level, step_cap, power)
    return lower, upper


# ----------------------------------------------------------------------------------------
# Phase I
# ----------------------------------------------------------------------------------------


def drive_constant(n_classes, patches_per_feature, power, moment, offclass_rate=0.0, moment_off=0.0):
    """c = ((1 − 1/k)/k)·C_p^{1-q}·(E[Z^q] − (s/k)·E[Z_off^q]) (see bounds._phase)."""
    return _compiled("drive_constant")(*_floats(n_classes, patches_per_feature, power, moment,
                                                offclass_rate, moment_off))


def phase1_time(lam0, threshold, lr, drive, power, exact=True):
    """Steps for Λ' = η·c·(Λ/ϱ)^{q-1} to go from Λ_0 to ϱ (``exact=False``: leading term)."""
    name = "phase1_time" if exact else "phase1_time_approx"
    return _compiled(name)(*_floats(lam0, threshold, lr, drive, power))


def phase1_time_bracket(lam0, threshold, lr, drive, power):
    """(lower, upper) on the discrete step count of law (P): T_cont <= T <= h(η·c/ϱ)·T_cont + 1."""
    args = _floats(lam0, threshold, lr, drive, power)
    return _compiled("phase1_time")(*args), _compiled("phase1_time_upper")(*args)


# ----------------------------------------------------------------------------------------
# lottery and coverage
# ----------------------------------------------------------------------------------------


def lottery_margins(n_neurons, strength=1.0, power=3, slack=None):
    """(κ_1, κ_2) of SPEC §5 claim 3; ``slack=None`` uses ε = 1/log² m."""
    if slack is None:
        slack = 1.0 / math.log(n_neurons) ** 2
    k1, k2 = _compiled("lottery_margins")(float(strength), float(slack), float(power)).ravel()
    return float(k1), float(k2)


def _quad_max_density(name: str, n_neurons: int, *margins: float) -> float:
    """∫_0^∞ of the lambdified integrand ``name`` (density m·φ·Φ^{m-1} times tails), by quad.

    The density of the maximum of m standard normals is negligible beyond u = 12 (it is
    below m·φ(12) ≈ m·2e-32), so the integral runs over [0, 12]; the mode √(2·log m) is
    passed to quad as a break point because the peak narrows as m grows.
    """
    integrand = _compiled(name)
    mode = math.sqrt(2.0 * math.log(n_neurons)) if n_neurons > 1 else 0.5
    value, _ = scipy.integrate.quad(integrand, 0.0, 12.0, args=(n_neurons, *margins),
                                    points=[mode], limit=200, epsabs=1e-12, epsrel=1e-10)
    return value


def membership_probability(n_neurons, strength=1.0, power=3, slack=None):
    """P(class in M) of SPEC §5 claim 3 for m filters; independent of σ_0 (bounds._lottery).

    Parameters
    ----------
    n_neurons : int
        m >= 2 when ``slack`` is None (ε = 1/log² m), else m >= 1.
    strength : float
        S, strength of view 2 relative to view 1.
    power : float
        q > 2 (enters only through S^{1/(q-2)}).
    slack : float or None
        ε; None for the SPEC reading 1/log² m.
    """
    kappa_1, kappa_2 = lottery_margins(n_neurons, strength, power, slack)
    return _quad_max_density("membership_integrand", int(n_neurons), kappa_1, kappa_2)


def win_probability(n_neurons, strength=1.0, power=3):
    """P(Λ_1(0) > S^{1/(q-2)}·Λ_2(0), Λ_1(0) > 0): view 1 wins the race (ε = 0)."""
    margin = float(strength) ** (1.0 / (float(power) - 2.0))
    return _quad_max_density("win_integrand", int(n_neurons), margin)


def coverage_probability(n_models, p_view1=0.5):
    """1 − p_1^K − (1 − p_1)^K: both views of a class covered by some member (claim 5)."""
    return _compiled("coverage")(*_floats(n_models, p_view1))


def coverage_fraction(n_models, p_view1):
    """Expected fraction of classes covered; ``p_view1`` has shape (n_classes,)."""
    return float(np.mean(coverage_probability(n_models, np.asarray(p_view1, dtype=float))))
