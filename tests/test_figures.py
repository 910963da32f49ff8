"""Figures are drawn from saved runs, and the plotted data are the runs' data.

Real single-model runs on the tiny preset, and synthetic runs of the other modes in the
documented layout (tests/synthetic_runs.py), are read back; every figure is checked through
its matplotlib artists (line data, bar heights, error-bar segments, scatter offsets) against
the results' arrays, not only for the file's existence.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import figures
from figures import accuracy, coverage, lambda_trajectories, lottery, memorisation, style
from theory import presets
from theory.lottery import lottery_margin
from theory.memorisation import memorisation_groups
from theory.results import find_runs
from theory.stats import ACCURACY, t_interval

from tests.synthetic_runs import write_synthetic_run
from tests.tolerances import FIGURE_F32_RTOL, FIGURE_RTOL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def single_dir(tmp_path_factory) -> Path:
    """Two real single-model runs on the tiny preset."""
    from mvt.experiment import run

    d = tmp_path_factory.mktemp("single")
    for seed in (0, 1):
        run(presets.get("tiny"), "single", seed, d / f"single-s{seed}", preset="tiny")
    return d


@pytest.fixture(scope="session")
def mixed_dir(tmp_path_factory, single_dir) -> Path:
    """The real single runs plus synthetic runs of the other modes, 3 seeds each."""
    d = tmp_path_factory.mktemp("mixed")
    for p in single_dir.iterdir():
        shutil.copytree(p, d / p.name)
    for seed in range(3):
        for mode, K in (("ensemble", 3), ("train-average", 3), ("distill", 1), ("self-distill", 1),
                        ("ntk-single", 1), ("ntk-ensemble", 3)):
            write_synthetic_run(d / f"{mode}-s{seed}", mode, seed, K, both_views=0.2)
    return d


def _by_gid(fig, gid):
    hits = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(hits) == 1, f"{len(hits)} artists with gid {gid!r}"
    return hits[0]


def _footer(fig) -> str:
    return fig._supxlabel.get_text()


def _close(a, b, rtol=FIGURE_RTOL):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=0)


# --- figure 1 -------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["single", "distill"])
def test_lambda_lines_are_the_saved_trajectories(mode, single_dir, mixed_dir, captured, tmp_path):
    runs = find_runs([mixed_dir])
    path = lambda_trajectories.make(runs, tmp_path, mode=mode)
    assert path.is_file() and path.with_suffix(".pdf").is_file()
    run = min((r for r in runs if r.mode == mode), key=lambda r: r.seed)
    fig = captured[-1]
    lam, steps = run.arrays["lambda_max"][:, 0], run.arrays["steps"]  # (T, k, 2)
    k = lam.shape[1]
    for i in range(k):
        w = int(lam[-1, i, 1] > lam[-1, i, 0])
        for view in (0, 1):
            line = _by_gid(fig, f"lambda:{i}:{view}")
            _close(line.get_xdata(), steps)
            _close(line.get_ydata(), lam[:, i, view])
            assert line.get_color() == (style.WINNER if view == w else style.LOSER)
    rho = run.record["params"]["network"]["threshold"]
    thresholds = [a for ax in fig.axes for a in ax.lines if a.get_gid() == "threshold"]
    assert len(thresholds) == k and all(np.allclose(t.get_ydata(), rho) for t in thresholds)
    assert all(ax.get_yscale() == "log" for ax in fig.axes[:k])
    assert f"seed {run.seed}" in _footer(fig) and "preset tiny" in _footer(fig)


def test_lambda_picks_the_member_asked_for(mixed_dir, captured, tmp_path):
    runs = find_runs([mixed_dir])
    lambda_trajectories.make(runs, tmp_path, mode="ensemble", seed=2, member=2)
    run = next(r for r in runs if r.mode == "ensemble" and r.seed == 2)
    _close(_by_gid(captured[-1], "lambda:1:0").get_ydata(), run.arrays["lambda_max"][:, 2, 1, 0])
    with pytest.raises(ValueError, match="member=3"):
        lambda_trajectories.make(runs, tmp_path, mode="ensemble", member=3)


# --- figure 2 -------------------------------------------------------------------------------

def test_lottery_points_are_the_initial_ratios_and_outcomes(mixed_dir, captured, tmp_path):
    runs = find_runs([mixed_dir])
    lottery.make(runs, tmp_path)
    fig = captured[-1]
    ratios, outcomes = [], []
    for r in runs:
        if r.mode in ("single", "ensemble"):
            for m in r.record["members"]:
                lam0, learned = np.array(m["lambda_init"]), np.array(m["learned"], bool)
                ratios.append(lam0[:, 0] / lam0[:, 1])
                outcomes.append(lottery.outcome(learned))
    ratios, outcomes = np.concatenate(ratios), np.concatenate(outcomes)
    for j in range(len(lottery.OUTCOMES)):
        pts = _by_gid(fig, f"outcome:{j}").get_offsets()
        want = np.sort(ratios[(outcomes == j) & np.isfinite(ratios) & (ratios > 0)])
        _close(np.sort(np.asarray(pts[:, 0])), want)
        assert np.all(np.abs(np.asarray(pts[:, 1]) - j) <= lottery.JITTER)
    net = presets.get("tiny").network
    _close(_by_gid(fig, "margin").get_xdata(), [lottery_margin(net.n_neurons, net.power)] * 2)


def test_lottery_outcome_codes():
    learned = np.array([[True, False], [False, True], [True, True], [False, False]])
    assert lottery.outcome(learned).tolist() == [0, 1, 2, 3]


def test_lottery_counts_a_copied_run_once(single_dir, tmp_path):
    twice = tmp_path / "twice"
    shutil.copytree(single_dir, twice / "a")
    shutil.copytree(single_dir, twice / "b")
    k = presets.get("tiny").data.n_classes
    assert lottery.points(find_runs([twice])).ratio.size == 2 * k  # 2 seeds, not 4 runs


# --- figure 3 -------------------------------------------------------------------------------

def test_accuracy_bars_are_means_with_t_intervals(mixed_dir, captured, tmp_path):
    runs = find_runs([mixed_dir])
    accuracy.make(runs, tmp_path)
    fig = captured[-1]
    net_ax, ntk_ax = fig.axes[:2]
    assert net_ax.get_title() == "network" and ntk_ax.get_title().startswith("linearised")
    net_modes = ["single", "ensemble", "distill", "self-distill", "train-average"]
    assert [t.get_text() for t in net_ax.get_xticklabels()] == net_modes
    assert [t.get_text() for t in ntk_ax.get_xticklabels()] == ["single", "ensemble"]
    for ax, modes in ((net_ax, net_modes), (ntk_ax, ["ntk-single", "ntk-ensemble"])):
        for key, _, _ in accuracy.METRICS:
            for mode in modes:
                bar = _by_gid(fig, f"bar:{mode}:{key}")
                vals = [r.record["model"][key] for r in runs if r.mode == mode]
                _close(bar.get_height(), np.mean(vals))
                seg = _by_gid(fig, f"ci:{mode}:{key}").get_segments()[0]  # [(x, lo), (x, hi)]
                _close(seg[:, 1], t_interval(vals, support=ACCURACY))
                _close(seg[:, 0], [bar.get_x() + bar.get_width() / 2] * 2)


def test_accuracy_with_one_seed_has_no_error_bar(single_dir, captured, tmp_path):
    one = [r for r in find_runs([single_dir]) if r.seed == 0]
    accuracy.make(one, tmp_path)
    fig = captured[-1]
    assert not [a for a in fig.axes[0].get_children() if str(a.get_gid()).startswith("ci:")]
    _close(_by_gid(fig, "bar:single:test_acc_single").get_height(),
           one[0].record["model"]["test_acc_single"])


# --- figure 5 -------------------------------------------------------------------------------

def test_memorisation_curves_match_the_groups_and_the_summary(single_dir, captured, tmp_path):
    runs = find_runs([single_dir])
    memorisation.make(runs, tmp_path)
    fig = captured[-1]
    for r in runs:
        a = r.arrays
        masks = memorisation_groups(a["y"], a["kind"], a["dominant"], a["lambda_max"][-1, 0])
        for g, mask in masks.items():
            if not mask.any():
                continue
            line = _by_gid(fig, f"run:{r.seed}:{g}")
            _close(line.get_xdata(), a["steps"])
            _close(line.get_ydata(), a["memorisation"][:, 0, mask].mean(axis=1))
            # the run's own summary (computed in float64 before saving) agrees at the end
            _close(line.get_ydata()[-1], r.record["members"][0]["memorisation"][g]["mean"],
                   rtol=FIGURE_F32_RTOL)


def test_memorisation_mean_holds_a_stopped_run_at_its_last_value():
    grid, mean = memorisation.mean_over_runs([(np.array([0, 10, 14]), np.array([0.0, 1.0, 2.0])),
                                              (np.array([0, 10, 20]), np.array([0.0, 3.0, 5.0]))])
    assert grid.tolist() == [0, 10, 14, 20]
    _close(mean, [0.0, 2.0, 2.5, 3.5])


# --- figure 6 -------------------------------------------------------------------------------

def test_coverage_curve_by_hand():
    # 2 classes, 3 members: class 0 gets view 1 then view 2; class 1 only ever view 1.
    learned = np.array([[[True, False], [True, False]],
                        [[False, True], [True, False]],
                        [[True, False], [True, True]]])
    _close(coverage.coverage_curve(learned), [0.0, 0.5, 1.0])


def test_coverage_predictions():
    kp = np.arange(1, 7)
    _close(coverage.lottery_prediction(6), 1 - 2.0 ** (1 - kp))
    # members always learning both views cover every class at once; never learning, none
    _close(coverage.independent_prediction(6, 0.0, 0.0), np.ones(6))
    _close(coverage.independent_prediction(6, 0.0, 1.0), np.zeros(6))


def test_coverage_plot_is_the_mean_over_seeds(mixed_dir, captured, tmp_path):
    runs = find_runs([mixed_dir])
    coverage.make(coverage_runs := [r for r in runs if r.mode in coverage.MODES], tmp_path)
    fig = captured[-1]
    ens = sorted((r for r in coverage_runs if r.mode == "ensemble"), key=lambda r: r.seed)
    curves = np.array([coverage.coverage_curve(np.array([m["learned"] for m in r.record["members"]]))
                       for r in ens])  # (seeds, K)
    _close(_by_gid(fig, "measured:ensemble").get_ydata(), curves.mean(axis=0))
    for j, seg in enumerate(_by_gid(fig, "ci:ensemble").get_segments()):
        _close(seg[:, 1], t_interval(curves[:, j], support=ACCURACY))
    K = curves.shape[1]
    _close(_by_gid(fig, "prediction:lottery").get_ydata(), 1 - 2.0 ** (1 - np.arange(1, K + 1)))
    assert _by_gid(fig, "measured:train-average") is not None


# --- make_all and the command line ----------------------------------------------------------

def test_make_all_draws_what_is_present_and_says_what_it_skips(single_dir, tmp_path):
    notes = []
    paths = figures.make_all(single_dir, tmp_path, report=notes.append)
    names = {p.stem for p in paths}
    assert names == {"lambda_single", "lottery", "accuracy", "tensor_power", "memorisation"}
    assert all(p.is_file() and p.with_suffix(".pdf").is_file() for p in paths)
    assert any(n.startswith("skipped coverage: needs runs of mode 'ensemble'") for n in notes)


def test_make_all_everything(mixed_dir, tmp_path):
    paths = figures.make_all([mixed_dir], tmp_path, report=lambda s: None)
    assert {p.stem for p in paths} == {f.name for f in figures.FIGURES} - {"phase_diagram"}  # no sweep


@pytest.fixture
def cheap_registry(monkeypatch):
    """Only the accuracy figure and the coverage figure (to see a skip): fast CLI tests."""
    keep = [f for f in figures.FIGURES if f.name in ("accuracy", "coverage")]
    monkeypatch.setattr(figures.registry, "FIGURES", keep)


def test_make_all_separates_presets(single_dir, tmp_path, cheap_registry):
    d = tmp_path / "runs"
    shutil.copytree(single_dir / "single-s0", d / "a")
    write_synthetic_run(d / "b", "single", 0, preset="quick", n_track=3)
    paths = figures.make_all(d, tmp_path / "figs", report=lambda s: None)
    assert sorted(p.relative_to(tmp_path / "figs").as_posix() for p in paths) == [
        "quick/accuracy.png", "tiny/accuracy.png"]


def test_cli_figures(single_dir, tmp_path, capsys, cheap_registry):
    from mvt.cli import main

    assert main(["figures", str(single_dir), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "accuracy.png").is_file() and (tmp_path / "accuracy.pdf").is_file()
    assert "skipped coverage" in capsys.readouterr().out
    assert main(["figures", str(tmp_path / "nothing")]) == 2  # a clear error, no traceback
    assert "no such directory" in capsys.readouterr().err


def test_figures_import_neither_dynamics_nor_mvt_nor_change_rcparams(single_dir, tmp_path):
    code = f"""
