"""Claim C9 (SPEC §5): the tensor-power bound holds along the network's Λ trajectories.

For every single model and every class in the lottery set M, the winner is x_t = Λ_{i,l}(t)
of the M view and the loser y_t = Λ_{i,3−l}(t); with S = 1 (the two views of a class are
drawn alike) the discrete bound (D) of :mod:`bounds._tensor_power` is evaluated at the first
tracked time x reaches the level A = ``LEVEL_FRACTION``·ϱ, by
:func:`bounds.check_trajectories`.

Trajectories: the per-step array ``lambda_steps`` (n_steps+1, K, k, 2) when the run saved
it, else the tracking grid ``lambda_max`` (T, K, k, 2) — there each tracked interval is one
coarse step, and near take-off the step term δ becomes so large that the bound is vacuous
(infinite); such classes are counted as *vacuous*, not as confirmations. Classes whose loser starts at
Λ = 0 (every filter negatively correlated with the view) are outside the lemma (y_0 > 0) and
are counted apart.

The claim holds when the Wilson 95% CI of the fraction of non-vacuous checks that hold lies
in [0.9, 1] (the theory says always; 0.9 allows that Λ is a max over filters, while the
lemma is about one filter's correlation). Reported: the worst ratio y(T_x)/bound, the
fraction of vacuous checks, and the fraction where the lemma's premises held on the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.claims import Claim, Measurement
from theory.results import Run
from theory.stats import band_verdict, wilson

from ._trajectory import TrajectoryCheck, check_trajectories

LEVEL_FRACTION = 0.25
"""A = ϱ/4. Below ϱ the growth of Λ is η·c·(Λ/ϱ)^{q−1}: the relative step η·c·Λ^{q−2}/ϱ^{q−1}
at Λ = ϱ/4 is 1/16 of its value at ϱ (q = 4), which keeps the bound's step term δ small
when Λ is tracked at every step; at A = ϱ the last step before x reaches A is ~1 and the
bound (D) is nearly vacuous."""

BAND = (0.90, 1.0)


def trajectories(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """Λ (T, K, k, 2) and steps (T,) as C9 reads them: per step when saved, else the tracking grid."""
    if "lambda_steps" in run.arrays:
        lam = run.arrays["lambda_steps"]  # (n+1, K, k, 2)
        steps = np.arange(lam.shape[0])
    else:
        lam, steps = run.arrays["lambda_max"], run.arrays["steps"]
    return lam, steps


@dataclass(frozen=True)
class MemberCheck:
    """C9's check of one model: the classes of its lottery set M, n = |M|."""

    classes: np.ndarray  # (n,) class indices i in M
    winner: np.ndarray  # (n,) view index (0 or 1) of the M view
    steps: np.ndarray  # (T,) steps of the trajectories
    x: np.ndarray  # (T, n) winner Λ_{i,l}(t)
    y: np.ndarray  # (T, n) loser Λ_{i,3−l}(t)
    level: float  # A = LEVEL_FRACTION·ϱ
    result: TrajectoryCheck  # fields of shape (n,)
    positive: np.ndarray  # (n,) x_0 > 0 and y_0 > 0 (outside the lemma otherwise)


def check_member(run: Run, member: int) -> MemberCheck | None:
    """The bound (D) along model ``member``'s M classes; None when its M is empty."""
    p = run.record["params"]
    level = LEVEL_FRACTION * p["network"]["threshold"]
    lam, steps = trajectories(run)
    M = np.asarray(run.record["members"][member]["lottery"], dtype=bool)  # (k, 2)
    in_m = M.any(axis=1)
    if not in_m.any():
        return None
    win = np.argmax(M, axis=1)  # (k,)
    x = np.take_along_axis(lam[:, member], win[None, :, None], axis=2)[..., 0][:, in_m]
    y = np.take_along_axis(lam[:, member], (1 - win)[None, :, None], axis=2)[..., 0][:, in_m]
    res = check_trajectories(x, y, steps, p["train"]["lr"], p["network"]["power"], level,
                             strength=1.0)
    return MemberCheck(np.flatnonzero(in_m), win[in_m], np.asarray(steps), x, y, float(level), res,
                       (x[0] > 0) & (y[0] > 0))  # the lemma starts from positive correlations


def evaluate_c9(runs: list[Run]) -> Measurement:
    n_hold = n_checked = n_vacuous = n_premises = n_zero_start = 0
    worst = 0.0
    seeds = set()
    for run in runs:
        if run.mode != "single":
            continue
        for kk in range(len(run.record["members"])):
            mc = check_member(run, kk)
            if mc is None:
                continue
            res, positive = mc.result, mc.positive
            ok = res.reached & np.isfinite(res.bound) & positive
            seeds.add(run.seed)
            n_zero_start += int((res.reached & ~positive).sum())
            n_vacuous += int((res.reached & ~np.isfinite(res.bound) & positive).sum())
            n_checked += int(ok.sum())
            n_hold += int((ok & res.holds).sum())
            n_premises += int((ok & res.premises).sum())
            if ok.any():
                worst = max(worst, float(np.nanmax(res.ratio[ok])))
    ci = wilson(n_hold, n_checked)
    return Measurement(n_hold / n_checked if n_checked else None, ci, len(seeds),
                       band_verdict(ci, *BAND),
                       {"checked": n_checked, "held": n_hold, "vacuous": n_vacuous,
                        "excluded_zero_start": n_zero_start,
                        "premises_held": n_premises, "worst_ratio": worst,
                        "level": f"{LEVEL_FRACTION}·threshold", "band": list(BAND),
                        "method": "Wilson 95% CI over non-vacuous class checks, pooled over seeds"})


C9 = Claim("C9", "The tensor-power bound holds along the Λ trajectories of a single model "
           "(winner = M view, loser = the other)",
           "y(T_x) ≤ discrete bound (D) with S = 1 for ≥ 0.90 of checked classes",
           ("single",), evaluate_c9)
