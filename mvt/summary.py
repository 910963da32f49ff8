"""Per-model summaries of a trained run: accuracies, views learned, the lottery, memorisation.

These are the measured quantities the claims read (SPEC §5):
Λ_{i,l}(t) = max_r max(0, <w_{i,r}(t), v_{i,l}>); a view is learned when Λ_{i,l}(T) exceeds
``learned_threshold`` (default ϱ); the lottery set M (claim 3) is read off Λ(0).
"""

from __future__ import annotations

import numpy as np

from theory.lottery import lottery_set
from theory.memorisation import memorisation_groups

__all__ = ["accuracy", "member_summary", "memorisation_groups"]


def accuracy(F: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows of F (N, k) whose argmax equals y."""
    return float((F.argmax(axis=1) == y).mean())


def member_summary(*, lambda_max: np.ndarray, memorisation: np.ndarray, y: np.ndarray,
                   kind: np.ndarray, dominant: np.ndarray, n_neurons: int, power: int,
                   learned_threshold: float, stopped_at: int, F_train: np.ndarray,
                   F_multi: np.ndarray, F_single: np.ndarray, y_multi: np.ndarray,
                   y_single: np.ndarray) -> dict:
    """Everything the claims need about one trained model.

    lambda_max : (T_track, k, 2) Λ over time; memorisation : (T_track, N);
    F_* : outputs (N_*, k) on the training set and the two test sets.
    """
    lam0, lamT = lambda_max[0], lambda_max[-1]
    learned = lamT > learned_threshold
    groups = memorisation_groups(y, kind, dominant, lamT)
    mem = {}
    for name, mask in groups.items():
        vals = memorisation[-1][mask]
        mem[name] = {"mean": float(vals.mean()) if vals.size else None, "count": int(mask.sum())}
    return {
        "stopped_at": int(stopped_at),
        "train_acc": accuracy(F_train, y),
        "test_acc_multi": accuracy(F_multi, y_multi),
        "test_acc_single": accuracy(F_single, y_single),
        "lambda_init": lam0.tolist(),
        "lambda_final": lamT.tolist(),
        "learned": learned.tolist(),
        "lottery": lottery_set(lam0, n_neurons, power).tolist(),
        "memorisation": mem,
    }
