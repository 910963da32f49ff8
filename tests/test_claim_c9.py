"""Claim C9 on runs whose Λ trajectories obey the tensor-power recurrences by construction."""

import numpy as np

import bounds
from bounds._claim import LEVEL_FRACTION
from theory.results import Run


def _run(seed, overshoot=1.0, n_classes=4, threshold=0.2, lr=0.5, power=4):
    """A single-model run whose per-step Λ follow the recurrences with S = 1 (worst case).

    View 0 of every class starts ahead by the lottery margin and is in M; ``overshoot``
    multiplies the loser after the winner's hitting time (1 = a faithful run).
    """
    rng = np.random.default_rng(seed)
    level = LEVEL_FRACTION * threshold
    pairs = []
    for _ in range(n_classes):
        y0 = rng.uniform(1e-3, 3e-3)
        x0 = y0 * rng.uniform(1.6, 2.5)  # above the margin 1 + 1/log²(6) ≈ 1.31
        pairs.append(bounds.simulate_pair(power, lr, 1.0, x0, y0, level, step=np.full(5000, 0.01)))
    n = max(p.x.size for p in pairs)
    lam = np.zeros((n, 1, n_classes, 2))
    for i, p in enumerate(pairs):  # hold the last value after the hitting time
        lam[:, 0, i, 0] = np.r_[p.x, np.full(n - p.x.size, p.x[-1])]
        lam[:, 0, i, 1] = np.r_[p.y, np.full(n - p.y.size, p.y[-1])]
        lam[p.x.size - 1:, 0, i, 1] *= overshoot
    lottery = np.zeros((n_classes, 2), bool)
    lottery[:, 0] = True
    record = {"mode": "single", "seed": seed,
              "params": {"network": {"threshold": threshold, "power": power}, "train": {"lr": lr}},
              "members": [{"lottery": lottery.tolist()}]}
    return Run(path=None, record=record, arrays={"lambda_steps": lam})


def test_c9_holds_on_faithful_trajectories():
    # 40 checks, all holding: the Wilson 95% lower end is 40/(40 + 1.96²) = 0.91 > 0.90
    m = bounds.evaluate_c9([_run(s) for s in range(10)])
    assert m.details["checked"] == 40 and m.details["held"] == 40
    assert m.verdict == "holds" and m.n_seeds == 10
    assert 0.5 < m.details["worst_ratio"] <= 1.0  # tight worst case, not a vacuous bound


def test_c9_fails_when_losers_overshoot():
    m = bounds.evaluate_c9([_run(s, overshoot=3.0) for s in range(8)])
    assert m.details["held"] == 0 and m.verdict == "fails"
    assert m.details["worst_ratio"] > 2.0
