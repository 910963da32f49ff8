"""The ``mvt`` command line: the only place that ties theory, dynamics, bounds and figures."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from theory import presets
from theory.params import names as param_names
from theory.params import with_overrides

from . import cli_figures as _figures


def _preset_help() -> str:
    return "; ".join(f"{n}: {d}" for n, (_, d) in presets.PRESETS.items())


def _parse_sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"--set {item!r}: expected NAME=VALUE")
        name, value = item.split("=", 1)
        out[name.strip()] = value
    return out


def resolve_params(preset: str, sets: list[str]):
    """The preset with ``--set`` overrides applied and validated."""
    return with_overrides(presets.get(preset), _parse_sets(sets))


def _cmd_run(args) -> int:
    from .experiment import MODES, run
    from .progress import reporter

    if args.mode not in MODES:
        raise ValueError(f"--mode {args.mode!r}: unknown; known modes: {', '.join(MODES)}")
    params = resolve_params(args.preset, args.set)
    out = Path(args.out)
    if (out / "run.json").exists() and not args.force:
        raise ValueError(f"--out {out}: already holds a run (use --force to overwrite)")
    path = run(params, args.mode, args.seed, out, preset=args.preset,
               progress=reporter(f"[{args.mode} seed {args.seed}] "))
    rec = json.loads((path / "run.json").read_text())
    m = rec["model"]
    print(f"wrote {path}: train {m['train_acc']:.3f}  multi-view test {m['test_acc_multi']:.3f}  "
          f"single-view test {m['test_acc_single']:.3f}  ({rec['timings']['total']:.1f}s)")
    return 0


def _cmd_check(args) -> int:
    from .check import check

    rows, table = check([Path(p) for p in args.dirs], out=Path(args.out) if args.out else None)
    print(table)
    return 0


def _cmd_presets(args) -> int:
    for name, (params, desc) in presets.PRESETS.items():
        print(f"{name}: {desc}")
        if args.verbose:
            print(json.dumps(params.to_dict(), indent=2))
    return 0


def _register_core(sub) -> None:
    """run, check, presets."""
    from .experiment import MODES

    r = sub.add_parser("run", help="one run of one training mode",
                       description=f"One run. Presets: {_preset_help()}.")
    r.add_argument("--mode", default="single", help=f"training mode: {', '.join(MODES)} (default single)")
    r.add_argument("--preset", default=presets.DEFAULT, help=f"one of {', '.join(presets.PRESETS)} (default {presets.DEFAULT})")
    r.add_argument("--seed", type=int, default=0, help="integer seed >= 0 (default 0)")
    r.add_argument("--out", required=True, help="run directory to write")
    r.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a preset parameter by its code name (repeatable), e.g. "
                        "--set dim=inf --set n_patches=64; names: " + ", ".join(param_names()))
    r.add_argument("--force", action="store_true", help="overwrite an existing run directory")
    r.set_defaults(func=_cmd_run)

    c = sub.add_parser("check", help="evaluate the paper's claims over runs",
                       description="Evaluate SPEC §5 claims over run directories (or directories "
                                   "containing runs); print a table and write claims.json.")
    c.add_argument("dirs", nargs="+", help="run directories or directories that contain runs")
    c.add_argument("--out", default=None, help="where to write claims.json (default: the first DIR)")
    c.set_defaults(func=_cmd_check)

    pr = sub.add_parser("presets", help="list the presets")
    pr.add_argument("-v", "--verbose", action="store_true", help="print every parameter")
    pr.set_defaults(func=_cmd_presets)


# Each entry adds its subcommands to the parser; a new command lives in its own module with a
# ``register(subparsers)`` function and is listed here.
def _register_reproduce(sub) -> None:
    from .cli_reproduce import register

    register(sub)


from . import cli_sweep  # noqa: E402

REGISTRARS = [_register_core, _figures.register, cli_sweep.register, _register_reproduce]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mvt", description="Multi-view theory toolkit: simulate and "
                                "check Allen-Zhu & Li's theory of ensembles and distillation.")
    sub = p.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:  # bad parameters, bad result files: a clear message, no traceback
        print(f"mvt {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the reader has gone: not an error
        # Python would report the failed flush of stdout at exit; point it at /dev/null
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
