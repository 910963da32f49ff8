"""Figure 4: the tensor-power bound (SPEC §6) against the network and against its recurrences.

(a) One single-model run, every class i in the lottery set M of each model (the members'
``lottery`` (k, 2) in run.json): the winner x_t = Λ_{i,l}(t) of the M view l and the loser
y_t = Λ_{i,3−l}(t), from ``lambda_steps`` (per step) when the run saved it, else from the
tracking grid ``lambda_max`` / ``steps``. The level A = ``bounds.LEVEL_FRACTION``·ϱ, the first
time T_x at which x ≥ A, y(T_x), and the discrete bound (D) at T_x with S = 1 are those of
claim C9 (``bounds.check_member``, i.e. ``bounds.check_trajectories``): a bound that is
infinite (vacuous: the tracked intervals are coarse steps with a large step term δ) is
marked as such, as are classes whose loser starts at 0 (outside the lemma) and classes whose
winner never reaches A.

(b) The bound alone, no network: pairs (x_t, y_t) obeying the recurrences of SPEC §6 with
S = 1, q, η and A of the run, started from the (x_0, y_0) of the class of (a) with the
largest ratio x_0/y_0 (``bounds.simulate_pair``): the worst case (per-step drive at the cap
a_t = δ, x at equality, y at equality) and a few random slack runs (a_t ~ U(δ/2, δ),
x-excess e_t ~ U(0, 1/2), y-share f_t ~ U(0, 1), from an explicit generator). The continuous
bound and the discrete bound (D) at step cap δ are horizontal lines; every y(T_x) must lie
below the discrete one. Nothing is simulated but these scalar recurrences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from bounds import LEVEL_FRACTION, MemberCheck, check_member, continuous_bound, discrete_bound, simulate_pair
from bounds import PairRun
from theory.results import Run

from . import style
from .runs import FigureInputError, caption, of_modes

MODES = ("single",)  # C9 reads single models
NCOLS = 3  # class panels per row in (a)
STEP_CAP = 0.05  # δ of panel (b): the per-step cap a_t ≤ δ; small enough that (D) is close to the continuous bound
N_RANDOM = 5  # random slack runs in (b)
RANDOM_SEED = 0  # seed of the generator of (b)'s slack runs
BOUND = "#000000"
CONTINUOUS = "#777777"


@dataclass
class Panel:
    """One class of panel (a): where it sits in its model's MemberCheck."""

    member: int
    check: MemberCheck
    j: int  # column in check.x / check.y / check.result

    @property
    def cls(self) -> int:
        return int(self.check.classes[self.j])

    @property
    def status(self) -> str:
        """'holds', 'fails', 'vacuous', 'excluded' (y_0 = 0) or 'not reached'."""
        res = self.check.result
        if not res.reached[self.j]:
            return "not reached"
        if not self.check.positive[self.j]:
            return "excluded"
        if not np.isfinite(res.bound[self.j]):
            return "vacuous"
        return "holds" if res.holds[self.j] else "fails"


@dataclass
class Recurrences:
    """Panel (b): the pair runs and the bounds they obey."""

    x0: float
    y0: float
    power: float
    lr: float
    level: float
    step_cap: float
    worst: PairRun
    random: list[PairRun]
    continuous: float
    discrete: float
    from_class: str  # where (x_0, y_0) came from


def pick(runs: list[Run], seed: int | None = None) -> tuple[Run, list[Panel]]:
    """The single-model run to show (lowest seed with a non-empty M) and its class panels."""
    for run in of_modes(runs, MODES):
        if seed is not None and run.seed != seed:
            continue
        panels = []
        for member in range(len(run.record["members"])):
            mc = check_member(run, member)
            if mc is not None:
                panels.extend(Panel(member, mc, j) for j in range(len(mc.classes)))
        if panels:
            return run, panels
    raise FigureInputError(f"no single-model run{'' if seed is None else f' of seed {seed}'} with a "
                           f"class in its lottery set M among {len(runs)} runs")


