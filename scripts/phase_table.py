"""The phase-diagram table of a sweep: one row per point, one column per claim.

Reads SWEEPDIR/claims.json as written by ``mvt check SWEEPDIR`` (one list of claim rows per
point) and prints a Markdown table: the swept parameters of the point, then for each claim its
verdict (H holds, F fails, ? inconclusive) and measured value. Extra columns from the parts of
C1 (single-view accuracy), C2 (fraction of one-view classes) and C5 (ensemble single-view
accuracy) are what the findings discuss.

``--views`` prints instead the mechanism behind C1-C4 per point, read from the single-model
runs of the sweep (SWEEPDIR/index.json and each run's run.json, no `mvt check` needed): stop
step (mean over the runs that reached 100% training accuracy, with how many did when not all),
classes with one / both / no learned view summed over seeds, multi- and single-view test
accuracy, the mean noise correlation of multi-view and of lost single-view samples (the two
terms of C4's memorisation ratio), and of the classes with both views how many have them in one
neuron (some w_{j,r} with <w_{j,r}, v_{j,1}> and <w_{j,r}, v_{j,2}> both at or above the learned
threshold at the last tracked step): two neurons are a lottery near-tie, one neuron is the
second view grown inside the winner.

    python scripts/phase_table.py results/phase --out docs/phase_table.md
    python scripts/phase_table.py results/phase_d --views
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from theory.sweeps import load_index

LETTER = {"holds": "H", "fails": "F", "inconclusive": "?"}


def _order(value) -> tuple:
    """Sort key of a swept value: numbers (and "inf") by size, then anything else as text."""
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (1, str(value))


def _cell(row: dict | None) -> str:
    if row is None:
        return ""
    m = row["measured"]
    return f"{LETTER.get(row['verdict'], row['verdict'])} {'—' if m is None else f'{m:.2f}'}"


def table(per_point: list[list[dict]]) -> str:
    points = [rows for rows in per_point if rows]
    if not points:
        return "(no points with claims)"
    names = list(points[0][0]["point"])
    claims = []
    for rows in points:
        for r in rows:
            if r["id"] not in claims:
                claims.append(r["id"])
    claims.sort(key=lambda c: int(c[1:]))
    head = "| " + " | ".join(names + ["seeds"] + claims) + " |"
    lines = [head, "|" + "---|" * (len(names) + 1 + len(claims))]
    for rows in sorted(points, key=lambda rs: [_order(rs[0]["point"][n]) for n in names]):
        by = {r["id"]: r for r in rows}
        seeds = max(r["n_seeds"] for r in rows)
        vals = [str(rows[0]["point"][n]) for n in names] + [str(seeds)] + [_cell(by.get(c)) for c in claims]
        lines.append("| " + " | ".join(vals) + " |")
    return "\n".join(lines)


def _both_in_one_neuron(run_dir: Path, learned: list[list[bool]], threshold: float) -> int:
    """Classes with both views learned whose two views sit in one neuron at the last tracked step."""
    proj = np.load(run_dir / "trajectories.npz")["feature_proj"][-1, 0]  # (k, m, 2k)
    count = 0
    for j, views in enumerate(learned):
        if all(views):
            count += int(np.any((proj[j, :, 2 * j] >= threshold) & (proj[j, :, 2 * j + 1] >= threshold)))
    return count


def _single_members(sweep: Path) -> dict[str, tuple[dict, list[tuple[int, dict, int]]]]:
    """point_id -> (point, [(seed, member record, both-views-in-one-neuron count)]) of finished single runs."""
    index = load_index(sweep)
    by_point: dict[str, tuple[dict, list[tuple[int, dict, int]]]] = {}
    for run in index["runs"]:
        if run["mode"] != "single" or run["status"] != "done":
            continue
        run_dir = sweep / run["path"]
        record = json.loads((run_dir / "run.json").read_text())
        member = record["members"][0]
        threshold = record["params"]["train"]["learned_threshold"]
        one = _both_in_one_neuron(run_dir, member["learned"], threshold)
        entry = by_point.setdefault(run["point_id"], (run["point"], []))
        entry[1].append((run["seed"], member, one))
    return by_point


def _stop_cell(stops: list[int]) -> str:
    """Mean step of first 100% training accuracy over the runs that reached it (-1 = never)."""
    reached = [t for t in stops if t >= 0]
    if not reached:
        return "never"
    step = sum(reached) / len(reached)
    text = f"{step:.0f}" if step >= 100 else f"{step:.3g}"
    return text if len(reached) == len(stops) else f"{text} ({len(reached)} of {len(stops)})"


def views_table(sweep: Path) -> str:
    """Per point: the learned-view counts, stop step, accuracies and noise correlations."""
    by_point = _single_members(sweep)
    if not by_point:
        return "(no finished single-model runs)"
    names = list(next(iter(by_point.values()))[0])
    cols = ["seeds", "stop step", "one/both/none", "both in one neuron", "multi acc", "single acc",
            "noise corr multi", "noise corr lost"]
    lines = ["| " + " | ".join(names + cols) + " |", "|" + "---|" * (len(names) + len(cols))]
    for point, members in sorted(by_point.values(), key=lambda e: [_order(e[0][n]) for n in names]):
        views = [sum(row) for _, m, _ in members for row in m["learned"]]
        mem = [m["memorisation"] for _, m, _ in members]
        lost = [g["single_lost"]["mean"] for g in mem if g["single_lost"]["count"] > 0]

        def mean(xs: list[float]) -> str:
            return f"{sum(xs) / len(xs):.3g}" if xs else "—"

        vals = [str(point[n]) for n in names] + [
            str(len(members)),
            _stop_cell([m["stopped_at"] for _, m, _ in members]),
            f"{views.count(1)}/{views.count(2)}/{views.count(0)}",
            f"{sum(one for _, _, one in members)} of {views.count(2)}",
            mean([m["test_acc_multi"] for _, m, _ in members]),
            mean([m["test_acc_single"] for _, m, _ in members]),
            mean([g["multi"]["mean"] for g in mem]),
            mean(lost),
        ]
        lines.append("| " + " | ".join(vals) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", help="sweep directory holding claims.json (run `mvt check SWEEPDIR` first)")
    ap.add_argument("--out", default=None, help="also write the table to this file")
    ap.add_argument("--views", action="store_true",
                    help="the learned-view counts and noise correlations of the single-model runs instead")
    args = ap.parse_args(argv)
    if args.views:
        text = views_table(Path(args.sweep))
        print(text)
        if args.out:
            Path(args.out).write_text(text + "\n")
        return 0
    path = Path(args.sweep) / "claims.json"
    if not path.exists():
        raise SystemExit(f"{path}: not found; run `mvt check {args.sweep}` first")
    text = table(json.loads(path.read_text()))
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
