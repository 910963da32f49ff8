"""Hypothesis strategies of the test suite, one documented module, bounded search spaces.

Part 1 — the bounds (tests/test_bounds_*.py).

Hypothesis strategies for the bounds tests, with bounded search spaces and their reasons.

Every strategy here draws parameters *inside* the stated assumptions of the bound it
feeds (SPEC §6; bounds._tensor_power): q > 2, positive starts, 0 < x_0 < A, the side
condition η·C_t·x_t^{q-2} <= δ, and a non-vacuous bound. The ranges are bounded for two
reasons, given at each strategy: float64 (y_0^{-(q-2)} must stay representable) and run
time (the recurrences are iterated step by step; a run must stay below a few ×1e4 steps).

Symbols: q power, η lr, S strength, G gap, δ step cap, A level; the *reserve* is
1 − h(δ)·S·(y_0/x_0)^{q-2}, the margin by which the A-free discrete bound is non-vacuous.

Part 2 — parameter overrides (the fuzz and sweep tests).

Hypothesis strategies for parameter overrides, valid and invalid, with bounded search spaces.

``overrides()`` draws a dict ``{name: value}`` as ``--set`` (text) or a sweep file / script
(typed Python values) would give it: mostly values inside a small, cheap range of each
parameter, mixed with values outside its limits, non-finite and huge numbers, wrong types and
malformed text, and a few unknown names. Every name of ``theory.params.names()`` can be drawn.
"""


from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import strategies as st

import bounds
from theory.params import LIMITS, names

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


# ---------------------------------------------------------------- parameter overrides
# Cheap, in-range values per parameter: small enough that a run takes milliseconds
# (the fuzz harness also bounds the resolved configuration before running it).
_SMALL = {
    "n_classes": st.integers(2, 5),
    "dim": st.one_of(st.just(math.inf), st.integers(4, 48)),
    "n_patches": st.integers(2, 16),
    "patches_per_feature": st.integers(1, 4),
    "offclass_rate": st.floats(0.0, 3.0),
    "feature_noise": st.floats(0.0, 1.0, exclude_max=True),
    "noise_norm": st.floats(0.0, 4.0),
    "faint_view": st.floats(0.0, 1.0),
    "offclass_single": st.floats(0.0, 1.0),
    "single_view_frac": st.floats(0.0, 1.0),
    "n_train": st.integers(1, 24),
    "n_test": st.integers(1, 24),
    "c_true": st.floats(1.0, 3.0),
    "c_off_lo": st.floats(0.0, 1.0),
    "c_off_hi": st.floats(0.0, 1.0),
    "c_faint": st.floats(1.0, 3.0),
    "split": st.sampled_from(LIMITS["split"][2]),
    "features": st.sampled_from(LIMITS["features"][2]),
    "noise_mode": st.sampled_from(LIMITS["noise_mode"][2]),
    "n_neurons": st.integers(1, 4),
    "power": st.one_of(st.integers(3, 8), st.just(64)),
    "threshold": st.floats(1e-3, 2.0),
    "init_std": st.floats(1e-5, 1.0),
    "lr": st.floats(1e-3, 1e3),
    "n_steps": st.integers(1, 8),
    "track_every": st.integers(1, 10),
    "stop_at_full_accuracy": st.booleans(),
    "dtype": st.sampled_from(LIMITS["dtype"][2]),
    "n_models": st.integers(1, 3),
    "learned_threshold": st.floats(1e-3, 1.0),
    "noise_std": st.floats(0.0, 0.5),
    # students and linearised baselines (read by the distill and ntk-/rf- modes only)
    "distill_form": st.sampled_from(LIMITS["distill_form"][2]),
    "temperature": st.floats(0.05, 4.0),
    "distill_lr_ratio": st.floats(0.0, 10.0),
    "truncation": st.sampled_from(LIMITS["truncation"][2]),
    "hinton_alpha": st.floats(0.0, 1.0),
    "hinton_temperature": st.floats(0.5, 8.0),
    "student_steps": st.integers(1, 8),
    "student_stop_at_full_accuracy": st.booleans(),
    "linear_init_std": st.floats(0.01, 1.0),
    "linear_lr_scale": st.floats(0.01, 4.0),
    "linear_steps": st.integers(1, 8),
    "linear_temperature": st.floats(0.05, 4.0),  # τ > 0, as for "temperature"
    "linear_stop_at_full_accuracy": st.booleans(),
}
assert set(_SMALL) == set(names()), "every --set name needs a cheap in-range strategy"

# Values that are wrong for most parameters: non-finite, negative, huge, zero, wrong types.
NASTY_VALUES = [math.nan, math.inf, -math.inf, -1, -1.0, 0, 0.0, -0.0, 1.5, 1e308, 10**30,
                2**63, -(2**63), True, False, None, [1], {}, (), "x", 1 + 1j]
# Text that ``--set NAME=TEXT`` could carry: malformed, non-finite, huge, odd spellings.
NASTY_TEXT = ["", " ", "abc", "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e308",
              "-1", "0", "-0", "1.5", "2.0", "1e30", "9" * 40, "0x10", "1_000", " 7 ", "３", "1e-400",
              "True", "false", "yes", "float64 ", "EQUAL", "basis", "own", "null", "[1]", "1,5"]
UNKNOWN_NAMES = ["", "n_class", "LR", "lr ", "dims", "seed", "mode", "noise-std", "__class__"]


def _edges(name: str) -> st.SearchStrategy:
    """Values just outside (and exactly on) the limits of ``name``."""
    kind, lo, hi, lo_open, hi_open, _ = LIMITS.get(name, ("float", 0.0, None, False, False, ""))
    out = []
    if kind in ("int", "float") and lo is not None:
        out += [lo, lo - 1, (lo - 1e-9) if kind == "float" else lo - 1]
    if kind in ("int", "float") and isinstance(hi, (int, float)):
        out += [hi, hi + 1, (hi * 2) if kind == "int" else hi + 1e-9]
    if kind == "dim":
        out += [1, 2, 3, 7, -5, 2.5, "inf", 1e6]
    return st.sampled_from(out or [0])


def value_for(name: str) -> st.SearchStrategy:
    """One value for ``name``: usually cheap and in range, sometimes hostile."""
    small = _SMALL.get(name, st.floats(0.0, 1.0))
    return st.one_of(
        small, small, small, small,  # weight towards valid configurations
        small.map(str),  # the same value as --set text
        _edges(name),
        st.sampled_from(NASTY_VALUES),
        st.sampled_from(NASTY_TEXT),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**20), 10**20),
        st.text(max_size=6),
    )


def in_range(name: str) -> st.SearchStrategy:
    """A cheap in-range value for ``name``, typed or as ``--set`` text."""
    small = _SMALL[name]
    return st.one_of(small, small.map(str))


@st.composite
def overrides(draw) -> dict:
    """A dict of 0–4 overrides by name.

    Half the draws use in-range values only (most of them valid; a few break a rule between
    two parameters), half mix in hostile values; about one draw in 40 adds an unknown name.
    """
    known = names()
    chosen = draw(st.lists(st.sampled_from(known), min_size=0, max_size=4, unique=True))
    values = in_range if draw(st.booleans()) else value_for
    out = {name: draw(values(name)) for name in chosen}
    if draw(st.integers(0, 39)) == 0:
        out[draw(st.sampled_from(UNKNOWN_NAMES))] = draw(st.sampled_from(NASTY_TEXT + ["1"]))
    return out
