"""Fixtures and helpers shared by several test modules."""

import pytest

from figures import style


@pytest.fixture
def captured(monkeypatch):
    """Figures passed to style.save (still written to disk), in order."""
    figs = []
    real = style.save

    def save(fig, out, name, footer=""):
        figs.append(fig)
        return real(fig, out, name, footer)

    monkeypatch.setattr(style, "save", save)
    return figs


_TINY_SWEEP_HEAD = """
preset = "tiny"
modes = ["single"]
seeds = [0, 1]
[set]
n_train = 16
n_test = 24
n_steps = 20
track_every = 5
"""


def tiny_sweep_toml(grid: dict[str, list]) -> str:
    """Spec text of a small sweep on the tiny preset: mode single, seeds 0 and 1, 16 training and 24
    test samples, 20 steps tracked every 5 (milliseconds per run after compilation), over ``grid``
    ({parameter: values}, one line of the [grid] table each). Used by tests/test_sweep.py and
    tests/test_figures_bound_phase.py."""
    lines = "".join(f"{name} = {list(values)!r}\n" for name, values in grid.items())
    return _TINY_SWEEP_HEAD + "[grid]\n" + lines

