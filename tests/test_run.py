"""End to end: ``mvt run`` and ``mvt check`` on the tiny preset."""

import json

import numpy as np
import pytest

from mvt.cli import main
from theory.results import RUN_JSON, TRAJ_NPZ, ResultError, load_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    for seed in (0, 1, 2):
        assert main(["run", "--preset", "tiny", "--seed", str(seed), "--out", str(root / f"s{seed}")]) == 0
    return root


def test_run_writes_parameters_seeds_versions_and_arrays(runs):
    run = load_run(runs / "s0")
    rec = run.record
    assert rec["mode"] == "single" and rec["seed"] == 0 and rec["preset"] == "tiny"
    assert rec["params"]["network"]["power"] == 4
    assert {"numpy", "numba", "python", "mvt"} <= set(rec["versions"])
    assert rec["timings"]["total"] > 0
    m = rec["members"][0]
    k = rec["params"]["data"]["n_classes"]
    assert np.array(m["learned"]).shape == (k, 2) and np.array(m["lottery"]).shape == (k, 2)
    lam = run.arrays["lambda_max"]
    assert lam.shape[1:] == (1, k, 2) and lam.shape[0] == run.arrays["steps"].shape[0]
    np.testing.assert_allclose(lam[-1, 0], m["lambda_final"])


def test_same_seed_is_bit_identical(runs, tmp_path):
    assert main(["run", "--preset", "tiny", "--seed", "0", "--out", str(tmp_path / "again")]) == 0
    a, b = load_run(runs / "s0"), load_run(tmp_path / "again")
    for name in a.arrays:
        np.testing.assert_array_equal(a.arrays[name], b.arrays[name])
    assert a.record["members"] == b.record["members"]
    c = load_run(runs / "s1")
    assert not np.array_equal(a.arrays["lambda_max"], c.arrays["lambda_max"])


def test_check_prints_and_writes_claims_c1_to_c4(runs, capsys):
    assert main(["check", str(runs)]) == 0
    out = capsys.readouterr().out
    rows = json.loads((runs / "claims.json").read_text())
    assert [r["id"] for r in rows][:4] == ["C1", "C2", "C3", "C4"]
    for r in rows:
        assert r["n_seeds"] == 3 and r["verdict"] in ("holds", "fails", "inconclusive")
        assert {"statement", "predicted", "measured", "ci"} <= set(r)
        assert r["id"] in out
    c2 = rows[1]
    assert c2["ci"][0] <= c2["measured"] <= c2["ci"][1]


def test_bad_set_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "bad"
    assert main(["run", "--preset", "tiny", "--set", "power=2", "--out", str(out)]) == 2
    assert "power=2: must be an integer in [3, 64]" in capsys.readouterr().err
    assert not out.exists()
    assert main(["run", "--preset", "nope", "--out", str(out)]) == 2
    assert "unknown; known presets" in capsys.readouterr().err


def test_torn_results_are_rejected_with_the_file_name(runs, tmp_path):
    import shutil
    bad = tmp_path / "torn"
    shutil.copytree(runs / "s0", bad)
    (bad / TRAJ_NPZ).write_bytes((bad / TRAJ_NPZ).read_bytes()[:100])
    with pytest.raises(ResultError, match="trajectories.npz"):
        load_run(bad)
    (bad / RUN_JSON).write_text("{\"schema\": ")
    with pytest.raises(ResultError, match="run.json: not valid JSON"):
        load_run(bad)


def test_check_piped_into_a_closed_reader_exits_quietly(tmp_path):
    """`mvt check DIR | head -1` used to end in a BrokenPipeError traceback."""
    import subprocess
    import sys

    from tests.synthetic_runs import write_synthetic_run

    for seed in range(3):
        write_synthetic_run(tmp_path / f"s{seed}", "single", seed)
    proc = subprocess.Popen([sys.executable, "-m", "mvt.cli", "check", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader goes away before the report is written (as `head` may)
    err = proc.stderr.read().decode()
    assert proc.wait() == 0, err
    assert "Traceback" not in err, err
