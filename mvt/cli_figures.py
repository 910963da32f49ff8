"""``mvt figures DIR [DIR ...] [--out FIGDIR]``: every figure from saved runs (never simulates)."""

from __future__ import annotations

from pathlib import Path


def _cmd_figures(args) -> int:
    from figures import make_all

    out = Path(args.out) if args.out else Path(args.dirs[0]) / "figures"
    paths = make_all([Path(d) for d in args.dirs], out)
    print(f"{len(paths)} figure{'s' if len(paths) != 1 else ''} (PNG and PDF) in {out}")
    return 0 if paths else 1


def register(sub) -> None:
    f = sub.add_parser("figures", help="draw every figure from saved runs",
                       description="Read saved runs (a run directory, a directory of runs, or a "
                                   "`mvt reproduce` directory) and write each figure as PNG and "
                                   "PDF. Figures whose runs are absent are skipped with a note. "
                                   "Nothing is simulated.")
    f.add_argument("dirs", nargs="+", metavar="DIR", help="run directories or directories that contain runs")
    f.add_argument("--out", default=None, metavar="FIGDIR",
                   help="directory for the figures (default: DIR/figures of the first DIR)")
    f.set_defaults(func=_cmd_figures)
