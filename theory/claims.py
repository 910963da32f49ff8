"""The paper's claims (SPEC §5) as data: what each predicts and how it is measured.

Each :class:`Claim` reads loaded runs (``theory.results.Run``: the JSON record and arrays)
and returns a :class:`Measurement` with a confidence interval and a verdict from
``theory.stats.band_verdict``: the claim *holds* when the CI lies inside its predicted band,
*fails* when the CI lies outside it, and is *inconclusive* otherwise. Later claims are added
by appending to ``CLAIMS``; the checker never changes.

The bands turn the paper's asymptotic statements ("≈ 1/2", "1 − o(1)") into finite-k tests;
each carries its reason in ``BANDS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .results import Run
from .stats import band_verdict, combine, t_interval, wilson

# (low, high, reason) for every predicted band.
BANDS: dict[str, tuple[float, float, str]] = {
    "train_acc": (0.99, 1.0, "the paper's training accuracy is exactly 1; 0.99 allows one "
                  "misfit sample in a hundred"),
    "multi_acc": (0.95, 1.0, "multi-view test accuracy 1 − o(1): read as at least 0.95 at k ≈ 10"),
    "single_acc_one_model": (0.40, 0.60, "paper: single-view error in [0.49, 0.51] as k → ∞; at "
                             "k ≈ 10 the faint view (weight ρ..c_faint·ρ) and off-class features "
                             "move the accuracy by O(0.1), so '≈ 1/2' is read as within 0.1"),
    "fraction_one_view": (0.90, 1.0, "|M| ≥ k(1 − o(1)): read as at least 90% of classes at "
                          "k ≈ 10 (one class in ten may miss)"),
    "lottery_agreement": (0.90, 1.0, "every class in M learns its M view: read as at least 90%, "
                          "as for the fraction of one-view classes"),
    "memorisation_ratio": (1.0, math.inf, "lost single-view samples must carry more noise "
                           "correlation than multi-view samples (ratio > 1) to be memorised"),
}


@dataclass
class Measurement:
    """One claim's measurement over a set of runs."""

    measured: float | None
    ci: tuple[float, float] | None
    n_seeds: int
    verdict: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    predicted: str
    modes: tuple[str, ...]  # run modes whose members it reads
    evaluate: Callable[[list[Run]], Measurement]


def _single_models(runs: list[Run]) -> list[tuple[int, dict]]:
    """(seed, member summary) for every single model trained on the cross-entropy."""
    out = []
    for run in runs:
        if run.mode == "single":
            out.extend((run.seed, m) for m in run.record["members"])
    return out


def _per_seed_mean(pairs: list[tuple[int, float]]) -> dict[int, float]:
    by: dict[int, list[float]] = {}
    for seed, v in pairs:
        by.setdefault(seed, []).append(v)
    return {s: float(np.mean(v)) for s, v in sorted(by.items())}


def _band_range(name: str) -> list:
    """[low, high] of a band for JSON (an unbounded side is None)."""
    lo, hi, _ = BANDS[name]
    return [None if math.isinf(lo) else lo, None if math.isinf(hi) else hi]


def _band(name: str, ci) -> str:
    lo, hi, _ = BANDS[name]
    return band_verdict(ci, lo, hi)


def _mean_part(name: str, values: dict[int, float]) -> dict:
    """Mean over seeds, its t-interval and the verdict against band ``name``."""
    v = list(values.values())
    ci = t_interval(v)
    return {"mean": float(np.mean(v)) if v else None, "ci": ci, "per_seed": values,
            "band": _band_range(name), "verdict": _band(name, ci)}


def _c1(runs: list[Run]) -> Measurement:
    ms = _single_models(runs)
    parts = {key: _mean_part(band, _per_seed_mean([(s, m[key]) for s, m in ms]))
             for key, band in (("train_acc", "train_acc"), ("test_acc_multi", "multi_acc"),
                               ("test_acc_single", "single_acc_one_model"))}
    single = parts["test_acc_single"]
    return Measurement(single["mean"], single["ci"], len(single["per_seed"]),
                       combine(p["verdict"] for p in parts.values()),
                       {"parts": parts, "method": "Student-t 95% CI over per-seed means"})


