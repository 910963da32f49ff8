"""The distillation student's objectives (SPEC §4), in plain NumPy: the executable specification.

Symbols: F (N, k) the student's outputs, G (N, k) the teacher's (an ensemble average, or one
trained model for self-distillation), y (N,) labels, τ ``temperature``, η'/η
``distill_lr_ratio``, α ``hinton_alpha``, T ``hinton_temperature``.

Both forms are written as an *output gradient* dF (N, k): one GD step is
w ← w − η·Σ_n Σ_i dF[n,i]·∇_w F_i(X_n) (``theory.model.weight_grad``), exactly as for the
cross-entropy, whose dF is ``theory.model.output_grad``.

Truncated form (the paper's update). logit^τ_i(F) = exp(min(τ²F_i, 1)/τ) / Σ_j exp(min(τ²F_j, 1)/τ)
and the step w ← w − η·∇L_CE − η'·mean_n[ d(n, i)·∇F_i(X_n) ], so

    dF = output_grad(F, y) + (η'/η)·d / N,

with d by the reading ``truncation``: ``spec`` d = min(0, gap), gap = logit^τ(F) − logit^τ(G);
``bounded`` the same where F_i < G_i and 0 elsewhere; ``none`` d = gap. The term is not the
gradient of any loss (the truncation and the clip break that); under ``spec`` and ``bounded``
d ≤ 0, so it only ever pushes a logit *up*.

Hinton form: L = mean_n[ α·CE(F_n, y_n) + (1−α)·T²·KL(softmax(G_n/T) ‖ softmax(F_n/T)) ], whose
output gradient is (α·(softmax(F) − onehot(y)) + (1−α)·T·(softmax(F/T) − softmax(G/T))) / N.
"""

from __future__ import annotations

import numpy as np

from .model import log_softmax, output_grad

TRUNCATIONS = ("spec", "bounded", "none")


def tempered_logits(F: np.ndarray, temperature: float) -> np.ndarray:
    """logit^τ(F) (N, k): softmax of min(τ²F, 1)/τ along the last axis."""
    Z = np.minimum(temperature**2 * F, 1.0) / temperature
    return np.exp(log_softmax(Z))


def truncated_term(F: np.ndarray, G: np.ndarray, temperature: float, truncation: str = "spec") -> np.ndarray:
    """d (N, k) of the truncated update for the reading ``truncation`` (see the module docstring)."""
    if truncation not in TRUNCATIONS:
        raise ValueError(f"truncation={truncation!r}: must be one of {', '.join(TRUNCATIONS)}")
    gap = tempered_logits(F, temperature) - tempered_logits(G, temperature)
    if truncation == "none":
        return gap
    d = np.minimum(0.0, gap)
    if truncation == "bounded":
        d = np.where(F < G, d, 0.0)
    return d


def truncated_output_grad(F: np.ndarray, G: np.ndarray, y: np.ndarray, temperature: float,
                          lr_ratio: float, truncation: str = "spec") -> np.ndarray:
    """dF (N, k) of the paper's student step: cross-entropy plus (η'/η)·d/N."""
    n = F.shape[0]
    return output_grad(F, y) + lr_ratio * truncated_term(F, G, temperature, truncation) / n


def hinton_loss(F: np.ndarray, G: np.ndarray, y: np.ndarray, alpha: float, temperature: float) -> float:
    """mean_n[α·CE + (1−α)·T²·KL(softmax(G/T) ‖ softmax(F/T))]."""
    n = F.shape[0]
    ce = -log_softmax(F)[np.arange(n), y]
    lt, ls = log_softmax(G / temperature), log_softmax(F / temperature)
    kl = (np.exp(lt) * (lt - ls)).sum(axis=1)
    return float(np.mean(alpha * ce + (1.0 - alpha) * temperature**2 * kl))


def hinton_output_grad(F: np.ndarray, G: np.ndarray, y: np.ndarray, alpha: float,
                       temperature: float) -> np.ndarray:
    """dF (N, k) = ∂ hinton_loss / ∂F."""
    n = F.shape[0]
    soft = np.exp(log_softmax(F / temperature)) - np.exp(log_softmax(G / temperature))
    return alpha * output_grad(F, y) + (1.0 - alpha) * temperature * soft / n
