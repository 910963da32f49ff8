"""Fuzz: every parameter set either runs to finite results or is refused by name.

At least ``FUZZ_EXAMPLES`` override dicts are drawn (``tests/strategies.py``: values in and out
of the limits, non-finite, huge, wrong types, malformed text, unknown names). Each must end in
exactly one documented way:

- ``invalid``: ``with_overrides`` raises ``ValueError`` whose message starts with the name of a
  parameter that was set (or of a cross-field partner: a rule between two parameters names one
  of them), or says ``unknown parameter 'NAME'`` for a name that was set;
- ``too_large``: valid, but above the harness's own cost bound (``BOUND``), not run;
- ``ran``: the run finished and its files load and validate (finite arrays and JSON,
  accuracies in [0, 1]);
- ``diverged``: valid, and training raised ``DivergenceError`` naming the step size (the
  documented outcome of a step too large for the weights; a sweep records it as a failure).

Anything else (another exception, a ``ValueError`` at run time that validation should have
caught, non-finite results) fails the test. Run with ``-s`` to see the tally.
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynamics import DivergenceError
from mvt.experiment import run
from theory import presets
from theory.params import INF, names, with_overrides
from theory.results import load_run

from .strategies import overrides
from .tolerances import FUZZ_EXAMPLES, FUZZ_MIN_INVALID, FUZZ_MIN_RAN

BASE = with_overrides(presets.get("tiny"), {"n_train": 12, "n_test": 12, "n_steps": 6, "track_every": 3})

# The harness's cost bound: a resolved configuration above any of these is valid but not run,
# so that each run takes milliseconds after compilation.
BOUND = {"n_classes": 5, "n_patches": 16, "n_train": 24, "n_test": 24, "n_neurons": 4, "n_steps": 8,
         "dim": 64}

# Rules between two parameters name one of these (theory.params.DataParams._cross_check).
CROSS = {"offclass_rate", "patches_per_feature", "n_patches", "dim", "c_off_hi"}

_NAMED = re.compile(r"^(\w+)[= ]")


def _too_large(params) -> str | None:
    flat = {n: v for part in params.to_dict().values() for n, v in part.items()}
    for name, cap in BOUND.items():
        v = INF if flat[name] == "inf" else flat[name]
        if name == "dim" and v == INF:
            continue
        if v > cap:
            return f"{name}={v} > {cap}"
    return None


def _names_a_parameter(message: str, ov: dict) -> bool:
    for name in ov:
        if message.startswith(f"unknown parameter {name!r}"):
            return True
    m = _NAMED.match(message)
    return bool(m) and m.group(1) in names() and (m.group(1) in ov or m.group(1) in CROSS)


def classify(ov: dict, seed: int, tmp) -> str:
    """Resolve, bound, run and check one draw; return its outcome (or raise AssertionError)."""
    try:
        params = with_overrides(BASE, ov)
    except ValueError as exc:
        assert _names_a_parameter(str(exc), ov), f"{ov!r}: unclear error {exc!r}"
        return "invalid"
    if _too_large(params):
        return "too_large"
    out = tmp / "run"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # overflow warnings of huge-but-valid values
            run(params, "single", seed, out)
    except DivergenceError as exc:
        assert "lr=" in str(exc), f"{ov!r}: divergence error without the step size: {exc}"
        return "diverged"
    except Exception as exc:
        raise AssertionError(f"{ov!r} validated but the run raised {type(exc).__name__}: {exc}") from exc
    rec = load_run(out)  # schema, shapes, finite arrays and JSON
    for key in ("train_acc", "test_acc_multi", "test_acc_single"):
        assert 0.0 <= rec.record["model"][key] <= 1.0
    assert all(np.isfinite(a).all() for a in rec.arrays.values() if a.dtype.kind == "f")
    shutil.rmtree(out)
    return "ran"


def test_fuzz_overrides(tmp_path):
    tally: Counter = Counter()

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(ov=overrides(), seed=st.integers(0, 3))
    def one(ov, seed):
        tally["tried"] += 1
        tally[classify(ov, seed, tmp_path)] += 1

    one()
    print(f"\nfuzz: {dict(tally)}")
    assert tally["tried"] >= FUZZ_EXAMPLES, tally
    assert tally["ran"] >= FUZZ_MIN_RAN, tally
    assert tally["invalid"] >= FUZZ_MIN_INVALID, tally
