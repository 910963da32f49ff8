r"""The tensor-power-method bound (SPEC §6), in continuous and in discrete time.

Symbols (SPEC §1, §6): q power, p = q − 2 > 0, η lr, C_t drive, S loser-to-winner strength
ratio, G initial gap, x winner, y loser, A stopping level, δ step cap.

The claim
---------
Two positive sequences with, for every t,

    x_{t+1} >= x_t + η·C_t·x_t^{q-1},      y_{t+1} <= y_t + η·S·C_t·y_t^{q-1},      C_t >= 0,

and T_x = min{t : x_t >= A}. The lemma (Allen-Zhu & Li, the tensor-power-method lemma of
the appendix, our reading in SPEC §6) bounds y_{T_x} by O(y_0·G^{-1/(q-2)}) when
x_0 >= y_0·S^{1/(q-2)}·(1 + G). Here the bound is made exact, with explicit step-size terms.

Proof of the discrete bound (the derivation the ``derive_discrete_*`` functions follow)
---------------------------------------------------------------------------------------
Write p = q − 2, u_t = x_t^{-p}, v_t = y_t^{-p}, a_t = η·C_t·x_t^p, b_t = η·S·C_t·y_t^p, and

    g(a) = (1 − (1 + a)^{-p}) / a          (a > 0),   g(0) = p.

Four elementary facts about g, for a >= 0:

(F1) g is non-increasing: 1 − (1+a)^{-p} is concave in a and vanishes at 0, so its chord
     slope from 0 does not increase.
(F2) g(a) <= p: the convex function (1+a)^{-p} lies above its tangent 1 − p·a at 0.
(F3) if p >= 1 (q >= 3): g(a) >= p/(1 + p·a), by Bernoulli (1+a)^p >= 1 + p·a; equality
     when p = 1.
(F4) 1/g(a) > a, because (1+a)^{-p} > 0.

*Winner.* x_{t+1} >= x_t·(1 + a_t), so u_{t+1} <= u_t·(1 + a_t)^{-p} = u_t − η·C_t·g(a_t)
(using u_t·a_t = η·C_t). Under the side condition a_t <= δ, (F1) gives

    u_t − u_{t+1} >= η·C_t·g(δ).                                                   (W)

*Loser.* y_{t+1} <= y_t·(1 + b_t), so v_{t+1} >= v_t·(1 + b_t)^{-p} = v_t − η·S·C_t·g(b_t),
and by (F2)

    v_{t+1} >= v_t − p·η·S·C_t.                                                     (L)

No side condition is needed for the loser: explicit Euler steps of a convex growth law
undershoot the flow, which only helps the upper bound.

*The clock.* Let B = Σ_{t<T_x} η·C_t. If T_x = 0 there is nothing to prove (y_{T_x} = y_0).
Otherwise x_t < A, i.e. u_t > A^{-p}, for every t <= T_x − 1. Summing (W) over
t <= T_x − 2 and bounding the last step by η·C_{T_x−1} = a_{T_x−1}·u_{T_x−1} <= δ·u_{T_x−1},

    B <= (u_0 − u_{T_x−1})/g(δ) + δ·u_{T_x−1}
      = u_0/g(δ) − u_{T_x−1}·(1/g(δ) − δ)
      <  (x_0^{-p} − A^{-p})/g(δ) + δ·A^{-p}  =: B*,                               (B)

where the last step uses (F4) (the coefficient of u_{T_x−1} is negative) and
u_{T_x−1} > A^{-p}.

*Conclusion.* Summing (L) over t < T_x, v_{T_x} >= v_0 − p·S·B > v_0 − p·S·B*. Hence, if
v_0 > p·S·B* (otherwise the bound is vacuous),

    y_{T_x} < (y_0^{-p} − p·S·B*)^{-1/p}
            = y_0·(1 − r·[h(δ)·(1 − ρ) + p·δ·ρ])^{-1/p},                            (D)

with r = S·(y_0/x_0)^p, ρ = (x_0/A)^p and h(δ) = p/g(δ) = p·δ/(1 − (1+δ)^{-p}) >= 1.
Assumptions: q > 2; η, S, x_0, y_0 > 0; C_t >= 0; 0 < x_0 < A; side condition
η·C_t·x_t^{q-2} <= δ for every t < T_x (sufficient a priori: η·C_t·A^{q-2} <= δ, since
x_t < A there); C_t may vary with t.

Relaxations, each >= the previous one:

* (D) with ρ dropped: since p·δ < h(δ) by (F4), the bracket is <= h(δ), so
  y_{T_x} < y_0·(1 − h(δ)·S·(y_0/x_0)^p)^{-1/p} <= y_0·(1 − h(δ)·(1+G)^{-p})^{-1/p}.
* q >= 3: h(δ) <= 1 + p·δ by (F3) (equality at q = 3), and (1+G)^p >= 1 + p·G, giving the
  paper's shape, for δ < G:   y_{T_x} < y_0·(1 + (1 + p·δ)/(p·(G − δ)))^{1/p},
  which is O(y_0·G^{-1/p}) for small G and tends to y_0 as G → ∞.

As δ → 0, h(δ) → 1 and (D) becomes the continuous-time bound
y_0·(1 − r·(1 − ρ))^{-1/p}, which the ODE pair attains with equality; so the discrete
bound is tight up to O(δ).

A lower bracket on the clock (used for Phase-I step counts): if instead
x_{t+1} <= x_t + η·C_t·x_t^{q-1} (e.g. equality), then u_{t+1} >= u_t − p·η·C_t by (F2),
so B >= (u_0 − u_{T_x})/p >= (x_0^{-p} − A^{-p})/p, the continuous clock.
"""

