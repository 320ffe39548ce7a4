"""Bayesian optimisation over a game, and the BO pieces the MCTS and hybrid planners reuse.

Pieces: `Observations` (told records as training data, with explicit failure handling), `fit_model`
(encoder + GP for one ask), `Acquirer` (qLogNoisyExpectedImprovement with pending candidates as
`X_pending`), `refine_params` (leaf parameters optimised by `optimize_acqf` with the moves fixed),
`sobol_candidate` (initial design), `complete`/`leaf_params`/`candidate_pool` (candidate generation:
random rollouts and local moves around the best candidates). All randomness is derived from
(seed, records told, pending), so a planner rebuilt from the ledger proposes the same candidates.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
from botorch.acquisition.logei import qLogNoisyExpectedImprovement
from botorch.optim import optimize_acqf
from botorch.sampling import SobolQMCNormalSampler
from torch.quasirandom import SobolEngine

from ..encoding import Encoder, FeatureCache, param_from_unit
from ..game import Action, Candidate, Game, candidate_key, leaf_space, replay
from ..oracle import Status
from ..planner import PlannerContext, Record
from ..seeds import derive_seed
from ..space import Categorical, Int, Real
from ..surrogate import DTYPE, GPSurrogate, HyperSchedule, checkpoint, fit_surrogate, single_thread, training_subset

Prior = Callable[[Any], Mapping[Action, float]]
"""A policy prior: state -> probability of each legal action (missing actions count as 0)."""

SOBOL_MOVES = 64
SOBOL_PARAMS = 16
MAX_TRIES = 50


# -- what the planner was told ---------------------------------------------------------------------


@dataclass
class Observations:
    """The told records, in order: every key seen (never proposed again) and the training data.

    OK records train on their score; infeasible ones are imputed as the worst OK score among the
    records considered (so they repel the search without dominating it); errors and timeouts carry
    no value and only block their keys.
    """

    ctx: PlannerContext
    records: list[Record] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def tell(self, records: Sequence[Record]) -> None:
        for r in records:
            self.records.append(r)
            self.seen.add(r.candidate.key)

    @property
    def n_told(self) -> int:
        return len(self.records)

    def training(self, upto: int | None = None) -> tuple[list[Candidate], np.ndarray]:
        """Training candidates and values to maximise (-score) from the first `upto` records."""
        recs = self.records[:upto]
        scores = [self.ctx.score(r) for r in recs]
        ok = [s for s in scores if s is not None]
        worst = max(ok) if ok else 0.0
        cands, ys = [], []
        for r, s in zip(recs, scores):
            if s is not None:
                cands.append(r.candidate)
                ys.append(-s)
            elif r.status is Status.INFEASIBLE:
                cands.append(r.candidate)
                ys.append(-worst)
        return cands, np.array(ys, dtype=float)

    def n_train(self) -> int:
        """How many records train the model (OK with a value, or infeasible)."""
        return sum(1 for r in self.records if r.status is Status.INFEASIBLE or self.ctx.score(r) is not None)

    def ranked(self, k: int) -> list[Candidate]:
        """The `k` best OK candidates, best first (ties: the earliest told)."""
        ok = [(s, i, r.candidate) for i, r in enumerate(self.records) if (s := self.ctx.score(r)) is not None]
        ok.sort(key=lambda t: (t[0], t[1]))
        return [c for _, _, c in ok[:k]]

    def excluded(self, pending: Sequence[Candidate]) -> set[str]:
        """Keys a proposal must not have: everything told and everything pending."""
        return self.seen | {c.key for c in pending}


# -- the model of one ask --------------------------------------------------------------------------


@dataclass
class Model:
    """The encoder and GP fitted for one ask; `y` is the training values (to maximise)."""

    encoder: Encoder
    gp: GPSurrogate
    X: np.ndarray
    y: np.ndarray


@dataclass
class ModelFitter:
    """Fits `Model`s from observations: capped training set, hyperparameters refitted on a schedule."""

    max_train: int = 120
    schedule: HyperSchedule = field(default_factory=HyperSchedule)
    cache: FeatureCache = field(default_factory=dict)

    def fit(self, obs: Observations) -> Model:
        """The model of all told data (pending candidates do not change it)."""
        game = obs.ctx.game
        encoder = Encoder.build(game, [r.candidate for r in obs.records], self.cache)
        cands, y = obs.training()
        idx = training_subset(y, self.max_train)
        X = encoder.encode_many([cands[i] for i in idx])
        y_sub = y[idx]
        layout = (encoder.n_discrete, tuple(encoder.params), tuple(encoder.cat_dims))
        c = checkpoint(len(obs.records), self.schedule.dense_until, self.schedule.every)
        hyper = None
        if c < len(obs.records):
            hyper = self.schedule.get((c, layout))
            if hyper is None:
                pc, py = obs.training(c)
                pidx = training_subset(py, self.max_train)
                base = fit_surrogate(encoder.encode_many([pc[i] for i in pidx]), py[pidx], encoder.cat_dims,
                                     derive_seed(obs.ctx.seed, 1, c))
                hyper = base.hyperparameters()
                self.schedule.put((c, layout), hyper)
        gp = fit_surrogate(X, y_sub, encoder.cat_dims, derive_seed(obs.ctx.seed, 1, c), hyper=hyper)
        if c == len(obs.records):
            self.schedule.put((c, layout), gp.hyperparameters())
        return Model(encoder, gp, X, y_sub)


# -- acquisition -----------------------------------------------------------------------------------


@dataclass
class Acquirer:
    """qLogNoisyExpectedImprovement on a model; candidates in flight enter as `X_pending`."""

    model: Model
    seed: int
    mc_samples: int = 64
    chunk: int = 256
    _acqf: qLogNoisyExpectedImprovement | None = field(default=None, init=False)
    _pending: bytes = field(default=b"", init=False)

    def acqf(self, X_pending: np.ndarray | None) -> qLogNoisyExpectedImprovement | None:
        """The acquisition function with `X_pending` set (None while the GP is a flat prior).

        Construction and `set_X_pending` (which re-prunes the baseline with random samples) run
        under a fixed torch seed, so the result never depends on the global generator."""
        if self.model.gp.model is None:
            return None
        pend = None if X_pending is None or len(X_pending) == 0 else np.ascontiguousarray(X_pending, dtype=float)
        key = b"" if pend is None else pend.tobytes()
        if self._acqf is not None and key == self._pending:
            return self._acqf
        with warnings.catch_warnings(), torch.random.fork_rng():
            warnings.simplefilter("ignore")
            torch.manual_seed(self.seed)
            if self._acqf is None:
                sampler = SobolQMCNormalSampler(torch.Size([self.mc_samples]), seed=self.seed)
                self._acqf = qLogNoisyExpectedImprovement(
                    self.model.gp.model, torch.as_tensor(self.model.X, dtype=DTYPE), sampler=sampler,
                    prune_baseline=True, cache_root=False)
            self._acqf.set_X_pending(None if pend is None else torch.as_tensor(pend, dtype=DTYPE))
        self._pending = key
        return self._acqf

    def score(self, X: np.ndarray, X_pending: np.ndarray | None) -> np.ndarray:
        """Acquisition value of each row of `X` as a q=1 candidate, given the pending rows."""
        acqf = self.acqf(X_pending)
        if acqf is None or len(X) == 0:
            return np.zeros(len(X))
        out = []
        with torch.no_grad(), warnings.catch_warnings(), torch.random.fork_rng():
            warnings.simplefilter("ignore")
            torch.manual_seed(self.seed)  # botorch draws from the global generator here
            for i in range(0, len(X), self.chunk):
                out.append(acqf(torch.as_tensor(X[i : i + self.chunk], dtype=DTYPE).unsqueeze(-2)).numpy())
        return np.concatenate(out)


def refine_params(acq: Acquirer, cand: Candidate, game: Game, X_pending: np.ndarray | None, seed: int,
                  restarts: int = 4, maxiter: int = 20) -> Candidate:
    """The candidate with its numeric leaf parameters optimised by `optimize_acqf`, moves fixed."""
    enc = acq.model.encoder
    state = replay(game, cand.actions)
    space = leaf_space(game, state)
    cols = [c for p in space if isinstance(p, (Real, Int)) and (c := enc.param_column(p.name)) is not None]
    acqf = acq.acqf(X_pending)
    if not cols or acqf is None:
        return cand
    x0 = enc.encode(cand)
    rng = np.random.default_rng(seed)
    starts = np.repeat(x0[None, :], restarts, axis=0)
    for i in range(1, restarts):
        sigma = 0.05 if i < restarts // 2 else None
        starts[i, cols] = np.clip(x0[cols] + rng.normal(0, sigma, len(cols)), 0, 1) if sigma else rng.random(len(cols))
    d = enc.dim
    bounds = torch.stack([torch.zeros(d, dtype=DTYPE), torch.ones(d, dtype=DTYPE)])
    fixed = {i: float(x0[i]) for i in range(d) if i not in cols}
    with warnings.catch_warnings(), torch.random.fork_rng():
        warnings.simplefilter("ignore")
        torch.manual_seed(seed)
        ics = torch.as_tensor(starts, dtype=DTYPE).unsqueeze(-2)
        try:
            x, _ = optimize_acqf(acqf, bounds, q=1, num_restarts=restarts, fixed_features=fixed,
                                 batch_initial_conditions=ics, options={"maxiter": maxiter},
                                 retry_on_optimization_warning=False)
        except Exception:
            return cand
    x_best = x.detach().numpy().reshape(-1)
    if acq.score(x_best[None, :], X_pending)[0] < acq.score(x0[None, :], X_pending)[0]:
        return cand
    params = enc.decode_params(x_best, space, cand.params)
    values = space.validate(params)
    return Candidate(cand.actions, values, candidate_key(game, state, values))


# -- candidate generation --------------------------------------------------------------------------


def sample_action(legal: Sequence[Action], rng: np.random.Generator, prior: Mapping[Action, float] | None) -> Action:
    """A legal move drawn from the prior (uniform without one, or when it gives no mass)."""
    if prior:
        p = np.array([max(0.0, float(prior.get(a, 0.0))) for a in legal])
        if p.sum() > 0:
            return legal[int(rng.choice(len(legal), p=p / p.sum()))]
    return legal[int(rng.integers(len(legal)))]


def complete(game: Game, state: Any, prefix: Sequence[Action], rng: np.random.Generator,
             guide: Sequence[Action] | None = None, deviate: float = 0.0, force: frozenset[int] = frozenset(),
             prior: Prior | None = None) -> tuple[tuple[Action, ...], Any]:
    """Play on from `state` (reached by `prefix`) to a terminal state.

    At depth i the move is the guide's i-th move where that is legal (with probability 1 - `deviate`),
    a different legal move at the depths in `force` (a local move), and a prior/uniform draw otherwise.
    """
    actions = list(prefix)
    while not game.is_terminal(state):
        legal = list(game.legal_actions(state))
        if not legal:
            raise RuntimeError("non-terminal state without legal moves")
        i = len(actions)
        g = guide[i] if guide is not None and i < len(guide) and guide[i] in legal else None
        if i in force:
            others = [a for a in legal if a != g]
            a = others[int(rng.integers(len(others)))] if others else legal[0]
        elif g is not None and rng.random() >= deviate:
            a = g
        else:
            a = sample_action(legal, rng, prior(state) if prior is not None else None)
        actions.append(a)
        state = game.step(state, a)
    return tuple(actions), state


def leaf_params(game: Game, state: Any, rng: np.random.Generator, parent: Mapping[str, Any] | None = None,
                sigma: float = 0.0) -> dict[str, Any]:
    """Leaf parameters: the parent's (perturbed by `sigma` on the unit scale) where it has them all,
    otherwise uniformly sampled."""
    space = leaf_space(game, state)
    if parent is None or any(p.name not in parent for p in space):
        return space.sample(rng)
    out: dict[str, Any] = {}
    for p in space:
        v = parent[p.name]
        if sigma > 0 and isinstance(p, (Real, Int)):
            v = p.from_unit(p.to_unit(v) + rng.normal(0.0, sigma))
        elif sigma > 0 and isinstance(p, Categorical) and rng.random() < sigma:
            v = p.sample(rng)
        out[p.name] = v
    return space.validate(out)


def make(game: Game, actions: tuple[Action, ...], state: Any, params: dict[str, Any]) -> Candidate:
    """A candidate from moves, their terminal state and leaf parameters."""
    return Candidate(actions, params, candidate_key(game, state, params))


def sobol_candidate(ctx: PlannerContext, index: int, rng: np.random.Generator) -> Candidate:
    """Point `index` of a scrambled Sobol sequence (seeded by the run seed) mapped to moves and params."""
    engine = SobolEngine(SOBOL_MOVES + SOBOL_PARAMS, scramble=True, seed=derive_seed(ctx.seed, 2))
    if index:
        engine.fast_forward(index)
    u = engine.draw(1, dtype=DTYPE)[0].numpy()
    game = ctx.game
    state, actions = game.initial_state(), []
    while not game.is_terminal(state):
        legal = list(game.legal_actions(state))
        i = len(actions)
        a = legal[min(int(u[i] * len(legal)), len(legal) - 1)] if i < SOBOL_MOVES else legal[int(rng.integers(len(legal)))]
        actions.append(a)
        state = game.step(state, a)
    params = {p.name: (param_from_unit(p, u[SOBOL_MOVES + j]) if j < SOBOL_PARAMS else p.sample(rng))
              for j, p in enumerate(leaf_space(game, state))}
    params = leaf_space(game, state).validate(params)
    return make(game, tuple(actions), state, params)


def design_candidate(ctx: PlannerContext, index: int, excluded: set[str], rng: np.random.Generator) -> Candidate:
    """The initial-design proposal: the Sobol point, or random plays where it is already taken."""
    cand = sobol_candidate(ctx, index, rng)
    for _ in range(MAX_TRIES):
        if cand.key not in excluded:
            break
        actions, state = complete(ctx.game, ctx.game.initial_state(), (), rng)
        cand = make(ctx.game, actions, state, leaf_params(ctx.game, state, rng))
    return cand


def local_move(game: Game, parent: Candidate, rng: np.random.Generator, n_changes: int, sigma: float) -> Candidate:
    """Change `n_changes` moves of `parent` (completing the rest like the parent where legal) and
    perturb its leaf parameters."""
    depth = len(parent.actions)
    force = frozenset(rng.choice(depth, size=min(n_changes, depth), replace=False).tolist()) if depth else frozenset()
    actions, state = complete(game, game.initial_state(), (), rng, guide=parent.actions, force=force)
    return make(game, actions, state, leaf_params(game, state, rng, parent.params, sigma))


@dataclass(frozen=True)
class PoolConfig:
    """Sizes of the candidate pool the acquisition is maximised over."""

    n_random: int = 100
    n_parents: int = 5
    per_parent: int = 40
    param_variants: int = 10


def candidate_pool(ctx: PlannerContext, obs: Observations, excluded: set[str], rng: np.random.Generator,
                   cfg: PoolConfig = PoolConfig()) -> list[Candidate]:
    """Random plays plus local moves (one to three changed moves, perturbed params) around the best
    candidates and parameter variants of them; no excluded key, no duplicates."""
    game = ctx.game
    pool: dict[str, Candidate] = {}

    def add(c: Candidate) -> None:
        if c.key not in excluded and c.key not in pool:
            pool[c.key] = c

    for parent in obs.ranked(cfg.n_parents):
        has_params = bool(parent.params)
        for _ in range(cfg.per_parent):
            n_changes = 1 + min(int(rng.geometric(0.5)) - 1, 2)
            add(local_move(game, parent, rng, n_changes, sigma=0.1 * rng.random() if has_params else 0.0))
        if has_params:
            state = replay(game, parent.actions)
            for _ in range(cfg.param_variants):
                add(make(game, parent.actions, state, leaf_params(game, state, rng, parent.params, 0.2 * rng.random())))
    for _ in range(cfg.n_random):
        actions, state = complete(game, game.initial_state(), (), rng)
        add(make(game, actions, state, leaf_params(game, state, rng)))
    return list(pool.values())


def greedy_batch(acq: Acquirer, game: Game, pool: list[Candidate], n: int, pending: Sequence[Candidate],
                 seed: int, excluded: set[str] | frozenset[str] = frozenset(), refine: bool = True,
                 shortlist: int = 48) -> list[Candidate]:
    """Pick `n` pool candidates one at a time by acquisition value, each later one seeing the earlier
    ones (and `pending`) as `X_pending`; optionally refine each one's leaf parameters. No proposal
    has a key in `excluded` or `pending`. Large pools are first cut to a UCB `shortlist`."""
    enc = acq.model.encoder
    taken: set[str] = set(excluded) | {c.key for c in pending}
    pool = [c for c in pool if c.key not in taken]
    X = enc.encode_many(pool)
    if len(pool) > shortlist + n:  # qLogNEI only on the most promising by upper confidence bound
        mu, sd = acq.model.gp.predict(X)
        keep = np.sort(np.argsort(-(mu + 2.0 * sd), kind="stable")[: shortlist + n])
        pool, X = [pool[i] for i in keep], X[keep]
    Xp = [enc.encode(c) for c in pending]
    out: list[Candidate] = []
    for j in range(n):
        scores = acq.score(X, np.array(Xp) if Xp else None)
        order = np.argsort(-scores, kind="stable")
        pick = next((i for i in order if pool[i].key not in taken), None)
        if pick is None:
            break
        cand = pool[pick]
        if refine:
            refined = refine_params(acq, cand, game, np.array(Xp) if Xp else None, derive_seed(seed, 3, j))
            if refined.key not in taken:
                cand = refined
        taken.add(cand.key)
        out.append(cand)
        Xp.append(enc.encode(cand))
    return out


# -- the planner -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BOConfig:
    """Settings of the BO planner."""

    n_init: int = 8
    max_train: int = 120
    pool: PoolConfig = PoolConfig()


class BOPlanner:
    """GP + qLogNEI over a pool of random plays and local moves, leaf parameters refined by L-BFGS;
    a Sobol initial design first. Rebuildable from records: all randomness derives from the seed,
    the number of records told and the number pending."""

    def __init__(self, ctx: PlannerContext, config: BOConfig = BOConfig()) -> None:
        self.ctx = ctx
        self.config = config
        self.obs = Observations(ctx)
        self.fitter = ModelFitter(max_train=config.max_train)

    def tell(self, records: Sequence[Record]) -> None:
        self.obs.tell(records)

    def ask(self, n: int, pending: Sequence[Candidate]) -> list[Candidate]:
        with single_thread():
            return self._ask(n, pending)

    def _ask(self, n: int, pending: Sequence[Candidate]) -> list[Candidate]:
        seed = derive_seed(self.ctx.seed, self.obs.n_told, len(pending))
        rng = np.random.default_rng(seed)
        excluded = self.obs.excluded(pending)
        out = initial_design(self.ctx, self.obs, n, pending, excluded, rng, self.config.n_init)
        if len(out) < n:
            model = self.fitter.fit(self.obs)
            acq = Acquirer(model, derive_seed(seed, 4))
            pool = candidate_pool(self.ctx, self.obs, excluded | {c.key for c in out}, rng, self.config.pool)
            out += greedy_batch(acq, self.ctx.game, pool, n - len(out), [*pending, *out], seed, excluded)
        return out


def initial_design(ctx: PlannerContext, obs: Observations, n: int, pending: Sequence[Candidate],
                   excluded: set[str], rng: np.random.Generator, n_init: int) -> list[Candidate]:
    """Design proposals while fewer than `n_init` points are trained on or in flight (or fewer than
    two points have values, e.g. when everything so far failed)."""
    out: list[Candidate] = []
    n_train = obs.n_train()
    for j in range(n):
        if n_train + len(pending) + j >= n_init and n_train >= 2:
            break
        cand = design_candidate(ctx, obs.n_told + len(pending) + j, excluded, rng)
        excluded = excluded | {cand.key}
        out.append(cand)
    return out
