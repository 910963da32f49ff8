"""Hypothesis strategies for the bounds tests, with bounded search spaces and their reasons.

Every strategy here draws parameters *inside* the stated assumptions of the bound it
feeds (SPEC §6; bounds._tensor_power): q > 2, positive starts, 0 < x_0 < A, the side
condition η·C_t·x_t^{q-2} <= δ, and a non-vacuous bound. The ranges are bounded for two
reasons, given at each strategy: float64 (y_0^{-(q-2)} must stay representable) and run
time (the recurrences are iterated step by step; a run must stay below a few ×1e4 steps).

Symbols: q power, η lr, S strength, G gap, δ step cap, A level; the *reserve* is
1 − h(δ)·S·(y_0/x_0)^{q-2}, the margin by which the A-free discrete bound is non-vacuous.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import strategies as st

import bounds

# q: SPEC §1 requires an integer >= 3; above 8 the powers x^{q-2} of the tested ranges
# under/overflow nothing, but the behaviour is the same and runs only get longer.
powers = st.integers(min_value=3, max_value=8)

# S: the loser's relative strength. Within [1/4, 4] the views differ by up to 4x, beyond
# the default data (symmetric, S = 1) and the single-view imbalance of the presets.
strengths = st.floats(min_value=0.25, max_value=4.0)

# η: enters the recurrences only through η·C_t, so its range is irrelevant to the bound;
# drawn anyway so that the code never confuses η with η·C_t.
lrs = st.floats(min_value=1e-3, max_value=1.0)

# y_0: a Λ at init is O(σ_0); [1e-3, 1] keeps y_0^{-(q-2)} <= 1e18 (float64-safe).
starts = st.floats(min_value=1e-3, max_value=1.0)

# A/x_0: Phase I runs from Λ_0 to ϱ, a few e-folds; 50 bounds the run length
# log(A/x_0)/log(1 + a) at ~2e4 steps for a >= 2e-4.
level_ratios = st.floats(min_value=1.5, max_value=50.0)

# reserve of the A-free discrete bound, in [0.05, 0.95]: below 0.05 the bound is near its
# blow-up and the comparison measures rounding, not the inequality.
reserves = st.floats(min_value=0.05, max_value=0.95)

# δ: the side condition cap; 1e-3 keeps runs short (see level_ratios), 0.5 is a coarse step
# (x may grow by 50% in one step), well beyond where the polynomial regime is usually tracked.
step_caps = st.floats(min_value=1e-3, max_value=0.5)

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@dataclass(frozen=True)
class PairSetup:
    """One admissible configuration of the recurrence pair (all fields floats)."""

    power: float  # q
    lr: float  # η
    strength: float  # S
    x0: float  # winner's start
    y0: float  # loser's start
    level: float  # A
    step_cap: float  # δ, the side-condition cap the schedules respect
    gap: float  # G with x_0 = y_0·S^{1/(q-2)}·(1 + G) exactly


@st.composite
def pair_setups(draw, step_caps=step_caps):
    """A PairSetup whose A-free discrete bound has reserve in ``reserves``.

    x_0 is placed exactly at y_0·S^{1/(q-2)}·(1 + G) with (1 + G)^{-(q-2)} = (1 − reserve)/h(δ),
    the smallest start the gap form allows, which is the hardest case for the bound.
    """
    q = draw(powers)
    delta = draw(step_caps)
    S = draw(strengths)
    y0 = draw(starts)
    reserve = draw(reserves)
    r = (1.0 - reserve) / float(bounds.step_overhead(delta, q))  # S·(y_0/x_0)^{q-2}
    x0 = y0 * (S / r) ** (1.0 / (q - 2))
    gap = r ** (-1.0 / (q - 2)) - 1.0
    level = x0 * draw(level_ratios)
    return PairSetup(power=float(q), lr=draw(lrs), strength=S, x0=x0, y0=y0, level=level,
                     step_cap=delta, gap=gap)


SCHEDULES = ("worst", "random_steps", "random_drive")
"""How C_t is drawn: "worst" a_t = δ every step (the case the bound is derived for);
"random_steps" a_t = δ·U_t, U_t uniform on [lo, 1]; "random_drive" C_t itself random with
the a-priori side condition η·C_t·A^{q-2} <= δ (so a_t varies with x_t)."""


@dataclass(frozen=True)
class Schedule:
    """Arrays for bounds.simulate_pair; each of shape (n_max,)."""

    kind: str
    step: np.ndarray | None  # a_t (or None)
    drive: np.ndarray | None  # C_t (or None)
    x_excess: np.ndarray  # e_t >= 0
    y_share: np.ndarray  # f_t in [0, 1]


def _n_max(setup: PairSetup, least_step: float) -> int:
    """Steps enough for x to reach A when every step has a_t >= least_step."""
    return int(math.log(setup.level / setup.x0) / math.log1p(least_step)) + 2


@st.composite
def schedules(draw, setup: PairSetup, kinds=SCHEDULES, slack=True):
    """A drive schedule and slack arrays for ``setup``, from a seeded numpy Generator.

    lo in [0.2, 1] bounds the run length at 5x the worst case's. With ``slack=False`` both
    recurrences hold with equality (the worst case for y_{T_x}); otherwise x gets an excess
    e_t = E·U_t (E in [0, 1]) and y a share f_t = 1 − F·U'_t (F in [0, 1]).
    """
    kind = draw(st.sampled_from(kinds))
    rng = np.random.default_rng(draw(seeds))
    q, delta = setup.power, setup.step_cap
    lo = draw(st.floats(min_value=0.2, max_value=1.0))
    step = drive = None
    if kind == "worst":
        n = _n_max(setup, delta)
        step = np.full(n, delta)
    elif kind == "random_steps":
        n = _n_max(setup, lo * delta)
        step = delta * rng.uniform(lo, 1.0, size=n)
    else:
        # C_t <= δ/(η·A^{q-2}); the slowest start has a_0 = lo·δ·(x_0/A)^{q-2}, so the run
        # length is ~ (A/x_0)^{q-2}/(lo·δ·(q−2)): capped at ~2e4 by shrinking A towards x_0.
        ratio = setup.level / setup.x0
        cap_ratio = (2e4 * lo * delta * (q - 2)) ** (1.0 / (q - 2))
        if ratio > cap_ratio:
            setup = replace(setup, level=setup.x0 * max(1.05, cap_ratio))
        c_max = delta / (setup.lr * setup.level ** (q - 2))
        n = int(bounds.discrete_clock_bracket(setup.x0, setup.level, q, delta)[1]
                / (setup.lr * lo * c_max)) + 2
        drive = c_max * rng.uniform(lo, 1.0, size=n)
    if slack:
        e_scale = draw(st.floats(min_value=0.0, max_value=1.0))
        f_scale = draw(st.floats(min_value=0.0, max_value=1.0))
        x_excess = e_scale * rng.uniform(size=n)
        y_share = 1.0 - f_scale * rng.uniform(size=n)
    else:
        x_excess, y_share = np.zeros(n), np.ones(n)
    return setup, Schedule(kind=kind, step=step, drive=drive, x_excess=x_excess, y_share=y_share)


@st.composite
def runs(draw, step_caps=step_caps, kinds=SCHEDULES, slack=True):
    """(setup, schedule, PairRun): a full simulated run that reached the level."""
    setup = draw(pair_setups(step_caps=step_caps))
    setup, schedule = draw(schedules(setup, kinds=kinds, slack=slack))
    run = bounds.simulate_pair(setup.power, setup.lr, setup.strength, setup.x0, setup.y0,
                               setup.level, drive=schedule.drive, step=schedule.step,
                               x_excess=schedule.x_excess, y_share=schedule.y_share)
    return setup, schedule, run


@st.composite
def phase1_setups(draw):
    """(q, Λ_0, ϱ, η, c) for the Phase-I law with a continuous step count in [5, 5000].

    δ = η·c/ϱ in [1e-3, 0.5]; Λ_0 is solved from the drawn continuous time T_cont, so that
    the loop stays short (T <= h(δ)·T_cont + 1 <= ~1.3e4) whatever q is.
    """
    q = draw(powers)
    threshold = draw(st.floats(min_value=1e-2, max_value=1.0))
    lr = draw(lrs)
    delta = draw(step_caps)
    drive = delta * threshold / lr
    t_cont = draw(st.floats(min_value=5.0, max_value=5000.0))
    p = q - 2
    # T_cont = ϱ^{q-1}(Λ_0^{-p} − ϱ^{-p})/(p·η·c)  =>  Λ_0^{-p} = ϱ^{-p} + T_cont·p·η·c/ϱ^{q-1}
    lam0 = (threshold ** (-p) + t_cont * p * lr * drive / threshold ** (q - 1)) ** (-1.0 / p)
    return q, lam0, threshold, lr, drive
