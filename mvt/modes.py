"""The training modes of SPEC §4 for the network and its linearised baselines.

Families: ``network`` (the smoothed-ReLU network), ``ntk`` (the network linearised at W0,
dynamics/linear.py) and ``rf`` (a trained readout over the frozen initial filters). A mode is
one function of the family; the names are ``single``, ``ensemble``, ``distill``,
``self-distill``, ``train-average`` and their ``ntk-…`` / ``rf-…`` twins.

- single: model 0 of the seed, cross-entropy.
- ensemble: models 0..K−1 trained independently in one compiled call (stacked weights);
  the ensemble's output is the average of the members' real-valued outputs.
- train-average: models 0..K−1 trained jointly on the cross-entropy of their average.
- distill: a fresh student (from the "students" stream) trained with the paper's truncated
  update, or the Hinton objective (``DistillParams``), against the ensemble of this seed.
- self-distill: the same student against model 0 (single mode's model).

Record layout (``RunOutput``): ``members`` (one summary per trained model of the mode: the K
members, or the student alone), ``model`` (accuracies of the mode's model), and in ``extra``
``coverage`` (ensemble, train-average), ``teacher`` (distill, self-distill) and ``linear``
(the baselines' step size and initial scale).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

import dynamics
from dynamics import _kernels, drive, linear
from dynamics.evaluate import view_correlations

from .experiment import Context, RunOutput, evaluate, model_accuracy, summarise

FAMILIES = ("network", "ntk", "rf")
_PREFIX = {"network": "", "ntk": "ntk-", "rf": "rf-"}


@dataclass
class Fitted:
    """K trained models of one family: trajectory, outputs on every set, family facts."""

    family: str
    traj: dynamics.Trajectory
    F: dict[str, np.ndarray]  # "train" / "multi" / "single" → (K, N, k)
    info: dict

    def average(self) -> dict[str, np.ndarray]:
        """The ensemble's outputs: the mean of the members' real-valued outputs (N, k)."""
        return {name: v.mean(axis=0) for name, v in self.F.items()}


def _linear_step(ctx: Context, family: str) -> tuple[float, float]:
    """(η_lin, L) of a linearised family at this seed, from model 0's initialisation.

    One step size per family and seed, whatever the mode, so that model 0 trains the same in
    single, ensemble and as a teacher, and a student trains at its teacher's step.
    """
    key = ("linear_step", family)
    if key not in ctx.cache:
        p = ctx.params
        net = dataclasses.replace(p.network, init_std=p.linear.linear_init_std)
        init0 = dynamics.init_state(p.data, net, p.data.n_train, ctx.model_rngs(1), ctx.dtype)
        ctx.cache[key] = linear.linear_lr(family, init0, ctx.splits.train, net.power, net.threshold,
                                          p.linear.linear_lr_scale)
    return ctx.cache[key]


def _train(ctx: Context, family: str, rngs: list[np.random.Generator], label: str, *,
           loss_kind: int = dynamics.CE, teacher: np.ndarray | None = None,
           extra: np.ndarray | None = None, student: bool = False,
           eval_rng: np.random.Generator | None = None, lr_factor: float = 1.0,
           on_track=None) -> Fitted:
    """Initialise len(rngs) models of ``family``, train them in one compiled call, evaluate.

    ``lr_factor`` multiplies the step size (the training average uses K, see ``fit_models``).
    ``on_track(state, t)`` is called at the tracking points of the network family
    (``dynamics.train``); the linearised families ignore it.
    """
    p, tr = ctx.params, ctx.splits.train
    net = p.network
    stop = p.distill.student_stop_at_full_accuracy if student else p.train.stop_at_full_accuracy
    kwargs = dict(loss_kind=loss_kind, teacher=teacher, extra=extra, progress=ctx.progress(label))
    eval_rng = ctx.rngs["evaluation"] if eval_rng is None else eval_rng
    t0 = time.perf_counter()
    if family == "network":
        n_steps = p.distill.student_steps if student else p.train.n_steps
        state = dynamics.init_state(p.data, net, p.data.n_train, rngs, ctx.dtype)
        traj = dynamics.train(state, tr, lr=p.train.lr * lr_factor, n_steps=n_steps, power=net.power,
                              threshold=net.threshold, track_every=p.train.track_every,
                              stop_at_full_accuracy=stop, on_track=on_track, **kwargs)
        ctx.timings[f"train_{label}"] = time.perf_counter() - t0
        return Fitted(family, traj, evaluate(ctx, state, eval_rng),
                      {"lr_factor": lr_factor} if lr_factor != 1.0 else {})
    lin = p.linear
    net0 = dataclasses.replace(net, init_std=lin.linear_init_std)
    lr, L = _linear_step(ctx, family)
    lr = lr * lr_factor
    init = dynamics.init_state(p.data, net0, p.data.n_train, rngs, ctx.dtype)
    stop = p.distill.student_stop_at_full_accuracy if student else lin.linear_stop_at_full_accuracy
    common = dict(lr=lr, n_steps=lin.linear_steps, track_every=p.train.track_every,
                  stop_at_full_accuracy=stop)
    args = (net.power, net.threshold, lin.linear_init_std)
    sp = ctx.splits
    if family == "ntk":
        state = init.copy()
        gates = linear.ntk_gates(init, tr, net.power, net.threshold)
        traj = dynamics.train(state, tr, power=net.power, threshold=net.threshold, gates=gates,
                              **common, **kwargs)
        F = {"train": linear.ntk_outputs(state, init, tr, *args, training_set=True),
             "multi": linear.ntk_outputs(state, init, sp.test_multi, *args, rng=eval_rng),
             "single": linear.ntk_outputs(state, init, sp.test_single, *args, rng=eval_rng)}
    elif family == "rf":
        Phi = {"train": linear.rf_features(init, tr, *args, training_set=True),
               "multi": linear.rf_features(init, sp.test_multi, *args, rng=eval_rng),
               "single": linear.rf_features(init, sp.test_single, *args, rng=eval_rng)}
        rf = linear.RFState(init, linear.rf_readout_init(init.n_models, init.n_classes, init.n_neurons))
        traj = linear.train_rf(rf, Phi["train"], tr, **common, **kwargs)
        F = {name: linear.rf_outputs(rf, phi) for name, phi in Phi.items()}
    else:
        raise ValueError(f"family={family!r}: must be one of {', '.join(FAMILIES)}")
    ctx.timings[f"train_{label}"] = time.perf_counter() - t0
    info = {"kind": family, "init_std": lin.linear_init_std, "lr": lr, "L": L, "lr_factor": lr_factor,
            "lr_scale": lin.linear_lr_scale, "n_steps": lin.linear_steps, "stop_at_full_accuracy": stop}
    if family == "rf":
        info["optimiser"] = "GD on whitened features (preconditioned by C^-1, C = Phi^T Phi / N)"
    return Fitted(family, traj, F, info)


def fit_models(ctx: Context, family: str, what: str) -> Fitted:
    """The trained models of ``what`` ("single", "ensemble", "average") for ``family``, cached."""
    key = ("fit", family, what)
    if key in ctx.cache:
        return ctx.cache[key]
    K = ctx.params.train.n_models
    label = _PREFIX[family] + {"single": "single", "ensemble": "ensemble", "average": "train-average"}[what]
    if what == "single":
        fit = _train(ctx, family, ctx.model_rngs(1), label)
    elif what == "ensemble":
        fit = _train(ctx, family, ctx.model_rngs(K), label)
    elif what == "average":
        # Each member receives the average's gradient divided by K, so with the same η the
        # jointly trained average runs K times slower than one model (at T = 1000 on quick it
        # never left its plateau). η·K restores the single model's clock: the comparison of
        # claim C8 is then at equal training progress, not at equal step count.
        fit = _train(ctx, family, ctx.model_rngs(K), label, loss_kind=dynamics.CE_AVERAGE,
                     lr_factor=float(K))
    else:
        raise ValueError(f"what={what!r}: must be single, ensemble or average")
    ctx.cache[key] = fit
    return fit


def output_of(ctx: Context, fit: Fitted, model_F: dict[str, np.ndarray], extra: dict | None = None) -> RunOutput:
    """RunOutput with one summary per trained model of ``fit`` and the accuracies of ``model_F``."""
    members, arrays = summarise(ctx, fit.traj, fit.F, displacement=fit.family != "network")
    extra = dict(extra or {})
    if fit.family != "network" and fit.info:
        extra["linear"] = fit.info
    extra["lr_factor"] = fit.info.get("lr_factor", 1.0)  # step size used = lr·lr_factor
    return RunOutput(members=members, model=model_accuracy(ctx, model_F), arrays=arrays, extra=extra)


def coverage(members: list[dict]) -> dict:
    """Views covered by some member: per_class (k, 2) bools and the fraction of classes with both."""
    learned = np.array([m["learned"] for m in members], dtype=bool)  # (K, k, 2)
    per_class = learned.any(axis=0)
    return {"per_class": per_class.tolist(), "fraction_both": float(per_class.all(axis=1).mean()),
            "fraction_none": float((~per_class).all(axis=1).mean())}


def _distill_constants(ctx: Context, family: str) -> tuple[int, np.ndarray]:
    """Loss kind and constants of the student's update; linearised students use τ =
    ``linear_temperature`` (theory/params.py LinearParams says why)."""
    d = ctx.params.distill
    if d.distill_form == "truncated":
        code = {"spec": _kernels.TRUNC_SPEC, "bounded": _kernels.TRUNC_BOUNDED,
                "none": _kernels.TRUNC_NONE}[d.truncation]
        tau = d.temperature if family == "network" else ctx.params.linear.linear_temperature
        return dynamics.DISTILL_TRUNCATED, np.array([tau, d.distill_lr_ratio, float(code)])
    return dynamics.DISTILL_HINTON, np.array([d.hinton_alpha, d.hinton_temperature])


def _student(ctx: Context, family: str, teacher: Fitted, teacher_mode: str, label: str) -> RunOutput:
    """A fresh student of ``family`` trained against the average output of ``teacher``."""
    G = teacher.average()
    kind, extra = _distill_constants(ctx, family)
    drives: list[tuple[int, np.ndarray, np.ndarray]] = []
    on_track = None
    if family == "network":
        term = drive.teacher_term(ctx.params.distill, G["train"])
        net, tr = ctx.params.network, ctx.splits.train

        def on_track(state, t):
            at_max, summed = drive.track_drive(state, tr, net.power, net.threshold, term)
            drives.append((t, at_max[0], summed[0]))

    student = _train(ctx, family, [ctx.rngs["students"]], label, loss_kind=kind,
                     teacher=G["train"], extra=extra, student=True, eval_rng=ctx.student_eval_rng(),
                     on_track=on_track)
    t_members, _ = summarise(ctx, teacher.traj, teacher.F, displacement=family != "network")
    t_proj = teacher.traj.feature_proj
    if family != "network":
        t_proj = t_proj - t_proj[:1]
    t_lam, _ = view_correlations(t_proj)
    out = output_of(ctx, student, {k: v[0] for k, v in student.F.items()}, extra={
        "teacher": {"mode": teacher_mode, "model": model_accuracy(ctx, G), "members": t_members,
                    "coverage": coverage(t_members)},
        "distill": dataclasses.asdict(ctx.params.distill)})
    out.arrays["teacher_steps"] = teacher.traj.steps
    out.arrays["teacher_lambda_max"] = t_lam
    if drives:  # the student's drive by source (dynamics.drive), at its tracking points
        out.arrays["drive"] = np.stack([d[1] for d in drives])  # (T, k, 2, 4) at the max filter
        out.arrays["drive_sum"] = np.stack([d[2] for d in drives])  # (T, k, 2, 4) summed over filters
        out.extra["drive_sources"] = list(drive.SOURCES)
    return out


def _make(family: str, what: str):
    prefix = _PREFIX[family]

    def single(ctx: Context) -> RunOutput:
        fit = fit_models(ctx, family, "single")
        return output_of(ctx, fit, {k: v[0] for k, v in fit.F.items()})

    def ensemble(ctx: Context) -> RunOutput:
        fit = fit_models(ctx, family, "ensemble")
        out = output_of(ctx, fit, fit.average())
        out.extra["coverage"] = coverage(out.members)
        return out

    def average(ctx: Context) -> RunOutput:
        fit = fit_models(ctx, family, "average")
        out = output_of(ctx, fit, fit.average())
        out.extra["coverage"] = coverage(out.members)
        return out

    def distill(ctx: Context) -> RunOutput:
        return _student(ctx, family, fit_models(ctx, family, "ensemble"), prefix + "ensemble",
                        prefix + "distill")

    def self_distill(ctx: Context) -> RunOutput:
        return _student(ctx, family, fit_models(ctx, family, "single"), prefix + "single",
                        prefix + "self-distill")

    fn = {"single": single, "ensemble": ensemble, "train-average": average, "distill": distill,
          "self-distill": self_distill}[what]
    fn.__doc__ = f"SPEC §4 {what} for the {family} family (see the module docstring)."
    return fn


NETWORK_MODES = ("single", "ensemble", "distill", "self-distill", "train-average")
LINEAR_MODES = ("single", "ensemble", "distill", "self-distill", "train-average")

# Every mode but network "single", which experiment.py defines (through fit_models).
MODE_FUNCTIONS = {_PREFIX[fam] + what: _make(fam, what)
                  for fam in FAMILIES
                  for what in (NETWORK_MODES if fam == "network" else LINEAR_MODES)
                  if (fam, what) != ("network", "single")}


def family_of(mode: str) -> tuple[str, str]:
    """("network" | "ntk" | "rf", base mode) of a mode name."""
    for fam in ("ntk", "rf"):
        if mode.startswith(_PREFIX[fam]):
            return fam, mode[len(_PREFIX[fam]):]
    return "network", mode