from __future__ import annotations

import sympy as sp

from ._symbols import A, C, G, S, X, delta, q, s, t, tau, x0, y0

_P = q - 2  # p = q − 2 > 0, the exponent that linearises the flow (u = x^{-p})


def _tidy(expr: sp.Expr) -> sp.Expr:
    """Denest and combine powers; ``force=True`` is sound because every base is positive."""
    for _ in range(2):  # one pass leaves (S^{-1/p})^p behind; the second denests it
        expr = sp.powdenest(expr, force=True)
        expr = sp.powdenest(sp.expand_power_base(expr, force=True), force=True)
    return sp.powsimp(expr, force=True)


def _at_worst_gap(bound: sp.Expr) -> sp.Expr:
    """Substitute the worst admissible start x_0 = y_0·S^{1/p}·(1 + G) into y_0·b^{-1/p}.

    Only the base b is rewritten, so the result keeps the shape y_0·b^{-1/p} that the
    numeric layer reads (b <= 0 marks a vacuous bound).
    """
    (power,) = [f for f in bound.atoms(sp.Pow) if f.exp == -1 / _P]
    worst_x0 = y0 * S ** (1 / _P) * (1 + G)
    return y0 * _tidy(power.base.subs(x0, worst_x0)) ** power.exp


def _ratio() -> sp.Expr:
    """r = S·(y_0/x_0)^{q-2}: the loser's head start relative to the winner's (r < 1 needed)."""
    return S * (y0 / x0) ** _P


def _level_ratio() -> sp.Expr:
    """ρ = (x_0/A)^{q-2} in (0, 1): how far the start is below the stopping level."""
    return (x0 / A) ** _P


# ----------------------------------------------------------------------------------------
# Continuous time: x' = C·x^{q-1}
# ----------------------------------------------------------------------------------------


def derive_ode_clock_solution() -> sp.Expr:
    """Solution x(τ) of dx/dτ = x^{q-1}, x(0) = x_0, as a function of the clock τ = ∫_0^t C.

    Claim: x(τ) = (x_0^{-(q-2)} − (q−2)·τ)^{-1/(q-2)} for τ below the blow-up clock.
    Assumptions: q > 2, x_0 > 0. Derived by separation of variables,
    ∫_{x_0}^{x} s^{1-q} ds = τ (SPEC §6). A time-varying drive C(t) enters only through
    τ = ∫ C, which is why the clock is the natural variable.
    """
    lhs = sp.integrate(s ** (1 - q), (s, x0, X), conds="none")  # ∫_{x0}^{X} s^{1-q} ds
    (solution,) = sp.solve(sp.Eq(lhs, tau), X)
    return solution


def derive_ode_solution() -> sp.Expr:
    """Solution x(t) of x' = C·x^{q-1} with a constant drive C, x(0) = x_0.

    Claim: x(t) = (x_0^{-(q-2)} − (q−2)·C·t)^{-1/(q-2)}. Assumptions: q > 2, C, x_0 > 0.
    From :func:`derive_ode_clock_solution` with τ = C·t.
    """
    return derive_ode_clock_solution().subs(tau, C * t)


def derive_blowup_clock() -> sp.Expr:
    """Clock τ* = x_0^{-(q-2)}/(q−2) at which x(τ) blows up (the base of x(τ) vanishes).

    Assumptions: q > 2, x_0 > 0. This is the bound ∫_0^{T_x} C <= x_0^{-(q-2)}/(q−2) of
    SPEC §6, valid for every level A.
    """
    base = derive_ode_clock_solution().base
    (clock,) = sp.solve(sp.Eq(base, 0), tau)
    return clock


def derive_blowup_time() -> sp.Expr:
    """Blow-up time t* = x_0^{-(q-2)}/((q−2)·C) of x' = C·x^{q-1} with constant C > 0."""
    return derive_blowup_clock() / C


