"""The two-point (Cohn–Elkies) bound as a game: the move picks the polynomial degree, BO picks the radius.

The oracle solves the sum-of-squares SDP at that degree and radius, then certifies the result exactly;
the value is the certified density bound (an uncertifiable solve is recorded as infeasible, with the
numerical estimate kept as an extra value, never as the value).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from searchlab.game import Candidate
from searchlab.oracle import OracleResult, Status
from searchlab.space import Real, Space

State = tuple[int, ...]


@dataclass(frozen=True)
class TwoPointGame:
    """One move: an odd degree in [degree_min, degree_max]; then the radius r as a leaf parameter."""

    dim: int
    degree_min: int
    degree_max: int
    r_min: float
    r_max: float

    def initial_state(self) -> State:
        return ()

    def legal_actions(self, state: State) -> tuple[int, ...]:
        if state:
            return ()
        lo = self.degree_min + (1 - self.degree_min % 2)
        return tuple(range(lo, self.degree_max + 1, 2))

    def step(self, state: State, action: Any) -> State:
        if action not in self.legal_actions(state):
            raise ValueError(f"degree {action!r} is not legal")
        return (int(action),)

    def is_terminal(self, state: State) -> bool:
        return len(state) == 1

    def key(self, state: State) -> str:
        return f"d{self.dim}:N{state[0]}" if state else f"d{self.dim}"

    def variable(self, state: State) -> str:
        return "degree"

    def params(self, state: State) -> Space | None:
        if not state:
            return None
        return Space((Real("r", self.r_min, self.r_max, help="radius where f changes sign: u0 = 2*pi*r^2"),))

    def features(self, state: State) -> np.ndarray:
        span = max(self.degree_max - self.degree_min, 1)
        return np.array([(state[0] - self.degree_min) / span if state else 0.5])


@dataclass(frozen=True)
class TwoPointOracle:
    """Solves and certifies the Cohn–Elkies SDP; writes the certificate into the evaluation's directory."""

    dim: int
    precision_bits: int

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        from searchlab.solvers.sdp.cohn_elkies import CertificationError, solve_and_certify

        degree, r = int(candidate.actions[0]), float(candidate.params["r"])
        command = f"searchlab run sphere_packing --preset two-point --set dim={self.dim} (degree {degree}, r {r!r})"
        try:
            cert, sol = solve_and_certify(self.dim, degree, r=r, precision_bits=self.precision_bits, command=command)
        except CertificationError as exc:
            return OracleResult(Status.INFEASIBLE, message=f"could not certify: {exc}")
        artifacts = []
        if workdir is not None:
            path = Path(workdir) / "certificate.json"
            path.write_text(json.dumps(cert, indent=1))
            artifacts.append(str(path))
        return OracleResult(Status.OK, value=float(cert["bound"]), certificate=cert, artifacts=artifacts,
                            values={"bound": cert["bound"], "estimate": sol.estimate, "degree": degree, "r": r})


def make_game(config: Mapping[str, Any]) -> TwoPointGame:
    return TwoPointGame(config["dim"], config["degree_min"], config["degree_max"], config["r_min"], config["r_max"])


def make_oracle(config: Mapping[str, Any]) -> TwoPointOracle:
    return TwoPointOracle(config["dim"], config["precision_bits"])


