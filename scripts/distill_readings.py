"""Compare the readings of the distillation update on one preset and seed set.

For each seed, the ensemble teacher (and the single-model teacher) are trained once and the
student is trained under each reading: the truncated update with truncation = spec / bounded /
none, and the Hinton objective. Prints, per reading and mode, the student's single-view and
multi-view test accuracy, the fraction of classes with both views learned and max Λ at the end
(how far the weights grew).

    python scripts/distill_readings.py --preset quick --seeds 0 --out runs/readings
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from mvt.cli import resolve_params
from mvt.experiment import run

READINGS = {
    "spec": {"distill_form": "truncated", "truncation": "spec"},
    "bounded": {"distill_form": "truncated", "truncation": "bounded"},
    "none": {"distill_form": "truncated", "truncation": "none"},
    "hinton": {"distill_form": "hinton"},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--modes", nargs="+", default=["distill", "self-distill"])
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = []
    for seed in args.seeds:
        cache: dict = {}
        for name, over in READINGS.items():
            params = resolve_params(args.preset, args.set + [f"{k}={v}" for k, v in over.items()])
            for mode in args.modes:
                out = Path(args.out) / f"seed{seed}" / name / mode
                if not (out / "run.json").exists():
                    run(params, mode, seed, out, preset=args.preset, cache=cache)
                rec = json.loads((out / "run.json").read_text())
                st = rec["members"][0]
                learned = np.asarray(st["learned"], dtype=bool)
                rows.append((seed, name, mode, rec["model"]["test_acc_single"], rec["model"]["test_acc_multi"],
                             float(learned.all(axis=1).mean()), float(np.max(st["lambda_final"])),
                             rec["teacher"]["model"]["test_acc_single"]))
                print(f"seed {seed} {name:8} {mode:13} single {rows[-1][3]:.3f} multi {rows[-1][4]:.3f} "
                      f"both-views {rows[-1][5]:.2f} maxΛ {rows[-1][6]:9.2f} (teacher single {rows[-1][7]:.3f})",
                      flush=True)


if __name__ == "__main__":
    main()
