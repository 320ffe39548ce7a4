"""The `tester` planner: proposes test batches under the testing method's distribution q and, for the
adaptive method, learns q from the finished tests: the weights of an episode-level mixture of the surrogates'
NADE proposals, moved towards the smallest second moment estimated from the past crash tests
(solvers.traffic.adaptive, learner "mis").

Why the estimate stays unbiased while q changes: the q of batch i is fixed when the batch is proposed, from
results already told, and is written into its candidate; the batch's episodes then come from the seed of
evaluation i, a stream independent of every other evaluation's. So E[x | everything told before] =
sum_X q_i(X) 1{crash(X)} p(X)/q_i(X) = mu for each test, as long as q_i > 0 wherever p > 0 (the defensive
eps * p share guarantees it), and the mean of all x is unbiased for mu at any fixed number of tests. The
learner only decides which q comes next; it never touches a recorded sample.

The planner needs more than a record's value to learn (the visited states and actions), so `tell` re-runs each
finished batch in this process from its seed and q (the same deterministic simulation the worker ran) and
checks it against the recorded value; a batch that does not reproduce is not learned from. Everything is
derived from the told records, so a tester rebuilt from the ledger proposes what the original did.

The first `pilot_tests` tests run under the uniform mixture (every component equally likely); see
solvers.traffic.adaptive.AdaptiveParams for why the pilot is long by default.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from searchlab.errors import ConfigError
from searchlab.game import Candidate
from searchlab.oracle import Status
from searchlab.planner import PlannerContext, Record
from searchlab.solvers.traffic.adaptive import AdaptiveParams, AdaptiveState, observe_mixture, update_alpha

from .config import SURROGATE_NAMES, world_spec
from .testing import CampaignGame
from .world import QSpec, World, load_world, run_tests


def uniform_mixture() -> QSpec:
    """The adaptive start: every mixture component (each surrogate's NADE and the uniform mix) equally likely."""
    J = len(SURROGATE_NAMES) + 1
    return QSpec("mis", (1.0 / J,) * (J - 1))


def fixed_policy(method: str, surrogate: str) -> QSpec:
    """The q of a non-adaptive method: naturalistic, one surrogate (NADE), or the uniform raw mixture."""
    K = len(SURROGATE_NAMES)
    if method == "crude":
        return QSpec("nde", (0.0,) * K)
    if method == "nade":
        return QSpec("raw", tuple(float(n == surrogate) for n in SURROGATE_NAMES))
    return QSpec("raw", (1.0 / K,) * K)


@dataclass
class Tester:
    """Planner for `task=test` runs: batch numbers in submission order, q from the method (learned if adaptive)."""

    game: CampaignGame
    config: dict[str, Any]
    n_told: int = 0
    unreproduced: int = 0

    def __post_init__(self) -> None:
        self.method = str(self.config["method"])
        self.eps = float(self.config["epsilon"])
        self.tests = int(self.config["tests_per_eval"])
        # the "mis" learner's defaults, as benchmarked in results/bench/cav_follow*.md
        self.params = AdaptiveParams(pilot_tests=int(self.config.get("pilot_tests", AdaptiveParams().pilot_tests)))
        adaptive = self.method == "adaptive"
        self.policy = uniform_mixture() if adaptive else fixed_policy(self.method, str(self.config["surrogate"]))
        self.state = AdaptiveState.start(len(SURROGATE_NAMES), len(SURROGATE_NAMES) + 1)
        self.next_refit = self.params.pilot_tests
        self._world: World | None = None

    @property
    def world(self) -> World:
        """The world, built on first use (only the adaptive method needs it here)."""
        if self._world is None:
            self._world = load_world(world_spec(self.config))
        return self._world

    def ask(self, n: int, pending: Sequence[Candidate]) -> list[Candidate]:
        first = self.n_told + len(pending)
        return [self.game.candidate(first + j, self.policy) for j in range(n)]

    def tell(self, records: Sequence[Record]) -> None:
        for r in records:
            self.n_told += 1
            if self.method == "adaptive" and r.status is Status.OK and r.value is not None:
                self._learn(r)

    def _learn(self, r: Record) -> None:
        """Re-run the batch, log its crash tests, and update the mixture weights when the schedule says so."""
        batch = run_tests(self.world, QSpec.from_params(r.candidate.params), self.eps, self.tests, r.seed)
        if batch.episodes is None or batch.episodes.component_logr is None or float(batch.values.mean()) != r.value:
            self.unreproduced += 1
            return
        observe_mixture(self.state, batch.episodes)
        if self.state.n_tests >= self.next_refit:
            alpha = update_alpha(self.state, self.params)
            n = self.state.n_tests
            self.next_refit = n + max(self.params.refit_every, int(self.params.refit_growth * n))
            self.policy = QSpec("mis", tuple(float(a) for a in alpha[:-1]))


def make_tester(ctx: PlannerContext, config: dict[str, Any]) -> Tester:
    """The `tester` planner of a `cav` configuration (testing runs only)."""
    if config["task"] != "test":
        raise ConfigError("the tester planner runs task=test configurations; search with mcts, bo, hybrid or random")
    if not isinstance(ctx.game, CampaignGame):
        raise ConfigError("the tester planner needs the cav testing game")
    return Tester(ctx.game, dict(config))
