"""The mechanism numbers behind docs/findings.md, read from a `mvt reproduce` directory.

Per seed (Markdown tables on stdout):

- single model: step of first 100% training accuracy, classes with one / both / no view, the
  smallest winning Λ at the end (a late class stopped just after take-off) and the multi- and
  single-view test accuracy;
- students (distill, self-distill): largest Λ at the end against the teacher members' largest
  (the runaway of the `spec` reading, docs/modes.md), classes with both views, training and
  test accuracy;
- train-average: views per member (how the members split the views) and the coverage;
- wall time of every mode (the runs' own timings; they depend on the machine's load).

    python scripts/findings_numbers.py runs/paper
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def _load(d: Path, mode: str) -> dict | None:
    p = d / mode / "run.json"
    return json.loads(p.read_text()) if p.exists() else None


def _views(m: dict) -> np.ndarray:
    return np.asarray(m["learned"], dtype=bool)  # (k, 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", help="directory written by mvt reproduce (seed<S>/<mode>/run.json)")
    args = ap.parse_args(argv)
    seeds = sorted(Path(args.suite).glob("seed*"), key=lambda p: int(p.name[4:]))

    print("| seed | stop step | one / both / none | min winning Λ | multi | single |")
    print("|---|---|---|---|---|---|")
    for d in seeds:
        r = _load(d, "single")
        if r is None:
            continue
        m = r["members"][0]
        L = _views(m)
        lam = np.asarray(m["lambda_final"])  # (k, 2)
        win = lam.max(axis=1)
        print(f"| {d.name[4:]} | {m['stopped_at']} | {(L.sum(1) == 1).sum()} / {(L.sum(1) == 2).sum()} / "
              f"{(L.sum(1) == 0).sum()} | {win.min():.3f} | {r['model']['test_acc_multi']:.3f} | "
              f"{r['model']['test_acc_single']:.3f} |")

    print("\n| seed | mode | student max Λ | teacher max Λ | both views | train | multi | single |")
    print("|---|---|---|---|---|---|---|---|")
    for d in seeds:
        for mode in ("distill", "self-distill"):
            r = _load(d, mode)
            if r is None:
                continue
            s = r["members"][0]
            t_max = max(float(np.max(tm["lambda_final"])) for tm in r["teacher"]["members"])
            print(f"| {d.name[4:]} | {mode} | {float(np.max(s['lambda_final'])):.1f} | {t_max:.2f} | "
                  f"{_views(s).all(axis=1).mean():.2f} | {r['model']['train_acc']:.3f} | "
                  f"{r['model']['test_acc_multi']:.3f} | {r['model']['test_acc_single']:.3f} |")

    print("\n| seed | train-average: views per member (classes with 0/1/2) | coverage both | none | "
          "stop step | single-view acc |")
    print("|---|---|---|---|---|---|")
    for d in seeds:
        r = _load(d, "train-average")
        if r is None:
            continue
        per = []
        for m in r["members"]:
            n = _views(m).sum(axis=1)
            per.append(f"{(n == 0).sum()}/{(n == 1).sum()}/{(n == 2).sum()}")
        stop = r["members"][0]["stopped_at"]
        print(f"| {d.name[4:]} | {' '.join(per)} | {r['coverage']['fraction_both']:.2f} | "
              f"{r['coverage']['fraction_none']:.2f} | {stop} | {r['model']['test_acc_single']:.3f} |")

    print("\n| seed | " + " | ".join(["mode", "seconds"]) + " |")
    print("|---|---|---|")
    for d in seeds:
        tot = 0.0
        for run in sorted(d.glob("*/run.json")):
            t = json.loads(run.read_text())["timings"]["total"]
            tot += t
        print(f"| {d.name[4:]} | all modes (sum of run timings) | {tot:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
