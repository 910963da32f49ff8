"""Figure 5: noise memorisation per training-sample group over time (SPEC §5 claim 4).

``memorisation`` (T, K, N) holds max_{r,p} <w_{y,r}(t), ξ_{n,p}> for every tracked step, model
and training sample. Samples are grouped by ``theory.memorisation.memorisation_groups`` with
each model's final Λ (multi-view; single-view whose dominant view won; single-view whose
dominant view lost). A thin line is one run: the group's mean over its samples, averaged over
the run's models; the thick line is the mean over runs (a run that stopped early holds its
last value).
The prediction: the lost single-view samples are fitted by memorising noise, so their curve
rises above the others.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from theory.memorisation import GROUPS, memorisation_groups
from theory.results import Run

from . import style
from .runs import caption, mode_key

NCOLS = 3  # panels per row


def group_curves(run: Run) -> dict[str, np.ndarray]:
    """Group → (T,) mean memorisation over the group's samples, averaged over the run's models.

    A model whose group is empty does not contribute; a group empty in every model is absent.
    """
    a = run.arrays
    mem, lam_final = a["memorisation"], a["lambda_max"][-1]  # (T, K, N), (K, k, 2)
    per_group: dict[str, list[np.ndarray]] = {g: [] for g in GROUPS}
    for j in range(mem.shape[1]):
        masks = memorisation_groups(a["y"], a["kind"], a["dominant"], lam_final[j])
        for g, mask in masks.items():
            if mask.any():
                per_group[g].append(mem[:, j, mask].mean(axis=1))
    return {g: np.mean(c, axis=0) for g, c in per_group.items() if c}


def make(runs: list[Run], out: Path, name: str = "memorisation") -> Path:
    """One panel per mode present; return the PNG."""
    modes = sorted({r.mode for r in runs}, key=mode_key)
    ncols = min(len(modes), NCOLS)
    nrows = math.ceil(len(modes) / ncols)
    with style.context():
        fig = style.new_figure(max(3.6 * ncols, 5.0) + 2.6, 3.0 * nrows + 1.1)
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
        for p, (ax, mode) in enumerate(zip(axes.flat, modes)):
            mruns = sorted((r for r in runs if r.mode == mode), key=lambda r: r.seed)
            curves = [(r, group_curves(r)) for r in mruns]
            for g in GROUPS:
                colour, ls = style.GROUP_COLOURS[g], style.GROUP_LINESTYLES[g]
                for r, c in curves:
                    if g in c:
                        ax.plot(r.arrays["steps"], c[g], color=colour, ls=ls, lw=0.8, alpha=0.45,
                                gid=f"run:{r.seed}:{g}")
                with_g = [(r.arrays["steps"], c[g]) for r, c in curves if g in c]
                if len(with_g) > 1:
                    grid, mean = mean_over_runs(with_g)
                    ax.plot(grid, mean, color=colour, ls=ls, lw=2.2, gid=f"mean:{g}")
            n_models = mruns[0].arrays["memorisation"].shape[1]
            ax.set_title(f"{mode} ({len(mruns)} run{'s' if len(mruns) > 1 else ''}, "
                         f"{n_models} model{'s' if n_models > 1 else ''} each)")
            if p % ncols == 0:
                ax.set_ylabel(r"$\mathrm{max}_{r,p}\,\langle w_{y,r}(t), \xi_p\rangle$"
                              "\n(mean over the group)")
            ax.set_xlabel("GD step $t$")
        for ax in axes.flat[len(modes):]:
            ax.set_visible(False)
        handles = [Line2D([], [], color=style.GROUP_COLOURS[g], ls=style.GROUP_LINESTYLES[g], lw=2.2,
                          label=f"{style.GROUP_LABELS[g]}") for g in GROUPS]
        handles.append(Line2D([], [], color="#777777", lw=0.8, alpha=0.6, label="one run (thin)"))
        handles.append(Line2D([], [], color="#777777", lw=2.2, label="mean over runs (thick;\na stopped run holds its last value)"))
        fig.legend(handles=handles, loc="outside right center")
        fig.suptitle("Noise memorisation by training-sample group:\n"
                     r"correlation of the label's neurons $w_{y,r}$ with the sample's noise $\xi_p$;"
                     "\nwon / lost: the sample's dominant view is / is not the view\n"
                     "its class ended with the larger Λ", x=0.02, ha="left")
        return style.save(fig, out, name, footer=caption(runs))


def mean_over_runs(curves: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Mean of step curves (steps (T_r,), values (T_r,)) on the union of their steps.

    Runs stop at different steps (at their first 100% training accuracy); a stopped model no
    longer changes, so each curve holds its last value after its last step.
    """
    grid = np.unique(np.concatenate([s for s, _ in curves]))  # (G,)
    held = [v[np.clip(np.searchsorted(s, grid, side="right") - 1, 0, None)] for s, v in curves]
    return grid, np.mean(held, axis=0)
