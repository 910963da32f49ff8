"""Slow, obviously correct twins of the model: explicit loops over samples, patches, filters.

Every vectorised or compiled implementation is tested against these.
"""

from __future__ import annotations

import math

import numpy as np


def s(z: float, q: int, rho: float) -> float:
    """Smoothed ReLU by its three-branch definition (SPEC §3)."""
    if z <= 0:
        return 0.0
    if z <= rho:
        return z**q / (q * rho ** (q - 1))
    return z - (1 - 1 / q) * rho


def ds(z: float, q: int, rho: float) -> float:
    if z <= 0:
        return 0.0
    if z <= rho:
        return (z / rho) ** (q - 1)
    return 1.0


def forward(W, X, q, rho):
    k, m, _ = W.shape
    N, P, _ = X.shape
    F = np.zeros((N, k))
    for n in range(N):
        for i in range(k):
            F[n, i] = sum(s(float(W[i, r] @ X[n, p]), q, rho) for r in range(m) for p in range(P))
    return F


def loss_and_grad(W, X, y, q, rho):
    k, m, d = W.shape
    N, P, _ = X.shape
    F = forward(W, X, q, rho)
    loss = 0.0
    grad = np.zeros_like(W, dtype=float)
    for n in range(N):
        mx = F[n].max()
        lse = mx + math.log(sum(math.exp(f - mx) for f in F[n]))
        loss += (lse - F[n, y[n]]) / N
        for i in range(k):
            dF = (math.exp(F[n, i] - lse) - (1.0 if i == y[n] else 0.0)) / N
            for r in range(m):
                for p in range(P):
                    grad[i, r] += dF * ds(float(W[i, r] @ X[n, p]), q, rho) * X[n, p]
    return loss, grad
