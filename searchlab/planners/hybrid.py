"""The hybrid planner (the project's default): MCTS assembles the moves, BO sets the leaf parameters.

As in the sphere-packing SDP game, tree search over the discrete structure proposes terminals; each
proposal is picked by qLogNoisyExpectedImprovement (candidates in flight as `X_pending`) among the
simulated terminals together with BO's pool of local moves around the best candidates, and its
continuous leaf parameters are then optimised by BO with the moves fixed. For games without leaf
parameters it is MCTS with GP leaf values and an expected-improvement choice.
"""

from __future__ import annotations

import numpy as np

from ..game import Candidate
from ..seeds import derive_seed
from .bo import Acquirer, PoolConfig, candidate_pool, greedy_batch
from .mcts import Chooser, MCTSPlanner, Simulated, TreeSearch

POOL = PoolConfig(n_random=30, n_parents=5, per_parent=24, param_variants=8)
"""BO's local-move pool added to the simulated terminals (smaller than BO's own: MCTS explores)."""


class HybridPlanner(MCTSPlanner):
    """MCTS over moves (GP leaf values, virtual loss, optional prior) + BO over leaf parameters."""

    def chooser(self, search: TreeSearch, seed: int) -> Chooser:
        """Pick by acquisition value among simulated terminals and local moves, then refine params."""
        acq = Acquirer(search.model, derive_seed(seed, 4))
        game = self.ctx.game
        pool = candidate_pool(self.ctx, self.obs, self.obs.seen, np.random.default_rng(derive_seed(seed, 7)), POOL)

        def choose(options: list[Simulated], in_flight: list[Candidate], excluded: set[str]) -> Candidate | None:
            sims = {s.candidate.key: s.candidate for s in options}
            cands = list(sims.values()) + [c for c in pool if c.key not in sims and c.key not in excluded]
            picked = greedy_batch(acq, game, cands, 1, in_flight, derive_seed(seed, 6, len(in_flight)), excluded)
            return picked[0] if picked else None

        return choose
