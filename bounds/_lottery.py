r"""The lottery at initialisation (SPEC §5 claim 3) and ensemble coverage (claim 5).

Symbols (SPEC §1, §5): m n_neurons, σ_0 init_std, q power, S loser-to-winner strength
ratio, K n_models; Λ_{i,l}(0) = max_r max(0, <w_{i,r}(0), v_{i,l}>).

The lottery
-----------
At init the m correlations <w_{i,r}, v_{i,l}> are i.i.d. N(0, σ_0²), independent over l
(the features are orthonormal, W has i.i.d. Gaussian entries). So Λ_{i,l}(0)/σ_0 is the
positive part of the maximum M_l of m standard normals: P(Λ/σ_0 <= w) = Φ(w)^m for w >= 0
(an atom 2^{-m} at 0), density m·φ(u)·Φ(u)^{m-1} on u > 0. σ_0 cancels from every event of
the form Λ_1 >= κ·Λ_2, so none of the probabilities below depends on it.

Membership of class i in M (SPEC §5 claim 3, reading): (i, 1) in M iff
Λ_{i,1}(0) >= κ_1·Λ_{i,2}(0) and (i, 2) in M iff Λ_{i,2}(0) >= κ_2·Λ_{i,1}(0), with
κ_1 = S^{1/(q-2)}·(1 + ε), κ_2 = S^{-1/(q-2)}·(1 + ε), ε = 1/log² m (natural log), and
S the strength of view 2 relative to view 1. We additionally require the winning Λ to be
positive: if all 2m correlations are negative both views start at 0 and neither wins (an
event of probability 4^{-m}). Since κ_1·κ_2 = (1+ε)² > 1 the two memberships are disjoint, so

    P(i in M) = ∫_0^∞ m·φ(u)·Φ(u)^{m-1}·[Φ(u/κ_1)^m + Φ(u/κ_2)^m] du.

With ε = 0 the same integral's first term is the probability that view 1 wins the race
(by the ODE comparison of SPEC §6, view 1 blows up first iff Λ_1 > S^{1/(q-2)}·Λ_2).

Coverage
--------
An ensemble member learns exactly one view per class (claim 2), view l with probability
p_l (p_1 + p_2 = 1; 1/2 when symmetric), independently across members (independent
inits). Both views of a class are covered by some member of K unless all K learned the
same view: P = 1 − p_1^K − p_2^K (= 1 − 2^{1−K} when symmetric, SPEC §5 claim 5). By
linearity the expected fraction of covered classes is the mean of this over classes.
"""

from __future__ import annotations

import sympy as sp

from ._symbols import K, S, eps, kappa, kappa1, kappa2, m, p1, q, sigma0, std_normal_cdf, std_normal_pdf, u

_P = q - 2


def derive_lottery_margins() -> tuple[sp.Expr, sp.Expr]:
    """The margins (κ_1, κ_2) = (S^{1/(q-2)}·(1+ε), S^{-1/(q-2)}·(1+ε)) of claim 3.

    S is the strength of view 2 relative to view 1; ε is kept symbolic (SPEC reading:
    ε = 1/log² m, see :func:`derive_lottery_slack`).
    """
    return S ** (1 / _P) * (1 + eps), S ** (-1 / _P) * (1 + eps)


def derive_lottery_slack() -> sp.Expr:
    """ε = 1/log² m, the SPEC §5 claim-3 reading of the lottery slack (m >= 2)."""
    return 1 / sp.log(m) ** 2


def derive_win_integral(scaled: bool = False) -> sp.Integral:
    """P(Λ_1(0) >= κ·Λ_2(0) and Λ_1(0) > 0) as an integral over the standardised winner.

    Claim: = ∫_0^∞ m·φ(u)·Φ(u)^{m-1}·Φ(u/κ)^m du, for m i.i.d. N(0, σ_0²) correlations per
    view, independent views. With ``scaled=True`` the integral is written in the
    unstandardised correlation (density of max(0, max of m N(0, σ_0²)) on (0, ∞)), which
    the tests transform back to show σ_0 cancels.
    """
    if scaled:
        lam = sp.Symbol("lambda", positive=True)
        density = m / sigma0 * std_normal_pdf(lam / sigma0) * std_normal_cdf(lam / sigma0) ** (m - 1)
        return sp.Integral(density * std_normal_cdf(lam / (kappa * sigma0)) ** m, (lam, 0, sp.oo))
    density = m * std_normal_pdf(u) * std_normal_cdf(u) ** (m - 1)
    return sp.Integral(density * std_normal_cdf(u / kappa) ** m, (u, 0, sp.oo))


def derive_membership_integral() -> sp.Integral:
    """P(class i in M) (SPEC §5 claim 3) as one integral with the two margins κ_1, κ_2.

    Claim: P = ∫_0^∞ m·φ(u)·Φ(u)^{m-1}·[Φ(u/κ_1)^m + Φ(u/κ_2)^m] du, the two disjoint
    events (i,1) in M and (i,2) in M (κ_1·κ_2 > 1). Substitute
    :func:`derive_lottery_margins` for κ_1, κ_2. Does not depend on σ_0.
    """
    density = m * std_normal_pdf(u) * std_normal_cdf(u) ** (m - 1)
    tails = std_normal_cdf(u / kappa1) ** m + std_normal_cdf(u / kappa2) ** m
    return sp.Integral(density * tails, (u, 0, sp.oo))


def derive_membership_probability() -> sp.Integral:
    """P(class i in M) with the SPEC margins substituted (S, q, m, ε symbolic)."""
    k1, k2 = derive_lottery_margins()
    return derive_membership_integral().subs({kappa1: k1, kappa2: k2})


def derive_coverage() -> sp.Expr:
    """P(both views of a class are learned by some member of a K-ensemble) = 1 − p_1^K − (1−p_1)^K.

    Assumptions: each member learns exactly one view of the class, view 1 with probability
    p_1, independently across members (SPEC §5 claims 2, 5). K >= 1.
    """
    return 1 - p1**K - (1 - p1) ** K


def derive_coverage_symmetric() -> sp.Expr:
    """Coverage when the views are symmetric (p_1 = 1/2): 1 − 2^{1−K} (SPEC §5 claim 5)."""
    return sp.powsimp(sp.simplify(derive_coverage().subs(p1, sp.Rational(1, 2))), force=True)
