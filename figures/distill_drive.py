"""The distillation drive of a student: what pushes its views, by source, over training.

Reads a student run (mode ``distill`` or ``self-distill``) with the arrays ``drive`` (T, k, 2, 4)
— the drive D on the filter achieving Λ_{j,l}, by source (``gt_own``, ``gt_off``, ``teacher_own``,
``teacher_off``: ground-truth loss or teacher term, on samples of class j or of other classes;
dynamics/drive.py) — and ``lambda_max`` (T, 1, k, 2). The student's *losing* view of a class is
the one with the smaller final Λ. Panels: the drive on the losing views (summed over classes) by
source; the same on the winning views; Λ of the losing views with the threshold ϱ. A step moves
Λ by η·D, so the teacher term transfers the second view only if its drive on the losing view is
positive and large enough to lift Λ past ϱ (docs/distillation.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.results import Run

from . import style
from .runs import FigureInputError, caption, mode_key

MODES = ("distill", "self-distill")
SOURCES = ("gt_own", "gt_off", "teacher_own", "teacher_off")
LABELS = {"gt_own": "ground truth, own-class samples", "gt_off": "ground truth, other classes' samples",
          "teacher_own": "teacher term, own-class samples", "teacher_off": "teacher term, other classes' samples"}
COLOURS = {"gt_own": "#4c72b0", "gt_off": "#8fa9d6", "teacher_own": "#c44e52", "teacher_off": "#e8a33d"}


def select(runs: list[Run]) -> list[Run]:
    """Student runs that saved the drive."""
    return sorted((r for r in runs if r.mode in MODES and "drive" in r.arrays),
                  key=lambda r: (mode_key(r.mode), r.seed))


def make(runs: list[Run], out: Path, name: str = "distill_drive") -> Path:
    """Drive panels of the first student run (paper's mode order, lowest seed)."""
    chosen = select(runs)
    if not chosen:
        raise FigureInputError("no distill / self-distill run with a saved 'drive' array")
    run = chosen[0]
    D, steps = run.arrays["drive"], run.arrays["steps"]  # (T, k, 2, 4), (T,)
    lam = run.arrays["lambda_max"][:, 0]  # (T, k, 2)
    k = lam.shape[1]
    lose = (lam[-1, :, 1] <= lam[-1, :, 0]).astype(int)  # smaller final Λ
    win = 1 - lose
    sources = run.record.get("drive_sources", list(SOURCES))
    rho = float(run.record["params"]["network"]["threshold"])
    d = run.record.get("distill", {})
    reading = (f"hinton (α = {d.get('hinton_alpha')}, T = {d.get('hinton_temperature')})"
               if d.get("distill_form") == "hinton" else
               f"truncated/{d.get('truncation')} (τ = {d.get('temperature')}, η'/η = {d.get('distill_lr_ratio')})")
    with style.context():
        fig = style.new_figure(13.0, 4.2)
        axes = fig.subplots(1, 3)
        for ax, views, title in ((axes[0], lose, "losing views"), (axes[1], win, "winning views")):
            sel = D[:, np.arange(k), views]  # (T, k, 4)
            total = sel.sum(axis=1)  # (T, 4)
            for s_idx, src in enumerate(sources):
                ax.plot(steps, total[:, s_idx], color=COLOURS.get(src), label=LABELS.get(src, src), gid=f"drive:{src}")
            scale = np.abs(total).max()
            ax.set_yscale("symlog", linthresh=max(scale * 1e-6, 1e-300) if scale > 0 else 1e-12)
            ax.axhline(0.0, color="#999999", lw=0.6)
            ax.set_title(f"drive on the {title}, Σ over classes", pad=3)
            ax.set_xlabel("student GD step $t$")
        axes[0].set_ylabel(r"$D$ (Λ moves by η·D per step)")
        for i in range(k):
            axes[2].plot(steps, np.maximum(lam[:, i, lose[i]], 1e-12), color=style.LOSER, lw=0.9, gid=f"lambda:{i}")
        axes[2].axhline(rho, color=style.THRESHOLD, ls=":", gid="threshold")
        axes[2].set_yscale("log")
        axes[2].set_title(r"$\Lambda$ of the losing views, threshold $\varrho$", pad=3)
        axes[2].set_xlabel("student GD step $t$")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right center", title="source of the drive")
        fig.suptitle(f"Distillation drive of the student — mode {run.mode}, seed {run.seed}, {reading}",
                     x=0.02, ha="left")
        return style.save(fig, out, name, footer=caption([run], "drive at the filter achieving Λ"))
