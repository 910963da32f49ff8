"""Small synthetic run directories in the layout of mvt/experiment.py, for figure tests.

Modes other than ``single`` are not simulated yet; these records follow the documented layout
(run.json: mode, preset, seed, params, members, model; trajectories.npz: steps, lambda_max,
lambda_sum, feature_proj, memorisation, loss, train_acc, y, kind, dominant) with values drawn
from an explicit generator, so figure code can be tested on every mode without simulating.
The values are plausible in shape (Λ grows for the winning view), not in physics.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory import presets
from theory.lottery import lottery_set
from theory.memorisation import memorisation_groups
from theory.results import write_run


def write_synthetic_run(out: Path, mode: str, seed: int, n_models: int = 1, preset: str = "tiny",
                        n_track: int = 6, both_views: float = 0.0) -> Path:
    """Write one run of ``mode`` with ``n_models`` members; return its directory.

    ``both_views`` is the chance that a class's losing view is also learned.
    """
    params = presets.get(preset)
    k, m, N = params.data.n_classes, params.network.n_neurons, params.data.n_train
    rho = params.network.threshold
    rng = np.random.default_rng([seed, len(mode), n_models])
    steps = np.arange(n_track) * params.train.track_every  # (T,)
    frac = np.linspace(0.0, 1.0, n_track)[:, None, None, None]  # (T, 1, 1, 1)
    lam0 = rng.uniform(0.002, 0.02, size=(n_models, k, 2))  # (K, k, 2)
    win = lam0.argmax(axis=2)  # (K, k) the initial leader wins
    final = lam0 * 1.5
    kk, ii = np.meshgrid(np.arange(n_models), np.arange(k), indexing="ij")
    final[kk, ii, win] = rng.uniform(2.0, 5.0, size=(n_models, k))
    both = rng.random((n_models, k)) < both_views
    final[kk[both], ii[both], 1 - win[both]] = rng.uniform(0.5, 1.5, size=int(both.sum()))
    lam = lam0[None] * (final[None] / lam0[None]) ** (frac ** 2)  # (T, K, k, 2) geometric growth
    y = np.repeat(np.arange(k), -(-N // k))[:N]
    kind = (rng.random(N) < params.data.single_view_frac).astype(np.int8)
    dominant = np.where(kind == 1, rng.integers(0, 2, N), -1).astype(np.int8)
    mem = np.abs(rng.normal(0.05, 0.02, size=(n_track, n_models, N)))  # (T, K, N)
    mem *= (1 + 9 * frac[..., 0])  # grows with time
    members, mem_T = [], mem[-1]
    for j in range(n_models):
        groups = memorisation_groups(y, kind, dominant, lam[-1, j])
        mem[:, j, groups["single_lost"]] *= 3  # lost single-view samples are memorised
        learned = lam[-1, j] > rho
        acc_single = float(rng.uniform(0.5, 0.7))
        members.append({
            "stopped_at": int(steps[-1]), "train_acc": 1.0, "test_acc_multi": 1.0,
            "test_acc_single": acc_single, "lambda_init": lam[0, j].tolist(),
            "lambda_final": lam[-1, j].tolist(), "learned": learned.tolist(),
            "lottery": lottery_set(lam[0, j], m, params.network.power).tolist(),
            "memorisation": {g: {"mean": float(mem_T[j, mask].mean()) if mask.any() else None,
                                 "count": int(mask.sum())} for g, mask in groups.items()},
        })
    model = {"train_acc": 1.0, "test_acc_multi": float(rng.uniform(0.95, 1.0)),
             "test_acc_single": float(rng.uniform(0.5, 1.0))}
    record = {"mode": mode, "preset": preset, "seed": int(seed), "params": params.to_dict(),
              "versions": {"mvt": "synthetic"}, "timings": {"total": 0.0},
              "members": members, "model": model}
    n_steps = int(steps[-1]) + 1
    arrays = {"steps": steps, "lambda_max": lam, "lambda_sum": lam * 1.2,
              "feature_proj": np.zeros((n_track, n_models, k, m, 2 * k), np.float32),
              "memorisation": mem.astype(np.float32), "loss": np.ones((n_steps, n_models)),
              "train_acc": np.ones((n_steps, n_models)), "y": y, "kind": kind, "dominant": dominant}
    if mode in ("distill", "self-distill"):  # students save their drive by source (dynamics/drive.py)
        arrays["drive"] = rng.standard_normal((n_track, k, 2, 4)) * 1e-6
        record["drive_sources"] = ["gt_own", "gt_off", "teacher_own", "teacher_off"]
        record["distill"] = {"distill_form": "truncated", "truncation": "spec", "temperature": 0.5,
                             "distill_lr_ratio": 1.0}
    return write_run(Path(out), record, arrays)
