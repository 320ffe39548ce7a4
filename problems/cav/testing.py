"""A testing campaign through the engine: one evaluation = a batch of test episodes under the testing
distribution q that its candidate carries.

The game has no moves: its only (terminal) state carries leaf parameters naming the batch number and q (the
proposal kind and the surrogate weights beta). The oracle runs the batch with the evaluation's seed and returns
the mean of the per-test samples x_i = 1{crash_i} p(X_i)/q(X_i) as its value, with the count, sum and sum of
squares of the x_i in `values`, so the estimate and its relative half-width follow from the ledger alone.
Because q is part of each candidate, every test is weighted by the q that generated it, whatever planner
proposed it and however q changed during the run.
"""
from __future__ import annotations

from dataclasses import dataclass

from searchlab.game import Candidate, make_candidate
from searchlab.oracle import OracleResult, Status
from searchlab.space import Categorical, Int, Real, Space

from .config import SURROGATE_NAMES, WorldSpec
from .world import PROPOSALS_HIGHWAY, PROPOSALS_TABULAR, QSpec, load_world, run_tests

MAX_BATCHES = 2**62


@dataclass(frozen=True)
class CampaignGame:
    """No moves; the single terminal state's leaf parameters are the batch number and the testing distribution."""

    proposals: tuple[str, ...] = PROPOSALS_TABULAR

    def initial_state(self) -> tuple:
        return ()

    def legal_actions(self, state: tuple) -> tuple:
        return ()

    def step(self, state: tuple, action: object) -> tuple:
        raise ValueError("a test batch has no moves")

    def is_terminal(self, state: tuple) -> bool:
        return True

    def key(self, state: tuple) -> str:
        return "test"

    def params(self, state: tuple) -> Space:
        """Batch number, proposal kind, and one weight per surrogate (used unless the proposal is nde)."""
        return Space((
            Int("test", 0, MAX_BATCHES, help="batch number (distinct batches, distinct keys)"),
            Categorical("proposal", self.proposals,
                        help="nde = naturalistic; raw/normalised surrogate mixing; mis = episode-level mixture"),
            *(Real(f"beta.{n}", 0.0, 1.0, help=f"weight of surrogate {n} (mis: of its NADE proposal)")
              for n in SURROGATE_NAMES),
        ))

    def candidate(self, test: int, policy: QSpec) -> Candidate:
        """The checked candidate for batch `test` under `policy`."""
        return make_candidate(self, (), policy.params(test))


def make_campaign_game(spec: WorldSpec) -> CampaignGame:
    """The testing game of a world (the highway has no risk-normalised mixing)."""
    return CampaignGame(PROPOSALS_TABULAR if spec.tabular else PROPOSALS_HIGHWAY)


@dataclass(frozen=True)
class BatchOracle:
    """Runs `tests` episodes of the AV under the candidate's q; plain data, the world is built in the worker."""

    spec: WorldSpec
    eps: float
    tests: int

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        checked = make_candidate(make_campaign_game(self.spec), candidate.actions, candidate.params)
        world = load_world(self.spec)
        batch = run_tests(world, QSpec.from_params(checked.params), self.eps, self.tests, seed)
        x = batch.values
        values = {"tests": int(x.size), "sum": float(x.sum()), "sumsq": float((x * x).sum()),
                  "crashes": int(batch.crash.sum()), "max": float(x.max())}
        if world.truth is not None:
            values["truth"] = world.truth  # exact crash probability (DP), for comparison only
        return OracleResult(Status.OK, float(x.mean()), values)
