"""Convergence of dense runs to the infinite-dimension backend as d grows (issue 8, part 3).

For each seed: one run with ``dim=inf`` and dense runs at growing d with ordinary isotropic
Gaussian patch noise of the same norm s_p = σ_p·√d. With basis features the same seed gives
the same data coefficients and the same initial feature coordinates in both backends (only
the noise differs), so trajectories are compared seed by seed:

- trajectory distance: max over t, classes and views of |Λ_dense(t) − Λ_inf(t)|, relative to
  the largest Λ_inf, on the tracking points both runs have (until the earlier stop);
- the claims' measurements: fraction of classes with exactly one view learned, single-view
  test accuracy; their seed-to-seed spread in the infinite backend is the yardstick.

Usage:  python studies/infinite_convergence.py --preset quick --seeds 100 101 102 \\
            --dims 200 400 800 1600 --out runs/convergence
Prints a markdown table and writes it to OUT/convergence.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from mvt.experiment import run
from mvt.progress import reporter
from theory import presets
from theory.params import with_overrides
from theory.results import load_run


def _one(params, seed, out, label):
    if not (out / "run.json").exists():
        run(params, "single", seed, out, progress=reporter(f"[{label} seed {seed}] "))
    return load_run(out)


def _measures(r):
    m = r.record["members"][0]
    learned = np.asarray(m["learned"])
    return {"one_view": float((learned.sum(axis=1) == 1).mean()),
            "single_acc": m["test_acc_single"], "stopped_at": m["stopped_at"]}


def _distance(a, b):
    _, ia, ib = np.intersect1d(a.arrays["steps"], b.arrays["steps"], return_indices=True)
    la, lb = a.arrays["lambda_max"][ia], b.arrays["lambda_max"][ib]
    return float(np.abs(la - lb).max() / np.abs(lb).max())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102])
    ap.add_argument("--dims", type=int, nargs="+", default=[200, 400, 800, 1600])
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--out", default="runs/convergence")
    args = ap.parse_args(argv)
    out = Path(args.out)
    sets = dict(s.split("=", 1) for s in args.set)
    base = with_overrides(presets.get(args.preset), {**sets, "dim": "inf"})
    rows = []
    inf_runs = {s: _one(base, s, out / f"inf/s{s}", "d=inf") for s in args.seeds}
    inf_meas = {s: _measures(r) for s, r in inf_runs.items()}
    spread = {key: float(np.std([m[key] for m in inf_meas.values()], ddof=1)) if len(args.seeds) > 1 else float("nan")
              for key in ("one_view", "single_acc")}
    for d in args.dims:
        p = with_overrides(base, {"dim": str(d), "noise_mode": "isotropic"})
        dists, dv, da = [], [], []
        for s in args.seeds:
            r = _one(p, s, out / f"d{d}/s{s}", f"d={d}")
            m = _measures(r)
            dists.append(_distance(r, inf_runs[s]))
            dv.append(m["one_view"] - inf_meas[s]["one_view"])
            da.append(m["single_acc"] - inf_meas[s]["single_acc"])
        rows.append({"dim": d, "rel_lambda_distance": float(np.median(dists)),
                     "one_view_diff": float(np.mean(dv)), "single_acc_diff": float(np.mean(da)),
                     "within_spread": bool(abs(np.mean(dv)) <= spread["one_view"] and abs(np.mean(da)) <= spread["single_acc"])})
    lines = [f"Preset {args.preset}, seeds {args.seeds}; infinite backend: one-view fraction "
             f"{np.mean([m['one_view'] for m in inf_meas.values()]):.3f} (seed sd {spread['one_view']:.3f}), "
             f"single-view accuracy {np.mean([m['single_acc'] for m in inf_meas.values()]):.3f} (seed sd {spread['single_acc']:.3f})",
             "", "| d | median sup|Λ_d − Λ_∞| / sup Λ_∞ | Δ one-view fraction | Δ single-view acc | within seed spread |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['dim']} | {r['rel_lambda_distance']:.3f} | {r['one_view_diff']:+.3f} | "
                     f"{r['single_acc_diff']:+.3f} | {'yes' if r['within_spread'] else 'no'} |")
    text = "\n".join(lines)
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / "convergence.md").write_text(text + "\n")
    (out / "convergence.json").write_text(json.dumps({"rows": rows, "infinite": inf_meas, "spread": spread}, indent=2))


if __name__ == "__main__":
    main()