def derive_clock_to_level() -> sp.Expr:
    """Clock τ_A = (x_0^{-(q-2)} − A^{-(q-2)})/(q−2) at which x(τ) reaches the level A.

    Assumptions: q > 2, 0 < x_0 < A. From the separation integral evaluated at x = A.
    """
    return sp.simplify(sp.integrate(s ** (1 - q), (s, x0, A), conds="none"))


def derive_time_to_level() -> sp.Expr:
    """Time T_A = τ_A / C for x' = C·x^{q-1} with constant C to go from x_0 to A."""
    return derive_clock_to_level() / C


def derive_continuous_bound_raw(level: bool = True) -> sp.Expr:
    """The loser's ODE solution y(τ) with clock S·τ, evaluated at x's clock τ_A (or τ*).

    This is the continuous bound as it is derived; :func:`derive_continuous_bound` is the
    same quantity in normalised form, and the tests check the two are equal.
    """
    clock = derive_clock_to_level() if level else derive_blowup_clock()
    return derive_ode_clock_solution().subs(x0, y0).subs(tau, S * clock)


def derive_continuous_bound(level: bool = True) -> sp.Expr:
    """Continuous-time bound on the loser y at the first time T_x that x reaches A.

    Claim (SPEC §6): if x' >= C(t)·x^{q-1} and y' <= S·C(t)·y^{q-1}, then
    y(T_x) <= y_0·(1 − S·(y_0/x_0)^{q-2}·(1 − (x_0/A)^{q-2}))^{-1/(q-2)}, and with
    ``level=False`` (A → ∞, i.e. the blow-up clock)
    y(T_x) <= y_0·(1 − S·(y_0/x_0)^{q-2})^{-1/(q-2)}.
    Assumptions: q > 2; S, x_0, y_0 > 0; 0 < x_0 < A; the base is positive (else vacuous).
    Derivation: x needs at most the clock τ_A (or τ*) to reach A, and y run with the
    clock S·τ is the ODE solution from y_0 (:func:`derive_continuous_bound_raw`);
    equality for the ODE pair.
    """
    used = (1 - _level_ratio()) if level else sp.Integer(1)
    return y0 * (1 - _ratio() * used) ** (-1 / _P)


def derive_continuous_bound_gap() -> sp.Expr:
    """Continuous bound in terms of the gap: y(T_x) <= y_0·(1 − (1+G)^{-(q-2)})^{-1/(q-2)}.

    Assumptions: q > 2, G > 0, x_0 >= y_0·S^{1/(q-2)}·(1 + G) (SPEC §6; the worst case is
    equality, substituted here into the ``level=False`` bound).
    """
    return _at_worst_gap(derive_continuous_bound(level=False))


def derive_continuous_bound_paper() -> sp.Expr:
    """The paper's shape of the continuous bound: y(T_x) <= y_0·(1 + 1/((q−2)·G))^{1/(q-2)}.

    Assumptions: q >= 3 (Bernoulli (1+G)^{q-2} >= 1 + (q−2)·G, equality at q = 3), G > 0.
    It is O(y_0·G^{-1/(q-2)}) as G → 0 and tends to y_0 as G → ∞ (SPEC §6 reading).
    """
    return y0 * (1 + 1 / (_P * G)) ** (1 / _P)


# ----------------------------------------------------------------------------------------
# Discrete time: x_{t+1} >= x_t + η·C_t·x_t^{q-1}, y_{t+1} <= y_t + η·S·C_t·y_t^{q-1}
# ----------------------------------------------------------------------------------------


def derive_step_efficiency() -> sp.Expr:
    """g(δ) = (1 − (1+δ)^{-(q-2)})/δ: the least clock a discrete step of x converts.

    Claim: a step with η·C_t·x_t^{q-2} <= δ lowers u = x^{-(q-2)} by at least η·C_t·g(δ)
    (facts F1, F4 of the module docstring). g(δ) → q − 2 as δ → 0 (the ODE rate).
    """
    return (1 - (1 + delta) ** (-_P)) / delta


def derive_step_overhead() -> sp.Expr:
    """h(δ) = (q−2)/g(δ) >= 1: factor by which discrete steps can stretch x's clock.

    For q = 3, h(δ) = 1 + δ exactly; for q >= 3, h(δ) <= 1 + (q−2)·δ (fact F3).
    """
    return sp.simplify(_P / derive_step_efficiency())


def _clock_bound(g: sp.Expr, level: bool) -> sp.Expr:
    """B* of bound (B) for a given lower bound g on the step efficiency."""
    if not level:
        return x0**(-_P) / g
    return (x0**(-_P) - A**(-_P)) / g + delta * A**(-_P)


