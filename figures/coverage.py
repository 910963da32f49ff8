"""Figure 6: how many members an ensemble needs to cover both views of a class (SPEC §5 claim 5).

For an ensemble run with members' learned views L_j (k, 2), the coverage after K' members is
the fraction of classes i with both views learned by some member among the first K':
    cov(K') = mean_i [ any_{j<K'} L_j[i,1]  and  any_{j<K'} L_j[i,2] ].
Drawn: the mean over seeds with a Student-t 95% interval, and two predictions for members that
learn independently:
- the lottery's: each member learns exactly one view per class, each with probability 1/2, so
  cov(K') = 1 − 2·(1/2)^{K'} = 1 − 2^{1−K'};
- from the measured per-member outcome frequencies (pooled over members, classes and seeds,
  the two views treated alike): with q_none the chance that a member learns neither view of a
  class and u = q_one/2 + q_none the chance that it misses a given view,
  cov(K') = 1 − 2·u^{K'} + q_none^{K'} (inclusion–exclusion over the two views).
Jointly trained averages (``train-average``) are drawn alongside when present: their members
are not independent, so only their measured curve is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theory.results import Run
from theory.stats import ACCURACY, CONFIDENCE, t_interval

from . import style
from .runs import FigureInputError, caption, of_modes

MODES = ("ensemble", "train-average")
COLOURS = {"ensemble": "#1f77b4", "train-average": "#ff7f0e"}


def coverage_curve(learned: np.ndarray) -> np.ndarray:
    """cov(K') for K' = 1..K from the members' learned views (K, k, 2) bools: (K,)."""
    seen = np.logical_or.accumulate(learned, axis=0)  # (K, k, 2): view seen by the first K'
    return seen.all(axis=2).mean(axis=1)


def independent_prediction(n_members: int, q_one: float, q_none: float) -> np.ndarray:
    """cov(K') = 1 − 2·u^{K'} + q_none^{K'}, u = q_one/2 + q_none, for K' = 1..n_members."""
    kp = np.arange(1, n_members + 1)
    u = q_one / 2 + q_none
    return 1 - 2 * u ** kp + q_none ** kp


def lottery_prediction(n_members: int) -> np.ndarray:
    """1 − 2^{1−K'} for K' = 1..n_members (one view per member and class, fair coin)."""
    return independent_prediction(n_members, 1.0, 0.0)


@dataclass
class Coverage:
    """One mode's coverage over seeds."""

    per_seed: dict[int, np.ndarray]  # seed → (K_seed,) curve (seeds with several runs averaged)
    mean: np.ndarray  # (K,) over the seeds that have ≥ K' members
    ci: list[tuple[float, float] | None]  # per K'
    frequencies: dict[str, float]  # per-member outcome frequencies: both, one, none


def measure(runs: list[Run]) -> Coverage:
    """Coverage of the runs given (one mode)."""
    by_seed: dict[int, list[np.ndarray]] = {}
    outcomes = np.zeros(3)  # classes × members with both, exactly one, no view learned
    for run in runs:
        learned = np.array([m["learned"] for m in run.record["members"]], dtype=bool)  # (K, k, 2)
        by_seed.setdefault(run.seed, []).append(coverage_curve(learned))
        n_views = learned.sum(axis=2)  # (K, k)
        outcomes += [(n_views == 2).sum(), (n_views == 1).sum(), (n_views == 0).sum()]
    per_seed = {}
    for s, curves in sorted(by_seed.items()):
        K = min(len(c) for c in curves)
        per_seed[s] = np.mean([c[:K] for c in curves], axis=0)
    K = max(len(c) for c in per_seed.values())
    cols = [[c[j] for c in per_seed.values() if len(c) > j] for j in range(K)]
    freq = outcomes / outcomes.sum()
    return Coverage(per_seed, np.array([np.mean(c) for c in cols]), [t_interval(c, support=ACCURACY) for c in cols],
                    {"both": float(freq[0]), "one": float(freq[1]), "none": float(freq[2])})


def make(runs: list[Run], out: Path, name: str = "coverage") -> Path:
    """Coverage against K' with CIs and predictions; return the PNG."""
    shown = of_modes(runs, MODES)
    modes = [m for m in MODES if any(r.mode == m for r in shown)]
    if not modes:
        raise FigureInputError(f"no run of modes {MODES} among {len(runs)} runs")
    with style.context():
        fig = style.new_figure(7.5, 4.6)
        ax = fig.subplots()
        K_max = 1
        for i, mode in enumerate(modes):
            cov = measure([r for r in shown if r.mode == mode])
            kp = np.arange(1, len(cov.mean) + 1)
            K_max = max(K_max, len(kp))
            colour, dx = COLOURS[mode], 0.06 * (i - (len(modes) - 1) / 2)
            lo = np.array([c[0] if c else m for c, m in zip(cov.ci, cov.mean)])
            hi = np.array([c[1] if c else m for c, m in zip(cov.ci, cov.mean)])
            eb = ax.errorbar(kp + dx, cov.mean, yerr=[cov.mean - lo, hi - cov.mean], color=colour,
                             marker="o", ms=5, capsize=3, lw=1.6,
                        label=f"{mode}: measured, mean over {len(cov.per_seed)} seeds "
                              f"± {CONFIDENCE:.0%} CI")
            eb.lines[0].set_gid(f"measured:{mode}")
            eb.lines[2][0].set_gid(f"ci:{mode}")
            for s, c in cov.per_seed.items():
                ax.plot(np.arange(1, len(c) + 1) + dx, c, color=colour, lw=0.6, alpha=0.35,
                        gid=f"seed:{mode}:{s}")
            if mode == "ensemble":
                f = cov.frequencies
                ax.plot(kp, independent_prediction(len(kp), f["one"], f["none"]), color=colour,
                        ls=":", lw=1.6, gid="prediction:measured",
                        label="independent members with the measured per-member outcomes\n"
                              f"(both {f['both']:.2f}, one {f['one']:.2f}, none {f['none']:.2f})")
        kp = np.arange(1, K_max + 1)
        ax.plot(kp, lottery_prediction(K_max), color="k", ls="--", lw=1.2, gid="prediction:lottery",
                label=r"lottery: one view per member, fair coin: $1-2^{1-K'}$")
        ax.set_xticks(kp)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(r"members $K'$ (the first $K'$ of the ensemble)")
        ax.set_ylabel("fraction of classes with both\nviews learned by some member")
        ax.legend(loc="lower right", fontsize=8)  # the lower right is empty: coverage rises with K'
        fig.suptitle("Ensemble coverage of the two views: fraction of classes whose\n"
                     "two views are both learned by some of the first K' members", x=0.02, ha="left")
        return style.save(fig, out, name, footer=caption(shown, "thin lines: single seeds"))
