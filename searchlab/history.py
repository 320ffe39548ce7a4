"""What a ledger says about a run: its settings, budget, and every evaluation with its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .errors import LedgerError
from .game import Candidate
from .oracle import OracleResult, Status
from .planner import Record


@dataclass(frozen=True)
class Budget:
    """When a run stops: after `evaluations` evaluations, `oracle_seconds` of oracle time, or
    `wall_seconds` of wall time in one invocation (whichever comes first; None = no limit)."""

    evaluations: int | None = None
    oracle_seconds: float | None = None
    wall_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"evaluations": self.evaluations, "oracle_seconds": self.oracle_seconds, "wall_seconds": self.wall_seconds}

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Budget":
        return Budget(data.get("evaluations"), data.get("oracle_seconds"), data.get("wall_seconds"))


@dataclass
class Evaluation:
    """One submitted candidate and, once finished, its result."""

    eval_id: int
    candidate: Candidate
    seed: int
    result: OracleResult | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None

    def record(self) -> Record:
        assert self.result is not None
        return Record(self.eval_id, self.candidate, self.seed, self.result.status, self.result.value)


@dataclass
class RunHistory:
    """The run as replayed from its ledger events (the ledger is the only source of truth)."""

    settings: dict[str, Any]
    budget: Budget
    evaluations: dict[int, Evaluation] = field(default_factory=dict)
    finish_order: list[int] = field(default_factory=list)

    @classmethod
    def from_events(cls, events: Iterable[dict[str, Any]]) -> "RunHistory":
        events = list(events)
        if not events or events[0]["type"] != "run_started":
            raise LedgerError("the ledger does not begin with a run_started event")
        start = events[0]
        history = cls(settings=dict(start["settings"]), budget=Budget.from_json(start["budget"]))
        for e in events[1:]:
            history.apply(e)
        return history

    def apply(self, e: dict[str, Any]) -> None:
        """Fold one event into the history (the coordinator calls this for each event it writes)."""
        kind = e["type"]
        if kind == "submitted":
            if e["id"] in self.evaluations:
                raise LedgerError(f"evaluation {e['id']} submitted twice")
            self.evaluations[e["id"]] = Evaluation(e["id"], Candidate.from_json(e["candidate"]), e["seed"])
        elif kind == "finished":
            ev = self.evaluations.get(e["id"])
            if ev is None:
                raise LedgerError(f"evaluation {e['id']} finished but was never submitted")
            if ev.result is None:
                self.finish_order.append(e["id"])
            ev.result = OracleResult.from_json(e["result"])
        elif kind == "config_changed" and "budget" in e:
            self.budget = Budget.from_json(e["budget"])

    @property
    def problem(self) -> str:
        return self.settings["problem"]

    @property
    def minimize(self) -> bool:
        return bool(self.settings.get("minimize", True))

    def finished(self) -> list[Evaluation]:
        """Finished evaluations in the order they finished (the order they were told to the planner)."""
        return [self.evaluations[i] for i in self.finish_order]

    def pending(self) -> list[Evaluation]:
        """Submitted evaluations without a result, in submission order."""
        return [ev for ev in self.evaluations.values() if not ev.finished]

    def count(self, *statuses: Status) -> int:
        return sum(1 for ev in self.evaluations.values() if ev.result is not None and ev.result.status in statuses)

    def oracle_seconds(self) -> float:
        return sum(ev.result.cost for ev in self.evaluations.values() if ev.result is not None)

    def best(self) -> Evaluation | None:
        """The best OK evaluation in the run's direction (ties: the earliest)."""
        best: Evaluation | None = None
        for ev in self.evaluations.values():
            r = ev.result
            if r is None or r.status is not Status.OK or r.value is None:
                continue
            if best is None or (r.value < best.result.value if self.minimize else r.value > best.result.value):  # type: ignore[union-attr]
                best = ev
        return best

    def keys(self) -> set[str]:
        return {ev.candidate.key for ev in self.evaluations.values()}
