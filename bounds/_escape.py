r"""Escape times of view correlations under a measured drive (issue 9: distillation).

Symbols (SPEC §1, §5): Λ_{j,l}(t) view correlation, ϱ threshold, q power, η lr; c the drive
constant of the Phase-I law (P) of :mod:`bounds._phase`, Λ_{t+1} = Λ_t + η·c·(Λ_t/ϱ)^{q−1}.

A run records, at its tracking points, Λ (T, k, 2) and the drive D (T, k, 2) on the filter that
achieves Λ (``dynamics.drive``: Λ moves by η·D in the next step). The *measured* constant is
c_t = D_t/(Λ_t/ϱ)^{q−1}. Under law (P) with a time-varying c the view reaches ϱ exactly when the
clock η·∫c dt/ϱ^{q−1} reaches (Λ_0^{−(q−2)} − ϱ^{−(q−2)})/(q−2) (SPEC §6, continuous time), i.e.
after :func:`bounds.phase1_time` (Λ_0, ϱ, η, c̄) steps with c̄ the time-average of c over the
climb. So, per view:

* ``predicted``: phase1_time(Λ_0, ϱ, η, c̄), c̄ the step-weighted mean of c_t over the tracking
  points before the measured escape (over the whole run when the view never escapes), and
  ``predicted_upper`` the discrete-step bracket of :func:`bounds.phase1_time_bracket`;
* ``escaped_at``: the first tracked step with Λ ≥ ϱ (NaN if never), to compare with ``predicted``;
* ``forecast_end``: for a view still below ϱ at the end, the steps it would still need at the
  drive measured at the last tracking point, phase1_time(Λ_T, ϱ, η, c_T) (inf if c_T ≤ 0).

Agreement of ``predicted`` with ``escaped_at`` says the climb is the polynomial-regime law with
the measured drive; ``forecast_end`` against the run's length is the measured account of why a
view did not escape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._numeric import phase1_time, phase1_time_bracket


@dataclass(frozen=True)
class EscapeTable:
    """Per class and view (k, 2) arrays; NaN where a quantity does not apply."""

    lam0: np.ndarray  # Λ at the first tracking point
    escaped_at: np.ndarray  # first tracked step with Λ >= ϱ (NaN: never; 0: already at t0)
    c_mean: np.ndarray  # step-weighted mean of c_t over the climb (before escape / whole run)
    predicted: np.ndarray  # phase1_time(Λ_0, ϱ, η, c_mean) + steps[0] (inf if c_mean <= 0)
    predicted_upper: np.ndarray  # the discrete-step upper bracket of the same
    c_end: np.ndarray  # c at the last tracking point (NaN if Λ_T >= ϱ or Λ_T <= 0)
    forecast_end: np.ndarray  # steps still needed at the end at c_end (NaN if escaped)


def measured_drive_constant(drive_total: np.ndarray, lam: np.ndarray, threshold: float,
                            power: int) -> np.ndarray:
    """c = D/(Λ/ϱ)^{q−1} elementwise; NaN where Λ <= 0 (the law has no meaning there)."""
    lam = np.asarray(lam, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (np.where(lam > 0, lam, np.nan) / threshold) ** (power - 1)
        return np.asarray(drive_total, float) / ratio


def escape_table(lam: np.ndarray, drive_total: np.ndarray, steps: np.ndarray, lr: float,
                 threshold: float, power: int) -> EscapeTable:
    """The escape comparison (module docstring) for Λ and D of shape (T, k, 2) at ``steps`` (T,)."""
    lam, drive_total, steps = np.asarray(lam, float), np.asarray(drive_total, float), np.asarray(steps, float)
    if lam.shape != drive_total.shape or lam.shape[0] != steps.shape[0]:
        raise ValueError(f"lam {lam.shape}, drive {drive_total.shape} and steps {steps.shape} must agree")
    c = measured_drive_constant(drive_total, lam, threshold, power)  # (T, k, 2)
    T = lam.shape[0]
    weights = np.diff(steps, append=steps[-1])  # each point stands for the steps until the next
    if T == 1 or weights.sum() == 0:
        weights = np.ones(T)
    shape = lam.shape[1:]
    out = {name: np.full(shape, np.nan) for name in EscapeTable.__dataclass_fields__}
    out["lam0"] = lam[0].copy()
    for idx in np.ndindex(*shape):
        series, cs = lam[(slice(None),) + idx], c[(slice(None),) + idx]
        above = np.nonzero(series >= threshold)[0]
        end = above[0] if above.size else T
        if above.size:
            out["escaped_at"][idx] = steps[above[0]]
        if end == 0:
            continue
        ok = np.isfinite(cs[:end])
        if ok.any() and series[0] > 0:
            w = weights[:end][ok] if weights[:end][ok].sum() > 0 else np.ones(ok.sum())
            cbar = float(np.average(cs[:end][ok], weights=w))
            out["c_mean"][idx] = cbar
            if cbar > 0:
                lo, hi = phase1_time_bracket(series[0], threshold, lr, cbar, power)
                out["predicted"][idx] = steps[0] + float(lo)
                out["predicted_upper"][idx] = steps[0] + float(hi)
            else:
                out["predicted"][idx] = out["predicted_upper"][idx] = np.inf
        if not above.size and series[-1] > 0 and np.isfinite(cs[-1]):
            out["c_end"][idx] = cs[-1]
            out["forecast_end"][idx] = (float(phase1_time(series[-1], threshold, lr, cs[-1], power))
                                        if cs[-1] > 0 else np.inf)
    return EscapeTable(**out)
