"""Sequences that obey the tensor-power recurrences of SPEC §6, for tests and examples.

Symbols: q power, η lr, S strength, C_t drive, A level; a_t = η·C_t·x_t^{q-2} is the
per-step quantity that the side condition a_t <= δ caps.

:func:`simulate_pair` runs

    x_{t+1} = x_t + η·C_t·x_t^{q-1}·(1 + e_t),      e_t >= 0  (x grows at least as required)
    y_{t+1} = y_t + η·S·C_t·y_t^{q-1}·f_t,          f_t in [0, 1] (y grows at most as allowed)

until x reaches A. e = 0 and f = 1 is the worst case for the bound on y_{T_x} (x as slow
and y as fast as the inequalities allow); other e, f are the slack variants. The drive is
given either directly (C_t) or through a_t, i.e. C_t = a_t/(η·x_t^{q-2}), which keeps the
side condition exact and the number of steps about log(A/x_0)/log(1 + a).

The loop is plain Python over floats: these are scalar recurrences of at most a few
thousand steps, and a step depends on the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairRun:
    """One run of the recurrence pair.

    Attributes
    ----------
    x, y : ndarray, shape (n_steps + 1,)
        Winner and loser, x[0] = x_0, y[0] = y_0; the last entry is at T_x if ``reached``.
    drive : ndarray, shape (n_steps,)
        The drives C_t used.
    reached : bool
        Whether x reached the level (then n_steps = T_x).
    step_cap : float
        Realised max_{t<T_x} η·C_t·x_t^{q-2}: the smallest δ for which the side condition
        holds on this run (0 if T_x = 0).
    """

    x: np.ndarray
    y: np.ndarray
    drive: np.ndarray
    reached: bool
    step_cap: float


def simulate_pair(power, lr, strength, x0, y0, level, *, drive=None, step=None,
                  x_excess=None, y_share=None):
    """Iterate the recurrence pair from (x_0, y_0) until x >= level or the inputs run out.

    Parameters
    ----------
    power, lr, strength : float
        q > 2, η > 0, S > 0.
    x0, y0, level : float
        Positive starts and the level A.
    drive : array_like, shape (n_max,), optional
        C_t >= 0 for t = 0, 1, ...; exactly one of ``drive`` and ``step`` is given.
    step : array_like, shape (n_max,), optional
        a_t >= 0; the drive is then C_t = a_t/(η·x_t^{q-2}).
    x_excess : array_like, shape (n_max,), optional
        e_t >= 0 (default 0: x at equality).
    y_share : array_like, shape (n_max,), optional
        f_t in [0, 1] (default 1: y at equality).

    Returns
    -------
    PairRun
    """
    if (drive is None) == (step is None):
        raise ValueError("give exactly one of drive (C_t) and step (a_t)")
    schedule = [float(v) for v in (drive if drive is not None else step)]
    n_max = len(schedule)
    excess = [0.0] * n_max if x_excess is None else [float(v) for v in x_excess]
    share = [1.0] * n_max if y_share is None else [float(v) for v in y_share]
    q, eta, S = float(power), float(lr), float(strength)
    x, y = float(x0), float(y0)
    xs, ys, cs = [x], [y], []
    cap = 0.0
    for t in range(n_max):
        if x >= level:
            break
        c = schedule[t] if drive is not None else schedule[t] / (eta * x ** (q - 2))
        cap = max(cap, eta * c * x ** (q - 2))
        x, y = (x + eta * c * x ** (q - 1) * (1.0 + excess[t]),
                y + eta * S * c * y ** (q - 1) * share[t])
        xs.append(x)
        ys.append(y)
        cs.append(c)
    return PairRun(x=np.array(xs), y=np.array(ys), drive=np.array(cs), reached=x >= level,
                   step_cap=cap)
