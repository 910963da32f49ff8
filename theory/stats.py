"""Confidence intervals and the three-way verdict used by the claims.

- Proportions pooled over seeds: Wilson score interval (good coverage at small n and near
  0 or 1, where the normal interval fails).
- Means over seeds: Student-t interval on the per-seed values (seeds are the independent
  replicates; within-seed quantities are not). For a quantity that cannot leave a known range
  (an accuracy lies in [0, 1], a difference of accuracies in [−1, 1]) the interval is intersected
  with that range: the true mean lies in the range with certainty, so P(mean ∈ CI ∩ range) =
  P(mean ∈ CI) and the coverage is unchanged, while an interval such as [0.978, 1.009] for
  accuracies near 1 no longer pokes out of a band [0.90, 1] by construction.
- Verdict against a predicted band [lo, hi]: "holds" when the whole CI lies inside the band,
  "fails" when the whole CI lies outside it, "inconclusive" otherwise (too few seeds, or a CI
  straddling the band's edge).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as _st

CONFIDENCE = 0.95  # every CI of the claims table


def wilson(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion; None when n = 0."""
    if n <= 0:
        return None
    z = float(_st.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


ACCURACY = (0.0, 1.0)            # range of an accuracy or a proportion
ACCURACY_DIFFERENCE = (-1.0, 1.0)  # range of a difference of two accuracies


def t_interval(values, confidence: float = CONFIDENCE,
               support: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """Student-t interval for the mean of independent values; None with fewer than 2.

    ``support`` = (low, high): the range the values (hence their mean) cannot leave; the
    interval is intersected with it, which keeps its coverage (see the module docstring)."""
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        return None
    m, s = float(v.mean()), float(v.std(ddof=1))
    half = float(_st.t.ppf(0.5 + confidence / 2, v.size - 1)) * s / math.sqrt(v.size)
    lo, hi = m - half, m + half
    if support is not None:
        if not (support[0] <= v.min() and v.max() <= support[1]):
            raise ValueError(f"t_interval: values in [{v.min()}, {v.max()}] leave the support "
                             f"[{support[0]}, {support[1]}]")
        lo, hi = max(lo, support[0]), min(hi, support[1])
    return lo, hi


def band_verdict(ci: tuple[float, float] | None, lo: float, hi: float) -> str:
    """'holds' if ci ⊂ [lo, hi], 'fails' if ci ∩ [lo, hi] = ∅, else 'inconclusive'."""
    if ci is None:
        return "inconclusive"
    if lo <= ci[0] and ci[1] <= hi:
        return "holds"
    if ci[1] < lo or ci[0] > hi:
        return "fails"
    return "inconclusive"


def combine(verdicts) -> str:
    """All parts must hold for a claim to hold; any failing part fails it."""
    verdicts = list(verdicts)
    if "fails" in verdicts:
        return "fails"
    if all(v == "holds" for v in verdicts):
        return "holds"
    return "inconclusive"
