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
from .stats import ACCURACY, ACCURACY_DIFFERENCE, band_verdict, combine, t_interval, wilson

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
    "ensemble_coverage_margin": (-0.10, 0.10, "claim 5 predicts that both views of a class are "
                                 "covered by some member w.p. about 1 − 2^{1−K} (each member learns "
                                 "one view, uniformly); 'about' read as within 0.10 of it, clipped "
                                 "to [0, 1]"),
    "ensemble_single_acc": (0.90, 1.0, "paper: ensemble single-view error ≤ 0.01 as k → ∞; at K = 5 "
                            "about 1 − 2^{1−K} ≈ 0.94 of the classes are covered and the rest stay "
                            "near a single model's 0.5–0.6, so '→ 1' is read as at least 0.90"),
    "distill_vs_ensemble": (-0.05, 1.0, "the student's accuracy 'matches' the ensemble's: its "
                            "single-view accuracy at most 0.05 below the teacher's (more is fine)"),
    "distill_both_views": (0.80, 1.0, "the student learns both views: it can only where the "
                           "ensemble covers both (≈ 1 − 2^{1−K} = 0.94 at K = 5), so read as at "
                           "least 0.80 of the classes"),
    "self_distill_both_views": (0.30, 0.70, "both views for 'about half' the classes: read as "
                                "within 0.20 of 1/2"),
    "self_distill_single_acc": (0.65, 0.85, "single-view accuracy 'about 3/4' (paper: error "
                                "≤ 0.26μ): read as within 0.10 of 3/4, as claim 1 reads '≈ 1/2'"),
    "train_average_gain": (-0.05, 0.05, "'no gain over a single model': the jointly trained "
                           "average's single-view accuracy within 0.05 of the single model's"),
    "linear_gain_helps": (0.0, 1.0, "'helps': the gain in test accuracy over one linearised "
                          "model is positive (the whole CI above 0)"),
    "linear_distill_gain": (-1.0, 0.01, "'distillation does not help': the student's gain over "
                            "one linearised model is at most 0.01 (a loss also counts as no help)"),
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


def _mean_part(name: str, values: dict[int, float], support: tuple[float, float] | None = None) -> dict:
    """Mean over seeds, its t-interval (intersected with ``support``, the range the values
    cannot leave) and the verdict against band ``name``."""
    v = list(values.values())
    ci = t_interval(v, support=support)
    return {"mean": float(np.mean(v)) if v else None, "ci": ci, "per_seed": values,
            "band": _band_range(name), "verdict": _band(name, ci)}


def _c1(runs: list[Run]) -> Measurement:
    ms = _single_models(runs)
    parts = {key: _mean_part(band, _per_seed_mean([(s, m[key]) for s, m in ms]), ACCURACY)
             for key, band in (("train_acc", "train_acc"), ("test_acc_multi", "multi_acc"),
                               ("test_acc_single", "single_acc_one_model"))}
    single = parts["test_acc_single"]
    return Measurement(single["mean"], single["ci"], len(single["per_seed"]),
                       combine(p["verdict"] for p in parts.values()),
                       {"parts": parts, "method": "Student-t 95% CI over per-seed means, intersected with [0, 1]"})


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


def _records(runs: list[Run], mode: str) -> dict[int, dict]:
    """seed → run record of ``mode`` (the last one found when a seed repeats)."""
    return {run.seed: run.record for run in runs if run.mode == mode}


def _paired(runs: list[Run], mode: str, base: str, value) -> dict[int, float]:
    """seed → value(record of mode) − value(record of base), over seeds that have both."""
    a, b = _records(runs, mode), _records(runs, base)
    return {s: float(value(a[s]) - value(b[s])) for s in sorted(set(a) & set(b))}


def _single_acc(rec: dict) -> float:
    return rec["model"]["test_acc_single"]


