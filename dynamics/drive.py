"""The distillation drive: what pushes each view correlation of a student, split by source.

Symbols (SPEC §1, §3, §4): a_{j,r,l} = <w_{j,r}, v_{j,l}> the correlation of filter r of class j
with its own class's view l; F (N, k) the student's outputs on the training set, G (N, k) the
teacher's; η the step, η'/η ``distill_lr_ratio``; s' the smoothed ReLU's derivative.

One GD step of the student moves w_{j,r} by −η·Σ_n Σ_p dF[n,j]·s'(<w_{j,r}, x_{n,p}>)·x_{n,p},
so it moves a_{j,r,l} by η·D with the *drive*

    D_{j,r,l} = −Σ_n dF[n,j] · Σ_p s'(<w_{j,r}, x_{n,p}>) · <x_{n,p}, v_{j,l}>.

The output gradient is a sum of two parts, dF = dF_gt + dF_teacher (``theory.distill``):

* truncated form: dF_gt = (softmax(F) − onehot(y))/N, dF_teacher = (η'/η)·d/N;
* Hinton form: dF_gt = α·(softmax(F) − onehot(y))/N, dF_teacher = (1−α)·T·(softmax(F/T) −
  softmax(G/T))/N;
* plain cross-entropy (no teacher): dF_teacher = 0.

and the samples split into those *of* class j (y_n = j, where v_{j,l} is one of the sample's own
views) and those of other classes (where v_{j,l} occurs only as an off-class feature, weight
0.2–0.4 in multi-view data, Γ/2–Γ in single-view data, or through the feature noise α). The four
sources, in this order (``SOURCES``):

    0 ``gt_own``       ground-truth loss, samples of class j
    1 ``gt_off``       ground-truth loss, samples of other classes
    2 ``teacher_own``  teacher term, samples of class j
    3 ``teacher_off``  teacher term, samples of other classes

sum to D exactly (``tests/test_drive.py`` checks this against one real step of both backends).
Dense backend: <x_{n,p}, v_{j,l}> = (X @ features.T) — it includes the patch noise's component
along the view; infinite backend: ``coef`` (the noise is orthogonal to every feature).

Per-step increments are η·D (GD step η): the Phase-I law of ``bounds._phase`` reads
Λ_{t+1} − Λ_t = η·c·(Λ_t/ϱ)^{q−1}, so the *measured drive constant* of a view is
c = D / (Λ/ϱ)^{q−1} at the filter that achieves Λ (``drive_constant_measured``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.data import Dataset
from theory.distill import truncated_term
from theory.model import output_grad

from .state import ModelState

SOURCES = ("gt_own", "gt_off", "teacher_own", "teacher_off")
TRUNCATION_NAMES = {0: "spec", 1: "bounded", 2: "none"}  # _kernels.TRUNC_* codes


@dataclass(frozen=True)
class TeacherTerm:
    """The student's objective as the kernels read it: loss kind, teacher outputs, constants.

    ``form``: "ce" (no teacher), "truncated" (constants τ, η'/η, truncation) or "hinton"
    (constants α, T). ``G``: teacher outputs (N, k) on the training set (None for "ce").
    """

    form: str
    G: np.ndarray | None = None
    temperature: float = 0.5
    lr_ratio: float = 1.0
    truncation: str = "spec"
    alpha: float = 0.5
    hinton_temperature: float = 4.0

    def split(self, F: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(dF_gt, dF_teacher), each (N, k), for student outputs F (N, k)."""
        n = F.shape[0]
        ce = output_grad(F, y)
        if self.form == "ce":
            return ce, np.zeros_like(ce)
        if self.form == "truncated":
            d = truncated_term(F, self.G, self.temperature, self.truncation)
            return ce, self.lr_ratio * d / n
        if self.form == "hinton":
            T = self.hinton_temperature
            soft = _softmax(F / T) - _softmax(self.G / T)
            return self.alpha * ce, (1.0 - self.alpha) * T * soft / n
        raise ValueError(f"form={self.form!r}: must be ce, truncated or hinton")


def _softmax(Z: np.ndarray) -> np.ndarray:
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def teacher_term(distill: dict | object, G: np.ndarray) -> TeacherTerm:
    """A TeacherTerm from ``DistillParams`` (or its dict) and teacher outputs G (N, k)."""
    get = (lambda k: distill[k]) if isinstance(distill, dict) else (lambda k: getattr(distill, k))
    if get("distill_form") == "truncated":
        return TeacherTerm("truncated", np.asarray(G, float), temperature=float(get("temperature")),
                           lr_ratio=float(get("distill_lr_ratio")), truncation=str(get("truncation")))
    return TeacherTerm("hinton", np.asarray(G, float), alpha=float(get("hinton_alpha")),
                       hinton_temperature=float(get("hinton_temperature")))


def _preactivations(state: ModelState, data: Dataset) -> np.ndarray:
    """<w_{j,r}, x_{n,p}> for every model: (K, N, P, k, m)."""
    K, k, m = state.n_models, state.n_classes, state.n_neurons
    n, P = data.n_samples, data.coef.shape[1]
    if state.infinite:
        A = np.einsum("npf,Kirf->Knpir", data.coef, state.a.astype(np.float64), optimize=True)
        A += state.cT.astype(np.float64).reshape(n, P, K, k, m).transpose(2, 0, 1, 3, 4)
        return A
    return np.einsum("npd,Kird->Knpir", data.X, state.W.astype(np.float64), optimize=True)


def view_projections(state: ModelState, data: Dataset) -> np.ndarray:
    """<x_{n,p}, v_f> (N, P, 2k): ``coef`` (infinite) or the patches projected on the features."""
    if state.infinite:
        return data.coef
    return np.einsum("npd,fd->npf", data.X, data.features, optimize=True)


def view_drive(state: ModelState, data: Dataset, power: int, threshold: float,
               term: TeacherTerm) -> np.ndarray:
    """The drive D on a_{j,r,l} by source: (K, k, m, 2, 4), sources in ``SOURCES`` order.

    η·D.sum(-1) is the change of <w_{j,r}, v_{j,l}> in the next GD step of the student
    (module docstring). ``term.G`` is the teacher's output on ``data`` (the training set).
    """
    K, k, m = state.n_models, state.n_classes, state.n_neurons
    proj = view_projections(state, data)  # (N, P, 2k)
    A = _preactivations(state, data)  # (K, N, P, k, m)
    # s'(A) and s(A) from one clipped ratio u = clip(A/ϱ, 0, 1) (theory.model's formulas, shared
    # work: this runs at every tracking point)
    u = np.clip(A / threshold, 0.0, 1.0)
    S = u ** (power - 1)  # s'(A)
    F = np.where(A > threshold, A - (1.0 - 1.0 / power) * threshold, threshold * u * S / power)
    F = F.sum(axis=(2, 4))  # (K, N, k)
    own_view = proj.reshape(proj.shape[0], proj.shape[1], k, 2)  # (N, P, k, 2): <x_p, v_{j,l}>
    H = np.einsum("Knpjr,npjl->Knjrl", S, own_view)  # Σ_p s'·<x_p, v_{j,l}>
    is_own = data.y[:, None] == np.arange(k)[None, :]  # (N, k)
    out = np.zeros((K, k, m, 2, len(SOURCES)))
    for kk in range(K):
        parts = term.split(F[kk], data.y)
        for s_idx, (dF, own) in enumerate([(parts[0], True), (parts[0], False),
                                          (parts[1], True), (parts[1], False)]):
            w = -np.where(is_own == own, dF, 0.0)  # (N, k)
            out[kk, ..., s_idx] = np.einsum("nj,njrl->jrl", w, H[kk], optimize=True)
    return out


def track_drive(state: ModelState, data: Dataset, power: int, threshold: float,
                term: TeacherTerm) -> tuple[np.ndarray, np.ndarray]:
    """(drive at the max filter (K, k, 2, 4), drive summed over filters (K, k, 2, 4)).

    The sum over filters is the drive on Σ_r <w_{j,r}, v_{j,l}> (not Λ_sum, which sums the
    positive parts only).
    """
    D = view_drive(state, data, power, threshold, term)  # (K, k, m, 2, 4)
    proj = state.feature_projections(data.features)  # (K, k, m, 2k)
    k = state.n_classes
    own = np.stack([proj[:, j, :, 2 * j:2 * j + 2] for j in range(k)], axis=1)  # (K, k, m, 2)
    r_star = own.argmax(axis=2)  # (K, k, 2)
    at_max = np.take_along_axis(D, r_star[:, :, None, :, None], axis=2)[:, :, 0]
    return at_max, D.sum(axis=2)


def drive_constant_measured(drive_total: np.ndarray, lam: np.ndarray, threshold: float,
                            power: int) -> np.ndarray:
    """c = D/(Λ/ϱ)^{q−1} of the Phase-I law (bounds._phase), elementwise; NaN where Λ ≤ 0."""
    lam = np.asarray(lam, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lam > 0, drive_total / (np.maximum(lam, 1e-300) / threshold) ** (power - 1), np.nan)
