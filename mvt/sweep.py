"""Parameter sweeps: a TOML file → runs cached by parameter hash, an index, resumable.

A sweep file names a base preset, fixed overrides, the parameters to vary (by the code names of
``--set``), the modes and the seeds::

    preset = "quick"
    modes = ["single"]
    seeds = [0, 1, 2]                 # or {start = 0, count = 3}

    [set]                             # applied to every point (optional)
    n_steps = 800

    [grid]                            # every combination is one point
    init_std = [0.001, 0.002, 0.004]  # a list of values
    noise_norm = {start = 0.25, stop = 1.0, num = 3, scale = "log"}   # or a range

Each point × mode × seed is one run directory ``OUT/runs/<id>``, where ``<id>`` hashes the
point's fully resolved parameters (every field, not only the varied ones), the mode and the
seed. A finished run is therefore never recomputed, and a changed parameter (in the file or in
the preset) gives a new id instead of silently reusing an old result. The code version is not
in the hash: after changing the simulation, sweep into a new directory.

On start every cached run is loaded and validated (``theory.results.load_run``) and its
recorded parameters, mode and seed are compared with the task's: a torn or corrupted run is
reported, removed and recomputed, never accepted. A run that raised (divergence, ...) leaves an
``error.json`` and is not retried unless ``retry_failed``. ``OUT/index.json`` and
``OUT/index.csv`` (one row per run: parameters, status, error, summary metrics) are rewritten
atomically after every finished run, so ``kill -9`` at any moment leaves a readable index and
complete runs only.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import sys
import time
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from theory import presets
from theory.params import LIMITS, Params, names, with_overrides
from theory.results import RUN_JSON, TRAJ_NPZ, ResultError, load_run, write_json, write_run_bytes, write_text
from theory.sweeps import (INDEX_JSON, RUNS, SCHEMA, canonical_params, is_sweep, load_index,  # noqa: F401
                           param_hash, point_id)

from .executors import Serial, execute

INDEX_CSV, ERROR_JSON = "index.csv", "error.json"
_SPEC_KEYS = ("preset", "modes", "seeds", "set", "grid", "description")
METRICS = ("train_acc", "test_acc_multi", "test_acc_single", "stopped_at_mean")


# ------------------------------------------------------------------------------------------
# The sweep file
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep file. ``grid`` keeps the file's order (the order points are enumerated)."""

    preset: str
    grid: dict[str, list]  # name -> values
    fixed: dict[str, Any]  # name -> value, applied to every point
    modes: tuple[str, ...]
    seeds: tuple[int, ...]
    source: str = "<sweep>"  # file name, for messages
    description: str = ""

    def to_dict(self) -> dict:
        return {"preset": self.preset, "grid": _jsonable(self.grid), "set": _jsonable(self.fixed),
                "modes": list(self.modes), "seeds": list(self.seeds), "source": self.source,
                "description": self.description}


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, float) and math.isinf(x) and x > 0:
        return "inf"
    return x


def load_spec(path: Path) -> SweepSpec:
    """Read and check a sweep file; ``ValueError`` names the file and the offending entry."""
    path = Path(path)
    try:
        obj = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{path}: no such sweep file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    return parse_spec(obj, str(path))


