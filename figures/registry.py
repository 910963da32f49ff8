"""The list of figures and ``make_all``, which draws every figure whose inputs are present.

A figure is a :class:`FigureSpec`: its name, a pure function ``make(runs, out) -> Path`` and
``select(runs) -> runs``, the runs it reads (empty when its inputs are absent, and the figure is
skipped with a message saying what it needs). Adding a figure is one entry in ``FIGURES``.
The phase diagram reads the sweep directory its runs belong to (``theory.sweeps``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from theory.results import Run, find_runs

from . import accuracy, coverage, distill_drive, lambda_trajectories, lottery, memorisation, phase_diagram, tensor_power
from .runs import FigureInputError, of_modes

Selector = Callable[[list[Run]], list[Run]]


@dataclass(frozen=True)
class FigureSpec:
    name: str  # file stem of the figure: <out>/<name>.png and .pdf
    make: Callable[[list[Run], Path], Path]
    select: Selector  # the runs the figure reads; [] when its inputs are absent
    needs: str  # what it reads, for the message when it is skipped


def of_any_mode(*modes: str) -> Selector:
    """Runs of the given modes."""
    return lambda runs: of_modes(runs, modes)


def every_run(runs: list[Run]) -> list[Run]:
    return list(runs)


def with_mode(required: str, *others: str) -> Selector:
    """Runs of ``required`` and ``others`` when some run of ``required`` is present, else []."""
    def select(runs: list[Run]) -> list[Run]:
        return of_modes(runs, (required, *others)) if any(r.mode == required for r in runs) else []
    return select


def _lambda_spec(mode: str) -> FigureSpec:
    name = f"lambda_{mode.replace('-', '_')}"
    return FigureSpec(name, functools.partial(lambda_trajectories.make, mode=mode, name=name),
                      of_any_mode(mode), f"a run of mode {mode!r}")


FIGURES: list[FigureSpec] = [
    *(_lambda_spec(m) for m in ("single", "distill", "self-distill", "train-average")),
    FigureSpec("lottery", lottery.make, of_any_mode(*lottery.MODES),
               "runs of mode 'single' or 'ensemble'"),
    FigureSpec("accuracy", accuracy.make, every_run, "any runs"),
    FigureSpec("tensor_power", tensor_power.make, of_any_mode(*tensor_power.MODES),
               "a run of mode 'single' (with a class in its lottery set M)"),
    FigureSpec("memorisation", memorisation.make, every_run, "any runs"),
    FigureSpec("coverage", coverage.make, with_mode("ensemble", "train-average"),
               "runs of mode 'ensemble'"),
    FigureSpec("distill_drive", distill_drive.make, distill_drive.select,
               "a run of mode 'distill' or 'self-distill' with a saved drive"),
    FigureSpec("phase_diagram", phase_diagram.make, phase_diagram.select, "a sweep directory (mvt sweep)"),
]


def make_all(dirs: Path | str | Iterable[Path | str], out: Path | str,
             report: Callable[[str], None] = print) -> list[Path]:
    """Every figure whose inputs are found below ``dirs``, written to ``out``; the PNG paths.

    ``dirs``: run directories, directories of runs, or a ``mvt reproduce`` directory. Runs of
    different presets are drawn separately, in ``out/<preset>/``. A figure whose runs are absent
    is skipped and ``report`` says so, as is one whose runs it cannot combine
    (``FigureInputError``); nothing is simulated.
    """
    if isinstance(dirs, (str, Path)):
        dirs = [dirs]
    runs = find_runs([Path(d) for d in dirs])
    groups: dict[str, list[Run]] = {}
    for r in runs:
        groups.setdefault(str(r.record.get("preset") or "custom"), []).append(r)
    paths: list[Path] = []
    for preset, group in sorted(groups.items()):
        target = Path(out) / preset if len(groups) > 1 else Path(out)
        label = f"[{preset}] " if len(groups) > 1 else ""
        for spec in FIGURES:
            chosen = spec.select(group)
            if not chosen:
                report(f"{label}skipped {spec.name}: needs {spec.needs}; none found")
                continue
            try:
                path = spec.make(chosen, target)
            except FigureInputError as exc:  # e.g. runs that mix lottery margins
                report(f"{label}skipped {spec.name}: {exc}")
                continue
            report(f"{label}wrote {path} (+ .pdf) from {len(chosen)} run{'s' if len(chosen) > 1 else ''}")
            paths.append(path)
    return paths
