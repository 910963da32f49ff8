"""Hypothesis strategies for parameter overrides, valid and invalid, with bounded search spaces.

``overrides()`` draws a dict ``{name: value}`` as ``--set`` (text) or a sweep file / script
(typed Python values) would give it: mostly values inside a small, cheap range of each
parameter, mixed with values outside its limits, non-finite and huge numbers, wrong types and
malformed text, and a few unknown names. Every name of ``theory.params.names()`` can be drawn.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

from theory.params import LIMITS, names

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