def _range(name: str, table: dict, where: str) -> list:
    """Values of a ``{start, stop, num, scale}`` grid entry (both ends included)."""
    import numpy as np

    unknown = set(table) - {"start", "stop", "num", "scale"}
    if unknown or not {"start", "stop", "num"} <= set(table):
        raise ValueError(f"{where}: grid.{name}: a range is {{start, stop, num[, scale]}}, got {table}")
    start, stop, num, scale = table["start"], table["stop"], table["num"], table.get("scale", "linear")
    for key, v in (("start", start), ("stop", stop)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"{where}: grid.{name}.{key}={v!r}: must be a finite number")
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"{where}: grid.{name}.num={num!r}: must be an integer >= 1")
    if scale == "linear":
        vals = np.linspace(start, stop, num)
    elif scale == "log":
        if start <= 0 or stop <= 0:
            raise ValueError(f"{where}: grid.{name}: a log range needs start and stop > 0")
        vals = np.geomspace(start, stop, num)
    else:
        raise ValueError(f"{where}: grid.{name}.scale={scale!r}: must be 'linear' or 'log'")
    if name in LIMITS and LIMITS[name][0] in ("int", "dim"):
        ints = [int(round(v)) for v in vals]
        if len(set(ints)) != len(ints):
            raise ValueError(f"{where}: grid.{name}: {num} values from {start} to {stop} round to "
                             f"repeated integers {ints}; give a list instead")
        return ints
    return [float(v) for v in vals]


def parse_spec(obj: dict, source: str = "<sweep>") -> SweepSpec:
    """Check a sweep file's contents (already parsed from TOML)."""
    from .experiment import MODES

    unknown = [k for k in obj if k not in _SPEC_KEYS]
    if unknown:
        raise ValueError(f"{source}: unknown keys {unknown}; a sweep file has {', '.join(_SPEC_KEYS)}")
    preset = obj.get("preset", presets.DEFAULT)
    if preset not in presets.PRESETS:
        raise ValueError(f"{source}: preset={preset!r}: unknown; known presets: {', '.join(presets.PRESETS)}")
    modes = obj.get("modes", ["single"])
    if isinstance(modes, str):
        modes = [modes]
    if not isinstance(modes, list) or not modes or any(m not in MODES for m in modes):
        raise ValueError(f"{source}: modes={modes!r}: must be a non-empty list of {', '.join(MODES)}")
    seeds = obj.get("seeds", [0])
    if isinstance(seeds, dict):
        if set(seeds) != {"start", "count"}:
            raise ValueError(f"{source}: seeds={seeds!r}: a seed range is {{start, count}}")
        start, count = seeds["start"], seeds["count"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, count)) or count < 1:
            raise ValueError(f"{source}: seeds={seeds!r}: start and count must be integers, count >= 1")
        seeds = list(range(start, start + count))
    if (not isinstance(seeds, list) or not seeds
            or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds)):
        raise ValueError(f"{source}: seeds={seeds!r}: must be a non-empty list of integers >= 0")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"{source}: seeds={seeds!r}: repeated seeds")
    known = set(names())
    fixed = obj.get("set", {})
    grid_in = obj.get("grid", {})
    for table, what in ((fixed, "set"), (grid_in, "grid")):
        if not isinstance(table, dict):
            raise ValueError(f"{source}: [{what}] must be a table of NAME = VALUE")
        for name in table:
            if name not in known:
                raise ValueError(f"{source}: {what}.{name}: unknown parameter {name!r}; known: "
                                 f"{', '.join(sorted(known))}")
    both = set(fixed) & set(grid_in)
    if both:
        raise ValueError(f"{source}: {sorted(both)} appear in both [set] and [grid]")
    grid: dict[str, list] = {}
    for name, values in grid_in.items():
        if isinstance(values, dict):
            values = _range(name, values, source)
        if not isinstance(values, list) or not values:
            raise ValueError(f"{source}: grid.{name}={values!r}: must be a non-empty list of values "
                             "or a {start, stop, num[, scale]} range")
        grid[name] = values
    description = obj.get("description", "")
    return SweepSpec(preset=preset, grid=grid, fixed=dict(fixed), modes=tuple(modes),
                     seeds=tuple(seeds), source=source, description=str(description))


# ------------------------------------------------------------------------------------------
# Points, tasks and their ids
# ------------------------------------------------------------------------------------------

def run_id(params: dict, mode: str, seed: int) -> str:
    """Hash of the resolved parameters, the mode and the seed: the run's directory name."""
    return param_hash({"params": params, "mode": mode, "seed": int(seed)})


