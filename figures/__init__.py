"""Figures drawn from saved runs; nothing here simulates (imports neither dynamics nor mvt).

Each figure is a pure function ``make(runs, out) -> Path`` in its own module, drawn in the
shared style of ``figures.style``; ``FIGURES`` lists them and ``make_all`` draws every figure
whose inputs are present.

1. ``lambda_trajectories`` — Λ_{i,ℓ}(t) of one model, winning and losing views, ϱ marked.
2. ``lottery`` — initial ratio Λ_{i,1}(0)/Λ_{i,2}(0) against the views learned, with M.
3. ``accuracy`` — multi-/single-view test accuracy by mode (the paper's Figure 1), 95% CIs.
4. ``tensor_power`` — claim C9's bound (D) on the losing view along a single model's Λ, beside
   scalar recurrence pairs under the continuous and discrete bounds.
5. ``memorisation`` — noise memorisation per training-sample group over time.
6. ``coverage`` — ensemble coverage of both views against K', with the lottery's 1 − 2^{1−K'}.
7. ``phase_diagram`` — heatmaps of the claims' verdicts over a sweep's parameter grid.
"""

from .registry import FIGURES, FigureSpec, make_all

__all__ = ["FIGURES", "FigureSpec", "make_all"]
