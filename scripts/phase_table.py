"""The phase-diagram table of a sweep: one row per point, one column per claim.

Reads SWEEPDIR/claims.json as written by ``mvt check SWEEPDIR`` (one list of claim rows per
point) and prints a Markdown table: the swept parameters of the point, then for each claim its
verdict (H holds, F fails, ? inconclusive) and measured value. Extra columns from the parts of
C1 (single-view accuracy), C2 (fraction of one-view classes) and C5 (ensemble single-view
accuracy) are what the findings discuss.

    python scripts/phase_table.py results/phase --out docs/phase_table.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

LETTER = {"holds": "H", "fails": "F", "inconclusive": "?"}


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
    for rows in sorted(points, key=lambda rs: [str(rs[0]["point"][n]) for n in names]):
        by = {r["id"]: r for r in rows}
        seeds = max(r["n_seeds"] for r in rows)
        vals = [str(rows[0]["point"][n]) for n in names] + [str(seeds)] + [_cell(by.get(c)) for c in claims]
        lines.append("| " + " | ".join(vals) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", help="sweep directory holding claims.json (run `mvt check SWEEPDIR` first)")
    ap.add_argument("--out", default=None, help="also write the table to this file")
    args = ap.parse_args(argv)
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