def recurrences(run: Run, panels: list[Panel], step_cap: float = STEP_CAP, n_random: int = N_RANDOM,
                rng: np.random.Generator | None = None) -> Recurrences:
    """Panel (b)'s pair runs from the run's q, η, A and its most favourable class start."""
    rng = np.random.default_rng(RANDOM_SEED) if rng is None else rng
    p = run.record["params"]
    q, lr = float(p["network"]["power"]), float(p["train"]["lr"])
    level = LEVEL_FRACTION * float(p["network"]["threshold"])
    starts = [(pn.check.x[0, pn.j], pn.check.y[0, pn.j], pn) for pn in panels
              if pn.check.positive[pn.j] and pn.check.x[0, pn.j] < level]
    if starts:
        x0, y0, pn = max(starts, key=lambda s: s[0] / s[1])
        origin = f"(x₀, y₀) of class {pn.cls}" + (f", member {pn.member}" if pn.member else "")
    else:  # no class starts inside the lemma's range: an illustrative start, said so
        x0, y0, origin = level / 10, level / 20, "(x₀, y₀) = (A/10, A/20): no class of (a) starts in (0, A)"
    # x grows at least by the factor 1 + δ/2 per step in every run below
    n_max = math.ceil(math.log(level / x0) / math.log1p(step_cap / 2)) + 2
    worst = simulate_pair(q, lr, 1.0, x0, y0, level, step=np.full(n_max, step_cap))
    random = [simulate_pair(q, lr, 1.0, x0, y0, level, step=rng.uniform(step_cap / 2, step_cap, n_max),
                            x_excess=rng.uniform(0.0, 0.5, n_max), y_share=rng.uniform(0.0, 1.0, n_max))
              for _ in range(n_random)]
    return Recurrences(float(x0), float(y0), q, lr, level, step_cap, worst, random,
                       float(continuous_bound(y0, x0, q, 1.0, level)),
                       float(discrete_bound(y0, x0, q, step_cap, 1.0, level)), origin)


def _status_text(pn: Panel) -> str:
    res, j = pn.check.result, pn.j
    s = pn.status
    if s in ("holds", "fails"):
        text = f"y(T_x)/(D) = {res.ratio[j]:.2f}: {s}"
    else:
        text = {"vacuous": "(D) = ∞: vacuous", "excluded": "y₀ = 0: excluded",
                "not reached": "x never reaches A"}[s]
    if s in ("holds", "fails", "vacuous"):
        text += f"\nδ = {res.step_cap[j]:.2g}, premises {'held' if res.premises[j] else 'not held'}"
    return text


def _draw_class(ax, pn: Panel) -> None:
    mc, j, res = pn.check, pn.j, pn.check.result
    tag = f"{pn.member}:{pn.cls}"
    ax.plot(mc.steps, mc.x[:, j], color=style.WINNER, ls="-", gid=f"x:{tag}")
    ax.plot(mc.steps, mc.y[:, j], color=style.LOSER, ls="--", gid=f"y:{tag}")
    ax.axhline(mc.level, color=style.THRESHOLD, ls=":", lw=1.0, gid="level")
    if res.reached[j]:
        t_x = float(res.step[j])
        ax.axvline(t_x, color="#999999", lw=0.8, gid=f"hit:{tag}")
        ax.plot([t_x], [res.y_at[j]], ls="none", marker="o", ms=5, color=style.LOSER, gid=f"y_at:{tag}")
        if pn.status in ("holds", "fails"):
            ax.plot([mc.steps[0], t_x], [res.bound[j], res.bound[j]], color=BOUND, lw=1.6,
                    gid=f"bound:{tag}")
            ax.plot([t_x], [res.bound[j]], ls="none", marker="v", ms=6, color=BOUND)
        elif pn.status == "vacuous":  # an arrow off the top: the bound is +∞
            ax.annotate("(D) = ∞", xy=(t_x, 1.0), xycoords=("data", "axes fraction"), ha="right",
                        va="top", fontsize=8, xytext=(-5, -24), textcoords="offset points",
                        arrowprops=dict(arrowstyle="->", color=BOUND, lw=1.2), gid=f"vacuous:{tag}")
    colour = {"fails": "#b2182b", "holds": "#2166ac"}.get(pn.status, "#444444")
    ax.set_title(f"class {pn.cls}, M view {int(mc.winner[j]) + 1}" + (f" (member {pn.member})" if pn.member else "")
                 + "\n" + _status_text(pn), fontsize=8.5, color=colour, pad=3)
    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(NullLocator())
    values = [mc.x[:, j], mc.y[:, j], [mc.level]]
    if pn.status in ("holds", "fails"):
        values.append([res.bound[j]])
    v = np.concatenate([np.ravel(a) for a in values])
    v = v[v > 0]
    ax.set_ylim(v.min() / 2, v.max() * 3)


