r"""Phase I: how long a view correlation takes to leave the polynomial regime.

Symbols (SPEC §1, §3): q power, ϱ threshold (varrho), η lr, k n_classes,
C_p patches_per_feature, s offclass_rate; Λ a view correlation Λ_{i,l} (SPEC §5), c the
drive constant defined below.

The growth law
--------------
Below ϱ the smoothed ReLU is s(z) = z^q/(q·ϱ^{q-1}), so s'(z) = (z/ϱ)^{q-1}. While the
logits are small (softmax ≈ 1/k), one gradient step moves a filter's correlation Λ with
the view v_{i,l} by

    Λ_{t+1} = Λ_t + η·c·(Λ_t/ϱ)^{q-1},                                               (P)

i.e. the tensor-power recurrence of SPEC §6 with the constant drive C = c/ϱ^{q-1}.
:func:`derive_drive_constant` computes c for F_i(X) = Σ_r Σ_p s(<w_{i,r}, x_p>) with the
mean cross-entropy (SPEC §3): with dF[n,i] = (softmax_i − 1[y_n = i])/N ≈ (1/k − 1[y_n=i])/N,

* each class-i sample (a fraction 1/k of the N) pushes Λ up by (1 − 1/k)/N times
  Σ_p s'(z_p·Λ)·z_p over the C_p patches carrying v_{i,l}; with the SPEC default equal
  split z_p = Z/C_p of the coefficient sum Z this is C_p^{1-q}·Z^q·(Λ/ϱ)^{q-1};
* each other sample carrying v_{i,l} as an off-class feature (probability s/k) pushes it
  down by (1/k)/N times the same patch sum, with its own coefficient sum Z_off.

Hence c = ((1 − 1/k)/k)·C_p^{1-q}·(M_q − (s/k)·M_q_off), where M_q = E[Z^q] over class-i
training samples (Z = 0 when the view is absent: multi-view Z in [1, c_true]; single-view
dominant Z in [1, c_true], faint Z in [ρ, c_faint·ρ]) and M_q_off = E[Z_off^q] over the
off-class carriers. Assumptions (our reading): logits ≈ 0 (early Phase I), the patch
noise and the feature noise α contribute no drive (<ξ_p, v> = 0 as in the infinite-dimension
limit, γ negligible), and the filter is the one achieving Λ (all other filters follow the
same law from their own starting value). Callers can instead measure c from a run and
plug it in; every Phase-I formula takes c as a parameter.
"""

from __future__ import annotations

import sympy as sp

from ._symbols import A, C, C_p, Lam, Lambda0, Mq, Mq_off, Z, c, delta, eta, k, q, s_off, varrho, x0
from ._tensor_power import derive_blowup_time, derive_step_overhead, derive_time_to_level

_P = q - 2


def derive_drive_constant() -> sp.Expr:
    """Drive constant c of the Phase-I law Λ_{t+1} = Λ_t + η·c·(Λ_t/ϱ)^{q-1}.

    Claim: c = ((1 − 1/k)/k)·C_p^{1-q}·(M_q − (s/k)·M_q_off) for the network of SPEC §3
    with the mean cross-entropy, in the small-logit regime (module docstring). Derived by
    differentiating s(z) = z^q/(q·ϱ^{q-1}) on its polynomial piece, summing s'(z_p·Λ)·z_p
    over the C_p equal-split patches, and weighting by the loss gradient dF.
    Assumptions: logits ≈ 0; z_p = Z/C_p; no noise drive; Λ < ϱ/max z_p (polynomial piece).
    """
    z = sp.Symbol("z", positive=True)
    smooth = z**q / (q * varrho ** (q - 1))  # s(z) below ϱ (SPEC §3)
    slope = sp.diff(smooth, z)  # s'(z) = (z/ϱ)^{q-1}
    per_patch = slope.subs(z, (Z / C_p) * Lam) * (Z / C_p)  # s'(z_p·Λ)·<x_p, v>
    per_sample = C_p * per_patch  # the C_p patches carrying the view
    z_moment = sp.Symbol("z_moment", nonnegative=True)  # stands for E[Z^q]
    per_sample = sp.expand_power_base(sp.powsimp(per_sample, force=True), force=True)
    per_sample = sp.powsimp(per_sample.subs(Z**q, z_moment), force=True)
    on_class = (1 - 1 / k) / k * per_sample.subs(z_moment, Mq)  # (N/k)·(1−1/k)/N
    off_class = (1 - 1 / k) * (s_off / k) / k * per_sample.subs(z_moment, Mq_off)
    step = on_class - off_class  # Λ_{t+1} − Λ_t divided by η
    return sp.simplify(sp.powsimp(step / (Lam / varrho) ** (q - 1), force=True))


def derive_phase1_time(exact: bool = True) -> sp.Expr:
    """Continuous-time number of steps for Λ to grow from Λ_0 to ϱ under law (P).

    Claim: T = ϱ^{q-1}·(Λ_0^{-(q-2)} − ϱ^{-(q-2)})/((q−2)·η·c); with ``exact=False`` the
    leading term T ≈ ϱ^{q-1}/((q−2)·η·c·Λ_0^{q-2}) for Λ_0 << ϱ (SPEC §5, the time scale
    of Phase I; the same formula gives the escape time of any drive of this form, e.g. a
    distillation pull with its own c).
    Assumptions: q > 2; η, c > 0; 0 < Λ_0 < ϱ. From :func:`derive_time_to_level` with
    C = η·c/ϱ^{q-1} per step (time counted in steps), x_0 = Λ_0, A = ϱ; the
    approximate form is the blow-up time of (P), :func:`derive_blowup_time`.
    """
    per_step = {C: eta * c / varrho ** (q - 1), x0: Lambda0, A: varrho}
    if exact:
        return sp.simplify(derive_time_to_level().subs(per_step))
    # the leading term is the blow-up time of (P): the ϱ^{-(q-2)} term is dropped
    return sp.simplify(derive_blowup_time().subs(per_step))


def derive_phase1_step_cap() -> sp.Expr:
    """Side-condition constant δ = η·c/ϱ of law (P) on [Λ_0, ϱ).

    Claim: η·C·x_t^{q-2} = η·(c/ϱ^{q-1})·Λ_t^{q-2} <= η·c/ϱ while Λ_t < ϱ.
    """
    return sp.simplify(eta * (c / varrho ** (q - 1)) * varrho**_P)


def derive_phase1_time_bracket() -> tuple[sp.Expr, sp.Expr]:
    """Bracket on the discrete step count T of law (P) to reach ϱ from Λ_0.

    Claim: T_cont <= T <= h(δ)·T_cont + 1, with T_cont = :func:`derive_phase1_time`,
    δ = η·c/ϱ and h(δ) = (q−2)·δ/(1 − (1+δ)^{-(q-2)}) (<= 1 + (q−2)·δ for q >= 3).
    Assumptions: q > 2; η, c > 0; 0 < Λ_0 < ϱ; law (P) with equality. From the clock
    bracket of :mod:`bounds._tensor_power` (lower: fact F2; upper: bound (B)) divided by
    the per-step clock η·c/ϱ^{q-1}; the "+1" is the last step, δ·ϱ^{-(q-2)} of clock.
    """
    lower = derive_phase1_time()
    h = derive_step_overhead().subs(delta, derive_phase1_step_cap())
    return lower, h * lower + 1