def _mixture_acc(rec: dict) -> float:
    """(1 − μ)·multi-view + μ·single-view test accuracy: the test distribution of SPEC §2."""
    mu = rec["params"]["data"]["single_view_frac"]
    return (1 - mu) * rec["model"]["test_acc_multi"] + mu * rec["model"]["test_acc_single"]


def _views_pairs(runs: list[Run], mode: str, count) -> list[tuple[int, int, int]]:
    """(seed, classes counted, classes) for each member of each run of ``mode``."""
    out = []
    for seed, rec in _records(runs, mode).items():
        for m in rec["members"]:
            learned = np.asarray(m["learned"], dtype=bool)  # (k, 2)
            out.append((seed, int(count(learned).sum()), learned.shape[0]))
    return out


def _proportion_part(pairs, band: str, lo_hi: tuple[float, float] | None = None) -> dict:
    hits, n = sum(h for _, h, _ in pairs), sum(t for _, _, t in pairs)
    ci = wilson(hits, n)
    lo, hi = lo_hi if lo_hi is not None else BANDS[band][:2]
    return {"mean": hits / n if n else None, "ci": ci, "successes": hits, "trials": n,
            "n_seeds": len({s for s, _, _ in pairs}), "band": [lo, hi],
            "verdict": band_verdict(ci, lo, hi), "method": "Wilson 95% CI, pooled over seeds"}


def _reported(values: dict[int, float], note: str, support: tuple[float, float] | None = None) -> dict:
    """A part that is reported with its CI but not tested (verdict None)."""
    v = list(values.values())
    return {"mean": float(np.mean(v)) if v else None, "ci": t_interval(v, support=support), "per_seed": values,
            "band": None, "verdict": None, "note": note}


def _result(parts: dict, main: str, method: str) -> Measurement:
    """Every tested part must hold for the claim to hold (``combine``); ``main`` is reported."""
    m = parts[main]
    tested = [p for p in parts.values() if p["verdict"] is not None]
    n_seeds = min((len(p["per_seed"]) if "per_seed" in p else p["n_seeds"]) for p in tested)
    return Measurement(m["mean"], m["ci"], n_seeds, combine(p["verdict"] for p in tested),
                       {"parts": parts, "main": main, "method": method})


def _c5(runs: list[Run]) -> Measurement:
    recs = _records(runs, "ensemble")
    K = {rec["params"]["train"]["n_models"] for rec in recs.values()}
    predicted = {k_: 1 - 2.0 ** (1 - k_) for k_ in K}
    p = float(np.mean(list(predicted.values()))) if predicted else float("nan")
    lo_m, hi_m, _ = BANDS["ensemble_coverage_margin"]
    pairs = []
    for seed, rec in recs.items():
        per_class = np.asarray(rec["coverage"]["per_class"], dtype=bool)
        pairs.append((seed, int(per_class.all(axis=1).sum()), per_class.shape[0]))
    cov = _proportion_part(pairs, "ensemble_coverage_margin", (max(0.0, p + lo_m), min(1.0, p + hi_m)))
    cov["predicted"] = p
    parts = {"coverage_both": cov,
             "ensemble_single_acc": _mean_part("ensemble_single_acc",
                                               {s: _single_acc(r) for s, r in recs.items()}, ACCURACY)}
    return _result(parts, "coverage_both", "coverage: Wilson over classes pooled over seeds; "
                   "accuracy: Student-t over per-seed values, intersected with [0, 1]")


def _c6(runs: list[Run]) -> Measurement:
    recs = _records(runs, "distill")
    gap = {s: _single_acc(r) - r["teacher"]["model"]["test_acc_single"] for s, r in recs.items()}
    parts = {"student_minus_ensemble_single_acc": _mean_part("distill_vs_ensemble", gap, ACCURACY_DIFFERENCE),
             "student_both_views": _proportion_part(_views_pairs(runs, "distill", lambda L: L.all(axis=1)),
                                                    "distill_both_views"),
             "student_single_acc": _reported({s: _single_acc(r) for s, r in recs.items()},
                                             "reported, not tested (the gap is)", ACCURACY)}
    return _result(parts, "student_minus_ensemble_single_acc",
                   "paired per-seed differences, Student-t; views: Wilson pooled")


