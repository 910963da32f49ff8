"""float32 against float64 on a realistic run (the quick preset): the evidence issue 2 asks for
before float32 may become the default. Slow: four quick runs (~10 s each)."""

import numpy as np
import pytest

from mvt.experiment import run
from theory import presets
from theory.params import with_overrides
from theory.results import load_run
from tests.tolerances import F32_ACC_ATOL, F32_LAMBDA_RTOL


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 2])
def test_float32_quick_run_matches_float64(seed, tmp_path):
    runs = {}
    for dt in ("float64", "float32"):
        params = with_overrides(presets.get("quick"), {"dtype": dt})
        runs[dt] = load_run(run(params, "single", seed, tmp_path / dt))
    r64, r32 = runs["float64"], runs["float32"]
    m64, m32 = r64.record["members"], r32.record["members"]
    assert [m["stopped_at"] for m in m32] == [m["stopped_at"] for m in m64]
    assert all(m["stopped_at"] > 0 for m in m64)  # the run reached its stop: a realistic length
    assert [m["learned"] for m in m32] == [m["learned"] for m in m64]
    np.testing.assert_array_equal(r32.arrays["steps"], r64.arrays["steps"])
    lam64, lam32 = r64.arrays["lambda_max"], r32.arrays["lambda_max"]
    assert np.abs(lam32 - lam64).max() <= F32_LAMBDA_RTOL * np.abs(lam64).max()
    for key in ("test_acc_multi", "test_acc_single", "train_acc"):
        assert abs(r32.record["model"][key] - r64.record["model"][key]) <= F32_ACC_ATOL
