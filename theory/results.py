"""Run records on disk: written atomically, validated on load.

A run directory holds ``run.json`` (parameters, seeds, versions, timings, summaries) and
``trajectories.npz`` (tracked arrays). Both are written to a temporary name in the same
directory and renamed into place, the JSON last, so a killed writer leaves either a complete
run or no ``run.json`` — never a torn file that a reader accepts.

This module only reads and writes; it knows nothing about how a run was made, so figures and
checks can load results without importing the simulation.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA = "mvt.run/1"
RUN_JSON = "run.json"
TRAJ_NPZ = "trajectories.npz"

# Keys every run.json must have, and the arrays every trajectories.npz must have, with ndim.
REQUIRED_KEYS = ("schema", "mode", "seed", "params", "versions", "timings", "members", "model")
REQUIRED_ARRAYS = {"steps": 1, "lambda_max": 4, "lambda_sum": 4, "memorisation": 3,
                   "loss": 2, "train_acc": 2, "y": 1, "kind": 1, "dominant": 1}


class ResultError(ValueError):
    """A result file is missing, torn or does not match the schema."""


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8), atomically: readers see the old file or the new one."""
    data = text.encode()
    _atomic_write(Path(path), lambda fh: fh.write(data))


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    data = json.dumps(obj, indent=2, allow_nan=False, default=_json_default).encode()
    _atomic_write(Path(path), lambda fh: fh.write(data))


def _json_default(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def write_run(out: Path, record: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    """Write a run directory: arrays first, then the JSON that marks the run complete."""
    out = Path(out)
    for name, arr in arrays.items():
        if np.issubdtype(np.asarray(arr).dtype, np.floating) and not np.all(np.isfinite(arr)):
            raise ResultError(f"refusing to write non-finite values in array {name!r} of {out}")
    _atomic_write(out / TRAJ_NPZ, lambda fh: np.savez_compressed(fh, **arrays))
    write_json(out / RUN_JSON, {"schema": SCHEMA, **record})
    return out


def write_run_bytes(out: Path, npz: bytes, record: dict[str, Any]) -> Path:
    """Write a run directory from an already-encoded ``trajectories.npz`` and its record.

    For runs computed elsewhere (a sweep worker process or a Dask worker) and written by one
    process: the same order as :func:`write_run` (arrays first, the JSON that marks the run
    complete last), both atomic.
    """
    out = Path(out)
    _atomic_write(out / TRAJ_NPZ, lambda fh: fh.write(npz))
    write_json(out / RUN_JSON, {**record, "schema": SCHEMA})
    return out


@dataclass
class Run:
    """A loaded run: its JSON record and its arrays."""

    path: Path
    record: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def mode(self) -> str:
        return self.record["mode"]

    @property
    def seed(self) -> int:
        return int(self.record["seed"])


class _NonFinite(Exception):
    pass


def _reject_constant(name: str):
    """json.loads hook: Python's JSON reader accepts NaN and Infinity; a run never holds them."""
    raise _NonFinite(name)


def _check_record(jpath: Path, record: dict[str, Any]) -> None:
    """Types of the keys every reader relies on, and parameters that still validate."""
    from .params import Params  # results stays importable without the parameter module's cost

    if not isinstance(record["mode"], str):
        raise ResultError(f"{jpath}: mode is {record['mode']!r}, expected a string")
    seed = record["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ResultError(f"{jpath}: seed is {seed!r}, expected an integer >= 0")
    if not isinstance(record["members"], list) or not all(isinstance(m, dict) for m in record["members"]):
        raise ResultError(f"{jpath}: members must be a list of objects")
    if not isinstance(record["model"], dict):
        raise ResultError(f"{jpath}: model must be an object")
    try:
        Params.from_dict(record["params"])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ResultError(f"{jpath}: params do not validate ({type(exc).__name__}: {exc})") from None


def load_run(path: Path) -> Run:
    """Load and validate one run directory; ``ResultError`` names the file at fault."""
    path = Path(path)
    jpath, npath = path / RUN_JSON, path / TRAJ_NPZ
    if not jpath.is_file():
        raise ResultError(f"{jpath}: no run.json (not a run directory, or the run did not finish)")
    try:
        record = json.loads(jpath.read_text(), parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultError(f"{jpath}: not valid JSON ({exc})") from None
    except _NonFinite as exc:
        raise ResultError(f"{jpath}: holds a non-finite number ({exc}); results are always finite") from None
    if not isinstance(record, dict) or record.get("schema") != SCHEMA:
        raise ResultError(f"{jpath}: schema is {record.get('schema') if isinstance(record, dict) else None!r}, expected {SCHEMA!r}")
    missing = [k for k in REQUIRED_KEYS if k not in record]
    if missing:
        raise ResultError(f"{jpath}: missing keys {missing}")
    _check_record(jpath, record)
    try:
        with np.load(npath) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise ResultError(f"{npath}: missing") from None
    except Exception as exc:  # a torn or foreign file
        raise ResultError(f"{npath}: unreadable ({exc})") from None
    for name, ndim in REQUIRED_ARRAYS.items():
        if name not in arrays:
            raise ResultError(f"{npath}: missing array {name!r}")
        if arrays[name].ndim != ndim:
            raise ResultError(f"{npath}: array {name!r} has {arrays[name].ndim} dims, expected {ndim}")
    T = arrays["steps"].shape[0]
    for name in ("lambda_max", "lambda_sum", "memorisation"):
        if arrays[name].shape[0] != T:
            raise ResultError(f"{npath}: array {name!r} has {arrays[name].shape[0]} tracking points, steps has {T}")
    for name, arr in arrays.items():
        if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
            raise ResultError(f"{npath}: array {name!r} holds non-finite values")
    if len(record["members"]) != arrays["lambda_max"].shape[1]:
        raise ResultError(f"{jpath}: {len(record['members'])} members but arrays hold {arrays['lambda_max'].shape[1]} models")
    return Run(path=path, record=record, arrays=arrays)


def find_runs(paths: list[Path]) -> list[Run]:
    """Every run below the given paths (a run directory, or a directory containing runs)."""
    runs: list[Run] = []
    for p in map(Path, paths):
        if (p / RUN_JSON).is_file():
            runs.append(load_run(p))
            continue
        if not p.is_dir():
            raise ResultError(f"{p}: no such directory")
        found = sorted(j.parent for j in p.rglob(RUN_JSON))
        if not found:
            raise ResultError(f"{p}: contains no run (no run.json below it)")
        runs.extend(load_run(f) for f in found)
    return runs