import sys, matplotlib
before = dict(matplotlib.rcParams)
import figures
assert dict(matplotlib.rcParams) == before, "rcParams changed at import"
from figures import lambda_trajectories
from theory.results import find_runs
lambda_trajectories.make(find_runs([{str(single_dir)!r}]), {str(tmp_path)!r})
assert dict(matplotlib.rcParams) == before, "rcParams changed by drawing"
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("dynamics", "mvt", "numba", "matplotlib.pyplot"))
assert not bad, bad
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_make_all_skips_a_figure_it_cannot_combine(single_dir, tmp_path, monkeypatch):
    d = tmp_path / "runs"
    shutil.copytree(single_dir / "single-s0", d / "a")
    b = write_synthetic_run(d / "b", "single", 1, n_track=3)
    rec = json.loads((b / "run.json").read_text())
    rec["params"]["network"]["n_neurons"] += 3  # another m: another lottery margin M
    (b / "run.json").write_text(json.dumps(rec))
    monkeypatch.setattr(figures.registry, "FIGURES",
                        [f for f in figures.FIGURES if f.name == "lottery"])
    notes = []
    assert figures.make_all(d, tmp_path / "figs", report=notes.append) == []
    assert notes and notes[0].startswith("skipped lottery: runs mix lottery margins")
