"""One look for every figure, applied in a context; saving to PNG and PDF.

Nothing here touches matplotlib's global state: the style is an ``rc_context`` entered by each
figure function, figures are built on a ``matplotlib.figure.Figure`` with an Agg canvas (no
pyplot, no backend switch), and nothing happens at import.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterator

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

RC = {
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.4,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",  # never clip a long title or footer (costs one extra draw)
    "pdf.fonttype": 42,  # embed TrueType: text stays selectable and editable in the PDF
}

# Colours used with one meaning across figures.
WINNER, LOSER = "#1f77b4", "#d62728"
MULTI_VIEW, SINGLE_VIEW = "#4c72b0", "#dd8452"
GROUP_COLOURS = {"multi": "#4c72b0", "single_won": "#55a868", "single_lost": "#c44e52"}
GROUP_LINESTYLES = {"multi": "-", "single_won": "--", "single_lost": "-"}  # won and multi overlap often
GROUP_LABELS = {"multi": "multi-view samples", "single_won": "single-view, dominant view won",
                "single_lost": "single-view, dominant view lost"}
THRESHOLD = "#555555"


@contextlib.contextmanager
def context() -> Iterator[None]:
    """The shared style; enter it around building *and* saving a figure."""
    with rc_context(RC):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A figure with an Agg canvas attached (renders without pyplot or a display).

    Constrained layout keeps titles, labels, legends and the footer from overlapping;
    ``savefig.bbox = "tight"`` keeps a title or footer longer than the figure from being clipped.
    """
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, out: Path, name: str, footer: str = "") -> Path:
    """Write ``out/name.png`` and ``out/name.pdf`` with ``footer`` as a caption; return the PNG.

    The footer (preset, modes, seeds, source) is the figure's ``supxlabel``, for which the
    constrained layout reserves a band under the axes. Figure legends go beside the axes
    (``loc="outside right ..."``), never in that band.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if footer:
        fig.supxlabel(footer, x=0.005, ha="left", fontsize=7.5, color="#444444", gid="footer")
    png = out / f"{name}.png"
    fig.savefig(png)
    with _quiet_font_subsetting():
        fig.savefig(out / f"{name}.pdf")
    return png


@contextlib.contextmanager
def _quiet_font_subsetting() -> Iterator[None]:
    """Silence fontTools' warning about DejaVu's zero 'created' timestamp while a PDF embeds
    it ("timestamp seems very low"): harmless, and it would clutter every ``mvt figures``."""
    log = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)
