"""The distill_drive figure draws the saved drive arrays (summed over the losing / winning views)."""

from pathlib import Path

import numpy as np
import pytest

from figures import distill_drive, style
from figures.registry import FIGURES
from figures.runs import FigureInputError
from theory.results import Run


def _run(mode="distill", seed=0, with_drive=True):
    rng = np.random.default_rng(seed)
    T, k = 6, 4
    lam = np.abs(rng.standard_normal((T, 1, k, 2))) * 0.1
    arrays = {"steps": np.arange(T) * 10, "lambda_max": lam}
    if with_drive:
        arrays["drive"] = rng.standard_normal((T, k, 2, 4))
    record = {"mode": mode, "seed": seed, "preset": "tiny",
              "params": {"network": {"threshold": 0.2}},
              "distill": {"distill_form": "truncated", "truncation": "bounded", "temperature": 0.5,
                          "distill_lr_ratio": 1.0},
              "drive_sources": list(distill_drive.SOURCES)}
    return Run(Path(f"/tmp/fake/{mode}{seed}"), record, arrays)


def test_lines_are_the_saved_drive(monkeypatch, tmp_path):
    figs = []
    real = style.save
    monkeypatch.setattr(style, "save", lambda fig, out, name, footer="": (figs.append(fig), real(fig, out, name, footer))[1])
    run = _run()
    path = distill_drive.make([_run(seed=3), run, _run("single", with_drive=False)], tmp_path)
    assert path.is_file()
    fig = figs[-1]
    lam, D = run.arrays["lambda_max"][:, 0], run.arrays["drive"]
    k = lam.shape[1]
    lose = (lam[-1, :, 1] <= lam[-1, :, 0]).astype(int)
    for panel, views in ((0, lose), (1, 1 - lose)):
        want = D[:, np.arange(k), views].sum(axis=1)  # (T, 4)
        lines = {ln.get_gid(): ln for ln in fig.axes[panel].lines}
        for s_idx, src in enumerate(distill_drive.SOURCES):
            np.testing.assert_allclose(lines[f"drive:{src}"].get_ydata(), want[:, s_idx])


def test_needs_a_student_run_with_drive(tmp_path):
    assert distill_drive.select([_run("single"), _run(with_drive=False)]) == []
    with pytest.raises(FigureInputError):
        distill_drive.make([_run(with_drive=False)], tmp_path)
    assert "distill_drive" in [f.name for f in FIGURES]
