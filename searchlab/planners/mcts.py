"""Monte Carlo tree search over a game's moves, with GP leaf values and an optional policy prior.

The tree is rebuilt at every ask from the told records (so a planner rebuilt from the ledger searches
the same tree): nodes are partial states keyed by `game.key` (transpositions share a node), evaluated
terminals back up their normalised reward, pending candidates put a virtual loss on their paths.
Simulations select by PUCT with progressive widening, expand one node, complete the play with a
rollout that follows one of the best known candidates with a few deviations (or the prior), and back
up the GP's optimistic value of the terminal. Only unevaluated, non-pending terminals are proposed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..game import Action, Candidate, Game
from ..planner import PlannerContext, Record
from ..surrogate import single_thread
from ..seeds import derive_seed
from .bo import Model, ModelFitter, Observations, Prior, complete, initial_design, leaf_params, make


@dataclass(frozen=True)
class MCTSConfig:
    """Search settings: PUCT constant, widening, simulation counts, rollout guidance, GP optimism."""

    c_puct: float = 1.0
    widen_c: float = 2.0
    widen_alpha: float = 0.5
    simulations: int = 64
    extra_simulations: int = 32
    wave: int = 32
    beta: float = 1.0
    guide_prob: float = 0.85
    n_guides: int = 5
    deviations: float = 1.5
    param_sigma: float = 0.15
    n_init: int = 8
    max_train: int = 120


PathCache = dict[tuple[Action, ...], list[tuple[str, Any]]]
"""(key, state) after each move of a play, cached across asks (a pure function of the game)."""


@dataclass
class Node:
    """Statistics of one partial state: visits `n`, summed value `w`, expanded children by move."""

    state: Any
    n: float = 0.0
    w: float = 0.0
    children: dict[Action, "Node"] = field(default_factory=dict)
    order: list[Action] | None = None
    priors: dict[Action, float] | None = None


@dataclass
class Tree:
    """The search tree: nodes by state key, PUCT selection with progressive widening, backups."""

    game: Game
    cfg: MCTSConfig
    rng: np.random.Generator
    prior: Prior | None = None
    paths: PathCache = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.node(self.game.initial_state())

    def node(self, state: Any) -> Node:
        """The node of `state` (created on first sight; shared by every path reaching it)."""
        key = self.game.key(state)
        nd = self.nodes.get(key)
        if nd is None:
            nd = self.nodes[key] = Node(state)
        return nd

    def child(self, nd: Node, a: Action) -> Node:
        if a not in nd.children:
            nd.children[a] = self.node(self.game.step(nd.state, a))
        return nd.children[a]

    def path(self, actions: Sequence[Action]) -> list[Node]:
        """The nodes from the root along `actions` (created as needed; keys cached per play)."""
        t = tuple(actions)
        steps = self.paths.get(t)
        if steps is None:
            state, steps = self.root.state, []
            for a in t:
                state = self.game.step(state, a)
                steps.append((self.game.key(state), state))
            self.paths[t] = steps
        nd, out = self.root, [self.root]
        for a, (key, state) in zip(t, steps):
            child = nd.children.get(a)
            if child is None:
                child = self.nodes.get(key)
                if child is None:
                    child = self.nodes[key] = Node(state)
                nd.children[a] = child
            nd = child
            out.append(nd)
        return out

    @staticmethod
    def backup(path: Sequence[Node], value: float, count: float = 1.0) -> None:
        for nd in path:
            nd.n += count
            nd.w += value * count

    def _order(self, nd: Node) -> list[Action]:
        """Legal moves in widening order: by prior, ties in a seeded random order."""
        if nd.order is None:
            legal = list(self.game.legal_actions(nd.state))
            raw = self.prior(nd.state) if self.prior is not None else {}
            p = np.array([max(0.0, float(raw.get(a, 0.0))) for a in legal]) if raw else np.zeros(len(legal))
            p = p / p.sum() if p.sum() > 0 else np.full(len(legal), 1.0 / max(1, len(legal)))
            tie = self.rng.random(len(legal))
            idx = sorted(range(len(legal)), key=lambda i: (-p[i], tie[i]))
            nd.order = [legal[i] for i in idx]
            nd.priors = {legal[i]: float(p[i]) for i in range(len(legal))}
        return nd.order

    def select(self) -> tuple[list[Node], list[Action]]:
        """Descend by PUCT until a node is expanded (widening allows a new child) or a terminal is hit."""
        nd, path, actions = self.root, [self.root], []
        cfg = self.cfg
        while not self.game.is_terminal(nd.state):
            order = self._order(nd)
            k = min(len(order), max(1, math.ceil(cfg.widen_c * nd.n ** cfg.widen_alpha)))
            fresh = next((a for a in order[:k] if a not in nd.children), None)
            if fresh is not None:
                child = self.child(nd, fresh)
                return path + [child], actions + [fresh]
            q_parent = nd.w / nd.n if nd.n > 0 else 0.5
            sqrt_n = math.sqrt(max(nd.n, 1.0))
            best, best_u = None, -math.inf
            for a in order[:k] + [a for a in nd.children if a not in order[:k]]:
                ch = nd.children[a]
                q = ch.w / ch.n if ch.n > 0 else q_parent
                u = q + cfg.c_puct * nd.priors[a] * sqrt_n / (1.0 + ch.n)  # type: ignore[index]
                if u > best_u:
                    best, best_u = a, u
            nd = nd.children[best]
            path.append(nd)
            actions.append(best)
        return path, actions


@dataclass
class Simulated:
    """A terminal candidate reached by a simulation and its leaf value (GP optimistic reward)."""

    candidate: Candidate
    value: float


Chooser = Callable[[list[Simulated], list[Candidate], set[str]], Candidate | None]
"""Picks the next proposal among simulated candidates, given the candidates in flight and the keys
it must not propose."""


@dataclass
class TreeSearch:
    """One ask's search: the tree loaded with told and pending candidates, simulations, proposals."""

    ctx: PlannerContext
    obs: Observations
    model: Model
    cfg: MCTSConfig
    rng: np.random.Generator
    prior: Prior | None = None
    paths: PathCache = field(default_factory=dict)

    def __post_init__(self) -> None:
        cands, ys = self.obs.training()
        self.lo, self.hi = (float(ys.min()), float(ys.max())) if len(ys) else (0.0, 1.0)
        self.tree = Tree(self.ctx.game, self.cfg, self.rng, self.prior, self.paths)
        self.value_of: dict[str, float] = {}
        for c, v in zip(cands, ys):
            self.value_of[c.key] = self.reward(v)
        for r in self.obs.records:
            self.tree.backup(self.tree.path(r.candidate.actions), self.value_of.get(r.candidate.key, 0.0))
        self.guides = self.obs.ranked(self.cfg.n_guides)
        self.found: dict[str, Simulated] = {}

    def reward(self, y: float) -> float:
        """A value to maximise, normalised so the worst training point is 0 and the best 1."""
        return (y - self.lo) / (self.hi - self.lo) if self.hi > self.lo else 0.5

    def add_pending(self, cand: Candidate) -> None:
        """Virtual loss: a pending candidate counts as a visit of worst value along its path."""
        self.tree.backup(self.tree.path(cand.actions), 0.0)

    def rollout(self, actions: list[Action], state: Any) -> Candidate:
        """Complete a play from a tree leaf, following a good known candidate with a few deviations."""
        game = self.ctx.game
        guide = None
        if self.guides and self.rng.random() < self.cfg.guide_prob:
            w = 1.0 / np.arange(1, len(self.guides) + 1)
            guide = self.guides[int(self.rng.choice(len(self.guides), p=w / w.sum()))]
        deviate = 0.0
        if guide is not None:
            rest = max(1, len(guide.actions) - len(actions))
            deviate = min(1.0, self.cfg.deviations / rest)
        full, term = complete(game, state, actions, self.rng, guide.actions if guide else None, deviate,
                              prior=self.prior)
        sigma = self.cfg.param_sigma * self.rng.random()
        params = leaf_params(game, term, self.rng, guide.params if guide is not None else None, sigma)
        return make(game, full, term, params)

    def simulate(self, n_sims: int, excluded: set[str]) -> None:
        """Run simulations in waves (virtual loss within a wave, GP values predicted per wave)."""
        enc, cfg = self.model.encoder, self.cfg
        done = 0
        while done < n_sims:
            batch: list[tuple[list[Node], Candidate]] = []
            for _ in range(min(cfg.wave, n_sims - done)):
                path, actions = self.tree.select()
                cand = self.rollout(actions, path[-1].state)
                self.tree.backup(path, 0.0)  # in-wave virtual loss, undone below
                batch.append((path, cand))
            fresh = [c for _, c in batch if c.key not in self.value_of]
            if fresh:
                mu, sd = self.model.gp.predict(enc.encode_many(fresh))
                for c, m, s in zip(fresh, mu, sd):
                    self.value_of[c.key] = self.reward(float(m + cfg.beta * s))
            for path, cand in batch:
                self.tree.backup(path, 0.0, count=-1.0)
                value = self.value_of[cand.key]
                self.tree.backup(path, value)
                if cand.key not in excluded and cand.key not in self.found:
                    self.found[cand.key] = Simulated(cand, value)
            done += len(batch)

    def fallback(self, excluded: set[str], tries: int = 50) -> list[Simulated]:
        """Random plays when the simulations found nothing new (empty if the game looks exhausted)."""
        game = self.ctx.game
        for _ in range(tries):
            actions, state = complete(game, game.initial_state(), (), self.rng, prior=self.prior)
            cand = make(game, actions, state, leaf_params(game, state, self.rng))
            if cand.key not in excluded:
                mu, sd = self.model.gp.predict(self.model.encoder.encode(cand)[None, :])
                return [Simulated(cand, self.reward(float(mu[0] + self.cfg.beta * sd[0])))]
        return []

    def propose(self, n: int, pending: Sequence[Candidate], excluded: set[str], choose: Chooser) -> list[Candidate]:
        """`n` proposals: simulate, let `choose` pick one, mark it pending, simulate more, repeat."""
        for c in pending:
            self.add_pending(c)
        out: list[Candidate] = []
        excluded = set(excluded)
        for j in range(n):
            self.simulate(self.cfg.simulations if j == 0 else self.cfg.extra_simulations, excluded)
            options = [s for k, s in self.found.items() if k not in excluded] or self.fallback(excluded)
            cand = choose(options, [*pending, *out], excluded) if options else None
            if cand is None:
                break
            excluded.add(cand.key)
            out.append(cand)
            self.add_pending(cand)
        return out


