"""C10's distillation part against a same-length control (issue 6).

The linearised students (``ntk-distill``, ``ntk-self-distill``) run ``linear_steps`` fixed steps;
the family's single model stops at its first 100% training accuracy (tens of steps). C10 compares
the two, so part of any "distillation gain" is longer training. The control is the same single
model trained ``linear_steps`` steps without stopping::

    for s in 0 1 2 3 4; do
      mvt run --mode ntk-single --preset paper --seed $s --set stop_at_full_accuracy=false \\
          --out runs/ntk_ctrl/seed$s
    done
    python scripts/linear_control.py runs/paper runs/ntk_ctrl --family ntk

Prints, per seed and as paired Student-t 95% intervals over seeds, the mixture test accuracy
(1 − μ)·multi + μ·single (C10's measure) of the stopped single model, the control, the student
and the self-distilled student.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from theory.stats import t_interval


def mixture(path: Path) -> float:
    r = json.loads((path / "run.json").read_text())
    mu = r["params"]["data"]["single_view_frac"]
    return (1 - mu) * r["model"]["test_acc_multi"] + mu * r["model"]["test_acc_single"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", help="mvt reproduce directory (seed<S>/<mode>/)")
    ap.add_argument("control", help="directory of control runs seed<S>/ (mvt run --out)")
    ap.add_argument("--family", default="ntk", choices=["ntk", "rf"])
    args = ap.parse_args()
    suite, control, fam = Path(args.suite), Path(args.control), args.family
    rows = []
    for c in sorted(control.glob("seed*/run.json")):
        seed = c.parent.name
        s = suite / seed
        rows.append([mixture(s / f"{fam}-single"), mixture(c.parent), mixture(s / f"{fam}-distill"),
                     mixture(s / f"{fam}-self-distill")])
        print(f"{seed}: stopped single {rows[-1][0]:.3f}  control {rows[-1][1]:.3f}  "
              f"distill {rows[-1][2]:.3f}  self-distill {rows[-1][3]:.3f}")
    a = np.array(rows)
    if len(a) < 2:
        raise SystemExit(f"need control runs of at least 2 seeds below {control}, found {len(a)}")
    for name, diff in (("control − stopped single", a[:, 1] - a[:, 0]),
                       ("distill − control", a[:, 2] - a[:, 1]),
                       ("self-distill − control", a[:, 3] - a[:, 1])):
        lo, hi = t_interval(diff)
        print(f"{name:26} {diff.mean():+.3f} [{lo:+.3f}, {hi:+.3f}]  (n = {len(diff)})")


if __name__ == "__main__":
    main()
