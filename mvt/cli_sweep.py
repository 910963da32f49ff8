"""``mvt sweep FILE --out DIR``: a cached, resumable parameter sweep (see :mod:`mvt.sweep`)."""

from __future__ import annotations

from pathlib import Path


def _cmd_sweep(args) -> int:
    from .executors import DaskPool, LocalPool
    from .sweep import load_spec, run_sweep

    spec = load_spec(Path(args.file))
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers {args.workers}: must be >= 1")
    executor = (DaskPool(address=args.dask, workers=args.workers) if args.dask
                else LocalPool(args.workers))
    report = run_sweep(spec, Path(args.out), executor, retry_failed=args.retry_failed)
    print(report.text())
    return 1 if report.failures else 0


def register(sub) -> None:
    """Add ``mvt sweep`` to the subcommands."""
    s = sub.add_parser(
        "sweep", help="a parameter sweep from a TOML file, cached and resumable",
        description="Run every point x mode x seed of a sweep file. Each run is cached under "
                    "OUT/runs/<hash of its resolved parameters, mode and seed>, so running the "
                    "same command again (after a crash or kill) only computes what is missing. "
                    "OUT/index.json and OUT/index.csv list every run with its status and summary "
                    "metrics; `mvt check OUT` reports the claims per point. Exit status 1 when "
                    "some run failed (the others are still done and indexed).")
    s.add_argument("file", help="sweep file (TOML): preset, modes, seeds, [set], [grid]; see sweeps/example.toml")
    s.add_argument("--out", required=True, help="sweep directory (created; reused to resume)")
    s.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: one per available core)")
    s.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' "
                        "for a local cluster of --workers processes; needs mvt[dask]")
    s.add_argument("--retry-failed", action="store_true",
                   help="run again the runs that failed before (by default a recorded failure is kept)")
    s.set_defaults(func=_cmd_sweep)