def _proportion(pairs: list[tuple[int, int, int]], band: str, method: str) -> Measurement:
    """Pooled proportion (Wilson) from (seed, successes, trials) triples."""
    hits = sum(h for _, h, _ in pairs)
    n = sum(t for _, _, t in pairs)
    ci = wilson(hits, n)
    per_seed: dict[int, list[int]] = {}
    for s, h, t in pairs:
        acc = per_seed.setdefault(s, [0, 0])
        acc[0] += h
        acc[1] += t
    return Measurement(hits / n if n else None, ci, len(per_seed), _band(band, ci),
                       {"successes": hits, "trials": n, "band": _band_range(band),
                        "per_seed": {s: h / t if t else None for s, (h, t) in sorted(per_seed.items())},
                        "method": method})


def _c2(runs: list[Run]) -> Measurement:
    pairs = []
    for seed, m in _single_models(runs):
        learned = np.asarray(m["learned"], dtype=bool)  # (k, 2)
        pairs.append((seed, int((learned.sum(axis=1) == 1).sum()), learned.shape[0]))
    return _proportion(pairs, "fraction_one_view",
                       "Wilson 95% CI, classes pooled over seeds and models")


def _c3(runs: list[Run]) -> Measurement:
    pairs = []
    for seed, m in _single_models(runs):
        M = np.asarray(m["lottery"], dtype=bool)  # (k, 2)
        learned = np.asarray(m["learned"], dtype=bool)
        in_m = M.any(axis=1)
        agree = (M & learned & ~learned[:, ::-1]).any(axis=1)
        pairs.append((seed, int((agree & in_m).sum()), int(in_m.sum())))
    return _proportion(pairs, "lottery_agreement",
                       "Wilson 95% CI over classes in M, pooled over seeds and models")


def _c4(runs: list[Run]) -> Measurement:
    ratios = []
    for seed, m in _single_models(runs):
        mem = m["memorisation"]
        lost, multi = mem["single_lost"]["mean"], mem["multi"]["mean"]
        if lost is not None and multi is not None and multi > 0:
            ratios.append((seed, lost / multi))
    part = _mean_part("memorisation_ratio", _per_seed_mean(ratios))
    return Measurement(part["mean"], part["ci"], len(part["per_seed"]), part["verdict"],
                       {"per_seed": part["per_seed"], "band": _band_range("memorisation_ratio"),
                        "method": "Student-t 95% CI over per-seed means of "
                                  "mean_lost max<w_y,ξ> / mean_multi max<w_y,ξ> at the end"})


CLAIMS: list[Claim] = [
    Claim("C1", "Single model: training accuracy 1, multi-view test accuracy ≈ 1, single-view "
          "test accuracy ≈ 1/2", "train ≥ 0.99, multi-view ≥ 0.95, single-view in [0.40, 0.60]",
          ("single",), _c1),
    Claim("C2", "Single model: exactly one view learned for almost every class",
          "fraction of classes with exactly one learned view ≥ 0.90", ("single",), _c2),
    Claim("C3", "The view a class learns is decided at initialisation (lottery set M)",
          "for classes in M, the M view learned and the other not, in ≥ 0.90 of them",
          ("single",), _c3),
    Claim("C4", "Single-view samples whose dominant view lost are fitted by memorising noise",
          "noise correlation of lost single-view samples / multi-view samples > 1",
          ("single",), _c4),
]


def evaluate_all(runs: list[Run], claims: list[Claim] | None = None) -> list[dict]:
    """The claims table: one dict per claim that has runs of its modes (INTERFACE.md format).

    ``claims`` defaults to ``CLAIMS``; packages above theory (bounds) add their own.
    """
    rows = []
    modes = {r.mode for r in runs}
    for claim in sorted(CLAIMS if claims is None else claims, key=lambda c: int(c.id[1:])):
        if not modes.intersection(claim.modes):
            continue
        m = claim.evaluate(runs)
        rows.append({"id": claim.id, "statement": claim.statement, "predicted": claim.predicted,
                     "measured": m.measured, "ci": list(m.ci) if m.ci is not None else None,
                     "n_seeds": m.n_seeds, "verdict": m.verdict, "details": m.details})
    return rows