@dataclass(frozen=True)
class Point:
    values: dict[str, Any]  # the grid coordinates (JSON form)
    params: Params

    @property
    def id(self) -> str:
        return point_id(self.params.to_dict())


def points(spec: SweepSpec) -> list[Point]:
    """Every grid point, resolved and validated (``ValueError`` names the file, point, parameter)."""
    base = presets.get(spec.preset)
    out, seen = [], {}
    for combo in itertools.product(*spec.grid.values()):
        values = dict(zip(spec.grid, combo))
        try:
            params = with_overrides(base, {**spec.fixed, **values})
        except (ValueError, TypeError) as exc:
            where = ", ".join(f"{k}={v!r}" for k, v in values.items()) or "the base point"
            raise ValueError(f"{spec.source}: point {where}: {exc}") from None
        p = Point(values=_jsonable(values), params=params)
        if p.id in seen:
            raise ValueError(f"{spec.source}: points {seen[p.id]} and {p.values} resolve to the same "
                             "parameters")
        seen[p.id] = p.values
        out.append(p)
    return out


def tasks(spec: SweepSpec) -> list[dict]:
    """One task per point × mode × seed (what :func:`mvt.executors.execute` takes)."""
    out = []
    for p in points(spec):
        pd = p.params.to_dict()
        for mode in spec.modes:
            for seed in spec.seeds:
                out.append({"id": run_id(pd, mode, seed), "point_id": p.id, "point": p.values,
                            "params": pd, "mode": mode, "seed": int(seed), "preset": spec.preset})
    return out


# ------------------------------------------------------------------------------------------
# The cache
# ------------------------------------------------------------------------------------------

def _summary_metrics(record: dict) -> dict:
    model = record.get("model", {})
    stops = [m.get("stopped_at") for m in record.get("members", []) if isinstance(m.get("stopped_at"), int)]
    out = {k: model.get(k) for k in METRICS[:3]}
    out["stopped_at_mean"] = sum(stops) / len(stops) if stops else None
    return out


def _check_identity(run, task: dict) -> None:
    """The cached run is the task's run (guards against a hash collision or a moved directory)."""
    rec = run.record
    if rec["mode"] != task["mode"] or rec["seed"] != task["seed"]:
        raise ResultError(f"{run.path / RUN_JSON}: holds mode {rec['mode']!r} seed {rec['seed']}, "
                          f"expected {task['mode']!r} seed {task['seed']}")
    if canonical_params(rec["params"]) != task["params"]:
        raise ResultError(f"{run.path / RUN_JSON}: its parameters differ from the ones its id hashes")


def _clear(run_dir: Path, keep_error: bool = False) -> None:
    """Remove a run's files (a torn write's temporaries included)."""
    for f in run_dir.glob(".*.tmp"):
        f.unlink(missing_ok=True)
    for name in (RUN_JSON, TRAJ_NPZ) + (() if keep_error else (ERROR_JSON,)):
        (run_dir / name).unlink(missing_ok=True)


def scan(task: dict, out: Path, retry_failed: bool) -> tuple[str, dict]:
    """The cached state of a task: ("done", row info), ("failed", ...) or ("todo", ...)."""
    run_dir = out / RUNS / task["id"]
    if (run_dir / RUN_JSON).exists():
        try:
            run = load_run(run_dir)
            _check_identity(run, task)
        except ResultError as exc:
            _clear(run_dir)
            return "todo", {"recomputed": str(exc)}
        return "done", {"metrics": _summary_metrics(run.record),
                        "seconds": run.record.get("timings", {}).get("total")}
    _clear(run_dir, keep_error=True)  # leftovers of a run killed while being written
    err = run_dir / ERROR_JSON
    if err.exists() and not retry_failed:
        try:
            e = json.loads(err.read_text())
            return "failed", {"error": str(e["error"]), "seconds": e.get("seconds")}
        except (ValueError, KeyError, TypeError):
            pass  # torn or foreign error file: run again
    err.unlink(missing_ok=True)
    return "todo", {}


