"""The sample groups of the noise-memorisation diagnostic (SPEC §5 claim 4).

A training sample is *multi-view*, or *single-view* with dominant view l̂. A single-view sample
*won* when l̂ is the view its class ended with the larger Λ (so the model can fit it through
the feature), and *lost* otherwise (the model can fit it only by memorising its noise ξ_p).
One definition, read by the run summaries (mvt.summary) and by the figures.
"""

from __future__ import annotations

import numpy as np

from .data import SINGLE

GROUPS = ("multi", "single_won", "single_lost")


def memorisation_groups(y: np.ndarray, kind: np.ndarray, dominant: np.ndarray,
                        lambda_final: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean masks (N,) of the three sample groups, keyed by ``GROUPS``.

    y, kind, dominant : (N,) labels, sample kinds (``theory.data.MULTI`` / ``SINGLE``) and
    dominant views (-1 for multi-view samples); lambda_final : (k, 2) Λ of one model at the end.
    A tie between the two views counts as a win.
    """
    single = kind == SINGLE
    dom = np.where(single, dominant, 0)  # any valid index for multi-view rows; masked below
    won_view = lambda_final[y, dom] >= lambda_final[y, 1 - dom]  # (N,)
    return {"multi": ~single, "single_won": single & won_view, "single_lost": single & ~won_view}
