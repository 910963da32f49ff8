"""Issue 9's verdict table: student accuracy against the single model, and the drive account.

Reads the student runs below the directories given (scripts/distill_transfer.py layout
``seed<S>/<variant>/<mode>``, or sweep directories of ``mvt sweep``, one variant per grid
point) and prints, per (variant, mode) over seeds: single-view test
accuracy (mean and 95% t-interval), its paired difference from the seed's single model (member 0
of the ensemble teacher, trained to its first 100% training accuracy), the fraction of classes
with both views, max Λ, and the drive account of the students' losing views (bounds.escape_table
on the saved ``drive``): escape measured vs predicted, the teacher term's share of the drive
integrated over the run, and, for views that never escape, the steps they would still need at
the drive measured at the end. Writes the table as JSON with --json.

    python scripts/distill_verdict.py runs/verdict_a runs/verdict_b --json docs/distillation_verdict.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import bounds
from theory.results import load_run, write_json
from theory.stats import t_interval
from theory.sweeps import is_sweep, load_index


def student_row(path: Path) -> dict:
    r = load_run(path)
    rec, A = r.record, r.arrays
    p = rec["params"]
    lr = p["train"]["lr"] * rec.get("lr_factor", 1.0)
    rho, q = p["network"]["threshold"], p["network"]["power"]
    lam = A["lambda_max"][:, 0]  # (T, k, 2)
    D = A["drive"]  # (T, k, 2, 4)
    steps = A["steps"]
    k = lam.shape[1]
    tab = bounds.escape_table(lam, D.sum(-1), steps, lr, rho, q)
    lose = (lam[-1, :, 1] <= lam[-1, :, 0]).astype(int)
    idx = (np.arange(k), lose)
    esc = np.isfinite(tab.escaped_at) & (tab.escaped_at > steps[0])  # escaped during the run
    ratios = (tab.escaped_at / tab.predicted)[esc]
    ratios = ratios[np.isfinite(ratios)]
    # integrated drive on the losing views by source: Σ_t D·Δt (what moved them)
    w = np.diff(steps, append=steps[-1])
    integ = np.einsum("t,tks->ks", w, D[:, idx[0], idx[1]])  # (k, 4)
    teacher = integ[:, 2:].sum()
    total = np.abs(integ).sum()
    never = ~np.isfinite(tab.escaped_at[idx])
    forecast = tab.forecast_end[idx][never]
    # Transfer by construction of the teacher: the student's initial loser (smaller Λ(0)), is it
    # known to the teacher? Knowledge transfer lifts it where the teacher knows it and not elsewhere.
    st = rec["members"][0]
    loser0 = np.argmin(np.asarray(st["lambda_init"]), axis=1)  # (k,)
    knows = (np.asarray(rec["teacher"]["coverage"]["per_class"], dtype=bool) if rec["teacher"]["mode"] == "ensemble"
             else np.asarray(rec["teacher"]["members"][0]["learned"], dtype=bool))  # (k, 2)
    known = knows[np.arange(k), loser0]
    got = np.asarray(st["learned"], dtype=bool)[np.arange(k), loser0]
    # How even the two views end: Λ_weak/Λ_strong per class with both learned. A single-view test
    # sample whose dominant view is the weak one is scored by that view against the strong views
    # of other classes seen off-class (weight Γ/2..Γ), so a learned but weak view need not help.
    lam_end = lam[-1]  # (k, 2)
    both = np.asarray(st["learned"], dtype=bool).all(axis=1)
    balance = (lam_end.min(axis=1) / lam_end.max(axis=1))[both]
    t_members = rec["teacher"]["members"]
    single = t_members[0]["test_acc_single"] if rec["teacher"]["mode"] == "ensemble" else rec["teacher"]["model"]["test_acc_single"]
    return {"path": str(path), "seed": rec["seed"], "mode": rec["mode"],
            "single_acc": rec["model"]["test_acc_single"], "train_acc": rec["model"]["train_acc"],
            "single_model_acc": single, "teacher_acc": rec["teacher"]["model"]["test_acc_single"],
            "both_views": float(np.asarray(rec["members"][0]["learned"]).all(axis=1).mean()),
            "max_lambda": float(lam[-1].max()), "n_steps": int(steps[-1]),
            "view_balance_median": float(np.median(balance)) if balance.size else None,
            "escape_ratio_median": float(np.median(ratios)) if ratios.size else None,
            "n_escaped": int(esc.sum()),
            "teacher_share_losing": float(teacher / total) if total > 0 else 0.0,
            "teacher_off_losing": float(integ[:, 3].sum()), "teacher_own_losing": float(integ[:, 2].sum()),
            "gt_losing": float(integ[:, :2].sum()),
            "losing_never": int(never.sum()),
            "loser_known": int(known.sum()), "loser_known_learned": int((known & got).sum()),
            "loser_unknown": int((~known).sum()), "loser_unknown_learned": int((~known & got).sum()),
            "forecast_median": float(np.median(forecast)) if forecast.size else None,
            "c_end_losing_median": float(np.nanmedian(tab.c_end[idx][never])) if never.any() else None}


def student_runs(d: Path) -> list[tuple[Path, str]]:
    """(run directory, variant name) of every student run below ``d``: the
    scripts/distill_transfer.py layout, or a sweep directory (``mvt sweep``), whose variant is
    its grid point written as ``name=value,...``."""
    if not is_sweep(d):
        return [(rj.parent, rj.parent.parent.name) for rj in sorted(d.glob("seed*/*/*/run.json"))]
    out = []
    for row in load_index(d)["runs"]:
        if row["status"] == "done" and row["mode"] in ("distill", "self-distill"):
            out.append((d / row["path"], ",".join(f"{k}={v}" for k, v in row["point"].items())))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--json")
    ap.add_argument("--markdown", help="write the table as markdown to this file")
    args = ap.parse_args()
    rows = []
    for d in args.dirs:
        for path, variant in student_runs(Path(d)):
            row = student_row(path)
            row["variant"] = variant
            rows.append(row)
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["variant"], r["mode"]), []).append(r)
    table = []
    for (variant, mode), rs in sorted(groups.items()):
        acc = [r["single_acc"] for r in rs]
        diff = [r["single_acc"] - r["single_model_acc"] for r in rs]
        ratios = [r["escape_ratio_median"] for r in rs if r["escape_ratio_median"] is not None]
        fc = [r["forecast_median"] for r in rs if r["forecast_median"] is not None]
        entry = {"variant": variant, "mode": mode, "seeds": sorted(r["seed"] for r in rs),
                 "single_acc": float(np.mean(acc)), "single_acc_ci": t_interval(acc),
                 "diff_vs_single": float(np.mean(diff)), "diff_ci": t_interval(diff),
                 "single_model_acc": float(np.mean([r["single_model_acc"] for r in rs])),
                 "teacher_acc": float(np.mean([r["teacher_acc"] for r in rs])),
                 "train_acc": float(np.mean([r["train_acc"] for r in rs])),
                 "both_views": float(np.mean([r["both_views"] for r in rs])),
                 "both_views_per_seed": [r["both_views"] for r in rs],
                 "max_lambda_median": float(np.median([r["max_lambda"] for r in rs])),
                 "view_balance_median": _median([r["view_balance_median"] for r in rs]),
                 "escape_over_predicted_median": float(np.median(ratios)) if ratios else None,
                 "teacher_share_losing_mean": float(np.mean([r["teacher_share_losing"] for r in rs])),
                 "losing_never_mean": float(np.mean([r["losing_never"] for r in rs])),
                 "forecast_median": float(np.median(fc)) if fc else None,
                 "n_steps": rs[0]["n_steps"], "runs": rs}
        for key in ("loser_known", "loser_known_learned", "loser_unknown", "loser_unknown_learned"):
            entry[key] = int(sum(r[key] for r in rs))
        table.append(entry)
        ci = entry["diff_ci"]
        print(f"{variant:16} {mode:12} n={len(rs)} single {entry['single_acc']:.3f} "
              f"(single model {entry['single_model_acc']:.3f}, teacher {entry['teacher_acc']:.3f}) "
              f"Δ {entry['diff_vs_single']:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}] " if ci else
              f"{variant:16} {mode:12} n={len(rs)} single {entry['single_acc']:.3f} Δ {entry['diff_vs_single']:+.3f} ",
              end="")
        print(f"train {entry['train_acc']:.3f} both {entry['both_views']:.2f} maxΛ {entry['max_lambda_median']:.1f} "
              f"weak/strong {entry['view_balance_median']} "
              f"esc/pred {entry['escape_over_predicted_median']} teacher-share(losing) "
              f"{entry['teacher_share_losing_mean']:.2f} never {entry['losing_never_mean']:.1f} "
              f"forecast {entry['forecast_median']} | initial loser learned: teacher knows it "
              f"{entry['loser_known_learned']}/{entry['loser_known']}, does not {entry['loser_unknown_learned']}/{entry['loser_unknown']}")
    if args.json:
        write_json(Path(args.json), _finite(table))
    if args.markdown:
        Path(args.markdown).write_text(markdown(table))


def _median(values):
    v = [x for x in values if x is not None]
    return float(np.median(v)) if v else None


def _finite(obj):
    """JSON-safe copy: NaN → None, ±inf → "inf" / "-inf"."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None if np.isnan(obj) else ("inf" if obj > 0 else "-inf")
    return obj


