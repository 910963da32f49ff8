"""``mvt check``: the claims table over a set of runs, printed and written to claims.json."""

from __future__ import annotations

from pathlib import Path

from bounds import C9
from theory import figure1
from theory.claims import CLAIMS, evaluate_all
from theory.results import find_runs, write_json
from theory.sweeps import claims_per_point, is_sweep


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.3f}"


def format_table(rows: list[dict]) -> str:
    """A fixed-width table: id, verdict, measured [CI], seeds, prediction."""
    lines = [f"{'claim':5}  {'verdict':12}  {'measured':8}  {'95% CI':17}  {'seeds':5}  predicted",
             "-" * 100]
    for r in rows:
        ci = "—" if r["ci"] is None else f"[{r['ci'][0]:.3f}, {r['ci'][1]:.3f}]"
        lines.append(f"{r['id']:5}  {r['verdict']:12}  {_fmt(r['measured']):8}  {ci:17}  "
                     f"{r['n_seeds']:5}  {r['predicted']}")
        lines.append(f"{'':5}  {r['statement']}")
    return "\n".join(lines)


def check_sweep(sweep_dir: Path, out: Path | None = None) -> tuple[list[list[dict]], str]:
    """The claims per point of a sweep: claims.json is one list per point (INTERFACE.md)."""
    per_point, groups = claims_per_point(sweep_dir, CLAIMS + [C9])
    texts = []
    for rows, (pid, point, runs) in zip(per_point, groups):
        where = ", ".join(f"{k}={v}" for k, v in point.items())
        texts.append(f"point {pid} [{where}]: {len(runs)} runs, seeds "
                     f"{sorted({r.seed for r in runs})}\n" + format_table(rows))
    target = Path(out or sweep_dir) / "claims.json"
    write_json(target, per_point)
    return per_point, "\n\n".join(texts) + f"\n{len(per_point)} points; wrote {target}"


def check(dirs: list[Path], out: Path | None = None) -> tuple[list[dict], str]:
    """Evaluate every applicable claim over the runs found below ``dirs``; write claims.json
    and figure1.json (the accuracy table of the paper's Figure 1) side by side.

    A single sweep directory is checked point by point (:func:`check_sweep`).
    """
    if len(dirs) == 1 and is_sweep(dirs[0]):
        return check_sweep(dirs[0], out)
    runs = find_runs(dirs)
    rows = evaluate_all(runs, CLAIMS + [C9])
    target = (out or (dirs[0] if dirs[0].is_dir() else dirs[0].parent))
    write_json(Path(target) / "claims.json", rows)
    fig = figure1.table(runs)
    write_json(Path(target) / "figure1.json", fig)
    seeds = sorted({r.seed for r in runs})
    head = f"{len(runs)} runs, modes {sorted({r.mode for r in runs})}, seeds {seeds}"
    return rows, (head + "\n" + format_table(rows) + "\n\n" + figure1.format_table(fig)
                  + f"\nwrote {Path(target) / 'claims.json'} and {Path(target) / 'figure1.json'}")
