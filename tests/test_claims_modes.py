"""Claims C5–C8, C10 and the Figure 1 table on hand-made records with known answers."""

from pathlib import Path

import numpy as np
import pytest

from theory import claims, figure1
from theory.results import Run


def _rec(mode, seed, single, multi=1.0, members=(), coverage=None, teacher=None, K=5, mu=0.05):
    rec = {"mode": mode, "seed": seed, "members": list(members),
           "model": {"train_acc": 1.0, "test_acc_multi": multi, "test_acc_single": single},
           "params": {"data": {"single_view_frac": mu}, "train": {"n_models": K}}}
    if coverage is not None:
        rec["coverage"] = coverage
    if teacher is not None:
        rec["teacher"] = teacher
    return Run(path=Path("."), record=rec, arrays={})


def _member(learned):
    return {"learned": learned}


def _claim(cid):
    return next(c for c in claims.CLAIMS if c.id == cid)


def test_c8_paired_gain():
    runs = [_rec("single", s, 0.60 + 0.01 * s) for s in range(3)]
    runs += [_rec("train-average", s, 0.62 + 0.01 * s, coverage={"fraction_both": 0.5}) for s in range(3)]
    m = _claim("C8").evaluate(runs)
    assert m.measured == pytest.approx(0.02)
    assert m.ci[0] == pytest.approx(0.02) and m.ci[1] == pytest.approx(0.02)  # zero spread
    assert m.verdict == "holds" and m.n_seeds == 3
    runs += [_rec("train-average", s, 0.9, coverage={"fraction_both": 1.0}) for s in range(3, 4)]
    runs += [_rec("single", 3, 0.6)]
    assert _claim("C8").evaluate(runs).verdict in ("inconclusive", "fails")


def test_c5_coverage_against_one_minus_two_to_one_minus_k():
    k = 20
    runs = []
    for s in range(3):
        per_class = np.ones((k, 2), dtype=bool)
        per_class[: s % 2, 1] = False  # 0 or 1 class of 20 uncovered: ≈ 0.98 covered
        runs.append(_rec("ensemble", s, 0.97, coverage={"per_class": per_class.tolist()}, K=5))
    m = _claim("C5").evaluate(runs)
    assert m.details["parts"]["coverage_both"]["predicted"] == pytest.approx(1 - 2.0**-4)
    assert m.measured == pytest.approx(59 / 60)
    assert m.details["parts"]["ensemble_single_acc"]["verdict"] == "holds"


def test_c6_c7_read_students_and_teachers():
    both, one = [[True, True]] * 4, [[True, False]] * 4
    runs = [_rec("distill", s, 0.95, members=[_member(both)],
                 teacher={"model": {"test_acc_single": 0.97}}) for s in range(3)]
    m6 = _claim("C6").evaluate(runs)
    assert m6.measured == pytest.approx(-0.02)
    assert m6.details["parts"]["student_both_views"]["mean"] == 1.0
    runs = [_rec("self-distill", s, 0.58, members=[_member(one)]) for s in range(3)]
    m7 = _claim("C7").evaluate(runs)
    assert m7.verdict == "fails"  # 0.58 single-view and no class with both views: both parts fail
    assert m7.details["parts"]["student_both_views"]["verdict"] == "fails"


def test_c10_linear_gains():
    runs = []
    for s in range(3):
        runs += [_rec("ntk-single", s, 0.5, multi=0.80 + 0.001 * s),
                 _rec("ntk-ensemble", s, 0.5, multi=0.90 + 0.002 * s),
                 _rec("ntk-train-average", s, 0.5, multi=0.88 + 0.001 * s),
                 _rec("ntk-distill", s, 0.5, multi=0.80 + 0.001 * s)]
    m = _claim("C10").evaluate(runs)
    parts = m.details["parts"]
    assert parts["ntk_ensemble_gain"]["mean"] == pytest.approx(0.95 * (0.10 + 0.001))
    assert parts["ntk_distill_gain"]["mean"] == pytest.approx(0.0, abs=1e-12)
    assert m.verdict == "holds"


def test_figure1_table_cells():
    runs = [_rec("single", s, 0.6 + 0.1 * s) for s in range(3)] + [_rec("rf-ensemble", 0, 0.7)]
    tab = figure1.table(runs)
    cell = tab["cells"]["network"]["single"]["single"]
    assert cell["mean"] == pytest.approx(0.7) and cell["n_seeds"] == 3 and cell["ci"] is not None
    assert tab["cells"]["rf"]["ensemble"]["single"]["ci"] is None
    assert "ntk" not in tab["families"]
    assert "0.700 [" in figure1.format_table(tab)