def _ci(ci) -> str:
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else "(n = 1)"


def markdown(table: list[dict]) -> str:
    """The verdict table as markdown, one row per (variant, mode)."""
    head = ("| variant | mode | seeds | steps | single (student) | single model | teacher | Δ vs single [95% CI] "
            "| both views | median max Λ | loser learned: teacher knows / does not | losing views never escaped "
            "| median forecast (steps) |\n|" + "---|" * 13 + "\n")
    rows = []
    for e in table:
        ci = e["single_acc_ci"]
        fc = e["forecast_median"]
        rows.append(
            f"| {e['variant']} | {e['mode']} | {','.join(map(str, e['seeds']))} | {e['n_steps']} | "
            f"{e['single_acc']:.3f} {'[%.3f, %.3f]' % tuple(ci) if ci else ''} | {e['single_model_acc']:.3f} | "
            f"{e['teacher_acc']:.3f} | {e['diff_vs_single']:+.3f} {_ci(e['diff_ci'])} | {e['both_views']:.2f} | "
            f"{e['max_lambda_median']:.3g} | {e['loser_known_learned']}/{e['loser_known']} · "
            f"{e['loser_unknown_learned']}/{e['loser_unknown']} | {e['losing_never_mean']:.1f} / 10 | "
            f"{'—' if fc is None else ('∞' if fc == float('inf') else f'{fc:.2g}')} |")
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    main()
