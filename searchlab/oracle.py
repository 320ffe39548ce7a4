"""The expensive part: oracles, their results, and the jobs that carry them to worker processes."""

from __future__ import annotations

import enum
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Protocol

from .game import Candidate


class Status(str, enum.Enum):
    """How an evaluation ended."""

    OK = "ok"
    INFEASIBLE = "infeasible"
    ERROR = "error"
    TIMEOUT = "timeout"


@dataclass
class OracleResult:
    """What one evaluation returned: status, main value, extra values, oracle seconds, files, certificate."""

    status: Status
    value: float | None = None
    values: dict[str, Any] = field(default_factory=dict)
    cost: float = 0.0
    message: str = ""
    artifacts: list[str] = field(default_factory=list)
    certificate: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        return d

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> "OracleResult":
        d = dict(data)
        d["status"] = Status(d["status"])
        return OracleResult(**d)


class Oracle(Protocol):
    """Evaluates a candidate. Must be picklable as plain data (a dataclass of a module-level class)."""

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult: ...


@dataclass(frozen=True)
class Job:
    """One evaluation to run: the oracle, the candidate, its seed, and how it may be run."""

    eval_id: int
    oracle: Oracle
    candidate: Candidate
    seed: int
    fidelity: float | None = None
    timeout: float | None = None
    resources: dict[str, float] = field(default_factory=lambda: {"cpu": 1})
    workdir: str | None = None


def execute(job: Job) -> OracleResult:
    """Run a job in the current process; exceptions become ERROR results, cost is measured here."""
    t0 = time.perf_counter()
    try:
        result = job.oracle.evaluate(job.candidate, job.fidelity, job.seed, job.workdir)
        if not isinstance(result, OracleResult):
            raise TypeError(f"oracle returned {type(result).__name__}, expected OracleResult")
    except Exception as exc:  # the oracle's own failure is data, not a crash of the run
        tb = traceback.format_exc(limit=5)
        result = OracleResult(Status.ERROR, message=f"{type(exc).__name__}: {exc}", values={"traceback": tb})
    result.cost = time.perf_counter() - t0
    return result
