"""``mvt check``: the claims table over a set of runs, printed and written to claims.json."""

from __future__ import annotations

from pathlib import Path

from theory import figure1
from theory.claims import evaluate_all
from theory.results import find_runs, write_json


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


def check(dirs: list[Path], out: Path | None = None) -> tuple[list[dict], str]:
    """Evaluate every applicable claim over the runs found below ``dirs``; write claims.json
    and figure1.json (the accuracy table of the paper's Figure 1) side by side."""
    runs = find_runs(dirs)
    rows = evaluate_all(runs)
    target = (out or (dirs[0] if dirs[0].is_dir() else dirs[0].parent))
    write_json(Path(target) / "claims.json", rows)
    fig = figure1.table(runs)
    write_json(Path(target) / "figure1.json", fig)
    seeds = sorted({r.seed for r in runs})
    head = f"{len(runs)} runs, modes {sorted({r.mode for r in runs})}, seeds {seeds}"
    return rows, (head + "\n" + format_table(rows) + "\n\n" + figure1.format_table(fig)
                  + f"\nwrote {Path(target) / 'claims.json'} and {Path(target) / 'figure1.json'}")
