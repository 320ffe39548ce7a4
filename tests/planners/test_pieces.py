"""The shared pieces: surrogate quality, X_pending and virtual loss, and a small BO run."""

from __future__ import annotations

import numpy as np

from searchlab.planner import PlannerContext
from searchlab.planners.bo import Acquirer, ModelFitter, Observations
from searchlab.planners.mcts import MCTSConfig, TreeSearch
from searchlab.surrogate import checkpoint, fit_surrogate, training_subset

from .helpers import best_score, drive, evaluate, fresh, problem_setup


def test_surrogate_predicts_a_smooth_function_better_than_the_mean():
    rng = np.random.default_rng(0)
    f = lambda X: np.sin(3 * X[:, 0]) + (X[:, 1] - 0.5) ** 2  # noqa: E731
    X, Xt = rng.random((30, 3)), rng.random((200, 3))
    gp = fit_surrogate(X, f(X), [], seed=0)
    mu, sd = gp.predict(Xt)
    mse = np.mean((mu - f(Xt)) ** 2)
    assert mse < 0.1 * np.var(f(Xt))
    assert np.all(sd > 0)


def test_surrogate_copes_with_tiny_data():
    for n in (0, 1):
        gp = fit_surrogate(np.full((n, 2), 0.5), np.ones(n), [], seed=0)
        mu, sd = gp.predict(np.zeros((3, 2)))
        assert mu.shape == sd.shape == (3,) and np.all(np.isfinite(mu)) and np.all(sd > 0)
    gp = fit_surrogate(np.array([[0.1, 0.2], [0.7, 0.3]]), np.array([1.0, 1.0]), [], seed=0)
    assert np.all(np.isfinite(gp.predict(np.zeros((1, 2)))[0]))


def test_training_subset_keeps_the_best_and_the_recent():
    y = np.arange(10.0)[::-1]  # the earliest points are the best
    idx = training_subset(y, 4)
    assert list(idx) == [0, 1, 8, 9]
    assert [checkpoint(n) for n in (7, 13, 25, 40, 57)] == [7, 12, 24, 40, 50]


def _model(problem: str, n: int):
    game, oracle, minimize = problem_setup(problem, "small" if problem == "labs" else None)
    ctx = PlannerContext(game, 0, minimize)
    obs = Observations(ctx)
    obs.tell(evaluate(oracle, fresh("random", game, 0, minimize).ask(n, []), 0))
    return ctx, obs, ModelFitter().fit(obs)


def test_pending_points_lower_the_acquisition_there():
    ctx, obs, model = _model("jenatton", 12)
    acq = Acquirer(model, seed=0)
    pool = np.repeat(model.X[np.argmax(model.y)][None, :], 64, axis=0)
    pool[:, -4:] = np.random.default_rng(0).random((64, 4))  # new leaf parameters for the best moves
    x = pool[np.argmax(acq.score(pool, None))][None, :]
    assert acq.score(x, x)[0] < acq.score(x, None)[0] - 0.1


def test_virtual_loss_steers_selection_away_from_pending_paths():
    ctx, obs, model = _model("labs", 10)
    search = TreeSearch(ctx, obs, model, MCTSConfig(), np.random.default_rng(0))
    path, actions = search.tree.select()
    before = (path[1].n, path[1].w)
    for _ in range(5):
        search.tree.backup(path, 0.0)  # as add_pending does for a pending candidate through here
    assert path[1].n == before[0] + 5 and path[1].w == before[1]
    _, actions2 = search.tree.select()
    assert actions2[0] != actions[0] or len(actions2) != len(actions) or actions2 != actions


def test_bo_finds_a_good_jenatton_point_within_40_evaluations():
    game, oracle, minimize = problem_setup("jenatton")
    records = drive(fresh("bo", game, seed=0), oracle, 40, target=0.3)
    assert best_score(records) < 0.3


def test_policy_prior_orders_widening_and_drives_unguided_rollouts():
    from searchlab.planners.bo import complete
    from searchlab.planners.mcts import Tree

    game, _, _ = problem_setup("labs", "small")
    prior = lambda state: {1: 0.99, -1: 0.01}  # noqa: E731
    tree = Tree(game, MCTSConfig(), np.random.default_rng(0), prior)
    _, actions = tree.select()
    assert actions == [1]
    played, _ = complete(game, game.initial_state(), (), np.random.default_rng(0), prior=prior)
    assert sum(a == 1 for a in played) >= 17
