"""Confidence intervals of theory.stats: the Student-t interval intersected with a known range."""

import numpy as np
import pytest

from theory import claims
from theory.results import Run
from theory.stats import ACCURACY, t_interval


def test_support_clips_only_the_side_that_leaves_the_range():
    acc = [1.0, 1.0, 1.0, 1.0, 0.97]  # mean 0.994; the plain t-interval reaches above 1
    lo, hi = t_interval(acc)
    assert hi > 1.0
    clo, chi = t_interval(acc, support=ACCURACY)
    assert (clo, chi) == (lo, 1.0)


def test_values_outside_the_support_are_refused():
    with pytest.raises(ValueError, match="leave the support"):
        t_interval([0.5, 1.2], support=ACCURACY)


def test_clipping_keeps_the_coverage():
    # The true mean lies in the support, so the clipped interval contains it exactly when the
    # plain one does: the coverage is the same replicate by replicate, not just on average.
    rng = np.random.default_rng(7)
    a, b = 49.0, 1.0  # Beta(49, 1): accuracies near 1 with mean 0.98
    true_mean = a / (a + b)
    hit_plain = hit_clipped = 0
    for _ in range(2000):
        v = rng.beta(a, b, size=5)
        lo, hi = t_interval(v)
        clo, chi = t_interval(v, support=ACCURACY)
        inside_plain = lo <= true_mean <= hi
        assert inside_plain == (clo <= true_mean <= chi)
        hit_plain += inside_plain
        hit_clipped += clo <= true_mean <= chi
    assert hit_plain == hit_clipped


def _single(seed, multi):
    rec = {"mode": "single", "seed": seed,
           "members": [{"train_acc": 1.0, "test_acc_multi": multi, "test_acc_single": 0.5}],
           "model": {"train_acc": 1.0, "test_acc_multi": multi, "test_acc_single": 0.5}}
    return Run(path=None, record=rec, arrays={})


def test_c1_multi_view_part_can_hold_when_accuracies_are_near_one():
    # Four seeds at 1.0 and one at 0.97: the plain interval [0.977, 1.011] straddles the band's
    # upper edge 1.0 and used to make this part inconclusive by construction.
    runs = [_single(s, m) for s, m in enumerate([1.0, 1.0, 1.0, 1.0, 0.97])]
    c1 = next(c for c in claims.CLAIMS if c.id == "C1").evaluate(runs)
    part = c1.details["parts"]["test_acc_multi"]
    assert part["ci"][1] == 1.0
    assert part["verdict"] == "holds"
    assert c1.verdict == "holds"