def _c7(runs: list[Run]) -> Measurement:
    recs = _records(runs, "self-distill")
    parts = {"student_single_acc": _mean_part("self_distill_single_acc", {s: _single_acc(r) for s, r in recs.items()},
                                              ACCURACY),
             "student_both_views": _proportion_part(_views_pairs(runs, "self-distill", lambda L: L.all(axis=1)),
                                                    "self_distill_both_views")}
    return _result(parts, "student_single_acc", "Student-t over per-seed values; views: Wilson pooled")


def _c8(runs: list[Run]) -> Measurement:
    gain = _paired(runs, "train-average", "single", _single_acc)
    parts = {"average_minus_single_single_acc": _mean_part("train_average_gain", gain, ACCURACY_DIFFERENCE)}
    cov = {s: r["coverage"]["fraction_both"] for s, r in _records(runs, "train-average").items()}
    parts["members_coverage_both"] = _reported(cov, "classes with both views covered by some "
                                               "member, reported, not tested", ACCURACY)
    parts["average_single_acc"] = _reported({s: _single_acc(r) for s, r in _records(runs, "train-average").items()},
                                            "reported, not tested (the gain is)", ACCURACY)
    return _result(parts, "average_minus_single_single_acc",
                   "paired per-seed differences (train-average − single), Student-t")


def _c10(runs: list[Run]) -> Measurement:
    parts = {}
    for fam in ("ntk", "rf"):
        if not {r.mode for r in runs} & {f"{fam}-single"}:
            continue
        for what, band in (("ensemble", "linear_gain_helps"), ("train-average", "linear_gain_helps"),
                           ("distill", "linear_distill_gain")):
            gain = _paired(runs, f"{fam}-{what}", f"{fam}-single", _mixture_acc)
            if gain:
                part = _mean_part(band, gain, ACCURACY_DIFFERENCE)
                part["single_view_gain"] = _paired(runs, f"{fam}-{what}", f"{fam}-single", _single_acc)
                parts[f"{fam}_{what}_gain"] = part
    if not parts:
        return Measurement(None, None, 0, "inconclusive", {"parts": {}, "note": "no linearised single runs"})
    main = "ntk_distill_gain" if "ntk_distill_gain" in parts else next(iter(parts))
    return _result(parts, main, "paired per-seed differences of mixture test accuracy "
                   "(1−μ)·multi + μ·single against the family's single model, Student-t")


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
    Claim("C5", "Ensemble of K: both views of a class covered by some member w.p. about "
          "1 − 2^{1−K}; single-view test accuracy → 1",
          "coverage within 0.10 of 1 − 2^{1−K}; ensemble single-view accuracy ≥ 0.90",
          ("ensemble",), _c5),
    Claim("C6", "Distillation from the ensemble: the student learns both views and matches the "
          "ensemble's accuracy",
          "student − ensemble single-view accuracy ≥ −0.05; both views in ≥ 0.80 of classes",
          ("distill",), _c6),
    Claim("C7", "Self-distillation: both views for about half the classes, single-view "
          "accuracy about 3/4",
          "both views in [0.30, 0.70] of classes; single-view accuracy in [0.65, 0.85]",
          ("self-distill",), _c7),
    Claim("C8", "Training the average: no gain over a single model",
          "train-average − single single-view accuracy in [−0.05, 0.05]", ("train-average",), _c8),
    Claim("C10", "Linearised baselines: ensembling and training the average help, distillation "
          "does not", "gains over one linearised model: ensemble > 0, train-average > 0, "
          "distill ≤ 0.01 (mixture test accuracy)",
          ("ntk-single", "ntk-ensemble", "ntk-distill", "ntk-train-average", "rf-single",
           "rf-ensemble", "rf-distill", "rf-train-average"), _c10),
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
