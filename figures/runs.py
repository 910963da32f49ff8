"""Choosing runs for a figure and describing them in its caption.

Mode names: the network's modes (single, ensemble, distill, self-distill, train-average) and
their linearised variants, prefixed ``ntk-`` or ``rf-`` (SPEC §4).
"""

from __future__ import annotations

import os

from theory.results import Run

class FigureInputError(ValueError):
    """The runs given cannot make this figure (none of the right kind, or incompatible ones)."""


MODE_ORDER = ("single", "ensemble", "distill", "self-distill", "train-average")
FAMILIES = (("", "network"), ("ntk-", "linearised (NTK)"), ("rf-", "linearised (random features)"))


def split_mode(mode: str) -> tuple[str, str]:
    """(family prefix, base mode): 'ntk-distill' → ('ntk-', 'distill'), 'single' → ('', 'single')."""
    for prefix, _ in FAMILIES:
        if prefix and mode.startswith(prefix):
            return prefix, mode[len(prefix):]
    return "", mode


def mode_key(mode: str) -> tuple[int, int, str]:
    """Sort key: family, then the paper's order of modes, then unknown modes by name."""
    prefix, base = split_mode(mode)
    fam = [p for p, _ in FAMILIES].index(prefix)
    return fam, MODE_ORDER.index(base) if base in MODE_ORDER else len(MODE_ORDER), base


def of_modes(runs: list[Run], modes) -> list[Run]:
    """Runs whose mode is in ``modes``, ordered by mode then seed."""
    return sorted((r for r in runs if r.mode in modes), key=lambda r: (mode_key(r.mode), r.seed))


def seeds_text(seeds) -> str:
    """'0–4' for a contiguous range, '0, 2, 7' otherwise, with the count."""
    s = sorted(set(int(x) for x in seeds))
    if not s:
        return "no seeds"
    if len(s) > 2 and s == list(range(s[0], s[-1] + 1)):
        body = f"{s[0]}–{s[-1]}"
    else:
        body = ", ".join(map(str, s))
    return f"seed{'s' if len(s) > 1 else ''} {body} (n = {len(s)})"


def caption(runs: list[Run], extra: str = "") -> str:
    """Preset, modes, seeds and source directory of the runs a figure shows."""
    presets = sorted({str(r.record.get("preset")) for r in runs})
    modes = sorted({r.mode for r in runs}, key=mode_key)
    parts = [f"preset {', '.join(presets)}", f"mode{'s' if len(modes) > 1 else ''} {', '.join(modes)}",
             seeds_text(r.seed for r in runs)]
    paths = [str(r.path.resolve()) for r in runs]
    parts.append(f"from {os.path.commonpath(paths) if len(paths) > 1 else paths[0]}")
    if extra:
        parts.append(extra)
    return " · ".join(parts)