def _draw_recurrences(ax_x, ax_y, rec: Recurrences) -> list[Line2D]:
    """x_t on a log axis above, y_t on a linear axis below (y moves by percents); legend handles."""
    for i, pr in enumerate([rec.worst, *rec.random]):
        which = "worst" if i == 0 else f"random:{i - 1}"
        t = np.arange(len(pr.x))
        kw = dict(lw=1.8 if i == 0 else 0.8, alpha=1.0 if i == 0 else 0.55)
        ax_x.plot(t, pr.x, color=style.WINNER, ls="-", gid=f"x:{which}", **kw)
        ax_y.plot(t, pr.y, color=style.LOSER, ls="--", gid=f"y:{which}", **kw)
        ax_y.plot([t[-1]], [pr.y[-1]], ls="none", marker="o", ms=5 if i == 0 else 3.5, color=style.LOSER,
                  alpha=kw["alpha"], gid=f"y_end:{which}")
    ax_x.axhline(rec.level, color=style.THRESHOLD, ls=":", lw=1.0, gid="level")
    ax_y.axhline(rec.continuous, color=CONTINUOUS, ls="-.", lw=1.2, gid="continuous_bound")
    ax_y.axhline(rec.y0, color="#bbbbbb", lw=0.8, gid="y0")
    if np.isfinite(rec.discrete):
        ax_y.axhline(rec.discrete, color=BOUND, lw=1.6, gid="discrete_bound")
    else:
        ax_y.text(0.98, 0.98, f"(D) = ∞ at δ = {rec.step_cap:g}: vacuous", transform=ax_y.transAxes,
                  ha="right", va="top", fontsize=8, gid="discrete_vacuous")
    ax_x.set_ylim(0, None)  # linear: x spans less than a decade here
    ax_x.set_ylabel(r"winner $x_t$")
    ax_y.set_ylabel(r"loser $y_t$")
    ax_y.set_xlabel("recurrence step $t$")
    ax_x.set_title(f"S = 1, q = {rec.power:g}, η = {rec.lr:g}, A = {rec.level:g}; {rec.from_class}:\n"
                   f"x₀ = {rec.x0:.3g}, y₀ = {rec.y0:.3g}", fontsize=8.5, pad=3)
    top = max([rec.continuous, *(pr.y[-1] for pr in [rec.worst, *rec.random])]
              + ([rec.discrete] if np.isfinite(rec.discrete) else []))
    ax_y.set_ylim(rec.y0 - 0.08 * (top - rec.y0), top + 0.15 * (top - rec.y0))
    return [Line2D([], [], color=style.WINNER, lw=1.8, label=r"$x_{t+1}=x_t+\eta C_t x_t^{q-1}(1+e_t)$"),
            Line2D([], [], color=style.LOSER, ls="--", lw=1.8, label=r"$y_{t+1}=y_t+\eta S C_t y_t^{q-1} f_t$"),
            Line2D([], [], color="#555555", lw=1.8, label=r"worst case: $\eta C_t x_t^{q-2}=\delta$, $e=0$, $f=1$"),
            Line2D([], [], color="#555555", lw=0.8, alpha=0.6,
                   label=f"{len(rec.random)} random slack runs: " + r"$\eta C_t x_t^{q-2}\sim U(\delta/2,\delta)$,"
                         "\n" + r"$e_t\sim U(0,\frac{1}{2})$, $f_t\sim U(0,1)$"),
            Line2D([], [], color=style.LOSER, ls="none", marker="o", label=r"$y(T_x)$, $T_x$ = first $t$ with $x_t\geq A$"),
            Line2D([], [], color=BOUND, lw=1.6, label=rf"discrete bound (D) at $\delta$ = {rec.step_cap:g}"
                   + ("" if np.isfinite(rec.discrete) else " (∞)")),
            Line2D([], [], color=CONTINUOUS, ls="-.", lw=1.2, label=r"continuous bound ($\delta\to 0$)"),
            Line2D([], [], color="#bbbbbb", lw=0.8, label=r"$y_0$"),
            Line2D([], [], color=style.THRESHOLD, ls=":", label=f"level A = {rec.level:g}")]


