"""Fixtures shared by several test modules."""

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