# ------------------------------------------------------------------------------------------
# The index
# ------------------------------------------------------------------------------------------

def _flat_params(params: dict) -> dict:
    return {name: value for part in params.values() for name, value in part.items()}


class Index:
    """All runs of the sweep with their status; written atomically as JSON and CSV."""

    def __init__(self, spec: SweepSpec, tasks: list[dict], out: Path, executor: str):
        self.spec, self.out, self.executor = spec, out, executor
        self.rows = {t["id"]: {"id": t["id"], "point_id": t["point_id"], "point": t["point"],
                               "mode": t["mode"], "seed": t["seed"], "status": "pending",
                               "cached": False, "seconds": None, "error": None, "recomputed": None,
                               "metrics": dict.fromkeys(METRICS), "path": f"{RUNS}/{t['id']}",
                               "params": t["params"]} for t in tasks}

    def update(self, rid: str, **fields) -> None:
        self.rows[rid].update(fields)

    def counts(self) -> dict[str, int]:
        c = {"total": len(self.rows), "done": 0, "failed": 0, "pending": 0, "cached": 0}
        for r in self.rows.values():
            c[r["status"]] += 1
            c["cached"] += bool(r["cached"]) and r["status"] == "done"
        return c

    def write(self) -> None:
        rows = list(self.rows.values())
        write_json(self.out / INDEX_JSON, {
            "schema": SCHEMA, "spec": self.spec.to_dict(), "varied": list(self.spec.grid),
            "executor": self.executor, "counts": self.counts(), "runs": rows})
        grid = list(self.spec.grid)
        rest = [n for n in _flat_params(rows[0]["params"]) if n not in grid] if rows else []
        cols = ["id", "point_id", "mode", "seed", "status", "cached", "seconds", *METRICS, *grid,
                "error", *rest]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows:
            flat = _flat_params(r["params"])
            w.writerow({**{c: r[c] for c in ("id", "point_id", "mode", "seed", "status", "cached",
                                            "seconds", "error")},
                        **r["metrics"], **{n: flat.get(n, r["point"].get(n)) for n in grid},
                        **{n: flat[n] for n in rest}})
        write_text(self.out / INDEX_CSV, buf.getvalue())


# ------------------------------------------------------------------------------------------
# Running
# ------------------------------------------------------------------------------------------

class Progress:
    """One line per finished run: runs done / total, elapsed, an estimate of the time left."""

    def __init__(self, total: int, stream: TextIO | None):
        self.total, self.stream = total, stream
        self.start = time.perf_counter()
        self.computed = 0

    def line(self, counts: dict, text: str) -> None:
        self.computed += 1
        if self.stream is None:
            return
        el = time.perf_counter() - self.start
        finished = counts["done"] + counts["failed"]
        left = el / self.computed * (self.total - finished)
        self.stream.write(f"[sweep] {finished}/{self.total} finished ({counts['failed']} failed, "
                          f"{counts['cached']} cached)  {el:6.1f}s elapsed  ~{left:5.0f}s left  "
                          f"{text}\n")
        self.stream.flush()


@dataclass
class SweepReport:
    out: Path
    counts: dict[str, int]
    failures: list[dict]  # index rows of failed runs
    recomputed: list[dict]  # index rows of cached runs found corrupt and recomputed
    seconds: float
    n_points: int
    executor: str
    computed: int = 0
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        c = self.counts
        lines = [f"sweep {self.out}: {c['total']} runs at {self.n_points} points on {self.executor}: "
                 f"{c['done']} done ({c['cached']} from the cache, {self.computed} computed), "
                 f"{c['failed']} failed, {c['pending']} not run  ({self.seconds:.1f}s)"]
        for r in self.recomputed:
            lines.append(f"  recomputed {r['id']} (cached result rejected: {r['recomputed']})")
        if self.failures:
            lines.append("failures:")
            for r in self.failures:
                where = ", ".join(f"{k}={v}" for k, v in r["point"].items())
                lines.append(f"  {r['id']} [{where}] {r['mode']} seed {r['seed']}: {r['error']}")
        lines.append(f"index: {self.out / INDEX_JSON}, {self.out / INDEX_CSV}")
        return "\n".join(lines)


