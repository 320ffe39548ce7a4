"""The planner role: propose candidates (`ask`) and learn from finished evaluations (`tell`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from .game import Candidate, Game
from .oracle import Status


@dataclass(frozen=True)
class Record:
    """A finished evaluation as the planner sees it."""

    eval_id: int
    candidate: Candidate
    seed: int
    status: Status
    value: float | None


@dataclass(frozen=True)
class PlannerContext:
    """What every planner is built from: the game, the run's seed, and the direction of the objective."""

    game: Game
    seed: int
    minimize: bool = True

    def score(self, record: Record) -> float | None:
        """The record's value as a quantity to minimise, or None if it has no usable value."""
        if record.status is not Status.OK or record.value is None:
            return None
        return record.value if self.minimize else -record.value


class Planner(Protocol):
    """Proposes candidates. Must be rebuildable: a fresh planner told every finished record, in ledger
    order, with the same pending set, proposes what the original would have."""

    def ask(self, n: int, pending: Sequence[Candidate]) -> list[Candidate]: ...

    def tell(self, records: Sequence[Record]) -> None: ...
