"""The sympy symbols of the bounds, declared once with their assumptions.

Every ``derive_*`` function in :mod:`bounds` builds its expression from these objects, so
that two derivations that speak of the same quantity share one symbol and their results
can be compared, substituted into each other and simplified together.

Symbols (../shared/SPEC.md §1, §5, §6) and their names here:

    q      power        smoothed-ReLU power (SPEC: integer >= 3; the bounds need q > 2)
    eta    lr           gradient-descent step η
    C      drive        drive of the tensor-power recurrence (C_t; constant where stated)
    tau    clock        accumulated drive τ = ∫ C dt (continuous) or Σ η·C_t (discrete)
    t      time         continuous time
    S      strength     loser-to-winner strength ratio S of SPEC §5 claim 3 / §6
    G      gap          initial margin: x_0 >= y_0·S^{1/(q-2)}·(1 + G)
    x0, y0              initial values of the winner x and the loser y
    A      level        the level at which x is stopped (T_x = first time x >= A)
    delta  step cap     side condition η·C_t·x_t^{q-2} <= δ of the discrete lemma
    varrho threshold    smoothed-ReLU threshold ϱ
    Lambda0             initial view correlation Λ_0 of Phase I
    c      drive const  Phase-I drive: Λ' = η·c·(Λ/ϱ)^{q-1}
    m      n_neurons    filters per class
    K      n_models     ensemble size
    p1                  probability that one member learns view 1 of a class
    kappa               lottery margin κ = S^{1/(q-2)}·(1 + ε)
    eps                 lottery slack ε (SPEC reading: 1/log² m)
    u                   integration variable (a standardised correlation)

Assumptions are declared (``positive=True``) wherever the quantity is positive, because
sympy only simplifies ``(x**a)**b`` to ``x**(a*b)`` when it knows ``x > 0``. The
condition q > 2 cannot be declared on a symbol; every derivation states it instead and the
tests substitute q in {3, ..., 8}.
"""

from __future__ import annotations

import sympy as sp

# tensor-power recurrence (SPEC §6)
q = sp.Symbol("q", positive=True)
eta = sp.Symbol("eta", positive=True)
C = sp.Symbol("C", positive=True)
tau = sp.Symbol("tau", nonnegative=True)
t = sp.Symbol("t", nonnegative=True)
S = sp.Symbol("S", positive=True)
G = sp.Symbol("G", positive=True)
x0 = sp.Symbol("x_0", positive=True)
y0 = sp.Symbol("y_0", positive=True)
A = sp.Symbol("A", positive=True)
delta = sp.Symbol("delta", positive=True)
X = sp.Symbol("X", positive=True)  # a value of x, the upper end of the separation integral
s = sp.Symbol("s", positive=True)  # dummy variable of the separation integral

# Phase I (SPEC §3, §5)
varrho = sp.Symbol("varrho", positive=True)
Lambda0 = sp.Symbol("Lambda_0", positive=True)
Lam = sp.Symbol("Lambda", positive=True)
c = sp.Symbol("c", positive=True)
k = sp.Symbol("k", positive=True, integer=True)
C_p = sp.Symbol("C_p", positive=True, integer=True)
Z = sp.Symbol("Z", positive=True)  # a feature's coefficient sum over its C_p patches
Mq = sp.Symbol("M_q", nonnegative=True)  # E[Z^q] over class-i samples (0 where absent)
Mq_off = sp.Symbol("M_q_off", nonnegative=True)  # E[Z_off^q] over off-class carriers
s_off = sp.Symbol("s_off", nonnegative=True)  # SPEC's offclass_rate s

# lottery and ensemble (SPEC §5 claims 3 and 5)
m = sp.Symbol("m", positive=True, integer=True)
K = sp.Symbol("K", positive=True, integer=True)
p1 = sp.Symbol("p_1", positive=True)
kappa = sp.Symbol("kappa", positive=True)
kappa1 = sp.Symbol("kappa_1", positive=True)
kappa2 = sp.Symbol("kappa_2", positive=True)
eps = sp.Symbol("epsilon", positive=True)
sigma0 = sp.Symbol("sigma_0", positive=True)
u = sp.Symbol("u", real=True)


def std_normal_pdf(z: sp.Expr) -> sp.Expr:
    """φ(z) = exp(−z²/2)/√(2π), the standard normal density, as a sympy expression."""
    return sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)


def std_normal_cdf(z: sp.Expr) -> sp.Expr:
    """Φ(z) = (1 + erf(z/√2))/2, the standard normal distribution function."""
    return (1 + sp.erf(z / sp.sqrt(2))) / 2
