"""Measured Phase-I times against the tensor-power time scale of bounds (issue 4, part 3).

For every single-model run below the given directories and every class, the winning view's
Phase-I time is the first step at which Λ_{i,l}(t) ≥ ϱ (from the per-step ``lambda_steps``).
The prediction is ``bounds.phase1_time(Λ_{i,l}(0), ϱ, η, c, q)`` for the growth law
Λ' = η·c·(Λ/ϱ)^{q−1}, with the drive constant c = ``bounds.drive_constant`` of the run's data
(true-view sums Z ~ U[1, c_true], off-class sums ~ U[c_off_lo, c_off_hi]; the single-view
fraction μ is ignored, a O(μ) correction). Printed: per run, the median and range of
measured / predicted over classes.

Usage: python studies/phase1_times.py RUN_DIR [RUN_DIR ...]
"""

from __future__ import annotations

import sys

import numpy as np

import bounds
from theory.results import find_runs


def _moment(lo: float, hi: float, q: int) -> float:
    """E[Z^q] for Z ~ U[lo, hi]."""
    return (hi ** (q + 1) - lo ** (q + 1)) / ((q + 1) * (hi - lo))


def main(dirs):
    rows = []
    for run in find_runs(dirs):
        if run.mode != "single" or "lambda_steps" not in run.arrays:
            continue
        p = run.record["params"]
        d, net, tr = p["data"], p["network"], p["train"]
        q, rho, lr = net["power"], net["threshold"], tr["lr"]
        c = float(bounds.drive_constant(d["n_classes"], d["patches_per_feature"], q,
                                        _moment(1.0, d["c_true"], q), d["offclass_rate"],
                                        _moment(d["c_off_lo"], d["c_off_hi"], q)))
        lam = run.arrays["lambda_steps"][:, 0]  # (n+1, k, 2)
        win = lam[-1].argmax(axis=1)  # (k,)
        x = np.take_along_axis(lam, win[None, :, None], axis=2)[..., 0]  # (n+1, k)
        reached = (x >= rho).any(axis=0)
        measured = np.argmax(x >= rho, axis=0).astype(float)
        predicted = np.array([float(bounds.phase1_time(x0, rho, lr, c, q)) for x0 in x[0]])
        ratio = (measured / predicted)[reached & (x[0] > 0)]
        rows.append((run.path, run.seed, c, ratio))
        print(f"{run.path}: seed {run.seed}, drive c = {c:.3g}, classes {ratio.size}: measured/predicted "
              f"median {np.median(ratio):.2f}, range [{ratio.min():.2f}, {ratio.max():.2f}]")
    allr = np.concatenate([r[3] for r in rows]) if rows else np.array([])
    if allr.size:
        print(f"all: {allr.size} classes over {len(rows)} runs: median {np.median(allr):.2f}, "
              f"quartiles [{np.quantile(allr, 0.25):.2f}, {np.quantile(allr, 0.75):.2f}]")


if __name__ == "__main__":
    main(sys.argv[1:])
