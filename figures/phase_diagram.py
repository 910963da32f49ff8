"""Figure 7: phase diagram — the claims' verdicts over a parameter sweep.

Input: a sweep directory (``mvt sweep``; read through :mod:`theory.sweeps`). The verdicts come
from its ``claims.json`` (``mvt check SWEEPDIR``: one list of claim objects per point, each with
``point``, ``point_id``, ``verdict``, ``measured``, ``ci``). When claims.json is absent, or does
not list exactly the points the index has finished runs for (the sweep grew after the check),
the claims are evaluated here from the runs, as ``mvt check`` would (theory's claims and C9),
without writing anything; the footer says which.

One heatmap per claim: x = the swept parameter with the most values, y = the one with the next
most (a 1-D sweep is a strip), further swept parameters give one column of heatmaps per
combination of their values (facets). Cell colour = verdict (holds / inconclusive / fails, a
colour-blind-safe blue / grey / vermillion), cell text = the measured value ("—" when the claim
measured nothing); a point without finished runs, or where a claim had no runs of its modes,
is left blank and hatched.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from bounds import C9
from theory.claims import CLAIMS
from theory.results import Run
from theory.sweeps import CLAIMS_JSON, RUNS, claims_per_point, is_sweep, load_index

from . import style
from .runs import FigureInputError, caption

VERDICTS = ("holds", "inconclusive", "fails")
VERDICT_COLOURS = ("#0072B2", "#BBBBBB", "#D55E00")  # Okabe–Ito blue, grey, vermillion
TEXT_COLOURS = ("white", "black", "black")
MISSING = "no runs / not measured"
PARAM_SYMBOLS = {  # SPEC §1 symbols of the code names, for axis labels
    "n_classes": "k", "dim": "d", "n_patches": "P", "patches_per_feature": "C_p",
    "offclass_rate": "s", "feature_noise": r"\gamma", "noise_std": r"\sigma_p", "noise_norm": "s_p",
    "faint_view": r"\rho", "offclass_single": r"\Gamma", "single_view_frac": r"\mu",
    "n_train": "N", "n_neurons": "m", "power": "q", "threshold": r"\varrho", "init_std": r"\sigma_0",
    "lr": r"\eta", "n_steps": "T", "n_models": "K", "temperature": r"\tau",
    "distill_lr_ratio": r"\eta'/\eta", "student_steps": "T'", "hinton_alpha": r"\alpha",
    "hinton_temperature": r"T_{\rm H}"}


def param_label(name: str) -> str:
    """'init_std ($\\sigma_0$)' for a code name with a SPEC symbol, else the name."""
    return f"{name} (${PARAM_SYMBOLS[name]}$)" if name in PARAM_SYMBOLS else name


def sweep_dirs(runs: list[Run]) -> list[Path]:
    """The sweep directories the runs belong to (a sweep run lives in SWEEP/runs/<id>/)."""
    dirs = {r.path.resolve().parent.parent for r in runs if r.path.resolve().parent.name == RUNS}
    return sorted(d for d in dirs if is_sweep(d))


def select(runs: list[Run]) -> list[Run]:
    """The runs that belong to a sweep directory."""
    dirs = set(sweep_dirs(runs))
    return [r for r in runs if r.path.resolve().parent.parent in dirs]


def load_claims(sweep_dir: Path) -> tuple[list[list[dict]], str]:
    """(claims per point, where they came from) for a sweep directory (module docstring)."""
    sweep_dir = Path(sweep_dir)
    done = {row["point_id"] for row in load_index(sweep_dir)["runs"] if row["status"] == "done"}
    path = sweep_dir / CLAIMS_JSON
    why = "no claims.json"
    if path.is_file():
        import json
        try:
            per_point = json.loads(path.read_text())
            listed = {rows[0]["point_id"] for rows in per_point if rows}
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            why = f"claims.json unreadable ({type(exc).__name__})"
        else:
            if listed == done:
                return per_point, f"verdicts from {path}"
            why = "claims.json lists other points than the index (sweep changed since mvt check)"
    per_point, _ = claims_per_point(sweep_dir, CLAIMS + [C9])
    return per_point, f"verdicts evaluated from the runs ({why}; as mvt check would)"


def _ordered(values: list) -> list:
    """Distinct values, numerically sorted when all are numbers, else in order of appearance."""
    distinct = list(dict.fromkeys(values))
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in distinct):
        return sorted(distinct)
    return distinct


@dataclass
class Layout:
    """Which swept parameter goes where, with its values in axis order."""

    x: tuple[str, list] | None  # None: nothing swept (one cell)
    y: tuple[str, list] | None  # None: a 1-D strip
    facets: list[dict]  # one dict of the remaining parameters' values per column ([{}]: none)


def layout(per_point: list[list[dict]], varied: list[str] | None = None) -> Layout:
    """x, y = the two swept parameters with the most values (ties: the sweep file's order)."""
    points = [rows[0]["point"] for rows in per_point if rows]
    names = list(varied) if varied is not None else list(dict.fromkeys(k for p in points for k in p))
    values = {n: _ordered([p[n] for p in points if n in p]) for n in names}
    by_size = sorted(names, key=lambda n: -len(values[n]))  # stable: file order among ties
    x = (by_size[0], values[by_size[0]]) if by_size else None
    y = (by_size[1], values[by_size[1]]) if len(by_size) > 1 else None
    rest = by_size[2:]
    facets = [dict(zip(rest, combo)) for combo in itertools.product(*(values[n] for n in rest))]
    return Layout(x, y, facets)


@dataclass
class Cells:
    """One heatmap: verdict codes and measured values on the (y, x) grid."""

    code: np.ndarray  # (ny, nx) float: index into VERDICTS, nan = missing
    measured: np.ndarray  # (ny, nx) object: float, None (measured nothing) or nan (missing)


def cells(per_point: list[list[dict]], lay: Layout, claim: str, facet: dict) -> Cells:
    """The heatmap of ``claim`` in facet ``facet``."""
    xs = lay.x[1] if lay.x else [None]
    ys = lay.y[1] if lay.y else [None]
    code = np.full((len(ys), len(xs)), np.nan)
    measured = np.full((len(ys), len(xs)), np.nan, dtype=object)
    for rows in per_point:
        for row in rows:
            p = row["point"]
            if row["id"] != claim or any(p.get(k) != v for k, v in facet.items()):
                continue
            ix = xs.index(p[lay.x[0]]) if lay.x else 0
            iy = ys.index(p[lay.y[0]]) if lay.y else 0
            code[iy, ix] = VERDICTS.index(row["verdict"])
            measured[iy, ix] = row["measured"]
    return Cells(code, measured)


def _fmt(v) -> str:
    if v is None:
        return "—"
    if abs(v) >= 100 or (v != 0 and abs(v) < 0.01):
        return f"{v:.2g}"
    return f"{v:.2f}"


def _tick(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def draw(per_point: list[list[dict]], out: Path, varied: list[str] | None = None,
         name: str = "phase_diagram", footer: str = "") -> Path:
    """The heatmaps of every claim in ``per_point`` (claims.json of a sweep); return the PNG."""
    if not any(per_point):
        raise FigureInputError("no claims at any point of the sweep")
    lay = layout(per_point, varied)
    claims = sorted({row["id"] for rows in per_point for row in rows}, key=lambda c: int(c[1:]))
    statements = {row["id"]: (row["statement"], row["predicted"]) for rows in per_point for row in rows}
    nx = len(lay.x[1]) if lay.x else 1
    ny = len(lay.y[1]) if lay.y else 1
    nf = len(lay.facets)
    ncols = nf if nf > 1 else min(len(claims), 3)  # facets: claims in rows; else wrap claims
    nrows = len(claims) if nf > 1 else math.ceil(len(claims) / ncols)
    cmap = ListedColormap(VERDICT_COLOURS)
    with style.context():
        fig = style.new_figure(ncols * max(0.85 * nx + 1.6, 3.4) + 2.4, nrows * (0.5 * ny + 1.75) + 1.2)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for c, claim in enumerate(claims):
            for f, facet in enumerate(lay.facets):
                ax = axes[c, f] if nf > 1 else axes.flat[c]
                cl = cells(per_point, lay, claim, facet)
                img = ax.imshow(np.ma.masked_invalid(cl.code), cmap=cmap, vmin=-0.5, vmax=2.5,
                                aspect="auto", origin="lower", interpolation="nearest")
                img.set_gid(f"verdicts:{claim}:{f}")
                ax.set_facecolor("white")
                for iy, ix in np.ndindex(cl.code.shape):
                    if np.isnan(cl.code[iy, ix]):
                        ax.add_patch(_hatch(ix, iy))
                        continue
                    ax.text(ix, iy, _fmt(cl.measured[iy, ix]), ha="center", va="center", fontsize=8.5,
                            color=TEXT_COLOURS[int(cl.code[iy, ix])], gid=f"cell:{claim}:{f}:{iy}:{ix}")
                ax.grid(False)
                ax.set_xticks(range(nx), [_tick(v) for v in lay.x[1]] if lay.x else [""])
                ax.set_yticks(range(ny), [_tick(v) for v in lay.y[1]] if lay.y else [""])
                ax.tick_params(length=0)
                for spine in ax.spines.values():
                    spine.set_visible(False)
                if lay.x:
                    ax.set_xlabel(param_label(lay.x[0]), fontsize=8.5)
                if lay.y:
                    ax.set_ylabel(param_label(lay.y[0]), fontsize=8.5)
                statement, predicted = statements[claim]
                title = "\n".join(textwrap.wrap(f"{claim}: {statement}", 48, max_lines=3, placeholder=" …")
                                   + textwrap.wrap(f"cell: measured; predicted {predicted}", 52))
                if nf > 1:
                    title = ", ".join(f"{k} = {_tick(v)}" for k, v in facet.items()) + "\n" + title
                ax.set_title(title, fontsize=7.5, pad=4)
        for ax in axes.flat[len(claims) * nf:]:
            ax.set_visible(False)
        handles = [Patch(facecolor=col, label=v) for v, col in zip(VERDICTS, VERDICT_COLOURS)]
        handles.append(Patch(facecolor="white", edgecolor="#999999", hatch="///", label=MISSING))
        fig.legend(handles=handles, loc="outside right center", title="verdict\n(95% CI vs band)")
        if lay.x is None:
            shape = "nothing swept"
        elif lay.y is None:
            shape = "a strip"
        elif nf > 1:
            shape = f"{nf} facets over {', '.join(lay.facets[0])}"
        else:
            shape = "a grid"
        fig.suptitle(f"Phase diagram: claim verdicts over the sweep ({len(per_point)} points, {shape})",
                     x=0.02, ha="left")
        return style.save(fig, out, name, footer=footer)


def _hatch(ix: int, iy: int):
    from matplotlib.patches import Rectangle
    return Rectangle((ix - 0.5, iy - 0.5), 1, 1, facecolor="white", edgecolor="#999999", hatch="///",
                     lw=0, gid=f"missing:{iy}:{ix}")


def make(runs: list[Run], out: Path, name: str = "phase_diagram") -> Path:
    """The phase diagram of the one sweep the runs belong to; return the PNG."""
    dirs = sweep_dirs(runs)
    if len(dirs) != 1:
        raise FigureInputError(f"the runs belong to {len(dirs)} sweep directories; give one sweep directory")
    per_point, source = load_claims(dirs[0])
    index = load_index(dirs[0])
    spec = index.get("spec", {})
    shown = select(runs)
    note = f"{source}; sweep file {spec.get('source', '?')}"
    if spec.get("set"):
        note += "; fixed " + ", ".join(f"{k}={_tick(v)}" for k, v in spec["set"].items())
    return draw(per_point, out, index.get("varied"), name, footer=caption(shown, note))
