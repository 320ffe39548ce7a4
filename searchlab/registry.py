"""Problems are declared as `Problem` records and found through the `searchlab.problems` entry points."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .errors import ConfigError
from .game import Game
from .oracle import Oracle
from .space import Space, resolve_config

if TYPE_CHECKING:
    from .history import RunHistory
    from .planner import Planner, PlannerContext

ENTRY_POINT_GROUP = "searchlab.problems"


@dataclass(frozen=True)
class Problem:
    """A named problem: its configuration space and presets, and factories for its game and oracle.

    `make_game(config)` and `make_oracle(config)` take the resolved configuration (plain data). The
    oracle is shipped to worker processes, so it must pickle as plain data.

    Optional run hooks, for problems whose runs are sequential experiments rather than searches (e.g. a
    sampling campaign that stops at a precision target): `check(config)` rejects option combinations with a
    ConfigError; `planners` are planners only this problem offers (by name for --planner, built from the
    context and the configuration); `default_planner(config)` names the planner used when none is given
    (None: the engine's default); `stop(history)` is called by the coordinator when a run starts and after
    every finished evaluation, and a returned reason ends the run (None: go on; in-flight evaluations
    still finish); `summary(history)` is a one-line account of the run's result for progress displays.
    None of them may write to the ledger: everything they use must be derivable from it.
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
    check: Callable[[dict[str, Any]], None] | None = None
    planners: Mapping[str, Callable[["PlannerContext", dict[str, Any]], "Planner"]] = field(default_factory=dict)
    default_planner: Callable[[dict[str, Any]], str | None] | None = None
    stop: Callable[["RunHistory"], str | None] | None = None
    summary: Callable[["RunHistory"], str] | None = None

    def resolve(self, preset: str | None = None, overrides: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
        """The validated configuration from defaults, a preset and `key=value` overrides."""
        try:
            config = resolve_config(self.config, self.presets, preset, overrides)
            if self.check is not None:
                self.check(config)
            return config
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
