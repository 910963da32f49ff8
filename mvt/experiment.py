"""One run of one training mode: seeds → data → training → evaluation → a run directory.

Seeds. One integer seed fans out through ``numpy.random.SeedSequence(seed).spawn``:
child 0 the data (features, training set, test sets), child 1 the models (one grandchild per
model, so member kk of an ensemble is the single model of the same seed when kk = 0),
child 2 the students (distillation), child 3 the evaluation (fresh test-noise projections
of the infinite backend: the trained models of a mode draw from child 3 itself, students from
its own grandchild, so a student's evaluation does not depend on whether its teacher was
trained in the same process). Same seed and parameters ⇒ bit-identical results.

Modes register themselves in ``MODES``: a function ``(ctx) -> RunOutput``. The network modes
and their linearised twins (``ntk-…``, ``rf-…``; modes.py) share one implementation per mode,
parametrised by the model family. ``run(..., cache=dict)`` lets consecutive runs of the same
parameters and seed (``mvt reproduce``) reuse trained teachers: the ensemble members that
distill mode needs are exactly ensemble mode's, the self-distillation teacher is single
mode's model.
"""

from __future__ import annotations

import json
import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

import dynamics
from dynamics.evaluate import outputs, view_correlations
from theory.data import Splits, make_splits
from theory.params import Params
from theory.results import write_run

from theory.memorisation import GROUPS, memorisation_groups

from .summary import accuracy, member_summary

STREAMS = ("data", "models", "students", "evaluation")


@dataclass
class Context:
    """What a mode function gets: parameters, generators, data and a progress hook."""

    params: Params
    seed: int
    splits: Splits
    rngs: dict[str, np.random.Generator]
    model_seeds: np.random.SeedSequence
    progress: Callable[[str], Callable[[int, int], None] | None]
    timings: dict[str, float] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # trained models reused within one (params, seed)
    eval_seeds: np.random.SeedSequence | None = None  # the evaluation stream (students' child)

    def model_rngs(self, n: int, offset: int = 0) -> list[np.random.Generator]:
        """Generators for models offset..offset+n-1 (the same model index, the same stream)."""
        ss = self.model_seeds  # child i is what ss.spawn would give as its i-th child,
        # built explicitly so that asking twice gives the same streams (spawn is stateful)
        return [np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key + (i,)))
                for i in range(offset, offset + n)]

    def student_eval_rng(self) -> np.random.Generator:
        """Test-noise generator of a student: a child of the evaluation stream of its own."""
        ss = self.eval_seeds
        return np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key + (0,)))

    @property
    def dtype(self):
        return np.dtype(self.params.train.dtype).type


@dataclass
class RunOutput:
    """What a mode returns: per-model summaries, the evaluated model and arrays to save."""

    members: list[dict]
    model: dict
    arrays: dict[str, np.ndarray]
    extra: dict = field(default_factory=dict)


def train_models(ctx: Context, state: dynamics.ModelState, label: str,
                 loss_kind: int = dynamics.CE, **kwargs) -> dynamics.Trajectory:
    """Train ``state`` on the training set with the run's parameters (in place)."""
    tp, net = ctx.params.train, ctx.params.network
    t0 = time.perf_counter()
    traj = dynamics.train(state, ctx.splits.train, lr=tp.lr, n_steps=tp.n_steps, power=net.power,
                          threshold=net.threshold, track_every=tp.track_every,
                          stop_at_full_accuracy=tp.stop_at_full_accuracy, loss_kind=loss_kind,
                          progress=ctx.progress(label), **kwargs)
    ctx.timings[f"train_{label}"] = time.perf_counter() - t0
    return traj


