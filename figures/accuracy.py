"""Figure 3: test accuracy by training mode, in the shape of the paper's Figure 1.

One panel per model family present (the network; its NTK / random-feature linearisations,
modes prefixed ``ntk-`` / ``rf-``), one group of bars per mode, two bars per group: multi-view
and single-view test accuracy of the run's evaluated model (``record["model"]``: the single
model, the ensemble's average output, the student, ...). Bar = mean over seeds (a seed with
several runs is averaged first); error bar = Student-t 95% interval over seeds
intersected with [0, 1] (``theory.stats.t_interval``; none with one seed); dots = the seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from theory.results import Run
from theory.stats import ACCURACY, CONFIDENCE, t_interval

from . import style
from .runs import FAMILIES, caption, mode_key, split_mode

METRICS = (("test_acc_multi", "multi-view test", style.MULTI_VIEW),
           ("test_acc_single", "single-view test", style.SINGLE_VIEW))
WIDTH = 0.38  # bar width; a group spans 2·WIDTH


@dataclass
class Cell:
    """One bar: a mode and a metric over seeds."""

    per_seed: dict[int, float]
    mean: float
    ci: tuple[float, float] | None


def table(runs: list[Run]) -> dict[str, dict[str, Cell]]:
    """mode → metric → Cell, over the runs given, modes in the paper's order."""
    values: dict[str, dict[str, dict[int, list[float]]]] = {}
    for run in runs:
        for key, _, _ in METRICS:
            values.setdefault(run.mode, {}).setdefault(key, {}).setdefault(run.seed, []).append(
                float(run.record["model"][key]))
    out = {}
    for mode in sorted(values, key=mode_key):
        out[mode] = {}
        for key, by_seed in values[mode].items():
            per_seed = {s: float(np.mean(v)) for s, v in sorted(by_seed.items())}
            vals = list(per_seed.values())
            out[mode][key] = Cell(per_seed, float(np.mean(vals)), t_interval(vals, support=ACCURACY))
    return out


def make(runs: list[Run], out: Path, name: str = "accuracy") -> Path:
    """Grouped bars with CIs for every mode present; return the PNG."""
    tab = table(runs)
    families = [(p, title) for p, title in FAMILIES if any(split_mode(m)[0] == p for m in tab)]
    widths = [sum(split_mode(m)[0] == p for m in tab) for p, _ in families]
    with style.context():
        fig = style.new_figure(1.3 * sum(widths) + 3.4, 4.0)
        axes = fig.subplots(1, len(families), sharey=True, squeeze=False,
                            width_ratios=[max(w, 1.5) for w in widths])[0]
        for ax, (prefix, title) in zip(axes, families):
            modes = [m for m in tab if split_mode(m)[0] == prefix]
            x = np.arange(len(modes))
            for j, (key, label, colour) in enumerate(METRICS):
                cells = [tab[m][key] for m in modes]
                xs = x + (j - 0.5) * WIDTH
                bars = ax.bar(xs, [c.mean for c in cells], WIDTH, color=colour, alpha=0.85, label=label)
                for bar, m in zip(bars, modes):
                    bar.set_gid(f"bar:{m}:{key}")
                for xi, c, m in zip(xs, cells, modes):
                    if c.ci is not None:
                        eb = ax.errorbar([xi], [c.mean], yerr=[[c.mean - c.ci[0]], [c.ci[1] - c.mean]],
                                         fmt="none", ecolor="k", elinewidth=1, capsize=3)
                        eb.lines[2][0].set_gid(f"ci:{m}:{key}")  # the vertical segment
                    seeds = list(c.per_seed.values())
                    ax.plot(np.full(len(seeds), xi), seeds, ls="none", marker="o", ms=2.5,
                            color="k", alpha=0.5, gid=f"seeds:{m}:{key}")
                    ax.text(xi, 0.01, f"{c.mean:.2f}", ha="center", va="bottom", fontsize=7,
                            color="white", fontweight="bold")
            ax.set_xticks(x, [split_mode(m)[1] for m in modes], rotation=15, ha="right")
            ax.set_xlim(-0.6, len(modes) - 0.4)
            ax.set_title(title)
            ax.grid(axis="x", visible=False)
        axes[0].set_ylim(0, 1.05)
        axes[0].set_ylabel("test accuracy")
        handles, labels = axes[0].get_legend_handles_labels()
        handles.append(Line2D([], [], color="k", ls="none", marker="|", ms=10))
        labels.append(f"{CONFIDENCE:.0%} CI over seeds (Student t)")
        handles.append(Line2D([], [], ls="none", marker="o", ms=2.5, color="k", alpha=0.5))
        labels.append("one seed")
        fig.legend(handles, labels, loc="outside right center")
        fig.suptitle("Test accuracy by training mode\n(the shape of the paper's Figure 1)",
                     x=0.02, ha="left")
        n = {m: len(next(iter(tab[m].values())).per_seed) for m in tab}
        note = ("seeds per mode: " + ", ".join(f"{m} {k}" for m, k in n.items())
                if len(set(n.values())) > 1 else "")
        return style.save(fig, out, name, footer=caption(runs, note))
