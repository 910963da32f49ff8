"""Figure 2: the lottery — the initial ratio Λ_{i,1}(0)/Λ_{i,2}(0) against the view learned.

Every class of every independently initialised model trained on the cross-entropy (members of
``single`` and ``ensemble`` runs; an ensemble's member 0 is the single model of the same seed,
so identical models are counted once) is one point: x = Λ_{i,1}(0)/Λ_{i,2}(0) (views numbered
1, 2 as in the paper; code index 0, 1), y = which views it learned. SPEC §5 claim 3 predicts
that a class with ratio ≥ M learns view 1 only and one with ratio ≤ 1/M view 2 only, where
M = S^{1/(q−2)}·(1 + 1/log² m) is ``theory.lottery.lottery_margin``. Classes with a zero
initial Λ (ratio 0, ∞ or undefined) cannot be placed on the log axis; the caption counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from theory.lottery import lottery_margin
from theory.results import Run

from . import style
from .runs import FigureInputError, caption, of_modes

MODES = ("single", "ensemble")
OUTCOMES = ("view 1 only", "view 2 only", "both views", "neither view")
OUTCOME_COLOURS = ("#1f77b4", "#d62728", "#9467bd", "#7f7f7f")
JITTER = 0.12  # vertical spread of the points within an outcome row (rows are 1 apart)


@dataclass
class LotteryPoints:
    """One entry per class of every distinct model."""

    ratio: np.ndarray  # (n,) Λ_{i,1}(0)/Λ_{i,2}(0); inf / nan where a Λ(0) is 0
    outcome: np.ndarray  # (n,) index into OUTCOMES
    margin: float  # M of the runs' (m, q)
    seeds: list[int]


def outcome(learned: np.ndarray) -> np.ndarray:
    """Index into OUTCOMES for each row of a (k, 2) bool array."""
    l1, l2 = learned[:, 0], learned[:, 1]
    return np.select([l1 & ~l2, l2 & ~l1, l1 & l2], [0, 1, 2], default=3)


def points(runs: list[Run]) -> LotteryPoints:
    """Ratios and outcomes of every distinct model among the runs of ``MODES``."""
    seen: set[tuple[int, bytes]] = set()
    ratios, outcomes, margins, seeds = [], [], set(), []
    for run in of_modes(runs, MODES):
        net = run.record["params"]["network"]
        margins.add(lottery_margin(int(net["n_neurons"]), int(net["power"])))
        for m in run.record["members"]:
            lam0 = np.asarray(m["lambda_init"], dtype=float)  # (k, 2)
            key = (run.seed, lam0.tobytes())  # same seed and initial Λ: the same model
            if key in seen:
                continue
            seen.add(key)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios.append(lam0[:, 0] / lam0[:, 1])
            outcomes.append(outcome(np.asarray(m["learned"], dtype=bool)))
            seeds.append(run.seed)
    if len(margins) > 1:
        raise FigureInputError(f"runs mix lottery margins {sorted(margins)} (different m or q); "
                         "plot them separately")
    if not ratios:
        raise FigureInputError(f"no run of modes {MODES} among {len(runs)} runs")
    return LotteryPoints(np.concatenate(ratios), np.concatenate(outcomes), margins.pop(), seeds)


def make(runs: list[Run], out: Path, name: str = "lottery") -> Path:
    """Scatter of the ratio against the outcome with M and 1/M drawn; return the PNG."""
    pts = points(runs)
    finite = np.isfinite(pts.ratio) & (pts.ratio > 0)
    x, o = pts.ratio[finite], pts.outcome[finite]
    M = pts.margin
    # Deterministic jitter, so the same results give the same picture.
    y = o + np.random.default_rng(0).uniform(-JITTER, JITTER, size=o.size)

    with style.context():
        fig = style.new_figure(8.4, 3.9)
        ax = fig.subplots()
        for j, (label, colour) in enumerate(zip(OUTCOMES, OUTCOME_COLOURS)):
            sel = o == j
            ax.scatter(x[sel], y[sel], s=14, color=colour, alpha=0.75, lw=0, gid=f"outcome:{j}",
                       label=f"{label} ({int(sel.sum())})")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # 0.5, 1, 2, 5, ...
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        if np.isfinite(M):
            ax.axvline(M, color="k", ls="--", lw=1, gid="margin")
            ax.axvline(1 / M, color="k", ls="--", lw=1, gid="margin_inverse")
            ax.axvspan(1 / M, M, color="#cccccc", alpha=0.35, lw=0, label="outside M (no prediction)")
        ax.axvline(1.0, color="#999999", lw=0.6)
        ax.set_yticks(range(len(OUTCOMES)), OUTCOMES)
        ax.set_ylim(len(OUTCOMES) - 0.5, -0.5)  # view 1 only on top
        ax.set_xlabel(r"initial ratio $\Lambda_{i,1}(0)\,/\,\Lambda_{i,2}(0)$ (log scale)")
        ax.set_ylabel("views learned at the end")
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside right center", title="outcome (classes)", alignment="left")
        ax.text(0.995, 1.01, _agreement(pts), transform=ax.transAxes, ha="right", va="bottom",
                fontsize=8)
        fig.suptitle("The lottery: the view a class learns is decided at initialisation\n"
                     + rf"prediction: ratio $\geq M$ ⇒ view 1 only, ratio $\leq 1/M$ ⇒ view 2 only,"
                     + "\n"
                     + rf"with $M = S^{{1/(q-2)}}(1 + 1/\log^2 m)$ = {M:.3f} (dashed)", x=0.02, ha="left")
        n_models = len(pts.seeds)
        note = f"{n_models} distinct models, {pts.ratio.size} classes"
        if (~finite).any():
            note += f"; {int((~finite).sum())} classes with a zero initial Λ not shown"
        return style.save(fig, out, name, footer=caption(of_modes(runs, MODES), note))


def _agreement(pts: LotteryPoints) -> str:
    """'ratio ≥ M: a/b learned view 1 only · ratio ≤ 1/M: c/d learned view 2 only'."""
    r, o, M = pts.ratio, pts.outcome, pts.margin
    with np.errstate(invalid="ignore"):
        hi, lo = r >= M, r <= 1 / M  # inf counts as ≥ M, 0 as ≤ 1/M, nan as neither
    return (f"ratio ≥ M: {int((o[hi] == 0).sum())}/{int(hi.sum())} learned view 1 only   ·   "
            f"ratio ≤ 1/M: {int((o[lo] == 1).sum())}/{int(lo.sum())} learned view 2 only")
