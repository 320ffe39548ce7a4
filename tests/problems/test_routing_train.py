"""Routing training: augmentations keep labels optimal, the samplers produce exactly the games' tokens
and expert slots, a tiny run lowers the loss, and a resumed run continues the uninterrupted one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

import torch.nn.functional as F

from searchlab.policy import AttentionPolicy, evaluating, load_checkpoint, token_view
from searchlab.problems.routing import make_game
from searchlab.problems.routing.augment import random_symmetries, reverse_tour, rotate_tour, square_symmetry
from searchlab.problems.routing.sampler import CVRPSampler, TSPSampler, _local_views, make_sampler
from searchlab.problems.routing.decoding import decode_many
from searchlab.problems.routing.knn import KNNGame
from searchlab.problems.routing.models import load_model, policy_config
from searchlab.problems.routing.training import TrainConfig, dataset_seed, labelled_dataset, train
from searchlab.solvers.routing import Solution, TSPInstance, check_solution, generate, solve_many

torch.set_num_threads(1)


def _rows(a: np.ndarray) -> list[tuple]:
    return sorted(map(tuple, np.round(a, 5).tolist()))


@pytest.mark.parametrize("k", range(8))
def test_square_symmetries_keep_tour_lengths(k: int) -> None:
    inst = generate("tsp", 12, 1, seed=3)[0]
    ref = solve_many([inst], "exact")[0]
    moved = TSPInstance(square_symmetry(inst.coords, k))
    assert check_solution(moved, ref) == pytest.approx(ref.objective)
    assert solve_many([moved], "exact")[0].objective == pytest.approx(ref.objective)
    for tour in (rotate_tour(np.array(ref.tour), 5), reverse_tour(np.array(ref.tour))):
        assert check_solution(inst, Solution.of_tour(tour)) == pytest.approx(ref.objective)


def test_random_symmetries_are_square_symmetries() -> None:
    xy = np.random.default_rng(0).random((16, 5, 2)).astype(np.float32)
    out = random_symmetries(xy, np.random.default_rng(1))
    for a, b in zip(xy, out):
        assert any(np.allclose(square_symmetry(a, k), b) for k in range(8))


def test_tsp_sampler_matches_game_tokens() -> None:
    insts = generate("tsp", 10, 3, seed=4)
    labels = solve_many(insts, "exact")
    s = TSPSampler.of(insts, labels, augment=False)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        batch = s.sample(rng, 3)
        n_tok = batch.features.shape[1]
        rng = np.random.default_rng(seed)
        rng.integers(4, 12)
        idx = rng.integers(0, 3, size=3)
        for b, i in enumerate(idx):
            game = make_game(insts[i])
            moves = game.actions_of_solution(labels[i])
            state = game.initial_state()
            for m in moves[: 11 - n_tok]:
                state = game.step(state, m)
            view = token_view(game, state)
            assert _rows(view.features) == _rows(batch.features[b].numpy())
            target = batch.features[b, int(batch.target[b])].numpy()
            assert np.allclose(view.features[view.slot_of(moves[11 - n_tok])], target)
            assert int(batch.action_mask[b].sum()) == len(view.legal_slots())


def test_cvrp_sampler_matches_game_tokens() -> None:
    insts = generate("cvrp", 10, 3, seed=5)
    labels = solve_many(insts, "pyvrp", 0.1)
    s = CVRPSampler.of(insts, labels, augment=False)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        batch = s.sample(rng, 3)
        n_tok = batch.features.shape[1]
        j = 10 - (n_tok - 2)
        rng = np.random.default_rng(seed)
        rng.integers(0, 10)
        idx = rng.integers(0, 3, size=3)
        for b, i in enumerate(idx):
            game = make_game(insts[i])
            moves = game.actions_of_solution(labels[i])
            state = game.initial_state()
            for m in moves[:j]:
                state = game.step(state, m)
            view = token_view(game, state)
            assert _rows(view.features) == _rows(batch.features[b].numpy())
            slot = int(batch.target[b])
            tok, choice = divmod(slot, 2)
            want_tok, want_choice = divmod(view.slot_of(moves[j]), 2)
            assert np.allclose(view.features[want_tok], batch.features[b, tok].numpy()) and choice == want_choice
            legal = view.action_mask.reshape(-1, 2)
            assert _rows(np.c_[view.features, legal]) == _rows(np.c_[batch.features[b].numpy(), batch.action_mask[b].reshape(-1, 2).numpy()])


def _cfg(tmp_path: Path, problem: str = "tsp", size: int = 10, steps: int = 40) -> TrainConfig:
    return TrainConfig(problem=problem, sizes=(size,), n_train=16, n_val=4, steps=steps, batch_size=32, lr=2e-3,
                       d_model=32, n_layers=2, n_heads=4, d_ff=64, val_every=20, checkpoint_every=10,
                       data_dir=str(tmp_path / "data"), label_time=0.05)


def _fixed_loss(policy: AttentionPolicy, sampler: object) -> float:
    batches = [sampler.sample(np.random.default_rng([99, i]), 64) for i in range(8)]  # type: ignore[attr-defined]
    with evaluating(policy):
        return float(np.mean([F.nll_loss(policy(b.features, b.action_mask).log_probs, b.target).item() for b in batches]))


def test_tiny_training_run_lowers_the_loss(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, steps=150)
    res = train(cfg, tmp_path / "m.pt", show_progress=False, log=lambda s: None)
    ds = labelled_dataset("tsp", 10, 16, dataset_seed(0, 10, "train"), cfg.data_dir, None, 0.05)
    sampler = make_sampler("tsp", ds.instances, ds.labels)
    before = AttentionPolicy(policy_config("tsp", 32, 2, 4, 64), seed=0)
    after = load_checkpoint(tmp_path / "m.pt").policy
    assert _fixed_loss(after, sampler) < _fixed_loss(before, sampler) - 0.3
    assert len(res.val_gaps) == 8 and all(g >= -1e-9 for _, g in res.val_gaps)
    assert (tmp_path / "m.best.pt").is_file()


def test_resumed_training_continues_exactly(tmp_path: Path) -> None:
    full = train(_cfg(tmp_path, steps=20), tmp_path / "a.pt", show_progress=False, log=lambda s: None)
    train(_cfg(tmp_path, steps=20), tmp_path / "b.pt", show_progress=False, log=lambda s: None, stop_step=7)
    assert load_checkpoint(tmp_path / "b.pt").step == 7
    rest = train(_cfg(tmp_path, steps=20), tmp_path / "b.pt", resume=True, show_progress=False, log=lambda s: None)
    assert rest.losses == pytest.approx(full.losses[7:], rel=1e-5)
    assert [s for s, _ in rest.val_gaps] == [20]
    a, b = load_checkpoint(tmp_path / "a.pt").policy.state_dict(), load_checkpoint(tmp_path / "b.pt").policy.state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


@pytest.mark.parametrize("problem,size", [("cvrp", 10), ("op", 20), ("kp", 10)])
def test_other_problems_train_end_to_end(tmp_path: Path, problem: str, size: int) -> None:
    cfg = _cfg(tmp_path, problem, size, steps=10)
    res = train(cfg, tmp_path / f"{problem}.pt", show_progress=False, log=lambda s: None)
    assert len(res.losses) == 10 and np.isfinite(res.losses).all()


def test_labelled_dataset_is_cached(tmp_path: Path) -> None:
    a = labelled_dataset("tsp", 8, 3, 1, tmp_path, "fast-tsp", 0.01)
    b = labelled_dataset("tsp", 8, 3, 1, tmp_path, "fast-tsp", 0.01)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    assert [s.tour for s in a.labels] == [s.tour for s in b.labels]


def test_size_curriculum_mixes_samplers(tmp_path: Path) -> None:
    cfg = replace(_cfg(tmp_path, steps=6), sizes=(8, 12), val_every=6)
    res = train(cfg, tmp_path / "mix.pt", show_progress=False, log=lambda s: None)
    assert len(res.losses) == 6 and [s for s, _ in res.val_gaps] == [6]
    assert len(list((tmp_path / "data").glob("tsp8_*.npz"))) == 1 and len(list((tmp_path / "data").glob("tsp12_*.npz"))) == 2


def test_local_view_sampler_matches_local_game_tokens() -> None:
    """Without augmentation, a local-view batch row is the `KNNGame(local=True)` view of the same suffix
    state, with the expert move at slot 1 (draws whose expert move is outside the view are dropped)."""
    insts = generate("tsp", 12, 3, seed=6)
    labels = solve_many(insts, "exact")
    s = TSPSampler.of(insts, labels, augment=False, knn=4)
    compared = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        j = 13 - int(rng.integers(4, 14))
        i = int(rng.integers(0, 3, size=1)[0])
        game = KNNGame(make_game(insts[i]), 4, local=True)
        moves = game.actions_of_solution(labels[i])
        state = game.initial_state()
        for m in moves[:j]:
            state = game.step(state, m)
        if moves[j] not in game.legal_actions(state):
            continue  # the sampler drops this draw and draws again
        batch = s.sample(np.random.default_rng(seed), 1)
        view = token_view(game, state)
        assert _rows(view.features) == _rows(batch.features[0].numpy())
        assert np.allclose(view.features[view.slot_of(moves[j])], batch.features[0, 1].numpy(), atol=1e-5)
        compared += 1
    assert compared >= 20


def test_local_views_are_invariant_to_moving_and_scaling_the_instance() -> None:
    inst = generate("tsp", 30, 1, seed=7)[0]
    moved = TSPInstance(inst.coords * 7.5 + np.array([3.0, -2.0]))
    a, b = KNNGame(make_game(inst), 8, local=True), KNNGame(make_game(moved), 8, local=True)
    sa, sb = a.initial_state(), b.initial_state()
    for v in (4, 9, 17):
        sa, sb = a.step(sa, v), b.step(sb, v)
        fa, fb = a.tokens(sa)[0], b.tokens(sb)[0]
        assert np.allclose(fa, fb, atol=1e-5)
        assert np.abs(fa[1:-1, :2]).max() <= 1.0 + 1e-6 and np.isclose(np.linalg.norm(fa[1:-1, :2], axis=1).max(), 1.0)


def test_local_view_augmentation_is_a_rotation_or_reflection() -> None:
    xy = np.random.default_rng(0).random((16, 12, 2)).astype(np.float32)
    plain, aug = _local_views(xy, 6, None), _local_views(xy, 6, np.random.default_rng(1))
    gram = lambda f: np.linalg.norm(f[:, :, None] - f[:, None, :], axis=-1)  # noqa: E731
    assert aug.shape == plain.shape and not np.allclose(aug, plain)
    assert np.allclose(gram(aug), gram(plain), atol=1e-5) and np.allclose(np.linalg.norm(aug, axis=-1), np.linalg.norm(plain, axis=-1), atol=1e-5)


def test_local_view_training_records_its_view(tmp_path: Path) -> None:
    cfg = replace(_cfg(tmp_path, size=16, steps=120), knn=6)
    train(cfg, tmp_path / "local.pt", show_progress=False, log=lambda s: None)
    model = load_model("tsp", tmp_path / "local.pt")
    assert model.local == 6
    ds = labelled_dataset("tsp", 16, 16, dataset_seed(0, 16, "train"), cfg.data_dir, None, 0.05)
    sampler = make_sampler("tsp", ds.instances, ds.labels, knn=6)
    before = AttentionPolicy(policy_config("tsp", 32, 2, 4, 64), seed=0)
    assert _fixed_loss(model.policy, sampler) < _fixed_loss(before, sampler) - 0.2
    inst = generate("tsp", 40, 1, seed=9)[0]
    sol = decode_many(model.policy, [inst], "greedy", local=model.local)[0]
    assert check_solution(inst, sol) == pytest.approx(sol.objective)