def choose_by_value(options: list[Simulated], in_flight: list[Candidate], excluded: set[str]) -> Candidate | None:
    """The simulated candidate with the highest leaf value (ties: the first found)."""
    return max(options, key=lambda s: s.value).candidate if options else None


class MCTSPlanner:
    """PUCT tree search over moves with GP leaf values; proposes the best-valued simulated terminal.

    `prior(state) -> {action: prob}` (e.g. an attention policy) orders widening, weights PUCT and
    drives rollouts where no good candidate is followed.
    """

    def __init__(self, ctx: PlannerContext, config: MCTSConfig = MCTSConfig(), prior: Prior | None = None) -> None:
        self.ctx = ctx
        self.config = config
        self.prior = prior
        self.obs = Observations(ctx)
        self.fitter = ModelFitter(max_train=config.max_train)
        self.paths: PathCache = {}

    def tell(self, records: Sequence[Record]) -> None:
        self.obs.tell(records)

    def ask(self, n: int, pending: Sequence[Candidate]) -> list[Candidate]:
        with single_thread():
            seed = derive_seed(self.ctx.seed, self.obs.n_told, len(pending))
            rng = np.random.default_rng(seed)
            excluded = self.obs.excluded(pending)
            out = initial_design(self.ctx, self.obs, n, pending, excluded, rng, self.config.n_init)
            if len(out) < n:
                search = self.search(rng, [*pending, *out])
                chooser = self.chooser(search, seed)
                out += search.propose(n - len(out), [*pending, *out], excluded | {c.key for c in out}, chooser)
            return out

    def search(self, rng: np.random.Generator, pending: Sequence[Candidate]) -> TreeSearch:
        """The tree search of this ask on a freshly fitted model."""
        return TreeSearch(self.ctx, self.obs, self.fitter.fit(self.obs), self.config, rng, self.prior, self.paths)

    def chooser(self, search: TreeSearch, seed: int) -> Chooser:
        """How proposals are picked among simulated terminals (here: by leaf value)."""
        return choose_by_value
