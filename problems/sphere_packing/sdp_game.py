"""The SDP game (Tutunov et al. 2025) on the three-point bound: MCTS assembles the SOS multipliers, BO picks (r, R).

State = the multiplier blocks chosen so far (a set, built in increasing vocabulary order so each set has one
path). Vocabulary = products of at most `max_factors` base polynomials g₁..g₇ (see
`solvers.sdp.three_point_kernel`), one token per u ↔ v symmetry orbit; the linear g₁..g₅ that define the
domain are always in the SDP. After `blocks` moves the leaf
parameters are r and R/r. Every multiplier enlarges the SOS cone, so more blocks never worsen the bound but
make the SDP larger: the budget of `blocks` is what makes the choice a search.

The oracle is multi-fidelity: a float64 interior-point solve (Clarabel) gives the value (a numerical bound
estimate); when that estimate is below `certify_below`, the same SDP is re-solved in multiprecision (SDPA-GMP)
and certified exactly, and the certificate is written next to the evaluation (only certified bounds are
ever reported as bounds, by `searchlab bounds`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from searchlab.game import Candidate
from searchlab.oracle import OracleResult, Status
from searchlab.space import Real, Space

from .reference import best_known_density

State = tuple[str, ...]
VIOLATION_TOL = 1e-5
"""Largest residual / negative eigenvalue (balanced units) of a float64 point whose estimate is used, on top of
the solver's own full-accuracy status; estimates below a known packing are rejected outright."""


def vocabulary(max_factors: int, degree3: int) -> tuple[str, ...]:
    """Canonical tokens ("g6", "g1*g2", …): squarefree products, one per u ↔ v orbit, degree ≤ K, without the
    linear g₁..g₅ (always present in the SDP)."""
    from searchlab.solvers.sdp.three_point_kernel import (BASE_NAMES, SWAP, format_token,
                                                          multiplier_degree)

    out = []
    for size in range(1, max_factors + 1):
        for combo in combinations(sorted(BASE_NAMES), size):
            mirror = tuple(sorted(SWAP[i] for i in combo))
            if mirror < combo or multiplier_degree(combo) > degree3 or (size == 1 and combo[0] <= 5):
                continue
            out.append(format_token(combo))
    return tuple(out)


@dataclass(frozen=True)
class SDPGame:
    """Choose `blocks` multiplier tokens (increasing order), then r and R/r."""

    dim: int
    degree3: int
    max_factors: int
    blocks: int
    r_min: float
    r_max: float
    ratio_min: float
    ratio_max: float

    @property
    def vocab(self) -> tuple[str, ...]:
        return vocabulary(self.max_factors, self.degree3)

    def initial_state(self) -> State:
        return ()

    def legal_actions(self, state: State) -> tuple[str, ...]:
        if self.is_terminal(state):
            return ()
        vocab = self.vocab
        start = vocab.index(state[-1]) + 1 if state else 0
        remaining = self.blocks - len(state)
        return vocab[start: len(vocab) - remaining + 1]

    def step(self, state: State, action: Any) -> State:
        if action not in self.legal_actions(state):
            raise ValueError(f"multiplier {action!r} is not legal here")
        return state + (str(action),)

    def is_terminal(self, state: State) -> bool:
        return len(state) >= min(self.blocks, len(self.vocab))

    def key(self, state: State) -> str:
        return f"d{self.dim}:K{self.degree3}:" + ",".join(state)

    def variable(self, state: State) -> str:
        """Named by depth and previous token, so each name always offers the same choices (TPE needs that)."""
        return f"block{len(state)}" + (f"_after_{state[-1]}" if state else "")

    def params(self, state: State) -> Space | None:
        if not self.is_terminal(state):
            return None
        return Space((Real("r", self.r_min, self.r_max, help="radius where the two-point conditions start"),
                      Real("ratio", self.ratio_min, self.ratio_max, help="truncation radius R = ratio * r")))

    def features(self, state: State) -> np.ndarray:
        vocab = self.vocab
        out = np.zeros(len(vocab))
        for tok in state:
            out[vocab.index(tok)] = 1.0
        return out


@dataclass(frozen=True)
class SDPGameOracle:
    """Solves the three-point SDP of a candidate (float64), and certifies it in multiprecision when promising."""

    dim: int
    degree2: int
    degree3: int
    certify_below: float
    precision_bits: int

    def spec(self, candidate: Candidate):
        from searchlab.solvers.sdp.three_point import ThreePointSpec
        from searchlab.solvers.sdp.three_point_kernel import parse_token

        r, ratio = float(candidate.params["r"]), float(candidate.params["ratio"])
        mult = tuple(parse_token(t) for t in candidate.actions)
        return ThreePointSpec.from_radii(self.dim, self.degree2, self.degree3, r, r * ratio, mult)

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        from searchlab.solvers.sdp.three_point import CertificationError, solve, solve_and_certify

        spec = self.spec(candidate)
        try:
            sol = solve(spec, backend="clarabel", margin=0.0, eps=0.0)
        except Exception as exc:  # solver breakdown on an ill-posed SDP: recorded, not fatal
            return OracleResult(Status.INFEASIBLE, message=f"float64 solve failed: {type(exc).__name__}: {exc}"[:300])
        known = best_known_density(self.dim)
        # an inaccurate float64 point can claim anything, even a "bound" below a known packing
        if not sol.reliable(VIOLATION_TOL) or (known is not None and sol.estimate < known):
            return OracleResult(Status.INFEASIBLE, message=f"float64 solve {sol.status}, unreliable point "
                                f"(violation {sol.violation:.2g}, estimate {sol.estimate:.6g})")
        values: dict[str, Any] = {"estimate": sol.estimate, "violation": sol.violation,
                                  "solve_seconds": round(sol.seconds, 3),
                                  "constraints": sol.size["constraints"], "certified": False}
        artifacts = []
        certificate = None
        if sol.estimate < self.certify_below:
            command = (f"searchlab run sphere_packing --preset three-point --set dim={self.dim} "
                       f"(multipliers {','.join(candidate.actions)}, r {candidate.params['r']!r}, "
                       f"ratio {candidate.params['ratio']!r})")
            try:
                certificate, hp = solve_and_certify(spec, precision_bits=self.precision_bits, command=command)
                values.update(certified=True, bound=certificate["bound"], certify_seconds=round(hp.seconds, 3))
            except CertificationError as exc:
                values["certify_error"] = str(exc)[:300]
            if certificate is not None and workdir is not None:
                path = Path(workdir) / "certificate.json"
                path.write_text(json.dumps(certificate, indent=1))
                artifacts.append(str(path))
        return OracleResult(Status.OK, value=sol.estimate, certificate=certificate, artifacts=artifacts,
                            values=values)


def make_game(config: Mapping[str, Any]) -> SDPGame:
    return SDPGame(config["dim"], config["degree3"], config["max_factors"], config["blocks"], config["r_min"],
                   config["r_max"], config["ratio_min"], config["ratio_max"])


def make_oracle(config: Mapping[str, Any]) -> SDPGameOracle:
    return SDPGameOracle(config["dim"], config["degree2"], config["degree3"], config["certify_below"],
                         config["precision_bits"])
