"""Where sweep runs execute: in this process, a local process pool, or Dask workers.

Every executor takes the same worker function (:func:`execute`) and the same task dicts and
yields ``(task, outcome)`` pairs as runs finish, in any order. Workers never write into the
sweep directory: :func:`execute` runs into a private temporary directory and returns the run
files' bytes, and the one process that drives the sweep writes them (atomically). So a remote
Dask cluster needs no shared file system, and there is a single writer of the cache and index.

Threads. Each worker runs one simulation at a time; BLAS (dense backend GEMMs) and numba must
then use one thread each, or W workers × C threads oversubscribe C cores. OpenBLAS and numba read
their thread counts when they are first loaded, which in a spawned worker happens while it
re-imports the parent's main module, before any initializer runs. So the variables are set in
the environment the workers are spawned with (:func:`worker_environment`, restored afterwards),
and again at run time through threadpoolctl when it is installed.

This module imports only the standard library at the top: it is what a spawned worker imports
first.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")

Outcome = dict[str, Any]


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def worker_environment(threads: int = 1):
    """Set the thread-count variables for processes spawned inside the block; restore after."""
    saved = {v: os.environ.get(v) for v in THREAD_VARIABLES}
    os.environ.update({v: str(threads) for v in THREAD_VARIABLES})
    try:
        yield
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old


def limit_threads(threads: int = 1) -> None:
    """In a worker: one thread for BLAS/OpenMP (threadpoolctl, if installed) from now on."""
    for v in THREAD_VARIABLES:
        os.environ.setdefault(v, str(threads))
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(threads)


def execute(task: dict[str, Any]) -> Outcome:
    """Run one sweep task; return its outcome. Never raises for a failing run.

    ``task`` holds ``id``, ``params`` (``Params.to_dict()``), ``mode``, ``seed``, ``preset``.
    The outcome is ``{"status": "done", "npz": bytes, "record": dict, "seconds": s}`` or
    ``{"status": "failed", "error": text, "traceback": text, "seconds": s, "persist": True}``:
    an exception raised by the run itself (divergence, a bad parameter) is deterministic in
    the task, so it is persisted and not retried unless asked.
    """
    import json

    from theory.params import Params
    from theory.results import RUN_JSON, TRAJ_NPZ

    from .experiment import run

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mvt-sweep-") as tmp:
        out = Path(tmp) / "run"
        try:
            run(Params.from_dict(task["params"]), task["mode"], task["seed"], out,
                preset=task.get("preset"))
        except Exception as exc:  # a failing run is a result of the sweep, not a crash of it
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(), "persist": True,
                    "seconds": time.perf_counter() - t0}
        return {"status": "done", "npz": (out / TRAJ_NPZ).read_bytes(),
                "record": json.loads((out / RUN_JSON).read_text()),
                "seconds": time.perf_counter() - t0}


def _lost(exc: BaseException) -> Outcome:
    """The outcome of a task whose worker failed (not the run): retried on the next sweep."""
    return {"status": "failed", "error": f"worker failed: {type(exc).__name__}: {exc}",
            "traceback": "".join(traceback.format_exception(exc)), "persist": False,
            "seconds": None}


class Serial:
    """Runs tasks one after another in this process (tests, debugging); threads as they are."""

    name = "serial"

    def __enter__(self) -> "Serial":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def map_unordered(self, fn: Callable[[dict], Outcome],
                      tasks: Iterable[dict]) -> Iterator[tuple[dict, Outcome]]:
        for task in tasks:
            yield task, fn(task)


class LocalPool:
    """A pool of ``workers`` spawned processes, one thread each (default: one per core)."""

    def __init__(self, workers: int | None = None):
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                    or workers < 1):
            raise ValueError(f"workers={workers!r}: must be an integer >= 1")
        self.workers = workers or default_workers()
        self.name = f"local pool of {self.workers} processes"
        self._env = None
        self._pool = None

    def __enter__(self) -> "LocalPool":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._env = worker_environment(1)
        self._env.__enter__()
        # spawn, not fork: a forked child would inherit this process's already-loaded BLAS and
        # numba thread pools (and any lock they held at fork time)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=limit_threads, initargs=(1,))
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)
        finally:
            self._env.__exit__(None, None, None)

    def map_unordered(self, fn, tasks):
        from concurrent.futures import as_completed

        futures = {self._pool.submit(fn, t): t for t in tasks}
        for fut in as_completed(futures):
            task = futures.pop(fut)
            try:
                yield task, fut.result()
            except Exception as exc:  # the worker died (killed, out of memory) or BrokenProcessPool
                yield task, _lost(exc)


class DaskPool:
    """Dask distributed workers: a scheduler ``address``, ``"local"`` (a LocalCluster of
    ``workers`` single-threaded processes), or an existing ``client``.

    Workers must be able to import this package (the same code as the driver).
    """

    def __init__(self, address: str | None = None, workers: int | None = None, client=None):
        if (address is None) == (client is None):
            raise ValueError("DaskPool: give exactly one of address and client")
        self.address, self.workers, self.client = address, workers, client
        self._own: list = []
        self._env = None
        self.name = f"Dask {address or 'client'}"

    def __enter__(self) -> "DaskPool":
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ValueError("--dask needs the 'distributed' package: pip install 'mvt[dask]'") from None
        if self.client is None:
            if self.address == "local":
                n = self.workers or default_workers()
                self._env = worker_environment(1)
                self._env.__enter__()
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                self._own.append(cluster)
                self.name = f"local Dask cluster of {n} processes"
            else:
                cluster = self.address
            self.client = Client(cluster)
            self._own.insert(0, self.client)
            if self.address != "local":  # workers we did not spawn: limit them at run time
                self.client.run(limit_threads, 1)
        return self

    def __exit__(self, *exc) -> None:
        try:
            for obj in self._own:
                obj.close()
        finally:
            if self._env is not None:
                self._env.__exit__(None, None, None)

    def map_unordered(self, fn, tasks):
        from distributed import as_completed

        futures = {}
        for t in tasks:
            futures[self.client.submit(fn, t, pure=False)] = t
        try:
            for fut in as_completed(list(futures)):
                task = futures.pop(fut)
                try:
                    yield task, fut.result()
                except Exception as exc:  # KilledWorker, lost connection, ...
                    yield task, _lost(exc)
                fut.release()
        finally:
            for fut in futures:
                fut.cancel()
