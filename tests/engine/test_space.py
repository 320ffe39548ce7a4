"""Parameter spaces and configuration resolution: typed parsing, bounds, clear errors."""

import math

import numpy as np
import pytest

from searchlab.errors import ConfigError
from searchlab.space import Categorical, Int, Real, Space, Text, resolve_config

SPACE = Space((
    Real("x", -1.0, 1.0, default=0.0),
    Real("lr", 1e-4, 1.0, log=True, default=0.01),
    Int("n", 1, 10, default=3),
    Categorical("mode", ("fast", "exact"), default="fast"),
    Categorical("flag", (True, False), default=False),
    Text("path", default=""),
))


def test_parse_overrides_types():
    vals = SPACE.parse_overrides(["x=0.5", "n=7", "mode=EXACT", "flag=true", "path=a=b"])
    assert vals == {"x": 0.5, "n": 7, "mode": "exact", "flag": True, "path": "a=b"}


@pytest.mark.parametrize("item, message", [
    ("y=1", "unknown parameter 'y'"),
    ("x=abc", "expected a number"),
    ("x=2", "outside"),
    ("n=1.5", "expected an integer"),
    ("mode=slow", "not one of"),
    ("x", "key=value"),
])
def test_bad_overrides(item, message):
    with pytest.raises(ConfigError, match=message):
        SPACE.parse_overrides([item])


def test_resolve_config_layers_defaults_preset_overrides():
    presets = {"big": {"n": 9, "mode": "exact"}}
    cfg = resolve_config(SPACE, presets, "big", ["n=10"])
    assert cfg["n"] == 10 and cfg["mode"] == "exact" and cfg["x"] == 0.0
    with pytest.raises(ConfigError, match="unknown preset"):
        resolve_config(SPACE, presets, "huge", [])


def test_sampling_respects_bounds_and_log_scale():
    rng = np.random.default_rng(0)
    samples = [Space(SPACE.params[:5]).sample(rng) for _ in range(500)]  # Text is config-only
    assert all(-1 <= s["x"] <= 1 and 1e-4 <= s["lr"] <= 1 and 1 <= s["n"] <= 10 for s in samples)
    logs = np.log10([s["lr"] for s in samples])
    assert abs(np.median(logs) - (-2.0)) < 0.4  # log-uniform: median near the log-midpoint


def test_unit_maps_round_trip():
    r = Real("lr", 1e-4, 1.0, log=True)
    for v in (1e-4, 3e-3, 1.0):
        assert math.isclose(r.from_unit(r.to_unit(v)), v, rel_tol=1e-12)
    i = Int("n", 1, 10)
    assert [i.from_unit(i.to_unit(k)) for k in range(1, 11)] == list(range(1, 11))


def test_validate_rejects_missing_and_booleans_as_numbers():
    with pytest.raises(ConfigError, match="missing"):
        Space((Real("a", 0, 1),)).validate({})
    with pytest.raises(ConfigError, match="expected a number"):
        Real("a", 0, 1).validate(True)
