"""float32 against float64 on a realistic run: Λ trajectories, learned views, stop steps, time.

For each seed, the same ``mvt run`` (mode single, a preset, default ``quick``) is made twice,
with ``dtype=float64`` and ``dtype=float32``, and the two runs are compared:

- Λ_{i,l}(t) (``lambda_max``, tracked every ``track_every`` steps): the largest absolute
  difference over the common tracking points, and relative to max Λ;
- the learned views (Λ_final > learned_threshold): number of (class, view) pairs that differ;
- the step at which the model stopped (first 100% training accuracy);
- test accuracies (multi-view, single-view) and training wall time.

Usage::

    python bench/float32_check.py --seeds 0 1 2 3 4 [--preset quick] [--out bench/results/float32.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout

from mvt.experiment import run  # noqa: E402
from theory import presets  # noqa: E402
from theory.params import with_overrides  # noqa: E402
from theory.results import load_run  # noqa: E402


def compare(preset: str, seed: int, mode: str = "single") -> dict:
    """Run ``preset`` at ``seed`` in both dtypes and return the differences."""
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for dt in ("float64", "float32"):
            params = with_overrides(presets.get(preset), {"dtype": dt})
            out = run(params, mode, seed, Path(tmp) / dt, preset=preset)
            runs[dt] = load_run(out)
    r64, r32 = runs["float64"], runs["float32"]
    lam64, lam32 = r64.arrays["lambda_max"], r32.arrays["lambda_max"]  # (T, K, k, 2)
    T = min(lam64.shape[0], lam32.shape[0])
    diff = np.abs(lam64[:T] - lam32[:T])
    m64, m32 = r64.record["members"], r32.record["members"]
    learned_diff = sum(int(np.sum(np.asarray(a["learned"]) != np.asarray(b["learned"])))
                       for a, b in zip(m64, m32))
    return {
        "seed": seed,
        "lambda_maxabs": float(diff.max()),
        "lambda_rel": float(diff.max() / np.abs(lam64[:T]).max()),
        "learned_diff": learned_diff,
        "n_views": int(sum(np.asarray(a["learned"]).size for a in m64)),
        "stop64": [a["stopped_at"] for a in m64],
        "stop32": [b["stopped_at"] for b in m32],
        "single64": r64.record["model"]["test_acc_single"],
        "single32": r32.record["model"]["test_acc_single"],
        "multi64": r64.record["model"]["test_acc_multi"],
        "multi32": r32.record["model"]["test_acc_multi"],
        "train_s64": r64.record["timings"].get("train_single", float("nan")),
        "train_s32": r32.record["timings"].get("train_single", float("nan")),
    }


def table(rows: list[dict], preset: str) -> str:
    lines = [f"float32 vs float64, preset `{preset}`, mode single", "",
             "| seed | max abs ΔΛ | max ΔΛ / max Λ | learned views differing | stop f64 | stop f32 "
             "| single-view acc f64 / f32 | multi-view acc f64 / f32 | train s f64 / f32 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['seed']} | {r['lambda_maxabs']:.2e} | {r['lambda_rel']:.2e} | "
            f"{r['learned_diff']} / {r['n_views']} | {r['stop64']} | {r['stop32']} | "
            f"{r['single64']:.3f} / {r['single32']:.3f} | {r['multi64']:.3f} / {r['multi32']:.3f} | "
            f"{r['train_s64']:.1f} / {r['train_s32']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = []
    for s in args.seeds:
        rows.append(compare(args.preset, s))
        print(f"# seed {s} done", file=sys.stderr, flush=True)
    text = table(rows, args.preset)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
