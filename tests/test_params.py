"""Parameter validation: every bad value names the parameter, the range and the value."""

import dataclasses
import math

import pytest

from theory import presets
from theory.params import DataParams, NetworkParams, Params, TrainParams, with_overrides


@pytest.mark.parametrize("klass,field,value,match", [
    (NetworkParams, "power", 2, r"power=2: must be an integer in \[3, 64\]"),
    (NetworkParams, "power", 3.5, r"power=3.5"),
    (NetworkParams, "threshold", 0.0, r"threshold=0.0: must be a finite number in \(0"),
    (NetworkParams, "init_std", float("nan"), r"init_std=nan"),
    (DataParams, "n_classes", 1, r"n_classes=1"),
    (DataParams, "feature_noise", 1.0, r"feature_noise=1.0: must be a finite number in \[0.0, 1.0\)"),
    (DataParams, "single_view_frac", 1.5, r"single_view_frac=1.5"),
    (DataParams, "noise_mode", "pink", r"noise_mode='pink': must be one of"),
    (DataParams, "dim", 2.5, r"dim=2.5"),
    (TrainParams, "lr", -1.0, r"lr=-1.0"),
    (TrainParams, "stop_at_full_accuracy", 1, r"stop_at_full_accuracy=1: must be true or false"),
])
def test_bad_values_name_parameter_range_and_value(klass, field, value, match):
    with pytest.raises(ValueError, match=match):
        klass(**{field: value})


def test_cross_field_rules():
    with pytest.raises(ValueError, match=r"n_patches=8: too small: .* must be >= 24"):
        DataParams(n_patches=8, patches_per_feature=4, offclass_rate=2.0)
    with pytest.raises(ValueError, match=r"dim=10: must be >= 2k = 20"):
        DataParams(dim=10)
    with pytest.raises(ValueError, match=r"offclass_rate=11.0: must be in \[0, k=10\]"):
        DataParams(offclass_rate=11.0, n_patches=200)
    with pytest.raises(ValueError, match=r"noise_mode='own'"):
        DataParams(dim=400, noise_mode="own")


def test_overrides_parse_validate_and_alias_noise_std():
    p = presets.get("quick")
    q = with_overrides(p, {"dim": "1600", "noise_std": "0.01", "n_patches": "64", "lr": "48"})
    assert q.data.dim == 1600 and q.data.n_patches == 64 and q.train.lr == 48.0
    assert math.isclose(q.data.noise_norm, 0.01 * 40) and math.isclose(q.data.noise_std, 0.01)
    assert with_overrides(p, {"dim": "inf"}).data.infinite
    with pytest.raises(ValueError, match="unknown parameter 'dimension'"):
        with_overrides(p, {"dimension": "3"})
    with pytest.raises(ValueError, match=r"power='three'"):
        with_overrides(p, {"power": "three"})
    with pytest.raises(ValueError, match="noise_std cannot be set with dim=inf"):
        with_overrides(p, {"noise_std": "0.1"})


def test_params_round_trip_through_dict():
    for name in presets.PRESETS:
        p = presets.get(name)
        assert Params.from_dict(p.to_dict()) == p


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        NetworkParams().power = 5
