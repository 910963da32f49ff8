"""The lottery set M of SPEC §5 claim 3, read off the initial correlations Λ(0)."""

from __future__ import annotations

import math

import numpy as np

# SPEC §5 claim 3 (reading): (i,l) ∈ M when Λ_{i,l}(0) ≥ Λ_{i,3−l}(0)·S^{1/(q−2)}·(1 + 1/log² m).
LOTTERY_S = 1.0  # ratio of the two views' strengths; the data treat both views alike


def lottery_margin(n_neurons: int, power: int, strength_ratio: float = LOTTERY_S) -> float:
    """S^{1/(q−2)}·(1 + 1/log² m); infinite for m = 1 (log 1 = 0: no class is in M)."""
    if n_neurons <= 1:
        return math.inf
    return strength_ratio ** (1.0 / (power - 2)) * (1.0 + 1.0 / math.log(n_neurons) ** 2)


def lottery_set(lambda0: np.ndarray, n_neurons: int, power: int) -> np.ndarray:
    """M as a (k, 2) boolean array from Λ(0) (k, 2); a view with Λ(0) = 0 is never in M."""
    margin = lottery_margin(n_neurons, power)
    return (lambda0 > 0) & (lambda0 >= lambda0[:, ::-1] * margin)
