"""The attention policy network: equivariance, masking, padding, ReZero init, configuration, seeds."""

from __future__ import annotations

import pytest
import torch

from searchlab.policy import AttentionPolicy, PolicyConfig

from .test_token_game import one_thread  # noqa: F401 (autouse fixture)

CONFIG = PolicyConfig(d_in=4, d_model=32, n_heads=4, n_layers=2, d_ff=64, value_head=True)


def active(config: PolicyConfig = CONFIG, seed: int = 0) -> AttentionPolicy:
    """A policy whose ReZero gates are opened, so that attention actually mixes tokens."""
    policy = AttentionPolicy(config, seed=seed).eval()
    with torch.no_grad():
        for layer in policy.layers:
            layer.alpha.fill_(0.7)
    return policy


def inputs(b: int = 3, n: int = 9, k: int = 1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    feats = torch.rand(b, n, CONFIG.d_in, generator=g)
    mask = torch.rand(b, n * k, generator=g) > 0.3
    mask[:, 0] = True
    return feats, mask


def test_permuting_tokens_permutes_log_probs_and_keeps_the_value() -> None:
    policy = active()
    feats, mask = inputs()
    perm = torch.randperm(feats.shape[1], generator=torch.Generator().manual_seed(1))
    out = policy(feats, mask)
    out_p = policy(feats[:, perm], mask[:, perm])
    assert torch.allclose(out_p.log_probs, out.log_probs[:, perm], atol=1e-5)
    assert torch.allclose(out_p.value, out.value, atol=1e-5)


def test_masked_slots_get_zero_probability_and_the_rest_sum_to_one() -> None:
    feats, mask = inputs()
    probs = active()(feats, mask).log_probs.exp()
    assert (probs[~mask] == 0).all()
    assert torch.allclose(probs.sum(-1), torch.ones(3), atol=1e-6)


def test_padding_does_not_change_real_tokens_outputs() -> None:
    policy = active()
    feats, mask = inputs(b=1, n=6)
    ref = policy(feats, mask)
    padded = torch.cat([feats, torch.randn(1, 4, CONFIG.d_in)], dim=1)  # garbage in the padding rows
    pad_mask = torch.tensor([[True] * 6 + [False] * 4])
    out = policy(padded, torch.cat([mask, torch.ones(1, 4, dtype=torch.bool)], dim=1), pad_mask)
    assert torch.allclose(out.log_probs[:, :6], ref.log_probs, atol=1e-5)
    assert torch.isinf(out.log_probs[:, 6:]).all()
    assert torch.allclose(out.value, ref.value, atol=1e-5)


def test_a_padded_batch_equals_each_instance_alone() -> None:
    policy = active()
    f1, m1 = inputs(b=1, n=4, seed=1)
    f2, m2 = inputs(b=1, n=7, seed=2)
    feats = torch.zeros(2, 7, CONFIG.d_in)
    feats[0, :4], feats[1] = f1[0], f2[0]
    mask = torch.zeros(2, 7, dtype=torch.bool)
    mask[0, :4], mask[1] = m1[0], m2[0]
    pad_mask = torch.tensor([[True] * 4 + [False] * 3, [True] * 7])
    out = policy(feats, mask, pad_mask)
    assert torch.allclose(out.log_probs[0, :4], policy(f1, m1).log_probs[0], atol=1e-5)
    assert torch.allclose(out.log_probs[1], policy(f2, m2).log_probs[0], atol=1e-5)


def test_rezero_encoder_is_the_identity_at_init() -> None:
    policy = AttentionPolicy(CONFIG, seed=3)
    feats, _ = inputs()
    assert all(not layer.alpha.detach().any() for layer in policy.layers)
    assert torch.equal(policy.encode(feats), policy.embed(feats))


def test_several_choices_per_token() -> None:
    config = PolicyConfig(d_in=4, d_model=16, n_heads=2, n_layers=1, d_ff=32, n_choices=2)
    feats, mask = inputs(b=2, n=5, k=2)
    lp = active(config)(feats, mask.view(2, 5, 2)).log_probs
    assert lp.shape == (2, 10) and torch.isinf(lp[~mask]).all()
    assert torch.allclose(lp.exp().sum(-1), torch.ones(2), atol=1e-6)


def test_seed_fixes_the_weights_without_touching_the_global_rng() -> None:
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a, b, c = AttentionPolicy(CONFIG, seed=5), AttentionPolicy(CONFIG, seed=5), AttentionPolicy(CONFIG, seed=6)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert not torch.equal(a.embed.weight, c.embed.weight)


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="divisible"):
        PolicyConfig(d_in=2, d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="unknown"):
        PolicyConfig.from_dict({"d_in": 2, "width": 3})
    assert PolicyConfig.from_dict(CONFIG.to_dict()) == CONFIG
    with pytest.raises(ValueError, match="d_in"):
        AttentionPolicy(CONFIG)(torch.zeros(1, 3, 5), torch.ones(1, 3, dtype=torch.bool))
