"""Picklable module-level oracles that misbehave on purpose, for the pool tests."""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass

from searchlab.game import Candidate
from searchlab.oracle import OracleResult, Status


@dataclass(frozen=True)
class Square:
    """Returns x**2 for the candidate's parameter x, after an optional delay; records where and when it ran."""

    delay: float = 0.0

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        start = time.time()
        time.sleep(self.delay)
        x = candidate.params["x"]
        return OracleResult(Status.OK, value=x * x, values={"pid": os.getpid(), "start": start, "end": time.time()})


@dataclass(frozen=True)
class Raises:
    """Raises a ValueError with the given text."""

    text: str = "bad candidate"

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        raise ValueError(self.text)


@dataclass(frozen=True)
class Hangs:
    """Never returns."""

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        while True:
            time.sleep(1000)


@dataclass(frozen=True)
class Aborts:
    """Kills its process with SIGABRT."""

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        os.abort()


@dataclass(frozen=True)
class Exits:
    """Ends its process at once with an exit code, skipping all cleanup."""

    code: int = 3

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        os._exit(self.code)


@dataclass(frozen=True)
class Segfaults:
    """Reads address 0."""

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        ctypes.string_at(0)
        raise AssertionError("unreachable")


@dataclass(frozen=True)
class CrashesOnce:
    """Aborts the first time (leaving a marker file in `workdir`), succeeds on the retry."""

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        marker = os.path.join(workdir or ".", "crashed-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            os.abort()
        return OracleResult(Status.OK, value=1.0)


@dataclass(frozen=True)
class ForksThenAborts:
    """Forks a child that sleeps on (holding the worker's sockets open), writes its pid to workdir, aborts."""

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        pid = os.fork()
        if pid == 0:
            time.sleep(1000)
            os._exit(0)
        with open(os.path.join(workdir or ".", "child.pid"), "w") as f:
            f.write(str(pid))
        os.abort()


@dataclass(frozen=True)
class MeetsAnother:
    """Value 1 if another job using the same `workdir` runs while this one waits (up to `patience` s), else 0.

    Proves concurrency without timing assumptions: the check looks at who is present when this job
    arrives, then at who arrives later; a job that left before this one arrived does not count.
    """

    patience: float = 30.0

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        assert workdir is not None

        def marks(prefix: str) -> set[str]:
            return {f[len(prefix):] for f in os.listdir(workdir) if f.startswith(prefix)}

        arrived_before = marks("in-")
        met = bool(arrived_before - marks("out-"))  # someone is here already
        open(os.path.join(workdir, f"in-{seed}"), "w").close()
        deadline = time.monotonic() + self.patience
        while not met and time.monotonic() < deadline:
            time.sleep(0.02)
            met = bool(marks("in-") - arrived_before - {str(seed)})  # someone came after me
        open(os.path.join(workdir, f"out-{seed}"), "w").close()
        return OracleResult(Status.OK, value=1.0 if met else 0.0, values={"pid": os.getpid()})