@contextmanager
def _lock(out: Path):
    """One sweep process per directory (released by the OS even after kill -9)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fh = open(out / ".sweep.lock", "w")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"{out}: another sweep is running in this directory") from None
        yield
    finally:
        fh.close()


def run_sweep(spec: SweepSpec, out: Path, executor=None, *, retry_failed: bool = False,
              stream: TextIO | None = sys.stderr) -> SweepReport:
    """Run every task of ``spec`` not already in ``out``; return the report.

    ``executor`` is a :mod:`mvt.executors` object (default :class:`~mvt.executors.Serial`);
    it is entered and left here. A failing run is recorded and the sweep goes on.
    """
    t0 = time.perf_counter()
    out = Path(out)
    all_tasks = tasks(spec)  # every point validated before anything runs
    executor = executor or Serial()
    out.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        index = Index(spec, all_tasks, out, executor.name)
        todo, recomputed = [], []
        for task in all_tasks:
            state, info = scan(task, out, retry_failed)
            if state == "done":
                index.update(task["id"], status="done", cached=True, **info)
            elif state == "failed":
                index.update(task["id"], status="failed", cached=True, **info)
            else:
                index.update(task["id"], **info)
                todo.append(task)
                if info.get("recomputed"):
                    recomputed.append(task["id"])
                    if stream is not None:
                        stream.write(f"[sweep] cached run rejected, will recompute: {info['recomputed']}\n")
        index.write()
        progress = Progress(len(all_tasks), stream)
        computed = 0
        with executor as ex:
            for task, outcome in ex.map_unordered(execute, todo):
                _store(task, outcome, out, index)
                computed += 1
                index.write()
                row = index.rows[task["id"]]
                msg = ("ok" if row["status"] == "done" else f"FAILED {row['error']}")
                where = " ".join(f"{k}={v}" for k, v in task["point"].items())
                progress.line(index.counts(), f"{task['id']} [{where}] {task['mode']} seed "
                              f"{task['seed']}: {msg}")
    rows = index.rows.values()
    return SweepReport(out=out, counts=index.counts(), computed=computed,
                       failures=[r for r in rows if r["status"] == "failed"],
                       recomputed=[index.rows[i] for i in recomputed],
                       seconds=time.perf_counter() - t0,
                       n_points=len({t["point_id"] for t in all_tasks}), executor=executor.name)


def _store(task: dict, outcome: dict, out: Path, index: Index) -> None:
    """Write a finished task's files (atomically) and update its index row."""
    run_dir = out / RUNS / task["id"]
    rid = task["id"]
    if outcome["status"] == "done":
        record = {**outcome["record"], "sweep": {"run_id": rid, "point_id": task["point_id"],
                                                 "point": task["point"]}}
        try:
            write_run_bytes(run_dir, outcome["npz"], record)
            _check_identity(load_run(run_dir), task)  # what the cache will accept next time
        except (ResultError, ValueError) as exc:
            _clear(run_dir)
            index.update(rid, status="failed", error=f"result rejected: {exc}",
                         seconds=outcome["seconds"])
            return
        (run_dir / ERROR_JSON).unlink(missing_ok=True)
        index.update(rid, status="done", cached=False, error=None, seconds=outcome["seconds"],
                     metrics=_summary_metrics(record))
        return
    if outcome.get("persist"):
        write_json(run_dir / ERROR_JSON, {"error": outcome["error"], "traceback": outcome["traceback"],
                                          "seconds": outcome["seconds"], "mode": task["mode"],
                                          "seed": task["seed"], "params": task["params"]})
    index.update(rid, status="failed", cached=False, error=outcome["error"], seconds=outcome["seconds"])
