"""Training modes: batched ensembles equal sequential training, run records have the layout
other code relies on, teachers are the models of their modes, caching changes nothing."""

import dataclasses
import json

import numpy as np
import pytest

import dynamics
from mvt.experiment import MODES, run
from theory import presets
from theory.data import make_splits
from theory.params import with_overrides
from theory.results import load_run
from tests import tolerances as tol

TINY = presets.get("tiny")


@pytest.mark.parametrize("dim", ["inf", 40])
@pytest.mark.parametrize("loss_family", ["network", "ntk"])
def test_batched_training_equals_one_by_one(dim, loss_family):
    """K stacked members in one compiled call == each member trained alone (staggered stops)."""
    from dynamics import linear

    p = with_overrides(TINY, {"dim": dim, "n_train": 30})
    if loss_family == "ntk":
        p = with_overrides(p, {"init_std": 0.5})
    sp = make_splits(p.data, np.random.default_rng(0))
    rngs = lambda: [np.random.default_rng(100 + i) for i in range(3)]  # noqa: E731
    lr = p.train.lr if loss_family == "network" else 0.5
    kw = dict(lr=lr, n_steps=60, power=p.network.power, threshold=p.network.threshold,
              track_every=7, stop_at_full_accuracy=True)
    batched = dynamics.init_state(p.data, p.network, p.data.n_train, rngs())
    init = batched.copy()
    gates = linear.ntk_gates(init, sp.train, 4, 0.2) if loss_family == "ntk" else None
    tb = dynamics.train(batched, sp.train, gates=gates, **kw)
    assert len(set(tb.stopped_at.tolist())) > 1 or loss_family == "ntk"  # staggered stops exercised
    for kk in range(3):
        alone = init.member(kk)
        g1 = linear.ntk_gates(alone, sp.train, 4, 0.2) if loss_family == "ntk" else None
        t1 = dynamics.train(alone, sp.train, gates=g1, **kw)
        assert t1.stopped_at[0] == tb.stopped_at[kk]
        mine = batched.member(kk)
        for a, b in ((mine.W, alone.W), (mine.a, alone.a), (mine.cT, alone.cT)):
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=tol.BATCHED_VS_SEQUENTIAL_RTOL, atol=1e-12)
        n = t1.loss.shape[0]
        np.testing.assert_allclose(tb.loss[:n, kk], t1.loss[:, 0], rtol=tol.BATCHED_VS_SEQUENTIAL_RTOL)


def test_every_mode_is_registered():
    for fam in ("", "ntk-", "rf-"):
        for m in ("single", "ensemble", "distill", "self-distill", "train-average"):
            assert fam + m in MODES


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    """Every network mode and the NTK family on tiny, seed 0, through one cache."""
    root = tmp_path_factory.mktemp("modes")
    p = with_overrides(TINY, {"student_steps": 60, "linear_steps": 80})
    cache: dict = {}
    names = ["single", "ensemble", "distill", "self-distill", "train-average",
             "ntk-single", "ntk-ensemble", "ntk-distill", "rf-ensemble", "rf-distill"]
    for m in names:
        run(p, m, 0, root / m, preset="tiny", cache=cache)
    return p, root, {m: load_run(root / m) for m in names}


def test_record_layout(tiny_runs):
    p, _, runs = tiny_runs
    K, k = p.train.n_models, p.data.n_classes
    for name, r in runs.items():
        rec = r.record
        base = name.split("-", 1)[1] if name.startswith(("ntk-", "rf-")) else name
        n_members = {"single": 1, "ensemble": K, "train-average": K, "distill": 1, "self-distill": 1}[base]
        assert len(rec["members"]) == n_members == r.arrays["lambda_max"].shape[1]
        assert set(rec["model"]) == {"train_acc", "test_acc_multi", "test_acc_single"}
        if base in ("ensemble", "train-average"):
            cov = rec["coverage"]
            assert np.shape(cov["per_class"]) == (k, 2)
            learned = np.array([m["learned"] for m in rec["members"]]).any(axis=0)
            assert cov["per_class"] == learned.tolist()
            assert cov["fraction_both"] == learned.all(axis=1).mean()
        if base in ("distill", "self-distill"):
            t = rec["teacher"]
            assert t["mode"] == name.replace("self-distill", "single").replace("distill", "ensemble")
            assert len(t["members"]) == (K if base == "distill" else 1)
            assert r.arrays["teacher_lambda_max"].shape[1] == len(t["members"])
        if name.startswith(("ntk-", "rf-")):
            assert rec["linear"]["lr"] > 0


def test_teachers_are_the_models_of_their_modes(tiny_runs):
    _, _, runs = tiny_runs
    ens, dist = runs["ensemble"].record, runs["distill"].record
    assert dist["teacher"]["members"] == ens["members"]
    assert dist["teacher"]["model"] == ens["model"]
    assert runs["self-distill"].record["teacher"]["members"] == runs["single"].record["members"]
    assert runs["ntk-distill"].record["teacher"]["model"] == runs["ntk-ensemble"].record["model"]


def test_member_zero_is_the_single_model(tiny_runs):
    _, _, runs = tiny_runs
    m0, single = runs["ensemble"].record["members"][0], runs["single"].record["members"][0]
    for key in ("lambda_final", "learned", "train_acc", "stopped_at"):
        assert m0[key] == single[key]