def _grid_text(run: Run) -> str:
    if "lambda_steps" in run.arrays:
        return "Λ at every step (lambda_steps)"
    every = int(np.median(np.diff(run.arrays["steps"])))
    return "Λ at every step (tracking grid)" if every == 1 else f"Λ on the tracking grid (every {every} steps)"


def make(runs: list[Run], out: Path, seed: int | None = None, name: str = "tensor_power") -> Path:
    """Panels (a) and (b) for the chosen single-model run; return the PNG."""
    run, panels = pick(runs, seed)
    rec = recurrences(run, panels)
    ncols = min(len(panels), NCOLS)
    nrows = math.ceil(len(panels) / ncols)
    with style.context():
        fig = style.new_figure(2.6 * ncols + 5.6, max(2.3 * nrows, 3.6) + 1.5)
        left, right = fig.subfigures(1, 2, width_ratios=[2.6 * ncols, 5.6])
        axes = left.subplots(nrows, ncols, sharex=True, squeeze=False)
        for i, pn in enumerate(panels):
            ax = axes.flat[i]
            _draw_class(ax, pn)
            if i % ncols == 0:
                ax.set_ylabel(r"$\Lambda_{i,\ell}(t)$")
            if i + ncols >= len(panels):
                ax.set_xlabel("GD step $t$")
                ax.xaxis.set_tick_params(labelbottom=True)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        left.suptitle(f"(a) the network: seed {run.seed}, classes in the lottery set M\n"
                      + _grid_text(run), 
                      fontsize=9.5)
        handles = [Line2D([], [], color=style.WINNER, label=r"winner $x_t=\Lambda_{i,l}(t)$, $l$ = M view"),
                   Line2D([], [], color=style.LOSER, ls="--", label=r"loser $y_t=\Lambda_{i,3-l}(t)$"),
                   Line2D([], [], color=style.THRESHOLD, ls=":",
                          label=rf"level $A$ = {LEVEL_FRACTION:g}·ϱ = {panels[0].check.level:g}"),
                   Line2D([], [], color="#999999", lw=0.8, label=r"$T_x$: first time $x\geq A$"),
                   Line2D([], [], color=style.LOSER, ls="none", marker="o", label=r"$y(T_x)$"),
                   Line2D([], [], color=BOUND, lw=1.6, marker="v", label="discrete bound (D), S = 1\n(↑ (D) = ∞: vacuous)")]
        left.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=7.5)
        ax_x, ax_y = right.subplots(2, 1, sharex=True, height_ratios=[1, 1.2])
        right.legend(handles=_draw_recurrences(ax_x, ax_y, rec), loc="outside lower center", ncols=2,
                     fontsize=7.5)
        right.suptitle("(b) the recurrences alone (no network)", fontsize=9.5)
        fig.suptitle("Tensor-power bound on the losing view (claim C9): y at the time x reaches A\n"
                     "must stay below the discrete bound (D)", x=0.02, ha="left")
        counts = {s: sum(p.status == s for p in panels) for s in
                  ("holds", "fails", "vacuous", "excluded", "not reached")}
        note = ("(a) " + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
                + f"; (b) δ = {rec.step_cap:g}, slack runs from default_rng({RANDOM_SEED})")
        return style.save(fig, out, name, footer=caption([run], note))
