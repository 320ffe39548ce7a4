"""Optuna's TPE sampler as a searchlab planner: the baseline a user would otherwise pick.

The game is played define-by-run: each decision becomes a categorical parameter named by
`variable_name`, each leaf parameter a float/int. Like a careful Optuna user, the adapter caches values:
a proposal whose key was already evaluated is told its known value at once and another is asked.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Sequence

import optuna

from ..game import Candidate, candidate_key, leaf_space, variable_name
from ..planner import PlannerContext, Record
from ..space import Categorical, Int, Real

MAX_CACHED_REPEATS = 50


class OptunaTPEPlanner:
    """TPE (multivariate, grouped, constant liar) through Optuna's ask/tell interface."""

    def __init__(self, ctx: PlannerContext) -> None:
        optuna.logging.set_verbosity(logging.WARNING)
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        self.ctx = ctx
        sampler = optuna.samplers.TPESampler(seed=ctx.seed, multivariate=True, group=True, constant_liar=True)
        self.study = optuna.create_study(direction="minimize" if ctx.minimize else "maximize", sampler=sampler)
        self._trials: dict[str, optuna.trial.Trial] = {}
        self._values: dict[str, float | None] = {}

    def ask(self, n: int, pending: Sequence[Candidate]) -> list[Candidate]:
        out: list[Candidate] = []
        taken = {c.key for c in pending}
        for _ in range(n):
            for attempt in range(MAX_CACHED_REPEATS):
                trial = self.study.ask()
                cand = self._play(trial)
                if cand.key in self._values and attempt < MAX_CACHED_REPEATS - 1:
                    self._tell_trial(trial, self._values[cand.key])
                    continue
                if cand.key in taken and attempt < MAX_CACHED_REPEATS - 1:
                    self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    continue
                break
            taken.add(cand.key)
            self._trials[cand.key] = trial
            out.append(cand)
        return out

    def tell(self, records: Sequence[Record]) -> None:
        for r in records:
            value = r.value if self.ctx.score(r) is not None else None
            self._values[r.candidate.key] = value
            trial = self._trials.pop(r.candidate.key, None)
            if trial is not None:
                self._tell_trial(trial, value)
            else:  # a result Optuna did not propose (a rebuilt planner): add it as a finished trial
                params, dists = self._replay(r.candidate)
                state = optuna.trial.TrialState.COMPLETE if value is not None else optuna.trial.TrialState.FAIL
                self.study.add_trial(optuna.trial.create_trial(params=params, distributions=dists, value=value, state=state))

    def _tell_trial(self, trial: optuna.trial.Trial, value: float | None) -> None:
        if value is None:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            self.study.tell(trial, value)

    def _replay(self, cand: Candidate) -> tuple[dict[str, Any], dict[str, optuna.distributions.BaseDistribution]]:
        """The Optuna parameters and distributions that describe an existing candidate."""
        game = self.ctx.game
        state = game.initial_state()
        params: dict[str, Any] = {}
        dists: dict[str, optuna.distributions.BaseDistribution] = {}
        for depth, a in enumerate(cand.actions):
            name = variable_name(game, state, depth)
            dists[name] = optuna.distributions.CategoricalDistribution(list(game.legal_actions(state)))
            params[name] = a
            state = game.step(state, a)
        for p in leaf_space(game, state):
            params[p.name] = cand.params[p.name]
            if isinstance(p, Real):
                dists[p.name] = optuna.distributions.FloatDistribution(p.low, p.high, log=p.log)
            elif isinstance(p, Int):
                dists[p.name] = optuna.distributions.IntDistribution(p.low, p.high, log=p.log)
            elif isinstance(p, Categorical):
                dists[p.name] = optuna.distributions.CategoricalDistribution(list(p.choices))
        return params, dists

    def _play(self, trial: optuna.trial.Trial) -> Candidate:
        game = self.ctx.game
        state = game.initial_state()
        actions: list[Any] = []
        while not game.is_terminal(state):
            legal = list(game.legal_actions(state))
            choice = trial.suggest_categorical(variable_name(game, state, len(actions)), legal)
            actions.append(choice)
            state = game.step(state, choice)
        params: dict[str, Any] = {}
        for p in leaf_space(game, state):
            if isinstance(p, Real):
                params[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
            elif isinstance(p, Int):
                params[p.name] = trial.suggest_int(p.name, p.low, p.high, log=p.log)
            elif isinstance(p, Categorical):
                params[p.name] = trial.suggest_categorical(p.name, list(p.choices))
        return Candidate(tuple(actions), params, candidate_key(game, state, params))
