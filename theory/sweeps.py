"""Reading a sweep directory: its index, its points, and the claims per point.

A sweep directory (written by ``mvt sweep``, see :mod:`mvt.sweep`) holds ``runs/<id>/`` run
directories, ``index.json`` (schema ``mvt.sweep/1``: the sweep file, the varied parameters
and one row per run with its ``point`` — the grid values — ``point_id``, status and path) and,
after ``mvt check``, ``claims.json``: one list of claim objects per point, each object with the
point's ``point`` and ``point_id`` (INTERFACE.md).

This module only reads, so that both the checker and the figures (which never import the
simulation or the command line) group runs by point with one definition.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .claims import Claim, evaluate_all
from .params import Params
from .results import Run, load_run

SCHEMA = "mvt.sweep/1"
INDEX_JSON = "index.json"
CLAIMS_JSON = "claims.json"
RUNS = "runs"


def param_hash(obj: Any, n: int = 16) -> str:
    """The first ``n`` hex digits of the SHA-256 of ``obj`` as canonical JSON."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def point_id(params: dict) -> str:
    """Hash of a fully resolved parameter dict (``Params.to_dict()``): one id per point."""
    return param_hash({"params": params}, 12)


def canonical_params(params: dict) -> dict:
    """A recorded parameter dict in the one form fresh ``Params`` objects give (ints vs floats)."""
    return Params.from_dict(params).to_dict()


def is_sweep(path: Path) -> bool:
    """True when ``path`` is a sweep directory (holds an index of this schema)."""
    try:
        return json.loads((Path(path) / INDEX_JSON).read_text()).get("schema") == SCHEMA
    except (OSError, ValueError, AttributeError):
        return False


def load_index(path: Path) -> dict:
    """The index of a sweep directory (``ValueError`` if it is not one)."""
    try:
        idx = json.loads((Path(path) / INDEX_JSON).read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{Path(path) / INDEX_JSON}: not a readable sweep index ({exc})") from None
    if not isinstance(idx, dict) or idx.get("schema") != SCHEMA:
        raise ValueError(f"{Path(path) / INDEX_JSON}: not a sweep index (schema {SCHEMA!r})")
    return idx


def group_by_point(sweep_dir: Path) -> list[tuple[str, dict, list[Run]]]:
    """The finished runs of a sweep directory grouped by their resolved parameters.

    Returns ``(point_id, point, runs)`` triples in the index's order; ``point`` holds the
    varied parameters (the sweep file's grid). Only runs the index lists as done are read, so
    runs left from an earlier version of the sweep file do not leak into its points.
    """
    index = load_index(sweep_dir)
    groups: dict[str, tuple[str, dict, list[Run]]] = {}
    for row in index["runs"]:
        if row["status"] != "done":
            continue
        run = load_run(Path(sweep_dir) / row["path"])
        pid = point_id(canonical_params(run.record["params"]))
        groups.setdefault(pid, (pid, row["point"], []))[2].append(run)
    return list(groups.values())


def claims_per_point(sweep_dir: Path, claims: list[Claim] | None = None
                     ) -> tuple[list[list[dict]], list[tuple[str, dict, list[Run]]]]:
    """The claims table of every point (the content of a sweep's claims.json) and the groups.

    ``claims`` as in :func:`theory.claims.evaluate_all` (packages above theory add theirs).
    """
    groups = group_by_point(sweep_dir)
    per_point = [[{**row, "point": point, "point_id": pid} for row in evaluate_all(runs, claims)]
                 for pid, point, runs in groups]
    return per_point, groups
