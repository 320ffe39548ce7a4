"""Imitation training, self-imitation datasets and checkpoints (tiny runs on the toy game)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from searchlab.game import make_candidate
from searchlab.oracle import Status
from searchlab.planner import Record
from searchlab.policy import (
    AttentionPolicy,
    PolicyConfig,
    best_candidates,
    collate,
    evaluate_imitation,
    load_checkpoint,
    resume_imitation,
    save_checkpoint,
    self_imitation_dataset,
    train_imitation,
)
from searchlab.policy.checkpoint import FORMAT

from .test_token_game import expert, one_thread, random_game  # noqa: F401 (autouse fixture)

SMALL = PolicyConfig(d_in=3, d_model=32, n_heads=4, n_layers=2, d_ff=64)


def nearest_dataset(n_instances: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_instances):
        game = random_game(rng)
        out += self_imitation_dataset(game, [expert(game)])
    return out


def test_imitation_learns_nearest_neighbour() -> None:
    train, test = nearest_dataset(200, seed=0), nearest_dataset(60, seed=1)
    policy = AttentionPolicy(SMALL, seed=0)
    loss0, _ = evaluate_imitation(policy, train)
    history = train_imitation(policy, train, epochs=12, batch_size=64, lr=5e-3, seed=0)
    loss, acc = evaluate_imitation(policy, train)
    _, test_acc = evaluate_imitation(policy, test)
    assert len(history) == 12 * math.ceil(len(train) / 64)
    assert loss < 0.3 * loss0 and acc > 0.9 and test_acc > 0.85, (loss0, loss, acc, test_acc)


def test_self_imitation_replays_candidates() -> None:
    game = random_game(np.random.default_rng(3), 6, 7)
    moves = [5, 1, 3, 2, 4]
    data = self_imitation_dataset(game, [make_candidate(game, moves), moves[::-1]], values=[2.0, 3.0])
    assert len(data) == 10 and [e.value for e in data] == [2.0] * 5 + [3.0] * 5
    first = data[0]
    assert first.features.shape == (6, 3) and first.target == 5  # token 5 = point 5 (token 0 is the origin)
    assert data[1].target == 1 and data[1].features[0, :2].tolist() == game.points[5].tolist()
    with pytest.raises(ValueError, match="not played"):
        self_imitation_dataset(game, [[1, 1]])


def test_best_candidates_picks_distinct_ok_records() -> None:
    game = random_game(np.random.default_rng(4), 4, 5)
    c1, c2, c3 = (make_candidate(game, m) for m in ([1, 2, 3], [2, 1, 3], [3, 2, 1]))
    recs = [
        Record(0, c1, 0, Status.OK, 3.0),
        Record(1, c2, 0, Status.ERROR, None),
        Record(2, c3, 0, Status.OK, 1.0),
        Record(3, c1, 1, Status.OK, 0.5),
    ]
    assert best_candidates(recs, 2) == [c1, c3]
    assert best_candidates(recs, 5, minimize=False) == [c1, c3]


def test_value_head_trains_on_given_values() -> None:
    data = self_imitation_dataset(random_game(np.random.default_rng(6)), [[1, 2, 3, 4]], values=[0.75]) * 8
    policy = AttentionPolicy(PolicyConfig(d_in=3, d_model=16, n_heads=2, n_layers=1, d_ff=32, value_head=True))
    train_imitation(policy, data, epochs=40, batch_size=16, lr=1e-2, schedule="constant")
    b = collate(data)
    value = policy.eval()(b.features, b.action_mask, b.pad_mask).value
    assert torch.allclose(value, torch.full_like(value, 0.75), atol=0.05)


def test_checkpoint_round_trip_gives_identical_outputs(tmp_path: Path) -> None:
    config = PolicyConfig(d_in=3, d_model=16, n_heads=2, n_layers=2, d_ff=32, value_head=True)
    policy = AttentionPolicy(config, seed=1)
    with torch.no_grad():
        for layer in policy.layers:
            layer.alpha.fill_(0.5)
    opt = torch.optim.Adam(policy.parameters())
    save_checkpoint(tmp_path / "p.pt", policy, config, optimizer=opt, step=7, extra={"note": "x", "n": [1, 2]})
    ck = load_checkpoint(tmp_path / "p.pt")
    assert ck.config == config and ck.step == 7 and ck.extra == {"note": "x", "n": [1, 2]} and ck.optimizer is not None
    b = collate(nearest_dataset(3, seed=2))
    a_out = policy.eval()(b.features, b.action_mask, b.pad_mask)
    b_out = ck.policy.eval()(b.features, b.action_mask, b.pad_mask)
    assert torch.equal(a_out.log_probs, b_out.log_probs) and torch.equal(a_out.value, b_out.value)


class Arbitrary:
    """Any class: a checkpoint that would have to unpickle it must be refused."""


def test_loading_refuses_pickled_objects(tmp_path: Path) -> None:
    torch.save({"format": FORMAT, "config": {"d_in": 3}, "payload": Arbitrary()}, tmp_path / "evil.pt")
    with pytest.raises(Exception, match="(?i)weights_only|unpickl"):
        load_checkpoint(tmp_path / "evil.pt")


class Interrupt(Exception):
    pass


def test_resumed_training_continues_identically(tmp_path: Path) -> None:
    data = nearest_dataset(30, seed=7)
    config = PolicyConfig(d_in=3, d_model=16, n_heads=2, n_layers=2, d_ff=32, dropout=0.1)
    kwargs = dict(epochs=3, batch_size=32, lr=3e-3, seed=11, checkpoint_every=4)
    full = AttentionPolicy(config, seed=2)
    history = train_imitation(full, data, checkpoint=tmp_path / "full.pt", **kwargs)  # type: ignore[arg-type]

    def stop_after_6(stats) -> None:  # noqa: ANN001
        if stats.step == 5:
            raise Interrupt  # after step 6 ran; the last checkpoint holds step 4

    part = AttentionPolicy(config, seed=2)
    with pytest.raises(Interrupt):
        train_imitation(part, data, checkpoint=tmp_path / "part.pt", progress=stop_after_6, **kwargs)  # type: ignore[arg-type]
    assert load_checkpoint(tmp_path / "part.pt").step == 4
    resumed, rest = resume_imitation(tmp_path / "part.pt", data)
    assert [s.step for s in rest] == list(range(4, len(history)))
    assert [s.loss for s in rest] == [s.loss for s in history[4:]]
    for (name, x), y in zip(full.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(x, y), name
    assert load_checkpoint(tmp_path / "part.pt").step == len(history)
