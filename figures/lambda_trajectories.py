"""Figure 1: Λ_{i,ℓ}(t) of one model, every class, winning and losing view (SPEC §5).

Λ_{i,ℓ}(t) = max_r max(0, <w_{i,r}(t), v_{i,ℓ}>) is read from ``lambda_max`` (T, K, k, 2) of
the run's trajectories; the *winner* of class i is the view with the larger final Λ (a tie goes
to view 1). The smoothed-ReLU threshold ϱ marks where a neuron leaves the polynomial regime;
a view counts as learned above ``learned_threshold`` (ϱ by default). Works for the members of
any mode (single models, ensemble members, distilled students).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from theory.results import Run

from . import style
from .runs import FigureInputError, caption, mode_key

NCOLS = 5  # panels per row


def pick(runs: list[Run], mode: str | None = None, seed: int | None = None) -> Run:
    """The run to show: of ``mode`` (default: the first mode in the paper's order), lowest seed."""
    cands = [r for r in runs if (mode is None or r.mode == mode) and (seed is None or r.seed == seed)]
    if not cands:
        raise FigureInputError(f"no run with mode={mode!r} and seed={seed!r} among {len(runs)} runs")
    return min(cands, key=lambda r: (mode_key(r.mode), r.seed))


def winners(lambda_final: np.ndarray) -> np.ndarray:
    """Winning view (0 or 1) of each class from Λ(T) (k, 2); ties go to view 0."""
    return (lambda_final[:, 1] > lambda_final[:, 0]).astype(int)


def make(runs: list[Run], out: Path, mode: str | None = None, seed: int | None = None,
         member: int = 0, name: str | None = None) -> Path:
    """Plot member ``member`` of the chosen run; write ``out/<name>.png|pdf``; return the PNG."""
    run = pick(runs, mode, seed)
    lam_all = run.arrays["lambda_max"]  # (T, K, k, 2)
    if not 0 <= member < lam_all.shape[1]:
        raise FigureInputError(f"member={member}: run {run.path} has {lam_all.shape[1]} models")
    lam, steps = lam_all[:, member], run.arrays["steps"]  # (T, k, 2), (T,)
    k = lam.shape[1]
    win = winners(lam[-1])
    net, train = run.record["params"]["network"], run.record["params"]["train"]
    rho, learned_at = float(net["threshold"]), float(train.get("learned_threshold", net["threshold"]))
    summary = run.record["members"][member]
    stopped = summary.get("stopped_at", -1)
    learned = np.asarray(summary["learned"], dtype=bool)  # (k, 2)

    ncols = min(k, NCOLS)
    nrows = math.ceil(k / ncols)
    with style.context():
        fig = style.new_figure(2.3 * ncols + 2.6, 1.9 * nrows + 1.0)
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        for i in range(k):
            ax = axes.flat[i]
            w = int(win[i])
            ax.plot(steps, lam[:, i, w], color=style.WINNER, ls="-", gid=f"lambda:{i}:{w}")
            ax.plot(steps, lam[:, i, 1 - w], color=style.LOSER, ls="--", gid=f"lambda:{i}:{1 - w}")
            ax.axhline(rho, color=style.THRESHOLD, ls=":", lw=1.0, gid="threshold")
            if not math.isclose(learned_at, rho):
                ax.axhline(learned_at, color=style.THRESHOLD, ls="-.", lw=0.8, gid="learned_threshold")
            if stopped is not None and stopped >= 0:
                ax.axvline(stopped, color="#999999", lw=0.8, ls=(0, (1, 3)), gid="stopped")
            ax.set_yscale("log")
            ax.yaxis.set_minor_locator(NullLocator())  # decades suffice; minor log ticks cost 2× the drawing time
            ax.set_title(f"class {i}: learned {_learned_text(learned[i])}", pad=3)
            if i % ncols == 0:
                ax.set_ylabel(r"$\Lambda_{i,\ell}(t)$")
            if i + ncols >= k:  # nothing below this panel
                ax.set_xlabel("GD step $t$")
                ax.xaxis.set_tick_params(labelbottom=True)
        for ax in axes.flat[k:]:
            ax.set_visible(False)
        positive = lam[lam > 0]
        if positive.size:
            axes.flat[0].set_ylim(min(positive.min(), rho) / 2, max(positive.max(), rho) * 2)
        handles = [Line2D([], [], color=style.WINNER, ls="-", label="winning view (larger final Λ)"),
                   Line2D([], [], color=style.LOSER, ls="--", label="losing view"),
                   Line2D([], [], color=style.THRESHOLD, ls=":", label=rf"threshold $\varrho$ = {rho:g}")]
        if not math.isclose(learned_at, rho):
            handles.append(Line2D([], [], color=style.THRESHOLD, ls="-.",
                                  label=f"learned threshold = {learned_at:g}"))
        if stopped is not None and stopped >= 0:
            handles.append(Line2D([], [], color="#999999", lw=0.8, ls=(0, (1, 3)),
                                  label=f"stopped at 100% training accuracy (t = {stopped})"))
        fig.legend(handles=handles, loc="outside right center")
        fig.suptitle(f"View correlations of one model — mode {run.mode}, member {member}, seed {run.seed}\n"
                     r"$\Lambda_{i,\ell}(t)=\mathrm{max}_r\,\mathrm{max}(0,\langle w_{i,r}(t),"
                     r"v_{i,\ell}\rangle)$ for class $i$ and view $\ell$", x=0.02, ha="left")
        note = (f"member {member} of {lam_all.shape[1]}; views numbered 1, 2 as in the paper; "
                "Λ = 0 is not drawn on the log scale")
        return style.save(fig, out, name or f"lambda_{run.mode}", footer=caption([run], note))


def _learned_text(learned: np.ndarray) -> str:
    """'view 1', 'view 2', 'both' or 'neither' from a (2,) bool row."""
    if learned.all():
        return "both"
    if not learned.any():
        return "neither"
    return f"view {int(np.argmax(learned)) + 1}"
