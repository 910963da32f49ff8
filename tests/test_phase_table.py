"""scripts/phase_table.py --views: counts read from a hand-made sweep directory."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

from theory.sweeps import SCHEMA as SWEEP_SCHEMA

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "phase_table.py"
_spec = importlib.util.spec_from_file_location("phase_table", _PATH)
phase_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(phase_table)


def _member(learned, stopped_at, lost_count):
    return {
        "stopped_at": stopped_at,
        "test_acc_multi": 1.0,
        "test_acc_single": 0.5,
        "learned": learned,
        "memorisation": {
            "multi": {"mean": 0.2, "count": 490},
            "single_lost": {"mean": 0.6, "count": lost_count},
        },
    }


THRESHOLD = 0.2


def _proj(pairs: list[tuple[int, ...]]) -> np.ndarray:
    """feature_proj (T=2, K=1, k=2, m=2, 2k=4): class j's neuron r projects 1.0 on the views
    listed in pairs[j][r] (0, 1 or both) and 0.0 on everything else; step 0 is all zero."""
    proj = np.zeros((2, 1, 2, 2, 4))
    for j, neurons in enumerate(pairs):
        for r, views in enumerate(neurons):
            for view in views:
                proj[-1, 0, j, r, 2 * j + view] = 1.0
    return proj


def _sweep(tmp_path: Path, runs: list[tuple[str, dict, str, int, str, dict, np.ndarray]]) -> Path:
    index = {"schema": SWEEP_SCHEMA, "runs": []}
    for run_id, point, mode, seed, status, member, proj in runs:
        index["runs"].append({"point_id": str(point), "point": point, "mode": mode, "seed": seed,
                              "status": status, "path": f"runs/{run_id}"})
        run_dir = tmp_path / "runs" / run_id
        run_dir.mkdir(parents=True)
        record = {"members": [member], "params": {"train": {"learned_threshold": THRESHOLD}}}
        (run_dir / "run.json").write_text(json.dumps(record))
        np.savez(run_dir / "trajectories.npz", feature_proj=proj)
    (tmp_path / "index.json").write_text(json.dumps(index))
    return tmp_path


def test_views_table_sums_classes_over_seeds_and_skips_other_runs(tmp_path):
    a, b, c, d = {"dim": 400}, {"dim": 1600}, {"dim": "inf"}, {"dim": "x"}
    both_apart = _proj([[(0,), (1,)], [(0,), (1,)]])        # each view in its own neuron
    both_together = _proj([[(0, 1), ()], [(0,), (1,)]])     # class 0: both views in neuron 0
    sweep = _sweep(tmp_path, [
        ("r1", a, "single", 0, "done", _member([[True, False], [True, True]], 10, 2), both_apart),
        ("r2", a, "single", 1, "done", _member([[False, False], [False, True]], 30, 0), both_apart),
        ("r3", a, "single", 2, "failed", _member([[True, True], [True, True]], 99, 1), both_together),
        ("r4", a, "ensemble", 0, "done", _member([[True, True], [True, True]], 99, 1), both_together),
        ("r5", b, "single", 0, "done", _member([[True, True], [True, True]], 5, 1), both_together),
        ("r6", c, "single", 0, "done", _member([[True, False], [False, False]], 7, 0), both_apart),
        ("r7", c, "single", 1, "done", _member([[False, False], [False, False]], -1, 0), both_apart),
        ("r8", d, "single", 0, "done", _member([[False, False], [False, False]], -1, 0), both_apart),
    ])
    rows = phase_table.views_table(sweep).splitlines()
    assert rows[0].startswith("| dim | seeds | stop step | one/both/none | both in one neuron |")
    # Point a: two finished single runs; classes one view 2, both 1 (in two neurons), none 1;
    # stop step mean 20; the seed without lost single-view samples does not enter the
    # lost-sample mean.
    assert rows[2] == "| 400 | 2 | 20 | 2/1/1 | 0 of 1 | 1 | 0.5 | 0.2 | 0.6 |"
    # Point b: class 0 has both views in neuron 0, class 1 in two neurons.
    assert rows[3] == "| 1600 | 1 | 5 | 0/2/0 | 1 of 2 | 1 | 0.5 | 0.2 | 0.6 |"
    # Point c (d = inf) sorts after the numbers; one of its two runs never fitted the training
    # set (stopped_at -1), so the stop step is the other's, marked 1 of 2.
    assert rows[4] == "| inf | 2 | 7 (1 of 2) | 1/0/3 | 0 of 0 | 1 | 0.5 | 0.2 | — |"
    # Point d ("x", not a number) sorts after everything numeric; its only run never stopped.
    assert rows[5] == "| x | 1 | never | 0/0/2 | 0 of 0 | 1 | 0.5 | 0.2 | — |"
    assert len(rows) == 6
