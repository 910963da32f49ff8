"""Sweeps: ids, cache, index, corruption, failures, per-point checks, Dask, kill -9 and resume."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mvt import experiment
from mvt.check import check
from mvt.executors import DaskPool, Serial
from mvt.sweep import ERROR_JSON, INDEX_CSV, INDEX_JSON, load_spec, parse_spec, run_id, run_sweep, tasks
from theory import presets
from theory.params import with_overrides
from theory.results import RUN_JSON, TRAJ_NPZ, load_run

from tests.conftest import tiny_sweep_toml

ROOT = Path(__file__).resolve().parent.parent

# A small sweep on the tiny preset: 2 points x 2 seeds, milliseconds per run after compilation.
SPEC = tiny_sweep_toml({"init_std": [0.005, 0.01]})


def _spec(tmp_path, text=SPEC, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return load_spec(path)


def _fingerprint(run_dir: Path) -> tuple:
    """(mtime_ns, sha256) of a run's two files: unchanged means not rewritten."""
    return tuple((f.stat().st_mtime_ns, hashlib.sha256(f.read_bytes()).hexdigest())
                 for f in (run_dir / RUN_JSON, run_dir / TRAJ_NPZ))


@pytest.mark.parametrize("text, match", [
    ('preset = "nope"', "preset='nope'"),
    ('colour = 1', "unknown keys"),
    ('[grid]\nlearning_rate = [1.0]', "unknown parameter 'learning_rate'"),
    ('[grid]\nlr = 1.0', "grid.lr"),
    ('[grid]\nlr = []', "grid.lr"),
    ('[grid]\nn_train = {start = 10, stop = 11, num = 5}', "repeated integers"),
    ('[grid]\nlr = {start = -1, stop = 1, num = 3, scale = "log"}', "log range"),
    ('seeds = [-1]', "seeds"),
    ('seeds = [1, 1]', "repeated seeds"),
    ('modes = ["bogus"]', "modes"),
    ('[set]\nlr = 1.0\n[grid]\nlr = [2.0]', "both"),
    ('[grid]\nlr = [1.0, -1.0]', "point lr=-1.0: lr=-1.0"),
    ('preset = "tiny"\n[grid]\nlr = [20, 20.0]', "resolve to the same parameters"),
])
def test_bad_sweep_files_are_clear_errors(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        tasks(_spec(tmp_path, text))


def test_ids_hash_every_resolved_parameter(tmp_path):
    spec = _spec(tmp_path)
    ts = tasks(spec)
    assert len(ts) == 4 and len({t["id"] for t in ts}) == 4
    # lr = 20 (an int, as TOML gives it) and lr = 20.0 are one run
    p_int = with_overrides(presets.get("tiny"), {"lr": 20}).to_dict()
    p_float = with_overrides(presets.get("tiny"), {"lr": "20.0"}).to_dict()
    assert run_id(p_int, "single", 0) == run_id(p_float, "single", 0)
    # a parameter outside the grid (here n_steps in [set]) changes every id
    other = tasks(_spec(tmp_path, SPEC.replace("n_steps = 20", "n_steps = 21"), "t.toml"))
    assert not {t["id"] for t in ts} & {t["id"] for t in other}


def test_sweep_indexes_runs_and_never_recomputes(tmp_path):
    spec, out = _spec(tmp_path), tmp_path / "out"
    rep = run_sweep(spec, out, Serial(), stream=None)
    assert rep.counts == {"total": 4, "done": 4, "failed": 0, "pending": 0, "cached": 0}
    index = json.loads((out / INDEX_JSON).read_text())
    assert index["varied"] == ["init_std"] and len(index["runs"]) == 4
    for row in index["runs"]:
        assert row["status"] == "done" and 0 <= row["metrics"]["test_acc_multi"] <= 1
        run = load_run(out / row["path"])
        assert run.record["params"]["network"]["init_std"] == row["point"]["init_std"]
        assert run.record["sweep"]["run_id"] == row["id"]
    csv_lines = (out / INDEX_CSV).read_text().splitlines()
    assert len(csv_lines) == 5 and "init_std" in csv_lines[0].split(",")
    before = {r["id"]: _fingerprint(out / r["path"]) for r in index["runs"]}
    rep2 = run_sweep(spec, out, Serial(), stream=None)
    assert rep2.computed == 0 and rep2.counts["cached"] == 4
    assert {r["id"]: _fingerprint(out / r["path"]) for r in index["runs"]} == before


def test_corrupt_cached_runs_are_detected_and_recomputed(tmp_path):
    spec, out = _spec(tmp_path), tmp_path / "out"
    run_sweep(spec, out, Serial(), stream=None)
    dirs = [out / r["path"] for r in json.loads((out / INDEX_JSON).read_text())["runs"]]
    # torn JSON; corrupted (bit-flipped) npz; parameters edited after the fact; a NaN in the JSON
    text = (dirs[0] / RUN_JSON).read_text()
    (dirs[0] / RUN_JSON).write_text(text[: len(text) // 2])
    raw = bytearray((dirs[1] / TRAJ_NPZ).read_bytes())
    raw[len(raw) // 2: len(raw) // 2 + 64] = bytes(64)
    (dirs[1] / TRAJ_NPZ).write_bytes(bytes(raw))
    rec = json.loads((dirs[2] / RUN_JSON).read_text())
    rec["params"]["train"]["n_steps"] = 999
    (dirs[2] / RUN_JSON).write_text(json.dumps(rec))
    (dirs[3] / RUN_JSON).write_text((dirs[3] / RUN_JSON).read_text().replace(
        '"train_acc":', '"train_acc": NaN, "x":', 1))
    rep = run_sweep(spec, out, Serial(), stream=None)
    reasons = {r["id"]: r["recomputed"] for r in rep.recomputed}
    assert len(reasons) == 4 and rep.computed == 4 and rep.counts["done"] == 4
    assert "not valid JSON" in reasons[dirs[0].name] and str(dirs[0]) in reasons[dirs[0].name]
    assert TRAJ_NPZ in reasons[dirs[1].name]
    assert "parameters differ" in reasons[dirs[2].name]
    assert "non-finite" in reasons[dirs[3].name]
    for d in dirs:
        load_run(d)
    assert "recomputed" in rep.text()


def test_a_failing_run_is_recorded_and_does_not_stop_the_sweep(tmp_path, monkeypatch):
    from dynamics import DivergenceError

    calls = []

    def diverges_at_small_init(ctx):
        calls.append(ctx.params.network.init_std)
        if ctx.params.network.init_std < 0.008:
            raise DivergenceError("loss became non-finite at step 3 (lr=20.0)")
        return experiment.MODES["single"](ctx)

    monkeypatch.setitem(experiment.MODES, "flaky", diverges_at_small_init)
    spec, out = _spec(tmp_path, SPEC.replace('"single"', '"flaky"')), tmp_path / "out"
    rep = run_sweep(spec, out, Serial(), stream=None)
    assert rep.counts["done"] == 2 and rep.counts["failed"] == 2
    assert all("DivergenceError" in r["error"] for r in rep.failures)
    assert "failures:" in rep.text() and "DivergenceError" in rep.text()
    rows = json.loads((out / INDEX_JSON).read_text())["runs"]
    assert sorted(r["status"] for r in rows) == ["done", "done", "failed", "failed"]
    assert all((out / r["path"] / ERROR_JSON).exists() for r in rows if r["status"] == "failed")
    n = len(calls)
    rep2 = run_sweep(spec, out, Serial(), stream=None)  # a recorded failure is kept ...
    assert len(calls) == n and rep2.counts["failed"] == 2
    rep3 = run_sweep(spec, out, Serial(), retry_failed=True, stream=None)  # ... unless asked
    assert len(calls) == n + 2 and rep3.counts["failed"] == 2


def test_check_reports_claims_per_point(tmp_path):
    spec, out = _spec(tmp_path), tmp_path / "out"
    run_sweep(spec, out, Serial(), stream=None)
    per_point, text = check([out])
    assert len(per_point) == 2
    assert sorted(rows[0]["point"]["init_std"] for rows in per_point) == [0.005, 0.01]
    for rows in per_point:
        assert {r["id"] for r in rows} >= {"C1", "C2", "C3", "C4"}
        assert all(r["point"] == rows[0]["point"] for r in rows)
        assert next(r for r in rows if r["id"] == "C1")["n_seeds"] == 2  # the point's two seeds
    assert json.loads((out / "claims.json").read_text()) == json.loads(json.dumps(per_point))
    assert "init_std=0.005" in text


def test_dask_cluster_gives_the_serial_results(tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed "
                                      "(pip install 'mvt[dask]'); the Dask executor is untested")
    spec = _spec(tmp_path)
    run_sweep(spec, tmp_path / "serial", Serial(), stream=None)
    # threads in this process: starts in about a second, unlike worker processes
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        rep = run_sweep(spec, tmp_path / "dask", DaskPool(client=client), stream=None)
    assert rep.counts["done"] == 4 and rep.computed == 4
    rows = {p: {r["id"]: r["metrics"] for r in json.loads((tmp_path / p / INDEX_JSON).read_text())["runs"]}
            for p in ("serial", "dask")}
    assert rows["serial"] == rows["dask"]  # same ids, same results: same seeds, same code


KILL_SPEC = """
preset = "tiny"
modes = ["single"]
seeds = [0, 1, 2, 3]
[set]
n_steps = 200
stop_at_full_accuracy = false
[grid]
init_std = [0.005, 0.006, 0.008, 0.01]
"""


def test_kill_minus_nine_then_resume(tmp_path):
    """SIGKILL the sweep's process group mid-way; the same command keeps and completes."""
    spec, out = tmp_path / "k.toml", tmp_path / "out"
    spec.write_text(KILL_SPEC)
    n_total = 16
    cmd = [sys.executable, "-m", "mvt.cli", "sweep", str(spec), "--out", str(out), "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while len(list(out.glob(f"runs/*/{RUN_JSON}"))) < 2:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no run finished in 120 s"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = {p.parent: _fingerprint(p.parent) for p in out.glob(f"runs/*/{RUN_JSON}")}
    assert 2 <= len(finished) < n_total, f"{len(finished)} of {n_total} finished at the kill"
    json.loads((out / INDEX_JSON).read_text())  # the index is never torn

    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert f"{n_total} done ({len(finished)} from the cache, {n_total - len(finished)} computed)" in res.stdout
    assert {d: _fingerprint(d) for d in finished} == finished  # kept, not recomputed
    index = json.loads((out / INDEX_JSON).read_text())
    assert index["counts"]["done"] == n_total
    for row in index["runs"]:
        load_run(out / row["path"])


@pytest.mark.slow
def test_cli_dask_local_cluster_of_processes(tmp_path):
    """`mvt sweep --dask local`: worker processes spawned by a LocalCluster, same results."""
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC)
    run_sweep(load_spec(spec), tmp_path / "serial", Serial(), stream=None)
    res = subprocess.run([sys.executable, "-m", "mvt.cli", "sweep", str(spec), "--out",
                          str(tmp_path / "dask"), "--dask", "local", "--workers", "2"], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    rows = {p: {r["id"]: r["metrics"] for r in json.loads((tmp_path / p / INDEX_JSON).read_text())["runs"]}
            for p in ("serial", "dask")}
    assert rows["serial"] == rows["dask"]
