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


def _cmd_reproduce(args) -> int:
    from .check import check
    from .experiment import MODES, run
    from .progress import reporter

    modes = args.modes or list(SUITE)
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise ValueError(f"--modes {', '.join(bad)}: unknown; known modes: {', '.join(MODES)}")
    if any(isinstance(s, bool) or s < 0 for s in args.seeds):
        raise ValueError(f"--seeds {args.seeds}: seeds must be integers >= 0")
    params = resolve_params(args.preset, args.set)
    out = Path(args.out)
    t0 = time.perf_counter()
    for seed in args.seeds:
        cache: dict = {}  # one per seed: teachers are shared within a seed only
        for mode in modes:
            target = out / f"seed{seed}" / mode
            if (target / RUN_JSON).exists() and not args.force:
                print(f"[seed {seed}] {mode}: kept existing run {target}")
                continue
            run(params, mode, seed, target, preset=args.preset,
                progress=reporter(f"[{mode} seed {seed}] "), cache=cache)
            print(f"[seed {seed}] {mode}: done ({time.perf_counter() - t0:.0f}s elapsed)", flush=True)
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
    r.set_defaults(func=_cmd_reproduce)