@pytest.mark.parametrize("mode", ["distill", "rf-distill"])
def test_cache_changes_nothing(tiny_runs, tmp_path, mode):
    """A student run alone (teacher trained in the same call) equals the cached run."""
    p, root, runs = tiny_runs
    run(p, mode, 0, tmp_path / mode, preset="tiny")
    fresh = load_run(tmp_path / mode)
    assert fresh.record["members"] == runs[mode].record["members"]
    assert fresh.record["model"] == runs[mode].record["model"]
    assert fresh.record["teacher"] == runs[mode].record["teacher"]
    np.testing.assert_array_equal(fresh.arrays["lambda_max"], runs[mode].arrays["lambda_max"])


@pytest.mark.parametrize("tau, differ", [(0.5, False), (presets.get("tiny").linear.linear_temperature, True)])
def test_linearised_students_feel_their_teacher(tmp_path, tau, differ):
    """At linear_init_std = 3 every tiny NTK output exceeds 4 = 1/τ² at the network's τ = 0.5:
    the clip makes both tempered-logit vectors uniform, the term vanishes and ntk-distill equals
    ntk-self-distill exactly (as on the paper preset at linear_init_std = 0.5, offset ≈ 15).
    At linear_temperature the clip sits above the outputs and the two students differ."""
    p = with_overrides(TINY, {"student_steps": 60, "linear_steps": 80, "linear_init_std": 3.0,
                              "linear_temperature": tau})
    cache: dict = {}
    lam = [load_run(run(p, m, 0, tmp_path / m, preset="tiny", cache=cache)).arrays["lambda_max"]
           for m in ("ntk-distill", "ntk-self-distill")]
    rel = np.abs(lam[0] - lam[1]).max() / np.abs(lam[0]).max()
    assert (rel > tol.STUDENTS_DIFFER) == differ, rel


def test_distill_params_reach_the_record(tiny_runs):
    _, _, runs = tiny_runs
    d = runs["distill"].record["distill"]
    assert d["distill_form"] == "truncated" and d["truncation"] == "spec"
    assert runs["distill"].record["params"]["distill"]["student_steps"] == 60


def test_bad_distill_parameter_is_a_clear_error():
    with pytest.raises(ValueError, match="truncation"):
        with_overrides(TINY, {"truncation": "sometimes"})
    with pytest.raises(ValueError, match="temperature"):
        with_overrides(TINY, {"temperature": "0"})


def test_reproduce_cli_layout_and_resume(tmp_path, capsys):
    from mvt.cli import main

    args = ["reproduce", "--preset", "tiny", "--seeds", "0", "1", "--out", str(tmp_path),
            "--modes", "single", "train-average", "--set", "n_steps=30"]
    assert main(args) == 0
    for s in (0, 1):
        for m in ("single", "train-average"):
            assert (tmp_path / f"seed{s}" / m / "run.json").is_file()
    rows = json.loads((tmp_path / "claims.json").read_text())
    assert {"C1", "C8"} <= {r["id"] for r in rows}
    assert (tmp_path / "figure1.json").is_file()
    assert (tmp_path / "figures" / "tiny" / "accuracy.png").is_file() or \
        (tmp_path / "figures" / "accuracy.png").is_file()  # reproduce draws the figures
    out = capsys.readouterr().out
    assert "Figure 1" in out and "C8" in out
    assert main(args) == 0  # a second call keeps the finished runs
    assert "kept existing run" in capsys.readouterr().out


def test_reproduce_workers_match_serial(tmp_path, capsys):
    """Seeds run in worker processes give exactly the runs of the serial suite."""
    from mvt.cli import main

    common = ["--preset", "tiny", "--seeds", "0", "1", "--modes", "single", "--set", "n_steps=30"]
    assert main(["reproduce", *common, "--out", str(tmp_path / "serial")]) == 0
    assert main(["reproduce", *common, "--out", str(tmp_path / "par"), "--workers", "2"]) == 0
    for s in (0, 1):
        a = json.loads((tmp_path / "serial" / f"seed{s}" / "single" / "run.json").read_text())
        b = json.loads((tmp_path / "par" / f"seed{s}" / "single" / "run.json").read_text())
        assert a["model"] == b["model"] and a["members"][0]["learned"] == b["members"][0]["learned"]
    capsys.readouterr()
    assert main(["reproduce", *common, "--out", str(tmp_path / "bad"), "--workers", "0"]) == 2
    assert "--workers 0" in capsys.readouterr().err


@pytest.mark.parametrize("stop", [False, True])
def test_linearised_singles_run_their_full_length_unless_told(tmp_path, stop):
    """Linearised single models run all linear_steps by default, as their students do (C10
    compares equal lengths); with linear_stop_at_full_accuracy they stop at the first 100%
    training accuracy, which tiny's NTK single reaches at step ~25 of 300."""
    p = with_overrides(TINY, {"linear_steps": 300, "linear_stop_at_full_accuracy": stop})
    r = load_run(run(p, "ntk-single", 0, tmp_path / "ntk", preset="tiny"))
    assert r.record["linear"]["stop_at_full_accuracy"] == stop
    assert r.record["model"]["train_acc"] == 1.0
    last = int(r.arrays["steps"][-1])
    assert (last < 300) if stop else (last == 300), last
