"""The tensor-power bound checked along tracked Λ trajectories (SPEC §5 claim 9, §6).

Symbols: x_t = Λ_{i,l}(t) of the winning view, y_t = Λ_{i,3−l}(t) of the losing one,
sampled at tracking steps s_0 < s_1 < ...; q power, η lr, S strength, A level (default in
the experiments: the threshold ϱ).

How the recurrence is read off a trajectory
-------------------------------------------
Between two tracking points j and j+1 the run made Δ_j = s_{j+1} − s_j steps. We treat
the interval as one coarse step of size η_j = η·Δ_j and *define* the drive by the winner,

    C_j = (x_{j+1} − x_j) / (η_j·x_j^{q-1}),

so the winner's recurrence holds with equality on the tracked grid, and the side condition
is met with δ = max_{j<T} η_j·C_j·x_j^{q-2} = max_{j<T} (x_{j+1} − x_j)/x_j, the largest
relative increase of x per tracked interval before T (T = the first tracked index with
x >= A). The loser's premise y_{j+1} <= y_j + η_j·S·C_j·y_j^{q-1} is then a property of
the data: with ``strength=None`` S is estimated as the smallest value that makes it hold
on every interval before T,

    S = max_{j<T} (y_{j+1} − y_j) / (η_j·C_j·y_j^{q-1})    (clipped at 0),

and with a given S the premise is tested and reported. The bound applied is the discrete
bound (D) of :mod:`bounds._tensor_power` for the coarse sequence, so the check does not
need the within-interval path. The lemma needs x increasing (C_j >= 0), x_0, y_0 > 0 and
x_0 < A; ``premises`` reports whether all of that held.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._numeric import discrete_bound

DEFAULT_RTOL = 1e-9
"""Relative slack for floating-point rounding in the inequalities checked here: the
coarse drives are reconstructed from differences of the data, which costs a few ulps per
interval; 1e-9 is far above that and far below any step-size term of the bound."""


@dataclass(frozen=True)
class TrajectoryCheck:
    """Result of :func:`check_trajectories`; every field has shape (n_classes,).

    Attributes
    ----------
    reached : bool array
        x reached the level at some tracked point.
    index, step : int arrays
        First tracked index T with x >= A and its step s_T (-1 where not reached).
    y_at : float array
        y at that index (nan where not reached).
    bound : float array
        The discrete bound (D) (inf where vacuous; nan where not reached).
    ratio : float array
        y_at / bound (0 where the bound is inf; nan where not reached).
    holds : bool array
        y_at <= bound·(1 + rtol); True where not reached (nothing to check).
    step_cap : float array
        δ used: the largest relative increase of x per interval before T.
    strength : float array
        S used (given or estimated).
    gap : float array
        G = x_0/(y_0·S^{1/(q-2)}) − 1, the initial margin in SPEC §6 terms.
    premises : bool array
        The lemma's hypotheses held on the tracked grid (x increasing, positive starts,
        x_0 < A, loser premise with S).
    """

    reached: np.ndarray
    index: np.ndarray
    step: np.ndarray
    y_at: np.ndarray
    bound: np.ndarray
    ratio: np.ndarray
    holds: np.ndarray
    step_cap: np.ndarray
    strength: np.ndarray
    gap: np.ndarray
    premises: np.ndarray


def check_trajectories(x, y, steps, lr, power, level, strength=1.0, rtol=DEFAULT_RTOL):
    """Check the discrete tensor-power bound for many classes at once.

    Parameters
    ----------
    x, y : array_like, shape (n_track, n_classes)
        Winner and loser correlations Λ at the tracking points.
    steps : array_like of int, shape (n_track,)
        Gradient-descent step of each tracking point, strictly increasing.
    lr : float
        η.
    power : float
        q > 2.
    level : float
        A, the level at which the winner is stopped (the threshold ϱ in the experiments).
    strength : float, array_like of shape (n_classes,), or None
        S; None estimates it per class from the loser (module docstring).
    rtol : float
        Relative slack for rounding (see ``DEFAULT_RTOL``).

    Returns
    -------
    TrajectoryCheck
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    steps = np.asarray(steps)
    if x.ndim != 2 or x.shape != y.shape or steps.shape != (x.shape[0],) or x.shape[0] < 2:
        raise ValueError(f"need x, y of shape (n_track >= 2, n_classes) and steps (n_track,); "
                         f"got {x.shape}, {y.shape}, {steps.shape}")
    if np.any(np.diff(steps) <= 0):
        raise ValueError("steps must be strictly increasing")
    q = float(power)
    n_track, n_classes = x.shape
    eta_j = float(lr) * np.diff(steps).astype(float)[:, None]  # (n_track-1, 1)

    above = x >= level  # (n_track, n_classes)
    reached = above.any(axis=0)  # (n_classes,)
    index = np.where(reached, np.argmax(above, axis=0), -1)  # (n_classes,)
    before = np.arange(n_track - 1)[:, None] < index[None, :]  # (n_track-1, n_classes)

    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (x[1:] - x[:-1]) / x[:-1]  # η_j·C_j·x_j^{q-2}, (n_track-1, n_classes)
        y_growth = (y[1:] - y[:-1]) / y[:-1]  # (n_track-1, n_classes)
        # loser's premise per interval: y_growth <= S·growth·(y_j/x_j)^{q-2}
        scale = growth * (y[:-1] / x[:-1]) ** (q - 2)  # (n_track-1, n_classes)
        needed = np.where(scale > 0, y_growth / scale,
                          np.where(y_growth > 0, np.inf, 0.0))  # S_j
    step_cap = np.max(np.where(before, growth, 0.0), axis=0)  # δ, (n_classes,)

    if strength is None:
        S = np.maximum(np.max(np.where(before, needed, 0.0), axis=0), 0.0)
        loser_ok = np.isfinite(S)
    else:
        S = np.broadcast_to(np.asarray(strength, dtype=float), (n_classes,)).copy()
        allowed = S[None, :] * scale + rtol * (np.abs(y_growth) + S[None, :] * np.abs(scale))
        loser_ok = np.all(~before | (y_growth <= allowed), axis=0)

    x0, y0 = x[0], y[0]  # (n_classes,)
    positive = (x0 > 0) & (y0 > 0) & np.all(x > 0, axis=0) & np.all(y > 0, axis=0)
    increasing = np.all(~before | (growth >= 0), axis=0)
    premises = positive & increasing & loser_ok & (x0 < level)

    rows = np.where(reached, index, 0)
    y_at = np.where(reached, y[rows, np.arange(n_classes)], np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bound = np.where(reached, discrete_bound(y0, x0, q, step_cap, np.where(np.isfinite(S), S, 1.0),
                                                 level), np.nan)
        bound = np.where(np.isfinite(S), bound, np.inf)
        ratio = np.where(np.isinf(bound), 0.0, y_at / bound)
        gap = x0 / (y0 * S ** (1.0 / (q - 2))) - 1.0
    holds = ~reached | (y_at <= bound * (1 + rtol))
    return TrajectoryCheck(reached=reached, index=index, step=np.where(reached, steps[rows], -1),
                           y_at=y_at, bound=bound, ratio=ratio, holds=holds, step_cap=step_cap,
                           strength=S, gap=gap, premises=premises)


def check_trajectory(x, y, steps, lr, power, level, strength=1.0, rtol=DEFAULT_RTOL):
    """Check the discrete tensor-power bound along one winner/loser pair.

    Parameters
    ----------
    x, y : array_like, shape (n_track,)
        Winner x_t = Λ_{i,l}(t) and loser y_t = Λ_{i,3−l}(t) at the tracking points.
    steps, lr, power, level, strength, rtol
        As in :func:`check_trajectories` (``strength`` a float or None).

    Returns
    -------
    TrajectoryCheck
        With Python scalars in place of the (n_classes,) arrays.
    """
    x = np.asarray(x, dtype=float)[:, None]  # (n_track, 1)
    y = np.asarray(y, dtype=float)[:, None]
    result = check_trajectories(x, y, steps, lr, power, level, strength, rtol)
    return TrajectoryCheck(**{name: getattr(result, name)[0].item()
                              for name in TrajectoryCheck.__dataclass_fields__})


def winner_loser(lam):
    """Split per-view correlations into winner and loser by the final value.

    Parameters
    ----------
    lam : array_like, shape (n_track, n_classes, 2)
        Λ_{i,l}(t) at the tracking points.

    Returns
    -------
    x, y : ndarray, shape (n_track, n_classes)
        Winner and loser trajectories.
    winner : ndarray of int, shape (n_classes,)
        Index l in {0, 1} of the winning view (larger Λ at the last tracking point).
    """
    lam = np.asarray(lam, dtype=float)
    winner = np.argmax(lam[-1], axis=-1)  # (n_classes,)
    x = np.take_along_axis(lam, winner[None, :, None], axis=2)[..., 0]  # (n_track, n_classes)
    y = np.take_along_axis(lam, (1 - winner)[None, :, None], axis=2)[..., 0]
    return x, y, winner
