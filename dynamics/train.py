"""Training wrappers: validate, allocate, run the compiled kernels in chunks, track.

The kernel runs ``track_every`` steps at a time inside compiled code; between chunks the
wrapper records the tracked quantities:

- ``feature_proj`` (T_track, K, k, m, 2k): <w_{i,r}(t), v_f>, from which
  Λ_{i,l}(t) = max_r max(0, <w_{i,r}, v_{i,l}>) and the sum over r follow;
- ``memorisation`` (T_track, K, N): max_{r,p} <w_{y,r}(t), ξ_{n,p}> per training sample;
- per step: loss and training accuracy of each model (of the average for ``CE_AVERAGE``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from theory.data import Dataset

from . import _kernels, _linear_kernels
from .evaluate import view_correlations
from .state import ModelState, flat_coef, flat_patches

CE = _kernels.CE
CE_AVERAGE = _kernels.CE_AVERAGE
DISTILL_TRUNCATED = _kernels.DISTILL_TRUNCATED
DISTILL_HINTON = _kernels.DISTILL_HINTON


class DivergenceError(FloatingPointError):
    """The loss or the weights became non-finite."""


@dataclass
class Trajectory:
    """What a training run recorded. Shapes use T_track tracking points and K models."""

    steps: np.ndarray  # (T_track,) step index of each tracking point
    feature_proj: np.ndarray  # (T_track, K, k, m, 2k) <w_{i,r}, v_f>
    memorisation: np.ndarray  # (T_track, K, N) max_{r,p} <w_{y,r}, ξ_{n,p}>
    loss: np.ndarray  # (n_recorded, K) training loss of W(t), t = 0, 1, ...
    train_acc: np.ndarray  # (n_recorded, K) training accuracy of W(t)
    stopped_at: np.ndarray  # (K,) step at which a model reached 100% training accuracy, -1 if never
    n_done: int  # steps taken by the longest-running model
    seconds: float  # wall time of the compiled steps and tracking
    lambda_steps: np.ndarray | None = None  # (n_done+1, K, k, 2) Λ_{i,l} at every step (network only)


def _memorisation(state: ModelState, data: Dataset, noise_flat: np.ndarray | None) -> np.ndarray:
    """max_{r,p} <w_{y_n,r}, ξ_{n,p}> for every model and training sample: (K, N)."""
    K, k, m = state.n_models, state.n_classes, state.n_neurons
    n, P = data.n_samples, data.coef.shape[1]
    if state.infinite:
        proj = state.cT  # (N·P, J)
    else:
        proj = noise_flat @ state.W.reshape(K * k * m, -1).T  # (N·P, J)
    proj = proj.reshape(n, P, K, k, m)
    own = proj[np.arange(n), :, :, data.y, :]  # (N, P, K, m)
    return own.max(axis=(1, 3)).T.astype(np.float64)  # (K, N)


def train(state: ModelState, data: Dataset, *, lr: float, n_steps: int, power: int,
          threshold: float, track_every: int, stop_at_full_accuracy: bool,
          loss_kind: int = CE, teacher: np.ndarray | None = None,
          extra: np.ndarray | None = None,
          progress: Callable[[int, int], None] | None = None,
          gates: tuple[np.ndarray, np.ndarray] | None = None,
          on_track: Callable[[ModelState, int], None] | None = None) -> Trajectory:
    """Train the K stacked models of ``state`` in place on ``data`` by full-batch GD.

    Parameters
    ----------
    state : ModelState
        Dense or infinite; modified in place.
    data : Dataset
        Training set (dense ``X`` for a dense state, ``coef`` for an infinite one).
    lr, n_steps, power, threshold : the GD step η, maximum steps T, q and ϱ.
    track_every : int
        Steps between tracking points.
    stop_at_full_accuracy : bool
        Freeze each model at its first step with 100% training accuracy.
    loss_kind : int
        ``CE`` (each model its own loss), ``CE_AVERAGE`` (loss of the average output),
        ``DISTILL_TRUNCATED`` or ``DISTILL_HINTON`` (a student against ``teacher``).
    teacher : ndarray (N, k), optional
        Teacher outputs on ``data`` (the distillation loss kinds).
    extra : ndarray, optional
        The loss kind's constants (see ``_kernels``).
    progress : callable(t, T), optional
        Called after every chunk.
    gates : (S0 (N·P, J), C0 (K, N, k)), optional
        Train the NTK linearisation at W0 instead of the network (``dynamics.linear.ntk_gates``).
    on_track : callable(state, t), optional
        Called at every tracking point with the state holding W(t) (read it, do not modify
        it): diagnostics that need the full state, such as the distillation drive
        (``dynamics.drive``), without touching the compiled kernels.

    Raises
    ------
    DivergenceError
        At the first step whose loss is not finite, naming the step and the step size.
    """
    K, k, m = state.n_models, state.n_classes, state.n_neurons
    dt = state.dtype
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype={dt}: must be float32 or float64")
    y = np.ascontiguousarray(data.y, dtype=np.int64)
    if loss_kind in (DISTILL_TRUNCATED, DISTILL_HINTON):
        if teacher is None or np.shape(teacher) != (data.n_samples, k):
            raise ValueError(f"teacher must have shape (N={data.n_samples}, k={k}) for a distillation "
                             f"loss; got {None if teacher is None else np.shape(teacher)}")
        if extra is None or len(extra) < (3 if loss_kind == DISTILL_TRUNCATED else 2):
            raise ValueError("extra must hold the distillation constants (see dynamics._kernels)")
    teacher = np.zeros((1, 1)) if teacher is None else np.ascontiguousarray(teacher, dtype=np.float64)
    extra = np.zeros(1) if extra is None else np.ascontiguousarray(extra, dtype=np.float64)
    P = data.coef.shape[1]
    if state.infinite:
        if state.cT.shape[0] != data.n_samples * P:
            raise ValueError(f"state has noise coordinates for {state.cT.shape[0]} patches, data has {data.n_samples * P}")
        coef = flat_coef(data, dt)
        a2 = state.a.reshape(K * k * m, -1)  # views into the state
        noise_flat = None
    else:
        X = flat_patches(data, dt)
        W2 = state.W.reshape(K * k * m, -1)
        noise_flat = None if data.noise is None else data.noise.reshape(-1, data.noise.shape[-1])

    active = np.ones(K, dtype=np.bool_)
    stopped = np.full(K, -1, dtype=np.int64)
    loss = np.zeros((n_steps, K))
    acc = np.zeros((n_steps, K))
    lam = np.zeros((n_steps + 1, K, k, 2))  # Λ before every step (network kernels only)
    feat = (np.zeros((2 * k, 1), dt) if state.infinite
            else np.ascontiguousarray(data.features, dtype=dt))
    steps, proj, mem = [], [], []

    def track(t):
        steps.append(t)
        proj.append(state.feature_projections(data.features))
        mem.append(_memorisation(state, data, noise_flat) if (state.infinite or noise_flat is not None)
                   else np.zeros((K, data.n_samples)))
        if on_track is not None:
            on_track(state, t)

    t0 = time.perf_counter()
    track(0)
    t = 0  # the state holds W(t)
    while t < n_steps and active.any():
        chunk = min(track_every, n_steps - t)
        if gates is not None and state.infinite:
            done, bad = _linear_kernels._run_ntk_infinite(
                a2, state.cT, coef, gates[0], gates[1], y, k, m, P, state.noise_norm**2, lr, chunk,
                loss_kind, stop_at_full_accuracy, active, teacher, extra, t, loss, acc, stopped)
        elif gates is not None:
            done, bad = _linear_kernels._run_ntk_dense(
                W2, X, gates[0], gates[1], y, k, m, P, lr, chunk, loss_kind,
                stop_at_full_accuracy, active, teacher, extra, t, loss, acc, stopped)
        elif state.infinite:
            done, bad = _kernels._run_infinite(
                a2, state.cT, coef, y, k, m, P, state.noise_norm**2, lr, chunk, power, threshold,
                loss_kind, stop_at_full_accuracy, active, teacher, extra, t, loss, acc, stopped,
                lam)
        else:
            done, bad = _kernels._run_dense(
                W2, X, y, k, m, P, lr, chunk, power, threshold, loss_kind,
                stop_at_full_accuracy, active, teacher, extra, t, loss, acc, stopped, feat, lam)
        if bad >= 0:
            raise DivergenceError(
                f"loss became non-finite at step {bad} (lr={lr}): the weights diverged; "
                f"try a smaller lr")
        t += done
        if t != steps[-1]:
            track(t)
        if progress is not None:
            progress(t, n_steps)
    if progress is not None and t < n_steps:
        progress(t, t)  # every model stopped early: close the progress line
    n_recorded = t if active.any() else t + 1  # a stop records the loss of W(t) too
    lambda_steps = None
    if gates is None:  # the network kernels wrote Λ(0..t-1); Λ(t) is the final state's
        lam[t] = view_correlations(proj[-1])[0]
        lambda_steps = lam[:t + 1]
    return Trajectory(steps=np.asarray(steps), feature_proj=np.stack(proj), memorisation=np.stack(mem),
                      loss=loss[:n_recorded], train_acc=acc[:n_recorded], stopped_at=stopped,
                      n_done=t, seconds=time.perf_counter() - t0, lambda_steps=lambda_steps)
