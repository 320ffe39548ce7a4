"""The `cav` problem's options (settable with `--set key=value`), presets, and their cross-checks.

One flat `Space`: the task (a testing campaign or a scenario search), the driving world, the AV under test
(`av.*`), the naturalistic-world knobs (`env.*`), the testing method and stopping rule, and the search
game's settings (`search.*`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from searchlab.errors import ConfigError
from searchlab.solvers.traffic.adaptive import AdaptiveParams
from searchlab.solvers.traffic.drivers import DEFAULT_AV, DEFAULT_SURROGATES, DriverParams
from searchlab.solvers.traffic.follow import FollowParams
from searchlab.space import Categorical, Int, Real, Space

SURROGATE_NAMES: tuple[str, ...] = tuple(name for name, _ in DEFAULT_SURROGATES)
"""The tester's surrogate AV models (solvers.traffic.drivers.DEFAULT_SURROGATES), in their fixed order."""

METHODS = ("adaptive", "nade", "mixture", "crude")
TABULAR_ENVS = ("follow", "cutin")

#: `av.<name>` option -> DriverParams field.
AV_FIELDS: dict[str, str] = {"delay": "delay", "brake": "b_max", "headway": "headway", "s0": "s0",
                             "a_max": "a_max", "b_comf": "b_comf", "v_des": "v_des"}

_FP = FollowParams()

CONFIG = Space((
    Categorical("task", ("test", "search"), default="test",
                help="test: crash-rate testing campaign until RHW < target_rhw; search: find failure scenarios"),
    Categorical("env", ("follow", "cutin", "highway"), default="follow",
                help="world: follow (car-following MDP, DP truth), cutin (one-shot cut-in, exact truth), highway"),
    Categorical("method", METHODS, default="mixture",
                help="testing distribution: mixture (every surrogate's critical actions at every decision; the "
                     "default, whose stop at the RHW target proved reliable), adaptive (episode-level mixture of the "
                     "surrogates' NADE proposals, weights learned to minimise the variance: far fewer tests where "
                     "one surrogate is right, but the stop can fire early, biased low, where the favoured surrogate "
                     "has a blind spot), nade (one surrogate), crude (naturalistic, i.e. crude Monte Carlo)"),
    Int("pilot_tests", 1, 10**6, default=AdaptiveParams().pilot_tests,
        help="adaptive: tests under the uniform mixture before the weights are first learned (shorter adapts "
             "faster where one surrogate is right; longer reveals surrogates' blind spots before the RHW stop)"),
    Categorical("surrogate", SURROGATE_NAMES, default="pessimistic", help="the surrogate of method=nade"),
    Real("epsilon", 0.001, 1.0, default=0.1, help="defensive share of the naturalistic pmf in every proposal"),
    Real("target_rhw", 0.01, 10.0, default=0.3, help="stop when the relative half-width (z=1.645) drops below"),
    Real("confirm", 0.0, 1.0, default=0.25, help="the RHW must have stayed below target over this share of tests"),
    Int("min_tests", 2, 10**12, default=100, help="no stop before this many tests"),
    Int("max_tests", 1, 10**12, default=10**7, help="stop after this many tests (search: scenarios)"),
    Int("tests_per_eval", 1, 10**6, default=10, help="test episodes per evaluation (one oracle call)"),
    Real("av.delay", 0.0, 1.0, default=DEFAULT_AV.delay, help="AV reaction delay (s)"),
    Real("av.brake", 0.5, 20.0, default=DEFAULT_AV.b_max, help="AV braking limit b_max (m/s^2)"),
    Real("av.headway", 0.0, 5.0, default=DEFAULT_AV.headway, help="AV IDM time gap T (s)"),
    Real("av.s0", 0.0, 20.0, default=DEFAULT_AV.s0, help="AV IDM standstill gap (m)"),
    Real("av.a_max", 0.1, 10.0, default=DEFAULT_AV.a_max, help="AV IDM maximum acceleration (m/s^2)"),
    Real("av.b_comf", 0.1, 10.0, default=DEFAULT_AV.b_comf, help="AV IDM comfortable deceleration (m/s^2)"),
    Real("av.v_des", 1.0, 60.0, default=DEFAULT_AV.v_des, help="AV desired speed (m/s)"),
    Real("env.hard_brake_rate", 1e-6, 0.5, log=True, default=_FP.hard_brake_rate,
         help="follow/highway: naturalistic hard-braking probability of a BV per decision"),
    Int("env.horizon", 1, 60, default=_FP.horizon, help="follow: decisions per test (1 Hz); highway: look-ahead of the surrogate values"),
    Int("search.steps", 1, 20, default=6, help="search: lead-vehicle manoeuvres per scenario (1 Hz)"),
    Real("search.gap0", 1.0, 100.0, default=20.0, help="search: initial gap (m)"),
    Real("search.speed0", 0.0, 40.0, default=27.0, help="search: initial speed of both vehicles (m/s)"),
))

PRESETS: dict[str, dict[str, Any]] = {
    "follow": {"env": "follow"},
    "cutin": {"env": "cutin"},
    "highway": {"env": "highway", "method": "crude", "tests_per_eval": 500},
    "follow-search": {"task": "search", "env": "follow", "max_tests": 500},
}


@dataclass(frozen=True)
class WorldSpec:
    """What determines the simulated world (hashable: the cache key of built worlds)."""

    env: str
    av: DriverParams
    hard_brake_rate: float
    horizon: int

    @property
    def tabular(self) -> bool:
        """Whether the world is a finite MDP with exact ground truth (follow, cutin)."""
        return self.env in TABULAR_ENVS

    def follow_params(self) -> FollowParams:
        """The car-following parameters (also the highway's action grid and its surrogates' world)."""
        return FollowParams(hard_brake_rate=self.hard_brake_rate, horizon=self.horizon)


def driver(config: Mapping[str, Any]) -> DriverParams:
    """The AV under test from the `av.*` options."""
    try:
        return DriverParams(**{f: float(config[f"av.{k}"]) for k, f in AV_FIELDS.items()})
    except ValueError as exc:
        raise ConfigError(f"invalid AV parameters: {exc}") from None


def world_spec(config: Mapping[str, Any]) -> WorldSpec:
    """The world of a resolved configuration."""
    return WorldSpec(str(config["env"]), driver(config), float(config["env.hard_brake_rate"]),
                     int(config["env.horizon"]))


def check(config: dict[str, Any]) -> None:
    """Reject option combinations that have no meaning (a one-line ConfigError)."""
    spec = world_spec(config)
    if config["task"] == "search" and spec.env != "follow":
        raise ConfigError("task=search is available for env=follow only (preset follow-search)")
    if config["task"] == "test" and config["method"] == "adaptive" and not spec.tabular:
        raise ConfigError(f"method=adaptive needs a tabular world (env=follow or cutin); env={spec.env} supports "
                          "crude, nade and mixture")
    if spec.env == "cutin":
        for key in ("env.hard_brake_rate", "env.horizon"):
            if config[key] != CONFIG.get(key).default:
                raise ConfigError(f"{key} has no effect with env=cutin")
    if config["min_tests"] > config["max_tests"]:
        raise ConfigError(f"min_tests ({config['min_tests']}) exceeds max_tests ({config['max_tests']})")
