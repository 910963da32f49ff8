"""The accuracy table in the shape of the paper's Figure 1 (SPEC §7), from saved runs.

Rows: the training modes single, ensemble, distill, self-distill, train-average. Column groups:
the network and its linearised baselines (``ntk-…``, ``rf-…``). Each cell holds the multi-view
and the single-view test accuracy of the mode's model: mean over seeds with a Student-t 95%
interval (None with fewer than two seeds) and the per-seed values.
"""

from __future__ import annotations

import numpy as np

from .results import Run
from .stats import ACCURACY, t_interval

MODES = ("single", "ensemble", "distill", "self-distill", "train-average")
FAMILIES = {"network": "", "ntk": "ntk-", "rf": "rf-"}
METRICS = {"multi": "test_acc_multi", "single": "test_acc_single"}


def table(runs: list[Run]) -> dict:
    """{"rows": [...], "families": [...], "cells": {family: {mode: {metric: cell}}}}; absent cells are omitted."""
    cells: dict = {}
    for fam, prefix in FAMILIES.items():
        for mode in MODES:
            recs = {r.seed: r.record for r in runs if r.mode == prefix + mode}
            if not recs:
                continue
            cell = {}
            for metric, key in METRICS.items():
                per_seed = {s: float(rec["model"][key]) for s, rec in sorted(recs.items())}
                v = list(per_seed.values())
                cell[metric] = {"mean": float(np.mean(v)), "ci": t_interval(v, support=ACCURACY), "n_seeds": len(v),
                                "per_seed": per_seed}
            cells.setdefault(fam, {})[mode] = cell
    return {"rows": list(MODES), "families": [f for f in FAMILIES if f in cells], "cells": cells,
            "note": "test accuracy of each mode's model (ensemble average, student, jointly "
                    "trained average); mean over seeds and the Student-t 95% CI, intersected with [0, 1]"}


def _fmt(cell: dict | None) -> str:
    if cell is None:
        return "—"
    ci = "" if cell["ci"] is None else f" [{cell['ci'][0]:.2f},{cell['ci'][1]:.2f}]"
    return f"{cell['mean']:.3f}{ci}"


def format_table(tab: dict) -> str:
    """Fixed-width text: one line per mode, multi-view / single-view per family."""
    fams = tab["families"]
    if not fams:
        return "(no runs of the Figure 1 modes)"
    head = f"{'mode':14}" + "".join(f"  {fam + ' multi':>17}  {fam + ' single':>17}" for fam in fams)
    lines = ["Figure 1 (SPEC §7): test accuracy, mean [95% CI] over seeds", head,
             "-" * len(head)]
    for mode in tab["rows"]:
        row = f"{mode:14}"
        for fam in fams:
            cell = tab["cells"].get(fam, {}).get(mode)
            row += f"  {_fmt(cell and cell['multi']):>17}  {_fmt(cell and cell['single']):>17}"
        lines.append(row)
    return "\n".join(lines)