def evaluate(ctx: Context, state: dynamics.ModelState,
             rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """Outputs (K, N, k) of every model on the training set and both test sets."""
    net, sp = ctx.params.network, ctx.splits
    args = (net.power, net.threshold, net.init_std)
    rng = ctx.rngs["evaluation"] if rng is None else rng
    return {
        "train": outputs(state, sp.train, *args, training_set=True),
        "multi": outputs(state, sp.test_multi, *args, rng=rng),
        "single": outputs(state, sp.test_single, *args, rng=rng),
    }


def summarise(ctx: Context, traj: dynamics.Trajectory, F: dict[str, np.ndarray],
              displacement: bool = False):
    """Member summaries and the tracked arrays of K trained models.

    ``displacement``: read Λ off W(t) − W0 instead of W(t) (the linearised baselines, whose
    large random W0 is a kernel, not something learned).
    """
    p, sp = ctx.params, ctx.splits
    proj = traj.feature_proj - traj.feature_proj[:1] if displacement else traj.feature_proj
    lam_max, lam_sum = view_correlations(proj)  # (T, K, k, 2) each
    members = [
        member_summary(lambda_max=lam_max[:, kk], memorisation=traj.memorisation[:, kk],
                       y=sp.train.y, kind=sp.train.kind, dominant=sp.train.dominant,
                       n_neurons=p.network.n_neurons, power=p.network.power,
                       learned_threshold=p.train.learned_threshold,
                       stopped_at=traj.stopped_at[kk], F_train=F["train"][kk],
                       F_multi=F["multi"][kk], F_single=F["single"][kk],
                       y_multi=sp.test_multi.y, y_single=sp.test_single.y)
        for kk in range(lam_max.shape[1])
    ]
    arrays = {"steps": traj.steps, "lambda_max": lam_max, "lambda_sum": lam_sum,
              "memorisation_groups": _group_means(traj.memorisation, lam_max[-1], sp.train),
              "feature_proj": traj.feature_proj.astype(np.float32),
              "memorisation": traj.memorisation.astype(np.float32),
              "loss": traj.loss, "train_acc": traj.train_acc}
    if traj.lambda_steps is not None and not displacement:
        arrays["lambda_steps"] = traj.lambda_steps  # (n_done+1, K, k, 2) Λ at every step (claim C9)
    return members, arrays


def _group_means(mem: np.ndarray, lam_final: np.ndarray, train) -> np.ndarray:
    """Mean memorisation (T, K, 3) over the groups multi / single_won / single_lost (0 if empty).

    mem (T, K, N); lam_final (K, k, 2) decides which single-view samples won.
    """
    T, K, _ = mem.shape
    out = np.zeros((T, K, len(GROUPS)))
    for kk in range(K):
        masks = memorisation_groups(train.y, train.kind, train.dominant, lam_final[kk])
        for g, name in enumerate(GROUPS):
            if masks[name].any():
                out[:, kk, g] = mem[:, kk, masks[name]].mean(axis=1)
    return out


def model_accuracy(ctx: Context, F: dict[str, np.ndarray]) -> dict:
    """Accuracies of the model whose outputs are F (N, k) on each set."""
    sp = ctx.splits
    return {"train_acc": accuracy(F["train"], sp.train.y),
            "test_acc_multi": accuracy(F["multi"], sp.test_multi.y),
            "test_acc_single": accuracy(F["single"], sp.test_single.y)}


def _single(ctx: Context) -> RunOutput:
    """One model trained by GD on the cross-entropy (SPEC §4 single)."""
    from .modes import fit_models, output_of

    fit = fit_models(ctx, "network", "single")
    return output_of(ctx, fit, {k: v[0] for k, v in fit.F.items()})


MODES: dict[str, Callable[[Context], RunOutput]] = {"single": _single}


def _register_modes() -> None:
    from .modes import MODE_FUNCTIONS

    MODES.update(MODE_FUNCTIONS)


def _versions() -> dict[str, str]:
    import numba

    import mvt

    out = {"mvt": mvt.__version__, "python": platform.python_version(), "numpy": np.__version__,
           "numba": numba.__version__}
    try:
        here = Path(__file__).resolve().parent.parent
        out["git"] = subprocess.run(["git", "-C", str(here), "rev-parse", "--short", "HEAD"],
                                    capture_output=True, text=True, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        out["git"] = "unknown"
    return out


def run(params: Params, mode: str, seed: int, out: Path, preset: str | None = None,
        progress: Callable[[str], Callable[[int, int], None] | None] = lambda label: None,
        cache: dict | None = None) -> Path:
    """Run ``mode`` with ``params`` and ``seed``; write the run directory ``out``.

    Nothing is written unless the run finishes: a divergence or a bad parameter raises
    before any file exists. ``cache`` (any dict, kept by the caller across runs) lets later
    runs of the same parameters and seed reuse trained teachers; results are identical with
    and without it.
    """
    if mode not in MODES:
        raise ValueError(f"mode={mode!r}: unknown; known modes: {', '.join(MODES)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: must be an integer >= 0")
    t0 = time.perf_counter()
    root = np.random.SeedSequence(int(seed))
    data_ss, model_ss, student_ss, eval_ss = root.spawn(len(STREAMS))
    rngs = {"data": np.random.default_rng(data_ss), "students": np.random.default_rng(student_ss),
            "evaluation": np.random.default_rng(eval_ss)}
    splits = make_splits(params.data, rngs["data"])
    # Only trained teachers and step sizes are cached, and they never read the distillation
    # parameters, so runs that differ in those alone share teachers.
    key = (json.dumps({k: v for k, v in params.to_dict().items() if k != "distill"}, sort_keys=True),
           int(seed))
    ctx = Context(params=params, seed=int(seed), splits=splits, rngs=rngs, model_seeds=model_ss,
                  progress=progress, cache={} if cache is None else cache.setdefault(key, {}),
                  eval_seeds=eval_ss)
    ctx.timings["data"] = time.perf_counter() - t0
    result = MODES[mode](ctx)
    ctx.timings["total"] = time.perf_counter() - t0
    tr = splits.train
    arrays = {**result.arrays, "y": tr.y, "kind": tr.kind, "dominant": tr.dominant}
    record = {
        "mode": mode, "preset": preset, "seed": int(seed),
        "seed_streams": {"entropy": int(root.entropy), "streams": list(STREAMS)},
        "backend": "infinite" if params.data.infinite else "dense",
        "params": params.to_dict(), "versions": _versions(), "timings": ctx.timings,
        "data": {"n_truncated": tr.n_truncated},
        "members": result.members, "model": result.model, **result.extra,
    }
    return write_run(Path(out), record, arrays)


_register_modes()
