"""Problems are declared as `Problem` records and found through the `searchlab.problems` entry points."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Callable, Mapping

from .errors import ConfigError
from .game import Game
from .oracle import Oracle
from .space import Space, resolve_config

ENTRY_POINT_GROUP = "searchlab.problems"


@dataclass(frozen=True)
class Problem:
    """A named problem: its configuration space and presets, and factories for its game and oracle.

    `make_game(config)` and `make_oracle(config)` take the resolved configuration (plain data). The
    oracle is shipped to worker processes, so it must pickle as plain data.
    """

    name: str
    description: str
    config: Space
    make_game: Callable[[dict[str, Any]], Game]
    make_oracle: Callable[[dict[str, Any]], Oracle]
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    minimize: bool = True
    resources: Mapping[str, float] = field(default_factory=lambda: {"cpu": 1})
    verify: Callable[[dict[str, Any]], tuple[bool, str]] | None = None
    bounds: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None

    def resolve(self, preset: str | None = None, overrides: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
        """The validated configuration from defaults, a preset and `key=value` overrides."""
        try:
            return resolve_config(self.config, self.presets, preset, overrides)
        except ConfigError as exc:
            raise ConfigError(f"{self.name}: {exc}") from None


def available_problems() -> dict[str, Problem]:
    """All registered problems by name (entry points are loaded lazily, here)."""
    out: dict[str, Problem] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        problem = ep.load()
        if not isinstance(problem, Problem):
            raise TypeError(f"entry point {ep.name} ({ep.value}) is not a searchlab Problem")
        out[ep.name] = problem
    return dict(sorted(out.items()))


def get_problem(name: str) -> Problem:
    """The registered problem called `name`; a one-line ConfigError if there is none."""
    eps = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if name not in eps:
        raise ConfigError(f"unknown problem {name!r} (known: {', '.join(sorted(eps)) or 'none'})")
    problem = eps[name].load()
    if not isinstance(problem, Problem):
        raise TypeError(f"entry point {name} is not a searchlab Problem")
    return problem
