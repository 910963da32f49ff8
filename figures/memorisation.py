"""Figure 5: noise memorisation per training-sample group over time (SPEC §5 claim 4).

``memorisation`` (T, K, N) holds max_{r,p} <w_{y,r}(t), ξ_{n,p}> for every tracked step, model
and training sample. Samples are grouped by ``theory.memorisation.memorisation_groups`` with
each model's final Λ (multi-view; single-view whose dominant view won; single-view whose
dominant view lost). A thin line is one run: the group's mean over its samples, averaged over
the run's models; the thick line is the mean over runs, drawn when they share their steps.
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
        fig = style.new_figure(3.6 * ncols + 2.6, 3.0 * nrows + 0.9)
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
        for p, (ax, mode) in enumerate(zip(axes.flat, modes)):
            mruns = sorted((r for r in runs if r.mode == mode), key=lambda r: r.seed)
            curves = [(r, group_curves(r)) for r in mruns]
            for g in GROUPS:
                colour = style.GROUP_COLOURS[g]
                for r, c in curves:
                    if g in c:
                        ax.plot(r.arrays["steps"], c[g], color=colour, lw=0.8, alpha=0.45,
                                gid=f"run:{r.seed}:{g}")
                with_g = [(r, c[g]) for r, c in curves if g in c]
                if len(with_g) > 1 and _same_steps([r for r, _ in with_g]):
                    ax.plot(with_g[0][0].arrays["steps"], np.mean([v for _, v in with_g], axis=0),
                            color=colour, lw=2.2, gid=f"mean:{g}")
            n_models = mruns[0].arrays["memorisation"].shape[1]
            ax.set_title(f"{mode} ({len(mruns)} run{'s' if len(mruns) > 1 else ''}, "
                         f"{n_models} model{'s' if n_models > 1 else ''} each)")
            if p % ncols == 0:
                ax.set_ylabel(r"$\mathrm{max}_{r,p}\,\langle w_{y,r}(t), \xi_p\rangle$"
                              "\n(mean over the group)")
            ax.set_xlabel("GD step $t$")
        for ax in axes.flat[len(modes):]:
            ax.set_visible(False)
        handles = [Line2D([], [], color=style.GROUP_COLOURS[g], lw=2.2,
                          label=f"{style.GROUP_LABELS[g]}") for g in GROUPS]
        handles.append(Line2D([], [], color="#777777", lw=0.8, alpha=0.6, label="one run (thin)"))
        handles.append(Line2D([], [], color="#777777", lw=2.2, label="mean over runs (thick)"))
        fig.legend(handles=handles, loc="outside right center")
        fig.suptitle("Noise memorisation by training-sample group: correlation of the label's "
                     r"neurons $w_{y,r}$ with the sample's noise $\xi_p$" "\n"
                     "won / lost: the sample's dominant view is / is not the view its class "
                     "ended with the larger Λ", x=0.02, ha="left")
        return style.save(fig, out, name, footer=caption(runs))


def _same_steps(runs: list[Run]) -> bool:
    s0 = runs[0].arrays["steps"]
    return all(np.array_equal(r.arrays["steps"], s0) for r in runs[1:])
