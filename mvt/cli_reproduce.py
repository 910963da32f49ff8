"""``mvt reproduce``: the whole suite of modes for each seed, then check (and figures).

Layout: DIR/seed<S>/<mode>/ holds one run per seed and mode. Runs of one seed share an
in-process cache, so the ensemble members are trained once for ensemble and distill mode and
the single model once for single and self-distill mode (results are identical without it).
A run directory that already holds a finished run is kept (the suite resumes) unless
``--force``. Then ``mvt check DIR`` prints the claims table and the Figure 1 table and writes
DIR/claims.json and DIR/figure1.json, and :func:`make_figures` is called.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from theory import presets
from theory.results import RUN_JSON

from .cli import resolve_params

SUITE = ("single", "ensemble", "distill", "self-distill", "train-average",
         "ntk-single", "ntk-ensemble", "ntk-distill", "ntk-self-distill", "ntk-train-average",
         "rf-single", "rf-ensemble", "rf-distill", "rf-self-distill", "rf-train-average")


def make_figures(out: Path) -> None:
    """Every figure from the runs below ``out``, written to ``out/figures``."""
    from figures import make_all

    make_all([out], out / "figures", report=lambda msg: print(f"figures: {msg}", file=sys.stderr))


def _run_seed(params, preset: str, seed: int, out: str, modes: tuple[str, ...], force: bool,
              t0: float) -> None:
    """Every mode of one seed, in order, sharing one cache (teachers are shared within a seed)."""
    from .experiment import run
    from .progress import reporter

    cache: dict = {}
    for mode in modes:
        target = Path(out) / f"seed{seed}" / mode
        if (target / RUN_JSON).exists() and not force:
            print(f"[seed {seed}] {mode}: kept existing run {target}")
            continue
        run(params, mode, seed, target, preset=preset,
            progress=reporter(f"[{mode} seed {seed}] "), cache=cache)
        print(f"[seed {seed}] {mode}: done ({time.time() - t0:.0f}s elapsed)", flush=True)


def _run_parallel(jobs: list[tuple], workers: int) -> None:
    """Seeds in ``workers`` spawned processes (one thread each for BLAS and numba)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .executors import worker_environment

    with worker_environment(1), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_run_seed, *job) for job in jobs]
        for f in futures:
            f.result()  # re-raises a worker's error


def _cmd_reproduce(args) -> int:
    from .check import check
    from .experiment import MODES

    modes = args.modes or list(SUITE)
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise ValueError(f"--modes {', '.join(bad)}: unknown; known modes: {', '.join(MODES)}")
    if any(isinstance(s, bool) or s < 0 for s in args.seeds):
        raise ValueError(f"--seeds {args.seeds}: seeds must be integers >= 0")
    params = resolve_params(args.preset, args.set)
    out = Path(args.out)
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers {args.workers}: must be an integer >= 1")
    t0 = time.time()  # wall clock, comparable across worker processes
    jobs = [(params, args.preset, seed, str(out), tuple(modes), args.force, t0) for seed in args.seeds]
    if (args.workers or 1) == 1 or len(jobs) == 1:
        for job in jobs:
            _run_seed(*job)
    else:
        _run_parallel(jobs, args.workers)
    print(f"suite finished in {time.time() - t0:.0f}s wall", flush=True)
    rows, table = check([out])
    print(table)
    make_figures(out)
    return 0


def register(sub) -> None:
    r = sub.add_parser("reproduce", help="the whole suite of modes over seeds, then check and figures",
                       description="Run every training mode (network, NTK and random-feature "
                                   "baselines) for each seed into DIR/seed<S>/<mode>/, then "
                                   "evaluate the claims and the Figure 1 table over DIR.")
    r.add_argument("--preset", default=presets.DEFAULT,
                   help=f"one of {', '.join(presets.PRESETS)} (default {presets.DEFAULT})")
    r.add_argument("--seeds", type=int, nargs="+", required=True, metavar="S", help="integer seeds >= 0")
    r.add_argument("--out", required=True, help="suite directory to write")
    r.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a preset parameter by its code name (repeatable)")
    r.add_argument("--modes", nargs="+", default=None, metavar="MODE",
                   help=f"a subset of the suite (default all: {', '.join(SUITE)})")
    r.add_argument("--force", action="store_true", help="rerun modes whose run directory exists")
    r.add_argument("--workers", type=int, default=None, metavar="N",
                   help="run seeds in N processes at once (default 1: seeds in order, in this process)")
    r.set_defaults(func=_cmd_reproduce)