def derive_discrete_clock_bound(level: bool = True) -> sp.Expr:
    """Upper bound B* on the clock Σ_{t<T_x} η·C_t the discrete winner can use.

    Claim (bound (B) of the module docstring):
    Σ_{t<T_x} η·C_t < (x_0^{-(q-2)} − A^{-(q-2)})/g(δ) + δ·A^{-(q-2)}; with ``level=False``
    the A-free relaxation x_0^{-(q-2)}/g(δ). Assumptions: q > 2, C_t >= 0, 0 < x_0 < A,
    η·C_t·x_t^{q-2} <= δ for t < T_x.
    """
    return _clock_bound(derive_step_efficiency(), level)


def derive_discrete_clock_lower() -> sp.Expr:
    """Lower bound on the clock the winner needs: Σ_{t<T_x} η·C_t >= (x_0^{-(q-2)} − A^{-(q-2)})/(q−2).

    Assumptions: q > 2, x_{t+1} <= x_t + η·C_t·x_t^{q-1} (e.g. the recurrence with
    equality), 0 < x_0 < A. The continuous clock τ_A is a lower bracket of the discrete one.
    """
    return derive_clock_to_level()


def _discrete_normalised(h: sp.Expr, level: bool) -> sp.Expr:
    """y_0·(1 − r·[h·(1 − ρ) + p·δ·ρ])^{-1/p}, form (D) for a given overhead h >= h(δ)."""
    used = h * (1 - _level_ratio()) + _P * delta * _level_ratio() if level else h
    return y0 * (1 - _ratio() * used) ** (-1 / _P)


def derive_discrete_bound_raw(level: bool = True) -> sp.Expr:
    """The discrete bound as it comes out of the telescoped loser: (y_0^{-p} − p·S·B*)^{-1/p}.

    See :func:`derive_discrete_bound` for the claim; this unnormalised form is kept so that
    the tests can check the two forms are equal.
    """
    return (y0**(-_P) - _P * S * derive_discrete_clock_bound(level)) ** (-1 / _P)


def derive_discrete_bound(level: bool = True) -> sp.Expr:
    """Discrete-time tensor-power bound (D) on y_{T_x}, with explicit step-size terms.

    Claim: y_{T_x} < y_0·(1 − S·(y_0/x_0)^{q-2}·[h(δ)·(1 − (x_0/A)^{q-2}) + (q−2)·δ·(x_0/A)^{q-2}])^{-1/(q-2)},
    h(δ) = (q−2)·δ/(1 − (1+δ)^{-(q-2)}); with ``level=False``
    y_{T_x} < y_0·(1 − h(δ)·S·(y_0/x_0)^{q-2})^{-1/(q-2)}.
    Assumptions: q > 2; η, S, x_0, y_0 > 0; C_t >= 0 (may vary); 0 < x_0 < A;
    η·C_t·x_t^{q-2} <= δ for all t < T_x; the base is positive (else the bound is vacuous).
    Source: SPEC §6 made exact; proof in the module docstring.
    """
    return _discrete_normalised(derive_step_overhead(), level)


def derive_discrete_bound_bernoulli(level: bool = True) -> sp.Expr:
    """Discrete bound (D) with h(δ) relaxed to 1 + (q−2)·δ, i.e. g(δ) to (q−2)/(1 + (q−2)·δ).

    Claim: y_{T_x} < y_0·(1 − S·(y_0/x_0)^{q-2}·[(1 + (q−2)δ)·(1 − ρ) + (q−2)·δ·ρ])^{-1/(q-2)},
    ρ = (x_0/A)^{q-2}; >= (D). Assumptions: q >= 3 (fact F3; equal to (D) at q = 3) and
    those of :func:`derive_discrete_bound`.
    """
    return _discrete_normalised(1 + _P * delta, level)


def derive_discrete_bound_gap() -> sp.Expr:
    """Discrete bound in terms of the gap: y_{T_x} < y_0·(1 − h(δ)·(1+G)^{-(q-2)})^{-1/(q-2)}.

    Assumptions: those of :func:`derive_discrete_bound` and x_0 >= y_0·S^{1/(q-2)}·(1 + G);
    worst case x_0 = y_0·S^{1/(q-2)}·(1 + G) substituted into the A-free form.
    """
    return _at_worst_gap(derive_discrete_bound(level=False))


def derive_discrete_bound_paper() -> sp.Expr:
    """The paper's shape of the discrete bound: y_{T_x} < y_0·(1 + (1 + (q−2)δ)/((q−2)(G − δ)))^{1/(q-2)}.

    Assumptions: q >= 3, 0 < δ < G, and those of :func:`derive_discrete_bound_gap`.
    O(y_0·G^{-1/(q-2)}) for δ << G << 1; tends to y_0 as G → ∞.
    """
    return y0 * (1 + (1 + _P * delta) / (_P * (G - delta))) ** (1 / _P)
